// The open store that reads, writes and repair share: schema, shard map, one ShardStore per shard, the
// optional cache, counters and test hooks — plus shard grouping, the hot path every batch goes through, and
// the write-back of values read from the shards. Grouping allocates per batch and per shard, never per entry;
// it never computes a shard itself (shard.ts does).

import type { KvetchCounters } from "./backend.js";
import type { CacheField, RedisCache } from "./cache.js";
import type { DecodedMemo } from "./decodedMemo.js";
import { KvetchError, shardFailureOf } from "./errors.js";
import type { KvetchSchema } from "./schema.js";
import type { ShardMap } from "./shard.js";
import type { OpenTopology } from "./topologyMap.js";
import type { ShardGuard } from "./shardGuard.js";
import type { DependencyHub } from "./versions.js";

/**
 * Interruption points for fault-injection tests. Reached only through graphscale/kvetch/testing
 * (kvetchTestHooks), never through the Kvetch class.
 */
export interface KvetchTestHooks {
  /** Runs after a write's canonical rows committed and before its derived rows are written. */
  afterCanonicalWrite?: (info: { op: "create" | "update" | "delete"; ids: readonly string[] }) => void | Promise<void>;
  /** Runs after a create's or an update's unique values were claimed (unique.ts) and before its canonical write. */
  afterUniqueClaim?: (info: { op: "create" | "update"; ids: readonly string[] }) => void | Promise<void>;
  /** Runs after a read missed the cache and read the shards, before it writes the values back. */
  beforeCacheFill?: (info: { tags: readonly string[] }) => void | Promise<void>;
  /** Runs after each journal write of a bucket move (reshard.ts), with the phase written; a throw stops the move there. */
  afterMoveJournal?: (phase: "copy" | "catchUp" | "frozen" | "switched" | "cleaned") => void | Promise<void>;
}

export interface Store {
  readonly schema: KvetchSchema;
  /**
   * Placement by position: the configured map until the open check, then placementOf(topology); replaced
   * (never changed in place) when a newer stored map is adopted (adoptTopology, topology.ts).
   */
  shardMap: ShardMap;
  /** The stored topology this store places by; null before the open check, or for a backend that keeps none. */
  topology: OpenTopology | null;
  readonly shards: readonly ShardGuard[];
  readonly cache: RedisCache | null;
  /** The cache tier's texts as last decoded (DecodedMemo, spec/kvetch-storage.md §7.7); null without a cache. */
  readonly decoded: DecodedMemo | null;
  readonly counters: KvetchCounters;
  /** Dependency versions and invalidation announcements (spec/reactivity.md). */
  readonly deps: DependencyHub;
  readonly hooks: KvetchTestHooks;
  /** Told about every write whose derived rows could not be written (the write itself succeeded). */
  readonly onDerivedWriteFailure: (report: DerivedWriteFailure) => void;
}

/** A write that committed its canonical rows but not all of its derived rows (spec/kvetch-storage.md §6.4). */
export interface DerivedWriteFailure {
  /** The write ("repair": a repair batch or queue drain whose objects kept moving while it confirmed them). */
  op: "create" | "update" | "delete" | "repair";
  /** The objects whose derived rows may be missing or stale. */
  ids: readonly string[];
  /**
   * Whether these ids are in the repair queue (`repair --queue` heals them); false: only a full repair does.
   * True of every id of the report: a write whose objects were queued in part is reported twice.
   */
  queued: boolean;
  /** The shard error (its cause has the detail). */
  error: unknown;
}

/** The default onDerivedWriteFailure: one line on console.error saying which command heals it. */
export function reportDerivedWriteFailure(report: DerivedWriteFailure): void {
  const what =
    report.op === "repair"
      ? `repair could not settle the derived rows of ${report.ids.length} object(s) writers changed meanwhile`
      : `${report.op} of ${report.ids.length} object(s) committed, but their derived rows failed`;
  console.error(
    `graphscale: Kvetch ${what}; ` +
      `${report.queued ? "queued for `graphscale kvetch repair --queue`" : "run `graphscale kvetch repair`"}:`,
    report.error,
  );
}

/** A value, or the shard failure that stands in for it in a partial result. */
export type OrFailure<T> = T | KvetchError;

export function isFailure(value: unknown): value is KvetchError {
  return value instanceof KvetchError;
}

/** The value list itself when nothing failed; else throws the first shard failure (for callers without `partial`). */
export function orThrow<T>(values: readonly OrFailure<T>[]): T[] {
  for (let i = 0; i < values.length; i++) if (values[i] instanceof KvetchError) throw values[i];
  return values as T[];
}

/** Chunks of one call in flight at once on one shard whose backend does not say (see chunksAtOnce). */
export const DEFAULT_CHUNKS_AT_ONCE = 4;

/**
 * chunksAtOnce: how many chunks of one call may run at once on `shard` — the shard's `connections` (a MySQL
 * shard's pool size) when it has one, else DEFAULT_CHUNKS_AT_ONCE. So one call never queues more calls on a
 * shard's pool than it has connections, and a batch of any size cannot fill the pool's queue for others.
 */
export function chunksAtOnce(store: Store | undefined, shard: number): number {
  const inner = store?.shards[shard]?.inner as { connections?: unknown } | undefined;
  const connections = inner?.connections;
  return typeof connections === "number" && Number.isInteger(connections) && connections > 0 ? connections : DEFAULT_CHUNKS_AT_ONCE;
}

/**
 * eachShardChunk: runs one call per chunk — every shard concurrently, and on each shard at most
 * chunksAtOnce(store, shard) chunks at once, the rest waiting their turn in order (a big batch takes more
 * round trips, never more of the pool). A chunk whose shard fails gives its error to `failed` (its entries
 * become failures) instead of failing the batch; the shard's other chunks still run. Errors that are not
 * shard failures fail the whole call: no further chunk starts, and the call throws once those running end.
 */
export function eachShardChunk(
  chunks: readonly ShardChunk[],
  run: (chunk: ShardChunk) => Promise<void>,
  failed: (chunk: ShardChunk, error: KvetchError) => void,
  store?: Store,
): Promise<void> {
  // Everything in the executor: a throw before the calls start rejects the promise, as an async function's would.
  return new Promise<void>((resolve, reject) => {
    const byShard = new Map<number, ShardChunk[]>();
    for (const chunk of chunks) {
      const list = byShard.get(chunk.shard);
      if (list) list.push(chunk);
      else byShard.set(chunk.shard, [chunk]);
    }
    const calls = new ChunkCalls(run, failed, resolve, reject);
    for (const [shard, list] of byShard) {
      const atOnce = chunksAtOnce(store, shard);
      if (list.length <= atOnce) {
        for (const chunk of list) calls.start(chunk);
        continue;
      }
      let next = 0;
      const lane = async (): Promise<void> => {
        while (!calls.stopped && next < list.length) await calls.one(list[next++]!);
      };
      for (let l = 0; l < atOnce; l++) calls.follow(lane());
    }
    calls.close();
  });
}

/**
 * The calls of one eachShardChunk, settled together: each chunk's call is followed by one `then` (a shard
 * failure given to `failed`, anything else stopping further chunks), and the whole settles once every call
 * did: resolved, or rejected with the first error in the order the calls started (as Promise.allSettled's
 * results read in order would give it).
 */
class ChunkCalls {
  stopped = false;
  /** Calls not settled, plus one until close. */
  private left = 1;
  private count = 0;
  private errorAt = Infinity;
  private error: unknown = undefined;

  constructor(
    private readonly run: (chunk: ShardChunk) => Promise<void>,
    private readonly failed: (chunk: ShardChunk, error: KvetchError) => void,
    private readonly resolve: () => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  /** A chunk's call, followed. */
  start(chunk: ShardChunk): void {
    const at = this.count++;
    this.left++;
    started(this.run, chunk).then(
      () => this.settled(),
      (error: unknown) => this.chunkFailed(at, chunk, error),
    );
  }

  /** A chunk's call as a lane awaits it: a shard failure given to `failed`, anything else rejecting. */
  one(chunk: ShardChunk): Promise<void> {
    return started(this.run, chunk).catch((error: unknown) => this.absorb(chunk, error));
  }

  /** A lane's promise, followed as a call. */
  follow(lane: Promise<void>): void {
    const at = this.count++;
    this.left++;
    lane.then(
      () => this.settled(),
      (error: unknown) => this.fail(at, error),
    );
  }

  /** Every call started. */
  close(): void {
    this.settled();
  }

  private chunkFailed(at: number, chunk: ShardChunk, error: unknown): void {
    try {
      this.absorb(chunk, error);
    } catch (thrown) {
      this.fail(at, thrown);
      return;
    }
    this.settled();
  }

  /** A chunk's error: a shard failure goes to `failed`; anything else stops further chunks and is thrown on. */
  private absorb(chunk: ShardChunk, error: unknown): void {
    if (shardFailureOf(error) === null) {
      this.stopped = true;
      throw error;
    }
    this.failed(chunk, error as KvetchError);
  }

  private fail(at: number, error: unknown): void {
    if (at < this.errorAt) {
      this.errorAt = at;
      this.error = error;
    }
    this.settled();
  }

  private settled(): void {
    if (--this.left !== 0) return;
    if (this.errorAt === Infinity) this.resolve();
    else this.reject(this.error);
  }
}

/** A chunk's call, a synchronous throw as its rejection (a run need not be an async function). */
function started(run: (chunk: ShardChunk) => Promise<void>, chunk: ShardChunk): Promise<void> {
  try {
    return run(chunk);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The store of each Kvetch (filled by its constructor), for the commands that report on it (commandLine.ts). */
export const storeOf = new WeakMap<object, Store>();

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
/**
 * Data per shard query, in UTF-16 code units of the rows' bodies, for the writes that carry data: at most 3
 * bytes each in UTF-8, escapes at most doubling ASCII, so a statement stays near 6 MB, under MySQL's and
 * MariaDB's default max_allowed_packet (64 MB, 16 MB).
 */
export const DATA_PER_QUERY = 2_000_000;

/** A run of positions (into the caller's batch) bound for one shard, at most KEYS_PER_QUERY long. */
export interface ShardChunk {
  shard: number;
  positions: number[];
}

/**
 * groupByShard: positions grouped by `shardOfPosition[i]`, in shard order, each split into query-sized
 * chunks: at most KEYS_PER_QUERY positions and, with `sizeOf` (a write's data per position), at most
 * DATA_PER_QUERY of data — a position larger than that alone in its chunk.
 */
export function groupByShard(shardCount: number, shardOfPosition: ArrayLike<number>, sizeOf?: (position: number) => number): ShardChunk[] {
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
    if (sizeOf !== undefined) {
      splitBySize(shard, positions, sizeOf, chunks);
      continue;
    }
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

/** One shard's positions as chunks of at most KEYS_PER_QUERY positions and DATA_PER_QUERY of data. */
function splitBySize(shard: number, positions: readonly number[], sizeOf: (position: number) => number, chunks: ShardChunk[]): void {
  let chunk: number[] = [];
  let size = 0;
  for (const position of positions) {
    const own = sizeOf(position);
    if (chunk.length > 0 && (chunk.length === KEYS_PER_QUERY || size + own > DATA_PER_QUERY)) {
      chunks.push({ shard, positions: chunk });
      chunk = [];
      size = 0;
    }
    chunk.push(position);
    size += own;
  }
  if (chunk.length > 0) chunks.push({ shard, positions: chunk });
}

/** Picks `items[positions[i]]` for a chunk (one array per chunk). */
export function pick<T>(items: readonly T[], positions: readonly number[]): T[] {
  const out = new Array<T>(positions.length);
  for (let i = 0; i < positions.length; i++) out[i] = items[positions[i]!]!;
  return out;
}
