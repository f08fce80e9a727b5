// A Redis restarted from a snapshot taken before 20 writes, given its old keys back while running, or SIGKILLed
// under load and restarted empty never serves an entry from before, in this process or a child process, and
// every version held from before reads as moved. Starts its own redis-server; never touches the shared one.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Redis } from "ioredis";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { dropDatabases, serversUp, shardUrls, testDatabases, testKeyPrefix, testWhen } from "./kvetch-servers.js";
import { OwnRedis, eventually, redisServerInstalled, sum } from "./ownRedis.js";
import { StoreProcess } from "./storeProcess.js";

const databases = testDatabases("identity");
const up = (await serversUp("test/integration/kvetch-redis-identity.test.ts", { mysql: true, redis: true })) && redisServerInstalled();
const it = testWhen(up);


interface Scene {
  redis: OwnRedis;
  a: Kvetch;
  b: StoreProcess;
  prefix: string;
  users: string[];
  lists: string[];
}

/** 20 users with one list each (title "v1"), read through the cache by both processes. */
async function scene(name: string): Promise<Scene> {
  const redis = new OwnRedis();
  await redis.start();
  const prefix = testKeyPrefix(name);
  const config = { url: redis.url, keyPrefix: prefix };
  const a = new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis: config }) });
  await a.migrate();
  const b = new StoreProcess(shardUrls(databases), config);
  try {
    return await fill({ redis, a, b, prefix, users: [], lists: [] }, name);
  } catch (error) {
    await end({ redis, a, b, prefix, users: [], lists: [] });
    throw error;
  }
}

async function fill(s: Scene, name: string): Promise<Scene> {
  const { a, b } = s;
  const users = (await a.createObjects(Array.from({ length: 20 }, (_, i) => ({ type: "User", data: { username: `${name}${i}` } })))).map((u) => u.id);
  const lists = (await a.createObjects(users.map((userId) => ({ type: "TodoList", data: { userId, title: "v1" } })))).map((l) => l.id);
  await eventually(async () => (await a.health()).cache!.ok && (await b.health()).ok, "both processes to use the cache");
  // Cached in Redis: both processes read (and fill) every list and every user's edge list.
  for (let round = 0; round < 2; round++) {
    assert.equal((await a.getObjects(lists)).map((l) => l!.data.title), lists.map(() => "v1"));
    assert.equal(await b.titles(lists), lists.map(() => "v1"));
    assert.equal(await b.lists(users), lists.map((l) => [l]));
  }
  return { ...s, users, lists };
}

/** The 20 writes: every list renamed "v2" and moved to the next user. */
async function twentyWrites({ a, users, lists }: Scene): Promise<void> {
  for (let i = 0; i < 20; i++) await a.updateObject("TodoList", lists[i]!, { title: "v2", userId: users[(i + 1) % 20]! });
}

/** Stale reads (a title other than "v2", a list not moved) by both processes; also fills the cache again. */
async function staleReads({ a, b, users, lists }: Scene): Promise<number> {
  const moved = users.map((_, i) => [lists[(i + 19) % 20]!]);
  let stale = 0;
  const titlesA = (await a.getObjects(lists)).map((l) => l?.data.title ?? null);
  const titlesB = await b.titles(lists);
  const listsA = (await a.getEdges("user_to_list", users, { verify: false })).map((page) => page!.edges.map((e) => e.toId));
  const listsB = await b.lists(users);
  for (let i = 0; i < 20; i++) {
    if (titlesA[i] !== "v2") stale++;
    if (titlesB[i] !== "v2") stale++;
    if (listsA[i]!.join() !== moved[i]!.join()) stale++;
    if (listsB[i]!.join() !== moved[i]!.join()) stale++;
  }
  return stale;
}

/** After the replacement: both processes read the shards at first, then use the cache again (not just bypass it). */
async function cacheInUseAgain({ a, b, lists }: Scene): Promise<void> {
  await eventually(async () => (await a.health()).cache!.ok && (await b.health()).ok, "both processes to trust the cache again");
  await a.getObjects(lists);
  await b.titles(lists);
  a.resetCounters();
  await b.counters();
  await a.getObjects(lists);
  await b.titles(lists);
  const fromB = await b.counters();
  assert.equal([sum(a.counters.cacheRoundTrips) > 0, sum(a.counters.shardQueries)], [true, 0], "process A reads from the cache again");
  assert.equal([fromB.cache > 0, fromB.shards], [true, 0], "process B reads from the cache again");
}

async function end({ redis, a, b }: Scene): Promise<void> {
  await b.close();
  await a.close();
  await redis.close();
}

it("restored from a snapshot taken before 20 writes: 0 stale reads in two processes, every version moved", async () => {
  const s = await scene("snapshot");
  try {
    await s.redis.snapshot("before.rdb");
    await twentyWrites(s);
    assert.is(await staleReads(s), 0, "before the restore");
    const keys = s.lists.map((id) => `object:${id}`).concat(s.users.map((id) => `edges:user_to_list:${id}`));
    const held = await s.a.dependencyVersions(keys);

    const versionKey = `${s.prefix}{o:${s.lists[0]}}:d`;
    const direct = new Redis(s.redis.url);
    direct.on("error", () => undefined);
    try {
      assert.is(await direct.get(versionKey), "2", "created and updated once");
      await s.redis.restartFrom("before.rdb");
      // The stores may flush the restored entries at once; the version keys they keep show what came back.
      assert.is(await direct.get(versionKey), "1", "the restored Redis holds the state from before the writes");
    } finally {
      direct.disconnect();
    }
    await eventually(async () => (await s.a.health()).cache!.status === "ready" && (await s.b.health()).status === "ready", "both processes to reconnect");
    assert.is(await staleReads(s), 0, "right after the restore");
    assert.is(await staleReads(s), 0, "read again (after the refill)");
    assert.equal((await s.b.checkDeps(Object.fromEntries(keys.map((key, i) => [key, held[i]!])))).length, keys.length, "every version held from before moved");
    const now = await s.a.dependencyVersions(keys);
    for (let i = 0; i < keys.length; i++) assert.ok(now[i]! > held[i]!, `${keys[i]}: versions only grow`);
    await cacheInUseAgain(s);
  } finally {
    await end(s);
  }
});

it("keys copied back from before 20 writes into the running Redis (same run_id): the write counter went back, 0 stale reads", async () => {
  const s = await scene("copied");
  const direct = new Redis(s.redis.url);
  direct.on("error", () => undefined);
  try {
    const saved: [string, number, Buffer][] = [];
    for (const key of await direct.keys(`${s.prefix}*`)) saved.push([key, await direct.pttl(key), (await direct.dumpBuffer(key))!]);
    await twentyWrites(s);
    assert.is(await staleReads(s), 0, "before the restore");

    for (const key of await direct.keys(`${s.prefix}*`)) await direct.del(key);
    for (const [key, ttl, dump] of saved) await direct.restore(key, Math.max(ttl, 0), dump, "REPLACE");
    assert.match((await direct.get(`${s.prefix}{o:${s.lists[0]}}:v`)) ?? "", '"title":"v1"', "the old entries are back");
    assert.is(await staleReads(s), 0, "after the restore");
    assert.is(await staleReads(s), 0, "read again");
    await cacheInUseAgain(s);
  } finally {
    direct.disconnect();
    await end(s);
  }
});

it("SIGKILLed mid-load and restarted empty: 0 failed requests, 0 stale reads in two processes, no version read as unchanged", async () => {
  const s = await scene("killed");
  try {
    const keys = s.lists.map((id) => `object:${id}`);
    let failed = 0;
    let stale = 0;
    let held: number[] = [];
    for (let round = 0; round < 100; round++) {
      const i = round % 20;
      const title = `r${round}`;
      try {
        await s.a.updateObject("TodoList", s.lists[i]!, { title });
        const [fromA] = await s.a.getObjects([s.lists[i]!]);
        const [fromB] = await s.b.titles([s.lists[i]!]);
        if (fromA?.data.title !== title) stale++;
        if (fromB !== title) stale++;
      } catch {
        failed++;
      }
      if (round === 39) held = await s.a.dependencyVersions(keys);
      if (round === 40) await s.redis.kill();
      if (round === 60) await s.redis.start();
      if (round === 79) await eventually(async () => (await s.a.health()).cache!.ok && (await s.b.health()).ok, "both processes to use the cache again");
    }
    assert.equal({ failed, stale }, { failed: 0, stale: 0 });
    // Each list's own count is back where it was at round 39 (1 for the outage's remembered bump, 2 after):
    // without an epoch move, its version would read as unchanged.
    assert.equal((await s.b.checkDeps(Object.fromEntries(keys.map((key, i) => [key, held[i]!])))).length, keys.length, "every version held from before moved");
    await cacheInUseAgain(s);
  } finally {
    await end(s);
  }
});

test.after(async () => {
  if (up) await dropDatabases(databases);
});

test.run();
