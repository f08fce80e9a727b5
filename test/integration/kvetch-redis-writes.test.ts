// CoalesceCacheWrites against a real Redis: the cache reads of concurrent requests issued in one tick leave in
// one socket write (one round trip each still), reads in different ticks in one write each, and the answers are
// those of reads sent one by one. Counts writes on the Redis connection (net.Socket's _write and _writev).
import { Socket } from "node:net";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { REDIS_URL, deleteKeys, dropDatabases, serversUp, shardUrls, testKeyPrefix } from "./kvetch-servers.js";

const redisPort = Number(new URL(REDIS_URL).port || 6379);

type WriteFn = (this: Socket, ...args: unknown[]) => unknown;

/** Counts the socket writes (each one system call) to Redis while `run` runs. */
async function redisWrites<T>(run: () => Promise<T>): Promise<{ writes: number; result: T }> {
  const proto = Socket.prototype as unknown as { _write: WriteFn; _writev: WriteFn };
  const write = proto._write;
  const writev = proto._writev;
  let writes = 0;
  proto._write = function (...args) {
    if (this.remotePort === redisPort) writes++;
    return write.apply(this, args);
  };
  proto._writev = function (...args) {
    if (this.remotePort === redisPort) writes++;
    return writev.apply(this, args);
  };
  try {
    const result = await run();
    return { writes, result };
  } finally {
    proto._write = write;
    proto._writev = writev;
  }
}

function trips(kvetch: Kvetch): number {
  return Object.values(kvetch.counters.cacheRoundTrips).reduce((a, b) => a + b, 0);
}

if (await serversUp("test/integration/kvetch-redis-writes.test.ts", { mysql: true, redis: true })) {
  const keyPrefix = testKeyPrefix("writes");
  const it = suite<{ kvetch: Kvetch; ids: string[] }>("redis cache writes", {} as { kvetch: Kvetch; ids: string[] });

  it.before(async (context) => {
    await dropDatabases();
    context.kvetch = new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards: shardUrls(), redis: { url: REDIS_URL, keyPrefix } }) });
    await context.kvetch.migrate();
    const users = await context.kvetch.createObjects(Array.from({ length: 20 }, (_, i) => ({ type: "User", data: { username: `c${i}` } })));
    context.ids = users.map((u) => u.id);
    await context.kvetch.getObjects(context.ids); // the cache is warm
  });
  it.after(async ({ kvetch }) => {
    await kvetch.close();
    await dropDatabases();
    await deleteKeys(keyPrefix);
  });

  it("20 reads issued in one tick: 20 round trips, one socket write", async ({ kvetch, ids }) => {
    kvetch.resetCounters();
    const { writes, result } = await redisWrites(() => Promise.all(ids.map((id) => kvetch.getObjects([id]))));
    assert.is(trips(kvetch), 20, "one MGET per read");
    assert.equal(kvetch.counters.shardQueries, [0, 0, 0, 0], "all from the cache");
    assert.is(writes, 1, "the tick's MGETs leave in one write");
    assert.equal(
      result.map(([o]) => o?.data["username"]),
      ids.map((_, i) => `c${i}`),
    );
  });

  it("reads in different ticks: one write each, nothing held back", async ({ kvetch, ids }) => {
    kvetch.resetCounters();
    const { writes, result } = await redisWrites(async () => {
      const out: unknown[] = [];
      for (const id of ids.slice(0, 5)) out.push((await kvetch.getObjects([id]))[0]?.data["username"]);
      return out;
    });
    assert.is(trips(kvetch), 5);
    assert.is(writes, 5);
    assert.equal(result, ["c0", "c1", "c2", "c3", "c4"]);
  });

  it.run();
}
