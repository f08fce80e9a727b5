// The writer's own live queries with Redis: a write is told to this instance's listeners directly, so a
// live query on the writing Kvetch re-runs once per write — with Redis up (the pub/sub echo of the write
// is not told again) and while Redis is cut off (a TCP proxy in front of it, as in
// test/reactive/live-redis-outage.test.ts), when no announcement can travel at all. Closing the Kvetch
// ends the live query with one LIVE_SOURCE_CLOSED result. Memory and MySQL backends, both with Redis.
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, subscribe } from "../../src/index.js";
import { Kvetch, memoryBackend, mysqlBackend, type RedisConfig } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { REDIS_URL, cacheConnected, deleteKeys, dropDatabases, serversUp, shardUrls, testDatabases, testKeyPrefix, testWhen } from "../integration/kvetch-servers.js";
import { RedisProxy } from "../integration/redisProxy.js";

const databases = testDatabases("livelocal");
const keyPrefix = testKeyPrefix("livelocal");
const up = await serversUp("test/reactive/live-local.test.ts", { mysql: true, redis: true });
const serverTest = testWhen(up);
const liveView = todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live");

/** Polls (bounded; a guard against a hang, not a timing assertion) until `check` holds. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

type Open = (redis: RedisConfig) => Kvetch;

async function writerKeepsItsLiveQueryCurrent(open: Open, prefix: string): Promise<void> {
  const proxy = new RedisProxy();
  await proxy.start();
  const writer = open({ url: `redis://127.0.0.1:${proxy.port}`, keyPrefix: prefix });
  // Another instance, reached directly: its invalidateDependency announces over pub/sub only.
  const other = open({ url: REDIS_URL, keyPrefix: prefix });
  const sent: ExecutionResult[] = [];
  let iterator: AsyncGenerator<ExecutionResult> | null = null;
  let ended: Promise<void> = Promise.resolve();
  try {
    await writer.migrate();
    await Promise.all([cacheConnected(writer), cacheConnected(other)]);
    const user = await writer.createObject("User", { name: "Local", username: "local" });
    const list = await writer.createObject("TodoList", { userId: user.id, name: "Errands" });
    const item = await writer.createObject("TodoItem", { listId: list.id, text: "post", done: false });

    let runs = 0;
    let running = false;
    iterator = (await subscribe({
      schema: todoSchema,
      document: parse(liveView),
      variableValues: { id: user.id },
      contextValue: { kvetch: writer },
      live: { source: writer, beforeRun: () => void (running = true), onRun: () => void (runs++, (running = false)) },
    })) as AsyncGenerator<ExecutionResult>;
    let finished = false;
    ended = (async () => {
      for await (const result of iterator!) sent.push(result);
      finished = true;
    })();
    const textOf = (result: ExecutionResult | undefined) => (result?.data as any)?.todoUser?.todoLists[0]?.todoItems[0]?.text as string | undefined;
    const listName = (result: ExecutionResult | undefined) => (result?.data as any)?.todoUser?.todoLists[0]?.name as string | undefined;
    await until(() => sent.length === 1, "the first result");
    assert.is(textOf(sent[0]), "post");

    // A barrier: the other instance announces a key no one reads; announcements come on one channel in order,
    // so once the writer hears it, it has heard everything announced before, and the runs that made are done.
    const heard = new Set<string>();
    const barriers: string[] = [];
    writer.onInvalidate((change) => {
      for (const key of barriers) if (change?.touches(key)) heard.add(key);
    });
    const barrier = async (attempts = 1): Promise<void> => {
      for (let n = 0; n < attempts; n++) {
        const key = `object:${randomUUID()}`;
        barriers.push(key);
        await other.invalidateDependency(key);
        for (let i = 0; i < 40 && !heard.has(key); i++) await new Promise((resolve) => setTimeout(resolve, 25));
        if (heard.has(key)) return until(() => !running, "the runs before the barrier to finish");
      }
      throw new Error("the writer never heard the other instance's announcement");
    };
    await barrier(20); // announcements before the subscription was confirmed are never heard

    // Redis up: the writer's own write is one run, not two (its echo on the subscription is not told again).
    let runsBefore = runs;
    const sentBefore = sent.length;
    await writer.updateObject("TodoItem", item.id, { text: "parcel" });
    await until(() => textOf(sent.at(-1)) === "parcel", "the writer's own write to show");
    await barrier();
    assert.is(runs, runsBefore + 1, "one run for the own write");
    assert.is(sent.length, sentBefore + 1);

    // Redis goes away for the writer: its own writes still reach its live query, one run each.
    await proxy.stop();
    await until(async () => (await writer.health()).cache?.status !== "ready", "the writer to see Redis gone");
    runsBefore = runs;
    await writer.updateObject("TodoItem", item.id, { text: "written during the outage" });
    await until(() => textOf(sent.at(-1)) === "written during the outage", "the own write to show during the outage");
    await writer.updateObject("TodoList", list.id, { name: "Renamed during the outage" });
    await until(() => listName(sent.at(-1)) === "Renamed during the outage", "the second own write to show");
    await until(() => !running, "no run in flight");
    assert.is(runs, runsBefore + 2, "one run per own write");
    assert.is(sent.length, sentBefore + 3);
    const fresh = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: user.id }, contextValue: { kvetch: writer } });
    assert.is(JSON.stringify(sent.at(-1)!.data), JSON.stringify(fresh.data));

    // Redis back: the reconnect re-runs (an announcement may have been missed); the result is unchanged,
    // so nothing is sent, and the other instance's writes are heard again.
    await proxy.start();
    await until(() => runs > runsBefore + 2, "the re-run after the reconnect");
    await barrier(20);
    assert.is(sent.length, sentBefore + 3, "the unchanged result is not sent again");
    await other.updateObject("TodoItem", item.id, { text: "after the outage" });
    await until(() => textOf(sent.at(-1)) === "after the outage", "the other instance's write after the reconnect");
    for (let i = 1; i < sent.length; i++) assert.is.not(JSON.stringify(sent[i]!.data), JSON.stringify(sent[i - 1]!.data), "a result sent twice unchanged");

    // Closing the writer ends the live query: one LIVE_SOURCE_CLOSED result, then the loop ends.
    const count = sent.length;
    await writer.close();
    await until(() => finished, "the live query to end");
    await ended;
    assert.is(sent.length, count + 1);
    assert.is(sent.at(-1)!.errors?.[0]?.extensions?.code, "LIVE_SOURCE_CLOSED");
    iterator = null;
  } finally {
    await iterator?.return(undefined);
    await Promise.all([writer.close(), other.close()]);
    await proxy.stop();
  }
}

serverTest("memory backend with Redis: the writer's live query re-runs once per own write, with Redis up or cut off", async () => {
  const backend = memoryBackend({ shards: 2 });
  // Both instances read one memory store; each has its own Redis connection (only the writer's is cut).
  await writerKeepsItsLiveQueryCurrent((redis) => new Kvetch({ schema: todoKvetchSchema, backend: { ...backend, redis } }), `${keyPrefix}memory:`);
});

serverTest("MySQL backend with Redis: the writer's live query re-runs once per own write, with Redis up or cut off", async () => {
  await writerKeepsItsLiveQueryCurrent(
    (redis) => new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis }) }),
    `${keyPrefix}mysql:`,
  );
});

test.after(async () => {
  if (!up) return;
  await deleteKeys(keyPrefix);
  await dropDatabases(databases);
});

test.run();
