// A Redis frozen by SIGSTOP (connections open, nothing answered) is bypassed once the cache breaker opens: a
// 3-layer view makes no cache round trip and a store without Redis's shard queries; no stale read in two
// processes, and the cache is taken back after SIGCONT. Starts its own redis-server; never the shared one.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Redis } from "ioredis";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { dropDatabases, serversUp, shardUrls, testDatabases, testKeyPrefix, testWhen } from "./kvetch-servers.js";
import { OwnRedis, eventually, redisServerInstalled, sum } from "./ownRedis.js";
import { StoreProcess } from "./storeProcess.js";

const databases = testDatabases("breaker");
const up = (await serversUp("test/integration/kvetch-redis-breaker.test.ts", { mysql: true, redis: true })) && redisServerInstalled();
const it = testWhen(up);


/** Waits until the open breaker's next probe has started (it is then in flight until Redis answers or it times out). */
async function probeInFlight(kvetch: Kvetch): Promise<void> {
  const before = (await kvetch.health()).cache!.probes;
  await eventually(async () => (await kvetch.health()).cache!.probes > before, "a probe to start");
}

/** Users → their lists (edges) → the lists' objects: three store calls, one after another. */
async function view(kvetch: Kvetch, users: readonly string[]): Promise<string[][]> {
  const people = await kvetch.getObjects(users);
  const pages = await kvetch.getEdges("user_to_list", people.map((u) => u!.id), { verify: false });
  const lists = await kvetch.getObjects(pages.flatMap((page) => page!.edges.map((e) => e.toId)));
  const titles = new Map(lists.map((l) => [l!.id, l!.data.title as string]));
  return pages.map((page) => page!.edges.map((e) => titles.get(e.toId)!));
}

it("frozen Redis: after the breaker opens a 3-layer view makes 0 cache round trips and MySQL-only shard queries; 0 stale reads in two processes", async () => {
  const redis = new OwnRedis();
  await redis.start();
  const config = { url: redis.url, keyPrefix: testKeyPrefix("breaker"), breaker: { failureThreshold: 3, probeIntervalMs: 200 } };
  const cached = new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis: config }) });
  const plain = new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards: shardUrls(databases) }) });
  await plain.migrate();
  const other = new StoreProcess(shardUrls(databases), config);
  const direct = new Redis(redis.url);
  direct.on("error", () => undefined);
  try {
    const users = (await cached.createObjects(Array.from({ length: 10 }, (_, i) => ({ type: "User", data: { username: `b${i}` } })))).map((u) => u.id);
    const lists = await cached.createObjects(users.flatMap((userId) => [0, 1, 2].map((j) => ({ type: "TodoList", data: { userId, title: `v1-${j}` } }))));
    const expected = users.map(() => ["v1-0", "v1-1", "v1-2"]);
    await eventually(async () => (await cached.health()).cache!.ok && (await other.health()).ok, "both processes to use the cache");
    assert.equal(await view(cached, users), expected);
    await other.titles(lists.map((l) => l.id));
    cached.resetCounters();
    assert.equal(await view(cached, users), expected);
    assert.equal([sum(cached.counters.shardQueries), sum(cached.counters.cacheRoundTrips)], [0, 3], "warm: the view is 3 cache round trips");
    plain.resetCounters();
    assert.equal(await view(plain, users), expected);
    const mysqlOnly = [...plain.counters.shardQueries];
    const renamed = lists[0]!.id;
    const versionKey = `${config.keyPrefix}{o:${renamed}}:d`;
    const versionBefore = Number(await direct.get(versionKey));

    redis.freeze();
    let viewsBeforeOpen = 0;
    while ((await cached.health()).cache!.breaker === "closed") {
      assert.equal(await view(cached, users), expected, "a view while the breaker counts timeouts: served from the shards");
      assert.ok(++viewsBeforeOpen <= 3, "the breaker opens within 3 views (3 timed-out round trips)");
    }

    // While a probe is in flight (a frozen Redis holds it for its 1 s timeout) no other starts: the round
    // trips counted next are the call's own.
    await probeInFlight(cached);
    cached.resetCounters();
    const started = Date.now();
    assert.equal(await view(cached, users), expected);
    const elapsed = Date.now() - started;
    assert.is(sum(cached.counters.cacheRoundTrips), 0, "open: no cache round trip");
    assert.equal(cached.counters.shardQueries, mysqlOnly, "open: the same shard queries as a store without Redis");
    assert.ok(elapsed < 10_000, `hang guard: ${elapsed} ms`);

    // A write while frozen: succeeds without a round trip to Redis; its invalidation is remembered.
    await probeInFlight(cached);
    cached.resetCounters();
    await cached.updateObject("TodoList", renamed, { title: "v2" });
    assert.is(sum(cached.counters.cacheRoundTrips), 0, "the write made no cache round trip");
    assert.is((await cached.health()).cache!.pendingInvalidations, 1);
    expected[0]![0] = "v2";
    assert.equal(await view(cached, users), expected, "no stale read in the writer");
    // The other process reaches the same Redis: its own breaker opens, and it reads the shards meanwhile.
    for (let i = 0; (await other.health()).breaker === "closed"; i++) {
      assert.equal((await other.titles([renamed]))[0], "v2", "no stale read in the other process");
      assert.ok(i < 3, "the other process's breaker opens within 3 reads");
    }
    await other.counters();
    assert.equal((await other.titles([renamed]))[0], "v2");
    assert.is((await other.counters()).shards > 0, true, "the other process reads the shards while its breaker is open");

    redis.thaw();
    // The writer applies what it owes once a probe is answered, though nothing calls it meanwhile.
    await eventually(async () => Number(await direct.get(versionKey)) === versionBefore + 1, "the remembered invalidation to be applied");
    await eventually(async () => (await cached.health()).cache!.ok, "the writer to take the cache back");
    await eventually(async () => (await other.health()).ok, "the other process to take the cache back");
    assert.equal((await other.titles([renamed]))[0], "v2", "no stale read in the other process after the thaw");
    assert.equal(await view(cached, users), expected);
    cached.resetCounters();
    assert.equal(await view(cached, users), expected, "no stale read in the writer after the thaw");
    assert.equal([sum(cached.counters.shardQueries), sum(cached.counters.cacheRoundTrips)], [0, 3], "the cache is used again");
  } finally {
    redis.thaw();
    direct.disconnect();
    await other.close();
    await cached.close();
    await plain.close();
    await redis.close();
  }
});

test.after(async () => {
  if (up) await dropDatabases(databases);
});

test.run();
