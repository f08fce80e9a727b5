// The two kinds of ordered list Kvetch pages through — an edge list (key: fromId) and an index entry list
// (key: the value's canonical JSON) — as the list reads see them: a cache tag, a shard, and one range read
// per shard turning backend rows into list items (or, for an edge list, the rows as they come). Never decides
// batching; never does I/O but the range read.

import type { EdgeRange, EdgeRow, IndexRange, ShardStore } from "./backend.js";
import { indexValueHash } from "./backend.js";
import { edgeListTag, indexListTag } from "./cache.js";
import type { Position } from "./cursor.js";
import { decodeData, type ListItem } from "./model.js";
import type { KvetchEdgeDef, KvetchIndexDef } from "./schema.js";
import { shardOfEdge, shardOfIndexEntry } from "./shard.js";
import type { ShardMap } from "./shard.js";

/** One page request against an ordered list: the list's key, where to start, how many rows (null: all). */
export interface ListRequest {
  key: string;
  after: Position | null;
  limit: number | null;
}

/** An edge list or an index entry list: where its key lives and how to read ranges of it. */
export interface ListKind {
  tag(key: string): string;
  shardOf(key: string): number;
  readRanges(shard: ShardStore, requests: readonly ListRequest[]): Promise<ListItem[][]>;
}

/** An edge list, which can also hand over the shard's rows as they come (for reads of the target ids alone). */
export interface EdgeListKind extends ListKind {
  readRows(shard: ShardStore, requests: readonly ListRequest[]): Promise<EdgeRow[][]>;
}

export function edgeListKind(shardMap: ShardMap, edge: KvetchEdgeDef): EdgeListKind {
  const readRows = (shard: ShardStore, requests: readonly ListRequest[]): Promise<EdgeRow[][]> => {
    const ranges = new Array<EdgeRange>(requests.length);
    for (let i = 0; i < requests.length; i++) {
      ranges[i] = { fromId: requests[i]!.key, after: requests[i]!.after, limit: requests[i]!.limit };
    }
    return shard.readEdgeRanges(edge.edgeId, ranges);
  };
  return {
    tag: (fromId) => edgeListTag(edge.edgeId, fromId),
    shardOf: (fromId) => shardOfEdge(shardMap, fromId),
    readRows,
    async readRanges(shard, requests) {
      const lists = await readRows(shard, requests);
      const out = new Array<ListItem[]>(lists.length);
      for (let l = 0; l < lists.length; l++) {
        const rows = lists[l]!;
        const items = new Array<ListItem>(rows.length);
        for (let r = 0; r < rows.length; r++) {
          const row = rows[r]!;
          items[r] = { id: row.toId, seq: row.seq, created: row.created, data: decodeData(row) };
        }
        out[l] = items;
      }
      return out;
    },
  };
}

export function indexListKind(shardMap: ShardMap, index: KvetchIndexDef): ListKind {
  const hashes = new Map<string, string>();
  const hashOf = (valueKey: string): string => {
    let hash = hashes.get(valueKey);
    if (hash === undefined) {
      hash = indexValueHash(valueKey);
      hashes.set(valueKey, hash);
    }
    return hash;
  };
  return {
    tag: (valueKey) => indexListTag(index.indexId, hashOf(valueKey)),
    shardOf: (valueKey) => shardOfIndexEntry(shardMap, index.indexId, valueKey),
    async readRanges(shard, requests) {
      const ranges = new Array<IndexRange>(requests.length);
      for (let i = 0; i < requests.length; i++) {
        const { key, after, limit } = requests[i]!;
        ranges[i] = { valueKey: key, valueHash: hashOf(key), after, limit };
      }
      const lists = await shard.readIndexRanges(index.indexId, ranges);
      const out = new Array<ListItem[]>(lists.length);
      for (let l = 0; l < lists.length; l++) {
        const rows = lists[l]!;
        const items = new Array<ListItem>(rows.length);
        for (let r = 0; r < rows.length; r++) {
          items[r] = { id: rows[r]!.targetId, seq: rows[r]!.seq, created: rows[r]!.created, data: null };
        }
        out[l] = items;
      }
      return out;
    },
  };
}
