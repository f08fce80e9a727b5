// Repair: scans canonical objects shard by shard in id order and restores the derived rows they imply, then
// scans derived edges and index entries and removes those their canonical object no longer implies.
// Resumable from any checkpoint it reports; never trusts a derived row over the canonical object.

import type { EdgeKey, IndexScanKey, ObjectRow } from "./backend.js";
import { seqAt } from "./cursor.js";
import { derivedEdgeHolds, derivedRowsOf, indexEntryHolds } from "./derived.js";
import type { DerivedRows } from "./derived.js";
import type { WrittenObject } from "./confirmDerived.js";
import { confirmRepaired } from "./repairQueue.js";
import { byKey, distinctKeys } from "./distinct.js";
import type { KeyTable } from "./distinct.js";
import { KvetchError } from "./errors.js";
import { isUuid } from "./id.js";
import { decodeObject, type KvetchData, type KvetchObject } from "./model.js";
import { readObjectRows } from "./objectRead.js";
import { settleBackfill } from "./schemaLockStore.js";
import { orThrow } from "./store.js";
import type { Store } from "./store.js";
import { collectDerived, emptyChanges, invalidateDerived, repairDerived } from "./derivedWrite.js";
import type { KvetchRepairCheckpoint, KvetchRepairPhase, KvetchRepairReport } from "./repairReport.js";
import { CLAIM_GRACE_MS, hasUniqueIndex, repairClaimsBatch } from "./uniqueRepair.js";

export type { KvetchRepairCheckpoint, KvetchRepairPhase, KvetchRepairReport } from "./repairReport.js";

export interface KvetchRepairProgress {
  phase: KvetchRepairPhase;
  shard: number;
  shards: number;
  /** Rows the batch just done read. */
  rows: number;
  /** Totals so far (this run only). */
  report: KvetchRepairReport;
  /** Resume from here to continue after this batch; null once everything is done. */
  checkpoint: KvetchRepairCheckpoint | null;
}

export interface KvetchRepairOptions {
  /** Rows per scan query (default 500). */
  batchSize?: number;
  /**
   * Only drain the repair queue (the objects whose writes could not finish their derived rows): fast, and
   * what to run often; the report counts queue rows as `scanned` and `checked`. A full repair heals them too.
   * Either first finishes the deletes a crash stopped part way (their delete markers, deleteRules.ts).
   */
  queue?: boolean;
  /** A checkpoint from an earlier run's onProgress or report. */
  resumeFrom?: KvetchRepairCheckpoint | null;
  /** Called after every batch; an exception stops the run (resume from the last checkpoint it was given). */
  onProgress?: (progress: KvetchRepairProgress) => void | Promise<void>;
  /** Stop after this many batches and report the checkpoint to resume from. */
  maxBatches?: number;
  /**
   * Unique claims younger than this (ms, default 60000) are left alone: their write may still be running
   * (spec/kvetch-storage.md §6.7). 0 when every writer is known to have stopped.
   */
  claimGraceMs?: number;
}

const PHASES: readonly KvetchRepairPhase[] = ["objects", "edges", "index", "claims"];

/** repair: runs repairBatch from the checkpoint until every phase has passed every shard. */
export async function repair(store: Store, options: KvetchRepairOptions = {}): Promise<KvetchRepairReport> {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new KvetchError("BAD_ARGUMENT", `repair batchSize must be a positive integer, got ${options.batchSize}`);
  }
  const maxBatches = options.maxBatches ?? Infinity;
  const graceMs = options.claimGraceMs ?? CLAIM_GRACE_MS;
  if (!(graceMs >= 0)) throw new KvetchError("BAD_ARGUMENT", `repair claimGraceMs must be a number >= 0, got ${options.claimGraceMs}`);
  let checkpoint: KvetchRepairCheckpoint | null = checkCheckpoint(store, options.resumeFrom ?? { phase: "objects", shard: 0, after: null });
  const report: KvetchRepairReport = {
    scanned: 0,
    checked: 0,
    edgesAdded: 0,
    edgesRemoved: 0,
    indexAdded: 0,
    indexRemoved: 0,
    checkpoint: null,
  };
  for (let batches = 0; checkpoint !== null; batches++) {
    if (batches >= maxBatches) {
      report.checkpoint = checkpoint;
      return report;
    }
    const done: KvetchRepairCheckpoint = checkpoint;
    const { rows, next } =
      done.phase === "claims" ? await repairClaims(store, done, batchSize, graceMs, report) : await repairBatch(store, done, batchSize, report, batches === 0);
    checkpoint = next;
    await options.onProgress?.({
      phase: done.phase,
      shard: done.shard,
      shards: store.shards.length,
      rows,
      report: { ...report },
      checkpoint,
    });
  }
  // Every object passed under this run's schema: the indexes and derived edges it backfilled are filled.
  if (options.resumeFrom == null) await settleBackfill(store);
  return report;
}

function checkCheckpoint(store: Store, checkpoint: KvetchRepairCheckpoint): KvetchRepairCheckpoint {
  const bad = (why: string): KvetchError =>
    new KvetchError("BAD_ARGUMENT", `repair resumeFrom ${JSON.stringify(checkpoint)} ${why}; pass a checkpoint repair reported, or none`);
  if (checkpoint === null || typeof checkpoint !== "object") throw bad("is not a checkpoint");
  if (!PHASES.includes(checkpoint.phase)) throw bad(`has phase ${JSON.stringify(checkpoint.phase)}; phases are ${PHASES.join(", ")}`);
  if (!Number.isInteger(checkpoint.shard) || checkpoint.shard < 0 || checkpoint.shard >= store.shards.length) {
    throw bad(`names shard ${checkpoint.shard}; this store has shards 0..${store.shards.length - 1}`);
  }
  if (checkpoint.after !== null) {
    const parts = typeof checkpoint.after === "string" ? checkpoint.after.split("/") : [];
    const ok =
      checkpoint.phase === "objects"
        ? parts.length === 1 && isUuid(parts[0])
        : checkpoint.phase === "edges"
          ? parts.length === 3 && isUuid(parts[0]) && /^\d+$/.test(parts[1]!) && isUuid(parts[2])
          : checkpoint.phase === "claims"
            ? parts.length === 2 && /^\d+$/.test(parts[0]!) && /^[0-9a-f]{32}$/.test(parts[1]!)
            : parts.length === 3 && /^\d+$/.test(parts[0]!) && /^[0-9a-f]{32}$/.test(parts[1]!) && isUuid(parts[2]);
    if (!ok) throw bad("has an `after` key of the wrong form for its phase");
  }
  return { phase: checkpoint.phase, shard: checkpoint.shard, after: checkpoint.after };
}

function advance(store: Store, checkpoint: KvetchRepairCheckpoint): KvetchRepairCheckpoint | null {
  if (checkpoint.shard + 1 < store.shards.length) return { phase: checkpoint.phase, shard: checkpoint.shard + 1, after: null };
  const phase = PHASES[PHASES.indexOf(checkpoint.phase) + 1];
  if (phase === "claims" && !hasUniqueIndex(store)) return null;
  return phase === undefined ? null : { phase, shard: 0, after: null };
}

/** repairClaims: one batch of the "claims" phase (uniqueRepair.ts), counted in the report. */
async function repairClaims(
  store: Store,
  checkpoint: KvetchRepairCheckpoint,
  batchSize: number,
  graceMs: number,
  report: KvetchRepairReport,
): Promise<{ rows: number; next: KvetchRepairCheckpoint | null }> {
  const { rows, last, released } = await repairClaimsBatch(store, checkpoint.shard, checkpoint.after, batchSize, graceMs);
  report.checked += rows;
  if (released > 0) report.claimsReleased = (report.claimsReleased ?? 0) + released;
  const next = rows < batchSize || last === null ? advance(store, checkpoint) : { phase: checkpoint.phase, shard: checkpoint.shard, after: last };
  return { rows, next };
}

/** The object a row holds, or null when the schema no longer has its type (such an object implies nothing). */
function objectOf(store: Store, row: ObjectRow | null): KvetchObject | null {
  if (row === null || !store.schema.typeById(row.typeId)) return null;
  return decodeObject(store.schema, row, "repair");
}

/** Loads the canonical objects (straight from the shards) for a batch of derived rows. */
async function targetsOf(store: Store, ids: readonly string[]): Promise<KeyTable<KvetchObject | null>> {
  const { keys } = distinctKeys(ids);
  const rows = orThrow(await readObjectRows(store, keys));
  const objects = new Array<KvetchObject | null>(keys.length);
  for (let k = 0; k < keys.length; k++) objects[k] = objectOf(store, rows[k]!);
  return byKey(keys, objects);
}

/**
 * repairBatch: one scan query on one shard and the fixes it implies.
 * objects: every derived row the scanned objects imply is written (insert-if-absent; existing rows untouched).
 * edges / index: derived rows whose canonical object no longer implies them are removed.
 */
async function repairBatch(
  store: Store,
  checkpoint: KvetchRepairCheckpoint,
  batchSize: number,
  report: KvetchRepairReport,
  /** The run's first batch: a run that stopped here may have written its rows and never invalidated them. */
  first: boolean,
): Promise<{ rows: number; next: KvetchRepairCheckpoint | null }> {
  const shard = store.shards[checkpoint.shard]!;
  const changes = emptyChanges();
  /** Per object, the rows the batch writes for it and the version it judged them by (confirmRepaired). */
  const judged = new Map<string, WrittenObject>();
  const touch = (id: string, version: number | null): DerivedRows => {
    let object = judged.get(id);
    if (object === undefined) judged.set(id, (object = { id, touched: { edges: [], index: [] }, version }));
    return object.touched;
  };
  let rows = 0;
  let last: string | null = null;

  if (checkpoint.phase === "objects") {
    const objects = await shard.scanObjects(checkpoint.after, batchSize);
    rows = objects.length;
    report.scanned += rows;
    for (const row of objects) {
      const type = store.schema.typeById(row.typeId);
      if (!type) continue;
      const derived = derivedRowsOf(type, JSON.parse(row.body) as KvetchData, false, "repair");
      collectDerived(changes, row.id, derived, true, seqAt(row.updated), row.updated);
      if (derived.edges.length + derived.index.length > 0) judged.set(row.id, { id: row.id, touched: derived, version: row.version });
    }
    if (rows > 0) last = objects[rows - 1]!.id;
  } else if (checkpoint.phase === "edges") {
    const derivedEdgeIds = store.schema.edges.filter((edge) => edge.derived).map((edge) => edge.edgeId);
    if (derivedEdgeIds.length > 0) {
      let after: EdgeKey | null = null;
      if (checkpoint.after !== null) {
        const [fromId, edgeId, toId] = checkpoint.after.split("/");
        after = { fromId: fromId!, edgeId: Number(edgeId), toId: toId! };
      }
      const edges = await shard.scanEdges(derivedEdgeIds, after, batchSize);
      rows = edges.length;
      report.checked += rows;
      const targets = await targetsOf(store, edges.map((edge) => edge.toId));
      for (const edge of edges) {
        const def = store.schema.edgeById(edge.edgeId)!;
        const target = targets.get(edge.toId);
        if (!derivedEdgeHolds(def, edge, target)) {
          changes.removeEdges.push({ edgeId: edge.edgeId, fromId: edge.fromId, toId: edge.toId });
          touch(edge.toId, target?.version ?? null).edges.push({ edge: def, fromId: edge.fromId });
        }
      }
      if (rows > 0) {
        const end = edges[rows - 1]!;
        last = `${end.fromId}/${end.edgeId}/${end.toId}`;
      }
    }
  } else {
    let after: IndexScanKey | null = null;
    if (checkpoint.after !== null) {
      const [indexId, valueHash, targetId] = checkpoint.after.split("/");
      after = { indexId: Number(indexId), valueHash: valueHash!, targetId: targetId! };
    }
    const entries = await shard.scanIndexEntries(after, batchSize);
    rows = entries.length;
    report.checked += rows;
    const targets = await targetsOf(store, entries.map((entry) => entry.targetId));
    for (const entry of entries) {
      const index = store.schema.indexById(entry.indexId);
      if (!index) continue; // an index the schema dropped: left for an operator to remove
      const target = targets.get(entry.targetId);
      if (!indexEntryHolds(index, JSON.parse(entry.valueKey), target)) {
        changes.removeIndex.push({ indexId: entry.indexId, valueKey: entry.valueKey, valueHash: entry.valueHash, targetId: entry.targetId });
        touch(entry.targetId, target?.version ?? null).index.push({ index, valueKey: entry.valueKey });
      }
    }
    if (rows > 0) {
      const end = entries[rows - 1]!;
      last = `${end.indexId}/${end.valueHash}/${end.targetId}`;
    }
  }

  const counts = await repairDerived(store, changes);
  report.edgesAdded += counts.edgesAdded;
  report.edgesRemoved += counts.edgesRemoved;
  report.indexAdded += counts.indexAdded;
  report.indexRemoved += counts.indexRemoved;
  const changed = counts.edgesAdded + counts.edgesRemoved + counts.indexAdded + counts.indexRemoved > 0;
  if (first || changed) await invalidateDerived(store, changes);
  // A writer that committed one of these objects since the batch read it may have had its rows undone.
  if (changed) await confirmRepaired(store, [...judged.values()]);
  const next = rows < batchSize || last === null ? advance(store, checkpoint) : { phase: checkpoint.phase, shard: checkpoint.shard, after: last };
  return { rows, next };
}
