// The unique claims of one MySQL shard (spec/kvetch-storage.md §6.7): the unique_claims table, whose primary
// key (index_id, value_hash) lets a value have one owner whatever the number of writers at once. A claim is
// placed by its value's bucket, as the value's index entries are, and every call is behind the shard's fence
// (§11.4): a claim of a bucket moved away answers MOVED, one of a frozen bucket waits. One round trip per
// admitted call; never replaces a claim another owner holds.

import type { ResultSetHeader } from "mysql2/promise";
import type { KvetchCounters, UniqueClaimKey, UniqueClaimOwner, UniqueClaimRow } from "./backend.js";
import { idFromBytes, idToBytes } from "./id.js";
import { bucketsOf, fencedCall, fencedScan } from "./mysqlFence.js";
import type { MysqlFenceState } from "./mysqlFence.js";
import { sqlLimit } from "./mysqlPool.js";
import type { ShardPool } from "./mysqlPool.js";
import type { Row } from "./mysqlTables.js";
import { hashOfIndexEntry } from "./shard.js";

const hex = (text: string): Buffer => Buffer.from(text, "hex");
const byValue = (a: UniqueClaimKey, b: UniqueClaimKey): number => a.indexId - b.indexId || (a.valueHash < b.valueHash ? -1 : a.valueHash > b.valueHash ? 1 : 0);
/** A claim's placing hash: its value's, as its index entries are placed (shardOfIndexEntry). */
const byEntry = (claim: { indexId: number; valueKey: string }): number => hashOfIndexEntry(claim.indexId, claim.valueKey);

/** A unique_claims row as the store reads it (also what a bucket move copies: mysqlMove.ts). */
export function toClaim(row: Row): UniqueClaimRow {
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
  fence: MysqlFenceState,
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
      const results = (await fencedCall(
        pool,
        fence,
        "claimUnique",
        `INSERT INTO unique_claims (index_id, value_hash, owner_id, owner_version, claimed, value) VALUES ?
  ON DUPLICATE KEY UPDATE claimed = IF(owner_id = VALUES(owner_id), VALUES(claimed), claimed),
    owner_version = IF(owner_id = VALUES(owner_id), GREATEST(owner_version, VALUES(owner_version)), owner_version);
SELECT index_id, value_hash, owner_id FROM unique_claims WHERE (index_id, value_hash) IN (?);`,
        [values, keys],
        bucketsOf(fence, rows, byEntry),
        true,
      )) as [ResultSetHeader, Row[]];
      const owners = new Map<string, string>();
      for (const row of results[1]) owners.set(`${Number(row.index_id)}/${(row.value_hash as Buffer).toString("hex")}`, idFromBytes(row.owner_id as Buffer));
      counters.rowsFetched += results[1].length;
      return rows.map((row) => owners.get(`${row.indexId}/${row.valueHash}`)!);
    },
    async releaseUnique(keys) {
      if (keys.length === 0) return 0;
      const conditions = keys.map(() => "(index_id = ? AND value_hash = ? AND owner_id = ? AND owner_version <= ?)");
      const params = keys.flatMap((key) => [key.indexId, hex(key.valueHash), idToBytes(key.ownerId), key.version]);
      const [result] = (await fencedCall(pool, fence, "releaseUnique", `DELETE FROM unique_claims WHERE ${conditions.join(" OR ")};`, params, bucketsOf(fence, keys, byEntry), true)) as [ResultSetHeader];
      return result.affectedRows;
    },
    scanUniqueClaims(after, limit) {
      // Fenced: only claims of buckets this shard serves (a moved bucket's claims left on it until the move's
      // cleanup are not its own).
      const page = (from: UniqueClaimKey | null, n: number): [string, unknown[]] => {
        let sql = "SELECT index_id, value_hash, owner_id, owner_version, claimed, value FROM unique_claims";
        const params: unknown[] = [];
        if (from !== null) {
          sql += " WHERE (index_id, value_hash) > (?, ?)";
          params.push(from.indexId, hex(from.valueHash));
        }
        sql += " ORDER BY index_id, value_hash LIMIT ?";
        params.push(sqlLimit(n, "scanUniqueClaims"));
        return [sql, params];
      };
      const afterOf = (row: UniqueClaimRow): UniqueClaimKey => ({ indexId: row.indexId, valueHash: row.valueHash });
      return fencedScan(pool, fence, counters, "scanUniqueClaims", page, after, limit, toClaim, afterOf, byEntry);
    },
  };
}
