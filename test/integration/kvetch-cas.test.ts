// Compare-and-set across processes on 4 MySQL shards + Redis: read-then-write increments with ifVersion from
// two OS processes (this one and a child running casIncrements.ts through tsx) lose nothing — every
// increment is either applied or retried after a CONFLICT — and a refused update leaves its row untouched.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, mysqlBackend } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { increments, type IncrementReport } from "./casIncrements.js";
import { REDIS_URL, cacheConnected, deleteKeys, dropDatabases, onDatabase, serversUp, shardUrls, testDatabases, testKeyPrefix, testWhen } from "./kvetch-servers.js";

const databases = testDatabases("cas");
const up = await serversUp("test/integration/kvetch-cas.test.ts", { mysql: true, redis: true });
const serverTest = testWhen(up);
const keyPrefix = testKeyPrefix("cas");
const redis = { url: REDIS_URL, keyPrefix };

function open(): Kvetch {
  return new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis }) });
}

/** Runs casIncrements.ts as its own OS process; its report. */
function childIncrements(id: string, count: number, workers: number): Promise<IncrementReport> {
  const script = fileURLToPath(new URL("./casIncrements.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify({ shards: shardUrls(databases), redis, id, count, workers })], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out) as IncrementReport) : reject(new Error(`the incrementing process exited with ${code}: ${err}`))));
  });
}

/** The counter's row as stored on its shard: version and n. */
async function storedRow(kvetch: Kvetch, id: string): Promise<{ version: number; n: number }> {
  return onDatabase(databases[kvetch.shardOf(id)]!, async (connection) => {
    const [rows] = await connection.query("SELECT version, body FROM objects WHERE id = UNHEX(REPLACE(?, '-', ''))", [id]);
    const row = (rows as { version: number; body: string | Record<string, unknown> }[])[0]!;
    const body = typeof row.body === "string" ? (JSON.parse(row.body) as Record<string, unknown>) : row.body;
    return { version: Number(row.version), n: body.n as number };
  });
}

serverTest("600 read-then-write increments with ifVersion from two processes (300 each, 4 at once in each): 0 lost", async () => {
  const kvetch = open();
  try {
    await kvetch.migrate();
    await cacheConnected(kvetch);
    const counter = await kvetch.createObject("User", { username: "counter", n: 0 });
    const [mine, theirs] = await Promise.all([increments(kvetch, counter.id, 300, 4), childIncrements(counter.id, 300, 4)]);
    console.log(`  applied ${mine.applied} + ${theirs.applied}; CONFLICTs retried ${mine.conflicts} + ${theirs.conflicts}`);
    assert.equal([mine.applied, theirs.applied], [300, 300]);
    assert.ok(mine.conflicts + theirs.conflicts > 0, "the two processes did race (a CONFLICT was met and retried)");
    assert.equal(await storedRow(kvetch, counter.id), { version: 601, n: 600 }, "every applied increment is in the row: none lost");
    const read = (await kvetch.getObject(counter.id))!;
    assert.equal([read.version, read.data.n], [601, 600]);
  } finally {
    await kvetch.close();
  }
});

serverTest("a stale ifVersion on MySQL: CONFLICT with the current version; the row, its index entry and the cache are unchanged", async () => {
  const kvetch = open();
  const other = open();
  try {
    await kvetch.migrate();
    await Promise.all([cacheConnected(kvetch), cacheConnected(other)]);
    const user = await kvetch.createObject("User", { username: "cas-a", n: 0 });
    await other.updateObject("User", user.id, { n: 1 }, { ifVersion: 1 });
    await kvetch.getObject(user.id); // cached at version 2
    kvetch.resetCounters();
    const error = await kvetch.updateObject("User", user.id, { username: "cas-b" }, { ifVersion: 1 }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    assert.instance(error, KvetchError);
    assert.equal([(error as KvetchError).code, (error as KvetchError).currentVersion], ["CONFLICT", 2]);
    assert.is(kvetch.counters.shardQueries.reduce((a, b) => a + b, 0), 1, "one read of the shard; no write");
    assert.equal(Object.values(kvetch.counters.cacheRoundTrips).reduce((a, b) => a + b, 0), 0, "no invalidation");
    assert.equal(await storedRow(kvetch, user.id), { version: 2, n: 1 });
    assert.equal((await kvetch.queryIndex("username", ["cas-b"]))[0]!.edges, []);
    assert.equal((await kvetch.queryIndex("username", ["cas-a"]))[0]!.edges.map((e) => e.targetId), [user.id]);
    const [fromOther] = await other.getObjects([user.id]);
    assert.equal([fromOther!.version, fromOther!.data], [2, { username: "cas-a", n: 1 }]);
  } finally {
    await Promise.all([kvetch.close(), other.close()]);
  }
});

test.after(async () => {
  if (!up) return;
  await deleteKeys(keyPrefix);
  await dropDatabases(databases);
});

test.run();
