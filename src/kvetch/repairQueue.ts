// The repair queue (spec/kvetch-storage.md §6.4): when a write committed its canonical rows but its derived
// rows failed (a shard cut between the two), the write still succeeds — the object is stored — and the
// object is queued on its own shard; `repair --queue` (drainRepairQueue) re-derives exactly those objects.
// Never reports a committed write as failed; never trusts a queued row over the object's current data.

import type { ObjectRow, RepairEntry } from "./backend.js";
import { nextSeq, seqAt } from "./cursor.js";
import { derivedRowsOf } from "./derived.js";
import type { DerivedRows } from "./derived.js";
import { distinctKeys } from "./distinct.js";
import { KvetchError, shardFailureOf } from "./errors.js";
import type { KvetchData } from "./model.js";
import { readObjectRows } from "./objectRead.js";
import type { KvetchRepairReport } from "./repairReport.js";
import { indexValueHash } from "./backend.js";
import { shardOfId } from "./shard.js";
import { eachShardChunk, groupByShard, orThrow, pick } from "./store.js";
import type { DerivedWriteFailure, Store } from "./store.js";
import { collectDerived, emptyChanges, invalidateDerived, repairDerived, writeDerived } from "./derivedWrite.js";
import type { DerivedChanges } from "./derivedWrite.js";
import { confirmDerived, type WrittenObject } from "./confirmDerived.js";

export type { WrittenObject } from "./confirmDerived.js";

// Queue row body: {"e":[[edgeId,fromId],...],"i":[[indexId,valueKey],...]}: the rows the write touched.
function encodeTouched(rows: DerivedRows): string {
  return JSON.stringify({ e: rows.edges.map((r) => [r.edge.edgeId, r.fromId]), i: rows.index.map((r) => [r.index.indexId, r.valueKey]) });
}

/**
 * finishDerived: writes a committed write's derived rows, then confirms them (confirmDerived: objects
 * another writer committed since follow their current data). A shard that failed with a lost connection is
 * tried once more; if the rows still cannot be written or confirmed, the objects go into the repair queue
 * and the store's onDerivedWriteFailure hears of it. Never throws for a shard failure: the write happened.
 */
export async function finishDerived(store: Store, op: "create" | "update" | "delete", changes: DerivedChanges, objects: readonly WrittenObject[]): Promise<void> {
  let failure: unknown;
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await writeDerived(store, changes);
      failure = undefined;
      break;
    } catch (error) {
      const reason = shardFailureOf(error);
      if (reason === null) throw error;
      failure = error;
      if (reason !== "connection lost" && reason !== "failed") break; // a shard that does not answer will not answer now
    }
  }
  if (failure !== undefined) return queueForRepair(store, op, objects, failure);
  const unsettled = await confirmDerived(store, objects);
  if (unsettled !== null) await queueForRepair(store, op, unsettled.objects, unsettled.error);
}

/**
 * The objects into the repair queue: on each object's shard, in chunks through eachShardChunk (at most
 * chunksAtOnce at once per shard); a chunk whose connection was lost (or whose shard answered with an
 * error) is tried once more. Then onDerivedWriteFailure is told per item: once with the objects queued
 * (queued: true) and once with those that could not be (queued: false), so `queued` is true of every id
 * it is given.
 */
async function queueForRepair(store: Store, op: DerivedWriteFailure["op"], objects: readonly WrittenObject[], failure: unknown, anyShard = false): Promise<void> {
  const notQueued = new Set<string>();
  const shardOf = new Int32Array(objects.length);
  for (let i = 0; i < objects.length; i++) shardOf[i] = shardOfId(store.shardMap, objects[i]!.id);
  const missed = (positions: readonly number[]): void => {
    for (const p of positions) notQueued.add(objects[p]!.id);
  };
  await eachShardChunk(
    groupByShard(store.shards.length, shardOf),
    async ({ shard, positions }) => {
      const entries = pick(objects, positions).map((object): RepairEntry => ({ id: object.id, seq: nextSeq(), body: encodeTouched(object.touched) }));
      // The object's own shard; with anyShard, when it does not take them, the next shards in turn.
      for (let k = 0; k < (anyShard ? store.shards.length : 1); k++) {
        const target = store.shards[(shard + k) % store.shards.length]!;
        if (!target.queueRepairs) continue;
        for (let attempt = 1; attempt <= 2; attempt++) {
          try {
            await target.queueRepairs(entries); // insert-if-absent: running it again queues nothing twice
            return;
          } catch (error) {
            const reason = shardFailureOf(error);
            if (reason !== "connection lost" && reason !== "failed") break;
          }
        }
      }
      missed(positions);
    },
    ({ positions }) => missed(positions),
    store,
  );
  const queued = objects.filter((object) => !notQueued.has(object.id)).map((object) => object.id);
  if (queued.length > 0) store.onDerivedWriteFailure({ op, ids: queued, queued: true, error: failure });
  if (notQueued.size > 0) store.onDerivedWriteFailure({ op, ids: [...notQueued], queued: false, error: failure });
}

/**
 * queueUnsettled: the objects of a write whose outcome is unknown (its shard answered neither the write nor
 * the re-read, §6.4) into the repair queue — on their own shard, or when it does not take them, on the next
 * shard that does (the drain reads each queued object from its own shard, wherever its row was queued) — so
 * that once the shard is back, `repair --queue` makes their derived rows follow whatever was stored.
 */
export async function queueUnsettled(store: Store, op: "create" | "update" | "delete", objects: readonly WrittenObject[], failure: unknown): Promise<void> {
  if (objects.length > 0) await queueForRepair(store, op, objects, failure, true);
}

/**
 * confirmRepaired: confirmDerived for repair and the queue drain. A batch judged derived rows from the objects
 * as it read them; a writer that committed one since (its own confirm saw nothing move) may have had rows
 * undone: one removed that its new data implies, or one added that it no longer implies. So after a batch
 * that changed rows, the objects it touched are read again and follow their current data; those still
 * moving, or that could not be read or written, are queued (onDerivedWriteFailure, op "repair").
 */
export async function confirmRepaired(store: Store, objects: readonly WrittenObject[]): Promise<void> {
  const unsettled = await confirmDerived(store, objects);
  if (unsettled !== null) await queueForRepair(store, "repair", unsettled.objects, unsettled.error);
}

/**
 * drainRepairQueue: for every queued object, shard by shard, writes the derived rows its current data
 * implies (insert-if-absent, seq = seqAt(updated)) and removes the left-behind rows it no longer implies,
 * then deletes the queue rows. A shard that fails stops the run with its error; its rows stay queued.
 */
export async function drainRepairQueue(store: Store, batchSize: number): Promise<KvetchRepairReport> {
  const report: KvetchRepairReport = { scanned: 0, checked: 0, edgesAdded: 0, edgesRemoved: 0, indexAdded: 0, indexRemoved: 0, checkpoint: null };
  for (const shard of store.shards) {
    if (!shard.readRepairQueue || !shard.removeRepairs) continue;
    let after: { id: string; seq: number } | null = null;
    for (;;) {
      const entries = await shard.readRepairQueue(after, batchSize);
      if (entries.length === 0) break;
      report.scanned += entries.length;
      const { keys } = distinctKeys(entries.map((entry) => entry.id));
      const rows = orThrow(await readObjectRows(store, keys));
      const current = new Map<string, { implied: DerivedRows; written: WrittenObject }>();
      const changes = emptyChanges();
      for (let k = 0; k < keys.length; k++) {
        const row = rows[k]! as ObjectRow | null; // orThrow: no failures
        const type = row === null ? undefined : store.schema.typeById(row.typeId);
        const implied = row && type ? derivedRowsOf(type, JSON.parse(row.body) as KvetchData, false, "repair --queue") : { edges: [], index: [] };
        const touched = { edges: [...implied.edges], index: [...implied.index] };
        current.set(keys[k]!, { implied, written: { id: keys[k]!, touched, version: row === null ? null : row.version } });
        if (row) collectDerived(changes, keys[k]!, implied, true, seqAt(row.updated), row.updated);
      }
      for (const entry of entries) {
        const { implied, written } = current.get(entry.id)!;
        removeLeftBehind(store, changes, entry, implied, written.touched);
      }
      const counts = await repairDerived(store, changes);
      report.checked += entries.length;
      report.edgesAdded += counts.edgesAdded;
      report.edgesRemoved += counts.edgesRemoved;
      report.indexAdded += counts.indexAdded;
      report.indexRemoved += counts.indexRemoved;
      await invalidateDerived(store, changes);
      if (counts.edgesAdded + counts.edgesRemoved + counts.indexAdded + counts.indexRemoved > 0) {
        await confirmRepaired(store, [...current.values()].map((object) => object.written));
      }
      await shard.removeRepairs(entries.map((entry) => ({ id: entry.id, seq: entry.seq })));
      if (entries.length < batchSize) break;
      const last = entries[entries.length - 1]!;
      after = { id: last.id, seq: last.seq };
    }
  }
  return report;
}

/**
 * Adds to `changes` the removal of each touched row of `entry` that the object's current data does not
 * imply, and to `touched` (the rows the drain changes for the object) each such row.
 */
function removeLeftBehind(store: Store, changes: DerivedChanges, entry: RepairEntry, implied: DerivedRows, touched: DerivedRows): void {
  let body: { e?: [number, string][]; i?: [number, string][] };
  try {
    body = JSON.parse(entry.body) as typeof body;
  } catch {
    throw new KvetchError("BAD_DATA", `repair --queue: the queue row of ${entry.id} is not JSON; delete it and run a full repair`);
  }
  for (const [edgeId, fromId] of body.e ?? []) {
    if (implied.edges.some((row) => row.edge.edgeId === edgeId && row.fromId === fromId)) continue;
    const edge = store.schema.edgeById(edgeId);
    if (!edge) continue;
    changes.removeEdges.push({ edgeId, fromId, toId: entry.id });
    touched.edges.push({ edge, fromId });
  }
  for (const [indexId, valueKey] of body.i ?? []) {
    if (implied.index.some((row) => row.index.indexId === indexId && row.valueKey === valueKey)) continue;
    const index = store.schema.indexById(indexId);
    if (!index) continue;
    changes.removeIndex.push({ indexId, valueKey, valueHash: indexValueHash(valueKey), targetId: entry.id });
    touched.index.push({ index, valueKey });
  }
}
