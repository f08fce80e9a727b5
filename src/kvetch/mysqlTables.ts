// The tables of one MySQL shard (spec/kvetch-storage.md §3 quotes SHARD_DDL verbatim; a test compares the two),
// the version of that layout, and the mapping between their rows and the backend's rows.
// Never connects, never runs anything.

import type { RowDataPacket } from "mysql2/promise";
import type { EdgeKey, EdgeRow, ObjectRow } from "./backend.js";
import { idFromBytes } from "./id.js";

/** The tables every shard holds; spec/kvetch-storage.md quotes this text verbatim (a test compares them). */
export const SHARD_DDL = `CREATE TABLE IF NOT EXISTS objects (
  id BINARY(16) NOT NULL,
  type_id INT UNSIGNED NOT NULL,
  version INT UNSIGNED NOT NULL,
  created BIGINT NOT NULL,
  updated BIGINT NOT NULL,
  body LONGTEXT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS edges (
  from_id BINARY(16) NOT NULL,
  edge_id INT UNSIGNED NOT NULL,
  to_id BINARY(16) NOT NULL,
  seq BIGINT NOT NULL,
  created BIGINT NOT NULL,
  body LONGTEXT NOT NULL,
  PRIMARY KEY (from_id, edge_id, to_id),
  UNIQUE KEY edge_order (from_id, edge_id, seq, to_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS edge_counts (
  from_id BINARY(16) NOT NULL,
  edge_id INT UNSIGNED NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (from_id, edge_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS index_entries (
  index_id INT UNSIGNED NOT NULL,
  value_hash BINARY(16) NOT NULL,
  target_id BINARY(16) NOT NULL,
  seq BIGINT NOT NULL,
  created BIGINT NOT NULL,
  value LONGTEXT NOT NULL,
  PRIMARY KEY (index_id, value_hash, target_id),
  UNIQUE KEY index_order (index_id, value_hash, seq, target_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS repair_queue (
  id BINARY(16) NOT NULL,
  seq BIGINT NOT NULL,
  body LONGTEXT NOT NULL,
  PRIMARY KEY (id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key_hash BINARY(16) NOT NULL,
  object_id BINARY(16) NOT NULL,
  created BIGINT NOT NULL,
  PRIMARY KEY (key_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS unique_claims (
  index_id INT UNSIGNED NOT NULL,
  value_hash BINARY(16) NOT NULL,
  owner_id BINARY(16) NOT NULL,
  owner_version INT UNSIGNED NOT NULL,
  claimed BIGINT NOT NULL,
  value LONGTEXT NOT NULL,
  PRIMARY KEY (index_id, value_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS kvetch_meta (
  name VARCHAR(64) NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS kvetch_topology (
  name VARCHAR(16) NOT NULL,
  version BIGINT NOT NULL,
  body LONGTEXT NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS kvetch_buckets (
  bucket INT UNSIGNED NOT NULL,
  shard_id INT UNSIGNED NOT NULL,
  version BIGINT NOT NULL,
  frozen TINYINT NOT NULL,
  PRIMARY KEY (bucket)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;`;

/** Version of the table layout above, recorded in kvetch_meta by migrate. */
export const STORAGE_FORMAT = "5";

/** A row as mysql2 returns it. */
export type Row = RowDataPacket & Record<string, unknown>;

/** Rows strictly after a cursor position in (seq, <column>) order; three placeholders: seq, seq, id. */
export function afterCondition(column: string): string {
  return `(seq > ? OR (seq = ? AND ${column} > ?))`;
}

export function toObjectRow(row: Row): ObjectRow {
  return {
    id: idFromBytes(row.id as Buffer),
    typeId: Number(row.type_id),
    version: Number(row.version),
    created: Number(row.created),
    updated: Number(row.updated),
    body: row.body as string,
  };
}

/** An edges row of a scan (every column). */
export function toEdgeRow(row: Row): EdgeRow {
  return {
    edgeId: Number(row.edge_id),
    fromId: idFromBytes(row.from_id as Buffer),
    toId: idFromBytes(row.to_id as Buffer),
    seq: Number(row.seq),
    created: Number(row.created),
    body: row.body as string,
  };
}

/**
 * Groups rows by (edgeId, fromId): groups, and the rows of each by toId, in a fixed order, so concurrent
 * writers lock parents and their edges alike.
 */
export function groupEdgeRows<T extends EdgeKey>(rows: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (let i = 0; i < rows.length; i++) {
    const key = `${rows[i]!.fromId}/${rows[i]!.edgeId}`;
    const group = groups.get(key);
    if (group) group.push(rows[i]!);
    else groups.set(key, [rows[i]!]);
  }
  const byTarget = (a: T, b: T): number => (a.toId < b.toId ? -1 : a.toId > b.toId ? 1 : 0);
  return [...groups.keys()].sort().map((key) => groups.get(key)!.sort(byTarget));
}
