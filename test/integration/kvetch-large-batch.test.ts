// One large batch on MySQL shares each shard's pool with everyone else: a shard runs at most `poolSize`
// chunks (1000 keys each) of one call at once, the rest in turn, so a batch of any size takes more round trips
// and never fills the pool's queue — neither for itself nor for a small call running beside it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend, newId } from "../../src/kvetch/index.js";
import type { KvetchObject, MysqlBackendOptions } from "../../src/kvetch/index.js";
import { todoKvetchSchema } from "../../examples/todo/schema.js";
import { dropDatabases, serversUp, shardUrls, testDatabases } from "./kvetch-servers.js";

const DATABASES = testDatabases("bigbatch").slice(0, 2);

if (await serversUp("test/integration/kvetch-large-batch.test.ts", { mysql: true })) {

  const open: Kvetch[] = [];
  function store(options: Partial<MysqlBackendOptions> = {}): Kvetch {
    const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(DATABASES), ...options }) });
    open.push(kvetch);
    return kvetch;
  }

  let users: KvetchObject[] = [];

  test.before(async () => {
    await dropDatabases(DATABASES);
    const kvetch = store();
    await kvetch.migrate();
    users = await kvetch.createObjects([0, 1, 2, 3, 4, 5, 6, 7].map((n) => ({ type: "User", data: { name: `u${n}` } })));
    await kvetch.createObjects([0, 1, 2].map((n) => ({ type: "TodoList", data: { userId: users[0]!.id, name: `l${n}` } })));
  });

  test.after(async () => {
    for (const kvetch of open) await kvetch.close();
    await dropDatabases(DATABASES);
  });

  /** `n` fresh ids (no such objects) with the first four users spliced in at fixed places. */
  function batch(n: number): string[] {
    const ids = Array.from({ length: n }, () => newId());
    for (let u = 0; u < 4; u++) ids.splice(u * Math.floor(n / 4) + 7, 0, users[u]!.id);
    return ids;
  }

  /** Round trips per shard for one call over `ids`: one per 1000 distinct keys on it. */
  function roundTrips(kvetch: Kvetch, ...calls: string[][]): number[] {
    const out = [0, 0];
    for (const ids of calls) {
      const perShard = [0, 0];
      for (const id of new Set(ids)) perShard[kvetch.shardOf(id)]!++;
      for (const shard of [0, 1]) out[shard]! += Math.ceil(perShard[shard]! / 1000);
    }
    return out;
  }

  function checkObjects(ids: readonly string[], objects: readonly (KvetchObject | null)[]): void {
    assert.is(objects.length, ids.length);
    for (let i = 0; i < ids.length; i++) {
      const user = users.find((u) => u.id === ids[i]);
      if (user) assert.is(objects[i]?.data.name, user.data.name, `position ${i}`);
      else assert.is(objects[i], null, `position ${i}`);
    }
  }

  test("large batch: getObjects of 16,000 ids beside a 4-id getObjects on a pool of 2 with a queue of 1: both served, one round trip per 1000 ids", async () => {
    const kvetch = store({ poolSize: 2, queueLimit: 1 });
    await kvetch.open(); // the open check's round trips come before the counted calls
    const big = batch(16_000);
    const small = users.slice(4, 8).map((user) => user.id);
    kvetch.resetCounters();
    const [bigResult, smallResult] = await Promise.all([kvetch.getObjects(big), kvetch.getObjects(small)]);
    checkObjects(big, bigResult);
    checkObjects(small, smallResult);
    assert.equal(kvetch.counters.shardQueries, roundTrips(kvetch, big, small));
  });

  test("large batch: countEdges of 12,000 parents beside a 4-id getObjects on a pool of 2 with a queue of 1", async () => {
    const kvetch = store({ poolSize: 2, queueLimit: 1 });
    await kvetch.open(); // the open check's round trips come before the counted calls
    const big = batch(12_000);
    const small = users.slice(4, 8).map((user) => user.id);
    kvetch.resetCounters();
    const [counts, smallResult] = await Promise.all([kvetch.countEdges("user_to_list", big), kvetch.getObjects(small)]);
    assert.is(counts.length, big.length);
    for (let i = 0; i < big.length; i++) assert.is(counts[i], big[i] === users[0]!.id ? 3 : 0, `position ${i}`);
    checkObjects(small, smallResult);
    assert.equal(kvetch.counters.shardQueries, roundTrips(kvetch, big, small));
  });

  test("large batch: 250,000 ids with the default pool (10 connections, queue of 100) beside a 4-id call", async () => {
    const kvetch = store();
    await kvetch.open(); // the open check's round trips come before the counted calls
    const big = batch(250_000);
    const small = users.slice(4, 8).map((user) => user.id);
    kvetch.resetCounters();
    const [bigResult, smallResult] = await Promise.all([kvetch.getObjects(big), kvetch.getObjects(small)]);
    checkObjects(big, bigResult);
    checkObjects(small, smallResult);
    assert.equal(kvetch.counters.shardQueries, roundTrips(kvetch, big, small));
  });

  test.run();
}
