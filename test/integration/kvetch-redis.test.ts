// The Redis cache tier against a real Redis: warm reads skip MySQL, long lists page past the cached prefix,
// a refill racing a write never leaves a stale value, a dead port and an outage (a TCP proxy we close and
// reopen) cost nothing but misses, and values written during an outage are never read stale afterwards.
import { setTimeout as sleep } from "node:timers/promises";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Command, Redis } from "ioredis";
import { Kvetch, memoryBackend, mysqlBackend } from "../../src/kvetch/index.js";
import type { KvetchObject } from "../../src/kvetch/index.js";
import { contractSchema, kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { REDIS_URL, deleteCacheEntries, deleteKeys, dropDatabases, serversUp, shardUrls, testKeyPrefix, truncateDatabases } from "./kvetch-servers.js";
import { RedisProxy } from "./redisProxy.js";
import { epochKey } from "../../src/kvetch/cacheFlush.js";

const redisNode = `${new URL(REDIS_URL).hostname}:${new URL(REDIS_URL).port || 6379}`;

function total(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function cacheTrips(kvetch: Kvetch): number {
  return total(Object.values(kvetch.counters.cacheRoundTrips));
}

/** Fails the test instead of hanging it when an operation never settles (a guard, not a timing assertion). */
async function settles<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle: the store waited on a cache that is down`)), 10_000);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}


async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`gave up waiting for ${what}`);
}

if (await serversUp("test/integration/kvetch-redis.test.ts", { mysql: true, redis: true })) {
  const keyPrefix = testKeyPrefix("redis");
  const it = suite<{ kvetch: Kvetch; direct: Redis }>("redis cache", {} as { kvetch: Kvetch; direct: Redis });

  it.before(async (context) => {
    await dropDatabases();
    context.kvetch = new Kvetch({
      schema: contractSchema,
      backend: mysqlBackend({ shards: shardUrls(), redis: { url: REDIS_URL, keyPrefix, listCap: 5 } }),
    });
    await context.kvetch.migrate();
    context.direct = new Redis(REDIS_URL);
  });
  it.before.each(async ({ kvetch }) => {
    await truncateDatabases();
    await deleteCacheEntries(keyPrefix);
    kvetch.resetCounters();
  });
  it.after(async ({ kvetch, direct }) => {
    await kvetch.close();
    direct.disconnect();
    await dropDatabases();
    await deleteKeys(keyPrefix);
  });

  it("warm: object reads and edge pages for 60 parents make no MySQL query, one Redis round trip each", async ({ kvetch }) => {
    const users = await kvetch.createObjects(Array.from({ length: 60 }, (_, i) => ({ type: "User", data: { username: `w${i}` } })));
    await kvetch.createObjects(users.flatMap((u) => [0, 1, 2].map((j) => ({ type: "TodoList", data: { userId: u.id, j } }))));
    const ids = users.map((u) => u.id);

    kvetch.resetCounters();
    const cold = await kvetch.getEdges("user_to_list", ids, { first: 2, verify: false });
    assert.equal(kvetch.counters.shardQueries, [1, 1, 1, 1], "cold: one query per shard");
    assert.equal(kvetch.counters.cacheRoundTrips, { [redisNode]: 3 }, "cold: one MGET of the values, one of the missed entries' generations, one write-back pipeline");

    kvetch.resetCounters();
    const warm = await kvetch.getEdges("user_to_list", ids, { first: 2, verify: false });
    assert.equal(kvetch.counters.shardQueries, [0, 0, 0, 0], "warm: no MySQL query");
    assert.equal(kvetch.counters.cacheRoundTrips, { [redisNode]: 1 }, "warm: one MGET");
    assert.is(kvetch.counters.rowsFetched, 0);
    assert.equal(warm, cold);

    await kvetch.getObjects(ids);
    await kvetch.getEdges("user_to_list", ids.slice(0, 10), { first: 2 }); // caches the children verify loads
    kvetch.resetCounters();
    await kvetch.getEdges("user_to_list", ids.slice(0, 10), { first: 2 });
    const objects = await kvetch.getObjects(ids);
    assert.is(objects.filter((o) => o !== null).length, 60);
    assert.equal(kvetch.counters.shardQueries, [0, 0, 0, 0], "warm verify and objects: no MySQL query");
    assert.is(kvetch.counters.cacheRoundTrips[redisNode], 1 + 1 + 1, "edge lists, their children, the objects");

    kvetch.resetCounters();
    assert.equal(await kvetch.countEdges("user_to_list", ids.slice(0, 3)), [3, 3, 3]);
    assert.equal(await kvetch.countEdges("user_to_list", ids.slice(0, 3)), [3, 3, 3]);
    assert.ok(total(kvetch.counters.shardQueries) >= 1 && total(kvetch.counters.shardQueries) <= 4);
    const afterCold = total(kvetch.counters.shardQueries);
    await kvetch.countEdges("user_to_list", ids.slice(0, 3));
    assert.is(total(kvetch.counters.shardQueries), afterCold, "warm counts: no MySQL query");
  });

  it("a warm read's MGET hands ioredis its key list and writes its own text: no flat() copy, no string appends", async ({ kvetch }) => {
    const users = await kvetch.createObjects(Array.from({ length: 52 }, (_, i) => ({ type: "User", data: { username: `f${i}` } })));
    const ids = users.map((u) => u.id);
    await kvetch.getObjects(ids); // fills the cache
    kvetch.resetCounters();
    const flat = Array.prototype.flat;
    let copied = 0; // elements that flat() went through (ioredis makes each command with args.flat())
    Array.prototype.flat = function (this: unknown[], depth?: number) {
      copied += this.length;
      return flat.call(this, depth);
    } as typeof flat;
    const toWritable = Command.prototype.toWritable;
    let appended = 0; // MGETs whose RESP text ioredis built by appending to a string, argument by argument
    Command.prototype.toWritable = function (this: Command, socket: never) {
      if (this.name === "mget") appended++;
      return toWritable.call(this, socket);
    };
    let warm: (KvetchObject | null)[];
    try {
      warm = await kvetch.getObjects(ids);
    } finally {
      Array.prototype.flat = flat;
      Command.prototype.toWritable = toWritable;
    }
    assert.equal(warm.map((o) => o?.data.username), users.map((u) => u.data.username), "every object read back from Redis");
    assert.equal(kvetch.counters.shardQueries, [0, 0, 0, 0], "warm: no MySQL query");
    assert.equal(kvetch.counters.cacheRoundTrips, { [redisNode]: 1 }, "one MGET of 52 values, 52 generations, the counter and the epoch");
    assert.is(copied, 0, "ioredis's mget(keys) would copy the 106 keys with flat()");
    assert.is(appended, 0, "the MGET's text is mgetText's, not ioredis's appends");
  });

  it("lists longer than listCap: pages inside the cached prefix come from Redis, pages past it from MySQL", async ({ kvetch }) => {
    const user = await kvetch.createObject("User", { username: "long" });
    const lists: KvetchObject[] = [];
    for (let i = 0; i < 8; i++) lists.push(await kvetch.createObject("TodoList", { userId: user.id, i }));
    const [first] = await kvetch.getEdges("user_to_list", [user.id], { first: 3, verify: false });
    assert.equal(first!.edges.map((e) => e.toId), lists.slice(0, 3).map((l) => l.id));
    kvetch.resetCounters();
    const [second] = await kvetch.getEdges("user_to_list", [user.id], { first: 2, after: first!.endCursor, verify: false });
    assert.equal(second!.edges.map((e) => e.toId), lists.slice(3, 5).map((l) => l.id));
    assert.is(second!.hasNextPage, true);
    assert.is(total(kvetch.counters.shardQueries), 1, "rows 4-6 (page + next-page probe) run past the 5 cached: MySQL");
    kvetch.resetCounters();
    const [inside] = await kvetch.getEdges("user_to_list", [user.id], { first: 1, after: first!.endCursor, verify: false });
    assert.equal(inside!.edges.map((e) => e.toId), [lists[3]!.id]);
    assert.is(total(kvetch.counters.shardQueries), 0, "rows 4-5 are inside the cached prefix");
    const [all] = await kvetch.getEdges("user_to_list", [user.id], { verify: false });
    assert.is(all!.edges.length, 8);
  });

  it("race: a refill that read an object before a write never leaves the old value behind", async ({ kvetch, direct }) => {
    const todo = await kvetch.createObject("Todo", { title: "old" });
    let raced = false;
    kvetchTestHooks(kvetch).beforeCacheFill = async () => {
      if (raced) return;
      raced = true;
      await kvetch.updateObject("Todo", todo.id, { title: "new" });
    };
    try {
      const [during] = await kvetch.getObjects([todo.id]);
      assert.is(during!.data.title, "old", "the read began before the write");
    } finally {
      delete kvetchTestHooks(kvetch).beforeCacheFill;
    }
    assert.ok(raced);
    assert.is(await direct.get(`${keyPrefix}{o:${todo.id}}:v`), null, "the refill lost to the write and stored nothing");
    assert.is((await kvetch.getObject(todo.id))!.data.title, "new");
    assert.match((await direct.get(`${keyPrefix}{o:${todo.id}}:v`))!, '"title":"new"');
    assert.is((await kvetch.getObject(todo.id))!.data.title, "new");
  });

  it("race: a refill of an edge list racing a move never leaves the old list behind", async ({ kvetch }) => {
    const a = await kvetch.createObject("User", { username: "ra" });
    const b = await kvetch.createObject("User", { username: "rb" });
    const list = await kvetch.createObject("TodoList", { userId: a.id });
    let raced = false;
    kvetchTestHooks(kvetch).beforeCacheFill = async () => {
      if (raced) return;
      raced = true;
      await kvetch.updateObject("TodoList", list.id, { userId: b.id });
    };
    try {
      const [during] = await kvetch.getEdges("user_to_list", [a.id], { verify: false });
      assert.equal(during!.edges.map((e) => e.toId), [list.id], "read before the move");
    } finally {
      delete kvetchTestHooks(kvetch).beforeCacheFill;
    }
    const [afterA, afterB] = await kvetch.getEdges("user_to_list", [a.id, b.id], { verify: false });
    assert.equal(afterA!.edges, []);
    assert.equal(afterB!.edges.map((e) => e.toId), [list.id]);
  });

  it("dead port: every operation succeeds from MySQL, nothing waits on the cache", async ({ kvetch }) => {
    const dead = new Kvetch({
      schema: contractSchema,
      backend: mysqlBackend({ shards: shardUrls(), redis: { url: "redis://127.0.0.1:1", keyPrefix } }),
    });
    try {
      const user = await settles(dead.createObject("User", { username: "dp" }), "createObject");
      const list = await settles(dead.createObject("TodoList", { userId: user.id }), "createObject");
      const todo = await settles(dead.createObject("Todo", { listId: list.id, status: "open" }), "createObject");
      assert.is((await settles(dead.getObject(user.id), "getObject"))!.data.username, "dp");
      assert.is((await settles(dead.updateObject("User", user.id, { username: "dq" }), "updateObject")).version, 2);
      assert.equal(
        (await settles(dead.getEdges("user_to_list", [user.id]), "getEdges"))[0]!.edges.map((e) => e.toId),
        [list.id],
      );
      assert.equal(await settles(dead.countEdges("list_to_todo", [list.id]), "countEdges"), [1]);
      assert.equal(
        (await settles(dead.queryIndex("username", ["dq"]), "queryIndex"))[0]!.edges.map((e) => e.targetId),
        [user.id],
      );
      assert.is(await settles(dead.insertEdge("likes", user.id, todo.id), "insertEdge"), true);
      assert.is(await settles(dead.deleteObject(todo.id), "deleteObject"), true);
      const report = await settles(dead.repair(), "repair");
      assert.equal([report.edgesAdded, report.edgesRemoved, report.indexAdded, report.indexRemoved], [0, 0, 0, 0]);
      assert.is(cacheTrips(dead), 0, "a cache that never connected is never sent a command");
      assert.ok(total(dead.counters.shardQueries) > 0);
    } finally {
      await dead.close();
    }
    // the healthy store sees what the cache-less one wrote
    assert.is((await kvetch.queryIndex("username", ["dq"]))[0]!.edges.length, 1);
  });

  it("outage: Redis stops mid-test and returns; writes during the outage are never read stale", async ({ kvetch, direct }) => {
    const proxy = new RedisProxy();
    await proxy.start();
    const viaProxy = new Kvetch({
      schema: contractSchema,
      backend: mysqlBackend({ shards: shardUrls(), redis: { url: `redis://127.0.0.1:${proxy.port}`, keyPrefix } }),
    });
    try {
      const a = await viaProxy.createObject("User", { username: "oa" });
      const b = await viaProxy.createObject("User", { username: "ob" });
      const list = await viaProxy.createObject("TodoList", { userId: a.id, title: "v1" });
      await eventually(async () => {
        viaProxy.resetCounters();
        await viaProxy.getObject(list.id);
        return cacheTrips(viaProxy) > 0;
      }, "the proxied cache to connect");
      // warm both stores' view of the cache
      assert.is((await viaProxy.getObject(list.id))!.data.title, "v1");
      assert.equal((await viaProxy.getEdges("user_to_list", [a.id], { verify: false }))[0]!.edges.map((e) => e.toId), [list.id]);
      assert.is((await kvetch.getObject(list.id))!.data.title, "v1");
      const objectKey = `${keyPrefix}{o:${list.id}}:v`;
      assert.match((await direct.get(objectKey))!, '"title":"v1"');

      await proxy.stop();
      await eventually(async () => {
        viaProxy.resetCounters();
        await viaProxy.getObject(a.id);
        return cacheTrips(viaProxy) === 0;
      }, "the store to notice the outage");

      // during the outage: every operation works, from MySQL
      const moved = await settles(viaProxy.updateObject("TodoList", list.id, { title: "v2", userId: b.id }), "updateObject");
      assert.is(moved.version, 2);
      assert.is((await settles(viaProxy.getObject(list.id), "getObject"))!.data.title, "v2");
      const [pageA, pageB] = await settles(viaProxy.getEdges("user_to_list", [a.id, b.id], { verify: false }), "getEdges");
      assert.equal(pageA!.edges, []);
      assert.equal(pageB!.edges.map((e) => e.toId), [list.id]);
      assert.equal(await settles(viaProxy.countEdges("user_to_list", [a.id, b.id]), "countEdges"), [0, 1]);
      const extra = await settles(viaProxy.createObject("User", { username: "oc" }), "createObject");
      assert.is(await settles(viaProxy.deleteObject(extra.id), "deleteObject"), true);
      viaProxy.resetCounters();
      await viaProxy.getObject(list.id);
      assert.is(cacheTrips(viaProxy), 0);
      // the invalidation could not reach Redis, so Redis still holds the old value...
      assert.match((await direct.get(objectKey))!, '"title":"v1"');

      await proxy.start();
      // ...until the store reconnects and applies the invalidations it remembered, before using the cache again
      await eventually(async () => (await direct.get(objectKey)) === null, "the remembered invalidations to be applied");
      assert.is((await viaProxy.getObject(list.id))!.data.title, "v2");
      assert.is((await kvetch.getObject(list.id))!.data.title, "v2", "another store sees the new value too");
      const [againA, againB] = await kvetch.getEdges("user_to_list", [a.id, b.id], { verify: false });
      assert.equal(againA!.edges, []);
      assert.equal(againB!.edges.map((e) => e.toId), [list.id]);
      await eventually(async () => {
        viaProxy.resetCounters();
        await viaProxy.getObject(list.id);
        return cacheTrips(viaProxy) > 0 && total(viaProxy.counters.shardQueries) === 0;
      }, "the proxied store to use the cache again");
    } finally {
      await viaProxy.close();
      await proxy.stop();
    }
  });

  it("outage: past 10,000 remembered invalidations the whole key prefix is flushed before the cache is used", async ({ direct }) => {
    const prefix = testKeyPrefix("flush");
    const proxy = new RedisProxy();
    await proxy.start();
    const store = new Kvetch({
      schema: contractSchema,
      backend: memoryBackend({ shards: 4, redis: { url: `redis://127.0.0.1:${proxy.port}`, keyPrefix: prefix } }),
    });
    try {
      const todo = await store.createObject("Todo", { title: "v1" });
      await eventually(async () => {
        store.resetCounters();
        await store.getObject(todo.id);
        return cacheTrips(store) > 0 && (await direct.get(`${prefix}{o:${todo.id}}:v`)) !== null;
      }, "the object to be cached");
      await direct.set(`${prefix}unrelated`, "1");
      await proxy.stop();
      await eventually(async () => {
        store.resetCounters();
        await store.getObject(todo.id);
        return cacheTrips(store) === 0;
      }, "the store to notice the outage");
      await store.updateObject("Todo", todo.id, { title: "v2" });
      await store.createObjects(Array.from({ length: 10_001 }, (_, i) => ({ type: "Todo", data: { i } })));
      // The flush deletes page by page of a SCAN, then claims the prefix (the epoch moves): wait for the claim.
      const epochBefore = await direct.get(epochKey(prefix));
      await proxy.start();
      await eventually(async () => (await direct.get(epochKey(prefix))) !== epochBefore, "the prefix to be flushed and claimed");
      assert.is(await direct.exists(`${prefix}unrelated`), 0);
      assert.is(await direct.get(`${prefix}{o:${todo.id}}:v`), null);
      assert.is((await store.getObject(todo.id))!.data.title, "v2");
    } finally {
      await store.close();
      await proxy.stop();
      await deleteKeys(prefix);
    }
  });

  it.run();
}
