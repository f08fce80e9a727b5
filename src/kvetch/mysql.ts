// The MySQL/MariaDB backend: one shard per connection URL (a database on a shared server or its own server),
// validated before anything connects; each Kvetch opens one MysqlShardStore (a pool) per shard.
// Never prints credentials; never accepts two shards on one database.

import type { BreakerOptions, KvetchBackend, KvetchCounters, RedisConfig, ShardStore } from "./backend.js";
import { KvetchError } from "./errors.js";
import { followMoves } from "./fenceFollow.js";
import { DEFAULT_SHARD_TIMEOUTS } from "./mysqlPool.js";
import type { ShardTimeouts } from "./mysqlPool.js";
import type { ShardAddress } from "./mysqlShard.js";
import { ShardMap } from "./shard.js";
import type { BucketRange } from "./shard.js";
import { MysqlSchemaLockShard } from "./schemaLockMysql.js";

export interface MysqlBackendOptions {
  /** One connection URL per physical shard, e.g. "mysql://root@127.0.0.1:3306/graphscale_0". */
  shards: readonly string[];
  /** Logical buckets (default 1024); must match the installation's once migrate created it. */
  buckets?: number;
  /** Bucket ranges → shard for the first migrate's map (default: equal ranges); after it, the stored map places. */
  ranges?: readonly BucketRange[];
  /** Optional Redis cache (a node URL or a Cluster's seed nodes). */
  redis?: RedisConfig;
  /** Connections per shard pool (default 10). */
  poolSize?: number;
  /** A round trip once its call is admitted ends within this (default 5000 ms); the server is told to stop first. */
  queryTimeoutMs?: number;
  /** Opening a pooled connection ends within this (default 2000 ms). */
  acquireTimeoutMs?: number;
  /** Calls that may wait for their turn per shard (a bound on memory); one more is OVERLOADED (default 10000). */
  queueLimit?: number;
  /** The longest a call waits for its turn, whatever its request's deadline; then OVERLOADED (default 10000 ms). */
  queueTimeoutMs?: number;
  /** The per-shard circuit breaker (default { failureThreshold: 3, probeIntervalMs: 1000 }); false for none. */
  breaker?: BreakerOptions | false;
}

function positiveInteger(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new KvetchError("BAD_CONFIG", `mysqlBackend ${name} must be a positive integer, got ${value}`);
  return value;
}

function parseShardUrl(url: unknown, index: number): ShardAddress {
  let parsed: URL;
  try {
    if (typeof url !== "string") throw new Error("not a string");
    parsed = new URL(url);
  } catch {
    throw new KvetchError(
      "BAD_CONFIG",
      `mysqlBackend shards[${index}] is not a URL; expected e.g. "mysql://root@127.0.0.1:3306/graphscale_${index}"`,
    );
  }
  if (parsed.protocol !== "mysql:" && parsed.protocol !== "mariadb:") {
    throw new KvetchError("BAD_CONFIG", `mysqlBackend shards[${index}] must start with mysql://, got ${parsed.protocol}//`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database || database.includes("/")) {
    throw new KvetchError(
      "BAD_CONFIG",
      `mysqlBackend shards[${index}] names no database; add one after the host, e.g. mysql://${parsed.host}/graphscale_${index}`,
    );
  }
  parsed.protocol = "mysql:";
  return { url: parsed.toString(), database, label: `${parsed.host}/${database}` };
}

/** mysqlBackend: one shard per URL; pools are opened by each Kvetch instance and closed by kvetch.close(). */
export function mysqlBackend(options: MysqlBackendOptions): KvetchBackend {
  if (!options || !Array.isArray(options.shards) || options.shards.length === 0) {
    throw new KvetchError("BAD_CONFIG", `mysqlBackend needs shards: a non-empty list of mysql:// URLs, one per shard`);
  }
  const addresses = options.shards.map(parseShardUrl);
  const seen = new Map<string, number>();
  for (let i = 0; i < addresses.length; i++) {
    const before = seen.get(addresses[i]!.label);
    if (before !== undefined) {
      throw new KvetchError("BAD_CONFIG", `mysqlBackend shards[${i}] repeats shards[${before}] (${addresses[i]!.label}); each shard needs its own database`);
    }
    seen.set(addresses[i]!.label, i);
  }
  const shardMap = new ShardMap({ shards: addresses.length, buckets: options.buckets, ranges: options.ranges });
  const poolSize = positiveInteger(options.poolSize, "poolSize", 10);
  const timeouts: ShardTimeouts = {
    queryTimeoutMs: positiveInteger(options.queryTimeoutMs, "queryTimeoutMs", DEFAULT_SHARD_TIMEOUTS.queryTimeoutMs),
    acquireTimeoutMs: positiveInteger(options.acquireTimeoutMs, "acquireTimeoutMs", DEFAULT_SHARD_TIMEOUTS.acquireTimeoutMs),
    queueLimit: positiveInteger(options.queueLimit, "queueLimit", DEFAULT_SHARD_TIMEOUTS.queueLimit),
    queueTimeoutMs: positiveInteger(options.queueTimeoutMs, "queueTimeoutMs", DEFAULT_SHARD_TIMEOUTS.queueTimeoutMs),
  };
  return {
    kind: "mysql",
    shardMap,
    redis: options.redis ?? null,
    breaker: options.breaker,
    openShards(counters: KvetchCounters): ShardStore[] {
      // Each shard checks its buckets itself; a refusal is followed to the shard that serves them now.
      return followMoves(addresses.map((address, shard) => new MysqlSchemaLockShard(shard, address, poolSize, timeouts, counters)), counters);
    },
  };
}
