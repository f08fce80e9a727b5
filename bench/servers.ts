// The local servers the MySQL sections of the bench use (MariaDB/MySQL on 127.0.0.1:3306, Redis on :6379):
// whether they answer, the names of what a section creates (benchStore), and dropping it. Never starts a
// server (`npm run services` does).

import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { holdRunLock, sweepAbandonedRuns } from "../test/integration/abandonedRuns.js";

export const MYSQL = { host: "127.0.0.1", port: 3306 };
export const REDIS_URL = "redis://127.0.0.1:6379";
const MYSQL_URI = `mysql://root@${MYSQL.host}:${MYSQL.port}`;

/** This bench process's run id: in the name of every database and Redis key its sections make (benchStore). */
export const BENCH_RUN = `${process.pid.toString(36)}${randomBytes(3).toString("hex")}`;

/** One section's shard databases and Redis key prefix. */
export interface BenchStore {
  readonly databases: string[];
  readonly keyPrefix: string;
}

let stores = 0;
let claimed: Promise<void> | null = null;

/**
 * The names for one store of a section: databases `graphscale_bench_<kind><k>_<run>_<n>` and keys under
 * `graphscale-bench:<kind><k>:<run>:` (k counts this process's stores, so no two share a name). First, once
 * per process, the run is claimed as a test run is (test/integration/abandonedRuns.ts): a MySQL named lock
 * held for the process's life and a record of the run, so that a bench killed before its own cleanup
 * (SIGKILL, a crash) leaves databases and keys the next bench or test process drops; and that sweep is made
 * here. Without MySQL the claim is skipped (the section then finds MySQL down itself).
 */
export async function benchStore(kind: string, shards: number): Promise<BenchStore> {
  if (!/^[a-z][0-9a-z]*$/.test(kind)) throw new Error(`benchStore: kind "${kind}" must be lower-case letters and digits`);
  await (claimed ??= claimRun());
  const name = `${kind}${stores++}`;
  return {
    databases: Array.from({ length: shards }, (_, n) => `graphscale_bench_${name}_${BENCH_RUN}_${n}`),
    keyPrefix: `graphscale-bench:${name}:${BENCH_RUN}:`,
  };
}

async function claimRun(): Promise<void> {
  if (!(await reachable(MYSQL.host, MYSQL.port))) return;
  const redisUp = await reachable("127.0.0.1", 6379);
  try {
    await holdRunLock(MYSQL_URI, BENCH_RUN);
    const swept = await sweepAbandonedRuns(MYSQL_URI, redisUp ? REDIS_URL : null, BENCH_RUN);
    if (swept.databases.length > 0 || swept.keys > 0) {
      console.log(`swept ${swept.runs.length} abandoned run(s) (${swept.runs.join(", ")}): ${swept.databases.length} database(s), ${swept.keys} Redis key(s)`);
    }
  } catch (error) {
    // Housekeeping only: the bench runs without it (this run is then never swept).
    console.log(`bench run ${BENCH_RUN}: no run lock or sweep (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Whether a TCP server answers at host:port within a second. */
export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** The shard URLs of `databases` on the local MySQL server. */
export function shardUrls(databases: readonly string[]): string[] {
  return databases.map((d) => `mysql://root@${MYSQL.host}:${MYSQL.port}/${d}`);
}

/** Drops `databases` (those that exist) on the local MySQL server. */
export async function dropDatabases(databases: readonly string[]): Promise<void> {
  const mysql = await import("mysql2/promise");
  const connection = await mysql.createConnection({ ...MYSQL, user: "root" });
  try {
    for (const name of databases) await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}

/** Deletes the Redis keys under `prefix`. */
export async function deleteKeys(prefix: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
