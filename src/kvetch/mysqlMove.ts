// Bucket rows on a MySQL shard (spec/kvetch-storage.md §11.1): keyset scans of every bucket-placed table in
// primary-key order (rows of other buckets skipped here), exact copies (REPLACE), deletes by primary key, and
// the move journal in kvetch_meta. One counted round trip per call; placeholders only, never a spliced value.

import type { ResultSetHeader } from "mysql2/promise";
import type { EdgeRow, IdempotencyKeyRow, IndexRow, KvetchCounters, ObjectRow, RepairEntry } from "./backend.js";
import { idFromBytes, idToBytes } from "./id.js";
import { bucketOfRow, bucketRowKey } from "./moveRows.js";
import type { BucketPage, BucketSet, BucketTable, BucketTableRows, EdgeCountRow, ShardMoves } from "./moveRows.js";
import type { ShardPool } from "./mysqlPool.js";
import { sqlLimit } from "./mysqlPool.js";
import { toEdgeRow, toObjectRow } from "./mysqlTables.js";
import type { Row } from "./mysqlTables.js";
import { toClaim } from "./uniqueMysql.js";

/** How one table is read and written by a move: its columns, its primary key, and its rows both ways. */
interface TableForm<T> {
  name: string;
  columns: string;
  key: string;
  /** The primary key's values of a row, as bound parameters. */
  keyOf(row: T): unknown[];
  /** The primary key's values from a scan key (bucketRowKey). */
  keyFromText(text: string): unknown[];
  valuesOf(row: T): unknown[];
  rowOf(row: Row): T;
}

const id = (text: string): Buffer => idToBytes(text);
const hex = (text: string): Buffer => Buffer.from(text, "hex");

const FORMS: { [T in BucketTable]: TableForm<BucketTableRows[T]> } = {
  objects: {
    name: "objects",
    columns: "id, type_id, version, created, updated, body",
    key: "id",
    keyOf: (row) => [id(row.id)],
    keyFromText: (text) => [id(text)],
    valuesOf: (row) => [id(row.id), row.typeId, row.version, row.created, row.updated, row.body],
    rowOf: (row): ObjectRow => toObjectRow(row),
  },
  edges: {
    name: "edges",
    columns: "from_id, edge_id, to_id, seq, created, body",
    key: "from_id, edge_id, to_id",
    keyOf: (row) => [id(row.fromId), row.edgeId, id(row.toId)],
    keyFromText: (text) => {
      const [fromId, edgeId, toId] = text.split("/");
      return [id(fromId!), Number(edgeId), id(toId!)];
    },
    valuesOf: (row) => [id(row.fromId), row.edgeId, id(row.toId), row.seq, row.created, row.body],
    rowOf: toEdgeRow,
  },
  edgeCounts: {
    name: "edge_counts",
    columns: "from_id, edge_id, n",
    key: "from_id, edge_id",
    keyOf: (row) => [id(row.fromId), row.edgeId],
    keyFromText: (text) => {
      const [fromId, edgeId] = text.split("/");
      return [id(fromId!), Number(edgeId)];
    },
    valuesOf: (row) => [id(row.fromId), row.edgeId, row.n],
    rowOf: (row): EdgeCountRow => ({ edgeId: Number(row.edge_id), fromId: idFromBytes(row.from_id as Buffer), n: Number(row.n) }),
  },
  indexEntries: {
    name: "index_entries",
    columns: "index_id, value_hash, target_id, seq, created, value",
    key: "index_id, value_hash, target_id",
    keyOf: (row) => [row.indexId, hex(row.valueHash), id(row.targetId)],
    keyFromText: (text) => {
      const [indexId, valueHash, targetId] = text.split("/");
      return [Number(indexId), hex(valueHash!), id(targetId!)];
    },
    valuesOf: (row) => [row.indexId, hex(row.valueHash), id(row.targetId), row.seq, row.created, row.valueKey],
    rowOf: (row): IndexRow => ({
      indexId: Number(row.index_id),
      valueHash: (row.value_hash as Buffer).toString("hex"),
      valueKey: row.value as string,
      targetId: idFromBytes(row.target_id as Buffer),
      seq: Number(row.seq),
      created: Number(row.created),
    }),
  },
  uniqueClaims: {
    name: "unique_claims",
    columns: "index_id, value_hash, owner_id, owner_version, claimed, value",
    key: "index_id, value_hash",
    keyOf: (row) => [row.indexId, hex(row.valueHash)],
    keyFromText: (text) => {
      const [indexId, valueHash] = text.split("/");
      return [Number(indexId), hex(valueHash!)];
    },
    valuesOf: (row) => [row.indexId, hex(row.valueHash), id(row.ownerId), row.version, row.claimed, row.valueKey],
    rowOf: toClaim,
  },
  repairQueue: {
    name: "repair_queue",
    columns: "id, seq, body",
    key: "id, seq",
    keyOf: (row) => [id(row.id), row.seq],
    keyFromText: (text) => {
      const [entryId, seq] = text.split("/");
      return [id(entryId!), Number(seq)];
    },
    valuesOf: (row) => [id(row.id), row.seq, row.body],
    rowOf: (row): RepairEntry => ({ id: idFromBytes(row.id as Buffer), seq: Number(row.seq), body: row.body as string }),
  },
  idempotencyKeys: {
    name: "idempotency_keys",
    columns: "key_hash, object_id, created",
    key: "key_hash",
    keyOf: (row) => [hex(row.keyHash)],
    keyFromText: (text) => [hex(text)],
    valuesOf: (row) => [hex(row.keyHash), id(row.id), row.created],
    rowOf: (row): IdempotencyKeyRow => ({ keyHash: (row.key_hash as Buffer).toString("hex"), id: idFromBytes(row.object_id as Buffer), created: Number(row.created) }),
  },
};

const JOURNAL = "move_journal";

/** mysqlMoves: the bucket-row and journal methods of one MySQL shard (the fence is not among them yet). */
export function mysqlMoves(pool: ShardPool, counters: KvetchCounters): Omit<Required<ShardMoves>, "readBucketFence" | "setBucketFence"> {
  return {
    async scanBucketRows<T extends BucketTable>(table: T, set: BucketSet, after: string | null, limit: number): Promise<BucketPage<T>> {
      const form = FORMS[table] as TableForm<BucketTableRows[T]>;
      const key = after === null ? [] : form.keyFromText(after);
      const rows = await pool.query<Row[]>(
        "scanBucketRows",
        `SELECT ${form.columns} FROM ${form.name}${after === null ? "" : ` WHERE (${form.key}) > (?)`} ORDER BY ${form.key} LIMIT ?`,
        after === null ? [sqlLimit(limit, "scanBucketRows")] : [key, sqlLimit(limit, "scanBucketRows")],
      );
      counters.rowsFetched += rows.length;
      const out: BucketTableRows[T][] = [];
      let last: BucketTableRows[T] | null = null;
      for (const raw of rows) {
        const row = form.rowOf(raw);
        last = row;
        if (set.members[bucketOfRow(table, row, set.buckets)] === 1) out.push(row);
      }
      return { rows: out, next: rows.length === limit && last !== null ? bucketRowKey(table, last) : null };
    },
    async putBucketRows<T extends BucketTable>(table: T, rows: readonly BucketTableRows[T][]): Promise<number> {
      if (rows.length === 0) return 0;
      const form = FORMS[table] as TableForm<BucketTableRows[T]>;
      await pool.query("putBucketRows", `REPLACE INTO ${form.name} (${form.columns}) VALUES ?`, [rows.map((row) => form.valuesOf(row))], true);
      return rows.length;
    },
    async removeBucketRows<T extends BucketTable>(table: T, rows: readonly BucketTableRows[T][]): Promise<number> {
      if (rows.length === 0) return 0;
      const form = FORMS[table] as TableForm<BucketTableRows[T]>;
      const keys = rows.map((row) => form.keyOf(row));
      const single = !form.key.includes(",");
      const result = await pool.query<ResultSetHeader>(
        "removeBucketRows",
        `DELETE FROM ${form.name} WHERE ${single ? form.key : `(${form.key})`} IN (?)`,
        [single ? keys.map((k) => k[0]) : keys],
        true,
      );
      return result.affectedRows;
    },
    async readMoveJournal(): Promise<string | null> {
      const rows = await pool.query<Row[]>("readMoveJournal", "SELECT value FROM kvetch_meta WHERE name = ?", [JOURNAL]);
      return rows.length === 0 ? null : (rows[0]!.value as string);
    },
    async writeMoveJournal(expect: string | null, text: string | null): Promise<boolean> {
      // Compare-and-set in one statement and one round trip; a text equal to the stored one changes no row, so
      // what is stored after is read back in the same round trip.
      const change =
        expect === null
          ? text === null
            ? "SELECT 1"
            : "INSERT IGNORE INTO kvetch_meta (name, value) VALUES (?, ?)"
          : text === null
            ? "DELETE FROM kvetch_meta WHERE name = ? AND value = ?"
            : "UPDATE kvetch_meta SET value = ? WHERE name = ? AND value = ?";
      const params = expect === null ? (text === null ? [] : [JOURNAL, text]) : text === null ? [JOURNAL, expect] : [text, JOURNAL, expect];
      const results = await pool.query<[unknown, Row[]]>("writeMoveJournal", `${change}; SELECT value FROM kvetch_meta WHERE name = ?;`, [...params, JOURNAL]);
      const stored = results[1].length === 0 ? null : (results[1][0]!.value as string);
      return stored === text;
    },
  };
}
