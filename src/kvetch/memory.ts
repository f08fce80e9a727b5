// The memory backend: the embedded default, with the same contract as MySQL — same shard grouping, one
// counted round trip per ShardStore call (optionally delayed by `latencyMs`), JSON text in and out so no
// caller can reach stored data. A stored row object is never changed (a write stores a new one), so the
// object, edge-range and index-range reads hand out the stored rows themselves, a flat body kept decoded
// beside its text; never skips the round-trip count.

import { setTimeout as sleep } from "node:timers/promises";
import { compareText, flatDataOf } from "./backend.js";
import type { IdempotencyKeyRow, RepairEntry, EdgeKey, EdgeRange, EdgeRow, IndexKey, IndexRange, IndexRow, IndexScanKey } from "./backend.js";
import type { KvetchBackend, KvetchCounters, ObjectRow, RedisConfig, ShardStats, ShardStore } from "./backend.js";
import { KvetchError } from "./errors.js";
import { ShardMap } from "./shard.js";
import type { BucketRange } from "./shard.js";
import { SortedList } from "./sortedList.js";
import { fenceMemoryShards } from "./memoryMove.js";
import { memoryUniqueClaims, type MemoryClaims } from "./uniqueMemory.js";
import type { ShardIdentity, ShardTopology, TopologyMap } from "./topology.js";
import { joinMemoryTopology, readMemoryTopology, writeMemoryTopology } from "./topologyMemory.js";
import type { MemoryTopology } from "./topologyMemory.js";
import { withMemorySchemaLock } from "./schemaLockMemory.js";

export interface MemoryBackendOptions {
  /**
   * Physical shards: a count of new empty shards (default 1), or shards made by memoryShards — the same
   * objects given to another memoryBackend open the same data, like the same databases under other URLs.
   */
  shards?: number | readonly MemoryShard[];
  /** Logical buckets (default 1024). */
  buckets?: number;
  /** Bucket ranges → shard (default: equal contiguous ranges). */
  ranges?: readonly BucketRange[];
  /** Every round trip waits this long on a timer (default 0: the next macrotask). */
  latencyMs?: number;
  /** Optional Redis cache in front of the memory shards. */
  redis?: RedisConfig;
}

/** One in-memory shard's data (opaque): made by memoryShards, opened by memoryBackend({ shards }). */
export interface MemoryShard {
  readonly kind: "memory shard";
}

interface ShardData extends MemoryShard {
  topology: MemoryTopology;
  objects: Map<string, ObjectRow>;
  edges: Map<number, Map<string, SortedList<EdgeRow>>>; // edgeId → fromId → the edge list (no key string built per read)
  edgeCounts: Map<string, number>;
  index: Map<string, SortedList<IndexRow>>; // key: `${indexId}/${valueHash}`
  repairQueue: Map<string, RepairEntry>; // key: `${id}/${seq}`
  keys: Map<string, string>; // idempotency key hash → object id
  claims: MemoryClaims; // unique claims (uniqueMemory.ts)
}

/** memoryBackend: in-process shards; Kvetch instances given the same backend object share the data. */
export function memoryBackend(options: MemoryBackendOptions = {}): KvetchBackend {
  const data = shardsOf(options.shards);
  const shardCount = data.length;
  const shardMap = new ShardMap({ shards: shardCount, buckets: options.buckets, ranges: options.ranges });
  const latencyMs = options.latencyMs ?? 0;
  if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) {
    throw new KvetchError("BAD_CONFIG", `memoryBackend latencyMs must be a finite number >= 0, got ${latencyMs}`);
  }
  return {
    kind: "memory",
    shardMap,
    initializeOnOpen: true,
    redis: options.redis ?? null,
    openShards(counters: KvetchCounters): ShardStore[] {
      // Each shard behind its fence, able to move buckets (memoryMove.ts).
      const stores = data.map((shardData, shard) => withMemorySchemaLock(new MemoryShardStore(shard, shardData, latencyMs, counters), shardData, counters));
      return fenceMemoryShards(stores, data, counters, shardMap);
    },
  };
}

/** Every ShardData memoryShards made: memoryBackend accepts only these. */
const madeShards = new WeakSet<object>();

/** memoryShards: `count` new empty in-memory shards, to open with memoryBackend({ shards }) (in any order). */
export function memoryShards(count: number): MemoryShard[] {
  if (!Number.isInteger(count) || count < 1 || count > 65535) {
    throw new KvetchError("BAD_CONFIG", `memoryShards count must be an integer from 1 to 65535, got ${count}`);
  }
  const shards: ShardData[] = [];
  for (let s = 0; s < count; s++) {
    const topology: MemoryTopology = { identity: null, map: null };
    shards.push({ kind: "memory shard", topology, objects: new Map(), edges: new Map(), edgeCounts: new Map(), index: new Map(), repairQueue: new Map(), keys: new Map(), claims: new Map() });
    madeShards.add(shards[s]!);
  }
  return shards;
}

function shardsOf(shards: number | readonly MemoryShard[] | undefined): ShardData[] {
  if (shards === undefined || typeof shards === "number") {
    if (shards !== undefined && (!Number.isInteger(shards) || shards < 1 || shards > 65535)) {
      throw new KvetchError("BAD_CONFIG", `shard count must be an integer from 1 to 65535, got ${shards}`);
    }
    return memoryShards(shards ?? 1) as ShardData[];
  }
  if (!Array.isArray(shards) || shards.length === 0) {
    throw new KvetchError("BAD_CONFIG", `memoryBackend shards must be a count or a non-empty list of memoryShards(...) shards`);
  }
  for (let i = 0; i < shards.length; i++) {
    if (!madeShards.has(shards[i] as object)) throw new KvetchError("BAD_CONFIG", `memoryBackend shards[${i}] was not made by memoryShards(...)`);
    if (shards.indexOf(shards[i]!) !== i) throw new KvetchError("BAD_CONFIG", `memoryBackend shards[${i}] repeats shards[${shards.indexOf(shards[i]!)}]; each shard is listed once`);
  }
  return shards as ShardData[];
}

const toIdOf = (row: EdgeRow): string => row.toId;

/**
 * The rows as this backend stores them: copies of their own (never the caller's object), built field by field
 * so every stored row of a kind has one shape, carrying a flat body decoded as FlatData so reads copy that
 * instead of parsing the text (spec/kvetch-storage.md §9).
 */
function storedObject(row: ObjectRow): ObjectRow {
  const { id, typeId, version, created, updated, body } = row;
  return { id, typeId, version, created, updated, body, flatData: flatDataOf(body) };
}

function storedEdge(row: EdgeRow): EdgeRow {
  const { edgeId, fromId, toId, seq, created, body } = row;
  return { edgeId, fromId, toId, seq, created, body, flatData: flatDataOf(body) };
}

const targetIdOf = (row: IndexRow): string => row.targetId;

class MemoryShardStore implements ShardStore {
  readonly label: string;

  constructor(
    readonly shard: number,
    private readonly data: ShardData,
    private readonly latencyMs: number,
    private readonly counters: KvetchCounters,
  ) {
    this.label = `shard ${shard} (memory)`;
    // Unique claims (uniqueMemory.ts): one counted round trip each, like every other call.
    Object.assign(this, memoryUniqueClaims(data.claims, () => this.roundTrip(), counters));
  }

  /** One simulated round trip: counted, then a timer (or the next macrotask) before the shard "answers". */
  private roundTrip(): Promise<void> {
    this.counters.shardQueries[this.shard]!++;
    if (this.latencyMs > 0) return sleep(this.latencyMs);
    return new Promise<void>((resolve) => setImmediate(resolve));
  }

  async migrate(): Promise<void> {
    await this.roundTrip();
  }

  readObjects(ids: readonly string[]): Promise<ObjectRow[]> {
    // One promise over the round trip's: reads are the hot path.
    return this.roundTrip().then(() => this.readObjectsNow(ids));
  }

  private readObjectsNow(ids: readonly string[]): ObjectRow[] {
    // Sized for every id and cut to the rows found: no growth steps for a batch of thousands.
    const out = new Array<ObjectRow>(ids.length);
    let found = 0;
    for (let i = 0; i < ids.length; i++) {
      const row = this.data.objects.get(ids[i]!);
      if (row) out[found++] = row;
    }
    out.length = found;
    this.counters.rowsFetched += found;
    return out;
  }

  async insertObjects(rows: readonly ObjectRow[]): Promise<void> {
    await this.roundTrip();
    for (let i = 0; i < rows.length; i++) {
      if (this.data.objects.has(rows[i]!.id)) {
        throw new KvetchError("CONFLICT", `${this.label}: an object with id ${rows[i]!.id} already exists`);
      }
    }
    for (let i = 0; i < rows.length; i++) this.data.objects.set(rows[i]!.id, storedObject(rows[i]!));
  }

  async replaceObjects(changes: readonly { row: ObjectRow; expectVersion: number }[]): Promise<boolean[]> {
    await this.roundTrip();
    const done = new Array<boolean>(changes.length);
    for (let i = 0; i < changes.length; i++) {
      const { row, expectVersion } = changes[i]!;
      const current = this.data.objects.get(row.id);
      done[i] = current !== undefined && current.version === expectVersion;
      if (done[i]) this.data.objects.set(row.id, storedObject(row));
    }
    return done;
  }

  async removeObjects(keys: readonly { id: string; expectVersion: number }[]): Promise<boolean[]> {
    await this.roundTrip();
    const done = new Array<boolean>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const current = this.data.objects.get(keys[i]!.id);
      done[i] = current !== undefined && current.version === keys[i]!.expectVersion;
      if (done[i]) this.data.objects.delete(keys[i]!.id);
    }
    return done;
  }

  readEdgeRanges(edgeId: number, ranges: readonly EdgeRange[]): Promise<EdgeRow[][]> {
    return this.roundTrip().then(() => this.readEdgeRangesNow(edgeId, ranges));
  }

  private readEdgeRangesNow(edgeId: number, ranges: readonly EdgeRange[]): EdgeRow[][] {
    const out: EdgeRow[][] = new Array(ranges.length);
    const lists = this.data.edges.get(edgeId);
    let fetched = 0;
    for (let i = 0; i < ranges.length; i++) {
      const { fromId, after, limit } = ranges[i]!;
      const list = lists === undefined ? undefined : lists.get(fromId);
      if (list === undefined) {
        out[i] = [];
        continue;
      }
      const start = list.firstAfter(after);
      const end = limit === null ? list.rows.length : Math.min(list.rows.length, start + limit);
      const rows = new Array<EdgeRow>(Math.max(0, end - start));
      for (let r = start; r < end; r++) rows[r - start] = list.rows[r]!;
      fetched += rows.length;
      out[i] = rows;
    }
    this.counters.rowsFetched += fetched;
    return out;
  }

  readEdgeCounts(edgeId: number, fromIds: readonly string[]): Promise<number[]> {
    return this.roundTrip().then(() => this.readEdgeCountsNow(edgeId, fromIds));
  }

  private readEdgeCountsNow(edgeId: number, fromIds: readonly string[]): number[] {
    const out = new Array<number>(fromIds.length);
    for (let i = 0; i < fromIds.length; i++) out[i] = this.data.edgeCounts.get(`${edgeId}/${fromIds[i]}`) ?? 0;
    this.counters.rowsFetched += fromIds.length;
    return out;
  }

  async writeEdges(rows: readonly EdgeRow[], replaceData: boolean): Promise<number> {
    await this.roundTrip();
    let inserted = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const key = `${row.edgeId}/${row.fromId}`;
      let lists = this.data.edges.get(row.edgeId);
      if (lists === undefined) this.data.edges.set(row.edgeId, (lists = new Map()));
      let list = lists.get(row.fromId);
      if (!list) {
        list = new SortedList(toIdOf);
        lists.set(row.fromId, list);
      }
      const present = list.get(row.toId);
      if (present) {
        if (replaceData) list.replace(storedEdge({ ...present, body: row.body }));
        continue;
      }
      list.insert(storedEdge(row));
      this.data.edgeCounts.set(key, (this.data.edgeCounts.get(key) ?? 0) + 1);
      inserted++;
    }
    return inserted;
  }

  async removeEdges(keys: readonly EdgeKey[]): Promise<number> {
    await this.roundTrip();
    let removed = 0;
    for (let i = 0; i < keys.length; i++) {
      const { edgeId, fromId, toId } = keys[i]!;
      const key = `${edgeId}/${fromId}`;
      const lists = this.data.edges.get(edgeId);
      const list = lists?.get(fromId);
      if (!lists || !list || !list.remove(toId)) continue;
      if (list.rows.length === 0) lists.delete(fromId);
      this.data.edgeCounts.set(key, (this.data.edgeCounts.get(key) ?? 0) - 1);
      removed++;
    }
    return removed;
  }

  readIndexRanges(indexId: number, ranges: readonly IndexRange[]): Promise<IndexRow[][]> {
    return this.roundTrip().then(() => this.readIndexRangesNow(indexId, ranges));
  }

  private readIndexRangesNow(indexId: number, ranges: readonly IndexRange[]): IndexRow[][] {
    const out: IndexRow[][] = new Array(ranges.length);
    let fetched = 0;
    for (let i = 0; i < ranges.length; i++) {
      const { valueHash, valueKey, after, limit } = ranges[i]!;
      const list = this.data.index.get(`${indexId}/${valueHash}`);
      const rows: IndexRow[] = [];
      if (list) {
        let r = list.firstAfter(after);
        for (; r < list.rows.length && (limit === null || rows.length < limit); r++) {
          const row = list.rows[r]!;
          if (row.valueKey === valueKey) rows.push(row);
        }
      }
      fetched += rows.length;
      out[i] = rows;
    }
    this.counters.rowsFetched += fetched;
    return out;
  }

  async writeIndexEntries(rows: readonly IndexRow[]): Promise<number> {
    await this.roundTrip();
    let inserted = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const key = `${row.indexId}/${row.valueHash}`;
      let list = this.data.index.get(key);
      if (!list) {
        list = new SortedList(targetIdOf);
        this.data.index.set(key, list);
      }
      if (list.insert({ ...row })) inserted++;
    }
    return inserted;
  }

  async removeIndexEntries(keys: readonly IndexKey[]): Promise<number> {
    await this.roundTrip();
    let removed = 0;
    for (let i = 0; i < keys.length; i++) {
      const { indexId, valueHash, targetId } = keys[i]!;
      const key = `${indexId}/${valueHash}`;
      const list = this.data.index.get(key);
      if (!list || !list.remove(targetId)) continue;
      if (list.rows.length === 0) this.data.index.delete(key);
      removed++;
    }
    return removed;
  }

  async scanObjects(afterId: string | null, limit: number): Promise<ObjectRow[]> {
    await this.roundTrip();
    const ids = [...this.data.objects.keys()].sort(compareText);
    const out: ObjectRow[] = [];
    for (let i = 0; i < ids.length && out.length < limit; i++) {
      if (afterId === null || ids[i]! > afterId) out.push({ ...this.data.objects.get(ids[i]!)! });
    }
    this.counters.rowsFetched += out.length;
    return out;
  }

  async scanEdges(edgeIds: readonly number[], after: EdgeKey | null, limit: number): Promise<EdgeRow[]> {
    await this.roundTrip();
    const all: EdgeRow[] = [];
    for (const [edgeId, lists] of this.data.edges) {
      if (edgeIds.includes(edgeId)) for (const list of lists.values()) for (const row of list.rows) all.push(row);
    }
    all.sort(scanEdgeOrder);
    const out: EdgeRow[] = [];
    for (let i = 0; i < all.length && out.length < limit; i++) {
      if (after === null || scanEdgeOrder(all[i]!, after) > 0) out.push({ ...all[i]! });
    }
    this.counters.rowsFetched += out.length;
    return out;
  }

  async scanIndexEntries(after: IndexScanKey | null, limit: number): Promise<IndexRow[]> {
    await this.roundTrip();
    const all: IndexRow[] = [];
    for (const list of this.data.index.values()) for (const row of list.rows) all.push(row);
    all.sort(scanIndexOrder);
    const out: IndexRow[] = [];
    for (let i = 0; i < all.length && out.length < limit; i++) {
      if (after === null || scanIndexOrder(all[i]!, after) > 0) out.push({ ...all[i]! });
    }
    this.counters.rowsFetched += out.length;
    return out;
  }

  async stats(): Promise<ShardStats> {
    await this.roundTrip();
    let edges = 0;
    for (const lists of this.data.edges.values()) for (const list of lists.values()) edges += list.rows.length;
    let indexEntries = 0;
    for (const list of this.data.index.values()) indexEntries += list.rows.length;
    return { shard: this.shard, label: this.label, objects: this.data.objects.size, edges, indexEntries };
  }

  async close(): Promise<void> {}

  // ---- topology (spec/kvetch-storage.md §2.2; topologyMemory.ts)
  async readTopology(): Promise<ShardTopology> {
    await this.roundTrip();
    return readMemoryTopology(this.data.topology, this.label);
  }
  async joinTopology(identity: ShardIdentity): Promise<ShardIdentity> {
    await this.roundTrip();
    return joinMemoryTopology(this.data.topology, identity);
  }
  async writeTopology(map: TopologyMap, expectVersion: number): Promise<TopologyMap> {
    await this.roundTrip();
    return writeMemoryTopology(this.data.topology, this.label, map, expectVersion);
  }

  async ping(): Promise<void> {
    await this.roundTrip();
  }

  async queueRepairs(entries: readonly RepairEntry[]): Promise<void> {
    await this.roundTrip();
    for (const entry of entries) {
      const key = `${entry.id}/${entry.seq}`;
      if (!this.data.repairQueue.has(key)) this.data.repairQueue.set(key, { ...entry });
    }
  }

  async readRepairQueue(after: { id: string; seq: number } | null, limit: number): Promise<RepairEntry[]> {
    await this.roundTrip();
    const order = (a: { id: string; seq: number }, b: { id: string; seq: number }): number => compareText(a.id, b.id) || a.seq - b.seq;
    const all = [...this.data.repairQueue.values()].filter((entry) => after === null || order(entry, after) > 0).sort(order);
    const out = all.slice(0, limit).map((entry) => ({ ...entry }));
    this.counters.rowsFetched += out.length;
    return out;
  }

  async removeRepairs(keys: readonly { id: string; seq: number }[]): Promise<number> {
    await this.roundTrip();
    let removed = 0;
    for (const key of keys) if (this.data.repairQueue.delete(`${key.id}/${key.seq}`)) removed++;
    return removed;
  }

  async reserveKeys(rows: readonly IdempotencyKeyRow[]): Promise<string[]> {
    await this.roundTrip();
    const out = new Array<string>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const { keyHash, id } = rows[i]!;
      if (!this.data.keys.has(keyHash)) this.data.keys.set(keyHash, id);
      out[i] = this.data.keys.get(keyHash)!;
    }
    this.counters.rowsFetched += rows.length;
    return out;
  }
}

function scanEdgeOrder(a: EdgeKey, b: EdgeKey): number {
  return compareText(a.fromId, b.fromId) || a.edgeId - b.edgeId || compareText(a.toId, b.toId);
}

function scanIndexOrder(a: IndexScanKey, b: IndexScanKey): number {
  return a.indexId - b.indexId || compareText(a.valueHash, b.valueHash) || compareText(a.targetId, b.targetId);
}
