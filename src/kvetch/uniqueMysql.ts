// The unique claims of one MySQL shard (spec/kvetch-storage.md §6.7): the unique_claims table, whose primary
// key (index_id, value_hash) lets a value have one owner whatever the number of writers at once. One round
// trip per call; never replaces a claim another owner holds.

import type { ResultSetHeader } from "mysql2/promise";
import type { KvetchCounters, UniqueClaimKey, UniqueClaimOwner, UniqueClaimRow } from "./backend.js";
import { idFromBytes, idToBytes } from "./id.js";
import { sqlLimit } from "./mysqlPool.js";
import type { ShardPool } from "./mysqlPool.js";
import type { Row } from "./mysqlTables.js";

const hex = (text: string): Buffer => Buffer.from(text, "hex");
const byValue = (a: UniqueClaimKey, b: UniqueClaimKey): number => a.indexId - b.indexId || (a.valueHash < b.valueHash ? -1 : a.valueHash > b.valueHash ? 1 : 0);

function toClaim(row: Row): UniqueClaimRow {
  return {
    indexId: Number(row.index_id),
    valueHash: (row.value_hash as Buffer).toString("hex"),
    valueKey: row.value as string,
    ownerId: idFromBytes(row.owner_id as Buffer),
    version: Number(row.owner_version),
    claimed: Number(row.claimed),
  };
}

/** mysqlUniqueClaims: the claimUnique, releaseUnique and scanUniqueClaims methods of one MySQL shard. */
export function mysqlUniqueClaims(
  pool: ShardPool,
  counters: KvetchCounters,
): {
  claimUnique(rows: readonly UniqueClaimRow[]): Promise<string[]>;
  releaseUnique(keys: readonly UniqueClaimOwner[]): Promise<number>;
  scanUniqueClaims(after: UniqueClaimKey | null, limit: number): Promise<UniqueClaimRow[]>;
} {
  return {
    async claimUnique(rows) {
      // Insert-if-absent (the same owner's claim takes the higher version), then read each value's owner: one
      // round trip (two statements), both safe to run again. Values go in key order, so concurrent claims take
      // their locks in one order.
      const sorted = rows.slice().sort(byValue);
      const values = sorted.map((row) => [row.indexId, hex(row.valueHash), idToBytes(row.ownerId), row.version, row.claimed, row.valueKey]);
      const keys = sorted.map((row) => [row.indexId, hex(row.valueHash)]);
      const results = await pool.query<[ResultSetHeader, Row[]]>(
        "claimUnique",
        `INSERT INTO unique_claims (index_id, value_hash, owner_id, owner_version, claimed, value) VALUES ?
  ON DUPLICATE KEY UPDATE claimed = IF(owner_id = VALUES(owner_id), VALUES(claimed), claimed),
    owner_version = IF(owner_id = VALUES(owner_id), GREATEST(owner_version, VALUES(owner_version)), owner_version);
SELECT index_id, value_hash, owner_id FROM unique_claims WHERE (index_id, value_hash) IN (?);`,
        [values, keys],
        true,
      );
      const owners = new Map<string, string>();
      for (const row of results[1]) owners.set(`${Number(row.index_id)}/${(row.value_hash as Buffer).toString("hex")}`, idFromBytes(row.owner_id as Buffer));
      counters.rowsFetched += results[1].length;
      return rows.map((row) => owners.get(`${row.indexId}/${row.valueHash}`)!);
    },
    async releaseUnique(keys) {
      if (keys.length === 0) return 0;
      const conditions = keys.map(() => "(index_id = ? AND value_hash = ? AND owner_id = ? AND owner_version <= ?)");
      const params = keys.flatMap((key) => [key.indexId, hex(key.valueHash), idToBytes(key.ownerId), key.version]);
      const result = await pool.query<ResultSetHeader>("releaseUnique", `DELETE FROM unique_claims WHERE ${conditions.join(" OR ")}`, params, true);
      return result.affectedRows;
    },
    async scanUniqueClaims(after, limit) {
      let sql = "SELECT index_id, value_hash, owner_id, owner_version, claimed, value FROM unique_claims";
      const params: unknown[] = [];
      if (after !== null) {
        sql += " WHERE (index_id, value_hash) > (?, ?)";
        params.push(after.indexId, hex(after.valueHash));
      }
      sql += " ORDER BY index_id, value_hash LIMIT ?";
      params.push(sqlLimit(limit, "scanUniqueClaims"));
      const rows = await pool.query<Row[]>("scanUniqueClaims", sql, params);
      counters.rowsFetched += rows.length;
      return rows.map(toClaim);
    },
  };
}
