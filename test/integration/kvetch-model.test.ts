// Seeded random writes against a model of the store (test/kvetch/modelRun.ts) on 4 MySQL shards + Redis: every
// write's outcome is the model's, and after each one every object, derived edge list, count and index list
// reads back as the model says — through the cache, which each write must have invalidated — and repair then
// finds nothing to mend. Then racing writes (twelve at a time, over 4 shards' connection pools and locks): after
// each round every derived row is what the stored objects imply and no username has two holders. The memory
// backend runs the same: test/kvetch/model.test.ts.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { modelSchema, runModel, runRacing } from "../kvetch/modelRun.js";
import { REDIS_URL, deleteKeys, dropDatabases, serversUp, shardUrls, testDatabases, testKeyPrefix } from "./kvetch-servers.js";

const DATABASES = testDatabases("model");

if (await serversUp("test/integration/kvetch-model.test.ts", { mysql: true, redis: true })) {
  const redis = { url: REDIS_URL, keyPrefix: testKeyPrefix("model") };

  test.before(async () => {
    await dropDatabases(DATABASES);
  });

  test.after(async () => {
    await dropDatabases(DATABASES);
    await deleteKeys(redis.keyPrefix);
  });

  for (const seed of [1, 2]) {
    test(`model on MySQL + Redis: seed ${seed}, 80 writes read back as the model says, through the cache`, async () => {
      await dropDatabases(DATABASES);
      await deleteKeys(redis.keyPrefix);
      const kvetch = new Kvetch({ schema: modelSchema, backend: mysqlBackend({ shards: shardUrls(DATABASES), redis }) });
      try {
        await kvetch.migrate();
        const { written, refused } = await runModel(kvetch, seed, 80);
        assert.ok(written > 40, `only ${written} writes made`);
        assert.ok(Object.keys(refused).length >= 1, `refusals: ${JSON.stringify(refused)}`);
        // The reads went through Redis: the cache was filled and read, so a write that did not invalidate would show.
        const stats = kvetch.counters.cacheRoundTrips;
        assert.ok(Object.values(stats).reduce((a, b) => a + b, 0) > 0, `no cache round trip: ${JSON.stringify(stats)}`);
      } finally {
        await kvetch.close();
      }
    });
  }

  test("racing writes on MySQL + Redis: after each round of twelve, the derived rows are what the objects imply", async () => {
    await dropDatabases(DATABASES);
    await deleteKeys(redis.keyPrefix);
    const kvetch = new Kvetch({ schema: modelSchema, backend: mysqlBackend({ shards: shardUrls(DATABASES), redis }) });
    try {
      await kvetch.migrate();
      const { written, refused } = await runRacing(kvetch, 7, 15, 12);
      assert.ok(written > 90, `only ${written} writes made`);
      assert.ok((refused.UNIQUE_VIOLATION ?? 0) > 0, `no username was raced for: ${JSON.stringify(refused)}`);
    } finally {
      await kvetch.close();
    }
  });
}

test.run();
