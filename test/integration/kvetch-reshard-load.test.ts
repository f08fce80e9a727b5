// The load acceptance of bucket moves on MySQL (spec/kvetch-storage.md §11): 4 MySQL shards + Redis, two
// serving OS processes (each its own Kvetch, pools and cache) under 100 concurrent GraphQL-over-HTTP clients —
// reads of the todo view and 5% writes (creates, updates, moves, deletes) — while a third process moves a
// fifth of the buckets to a fifth shard, then removes shard 0. 0 failed requests, 0 wrong reads (each compared
// with the acknowledged rows), every acknowledged write read back from both processes through their cache and
// around it, repair idle. The request p50/p99 during each move is printed, never asserted.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { checkMoveModel, moveSchema, percentile, seedMoveStore } from "../kvetch/reshardLoad.js";
import { REDIS_URL, RUN_ID, deleteKeys, dropDatabases, serversUp, shardUrls, testKeyPrefix } from "./kvetch-servers.js";
import { runHttpClients } from "./httpMoveClients.js";
import { MoveServerProcess } from "./moveServerProcess.js";
import { ReshardProcess } from "./reshardProcess.js";

const FOUR = [0, 1, 2, 3].map((s) => ({ first: s * 256, last: s * 256 + 255, shard: s }));
const DATABASES = [0, 1, 2, 3, 4].map((i) => `graphscale_load_${RUN_ID}_${i}`);
const URLS = shardUrls(DATABASES);

if (await serversUp("test/integration/kvetch-reshard-load.test.ts", { mysql: true, redis: true })) {
  const keyPrefix = testKeyPrefix("reshardload");

  test("4 MySQL shards + Redis, two serving processes, 100 HTTP clients (5% writes): add a fifth shard, then remove shard 0 — 0 failed, 0 wrong reads, every write read back from both processes, repair idle", async () => {
    await dropDatabases(DATABASES);
    // This store creates and seeds the shards; two OS processes serve the clients, a third moves the buckets.
    const seeder = new Kvetch({
      schema: moveSchema,
      backend: mysqlBackend({ shards: URLS, ranges: FOUR, poolSize: 3, redis: { url: REDIS_URL, keyPrefix } }),
      onDerivedWriteFailure: (report) => assert.unreachable(String(report.error)),
    });
    let servers: MoveServerProcess[] = [];
    try {
      await seeder.migrate();
      const model = await seedMoveStore(seeder, 200);
      servers = [0, 1].map(() => new MoveServerProcess({ shards: URLS, redis: { url: REDIS_URL, keyPrefix }, poolSize: 3 }));
      const urls = await Promise.all(servers.map((server) => server.url));
      const ids = [...model.items.keys()];
      for (const server of servers) await server.readBack(ids, URLS); // warms the cache
      let requests = 0;
      for (const [name, options] of [["add a fifth shard", {}], ["remove shard 0", { remove: [0] }]] as [string, { remove?: number[] }][]) {
        // The mover is an OS process of its own, as `graphscale kvetch reshard` is: its freeze is not held up by
        // the clients' work in this process.
        const moving = new ReshardProcess({ shards: URLS, redis: { url: REDIS_URL, keyPrefix }, mode: "reshard", reshard: { batchSize: 100, ...options } });
        const load = await runHttpClients(urls, model, 100, moving.finished, `load-${name.split(" ")[0]}`);
        const report = await moving.finished.finally(() => moving.close());
        requests += load.ops;
        console.log(
          `${name}: ${load.ops} requests over 2 processes (${load.reads} reads; writes ${JSON.stringify(load.writes)}), ` +
            `${load.failed.length} failed, ${load.wrongReads.length} wrong reads, ` +
            `p50 ${percentile(load.durations, 50).toFixed(1)} ms, p99 ${percentile(load.durations, 99).toFixed(1)} ms during the move`,
        );
        assert.equal(load.failed, [], `${name}: no request failed`);
        assert.equal(load.wrongReads, [], `${name}: no read differed from the last acknowledged write`);
        const writes = Object.values(load.writes).reduce((a, b) => a + b, 0);
        assert.ok(Object.values(load.writes).every((count) => count > 0), `${name}: each kind of write was acknowledged during the move`);
        // One request in 20 per client: 5% of the requests, give or take one write per client's last partial round.
        assert.ok(Math.abs(writes - load.ops / 20) <= 100, `${name}: 5% of the requests wrote (${writes} of ${load.ops})`);
        assert.is(report.outcome, "moved");
        assert.is(report.verifyDifferences, 0);
      }
      assert.ok(requests >= 4000, `the clients sent ${requests} requests (at least 20 each per move)`);
      const stats = await seeder.stats();
      assert.is(stats[0]!.objects, 0, "the removed shard holds no object");
      // A store opened now is configured without the removed shard (the open check refuses it otherwise).
      const uncached = new Kvetch({ schema: moveSchema, backend: mysqlBackend({ shards: URLS.slice(1), poolSize: 3 }) });
      try {
        await checkMoveModel([uncached], model);
        const acknowledged = [...model.items.keys()];
        const expected = acknowledged.map((id) => model.items.get(id) ?? null);
        for (const [p, server] of servers.entries()) {
          const { cached, uncached: around } = await server.readBack(acknowledged, URLS.slice(1));
          assert.equal(cached, expected, `process ${p} reads every acknowledged write through its cache`);
          assert.equal(around, expected, `process ${p} reads every acknowledged write around its cache`);
        }
        const repaired = await uncached.repair();
        assert.equal([repaired.edgesAdded, repaired.edgesRemoved, repaired.indexAdded, repaired.indexRemoved], [0, 0, 0, 0], "repair finds nothing to heal");
      } finally {
        await uncached.close();
      }
    } finally {
      await Promise.all([seeder.close(), ...servers.map((server) => server.close())]);
      await deleteKeys(keyPrefix);
      await dropDatabases(DATABASES);
    }
  });

  test.run();
}
