// A shard read's own cost in promises (spec/kvetch-storage.md §11.4, AdmittedAtOnce): each layer a shard call
// passes (the breaker's ShardGuard, the fence's FencedShard, the memory store's round trip, the read's chunk)
// adds one promise over the one below it: 6 per shard (the chunk's one `then` that settles the call, the
// read's placing, the breaker, the fence, the memory store's round trip and its answer; a chunk's `catch` and
// Promise.allSettled's join were two before eachShardChunk followed each call with one `then`). Counted with
// async_hooks (every native promise), never timed.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHook } from "node:async_hooks";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";

async function promisesMadeBy(run: () => Promise<unknown>): Promise<number> {
  let promises = 0;
  const hook = createHook({ init: (_id, type) => void (type === "PROMISE" && promises++) });
  hook.enable();
  try {
    await run();
  } finally {
    hook.disable();
  }
  return promises;
}

test("getObjects: each further shard a read reaches costs 6 promises (one per layer of the shard call), a one-shard read 17", async () => {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  const seed = await seedTodo(kvetch, { users: 8, listsPerUser: 1, itemsPerList: 1 });
  const ids = seed.userIds;
  kvetch.resetCounters();
  await kvetch.getObjects([ids[0]!]);
  const oneShard = kvetch.counters.shardQueries.filter((n) => n > 0).length;
  assert.is(oneShard, 1);
  kvetch.resetCounters();
  await kvetch.getObjects(ids);
  const reached = kvetch.counters.shardQueries.filter((n) => n > 0).length;
  assert.ok(reached >= 2, `the ${ids.length} ids reach several shards (${reached})`);
  // Warm both shapes, then count: the fewest of a few reads each, after a pause (on Node 24 the module
  // loader's own work after the first reads runs for a while, and its promises would be counted).
  await new Promise((resolve) => setTimeout(resolve, 250));
  const fewest = async (run: () => Promise<unknown>) => {
    let least = Infinity;
    for (let i = 0; i < 5; i++) least = Math.min(least, await promisesMadeBy(run));
    return least;
  };
  const one = await fewest(() => kvetch.getObjects([ids[0]!]));
  const all = await fewest(() => kvetch.getObjects(ids));
  const perShard = (all - one) / (reached - 1);
  assert.ok(perShard <= 6, `promises per further shard: ${perShard} (${one} for one shard, ${all} for ${reached})`);
  assert.ok(one <= 17, `promises for a read of one shard: ${one}`);
});

test.run();
