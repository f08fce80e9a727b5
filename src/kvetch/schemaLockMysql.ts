// The MySQL backend's schema lock (spec/kvetch-storage.md §2.5): each shard's copy is the kvetch_topology row
// `schema` (its version column the lock's version), next to the shard map; each call one counted round trip.
// Never stores a copy over a newer one.

import type { Row } from "./mysqlTables.js";
import { MysqlTopologyShard } from "./topologyMysql.js";

const READ_LOCK = "SELECT body FROM kvetch_topology WHERE name = 'schema'";

/** A MySQL shard that keeps the topology and the schema lock. */
export class MysqlSchemaLockShard extends MysqlTopologyShard {
  async readSchemaLock(): Promise<string | null> {
    const rows = await this.query<Row[]>("readSchemaLock", READ_LOCK, []);
    const body = rows[0]?.body;
    return typeof body === "string" ? body : null;
  }

  async writeSchemaLock(text: string, version: number, expectVersion: number): Promise<string | null> {
    // body first: its IF reads the old version.
    const rows = await this.query<Row[][]>(
      "writeSchemaLock",
      `INSERT INTO kvetch_topology (name, version, body) VALUES ('schema', ?, ?)
ON DUPLICATE KEY UPDATE body = IF(version <= ?, VALUES(body), body), version = IF(version <= ?, VALUES(version), version); ${READ_LOCK}`,
      [version, text, expectVersion, expectVersion],
    );
    const body = rows[1]![0]?.body;
    return typeof body === "string" ? body : null;
  }
}
