// Bucket moves with the Redis cache (spec/kvetch-storage.md §11.5): memory shards behind a real Redis, two
// cached stores under load while a fifth shard takes a fifth of the buckets. Cache entries are named by id, so
// every acknowledged write reads back through the cache and around it, and no store caches a source's answer.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, memoryBackend, memoryShards } from "../../src/kvetch/index.js";
import type { KvetchBackend } from "../../src/kvetch/index.js";
import { checkMoveModel, moveSchema, runClients, seedMoveStore } from "../kvetch/reshardLoad.js";
import { REDIS_URL, deleteKeys, serversUp, testKeyPrefix } from "./kvetch-servers.js";

const FOUR = [0, 1, 2, 3].map((s) => ({ first: s * 256, last: s * 256 + 255, shard: s }));

if (await serversUp("test/integration/kvetch-reshard-redis.test.ts", { redis: true })) {
  const keyPrefix = testKeyPrefix("reshard");

  test("a move under load with the cache: 0 failed, 0 wrong reads, every write reads back through the cache and around it", async () => {
    const shards = memoryShards(5);
    const cached = (): KvetchBackend => memoryBackend({ shards, ranges: FOUR, redis: { url: REDIS_URL, keyPrefix } });
    const open = (backend: KvetchBackend): Kvetch =>
      new Kvetch({ schema: moveSchema, backend, onDerivedWriteFailure: (report) => assert.unreachable(String(report.error)) });
    const mover = open(cached());
    const other = open(cached());
    try {
      const model = await seedMoveStore(mover, 400);
      // Warm the cache with every item and list, so the move runs under cache hits and refills alike.
      await other.getObjects([...model.items.keys()]);
      await other.getEdges("list_to_item", model.lists);
      const move = mover.reshard({ batchSize: 40 });
      const load = await runClients([mover, other], model, 10, move);
      const report = await move;
      assert.equal(load.failed, []);
      assert.equal(load.wrongReads, []);
      assert.is(report.outcome, "moved");
      const uncached = open(memoryBackend({ shards, ranges: FOUR }));
      await checkMoveModel([mover, other, uncached], model);
      // A second read is a cache hit: still the model (no entry was filled from a source's answer).
      other.resetCounters();
      await checkMoveModel([other], model);
      assert.ok(Object.values(other.counters.cacheRoundTrips).reduce((n, c) => n + c, 0) > 0, "the reads went through the cache");
      await uncached.close();
    } finally {
      await mover.close();
      await other.close();
      await deleteKeys(keyPrefix);
    }
  });

  test.run();
}
