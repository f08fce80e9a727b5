// A live query whose Kvetch loses Redis (a TCP proxy in front of it, closed and reopened, as in
// test/integration/kvetch-redis.test.ts) while another instance — another process, connected to Redis
// directly — writes what the query shows. The announcement of that write is missed; once the connection
// is back, the live query re-runs and sends the current result.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, subscribe } from "../../src/index.js";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { REDIS_URL, cacheConnected, deleteKeys, dropDatabases, serversUp, shardUrls, testDatabases, testKeyPrefix, testWhen } from "../integration/kvetch-servers.js";
import { RedisProxy } from "../integration/redisProxy.js";

const databases = testDatabases("liveout");
const keyPrefix = testKeyPrefix("liveout");
const up = await serversUp("test/reactive/live-redis-outage.test.ts", { mysql: true, redis: true });
const serverTest = testWhen(up);
const liveView = todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live");


/** Polls (bounded; a guard, not a timing assertion) until `check` holds. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

serverTest("Redis dropped and restored during a live query: a write it could not hear about shows after reconnect", async () => {
  const proxy = new RedisProxy();
  await proxy.start();
  const open = (redisUrl: string) =>
    new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis: { url: redisUrl, keyPrefix } }) });
  const watcher = open(`redis://127.0.0.1:${proxy.port}`);
  const writer = open(REDIS_URL);
  const sent: ExecutionResult[] = [];
  let iterator: AsyncGenerator<ExecutionResult> | null = null;
  try {
    await writer.migrate();
    await Promise.all([cacheConnected(watcher), cacheConnected(writer)]);
    const user = await writer.createObject("User", { name: "Live", username: "live" });
    const list = await writer.createObject("TodoList", { userId: user.id, name: "Groceries" });
    const item = await writer.createObject("TodoItem", { listId: list.id, text: "milk", done: false });

    let runs = 0;
    iterator = (await subscribe({
      schema: todoSchema,
      document: parse(liveView),
      variableValues: { id: user.id },
      contextValue: { kvetch: watcher },
      live: { source: watcher, onRun: () => void runs++ },
    })) as AsyncGenerator<ExecutionResult>;
    void (async () => {
      for await (const result of iterator!) sent.push(result);
    })();
    const textOf = (result: ExecutionResult | undefined) => (result?.data as any)?.todoUser?.todoLists[0]?.todoItems[0]?.text as string | undefined;
    await until(() => sent.length === 1, "the first result");
    assert.is(textOf(sent[0]), "milk");

    // The feed works: a write by the other instance reaches the live query over pub/sub. A write made
    // before the subscription was confirmed is never heard, so it is repeated with a new text until one is.
    let heard = false;
    for (let n = 0; n < 20 && !heard; n++) {
      await writer.updateObject("TodoItem", item.id, { text: `bread ${n}` });
      for (let i = 0; i < 40 && !heard; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        heard = textOf(sent.at(-1)) === `bread ${n}`;
      }
    }
    assert.ok(heard, "the live query never heard the other instance's write");
    const heardBefore = sent.length;
    const runsBefore = runs;

    // Redis goes away for the watcher only; the writer's announcement of this write is lost to it.
    await proxy.stop();
    await writer.updateObject("TodoItem", item.id, { text: "written during the outage" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.is(sent.length, heardBefore, "nothing can be heard while the connection is down");
    assert.is(runs, runsBefore);

    await proxy.start();
    await until(() => textOf(sent.at(-1)) === "written during the outage", "the live query to re-run after reconnect");
    assert.is(sent.length, heardBefore + 1, "exactly one new result: the current one");
    assert.is(runs, runsBefore + 1, "one re-run, for the reconnect");
    const fresh = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: user.id }, contextValue: { kvetch: writer } });
    assert.equal(JSON.stringify(sent.at(-1)!.data), JSON.stringify(fresh.data));
    for (let i = 1; i < sent.length; i++) assert.is.not(JSON.stringify(sent[i]!.data), JSON.stringify(sent[i - 1]!.data), "a result sent twice unchanged");
  } finally {
    await iterator?.return(undefined);
    await Promise.all([watcher.close(), writer.close()]);
    await proxy.stop();
  }
});

test.after(async () => {
  if (!up) return;
  await deleteKeys(keyPrefix);
  await dropDatabases(databases);
});

test.run();
