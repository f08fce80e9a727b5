// A test run killed before its cleanup (SIGKILL) leaves databases and Redis keys; the next test process that
// reaches MySQL drops and deletes them (abandonedRuns.ts), as it does a killed bench process's (bench/servers.ts).
// A live run's are never touched, nor databases of runs that never took a lock.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as assert from "uvu/assert";
import { test } from "uvu";
import mysql from "mysql2/promise";
import { Redis } from "ioredis";
import { MYSQL_SERVER, REDIS_URL, RUN_ID, deleteKeys, dropDatabases, serversUp, testDatabases, testKeyPrefix, testWhen } from "./kvetch-servers.js";
import { RUN_REGISTRY, isRunDatabase, runLockName, sweepAbandonedRuns } from "./abandonedRuns.js";

const FILE = "test/integration/abandoned-runs.test.ts";
const up = await serversUp(FILE, { mysql: true, redis: true });
const it = testWhen(up);

async function query<T>(sql: string, values: unknown[] = []): Promise<T[]> {
  const connection = await mysql.createConnection({ uri: MYSQL_SERVER });
  try {
    return (await connection.query(sql, values))[0] as T[];
  } finally {
    await connection.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  return (await query("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [name])).length === 1;
}

async function recorded(runId: string): Promise<boolean> {
  return (await query(`SELECT 1 FROM ${RUN_REGISTRY}.runs WHERE run_id = ?`, [runId])).length === 1;
}

async function keyExists(key: string): Promise<boolean> {
  const redis = new Redis(REDIS_URL);
  try {
    return (await redis.exists(key)) === 1;
  } finally {
    redis.disconnect();
  }
}

/** Starts a child run (a test process, or a bench process) and resolves with it and its run id once it made its database and key. */
function startChild(kind: "test" | "bench" = "test"): Promise<{ child: ReturnType<typeof spawn>; runId: string }> {
  const script = fileURLToPath(new URL(kind === "test" ? "./abandonedRunChild.ts" : "./abandonedBenchChild.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => /^[0-9a-z]+$/.test(l));
      if (line !== undefined && out.includes("\n")) resolve({ child, runId: line });
    });
    child.on("exit", (code) => reject(new Error(`the child run exited (${code}) before it was ready: ${err}`)));
  });
}

/** SIGKILLs a child run and waits until the server has freed its lock (it sees the connection closed). */
async function kill(child: ReturnType<typeof spawn>, runId: string): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  for (let i = 0; i < 100; i++) {
    const [row] = await query<{ free: unknown }>("SELECT IS_FREE_LOCK(?) AS free", [runLockName(runId)]);
    if (Number(row!.free) === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the lock of killed run ${runId} was never freed`);
}

it("names: only graphscale_<name>_<runid>_<n> of that very run id", () => {
  assert.ok(isRunDatabase("graphscale_test_k3x9a1b2c3_0", "k3x9a1b2c3"));
  assert.ok(isRunDatabase("graphscale_proc_k3x9a1b2c3_4", "k3x9a1b2c3"));
  assert.not.ok(isRunDatabase("graphscale_test_zk3x9a1b2c3_0", "k3x9a1b2c3"), "another run id ending in this one");
  assert.not.ok(isRunDatabase("graphscale_test_k3x9a1b2c3_x", "k3x9a1b2c3"));
  assert.not.ok(isRunDatabase(RUN_REGISTRY, "runs"));
});

it("a run killed with SIGKILL leaves its database and key; the next sweep removes them, never a live run's or an unrecorded one's", async () => {
  const mine = testDatabases("sweeper")[0]!;
  const stranger = `graphscale_bench_${RUN_ID}9_0`; // a run id never recorded: untouched
  await query("CREATE DATABASE ??", [mine]);
  await query("CREATE DATABASE ??", [stranger]);
  const { child, runId } = await startChild();
  const theirs = `graphscale_abandoned_${runId}_0`;
  const key = `${testKeyPrefix("abandoned").replace(RUN_ID, runId)}left`;
  try {
    assert.ok(await databaseExists(theirs), "the child made its database");
    assert.ok(await recorded(runId), "the child recorded its run");
    // While the child lives its lock is held: a sweep leaves its database and key.
    const whileAlive = await sweepAbandonedRuns(MYSQL_SERVER, REDIS_URL, RUN_ID);
    assert.not.ok(whileAlive.runs.includes(runId));
    assert.ok(await databaseExists(theirs));
    assert.ok(await keyExists(key));

    await kill(child, runId);
    assert.ok(await databaseExists(theirs), "a killed run's database is left behind");

    // The next test process's serversUp sweeps it: a second child run, started now.
    const next = await startChild();
    const nextDatabase = `graphscale_abandoned_${next.runId}_0`;
    try {
      assert.not.ok(await databaseExists(theirs), "its database is dropped");
      assert.not.ok(await keyExists(key), "its Redis key is deleted");
      assert.not.ok(await recorded(runId), "and the run forgotten");
      // A sweep called directly finds the second child's run over once it is killed, and says what it removed.
      await kill(next.child, next.runId);
      const swept = await sweepAbandonedRuns(MYSQL_SERVER, REDIS_URL, RUN_ID);
      // Another test process starting meanwhile may have swept it first (every one sweeps).
      if (swept.runs.includes(next.runId)) {
        assert.equal(swept.databases.filter((name) => name.includes(next.runId)), [nextDatabase]);
        assert.ok(swept.keys >= 1, "the second child's key is deleted");
      }
      assert.not.ok(await databaseExists(nextDatabase));
      assert.not.ok(await recorded(next.runId));
    } finally {
      if (next.child.exitCode === null && next.child.signalCode === null) next.child.kill("SIGKILL");
      await dropDatabases([nextDatabase]);
    }
    assert.ok(await databaseExists(mine), "this (live) run's database stays");
    assert.ok(await databaseExists(stranger), "a database of a run never recorded stays");
    assert.ok(await recorded(RUN_ID), "this run stays recorded");
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await dropDatabases([mine, stranger, theirs]);
  }
});

it("a bench process killed with SIGKILL leaves its store's database and key; a sweep removes them once its lock is free", async () => {
  const { child, runId } = await startChild("bench");
  const database = `graphscale_bench_abandoned0_${runId}_0`;
  const key = `graphscale-bench:abandoned0:${runId}:left`;
  try {
    assert.ok(await databaseExists(database), "the bench child made its store's first database");
    assert.ok(await keyExists(key), "and its key");
    assert.ok(await recorded(runId), "benchStore recorded the bench's run");
    const whileAlive = await sweepAbandonedRuns(MYSQL_SERVER, REDIS_URL, RUN_ID);
    assert.not.ok(whileAlive.runs.includes(runId), "a live bench is not swept");
    assert.ok(await databaseExists(database));

    await kill(child, runId);
    assert.ok(await databaseExists(database), "a killed bench's database is left behind");
    const swept = await sweepAbandonedRuns(MYSQL_SERVER, REDIS_URL, RUN_ID);
    // Another test process starting meanwhile may have swept it first (every one sweeps).
    if (swept.runs.includes(runId)) {
      assert.equal(swept.databases.filter((name) => name.includes(runId)), [database]);
      assert.ok(swept.keys >= 1, "its key is deleted");
    }
    assert.not.ok(await databaseExists(database), "its database is dropped");
    assert.not.ok(await keyExists(key), "its Redis key is deleted");
    assert.not.ok(await recorded(runId), "and the run forgotten");
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await dropDatabases([database]);
    await deleteKeys(`graphscale-bench:abandoned0:${runId}:`);
  }
});

if (up) test.run();
