// Where the Kvetch integration tests find MySQL and Redis, and what they do when a server is missing:
// without CI, print how to start it and register no tests; with CI=true, register one failing test.
// Also names, creates and drops the test databases and Redis keys of this run only: every name carries a
// per-process run id, so two runs on one machine never touch each other's data. Once MySQL is reachable a
// test process holds its run's lock and sweeps what runs killed before their cleanup left (abandonedRuns.ts).

import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { test } from "uvu";
import mysql from "mysql2/promise";
import { Redis } from "ioredis";
import { mysqlBackend } from "../../src/kvetch/index.js";
import { deleteMatching, holdRunLock, sweepAbandonedRuns } from "./abandonedRuns.js";
import type { Kvetch, KvetchBackend, RedisConfig } from "../../src/kvetch/index.js";

/** Server root (no database); override with GRAPHSCALE_TEST_MYSQL. */
export const MYSQL_SERVER = process.env.GRAPHSCALE_TEST_MYSQL ?? "mysql://root@127.0.0.1:3306";
/** Override with GRAPHSCALE_TEST_REDIS. */
export const REDIS_URL = process.env.GRAPHSCALE_TEST_REDIS ?? "redis://127.0.0.1:6379";

/** Short and unique per test process (each test file runs in its own process). */
export const RUN_ID = `${process.pid.toString(36)}${randomBytes(3).toString("hex")}`;

/** Four shard database names of this run: `graphscale_<name>_<runid>_0..3`. */
export function testDatabases(name = "test"): string[] {
  return [0, 1, 2, 3].map((i) => `graphscale_${name}_${RUN_ID}_${i}`);
}

/** The four shard databases of the integration tests (dropped by each file when it is done). */
export const TEST_DATABASES = testDatabases();

export function shardUrls(databases: readonly string[] = TEST_DATABASES): string[] {
  return databases.map((name) => `${MYSQL_SERVER.replace(/\/+$/, "")}/${name}`);
}

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || "127.0.0.1", port: Number(port || defaultPort) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Whether the servers a test file needs are up. When not: under CI=true one failing test is registered and
 * run (a missing server is a failure there); otherwise a message says how to start them and no test runs.
 */
export async function serversUp(file: string, needs: { mysql?: boolean; redis?: boolean }): Promise<boolean> {
  const missing: string[] = [];
  if (needs.mysql && !(await reachable(MYSQL_SERVER, 3306))) missing.push(`MySQL/MariaDB at ${new URL(MYSQL_SERVER).host}`);
  if (needs.redis && !(await reachable(REDIS_URL, 6379))) missing.push(`Redis at ${new URL(REDIS_URL).host}`);
  if (missing.length === 0) {
    await startRun(needs);
    return true;
  }
  const message =
    `${file}: ${missing.join(" and ")} not reachable. Start them with \`npm run services\` ` +
    `(or point GRAPHSCALE_TEST_MYSQL / GRAPHSCALE_TEST_REDIS at running servers).`;
  if (process.env.CI === "true") {
    test(`${file}: servers are reachable (required under CI)`, () => {
      throw new Error(message);
    });
    test.run();
  } else {
    console.log(`SKIPPED ${message}`);
  }
  return false;
}

let started: Promise<void> | null = null;

/**
 * This process's run lock, then one sweep of abandoned runs (their databases and keys), printed when it
 * removed any (a run that ended cleanly left only its record, forgotten silently). Only where MySQL is
 * reachable: a run that never took its lock is never swept. A failure is printed and the tests go on.
 */
function startRun(needs: { mysql?: boolean; redis?: boolean }): Promise<void> {
  return (started ??= (async () => {
    // serversUp found what the file needs reachable; only what it does not need is asked now.
    if (!needs.mysql && !(await reachable(MYSQL_SERVER, 3306))) return;
    const redisUp = needs.redis === true || (await reachable(REDIS_URL, 6379));
    try {
      await holdRunLock(MYSQL_SERVER, RUN_ID);
      const swept = await sweepAbandonedRuns(MYSQL_SERVER, redisUp ? REDIS_URL : null, RUN_ID);
      if (swept.databases.length > 0 || swept.keys > 0) {
        console.log(`swept ${swept.runs.length} abandoned test run(s) (${swept.runs.join(", ")}): ${swept.databases.length} database(s), ${swept.keys} Redis key(s)`);
      }
    } catch (error) {
      // Housekeeping only: the tests run without it (this run is then never swept, nor does it sweep).
      console.log(`test run ${RUN_ID}: no run lock or sweep (${error instanceof Error ? error.message : String(error)})`);
    }
  })());
}

/**
 * A file's `test` when its servers are up; otherwise a `test` that registers nothing, so the runner counts
 * the file as skipped (serversUp printed why) instead of counting bodies that never ran as passed.
 */
export function testWhen(up: boolean): (name: string, body: () => Promise<void> | void) => void {
  return (name, body) => {
    if (up) test(name, body);
  };
}

/** The server's max_allowed_packet, in bytes. */
export async function maxAllowedPacket(): Promise<number> {
  const connection = await mysql.createConnection({ uri: MYSQL_SERVER });
  try {
    const [rows] = await connection.query("SELECT @@max_allowed_packet AS m");
    return Number((rows as { m: unknown }[])[0]!.m);
  } finally {
    await connection.end();
  }
}

/** Drops the databases (the store's migrate creates them again). */
export async function dropDatabases(databases: readonly string[] = TEST_DATABASES): Promise<void> {
  const connection = await mysql.createConnection({ uri: MYSQL_SERVER });
  try {
    for (const name of databases) await connection.query("DROP DATABASE IF EXISTS ??", [name]);
  } finally {
    await connection.end();
  }
}

/** Empties every Kvetch table of the databases (DELETE: much faster than TRUNCATE on tiny tables). */
export async function truncateDatabases(databases: readonly string[] = TEST_DATABASES): Promise<void> {
  const connection = await mysql.createConnection({ uri: MYSQL_SERVER, multipleStatements: true });
  try {
    for (const name of databases) {
      await connection.query(
        "DELETE FROM ??.objects; DELETE FROM ??.edges; DELETE FROM ??.edge_counts; DELETE FROM ??.index_entries;",
        [name, name, name, name],
      );
    }
  } finally {
    await connection.end();
  }
}

/** Runs SQL on one test database (for tests that break the store on purpose). */
export async function onDatabase<T>(database: string, run: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri: `${MYSQL_SERVER.replace(/\/+$/, "")}/${database}` });
  try {
    return await run(connection);
  } finally {
    await connection.end();
  }
}

/** A key prefix no other run uses, so tests never touch anyone else's keys. */
export function testKeyPrefix(name: string): string {
  return `graphscale-test:${name}:${RUN_ID}:`;
}

/**
 * A fixture for runBackendContractSuite on MySQL (4 databases of this run), optionally with a cache:
 * the first backend starts from dropped databases, later ones from emptied tables and cache keys;
 * close drops the databases and deletes the keys.
 */
export function mysqlContractFixture(redis?: RedisConfig, deleteCacheKeys?: () => Promise<void>): {
  makeBackend(): Promise<KvetchBackend>;
  prepare?(kvetch: Kvetch): Promise<void>;
  close(): Promise<void>;
} {
  let migrated = false;
  return {
    async makeBackend() {
      if (migrated) await truncateDatabases();
      else await dropDatabases();
      migrated = true;
      await deleteCacheKeys?.();
      return mysqlBackend({ shards: shardUrls(), redis });
    },
    prepare: redis === undefined ? undefined : cacheConnected,
    async close() {
      await dropDatabases();
      await deleteCacheKeys?.();
    },
  };
}

/**
 * Deletes the keys under `prefix` (and nothing else). A store that stays open over it sees its Redis as
 * replaced (the write counter went back) and flushes; deleteCacheEntries keeps what says it was not.
 */
export async function deleteKeys(prefix: string, url = REDIS_URL, keep?: (key: string) => boolean): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await deleteMatching(redis, `${prefix}*`, keep);
  } finally {
    redis.disconnect();
  }
}

/**
 * Deletes the cache entries and versions under `prefix` but keeps the keys of the epoch's slot (epoch, write
 * counter, identity): as if every entry had expired, so an open store goes on using its cache.
 */
export function deleteCacheEntries(prefix: string, url = REDIS_URL): Promise<number> {
  return deleteKeys(prefix, url, (key) => key.startsWith(`${prefix}{epoch}:`));
}

/** Waits until a read goes through the store's cache (connected, and for a Cluster, slots known). */
export async function cacheConnected(kvetch: Kvetch): Promise<void> {
  const probe = "00000000-0000-7000-8000-000000000000";
  for (let i = 0; i < 200; i++) {
    kvetch.resetCounters();
    await kvetch.getObjects([probe]);
    if (Object.keys(kvetch.counters.cacheRoundTrips).length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the cache never became ready: is Redis up?");
}

/** Until `listener` hears `writer`'s announcements: a write made before its subscription is confirmed is never heard. */
export async function subscribed(writer: Kvetch, listener: Kvetch): Promise<void> {
  const probe = "object:00000000-0000-7000-8000-00000000feed";
  let heard = false;
  const stop = listener.onInvalidate((change) => void (heard ||= change !== null && change.touches(probe)));
  for (let t = 0; !heard && t < 200; t++) {
    await writer.invalidateDependency(probe);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  stop();
  if (!heard) throw new Error("the listening instance never heard an invalidation announced by the writing one");
}
