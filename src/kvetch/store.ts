// The open store that reads, writes and repair share: schema, shard map, one ShardStore per shard, the
// optional cache, counters and test hooks — plus shard grouping, the hot path every batch goes through, and
// the write-back of values read from the shards. Grouping allocates per batch and per shard, never per entry;
// it never computes a shard itself (shard.ts does).

import type { KvetchCounters, ShardStore } from "./backend.js";
import type { CacheField, RedisCache } from "./cache.js";
import type { KvetchSchema } from "./schema.js";
import type { ShardMap } from "./shard.js";

/**
 * Interruption points for fault-injection tests. Reached only through graphscale/kvetch/testing
 * (kvetchTestHooks), never through the Kvetch class.
 */
export interface KvetchTestHooks {
  /** Runs after a write's canonical rows committed and before its derived rows are written. */
  afterCanonicalWrite?: (info: { op: "create" | "update" | "delete"; ids: readonly string[] }) => void | Promise<void>;
  /** Runs after a read missed the cache and read the shards, before it writes the values back. */
  beforeCacheFill?: (info: { tags: readonly string[] }) => void | Promise<void>;
}

export interface Store {
  readonly schema: KvetchSchema;
  readonly shardMap: ShardMap;
  readonly shards: readonly ShardStore[];
  readonly cache: RedisCache | null;
  readonly counters: KvetchCounters;
  readonly hooks: KvetchTestHooks;
}

/** The hooks object of each open store, by its Kvetch (filled by the Kvetch constructor). */
export const testHooksOf = new WeakMap<object, KvetchTestHooks>();

/** writeBack: hands values read from the shards to the cache's generation-checked fill (after the test hook that races it). */
export async function writeBack(store: Store, tags: string[], gens: string[], field: CacheField, values: string[]): Promise<void> {
  if (tags.length === 0 || store.cache === null) return;
  await store.hooks.beforeCacheFill?.({ tags });
  await store.cache.fillCache(tags, gens, field, values);
}

/** Keys per shard query; bigger batches are split into several queries per shard. */
const KEYS_PER_QUERY = 1000;

/** A run of positions (into the caller's batch) bound for one shard, at most KEYS_PER_QUERY long. */
export interface ShardChunk {
  shard: number;
  positions: number[];
}

/** groupByShard: positions grouped by `shardOfPosition[i]`, in shard order, each split into query-sized chunks. */
export function groupByShard(shardCount: number, shardOfPosition: ArrayLike<number>): ShardChunk[] {
  const byShard: (number[] | undefined)[] = new Array(shardCount);
  for (let i = 0; i < shardOfPosition.length; i++) {
    const shard = shardOfPosition[i]!;
    const positions = byShard[shard];
    if (positions) positions.push(i);
    else byShard[shard] = [i];
  }
  const chunks: ShardChunk[] = [];
  for (let shard = 0; shard < shardCount; shard++) {
    const positions = byShard[shard];
    if (!positions) continue;
    if (positions.length <= KEYS_PER_QUERY) {
      chunks.push({ shard, positions });
      continue;
    }
    for (let start = 0; start < positions.length; start += KEYS_PER_QUERY) {
      chunks.push({ shard, positions: positions.slice(start, start + KEYS_PER_QUERY) });
    }
  }
  return chunks;
}

/** Picks `items[positions[i]]` for a chunk (one array per chunk). */
export function pick<T>(items: readonly T[], positions: readonly number[]): T[] {
  const out = new Array<T>(positions.length);
  for (let i = 0; i < positions.length; i++) out[i] = items[positions[i]!]!;
  return out;
}
