// The scans of one MySQL shard (repair's and the repair queue's): keyset pages in primary-key order, each
// fenced (fencedScan: only rows of buckets the shard serves, read on past the rows it drops). Never returns a
// row of a bucket the shard's kvetch_buckets gives another shard.

import type { EdgeKey, EdgeRow, IndexRow, IndexScanKey, KvetchCounters, ObjectRow, RepairEntry } from "./backend.js";
import { idFromBytes, idToBytes } from "./id.js";
import { fencedScan } from "./mysqlFence.js";
import type { MysqlFenceState } from "./mysqlFence.js";
import { sqlLimit } from "./mysqlPool.js";
import type { ShardPool } from "./mysqlPool.js";
import { toEdgeRow, toObjectRow } from "./mysqlTables.js";
import type { Row } from "./mysqlTables.js";
import { hashOfId, hashOfIndexEntry } from "./shard.js";

/** mysqlScans: scanObjects, scanEdges, scanIndexEntries and readRepairQueue of one shard. */
export function mysqlScans(pool: ShardPool, fence: MysqlFenceState, counters: KvetchCounters) {
  return {
    scanObjects(afterId: string | null, limit: number): Promise<ObjectRow[]> {
      return fencedScan(
        pool,
        fence,
        counters,
        "scanObjects",
        (after: string | null, n) => [
          `SELECT id, type_id, version, created, updated, body FROM objects ${after === null ? "" : "WHERE id > ?"} ORDER BY id LIMIT ?`,
          after === null ? [sqlLimit(n, "scanObjects")] : [idToBytes(after), sqlLimit(n, "scanObjects")],
        ],
        afterId,
        limit,
        toObjectRow,
        (row) => row.id,
        (row) => hashOfId(row.id),
      );
    },

    scanEdges(edgeIds: readonly number[], afterKey: EdgeKey | null, limit: number): Promise<EdgeRow[]> {
      const page = (after: EdgeKey | null, n: number): [string, unknown[]] => {
        let sql = "SELECT from_id, edge_id, to_id, seq, created, body FROM edges WHERE edge_id IN (?)";
        const params: unknown[] = [edgeIds];
        if (after) {
          sql += " AND (from_id > ? OR (from_id = ? AND (edge_id > ? OR (edge_id = ? AND to_id > ?))))";
          const from = idToBytes(after.fromId);
          params.push(from, from, after.edgeId, after.edgeId, idToBytes(after.toId));
        }
        sql += " ORDER BY from_id, edge_id, to_id LIMIT ?";
        params.push(sqlLimit(n, "scanEdges"));
        return [sql, params];
      };
      const afterOf = (row: EdgeRow): EdgeKey => ({ edgeId: row.edgeId, fromId: row.fromId, toId: row.toId });
      return fencedScan(pool, fence, counters, "scanEdges", page, afterKey, limit, toEdgeRow, afterOf, (row) => hashOfId(row.fromId));
    },

    scanIndexEntries(afterKey: IndexScanKey | null, limit: number): Promise<IndexRow[]> {
      const page = (after: IndexScanKey | null, n: number): [string, unknown[]] => {
        let sql = "SELECT index_id, value_hash, target_id, seq, created, value FROM index_entries";
        const params: unknown[] = [];
        if (after) {
          sql += " WHERE (index_id > ? OR (index_id = ? AND (value_hash > ? OR (value_hash = ? AND target_id > ?))))";
          const hash = Buffer.from(after.valueHash, "hex");
          params.push(after.indexId, after.indexId, hash, hash, idToBytes(after.targetId));
        }
        sql += " ORDER BY index_id, value_hash, target_id LIMIT ?";
        params.push(sqlLimit(n, "scanIndexEntries"));
        return [sql, params];
      };
      const rowOf = (row: Row): IndexRow => ({
        indexId: Number(row.index_id),
        valueKey: row.value as string,
        valueHash: (row.value_hash as Buffer).toString("hex"),
        targetId: idFromBytes(row.target_id as Buffer),
        seq: Number(row.seq),
        created: Number(row.created),
      });
      const afterOf = (row: IndexRow): IndexScanKey => ({ indexId: row.indexId, valueHash: row.valueHash, targetId: row.targetId });
      return fencedScan(pool, fence, counters, "scanIndexEntries", page, afterKey, limit, rowOf, afterOf, (row) => hashOfIndexEntry(row.indexId, row.valueKey));
    },

    readRepairQueue(afterKey: { id: string; seq: number } | null, limit: number): Promise<RepairEntry[]> {
      const page = (after: { id: string; seq: number } | null, n: number): [string, unknown[]] => {
        let sql = "SELECT id, seq, body FROM repair_queue";
        const params: unknown[] = [];
        if (after) {
          const id = idToBytes(after.id);
          sql += " WHERE (id > ? OR (id = ? AND seq > ?))";
          params.push(id, id, after.seq);
        }
        sql += " ORDER BY id, seq LIMIT ?";
        params.push(sqlLimit(n, "readRepairQueue"));
        return [sql, params];
      };
      const rowOf = (row: Row): RepairEntry => ({ id: idFromBytes(row.id as Buffer), seq: Number(row.seq), body: row.body as string });
      return fencedScan(pool, fence, counters, "readRepairQueue", page, afterKey, limit, rowOf, (row) => ({ id: row.id, seq: row.seq }), (row) => hashOfId(row.id));
    },
  };
}
