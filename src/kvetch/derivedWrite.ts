// Derived row writes: the edge and index entry changes one write (or repair) implies, applied with one
// round trip per chunk of at most 1000 rows, at most chunksAtOnce at once per shard, and the cache
// invalidation that follows them. Idempotent: applying the same changes again inserts and removes nothing
// more. Never writes a canonical row.

import type { EdgeKey, EdgeRow, IndexKey, IndexRow } from "./backend.js";
import { indexValueHash } from "./backend.js";
import { edgeListTag, indexListTag } from "./cache.js";
import type { DerivedRows } from "./derived.js";
import { shardOfEdge, shardOfIndexEntry } from "./shard.js";
import type { ShardGuard } from "./shardGuard.js";
import { eachShardChunk, groupByShard, pick } from "./store.js";
import type { ShardChunk, Store } from "./store.js";
import { noteBumped } from "./tracing.js";

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

/** One shard's chunk (at most KEYS_PER_QUERY rows) of one kind of derived change, and the call that writes it. */
interface DerivedChunk extends ShardChunk {
  /** Its place in the list of chunks (the order the failure to report is picked by). */
  at: number;
  write: () => Promise<void>;
}

/**
 * writeDerived: applies derived row changes, each kind grouped by its placement (shardOfEdge,
 * shardOfIndexEntry) and split into chunks of at most KEYS_PER_QUERY rows (added rows also by DATA_PER_QUERY
 * of data: edge bodies, index values), one round trip per chunk. The chunks of all four kinds share one
 * eachShardChunk: every shard concurrently, each at most chunksAtOnce of them at once (added edges, removed
 * edges, added index entries, removed index entries, in that order), so a write with many thousands of
 * derived rows on one shard takes more round trips, never more of its pool.
 * Every chunk is tried whatever the others do; then the failure of the first chunk that failed, in that
 * order, is thrown. Idempotent: re-applying changes inserts and removes nothing more, and edge counts move
 * only by rows really inserted or removed.
 */
export async function writeDerived(store: Store, changes: DerivedChanges, replaceEdgeData = false): Promise<DerivedCounts> {
  const counts: DerivedCounts = { edgesAdded: 0, edgesRemoved: 0, indexAdded: 0, indexRemoved: 0 };
  const chunks: DerivedChunk[] = [];
  const map = store.shardMap;
  const shards = store.shards;
  const plan = <T>(
    items: readonly T[],
    shardOf: (item: T) => number,
    write: (shard: ShardGuard, part: T[]) => Promise<void>,
    sizeOf?: (item: T) => number,
  ): void => {
    if (items.length === 0) return;
    const placement = new Int32Array(items.length);
    for (let i = 0; i < items.length; i++) placement[i] = shardOf(items[i]!);
    for (const { shard, positions } of groupByShard(shards.length, placement, sizeOf && ((p) => sizeOf(items[p]!)))) {
      chunks.push({ shard, positions, at: chunks.length, write: () => write(shards[shard]!, pick(items, positions)) });
    }
  };
  // Each count grows after its await: `count += await …` would read the count first and lose the rows of
  // chunks that finished meanwhile.
  plan(
    changes.addEdges,
    (row) => shardOfEdge(map, row.fromId),
    async (shard, rows) => {
      const n = await shard.writeEdges(rows, replaceEdgeData);
      counts.edgesAdded += n;
    },
    (row) => row.body.length,
  );
  plan(changes.removeEdges, (key) => shardOfEdge(map, key.fromId), async (shard, keys) => {
    const n = await shard.removeEdges(keys);
    counts.edgesRemoved += n;
  });
  plan(
    changes.addIndex,
    (row) => shardOfIndexEntry(map, row.indexId, row.valueKey),
    async (shard, rows) => {
      const n = await shard.writeIndexEntries(rows);
      counts.indexAdded += n;
    },
    (row) => row.valueKey.length,
  );
  plan(changes.removeIndex, (key) => shardOfIndexEntry(map, key.indexId, key.valueKey), async (shard, keys) => {
    const n = await shard.removeIndexEntries(keys);
    counts.indexRemoved += n;
  });
  await writeChunks(store, chunks);
  return counts;
}

/**
 * writeChunks: runs every chunk through eachShardChunk (bounded per shard), each one tried even when others
 * fail (a failure, shard failure or not, never stops the rest), then throws the failure of the chunk listed
 * first among those that failed.
 */
async function writeChunks(store: Store, chunks: readonly DerivedChunk[]): Promise<void> {
  let firstAt = chunks.length;
  let first: unknown;
  const fail = (at: number, error: unknown): void => {
    if (at < firstAt) {
      firstAt = at;
      first = error;
    }
  };
  await eachShardChunk(
    chunks,
    (chunk) => {
      const { at, write } = chunk as DerivedChunk;
      return write().catch((error: unknown) => fail(at, error));
    },
    (chunk, error) => fail((chunk as DerivedChunk).at, error),
    store,
  );
  if (firstAt < chunks.length) throw first;
}

/**
 * invalidate: after a write, drops the cache entries it touched and bumps their dependency versions — with
 * Redis in the same round trip (which also announces them), without it in the backend's own version map.
 */
export async function invalidate(store: Store, tags: Set<string>): Promise<void> {
  if (tags.size === 0) return;
  noteBumped(tags);
  if (store.cache !== null) await store.cache.invalidateCache([...tags]);
  else store.deps.bump([...tags]);
}

/**
 * repairDerived: writeDerived for repair and the queue drain, which have no canonical write of their own to
 * invalidate after. When the write fails, part of it may be written (another shard's chunk, a timed-out write
 * that committed) and a later run would find those rows present and count nothing: so the lists `changes`
 * touches are invalidated before the failure is thrown.
 */
export async function repairDerived(store: Store, changes: DerivedChanges): Promise<DerivedCounts> {
  try {
    return await writeDerived(store, changes);
  } catch (error) {
    await invalidateDerived(store, changes);
    throw error;
  }
}

/** Invalidation for repair, which writes derived rows without a canonical write of its own. */
export async function invalidateDerived(store: Store, changes: DerivedChanges): Promise<void> {
  const tags = new Set<string>();
  derivedTags(changes, tags);
  await invalidate(store, tags);
}
