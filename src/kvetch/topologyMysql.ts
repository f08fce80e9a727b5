// The MySQL backend's topology (spec/kvetch-storage.md §2.2): a shard's identity in kvetch_meta (rows
// `installation` and `shard`) and its copy of the map in kvetch_topology, each call one counted round trip.
// A map write also gives each bucket without a kvetch_buckets row its owner (FILL_BUCKETS, the fence's rows).
// Never updates an identity row that exists; never stores a map on a shard of another installation.

import { FILL_BUCKETS, bucketOwners } from "./mysqlFence.js";
import { MysqlShardStore } from "./mysqlShard.js";
import type { Row } from "./mysqlTables.js";
import { decodeTopologyMap, encodeTopologyMap } from "./topology.js";
import type { ShardIdentity, ShardTopology, TopologyMap } from "./topology.js";

/** MySQL's "Unknown database" and "Table doesn't exist": the shard was never migrated (or not since format 3). */
const NOT_MIGRATED = new Set([1049, 1146]);

function notMigrated(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    if (NOT_MIGRATED.has((cause as { errno?: number }).errno ?? 0)) return true;
  }
  return false;
}

const READ_IDENTITY = "SELECT name, value FROM kvetch_meta WHERE name IN ('installation', 'shard')";
const READ_MAP = "SELECT body FROM kvetch_topology WHERE name = 'map'";

/** The identity kvetch_meta holds, or null unless it holds both rows. */
function identityOf(rows: readonly Row[]): ShardIdentity | null {
  const installation = rows.find((row) => row.name === "installation")?.value;
  const shard = rows.find((row) => row.name === "shard")?.value;
  if (typeof installation !== "string" || typeof shard !== "string" || !/^\d+$/.test(shard)) return null;
  return { installation, shardId: Number(shard) };
}

/** A MySQL shard that keeps the topology: MysqlShardStore plus readTopology, joinTopology and writeTopology. */
export class MysqlTopologyShard extends MysqlShardStore {
  async readTopology(): Promise<ShardTopology> {
    let rows: Row[][];
    try {
      rows = await this.query<Row[][]>("readTopology", `${READ_IDENTITY}; ${READ_MAP}`, []);
    } catch (error) {
      if (notMigrated(error)) return { migrated: false, identity: null, map: null };
      throw error;
    }
    const body = rows[1]![0]?.body;
    const topology = { migrated: true, identity: identityOf(rows[0]!), map: typeof body === "string" ? decodeTopologyMap(body, this.label) : null };
    // From now on the fence checks each bucket call against this shard's stored id (mysqlFence.ts).
    if (topology.identity !== null && topology.map !== null && topology.map.installation === topology.identity.installation) {
      this.bucketFence.self = topology.identity.shardId;
      this.bucketFence.buckets = topology.map.buckets;
    }
    return topology;
  }

  async joinTopology(identity: ShardIdentity): Promise<ShardIdentity> {
    const rows = await this.query<Row[][]>(
      "joinTopology",
      `INSERT INTO kvetch_meta (name, value) VALUES ('installation', ?), ('shard', ?) ON DUPLICATE KEY UPDATE value = value; ${READ_IDENTITY}`,
      [identity.installation, String(identity.shardId)],
    );
    return identityOf(rows[1]!)!;
  }

  async writeTopology(map: TopologyMap, expectVersion: number): Promise<TopologyMap> {
    const body = encodeTopologyMap(map);
    // Only a shard of the map's installation takes it (the SELECT gives no row otherwise); an update only
    // over a copy no newer than expectVersion (body first: its IF reads the old version).
    const rows = await this.query<Row[][]>(
      "writeTopology",
      `INSERT INTO kvetch_topology (name, version, body) SELECT 'map', ?, ? FROM kvetch_meta WHERE name = 'installation' AND value = ?
ON DUPLICATE KEY UPDATE body = IF(version <= ?, ?, body), version = IF(version <= ?, ?, version); ${FILL_BUCKETS} ${READ_MAP}`,
      [map.version, body, map.installation, expectVersion, body, expectVersion, map.version, map.version, bucketOwners(map.ranges), map.installation],
    );
    const stored = rows[2]![0]?.body;
    return typeof stored === "string" ? decodeTopologyMap(stored, this.label) : { ...map, version: 0, shards: [], ranges: [] };
  }
}
