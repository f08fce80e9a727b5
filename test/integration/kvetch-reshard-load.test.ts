// The load acceptance of bucket moves on MySQL (spec/kvetch-storage.md §11): 4 MySQL shards + Redis, two stores
// (two servers' worth of pools and caches) under 100 concurrent clients while a fifth shard takes a fifth of the
// buckets, then while shard 0 is removed; a third OS process opened before the moves reads everything back
// after them. 0 failed requests, 0 wrong reads, every acknowledged write read back through the cache and around
// it, repair idle. The request p99 during each move is printed, never asserted.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import type { KvetchBackend } from "../../src/kvetch/index.js";
import { checkMoveModel, moveSchema, percentile, runClients, seedMoveStore } from "../kvetch/reshardLoad.js";
import { REDIS_URL, RUN_ID, deleteKeys, dropDatabases, serversUp, shardUrls, testKeyPrefix } from "./kvetch-servers.js";
import { ReshardProcess } from "./reshardProcess.js";

const FOUR = [0, 1, 2, 3].map((s) => ({ first: s * 256, last: s * 256 + 255, shard: s }));
const DATABASES = [0, 1, 2, 3, 4].map((i) => `graphscale_load_${RUN_ID}_${i}`);
const URLS = shardUrls(DATABASES);

if (await serversUp("test/integration/kvetch-reshard-load.test.ts", { mysql: true, redis: true })) {
  const keyPrefix = testKeyPrefix("reshardload");

  test("4 MySQL shards + Redis, 100 clients on two stores: add a fifth shard, then remove shard 0 — 0 failed, 0 wrong reads, every write read back, repair idle", async () => {
    await dropDatabases(DATABASES);
    const backend = (redis: boolean): KvetchBackend => mysqlBackend({ shards: URLS, ranges: FOUR, poolSize: 3, ...(redis ? { redis: { url: REDIS_URL, keyPrefix } } : {}) });
    const open = (redis: boolean): Kvetch =>
      new Kvetch({ schema: moveSchema, backend: backend(redis), onDerivedWriteFailure: (report) => assert.unreachable(String(report.error)) });
    // The mover is a process of its own, as `graphscale kvetch reshard` is; two stores serve the clients.
    const mover = open(true);
    const server = open(true);
    const other = open(true);
    const watcher = new ReshardProcess({ shards: URLS, redis: { url: REDIS_URL, keyPrefix }, mode: "serve" });
    try {
      await mover.migrate();
      const model = await seedMoveStore(mover, 200);
      await Promise.all([server.open(), other.open(), watcher.open()]);
      await other.getObjects([...model.items.keys()]); // warm the cache
      for (const [name, options] of [["add a fifth shard", {}], ["remove shard 0", { remove: [0] }]] as const) {
        const move = mover.reshard({ batchSize: 100, ...options });
        const load = await runClients([server, other], model, 100, move, `load-${name.split(" ")[0]}`);
        const report = await move;
        console.log(`${name}: ${load.ops} requests, p50 ${percentile(load.durations, 50).toFixed(1)} ms, p99 ${percentile(load.durations, 99).toFixed(1)} ms during the move`);
        assert.equal(load.failed, [], `${name}: no request failed`);
        assert.equal(load.wrongReads, [], `${name}: no read differed from the last acknowledged write`);
        assert.is(report.outcome, "moved");
        assert.is(report.verifyDifferences, 0);
      }
      const stats = await mover.stats();
      assert.is(stats[0]!.objects, 0, "the removed shard holds no object");
      // A store opened now is configured without the removed shard (the open check refuses it otherwise).
      const uncached = new Kvetch({ schema: moveSchema, backend: mysqlBackend({ shards: URLS.slice(1), poolSize: 3 }) });
      await checkMoveModel([server, other, uncached], model);
      const ids = [...model.items.keys()];
      assert.equal(await watcher.getObjects(ids), ids.map((id) => model.items.get(id)), "the process opened before the moves reads every write");
      const repaired = await uncached.repair();
      assert.equal([repaired.edgesAdded, repaired.edgesRemoved, repaired.indexAdded, repaired.indexRemoved], [0, 0, 0, 0], "repair finds nothing to heal");
      await uncached.close();
    } finally {
      await Promise.all([watcher.close(), mover.close(), server.close(), other.close()]);
      await deleteKeys(keyPrefix);
      await dropDatabases(DATABASES);
    }
  });

  test.run();
}
