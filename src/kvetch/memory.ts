// The memory backend: the embedded default, with the same contract as MySQL — same shard grouping, one
// counted round trip per ShardStore call (optionally delayed by `latencyMs`), JSON text in and out so no
// caller can reach stored state. Never shares a row object with a caller; never skips the round-trip count.

import { setTimeout as sleep } from "node:timers/promises";
import { compareText } from "./backend.js";
import type {
  EdgeKey,
  EdgeRange,
  EdgeRow,
  IndexKey,
  IndexRange,
  IndexRow,
  IndexScanKey,
  KvetchBackend,
  KvetchCounters,
  ObjectRow,
  RedisConfig,
  ShardStats,
  ShardStore,
} from "./backend.js";
import { comparePosition } from "./cursor.js";
import type { Position } from "./cursor.js";
import { KvetchError } from "./errors.js";
import { ShardMap } from "./shard.js";
import type { BucketRange } from "./shard.js";

export interface MemoryBackendOptions {
  /** Physical shards (default 1). */
  shards?: number;
  /** Logical buckets (default 1024). */
  buckets?: number;
  /** Bucket ranges → shard (default: equal contiguous ranges). */
  ranges?: readonly BucketRange[];
  /** Every round trip waits this long on a timer (default 0: the next macrotask). */
  latencyMs?: number;
  /** Optional Redis cache in front of the memory shards. */
  redis?: RedisConfig;
}

/** A sorted list of rows with a lookup by member id: the memory form of an edge list or index list. */
interface RowList<Row> {
  rows: Row[];
  byId: Map<string, Row>;
}

interface ShardData {
  objects: Map<string, ObjectRow>;
  edges: Map<string, RowList<EdgeRow>>; // key: `${edgeId}/${fromId}`
  edgeCounts: Map<string, number>;
  index: Map<string, RowList<IndexRow>>; // key: `${indexId}/${valueHash}`
}

/** memoryBackend: in-process shards; Kvetch instances given the same backend object share the data. */
export function memoryBackend(options: MemoryBackendOptions = {}): KvetchBackend {
  const shardCount = options.shards ?? 1;
  const shardMap = new ShardMap({ shards: shardCount, buckets: options.buckets, ranges: options.ranges });
  const latencyMs = options.latencyMs ?? 0;
  if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) {
    throw new KvetchError("BAD_CONFIG", `memoryBackend latencyMs must be a finite number >= 0, got ${latencyMs}`);
  }
  const data: ShardData[] = [];
  for (let s = 0; s < shardCount; s++) {
    data.push({ objects: new Map(), edges: new Map(), edgeCounts: new Map(), index: new Map() });
  }
  return {
    kind: "memory",
    shardMap,
    redis: options.redis ?? null,
    openShards(counters: KvetchCounters): ShardStore[] {
      return data.map((shardData, shard) => new MemoryShardStore(shard, shardData, latencyMs, counters));
    },
  };
}

function edgeOrder(a: EdgeRow, b: EdgeRow): number {
  return comparePosition(a.seq, a.toId, b.seq, b.toId);
}

function indexOrder(a: IndexRow, b: IndexRow): number {
  return comparePosition(a.seq, a.targetId, b.seq, b.targetId);
}

/** Index of the first row strictly after `after` in a (seq, id)-sorted list. */
function firstAfter<Row extends { seq: number }>(rows: Row[], after: Position | null, idOf: (row: Row) => string): number {
  if (after === null) return 0;
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const row = rows[mid]!;
    if (comparePosition(row.seq, idOf(row), after.seq, after.id) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

function insertSorted<Row>(rows: Row[], row: Row, order: (a: Row, b: Row) => number): void {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (order(rows[mid]!, row) < 0) low = mid + 1;
    else high = mid;
  }
  rows.splice(low, 0, row);
}

function removeSorted<Row>(rows: Row[], row: Row, order: (a: Row, b: Row) => number): void {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (order(rows[mid]!, row) < 0) low = mid + 1;
    else high = mid;
  }
  if (rows[low] === row) rows.splice(low, 1);
}

const toIdOf = (row: EdgeRow): string => row.toId;
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
  }

  /** One simulated round trip: counted, then a timer (or the next macrotask) before the shard "answers". */
  private async roundTrip(): Promise<void> {
    this.counters.shardQueries[this.shard]!++;
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }

  async migrate(): Promise<void> {
    await this.roundTrip();
  }

  async readObjects(ids: readonly string[]): Promise<ObjectRow[]> {
    await this.roundTrip();
    const out: ObjectRow[] = [];
    for (let i = 0; i < ids.length; i++) {
      const row = this.data.objects.get(ids[i]!);
      if (row) out.push({ ...row });
    }
    this.counters.rowsFetched += out.length;
    return out;
  }

  async insertObjects(rows: readonly ObjectRow[]): Promise<void> {
    await this.roundTrip();
    for (let i = 0; i < rows.length; i++) {
      if (this.data.objects.has(rows[i]!.id)) {
        throw new KvetchError("CONFLICT", `${this.label}: an object with id ${rows[i]!.id} already exists`);
      }
    }
    for (let i = 0; i < rows.length; i++) this.data.objects.set(rows[i]!.id, { ...rows[i]! });
  }

  async replaceObjects(changes: readonly { row: ObjectRow; expectVersion: number }[]): Promise<boolean[]> {
    await this.roundTrip();
    const done = new Array<boolean>(changes.length);
    for (let i = 0; i < changes.length; i++) {
      const { row, expectVersion } = changes[i]!;
      const current = this.data.objects.get(row.id);
      done[i] = current !== undefined && current.version === expectVersion;
      if (done[i]) this.data.objects.set(row.id, { ...row });
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

  async readEdgeRanges(edgeId: number, ranges: readonly EdgeRange[]): Promise<EdgeRow[][]> {
    await this.roundTrip();
    const out: EdgeRow[][] = new Array(ranges.length);
    let fetched = 0;
    for (let i = 0; i < ranges.length; i++) {
      const { fromId, after, limit } = ranges[i]!;
      const list = this.data.edges.get(`${edgeId}/${fromId}`);
      const rows: EdgeRow[] = [];
      if (list) {
        const start = firstAfter(list.rows, after, toIdOf);
        const end = limit === null ? list.rows.length : Math.min(list.rows.length, start + limit);
        for (let r = start; r < end; r++) rows.push({ ...list.rows[r]! });
      }
      fetched += rows.length;
      out[i] = rows;
    }
    this.counters.rowsFetched += fetched;
    return out;
  }

  async readEdgeCounts(edgeId: number, fromIds: readonly string[]): Promise<number[]> {
    await this.roundTrip();
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
      let list = this.data.edges.get(key);
      if (!list) {
        list = { rows: [], byId: new Map() };
        this.data.edges.set(key, list);
      }
      const present = list.byId.get(row.toId);
      if (present) {
        if (replaceData) present.body = row.body;
        continue;
      }
      const copy = { ...row };
      list.byId.set(row.toId, copy);
      insertSorted(list.rows, copy, edgeOrder);
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
      const list = this.data.edges.get(key);
      const present = list?.byId.get(toId);
      if (!list || !present) continue;
      list.byId.delete(toId);
      removeSorted(list.rows, present, edgeOrder);
      if (list.rows.length === 0) this.data.edges.delete(key);
      this.data.edgeCounts.set(key, (this.data.edgeCounts.get(key) ?? 0) - 1);
      removed++;
    }
    return removed;
  }

  async readIndexRanges(indexId: number, ranges: readonly IndexRange[]): Promise<IndexRow[][]> {
    await this.roundTrip();
    const out: IndexRow[][] = new Array(ranges.length);
    let fetched = 0;
    for (let i = 0; i < ranges.length; i++) {
      const { valueHash, valueKey, after, limit } = ranges[i]!;
      const list = this.data.index.get(`${indexId}/${valueHash}`);
      const rows: IndexRow[] = [];
      if (list) {
        let r = firstAfter(list.rows, after, targetIdOf);
        for (; r < list.rows.length && (limit === null || rows.length < limit); r++) {
          const row = list.rows[r]!;
          if (row.valueKey === valueKey) rows.push({ ...row });
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
        list = { rows: [], byId: new Map() };
        this.data.index.set(key, list);
      }
      if (list.byId.has(row.targetId)) continue;
      const copy = { ...row };
      list.byId.set(row.targetId, copy);
      insertSorted(list.rows, copy, indexOrder);
      inserted++;
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
      const present = list?.byId.get(targetId);
      if (!list || !present) continue;
      list.byId.delete(targetId);
      removeSorted(list.rows, present, indexOrder);
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
    for (const list of this.data.edges.values()) {
      const first = list.rows[0];
      if (first && edgeIds.includes(first.edgeId)) for (const row of list.rows) all.push(row);
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
    for (const list of this.data.edges.values()) edges += list.rows.length;
    let indexEntries = 0;
    for (const list of this.data.index.values()) indexEntries += list.rows.length;
    return { shard: this.shard, label: this.label, objects: this.data.objects.size, edges, indexEntries };
  }

  async close(): Promise<void> {}
}

function scanEdgeOrder(a: EdgeKey, b: EdgeKey): number {
  return compareText(a.fromId, b.fromId) || a.edgeId - b.edgeId || compareText(a.toId, b.toId);
}

function scanIndexOrder(a: IndexScanKey, b: IndexScanKey): number {
  return a.indexId - b.indexId || compareText(a.valueHash, b.valueHash) || compareText(a.targetId, b.targetId);
}
