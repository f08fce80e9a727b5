// One MySQL/MariaDB shard as a ShardStore: a mysql2 pool on its database, one counted round trip per call,
// deadlock retries inside transactions, and errors that name the shard without credentials.
// Never interpolates a value into SQL (placeholders only); never leaves a transaction open on a pooled connection.

import { mysql } from "./optionalPeer.js";
import type { ResultSetHeader } from "mysql2/promise";
import type {
  EdgeKey,
  EdgeRange,
  EdgeRow,
  IdempotencyKeyRow,
  IndexKey,
  IndexRange,
  IndexRow,
  KvetchCounters,
  ObjectRow,
  RepairEntry,
  ShardStats,
  ShardStore,
} from "./backend.js";
import { idFromBytes, idToBytes } from "./id.js";
import { bucketsOf, fencedCall, mysqlBucketFence } from "./mysqlFence.js";
import type { MysqlFenceState } from "./mysqlFence.js";
import { mysqlMoves } from "./mysqlMove.js";
import { mysqlUniqueClaims } from "./uniqueMysql.js";
import { mysqlScans } from "./mysqlScans.js";
import { ShardPool, sqlLimit } from "./mysqlPool.js";
import type { ShardTimeouts } from "./mysqlPool.js";
import { SHARD_DDL, STORAGE_FORMAT, afterCondition, groupEdgeRows, toObjectRow } from "./mysqlTables.js";
import type { Row } from "./mysqlTables.js";
import { fnv1a32, hashOfId, hashOfIndexEntry } from "./shard.js";

const byText = (id: string): number => hashOfId(id);
const byId = (item: { id: string }): number => hashOfId(item.id);
const byFromId = (item: { fromId: string }): number => hashOfId(item.fromId);
const byEntry = (item: { indexId: number; valueKey: string }): number => hashOfIndexEntry(item.indexId, item.valueKey);

/** Where one shard lives: its URL, its database, and the label operators see. */
export interface ShardAddress {
  url: string;
  database: string;
  /** host:port/database — never the user or password; never in a message a client can see. */
  label: string;
}

export class MysqlShardStore implements ShardStore {
  readonly label: string;
  /** Calls that run at once (the pool size): Kvetch runs at most this many chunks of one call on it at once. */
  readonly connections: number;
  private readonly pool: ShardPool;
  /** This shard's stored id and the bucket count, once its identity is read (topologyMysql.ts); the fence checks by them. */
  readonly bucketFence: MysqlFenceState = { self: null, buckets: 0 };
  declare readonly scanObjects: ShardStore["scanObjects"];
  declare readonly scanEdges: ShardStore["scanEdges"];
  declare readonly scanIndexEntries: ShardStore["scanIndexEntries"];
  declare readonly readRepairQueue: NonNullable<ShardStore["readRepairQueue"]>;

  constructor(
    readonly shard: number,
    private readonly address: ShardAddress,
    poolSize: number,
    timeouts: ShardTimeouts,
    private readonly counters: KvetchCounters,
  ) {
    this.label = `shard ${shard} (${address.label})`;
    this.connections = poolSize;
    this.pool = new ShardPool(shard, address.label, address.url, poolSize, timeouts, counters);
    // Bucket scans, exact copies, the move journal and the fence (mysqlMove.ts); fenced scans (mysqlScans.ts);
    // unique claims (uniqueMysql.ts): the unique_claims table's insert-if-absent, release and scan.
    Object.assign(this, mysqlMoves(this.pool, counters), mysqlBucketFence(this.pool, this.bucketFence), mysqlScans(this.pool, this.bucketFence, counters));
    Object.assign(this, mysqlUniqueClaims(this.pool, this.bucketFence, counters));
  }

  protected query<T>(what: string, sql: string, params: unknown[]): Promise<T> {
    return this.pool.query<T>(what, sql, params);
  }

  /**
   * A call on the rows of `buckets`: its statements (each ending in ";") in one transaction and one round trip,
   * behind the fence (fencedCall); a deadlock rolls the whole call back and it runs again. Returns each
   * statement's result.
   */
  private fenced(what: string, sql: string, params: unknown[], buckets: readonly number[], write: boolean): Promise<unknown[]> {
    return fencedCall(this.pool, this.bucketFence, what, sql, params, buckets, write);
  }

  async migrate(): Promise<void> {
    const server = new URL(this.address.url);
    server.pathname = "/";
    this.counters.shardQueries[this.shard]!++;
    let connection: mysql.Connection | null = null;
    try {
      connection = await mysql.createConnection({ uri: server.toString(), connectTimeout: this.pool.timeouts.queryTimeoutMs });
      await connection.query("CREATE DATABASE IF NOT EXISTS ?? DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", [
        this.address.database,
      ]);
    } catch (error) {
      throw this.pool.fail("migrate (CREATE DATABASE)", error);
    } finally {
      await connection?.end().catch(() => undefined);
    }
    await this.query(
      "migrate",
      `${SHARD_DDL}
INSERT INTO kvetch_meta (name, value) VALUES ('format', ?) ON DUPLICATE KEY UPDATE value = VALUES(value);`,
      [STORAGE_FORMAT],
    );
  }

  async readObjects(ids: readonly string[]): Promise<ObjectRow[]> {
    const keys = new Array<Buffer>(ids.length);
    for (let i = 0; i < ids.length; i++) keys[i] = idToBytes(ids[i]!);
    const [rows] = (await this.fenced(
      "readObjects",
      "SELECT id, type_id, version, created, updated, body FROM objects WHERE id IN (?);",
      [keys],
      bucketsOf(this.bucketFence, ids, byText),
      false,
    )) as [Row[]];
    this.counters.rowsFetched += rows.length;
    return rows.map(toObjectRow);
  }

  async insertObjects(rows: readonly ObjectRow[]): Promise<void> {
    const values = new Array<unknown[]>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      values[i] = [idToBytes(row.id), row.typeId, row.version, row.created, row.updated, row.body];
    }
    await this.fenced("insertObjects", "INSERT INTO objects (id, type_id, version, created, updated, body) VALUES ?;", [values], bucketsOf(this.bucketFence, rows, byId), true);
  }

  async replaceObjects(changes: readonly { row: ObjectRow; expectVersion: number }[]): Promise<boolean[]> {
    let sql = "";
    const params: unknown[] = [];
    for (let i = 0; i < changes.length; i++) {
      const { row, expectVersion } = changes[i]!;
      sql += "UPDATE objects SET type_id = ?, version = ?, updated = ?, body = ? WHERE id = ? AND version = ?;";
      params.push(row.typeId, row.version, row.updated, row.body, idToBytes(row.id), expectVersion);
    }
    const headers = (await this.fenced("replaceObjects", sql, params, bucketsOf(this.bucketFence, changes, (change) => hashOfId(change.row.id)), true)) as ResultSetHeader[];
    return headers.map((header) => header.affectedRows === 1);
  }

  async removeObjects(keys: readonly { id: string; expectVersion: number }[]): Promise<boolean[]> {
    let sql = "";
    const params: unknown[] = [];
    for (let i = 0; i < keys.length; i++) {
      sql += "DELETE FROM objects WHERE id = ? AND version = ?;";
      params.push(idToBytes(keys[i]!.id), keys[i]!.expectVersion);
    }
    const headers = (await this.fenced("removeObjects", sql, params, bucketsOf(this.bucketFence, keys, byId), true)) as ResultSetHeader[];
    return headers.map((header) => header.affectedRows === 1);
  }

  async readEdgeRanges(edgeId: number, ranges: readonly EdgeRange[]): Promise<EdgeRow[][]> {
    // One UNION ALL branch per parent: each is an index range scan on edge_order that stops at its LIMIT,
    // so a parent with a million edges costs no more than its page.
    const branches: string[] = new Array(ranges.length);
    const params: unknown[] = [];
    for (let i = 0; i < ranges.length; i++) {
      const { fromId, after, limit } = ranges[i]!;
      let branch = `SELECT ${i} AS b, to_id, seq, created, body FROM edges WHERE from_id = ? AND edge_id = ?`;
      params.push(idToBytes(fromId), edgeId);
      if (after) {
        branch += ` AND ${afterCondition("to_id")}`;
        params.push(after.seq, after.seq, idToBytes(after.id));
      }
      branch += " ORDER BY seq, to_id";
      if (limit !== null) {
        branch += " LIMIT ?";
        params.push(sqlLimit(limit, "readEdgeRanges"));
      }
      branches[i] = `(${branch})`;
    }
    const sql =
      ranges.length === 1 ? branches[0]! : `SELECT * FROM (${branches.join(" UNION ALL ")}) page ORDER BY b, seq, to_id`;
    const [rows] = (await this.fenced("readEdgeRanges", `${sql};`, params, bucketsOf(this.bucketFence, ranges, byFromId), false)) as [Row[]];
    this.counters.rowsFetched += rows.length;
    const out: EdgeRow[][] = new Array(ranges.length);
    for (let i = 0; i < ranges.length; i++) out[i] = [];
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      const b = row.b as number;
      out[b]!.push({
        edgeId,
        fromId: ranges[b]!.fromId,
        toId: idFromBytes(row.to_id as Buffer),
        seq: Number(row.seq),
        created: Number(row.created),
        body: row.body as string,
      });
    }
    return out;
  }

  async readEdgeCounts(edgeId: number, fromIds: readonly string[]): Promise<number[]> {
    const keys = new Array<Buffer>(fromIds.length);
    for (let i = 0; i < fromIds.length; i++) keys[i] = idToBytes(fromIds[i]!);
    const [rows] = (await this.fenced(
      "readEdgeCounts",
      "SELECT from_id, n FROM edge_counts WHERE edge_id = ? AND from_id IN (?);",
      [edgeId, keys],
      bucketsOf(this.bucketFence, fromIds, byText),
      false,
    )) as [Row[]];
    this.counters.rowsFetched += rows.length;
    const byParent = new Map<string, number>();
    for (let r = 0; r < rows.length; r++) byParent.set(idFromBytes(rows[r]!.from_id as Buffer), Number(rows[r]!.n));
    const out = new Array<number>(fromIds.length);
    for (let i = 0; i < fromIds.length; i++) out[i] = byParent.get(fromIds[i]!) ?? 0;
    return out;
  }

  async writeEdges(rows: readonly EdgeRow[], replaceData: boolean): Promise<number> {
    // Per parent: INSERT IGNORE, then add ROW_COUNT() (rows really inserted) to the count, in one
    // transaction, so re-running a write never double-counts. Parents go in a fixed order against deadlocks.
    const groups = groupEdgeRows(rows);
    let sql = "";
    const params: unknown[] = [];
    const insertAt: number[] = [];
    let statement = 0;
    for (const group of groups) {
      const from = idToBytes(group[0]!.fromId);
      const edgeId = group[0]!.edgeId;
      const values = new Array<unknown[]>(group.length);
      for (let i = 0; i < group.length; i++) {
        const row = group[i]!;
        values[i] = [from, edgeId, idToBytes(row.toId), row.seq, row.created, row.body];
      }
      sql += "INSERT IGNORE INTO edges (from_id, edge_id, to_id, seq, created, body) VALUES ?;";
      params.push(values);
      insertAt.push(statement++);
      sql += "SET @kvetch_n = ROW_COUNT();";
      sql +=
        "INSERT INTO edge_counts (from_id, edge_id, n) VALUES (?, ?, @kvetch_n) ON DUPLICATE KEY UPDATE n = n + VALUES(n);";
      params.push(from, edgeId);
      statement += 2;
      if (replaceData) {
        sql +=
          "INSERT INTO edges (from_id, edge_id, to_id, seq, created, body) VALUES ? ON DUPLICATE KEY UPDATE body = VALUES(body);";
        params.push(values);
        statement++;
      }
    }
    const results = (await this.fenced("writeEdges", sql, params, bucketsOf(this.bucketFence, rows, byFromId), true)) as ResultSetHeader[];
    let inserted = 0;
    for (const at of insertAt) inserted += results[at]!.affectedRows;
    return inserted;
  }

  async removeEdges(keys: readonly EdgeKey[]): Promise<number> {
    const groups = groupEdgeRows(keys);
    let sql = "";
    const params: unknown[] = [];
    const deleteAt: number[] = [];
    let statement = 0;
    for (const group of groups) {
      const from = idToBytes(group[0]!.fromId);
      const edgeId = group[0]!.edgeId;
      const toIds = new Array<Buffer>(group.length);
      for (let i = 0; i < group.length; i++) toIds[i] = idToBytes(group[i]!.toId);
      sql += "DELETE FROM edges WHERE from_id = ? AND edge_id = ? AND to_id IN (?);";
      params.push(from, edgeId, toIds);
      deleteAt.push(statement++);
      sql += "SET @kvetch_n = ROW_COUNT();";
      sql += "UPDATE edge_counts SET n = n - @kvetch_n WHERE from_id = ? AND edge_id = ?;";
      params.push(from, edgeId);
      statement += 2;
    }
    const results = (await this.fenced("removeEdges", sql, params, bucketsOf(this.bucketFence, keys, byFromId), true)) as ResultSetHeader[];
    let removed = 0;
    for (const at of deleteAt) removed += results[at]!.affectedRows;
    return removed;
  }

  async readIndexRanges(indexId: number, ranges: readonly IndexRange[]): Promise<IndexRow[][]> {
    const branches: string[] = new Array(ranges.length);
    const params: unknown[] = [];
    for (let i = 0; i < ranges.length; i++) {
      const { valueHash, valueKey, after, limit } = ranges[i]!;
      let branch = `SELECT ${i} AS b, target_id, seq, created FROM index_entries WHERE index_id = ? AND value_hash = ? AND value = ?`;
      params.push(indexId, Buffer.from(valueHash, "hex"), valueKey);
      if (after) {
        branch += ` AND ${afterCondition("target_id")}`;
        params.push(after.seq, after.seq, idToBytes(after.id));
      }
      branch += " ORDER BY seq, target_id";
      if (limit !== null) {
        branch += " LIMIT ?";
        params.push(sqlLimit(limit, "readIndexRanges"));
      }
      branches[i] = `(${branch})`;
    }
    const sql =
      ranges.length === 1 ? branches[0]! : `SELECT * FROM (${branches.join(" UNION ALL ")}) page ORDER BY b, seq, target_id`;
    const byRange = (range: IndexRange): number => hashOfIndexEntry(indexId, range.valueKey);
    const [rows] = (await this.fenced("readIndexRanges", `${sql};`, params, bucketsOf(this.bucketFence, ranges, byRange), false)) as [Row[]];
    this.counters.rowsFetched += rows.length;
    const out: IndexRow[][] = new Array(ranges.length);
    for (let i = 0; i < ranges.length; i++) out[i] = [];
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      const b = row.b as number;
      out[b]!.push({
        indexId,
        valueKey: ranges[b]!.valueKey,
        valueHash: ranges[b]!.valueHash,
        targetId: idFromBytes(row.target_id as Buffer),
        seq: Number(row.seq),
        created: Number(row.created),
      });
    }
    return out;
  }

  async writeIndexEntries(rows: readonly IndexRow[]): Promise<number> {
    const values = new Array<unknown[]>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      values[i] = [row.indexId, Buffer.from(row.valueHash, "hex"), idToBytes(row.targetId), row.seq, row.created, row.valueKey];
    }
    const [result] = (await this.fenced(
      "writeIndexEntries",
      "INSERT IGNORE INTO index_entries (index_id, value_hash, target_id, seq, created, value) VALUES ?;",
      [values],
      bucketsOf(this.bucketFence, rows, byEntry),
      true,
    )) as [ResultSetHeader];
    return result.affectedRows;
  }

  async removeIndexEntries(keys: readonly IndexKey[]): Promise<number> {
    const conditions = new Array<string>(keys.length);
    const params: unknown[] = [];
    for (let i = 0; i < keys.length; i++) {
      conditions[i] = "(index_id = ? AND value_hash = ? AND target_id = ?)";
      params.push(keys[i]!.indexId, Buffer.from(keys[i]!.valueHash, "hex"), idToBytes(keys[i]!.targetId));
    }
    const [result] = (await this.fenced(
      "removeIndexEntries",
      `DELETE FROM index_entries WHERE ${conditions.join(" OR ")};`,
      params,
      bucketsOf(this.bucketFence, keys, byEntry),
      true,
    )) as [ResultSetHeader];
    return result.affectedRows;
  }

  async stats(): Promise<ShardStats> {
    const rows = await this.query<Row[]>(
      "stats",
      "SELECT (SELECT COUNT(*) FROM objects) AS objects, (SELECT COUNT(*) FROM edges) AS edges, (SELECT COUNT(*) FROM index_entries) AS index_entries",
      [],
    );
    const row = rows[0]!;
    return {
      shard: this.shard,
      label: this.label,
      objects: Number(row.objects),
      edges: Number(row.edges),
      indexEntries: Number(row.index_entries),
    };
  }

  async ping(): Promise<void> {
    await this.query("ping", "SELECT 1", []);
  }

  async queueRepairs(entries: readonly RepairEntry[]): Promise<void> {
    const values = entries.map((entry) => [idToBytes(entry.id), entry.seq, entry.body]);
    await this.fenced("queueRepairs", "INSERT IGNORE INTO repair_queue (id, seq, body) VALUES ?;", [values], bucketsOf(this.bucketFence, entries, byId), true);
  }

  async removeRepairs(keys: readonly { id: string; seq: number }[]): Promise<number> {
    const conditions = keys.map(() => "(id = ? AND seq = ?)");
    const params = keys.flatMap((key) => [idToBytes(key.id), key.seq]);
    const [result] = (await this.fenced("removeRepairs", `DELETE FROM repair_queue WHERE ${conditions.join(" OR ")};`, params, bucketsOf(this.bucketFence, keys, byId), true)) as [ResultSetHeader];
    return result.affectedRows;
  }

  async reserveKeys(rows: readonly IdempotencyKeyRow[]): Promise<string[]> {
    // Insert-if-absent, then read what each key holds: one round trip (two statements), both safe to run
    // again. Keys go in key order, so concurrent reservations take their locks in one order.
    const sorted = rows.slice().sort((a, b) => (a.keyHash < b.keyHash ? -1 : a.keyHash > b.keyHash ? 1 : 0));
    const values = sorted.map((row) => [Buffer.from(row.keyHash, "hex"), idToBytes(row.id), row.created]);
    const hashes = sorted.map((row) => Buffer.from(row.keyHash, "hex"));
    const results = (await this.fenced(
      "reserveKeys",
      "INSERT IGNORE INTO idempotency_keys (key_hash, object_id, created) VALUES ?; SELECT key_hash, object_id FROM idempotency_keys WHERE key_hash IN (?);",
      [values, hashes],
      bucketsOf(this.bucketFence, rows, (row) => fnv1a32(Buffer.from(row.keyHash, "hex"))),
      true,
    )) as [ResultSetHeader, Row[]];
    const byKey = new Map<string, string>();
    for (const row of results[1]) byKey.set((row.key_hash as Buffer).toString("hex"), idFromBytes(row.object_id as Buffer));
    this.counters.rowsFetched += results[1].length;
    return rows.map((row) => byKey.get(row.keyHash)!);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
