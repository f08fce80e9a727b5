// Derived row writes: the edge and index entry changes one write (or repair) implies, applied with one
// round trip per shard per kind, and the cache invalidation that follows them. Idempotent: applying the
// same changes again inserts and removes nothing more. Never writes a canonical row.

import type { EdgeKey, EdgeRow, IndexKey, IndexRow } from "./backend.js";
import { indexValueHash } from "./backend.js";
import { edgeListTag, indexListTag } from "./cache.js";
import type { DerivedRows } from "./derived.js";
import { shardOfEdge, shardOfIndexEntry } from "./shard.js";
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
export function derivedTags(changes: DerivedChanges, tags: Set<string>): void {
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
export async function settleAll(work: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  for (const result of results) if (result.status === "rejected") throw result.reason;
}

/**
 * invalidate: after a write, drops the cache entries it touched and bumps their dependency versions — with
 * Redis in the same round trip (which also announces them), without it in the backend's own version map.
 */
export async function invalidate(store: Store, tags: Set<string>): Promise<void> {
  if (tags.size === 0) return;
  if (store.cache !== null) await store.cache.invalidateCache([...tags]);
  else store.deps.bump([...tags]);
}

/** Invalidation for repair, which writes derived rows without a canonical write of its own. */
export async function invalidateDerived(store: Store, changes: DerivedChanges): Promise<void> {
  const tags = new Set<string>();
  derivedTags(changes, tags);
  await invalidate(store, tags);
}
