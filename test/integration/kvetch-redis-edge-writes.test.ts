// Stored-edge writes whose batch spans a shard that fails, with the Redis cache in front (memory shards):
// the healthy shard's rows are written, and its parent's cached list and count are invalidated all the
// same, so a cached read equals a read of the shards right after the failed call (§6.1 step 3).
import { test as uvuTest } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, memoryBackend, type KvetchBackend, type RedisConfig, type ShardStore } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { REDIS_URL, cacheConnected, deleteKeys, serversUp, testKeyPrefix, testWhen } from "./kvetch-servers.js";

const test = testWhen(await serversUp("test/integration/kvetch-redis-edge-writes.test.ts", { redis: true }));

/** Two Kvetch instances over the same two memory shards (one cached, one not), whose edge writes fail on `failing.shard`. */
function pair(keyPrefix: string): { cached: Kvetch; plain: Kvetch; failing: { shard: number } } {
  const base = memoryBackend({ shards: 2 });
  const failing = { shard: -1 };
  const over = (redis: RedisConfig | null): KvetchBackend => ({
    kind: base.kind,
    shardMap: base.shardMap,
    initializeOnOpen: base.initializeOnOpen,
    redis,
    openShards(counters) {
      return base.openShards(counters).map(
        (shard, index) =>
          new Proxy(shard, {
            get(target, name, receiver) {
              const value = Reflect.get(target, name, receiver) as unknown;
              if (typeof value !== "function") return value;
              const call = value as (...args: unknown[]) => unknown;
              if (name !== "writeEdges" && name !== "removeEdges") return call.bind(target);
              return (...args: unknown[]) => (index === failing.shard ? Promise.reject(new Error("injected shard failure")) : call.apply(target, args));
            },
          }) as ShardStore,
      );
    },
  });
  return { cached: new Kvetch({ schema: contractSchema, backend: over({ url: REDIS_URL, keyPrefix }) }), plain: new Kvetch({ schema: contractSchema, backend: over(null) }), failing };
}

test("insertEdges and deleteEdges with a failing shard: the healthy parent's cached list and count follow its shard", async () => {
  const keyPrefix = testKeyPrefix("edge-writes");
  const { cached, plain, failing } = pair(keyPrefix);
  try {
    await cacheConnected(cached);
    const users: string[] = [];
    while (users.length < 2) {
      const id = (await plain.createObject("User", {})).id;
      if (users.length === 0 || plain.shardOf(id) !== plain.shardOf(users[0]!)) users.push(id);
    }
    const [healthy, broken] = users as [string, string];
    const todo = (await plain.createObject("Todo", {})).id;
    const seen = async () => ({
      cached: [(await cached.getEdges("likes", [healthy]))[0]!.edges.map((e) => e.toId), await cached.countEdges("likes", [healthy])],
      shards: [(await plain.getEdges("likes", [healthy]))[0]!.edges.map((e) => e.toId), await plain.countEdges("likes", [healthy])],
    });
    assert.equal((await seen()).cached, [[], [0]], "the empty list and count are cached");
    failing.shard = plain.shardOf(broken);
    const both = [
      { fromId: healthy, toId: todo },
      { fromId: broken, toId: todo },
    ];
    await cached.insertEdges("likes", both).then(
      () => assert.unreachable("the failing shard's edge fails the call"),
      () => undefined,
    );
    const afterInsert = await seen();
    assert.equal(afterInsert.shards, [[todo], [1]]);
    assert.equal(afterInsert.cached, afterInsert.shards);
    await cached.deleteEdges("likes", both).then(
      () => assert.unreachable("the failing shard's edge fails the call"),
      () => undefined,
    );
    const afterDelete = await seen();
    assert.equal(afterDelete.shards, [[], [0]]);
    assert.equal(afterDelete.cached, afterDelete.shards);
  } finally {
    await cached.close();
    await plain.close();
    await deleteKeys(keyPrefix);
  }
});

uvuTest.run();
