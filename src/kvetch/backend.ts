// The backend contract (public, spec/kvetch-storage.md §9): a KvetchBackend opens one ShardStore per physical
// shard, and each ShardStore method is exactly one round trip to its shard, counted by the backend itself.
// Grouping, batching, caching and verification are decided above it, identically for every backend.

import { createHash } from "node:crypto";
import type { Position } from "./cursor.js";
import type { BucketRange, ShardMap } from "./shard.js";
import type { ShardIdentity, ShardTopology, TopologyMap } from "./topologyMap.js";

/** Round trips and rows, as tests and the bench read them from `kvetch.counters`. */
export interface KvetchCounters {
  /** Public API calls (a batch call is one call, however many shards and cache nodes it touches). */
  calls: number;
  /** Round trips per physical shard, indexed by shard number. */
  shardQueries: number[];
  /** Round trips per cache node, keyed by node name ("host:port"). */
  cacheRoundTrips: Record<string, number>;
  /** Rows returned by shard round trips (objects, edges, index entries, counts, scanned rows). */
  rowsFetched: number;
}

export interface ObjectRow {
  id: string;
  typeId: number;
  version: number;
  created: number;
  updated: number;
  /** The data bag as JSON text. */
  body: string;
  /** The body already decoded, when the backend keeps it so (see FlatData). */
  readonly flatData?: FlatData;
}

/**
 * FlatData: a row body kept decoded by a backend that holds its rows in memory — an object equal to
 * `JSON.parse(body)` whose every value is a string, a number, a boolean or null, never changed once made.
 * Kvetch hands out a shallow copy of it instead of parsing the text again; a nested body has none (it is
 * parsed). `flatDataOf` makes it. Backends that read text off a connection (MySQL) leave it out. Not frozen:
 * V8 copies a frozen object about five times slower than a plain one (about 57 ns against 12 for a todo
 * item's data), and no reader gets this object, only copies.
 */
export type FlatData = Readonly<Record<string, string | number | boolean | null>>;

/** flatDataOf: the FlatData of a JSON body, or undefined when a value in it is an object or an array. */
export function flatDataOf(body: string): FlatData | undefined {
  const data = JSON.parse(body) as Record<string, unknown>;
  for (const key in data) {
    const value = data[key];
    if (value !== null && typeof value === "object") return undefined;
  }
  return data as FlatData;
}

export interface EdgeKey {
  edgeId: number;
  fromId: string;
  toId: string;
}

export interface EdgeRow extends EdgeKey {
  seq: number;
  created: number;
  /** The edge data as JSON text. */
  body: string;
  /** The body already decoded, when the backend keeps it so (see FlatData). */
  readonly flatData?: FlatData;
}

/** Where an index entry sits in scan order: (indexId, valueHash, targetId). */
export interface IndexScanKey {
  indexId: number;
  /** indexValueHash(valueKey), 32 hex digits. */
  valueHash: string;
  targetId: string;
}

export interface IndexKey extends IndexScanKey {
  /** indexValueKey(value): the canonical JSON text of the indexed value (placement hashes it). */
  valueKey: string;
}

export interface IndexRow extends IndexKey {
  seq: number;
  created: number;
}

/** One parent's slice of an edge list: rows strictly after `after`, at most `limit` (null: all). */
export interface EdgeRange {
  fromId: string;
  after: Position | null;
  limit: number | null;
}

/** One value's slice of an index entry list. */
export interface IndexRange {
  valueKey: string;
  valueHash: string;
  after: Position | null;
  limit: number | null;
}

/**
 * A repair queue row (spec/kvetch-storage.md §6.4): an object whose derived rows a write could not finish.
 * It lives on the object's shard, ordered by (id, seq).
 */
export interface RepairEntry {
  id: string;
  /** nextSeq when queued; a second failure of the same object is a second row. */
  seq: number;
  /** JSON `{ "edges": EdgeKey[], "index": IndexKey[] }`: rows to remove unless the object implies them again. */
  body: string;
}

/** An idempotency key row: which object a create with this key made (or reserved the id of). */
export interface IdempotencyKeyRow {
  /** idempotencyKeyHash(typeId, key), 32 hex digits. */
  keyHash: string;
  id: string;
  created: number;
}

/** Where a unique claim sits: its index and the hash of its value (its primary key on the value's shard). */
export interface UniqueClaimKey {
  indexId: number;
  /** indexValueHash(valueKey), 32 hex digits. */
  valueHash: string;
}

/**
 * A value of a unique index, the object that owns it, and the object version that took it: a release deletes
 * the claim only while that owner holds it at this version or an older one, so a later write of the same
 * object that took the value again (a newer version) keeps it.
 */
export interface UniqueClaimOwner extends UniqueClaimKey {
  /** indexValueKey(value): placement hashes it, as an index entry's. */
  valueKey: string;
  ownerId: string;
  version: number;
}

/** A unique claim (spec/kvetch-storage.md §6.7): the one object that owns a value of a unique index. */
export interface UniqueClaimRow extends UniqueClaimOwner {
  /** When its owner last claimed it (ms): repair leaves younger claims to the write that may still be running. */
  claimed: number;
}

export interface ShardStats {
  shard: number;
  label: string;
  objects: number;
  edges: number;
  indexEntries: number;
}

/**
 * ShardStore: one physical shard of a backend — the public contract a backend implements (memory and MySQL
 * here; your own through graphscale/kvetch/testing's runBackendContractSuite). Rules for every method:
 * - it is one round trip: add 1 to `counters.shardQueries[shard]` per call, and the rows it returns (objects,
 *   edges, index entries, counts, scanned rows) to `counters.rowsFetched`;
 * - ids are canonical lowercase UUID strings; ordered lists sort by (seq, id) with ids compared as strings;
 * - the rows it returns are read, never changed, by Kvetch: it may return rows it keeps only if it never changes
 *   them afterwards (a write stores a new row object); it never keeps a row object it was given;
 * - writes of derived rows are idempotent (insert-if-absent / delete-if-present), and counts move only by
 *   the rows really inserted or removed.
 * The bucket-move methods it may add (ShardMoves: bucket scans, exact copies, the move journal, the fence) are
 * below it.
 */
export interface ShardStore extends ShardMoves {
  readonly shard: number;
  /** Names the shard in error messages, without credentials. */
  readonly label: string;
  /** Creates the database (where the backend has one) and the tables, idempotently. */
  migrate(): Promise<void>;
  /** The rows for these ids that exist, in any order. */
  readObjects(ids: readonly string[]): Promise<ObjectRow[]>;
  /** Inserts new objects; an id that already exists fails the whole call (nothing inserted) with a CONFLICT KvetchError. */
  insertObjects(rows: readonly ObjectRow[]): Promise<void>;
  /** Compare-and-set: each row replaces the stored one only if its version is still `expectVersion`. */
  replaceObjects(changes: readonly { row: ObjectRow; expectVersion: number }[]): Promise<boolean[]>;
  /** Compare-and-delete: removes each object only if its version is still `expectVersion`. */
  removeObjects(keys: readonly { id: string; expectVersion: number }[]): Promise<boolean[]>;
  /** One list per range, each ordered by (seq, toId). */
  readEdgeRanges(edgeId: number, ranges: readonly EdgeRange[]): Promise<EdgeRow[][]>;
  /** The stored edge count of each parent (0 when none). */
  readEdgeCounts(edgeId: number, fromIds: readonly string[]): Promise<number[]>;
  /**
   * Inserts the rows that are absent (keeping seq and created of present ones; with `replaceData`, present
   * rows take the new body) and adds the number really inserted per parent to its count, atomically.
   * Returns how many rows were inserted.
   */
  writeEdges(rows: readonly EdgeRow[], replaceData: boolean): Promise<number>;
  /** Deletes the rows that exist and subtracts them from the counts, atomically; returns how many. */
  removeEdges(keys: readonly EdgeKey[]): Promise<number>;
  /** One list per range, each ordered by (seq, targetId). */
  readIndexRanges(indexId: number, ranges: readonly IndexRange[]): Promise<IndexRow[][]>;
  /** Inserts absent entries (present ones keep their seq); returns how many were inserted. */
  writeIndexEntries(rows: readonly IndexRow[]): Promise<number>;
  /** Deletes the entries that exist; returns how many. */
  removeIndexEntries(keys: readonly IndexKey[]): Promise<number>;
  /** Objects with id > afterId in id order (byte order of BINARY(16) = order of the canonical strings). */
  scanObjects(afterId: string | null, limit: number): Promise<ObjectRow[]>;
  /** Edges of the given edge ids after `after` in (fromId, edgeId, toId) order. */
  scanEdges(edgeIds: readonly number[], after: EdgeKey | null, limit: number): Promise<EdgeRow[]>;
  /** Index entries after `after` in (indexId, valueHash, targetId) order. */
  scanIndexEntries(after: IndexScanKey | null, limit: number): Promise<IndexRow[]>;
  stats(): Promise<ShardStats>;
  close(): Promise<void>;
  /** One cheap round trip that proves the shard answers (health checks, breaker probes). */
  ping?(): Promise<void>;
  /** Adds repair queue rows (a row already there is left as it is). Without it, failed derived writes wait for a full repair. */
  queueRepairs?(entries: readonly RepairEntry[]): Promise<void>;
  /** Queue rows after `after` in (id, seq) order. */
  readRepairQueue?(after: { id: string; seq: number } | null, limit: number): Promise<RepairEntry[]>;
  /** Deletes queue rows; returns how many existed. */
  removeRepairs?(keys: readonly { id: string; seq: number }[]): Promise<number>;
  /**
   * For each row, stores it unless its key is already stored, and returns the id stored under each key
   * (the row's own id, or the one an earlier create reserved). Without it, createObjects refuses idempotency keys.
   */
  reserveKeys?(rows: readonly IdempotencyKeyRow[]): Promise<string[]>;
  // Unique claims (spec/kvetch-storage.md §6.7). Without these, a schema with a unique index is refused at open.
  /**
   * For each row, stores it unless its (indexId, valueHash) is claimed; a claim of the same owner takes the higher
   * version and the new `claimed` time. Returns the owner stored under each.
   */
  claimUnique?(rows: readonly UniqueClaimRow[]): Promise<string[]>;
  /** Deletes each claim whose owner is still `ownerId` at `version` or older; returns how many it deleted. */
  releaseUnique?(keys: readonly UniqueClaimOwner[]): Promise<number>;
  /** Claims after `after` in (indexId, valueHash) order. */
  scanUniqueClaims?(after: UniqueClaimKey | null, limit: number): Promise<UniqueClaimRow[]>;
  // The durable topology (spec/kvetch-storage.md §2.2). A backend without these three has none: Kvetch then
  // places by the configured list and cannot notice a shard list that changed.
  /** This shard's identity and copy of the shard map (migrated: false when its tables do not exist). */
  readTopology?(): Promise<ShardTopology>;
  /** Stores the identity unless the shard has one (never rewrites it); returns the identity stored. */
  joinTopology?(identity: ShardIdentity): Promise<ShardIdentity>;
  /** Stores `map` as this shard's copy if the copy's version is <= expectVersion (none: 0); returns the copy stored after the call. */
  writeTopology?(map: TopologyMap, expectVersion: number): Promise<TopologyMap>;
  // The schema lock (spec/kvetch-storage.md §2.5). A backend without these two keeps none: any schema opens.
  /** This shard's copy of the schema lock as stored text, or null when it holds none. */
  readSchemaLock?(): Promise<string | null>;
  /** Stores `text` (lock version `version`) if the copy's version is <= expectVersion (none: 0); returns the text stored after the call. */
  writeSchemaLock?(text: string, version: number, expectVersion: number): Promise<string | null>;
}

// ---- Bucket moves (spec/kvetch-storage.md §11): the rows a bucket places, and the optional methods that move them.

/** An edge list's stored count, as a move copies it (edge_counts). */
export interface EdgeCountRow {
  edgeId: number;
  fromId: string;
  n: number;
}

/** The rows of every table a bucket places, by table. */
export interface BucketTableRows {
  objects: ObjectRow;
  edges: EdgeRow;
  edgeCounts: EdgeCountRow;
  indexEntries: IndexRow;
  repairQueue: RepairEntry;
  idempotencyKeys: IdempotencyKeyRow;
  uniqueClaims: UniqueClaimRow;
}

export type BucketTable = keyof BucketTableRows;

/** A set of buckets out of `buckets` (the store's bucket count): `members[b]` is 1 for a bucket in the set. */
export interface BucketSet {
  readonly buckets: number;
  readonly members: Uint8Array;
}

/** One page of a bucket scan: rows in key order, and the key to continue after (null: the table is done). */
export interface BucketPage<T extends BucketTable> {
  rows: BucketTableRows[T][];
  next: string | null;
}

/** What a shard serves (spec/kvetch-storage.md §11.4): the map of `version`, some buckets frozen for writes. */
export interface BucketFenceSetting {
  /** The stored id of the shard the fence is set on. */
  shard: number;
  /** The version of the stored shard map the fence follows. */
  version: number;
  /** Bucket ranges → stored shard ids: the buckets this shard serves are those the ranges give it. */
  ranges: readonly BucketRange[];
  /** Buckets it serves but takes no write to: a write waits for the next fence. */
  frozen: readonly number[];
}

/**
 * ShardMoves: the optional ShardStore methods bucket moves use (spec/kvetch-storage.md §11). A backend without
 * them cannot move buckets (reshard refuses it, naming the method).
 */
export interface ShardMoves {
  /** Rows of `table` in the set's buckets with a scan key after `after`, in key order, scanning at most `limit` rows. */
  scanBucketRows?<T extends BucketTable>(table: T, set: BucketSet, after: string | null, limit: number): Promise<BucketPage<T>>;
  /** Stores exact copies of rows, replacing a row with the same key (counts are rows of their own); returns how many. */
  putBucketRows?<T extends BucketTable>(table: T, rows: readonly BucketTableRows[T][]): Promise<number>;
  /** Deletes the rows with these rows' keys; returns how many existed. */
  removeBucketRows?<T extends BucketTable>(table: T, rows: readonly BucketTableRows[T][]): Promise<number>;
  /** The move journal this shard holds (null: none). */
  readMoveJournal?(): Promise<string | null>;
  /** Compare-and-set of the move journal: stores `text` (null: removes it) only if the stored one is still `expect`. */
  writeMoveJournal?(expect: string | null, text: string | null): Promise<boolean>;
  /** This shard's fence (null: none set; it serves every bucket). */
  readBucketFence?(): Promise<BucketFenceSetting | null>;
  /**
   * Sets this shard's fence: from now on it serves only the buckets the fence's ranges give it and takes no write
   * to a frozen one. Resolves once every call admitted under the old fence that the new one would hold or refuse
   * has ended.
   */
  setBucketFence?(fence: BucketFenceSetting): Promise<void>;
}

/** Redis cache settings: one node by URL, or a Cluster by its seed nodes. */
export type RedisConfig = {
  /** Prefix of every cache key (default "kvetch:"); tests use their own. */
  keyPrefix?: string;
  /** Edge and index lists longer than this are cached as their first `listCap` rows (default 100). */
  listCap?: number;
  /** Seconds a cached value lives (default 3600). */
  ttlSeconds?: number;
  /**
   * The cache's circuit breaker (spec/kvetch-storage.md §7.4): after `failureThreshold` round trips Redis did not
   * answer, the cache is bypassed and probed every `probeIntervalMs` (defaults 3 and 1000); false for none.
   */
  breaker?: BreakerOptions | false;
} & ({ url: string } | { cluster: readonly string[] });

/** What `new Kvetch({ backend })` takes: made by memoryBackend, mysqlBackend, or your own code. */
export interface KvetchBackend {
  /** Names the kind of backend ("memory", "mysql", or yours). */
  readonly kind: string;
  /** Bucket → shard placement; `shardMap.shards` ShardStores must come back from openShards. */
  readonly shardMap: ShardMap;
  /** Redis cache in front of the shards, or null for none (the store runs the cache, not the backend). */
  readonly redis: RedisConfig | null;
  /**
   * Opens one ShardStore per physical shard (index = shard number) counting its round trips into `counters`.
   * Called once by every `new Kvetch`; `kvetch.close()` closes what it opened.
   */
  openShards(counters: KvetchCounters): ShardStore[];
  /**
   * Whether the first open of a set of fresh shards creates the installation itself (memory: the data lives
   * in the process); otherwise `migrate` does, and an open of fresh shards is refused (TOPOLOGY_MISMATCH).
   */
  readonly initializeOnOpen?: boolean;
  /** The circuit breaker every shard of this backend gets (spec/kvetch-storage.md §9.1); false for none. */
  readonly breaker?: BreakerOptions | false;
}

/** A shard's circuit breaker: open after `failureThreshold` consecutive failures, probe every `probeIntervalMs`. */
export interface BreakerOptions {
  /** Consecutive failures (timeouts, lost connections) that open the breaker (default 3). */
  failureThreshold?: number;
  /** While open, one call every this many ms is let through as a probe (default 1000). */
  probeIntervalMs?: number;
}

/** indexValueHash: the first 16 bytes of SHA-256 over the UTF-8 value key, as 32 hex digits. */
export function indexValueHash(valueKey: string): string {
  return createHash("sha256").update(valueKey, "utf8").digest("hex").slice(0, 32);
}

/** idempotencyKeyHash: the first 16 bytes of SHA-256 over `<typeId>:<key>`, as 32 hex digits. */
export function idempotencyKeyHash(typeId: number, key: string): string {
  return createHash("sha256").update(`${typeId}:${key}`, "utf8").digest("hex").slice(0, 32);
}

/** Order of canonical ids and hex hashes; equals the byte order MySQL uses for BINARY columns. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
