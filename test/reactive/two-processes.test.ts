// Two Kvetch instances on the same 4 MySQL shards and Redis, as two processes would be: a write in one
// invalidates the other's cache and reaches its invalidation listeners over pub/sub.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import type { DependencyChange } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { REDIS_URL, cacheConnected, deleteKeys, dropDatabases, serversUp, shardUrls, testDatabases, testKeyPrefix, testWhen } from "../integration/kvetch-servers.js";

const databases = testDatabases("reactive");
const up = await serversUp("test/reactive/two-processes.test.ts", { mysql: true, redis: true });
const serverTest = testWhen(up);
const keyPrefix = testKeyPrefix("reactive");

function open(): Kvetch {
  return new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis: { url: REDIS_URL, keyPrefix } }) });
}

serverTest("1,000 write-then-read-from-the-other rounds: 0 stale reads; every write heard by the other instance", async () => {
  const a = open();
  const b = open();
  try {
    await a.migrate();
    await Promise.all([cacheConnected(a), cacheConnected(b)]);
    const user = await a.createObject("User", { username: "live", n: -1 });
    const key = `object:${user.id}`;
    let heard = 0;
    const changes: DependencyChange[] = [];
    const stop = b.onInvalidate((change) => {
      if (change !== null && change.touches(key)) heard++;
      if (change !== null) changes.push(change);
    });
    await b.getObject(user.id); // subscribes, and fills the cache
    for (let t = 0; heard === 0 && t < 200; t++) {
      await a.invalidateDependency(key);
      await new Promise((resolve) => setTimeout(resolve, 10)); // waits for the subscription to be confirmed
    }
    assert.ok(heard > 0, "the other instance never heard an invalidation");
    heard = 0;
    let stale = 0;
    for (let round = 0; round < 1000; round++) {
      await a.updateObject("User", user.id, { n: round });
      const seen = await b.getObject(user.id);
      if (seen?.data.n !== round) stale++;
    }
    assert.is(stale, 0);
    for (let t = 0; heard < 1000 && t < 500; t++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.is(heard, 1000);
    const [version] = await b.dependencyVersions([key]);
    assert.equal(await a.checkDeps({ [key]: version! }), []);
    stop();
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test.after(async () => {
  if (!up) return;
  await deleteKeys(keyPrefix);
  await dropDatabases(databases);
});

test.run();
