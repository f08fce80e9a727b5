// Bucket moves on the memory backend (spec/kvetch-storage.md §11): the bucket scans, exact copies and deletes of
// every table, the move journal and each shard's fence, kept beside the shard's rows so every Kvetch over one
// backend object sees them. Each method is one counted round trip; never changes a row it handed out.

import { compareText, flatDataOf } from "./backend.js";
import type { EdgeRow, IdempotencyKeyRow, IndexRow, KvetchCounters, ObjectRow, RepairEntry, ShardStore, UniqueClaimRow } from "./backend.js";
import { ShardFence } from "./fence.js";
import { FencedShard } from "./fencedShard.js";
import { bucketOfRow, bucketRowKey } from "./moveRows.js";
import type { BucketPage, BucketSet, BucketTable, BucketTableRows, EdgeCountRow, ShardMoves } from "./moveRows.js";
import { SortedList } from "./sortedList.js";
import type { ShardMap } from "./shard.js";

/** The rows of one memory shard, as memory.ts keeps them (the fields a move reads and writes). */
export interface ShardData {
  objects: Map<string, ObjectRow>;
  edges: Map<number, Map<string, SortedList<EdgeRow>>>;
  edgeCounts: Map<string, number>;
  index: Map<string, SortedList<IndexRow>>;
  repairQueue: Map<string, RepairEntry>;
  keys: Map<string, string>;
  /** Unique claims keyed `${indexId}/${valueHash}` (uniqueMemory.ts). */
  claims: Map<string, UniqueClaimRow>;
}

/** What a memory shard keeps for moves: its journal and its fence. */
interface MoveState {
  journal: string | null;
  fence: ShardFence;
}

const moveStateOf = new WeakMap<ShardData, MoveState>();

function moveState(data: ShardData, shard: number, map: ShardMap): MoveState {
  let state = moveStateOf.get(data);
  if (state === undefined) {
    state = { journal: null, fence: new ShardFence(shard, map.buckets) };
    moveStateOf.set(data, state);
  }
  return state;
}

/**
 * fenceMemoryShards: the memory shards of one Kvetch, each behind its shard's fence and able to move buckets;
 * a refused call follows the move to its sibling (FencedShard).
 */
export function fenceMemoryShards(
  stores: readonly ShardStore[],
  data: readonly ShardData[],
  counters: KvetchCounters,
  map: ShardMap,
): FencedShard[] {
  const fenced = stores.map((store, shard) => {
    const state = moveState(data[shard]!, shard, map);
    Object.assign(store, memoryMoves(data[shard]!, state, shard, counters));
    return new FencedShard(store, state.fence, counters);
  });
  for (const shard of fenced) shard.siblings = fenced;
  return fenced;
}

/** Every row of a table on one shard, as the move sees it. */
function* tableRows<T extends BucketTable>(data: ShardData, table: T): Generator<BucketTableRows[T]> {
  type Row = BucketTableRows[T];
  switch (table) {
    case "objects":
      for (const row of data.objects.values()) yield row as Row;
      return;
    case "edges":
      for (const lists of data.edges.values()) for (const list of lists.values()) for (const row of list.rows) yield row as Row;
      return;
    case "edgeCounts":
      for (const [key, n] of data.edgeCounts) {
        const slash = key.indexOf("/");
        yield { edgeId: Number(key.slice(0, slash)), fromId: key.slice(slash + 1), n } as Row;
      }
      return;
    case "indexEntries":
      for (const list of data.index.values()) for (const row of list.rows) yield row as Row;
      return;
    case "uniqueClaims":
      for (const claim of data.claims.values()) yield claim as Row;
      return;
    case "repairQueue":
      for (const entry of data.repairQueue.values()) yield entry as Row;
      return;
    default:
      for (const [keyHash, id] of data.keys) yield { keyHash, id, created: 0 } as Row;
  }
}

function memoryMoves(
  data: ShardData,
  state: MoveState,
  shard: number,
  counters: KvetchCounters,
): ShardMoves {
  const roundTrip = async (): Promise<void> => {
    counters.shardQueries[shard]!++;
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const putRow = <T extends BucketTable>(table: T, row: BucketTableRows[T]): void => {
    switch (table) {
      case "objects": {
        const { id, typeId, version, created, updated, body } = row as ObjectRow;
        data.objects.set(id, { id, typeId, version, created, updated, body, flatData: flatDataOf(body) });
        return;
      }
      case "edges": {
        const { edgeId, fromId, toId, seq, created, body } = row as EdgeRow;
        let lists = data.edges.get(edgeId);
        if (lists === undefined) data.edges.set(edgeId, (lists = new Map()));
        let list = lists.get(fromId);
        if (list === undefined) lists.set(fromId, (list = new SortedList<EdgeRow>((edge) => edge.toId)));
        list.remove(toId);
        list.insert({ edgeId, fromId, toId, seq, created, body, flatData: flatDataOf(body) });
        return;
      }
      case "edgeCounts": {
        const { edgeId, fromId, n } = row as EdgeCountRow;
        data.edgeCounts.set(`${edgeId}/${fromId}`, n);
        return;
      }
      case "indexEntries": {
        const { indexId, valueHash, valueKey, targetId, seq, created } = row as IndexRow;
        const key = `${indexId}/${valueHash}`;
        let list = data.index.get(key);
        if (list === undefined) data.index.set(key, (list = new SortedList<IndexRow>((entry) => entry.targetId)));
        list.remove(targetId);
        list.insert({ indexId, valueHash, valueKey, targetId, seq, created });
        return;
      }
      case "uniqueClaims": {
        const { indexId, valueHash, valueKey, ownerId, version, claimed } = row as UniqueClaimRow;
        data.claims.set(`${indexId}/${valueHash}`, { indexId, valueHash, valueKey, ownerId, version, claimed });
        return;
      }
      case "repairQueue": {
        const { id, seq, body } = row as RepairEntry;
        data.repairQueue.set(`${id}/${seq}`, { id, seq, body });
        return;
      }
      default: {
        const { keyHash, id } = row as IdempotencyKeyRow;
        data.keys.set(keyHash, id);
      }
    }
  };
  const removeRow = <T extends BucketTable>(table: T, row: BucketTableRows[T]): boolean => {
    switch (table) {
      case "objects":
        return data.objects.delete((row as ObjectRow).id);
      case "edges": {
        const { edgeId, fromId, toId } = row as EdgeRow;
        const lists = data.edges.get(edgeId);
        const list = lists?.get(fromId);
        if (!lists || !list || !list.remove(toId)) return false;
        if (list.rows.length === 0) lists.delete(fromId);
        return true;
      }
      case "edgeCounts":
        return data.edgeCounts.delete(`${(row as EdgeCountRow).edgeId}/${(row as EdgeCountRow).fromId}`);
      case "indexEntries": {
        const { indexId, valueHash, targetId } = row as IndexRow;
        const key = `${indexId}/${valueHash}`;
        const list = data.index.get(key);
        if (!list || !list.remove(targetId)) return false;
        if (list.rows.length === 0) data.index.delete(key);
        return true;
      }
      case "uniqueClaims":
        return data.claims.delete(`${(row as UniqueClaimRow).indexId}/${(row as UniqueClaimRow).valueHash}`);
      case "repairQueue":
        return data.repairQueue.delete(`${(row as RepairEntry).id}/${(row as RepairEntry).seq}`);
      default:
        return data.keys.delete((row as IdempotencyKeyRow).keyHash);
    }
  };
  return {
    async scanBucketRows<T extends BucketTable>(table: T, set: BucketSet, after: string | null, limit: number): Promise<BucketPage<T>> {
      await roundTrip();
      const found: { key: string; row: BucketTableRows[T] }[] = [];
      for (const row of tableRows(data, table)) {
        if (set.members[bucketOfRow(table, row, set.buckets)] !== 1) continue;
        const key = bucketRowKey(table, row);
        if (after === null || key > after) found.push({ key, row });
      }
      found.sort((a, b) => compareText(a.key, b.key));
      const page = found.slice(0, limit);
      counters.rowsFetched += page.length;
      const next = found.length > limit ? page[page.length - 1]!.key : null;
      return { rows: page.map((entry) => ({ ...entry.row })), next };
    },
    async putBucketRows<T extends BucketTable>(table: T, rows: readonly BucketTableRows[T][]): Promise<number> {
      await roundTrip();
      for (const row of rows) putRow(table, row);
      return rows.length;
    },
    async removeBucketRows<T extends BucketTable>(table: T, rows: readonly BucketTableRows[T][]): Promise<number> {
      await roundTrip();
      let removed = 0;
      for (const row of rows) if (removeRow(table, row)) removed++;
      return removed;
    },
    async readMoveJournal(): Promise<string | null> {
      await roundTrip();
      return state.journal;
    },
    async writeMoveJournal(expect: string | null, text: string | null): Promise<boolean> {
      await roundTrip();
      if (state.journal !== expect) return false;
      state.journal = text;
      return true;
    },
  };
}
