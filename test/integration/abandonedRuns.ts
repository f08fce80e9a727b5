// Test runs killed before their own cleanup (SIGKILL, a crash, a machine reset) leave their databases and
// Redis keys behind. Each test process that reaches MySQL holds a named lock for its whole life, on a
// connection of its own, and then records its run id in a registry table; the server frees the lock when that
// connection closes, which a killed process's does. A run whose id is recorded and whose lock is free is
// over, so its databases (`graphscale_<name>_<runid>_<n>`) and Redis keys (`graphscale-test:<name>:<runid>:`,
// `graphscale-bench:<name>:<runid>:`) can go: every test process sweeps such runs once its own lock is held.
// A bench process claims its run the same way (bench/servers.ts, benchStore), so a killed bench's databases
// go too. Nothing else is touched: databases of runs never recorded (a bench of older code, a live run's) stay.

import mysql from "mysql2/promise";
import { Redis } from "ioredis";

/** The registry database: one row per test run that took its lock. */
export const RUN_REGISTRY = "graphscale_test_runs";

/** What a run id looks like (kvetch-servers.ts's RUN_ID): only such ids are swept, and put into patterns. */
const RUN_ID_SHAPE = /^[0-9a-z]+$/;

/** The named lock a run holds while it lives. */
export function runLockName(runId: string): string {
  return `graphscale-test-run:${runId}`;
}

/** What one sweep removed. */
export interface SweepReport {
  readonly runs: string[];
  readonly databases: string[];
  readonly keys: number;
}

/** The locks this process holds, by run id (a test process that also names bench stores holds two). */
const held = new Map<string, Promise<void>>();

/**
 * Takes run `runId`'s lock (once per process and run) and records the run. The lock's connection never keeps the
 * process alive (its socket is unref'd), never times out while the run lives (its session's wait_timeout is
 * a year), and its errors are ignored: a run whose lock connection dropped is swept as over, so nothing in a
 * test may close other sessions' connections.
 */
export function holdRunLock(server: string, runId: string): Promise<void> {
  let lock = held.get(runId);
  if (lock === undefined) held.set(runId, (lock = takeLock(server, runId)));
  return lock;
}

async function takeLock(server: string, runId: string): Promise<void> {
  const connection = await mysql.createConnection({ uri: server, enableKeepAlive: true });
  const core = (connection as unknown as { connection: unknown }).connection as { on(event: "error", listener: () => void): void; stream: { unref(): void } };
  core.on("error", () => {});
  await connection.query("SET SESSION wait_timeout = 31536000");
  const [rows] = await connection.query("SELECT GET_LOCK(?, 0) AS got", [runLockName(runId)]);
  if (Number((rows as { got: unknown }[])[0]?.got) !== 1) throw new Error(`test run ${runId}: its lock ${runLockName(runId)} is held by another session`);
  // Recorded only once the lock is held: a recorded run with a free lock has ended.
  await connection.query(`CREATE DATABASE IF NOT EXISTS ${RUN_REGISTRY}`);
  await connection.query(`CREATE TABLE IF NOT EXISTS ${RUN_REGISTRY}.runs (run_id VARCHAR(40) PRIMARY KEY, started TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
  await connection.query(`INSERT IGNORE INTO ${RUN_REGISTRY}.runs (run_id) VALUES (?)`, [runId]);
  core.stream.unref();
}

/** Whether a database name is one of run `runId`'s: `graphscale_<name>_<runid>_<n>`. */
export function isRunDatabase(name: string, runId: string): boolean {
  return RUN_ID_SHAPE.test(runId) && new RegExp(`^graphscale_[0-9a-z_]+_${runId}_\\d+$`).test(name);
}

/**
 * Drops the databases and deletes the Redis keys of every recorded run whose lock is free, other than
 * `self`, then forgets the run: always, so that the records stay few. Without Redis (`redisUrl` null, or
 * Redis failing meanwhile) its keys are left.
 */
export async function sweepAbandonedRuns(server: string, redisUrl: string | null, self: string): Promise<SweepReport> {
  const report: SweepReport = { runs: [], databases: [], keys: 0 };
  const connection = await mysql.createConnection({ uri: server });
  try {
    const [tables] = await connection.query("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'runs'", [RUN_REGISTRY]);
    if ((tables as unknown[]).length === 0) return report;
    const [runs] = await connection.query(`SELECT run_id FROM ${RUN_REGISTRY}.runs`);
    for (const { run_id: runId } of runs as { run_id: string }[]) {
      if (runId === self || !RUN_ID_SHAPE.test(runId)) continue;
      const [free] = await connection.query("SELECT IS_FREE_LOCK(?) AS free", [runLockName(runId)]);
      if (Number((free as { free: unknown }[])[0]?.free) !== 1) continue;
      const [schemas] = await connection.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?", [`graphscale\\_%\\_${runId}\\_%`]);
      for (const { name } of schemas as { name: string }[]) {
        if (!isRunDatabase(name, runId)) continue;
        await connection.query("DROP DATABASE IF EXISTS ??", [name]);
        report.databases.push(name);
      }
      if (redisUrl !== null) {
        try {
          (report as { keys: number }).keys += await deleteRunKeys(redisUrl, runId);
        } catch {
          // Redis went away meanwhile: the run's keys stay (every key a test writes is under its prefix).
        }
      }
      await connection.query(`DELETE FROM ${RUN_REGISTRY}.runs WHERE run_id = ?`, [runId]);
      report.runs.push(runId);
    }
  } finally {
    await connection.end();
  }
  return report;
}

/** Deletes the keys `graphscale-test:<name>:<runid>:…` and `graphscale-bench:<name>:<runid>:…` of one run; throws when Redis cannot be reached. */
async function deleteRunKeys(url: string, runId: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 1000, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await deleteMatching(redis, `graphscale-test:*:${runId}:*`)) + (await deleteMatching(redis, `graphscale-bench:*:${runId}:*`));
  } finally {
    redis.disconnect();
  }
}

/** Deletes the keys matching a SCAN pattern, but those `keep` says to keep; returns how many went. */
export async function deleteMatching(redis: Redis, pattern: string, keep?: (key: string) => boolean): Promise<number> {
  let deleted = 0;
  let cursor = "0";
  do {
    let [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keep) keys = keys.filter((key) => !keep(key));
    if (keys.length === 0) continue;
    // one DEL per key: on a Cluster node the keys of one scan belong to many slots
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.del(key);
    for (const [error, count] of (await pipeline.exec()) ?? []) if (!error) deleted += count as number;
  } while (cursor !== "0");
  return deleted;
}
