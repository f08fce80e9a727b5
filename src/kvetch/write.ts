// Writes: canonical rows first, then derived rows (idempotent upserts and deletes), then cache invalidation —
// always in that order, so a crash leaves at worst derived rows that reads re-check and repair heals.
// Every argument is validated by the caller before the first write; never writes a derived row before its canonical row.

import type { EdgeKey, EdgeRow, IndexKey, IndexRow, ObjectRow } from "./backend.js";
import { indexValueHash } from "./backend.js";
import { edgeListTag, indexListTag, objectTag } from "./cache.js";
import { nextSeq } from "./cursor.js";
import { diffDerivedRows, derivedRowsOf } from "./derived.js";
import type { DerivedRows } from "./derived.js";
import { KvetchError } from "./errors.js";
import { newId } from "./id.js";
import { decodeObject } from "./model.js";
import type { KvetchData, KvetchObject } from "./model.js";
import { readObjectRows } from "./objectRead.js";
import type { KvetchObjectTypeDef } from "./schema.js";
import { shardOfEdge, shardOfId, shardOfIndexEntry } from "./shard.js";
import { groupByShard, pick } from "./store.js";
import type { Store } from "./store.js";

/** Derived row changes of one write, ready for the shards. */
export interface DerivedChanges {
  addEdges: EdgeRow[];
  removeEdges: EdgeKey[];
  addIndex: IndexRow[];
  removeIndex: IndexKey[];
}

export interface DerivedCounts {
  edgesAdded: number;
  edgesRemoved: number;
  indexAdded: number;
  indexRemoved: number;
}

export function emptyChanges(): DerivedChanges {
  return { addEdges: [], removeEdges: [], addIndex: [], removeIndex: [] };
}

/** Adds the rows `rows` implies for object `id` to `changes` (as additions or removals). */
export function collectDerived(
  changes: DerivedChanges,
  id: string,
  rows: DerivedRows,
  add: boolean,
  seq: number,
  created: number,
): void {
  for (const { edge, fromId } of rows.edges) {
    if (add) changes.addEdges.push({ edgeId: edge.edgeId, fromId, toId: id, seq, created, body: "{}" });
    else changes.removeEdges.push({ edgeId: edge.edgeId, fromId, toId: id });
  }
  for (const { index, valueKey } of rows.index) {
    const valueHash = indexValueHash(valueKey);
    if (add) changes.addIndex.push({ indexId: index.indexId, valueKey, valueHash, targetId: id, seq, created });
    else changes.removeIndex.push({ indexId: index.indexId, valueKey, valueHash, targetId: id });
  }
}

/** The cache tags a set of derived changes touches (edge lists and index lists, both sides of a move). */
function derivedTags(changes: DerivedChanges, tags: Set<string>): void {
  for (const row of changes.addEdges) tags.add(edgeListTag(row.edgeId, row.fromId));
  for (const row of changes.removeEdges) tags.add(edgeListTag(row.edgeId, row.fromId));
  for (const row of changes.addIndex) tags.add(indexListTag(row.indexId, row.valueHash));
  for (const row of changes.removeIndex) tags.add(indexListTag(row.indexId, row.valueHash));
}

/**
 * writeDerived: applies derived row changes, each kind grouped by its placement (shardOfEdge,
 * shardOfIndexEntry), one round trip per shard per kind, all concurrently. Idempotent: re-applying changes
 * inserts and removes nothing more, and edge counts move only by rows really inserted or removed.
 */
export async function writeDerived(store: Store, changes: DerivedChanges, replaceEdgeData = false): Promise<DerivedCounts> {
  const counts: DerivedCounts = { edgesAdded: 0, edgesRemoved: 0, indexAdded: 0, indexRemoved: 0 };
  const work: Promise<void>[] = [];
  const map = store.shardMap;
  const shards = store.shards;
  if (changes.addEdges.length > 0) {
    const rows = changes.addEdges;
    const shardOf = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) shardOf[i] = shardOfEdge(map, rows[i]!.fromId);
    for (const { shard, positions } of groupByShard(shards.length, shardOf)) {
      work.push(shards[shard]!.writeEdges(pick(rows, positions), replaceEdgeData).then((n) => void (counts.edgesAdded += n)));
    }
  }
  if (changes.removeEdges.length > 0) {
    const keys = changes.removeEdges;
    const shardOf = new Int32Array(keys.length);
    for (let i = 0; i < keys.length; i++) shardOf[i] = shardOfEdge(map, keys[i]!.fromId);
    for (const { shard, positions } of groupByShard(shards.length, shardOf)) {
      work.push(shards[shard]!.removeEdges(pick(keys, positions)).then((n) => void (counts.edgesRemoved += n)));
    }
  }
  if (changes.addIndex.length > 0) {
    const rows = changes.addIndex;
    const shardOf = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) shardOf[i] = shardOfIndexEntry(map, rows[i]!.indexId, rows[i]!.valueKey);
    for (const { shard, positions } of groupByShard(shards.length, shardOf)) {
      work.push(shards[shard]!.writeIndexEntries(pick(rows, positions)).then((n) => void (counts.indexAdded += n)));
    }
  }
  if (changes.removeIndex.length > 0) {
    const keys = changes.removeIndex;
    const shardOf = new Int32Array(keys.length);
    for (let i = 0; i < keys.length; i++) shardOf[i] = shardOfIndexEntry(map, keys[i]!.indexId, keys[i]!.valueKey);
    for (const { shard, positions } of groupByShard(shards.length, shardOf)) {
      work.push(shards[shard]!.removeIndexEntries(pick(keys, positions)).then((n) => void (counts.indexRemoved += n)));
    }
  }
  await settleAll(work);
  return counts;
}

/** Waits for every write of a step (so none is left running unobserved), then rethrows the first failure. */
async function settleAll(work: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  for (const result of results) if (result.status === "rejected") throw result.reason;
}

async function invalidate(store: Store, tags: Set<string>): Promise<void> {
  if (store.cache !== null && tags.size > 0) await store.cache.invalidateCache([...tags]);
}

/** One object to create, validated: its type, data and the JSON text of the data. */
export interface NewObject {
  type: KvetchObjectTypeDef;
  data: KvetchData;
  body: string;
  derived: DerivedRows;
}

/** createObjects: canonical inserts (one per shard), then the derived rows they imply, then invalidation. */
export async function createObjects(store: Store, items: readonly NewObject[]): Promise<KvetchObject[]> {
  const now = Date.now();
  const rows = new Array<ObjectRow>(items.length);
  const ids = new Array<string>(items.length);
  const shardOf = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const id = newId();
    ids[i] = id;
    rows[i] = { id, typeId: items[i]!.type.typeId, version: 1, created: now, updated: now, body: items[i]!.body };
    shardOf[i] = shardOfId(store.shardMap, id);
  }
  await settleAll(groupByShard(store.shards.length, shardOf).map(({ shard, positions }) => store.shards[shard]!.insertObjects(pick(rows, positions))));
  await store.hooks.afterCanonicalWrite?.({ op: "create", ids });

  const changes = emptyChanges();
  for (let i = 0; i < items.length; i++) collectDerived(changes, ids[i]!, items[i]!.derived, true, nextSeq(), now);
  await writeDerived(store, changes);
  const tags = new Set<string>();
  for (const id of ids) tags.add(objectTag(id));
  derivedTags(changes, tags);
  await invalidate(store, tags);

  const out = new Array<KvetchObject>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = decodeObject(store.schema, rows[i]!, "");
  return out;
}

/** One validated update: the object id and the keys to set (undefined: remove the key). */
export interface ObjectPatch {
  id: string;
  patch: KvetchData;
  where: string;
}

const MAX_ATTEMPTS = 8;

/**
 * updateObjects: read the current rows from the shards, merge each patch shallowly, and compare-and-set
 * (version + 1) — retrying objects another writer changed in between — then move derived rows whose stored
 * id or indexed value changed, then invalidate. Missing objects fail the call before anything is written.
 */
export async function updateObjects(store: Store, patches: readonly ObjectPatch[]): Promise<KvetchObject[]> {
  const results = new Array<KvetchObject>(patches.length);
  const changes = emptyChanges();
  const tags = new Set<string>();
  const ids = new Array<string>(patches.length);
  for (let i = 0; i < patches.length; i++) ids[i] = patches[i]!.id;
  let pending = Array.from(patches.keys());
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new KvetchError(
        "CONFLICT",
        `updateObject: ${patches[pending[0]!]!.id} kept changing under ${MAX_ATTEMPTS} attempts; retry the update`,
      );
    }
    const current = await readObjectRows(store, pick(ids, pending));
    const now = Date.now();
    const planned: { at: number; before: ObjectRow; row: ObjectRow; beforeRows: DerivedRows; afterRows: DerivedRows }[] = [];
    for (let p = 0; p < pending.length; p++) {
      const at = pending[p]!;
      const before = current[p];
      const { id, patch, where } = patches[at]!;
      if (!before) {
        throw new KvetchError(
          "NOT_FOUND",
          `${where}: no object with id ${id} (${store.shards[shardOfId(store.shardMap, id)]!.label}); nothing was written`,
        );
      }
      const type = store.schema.typeById(before.typeId);
      if (!type) throw new KvetchError("UNKNOWN_NAME", `${where}: object ${id} has typeId ${before.typeId}, which the schema does not define`);
      const oldData = JSON.parse(before.body) as KvetchData;
      const data: KvetchData = { ...oldData };
      for (const key of Object.keys(patch)) {
        if (patch[key] === undefined) delete data[key];
        else data[key] = patch[key];
      }
      const afterRows = derivedRowsOf(type, data, true, where);
      const beforeRows = derivedRowsOf(type, oldData, false, where);
      const row: ObjectRow = {
        id,
        typeId: before.typeId,
        version: before.version + 1,
        created: before.created,
        updated: Math.max(now, before.updated),
        body: JSON.stringify(data),
      };
      planned.push({ at, before, row, beforeRows, afterRows });
    }
    const shardOf = new Int32Array(planned.length);
    for (let p = 0; p < planned.length; p++) shardOf[p] = shardOfId(store.shardMap, planned[p]!.row.id);
    const retry: number[] = [];
    await settleAll(
      groupByShard(store.shards.length, shardOf).map(async ({ shard, positions }) => {
        const changesForShard = new Array<{ row: ObjectRow; expectVersion: number }>(positions.length);
        for (let p = 0; p < positions.length; p++) {
          const plan = planned[positions[p]!]!;
          changesForShard[p] = { row: plan.row, expectVersion: plan.before.version };
        }
        const done = await store.shards[shard]!.replaceObjects(changesForShard);
        for (let p = 0; p < positions.length; p++) {
          const plan = planned[positions[p]!]!;
          if (!done[p]) {
            retry.push(plan.at);
            continue;
          }
          results[plan.at] = decodeObject(store.schema, plan.row, "");
          const diff = diffDerivedRows(plan.beforeRows, plan.afterRows);
          collectDerived(changes, plan.row.id, diff.removed, false, 0, 0);
          collectDerived(changes, plan.row.id, diff.added, true, nextSeq(), plan.row.updated);
          tags.add(objectTag(plan.row.id));
        }
      }),
    );
    pending = retry;
  }
  await store.hooks.afterCanonicalWrite?.({ op: "update", ids });
  await writeDerived(store, changes);
  derivedTags(changes, tags);
  await invalidate(store, tags);
  return results;
}

/**
 * deleteObjects: compare-and-delete each existing object at the version read, then remove the derived rows
 * it implied, then invalidate. Returns whether each id existed. Edges stored from or to the object stay.
 */
export async function deleteObjects(store: Store, ids: readonly string[]): Promise<boolean[]> {
  const results = new Array<boolean>(ids.length).fill(false);
  const changes = emptyChanges();
  const tags = new Set<string>();
  let pending = Array.from(ids.keys());
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new KvetchError("CONFLICT", `deleteObject: ${ids[pending[0]!]} kept changing under ${MAX_ATTEMPTS} attempts; retry the delete`);
    }
    const current = await readObjectRows(store, pick(ids, pending));
    const present: { at: number; row: ObjectRow }[] = [];
    for (let p = 0; p < pending.length; p++) {
      const row = current[p];
      if (row) present.push({ at: pending[p]!, row });
      else tags.add(objectTag(ids[pending[p]!]!));
    }
    const shardOf = new Int32Array(present.length);
    for (let p = 0; p < present.length; p++) shardOf[p] = shardOfId(store.shardMap, present[p]!.row.id);
    const retry: number[] = [];
    await settleAll(
      groupByShard(store.shards.length, shardOf).map(async ({ shard, positions }) => {
        const keys = new Array<{ id: string; expectVersion: number }>(positions.length);
        for (let p = 0; p < positions.length; p++) {
          const { row } = present[positions[p]!]!;
          keys[p] = { id: row.id, expectVersion: row.version };
        }
        const done = await store.shards[shard]!.removeObjects(keys);
        for (let p = 0; p < positions.length; p++) {
          const { at, row } = present[positions[p]!]!;
          if (!done[p]) {
            retry.push(at);
            continue;
          }
          results[at] = true;
          tags.add(objectTag(row.id));
          const type = store.schema.typeById(row.typeId);
          if (type) collectDerived(changes, row.id, derivedRowsOf(type, JSON.parse(row.body) as KvetchData, false, ""), false, 0, 0);
        }
      }),
    );
    pending = retry;
  }
  await store.hooks.afterCanonicalWrite?.({ op: "delete", ids });
  await writeDerived(store, changes);
  derivedTags(changes, tags);
  await invalidate(store, tags);
  return results;
}

/** insertEdges: stored edges (upserts: an existing edge keeps its position and takes the new data). */
export async function insertEdges(store: Store, rows: EdgeRow[]): Promise<number> {
  const changes = emptyChanges();
  changes.addEdges = rows;
  const counts = await writeDerived(store, changes, true);
  const tags = new Set<string>();
  derivedTags(changes, tags);
  await invalidate(store, tags);
  return counts.edgesAdded;
}

/** deleteEdges: stored edges; returns how many existed. */
export async function deleteEdges(store: Store, keys: EdgeKey[]): Promise<number> {
  const changes = emptyChanges();
  changes.removeEdges = keys;
  const counts = await writeDerived(store, changes);
  const tags = new Set<string>();
  derivedTags(changes, tags);
  await invalidate(store, tags);
  return counts.edgesRemoved;
}

/** Invalidation for repair, which writes derived rows without a canonical write of its own. */
export async function invalidateDerived(store: Store, changes: DerivedChanges): Promise<void> {
  const tags = new Set<string>();
  derivedTags(changes, tags);
  await invalidate(store, tags);
}
