// A third Kvetch backend, written the way a user would: plain Maps per shard, implemented only against the
// public exports of graphscale/kvetch (src/kvetch/index.ts). It proves the backend contract is complete;
// it must never import anything internal to the store.

import { ShardMap } from "../../src/kvetch/index.js";
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
  ListPosition,
  ObjectRow,
  ShardStats,
  ShardStore,
} from "../../src/kvetch/index.js";

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** (seq, id) order of every list; rows strictly after `after`. */
function afterPosition(seq: number, id: string, after: ListPosition | null): boolean {
  return after === null || seq > after.seq || (seq === after.seq && id > after.id);
}

interface MapShard {
  objects: Map<string, ObjectRow>;
  edges: Map<string, EdgeRow>; // `${edgeId}/${fromId}/${toId}`
  counts: Map<string, number>; // `${edgeId}/${fromId}`
  index: Map<string, IndexRow>; // `${indexId}/${valueHash}/${targetId}`
}

class MapShardStore implements ShardStore {
  readonly label: string;

  constructor(
    readonly shard: number,
    private readonly data: MapShard,
    private readonly counters: KvetchCounters,
  ) {
    this.label = `map shard ${shard}`;
  }

  private trip(rows = 0): void {
    this.counters.shardQueries[this.shard]!++;
    this.counters.rowsFetched += rows;
  }

  async migrate(): Promise<void> {
    this.trip();
  }

  async readObjects(ids: readonly string[]): Promise<ObjectRow[]> {
    const out: ObjectRow[] = [];
    // Answered in id order, as MySQL answers `id IN (...)` by primary key: not the order asked.
    for (const id of [...ids].sort(byText)) {
      const row = this.data.objects.get(id);
      if (row) out.push({ ...row });
    }
    this.trip(out.length);
    return out;
  }

  async insertObjects(rows: readonly ObjectRow[]): Promise<void> {
    this.trip();
    if (rows.some((row) => this.data.objects.has(row.id))) throw new Error(`${this.label}: an object id already exists`);
    for (const row of rows) this.data.objects.set(row.id, { ...row });
  }

  async replaceObjects(changes: readonly { row: ObjectRow; expectVersion: number }[]): Promise<boolean[]> {
    this.trip();
    return changes.map(({ row, expectVersion }) => {
      if (this.data.objects.get(row.id)?.version !== expectVersion) return false;
      this.data.objects.set(row.id, { ...row });
      return true;
    });
  }

  async removeObjects(keys: readonly { id: string; expectVersion: number }[]): Promise<boolean[]> {
    this.trip();
    return keys.map(({ id, expectVersion }) => this.data.objects.get(id)?.version === expectVersion && this.data.objects.delete(id));
  }

  async readEdgeRanges(edgeId: number, ranges: readonly EdgeRange[]): Promise<EdgeRow[][]> {
    const out = ranges.map(({ fromId, after, limit }) => {
      const rows = [...this.data.edges.values()]
        .filter((row) => row.edgeId === edgeId && row.fromId === fromId && afterPosition(row.seq, row.toId, after))
        .sort((a, b) => a.seq - b.seq || byText(a.toId, b.toId));
      return (limit === null ? rows : rows.slice(0, limit)).map((row) => ({ ...row }));
    });
    this.trip(out.reduce((n, rows) => n + rows.length, 0));
    return out;
  }

  async readEdgeCounts(edgeId: number, fromIds: readonly string[]): Promise<number[]> {
    this.trip(fromIds.length);
    return fromIds.map((fromId) => this.data.counts.get(`${edgeId}/${fromId}`) ?? 0);
  }

  async writeEdges(rows: readonly EdgeRow[], replaceData: boolean): Promise<number> {
    this.trip();
    let inserted = 0;
    for (const row of rows) {
      const key = `${row.edgeId}/${row.fromId}/${row.toId}`;
      const present = this.data.edges.get(key);
      if (present) {
        if (replaceData) present.body = row.body;
        continue;
      }
      this.data.edges.set(key, { ...row });
      const countKey = `${row.edgeId}/${row.fromId}`;
      this.data.counts.set(countKey, (this.data.counts.get(countKey) ?? 0) + 1);
      inserted++;
    }
    return inserted;
  }

  async removeEdges(keys: readonly EdgeKey[]): Promise<number> {
    this.trip();
    let removed = 0;
    for (const { edgeId, fromId, toId } of keys) {
      if (!this.data.edges.delete(`${edgeId}/${fromId}/${toId}`)) continue;
      this.data.counts.set(`${edgeId}/${fromId}`, (this.data.counts.get(`${edgeId}/${fromId}`) ?? 0) - 1);
      removed++;
    }
    return removed;
  }

  async readIndexRanges(indexId: number, ranges: readonly IndexRange[]): Promise<IndexRow[][]> {
    const out = ranges.map(({ valueKey, valueHash, after, limit }) => {
      const rows = [...this.data.index.values()]
        .filter((row) => row.indexId === indexId && row.valueHash === valueHash && row.valueKey === valueKey)
        .filter((row) => afterPosition(row.seq, row.targetId, after))
        .sort((a, b) => a.seq - b.seq || byText(a.targetId, b.targetId));
      return (limit === null ? rows : rows.slice(0, limit)).map((row) => ({ ...row }));
    });
    this.trip(out.reduce((n, rows) => n + rows.length, 0));
    return out;
  }

  async writeIndexEntries(rows: readonly IndexRow[]): Promise<number> {
    this.trip();
    let inserted = 0;
    for (const row of rows) {
      const key = `${row.indexId}/${row.valueHash}/${row.targetId}`;
      if (this.data.index.has(key)) continue;
      this.data.index.set(key, { ...row });
      inserted++;
    }
    return inserted;
  }

  async removeIndexEntries(keys: readonly IndexKey[]): Promise<number> {
    this.trip();
    let removed = 0;
    for (const { indexId, valueHash, targetId } of keys) if (this.data.index.delete(`${indexId}/${valueHash}/${targetId}`)) removed++;
    return removed;
  }

  async scanObjects(afterId: string | null, limit: number): Promise<ObjectRow[]> {
    const rows = [...this.data.objects.values()]
      .filter((row) => afterId === null || row.id > afterId)
      .sort((a, b) => byText(a.id, b.id))
      .slice(0, limit)
      .map((row) => ({ ...row }));
    this.trip(rows.length);
    return rows;
  }

  async scanEdges(edgeIds: readonly number[], after: EdgeKey | null, limit: number): Promise<EdgeRow[]> {
    const order = (a: EdgeKey, b: EdgeKey): number => byText(a.fromId, b.fromId) || a.edgeId - b.edgeId || byText(a.toId, b.toId);
    const rows = [...this.data.edges.values()]
      .filter((row) => edgeIds.includes(row.edgeId) && (after === null || order(row, after) > 0))
      .sort(order)
      .slice(0, limit)
      .map((row) => ({ ...row }));
    this.trip(rows.length);
    return rows;
  }

  async scanIndexEntries(after: IndexScanKey | null, limit: number): Promise<IndexRow[]> {
    const order = (a: IndexScanKey, b: IndexScanKey): number =>
      a.indexId - b.indexId || byText(a.valueHash, b.valueHash) || byText(a.targetId, b.targetId);
    const rows = [...this.data.index.values()]
      .filter((row) => after === null || order(row, after) > 0)
      .sort(order)
      .slice(0, limit)
      .map((row) => ({ ...row }));
    this.trip(rows.length);
    return rows;
  }

  async stats(): Promise<ShardStats> {
    this.trip();
    return { shard: this.shard, label: this.label, objects: this.data.objects.size, edges: this.data.edges.size, indexEntries: this.data.index.size };
  }

  async close(): Promise<void> {}
}

/** mapBackend: `shards` shards of plain Maps; Kvetch instances over one backend object share them. */
export function mapBackend(shards: number): KvetchBackend {
  const data: MapShard[] = [];
  for (let s = 0; s < shards; s++) data.push({ objects: new Map(), edges: new Map(), counts: new Map(), index: new Map() });
  return {
    kind: "map",
    shardMap: new ShardMap({ shards }),
    redis: null,
    openShards: (counters) => data.map((shard, i) => new MapShardStore(i, shard, counters)),
  };
}
