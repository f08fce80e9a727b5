// Load on real MySQL shards behind TCP proxies, with the default pool settings and no cache (every read
// reaches the shards, as a cold cache does): LOAD_CLIENTS concurrent clients for LOAD_MS fail no request
// (calls wait their turn instead of "pool queue full"), and one request of 100 aliased todo views fails none
// and makes exactly the round trips per shard its 100 views make one by one. Under CI=true the run lasts the
// acceptance's 30 s; elsewhere 6 s (GRAPHSCALE_LOAD_MS and GRAPHSCALE_LOAD_CLIENTS override). It prints its
// figures: requests, failures, p50/p99 latency.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute } from "../../src/index.js";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import type { Admission } from "../../src/kvetch/admission.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { MYSQL_SERVER, dropDatabases, serversUp, shardUrls, testDatabases } from "./kvetch-servers.js";
import { startTcpProxy, type TcpProxy } from "../safety/tcpProxy.js";
import { LoadRecord } from "./kvetch-load-record.js";

const DATABASES = testDatabases("load");
/** Concurrent clients of the load run (each sends its next request when the last one answered). */
const LOAD_CLIENTS = Number(process.env.GRAPHSCALE_LOAD_CLIENTS ?? 200);
/** How long the load runs: the acceptance's 30 s under CI, short elsewhere. */
const LOAD_MS = Number(process.env.GRAPHSCALE_LOAD_MS ?? (process.env.CI === "true" ? 30_000 : 6000));
/** One request in WRITE_EVERY is a write (5%). */
const WRITE_EVERY = 20;
const USERS = 100;
const ALIASES = 100;

if (await serversUp("test/integration/kvetch-load.test.ts", { mysql: true })) {
  const server = new URL(MYSQL_SERVER);
  let proxies: TcpProxy[] = [];
  let kvetch: Kvetch;
  const users: string[] = [];
  const items: string[] = [];

  /** Each shard's admission queue (to see how many calls waited at once). */
  const admissions = (): Admission[] =>
    (kvetch as unknown as { store: { shards: { inner: { pool: { admission: Admission } } }[] } }).store.shards.map((shard) => shard.inner.pool.admission);

  test.before(async () => {
    await dropDatabases(DATABASES);
    proxies = await Promise.all(DATABASES.map(() => startTcpProxy(server.hostname, Number(server.port || 3306))));
    const urls = shardUrls(DATABASES).map((url, shard) => url.replace(server.host, `127.0.0.1:${proxies[shard]!.port}`));
    kvetch = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: urls }) });
    await kvetch.migrate();
    for (let u = 0; u < USERS; u++) {
      const user = await kvetch.createObject("User", { name: `user ${u}`, username: `load${u}` });
      users.push(user.id);
    }
    const lists = await kvetch.createObjects(users.flatMap((userId) => [1, 2, 3].map((n) => ({ type: "TodoList", data: { userId, name: `list ${n}` } }))));
    const created = await kvetch.createObjects(lists.flatMap((list) => [1, 2, 3, 4].map((n) => ({ type: "TodoItem", data: { listId: list.id, text: `item ${n}`, done: false } }))));
    for (const item of created) items.push(item.id);
  });

  test.after(async () => {
    await kvetch?.close();
    for (const proxy of proxies) await proxy.close();
    await dropDatabases(DATABASES);
  });

  const view = parse(todoViewQuery);
  const write = parse(`mutation ($id: ID!, $done: Boolean!) { setTodoItemDone(id: $id, done: $done) { id done } }`);

  test(`${LOAD_CLIENTS} concurrent clients for ${LOAD_MS} ms, no cache, default pools (poolSize 10): 0 failed requests, though far more calls waited at a shard than the old queue of 100 held`, async () => {
    const record = new LoadRecord(["load"]);
    let sent = 0;
    let mostWaiting = 0;
    const sampler = setInterval(() => {
      for (const admission of admissions()) mostWaiting = Math.max(mostWaiting, admission.queued);
    }, 5);
    const end = Date.now() + LOAD_MS;
    const client = async (c: number): Promise<void> => {
      for (let n = 0; Date.now() < end; n++) {
        const i = sent++;
        const started = performance.now();
        const result =
          i % WRITE_EVERY === 0
            ? await execute({ schema: todoSchema, document: write, variableValues: { id: items[(i * 7) % items.length], done: n % 2 === 0 }, contextValue: { kvetch } })
            : await execute({ schema: todoSchema, document: view, variableValues: { id: users[(c + n) % users.length] }, contextValue: { kvetch } });
        const failure = result.errors?.map((error) => String((error.originalError ?? error).message)).join("; ");
        record.add(0, performance.now() - started, failure);
      }
    };
    await Promise.all(Array.from({ length: LOAD_CLIENTS }, (_, c) => client(c)));
    clearInterval(sampler);
    console.log(record.table(`${LOAD_CLIENTS} clients for ${LOAD_MS} ms, no cache, 4 shards behind TCP proxies`));
    console.log(`  at most ${mostWaiting} calls waited at one shard`);
    assert.is(record.failed, 0, `failed requests: ${record.messages()}`);
    assert.ok(mostWaiting > 100, `calls waited at a shard beyond the old queue of 100 (${mostWaiting}): the run needed admission`);
  });

  test(`one request of ${ALIASES} aliased todo views: 0 errors, and per shard exactly the round trips of its ${ALIASES} views run one by one`, async () => {
    const ids = users.slice(0, ALIASES);
    const alone = [0, 0, 0, 0];
    for (const id of ids) {
      kvetch.resetCounters();
      const result = await execute({ schema: todoSchema, document: view, variableValues: { id }, contextValue: { kvetch } });
      assert.is(result.errors, undefined);
      for (let shard = 0; shard < 4; shard++) alone[shard]! += kvetch.counters.shardQueries[shard]!;
    }
    const selection = todoViewQuery.slice(todoViewQuery.indexOf("todoUser(id: $id)") + "todoUser(id: $id)".length, todoViewQuery.lastIndexOf("}"));
    const aliased = `{ ${ids.map((id, a) => `v${a}: todoUser(id: "${id}") ${selection}`).join("\n")} }`;
    let mostWaiting = 0;
    const sampler = setInterval(() => {
      for (const admission of admissions()) mostWaiting = Math.max(mostWaiting, admission.queued);
    }, 1);
    kvetch.resetCounters();
    const result = await execute({ schema: todoSchema, document: parse(aliased), contextValue: { kvetch } });
    clearInterval(sampler);
    const together = [...kvetch.counters.shardQueries];
    console.log(`  ${ALIASES} aliases: round trips per shard ${together.join(", ")} (one by one: ${alone.join(", ")}); at most ${mostWaiting} calls waited at one shard`);
    assert.is(result.errors, undefined);
    assert.is(Object.keys(result.data!).length, ALIASES);
    for (let a = 0; a < ALIASES; a++) assert.is(((result.data as Record<string, { todoLists: unknown[] }>)[`v${a}`]!.todoLists).length, 3);
    assert.equal(together, alone);
  });

  test.run();
}
