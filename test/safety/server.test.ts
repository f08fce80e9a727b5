// The example server in front of real traffic: deep and malformed queries are 4xx with a message (never a
// 500), bodies over the limit are 413, a client that goes away aborts its request (later steps never run),
// a slow request ends at the timeout, /healthz reports each shard, and deleteTodoItem deletes only items.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type RunningServer } from "../../examples/server/server.js";
import { createKvetchTodoStore } from "../../examples/server/kvetchTodo.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { seedTodo } from "../../examples/todo/seed.js";

let server: RunningServer;
let kvetch: Kvetch;
let userIds: readonly string[];

test.before(async () => {
  ({ kvetch, userIds } = await createKvetchTodoStore({ shards: 4 }));
  server = await createServer({ schema: todoSchema, contextFactory: () => ({ kvetch }), port: 0, health: () => kvetch.health(), maxBodyBytes: 200_000, onInternalError: () => undefined });
});

test.after(async () => {
  await server.close();
});

async function post(body: unknown, url = server.url): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

function deepQuery(depth: number): string {
  return `{ todoUser(id: "x") ${"{ todoLists { owner ".repeat(depth)}{ name }${" } }".repeat(depth)} }`;
}

for (const depth of [1_000, 5_000, 100_000]) {
  test(`a query nested ${depth.toLocaleString("en")} levels deep is a 4xx GraphQL error with a message, never a 500`, async () => {
    const { status, body } = await post({ query: deepQuery(depth) });
    assert.ok(status >= 400 && status < 500, `status ${status}`);
    assert.ok(Array.isArray(body.errors) && body.errors.length > 0);
    for (const error of body.errors) assert.ok(typeof error.message === "string" && error.message.length > 0);
    assert.is(body.data, undefined);
  });
}

test("client mistakes are 4xx with a message: bad JSON, no query, bad variables, bad syntax, unknown field, too large", async () => {
  const cases: [unknown, number][] = [
    ["{not json", 400],
    [{ variables: {} }, 400],
    [{ query: "{ __typename }", variables: "x" }, 400],
    [{ query: "{ __typename }", operationName: 3 }, 400],
    [{ query: "{ todoUser(id: " }, 400],
    [{ query: "{ nope }" }, 400],
    [{ query: `{ __typename }`, padding: "x".repeat(300_000) }, 413],
  ];
  for (const [body, expected] of cases) {
    const { status, body: out } = await post(body);
    assert.is(status, expected, JSON.stringify(body).slice(0, 60));
    assert.ok(out.errors[0].message.length > 0);
  }
});

test("/healthz reports every shard and the cache; 200 when all answer", async () => {
  const response = await fetch(`${server.url}/healthz`);
  const body = (await response.json()) as { ok: boolean; shards: { shard: number; ok: boolean; breaker: string }[]; cache: unknown };
  assert.is(response.status, 200);
  assert.is(body.ok, true);
  assert.equal(body.shards.map((s) => [s.shard, s.ok, s.breaker]), [[0, true, "closed"], [1, true, "closed"], [2, true, "closed"], [3, true, "closed"]]);
  assert.is(body.cache, null);
});

test("deleteTodoItem with a user's or a list's id deletes nothing and is an error; with an item's id it deletes the item", async () => {
  const list = (await kvetch.getEdges("user_to_list", [userIds[0]!]))[0]!.edges[0]!.toId;
  const item = (await kvetch.getEdges("list_to_item", [list]))[0]!.edges[0]!.toId;
  const mutation = `mutation ($id: ID!) { deleteTodoItem(id: $id) }`;
  for (const id of [userIds[0]!, list]) {
    const { status, body } = await post({ query: mutation, variables: { id } });
    assert.is(status, 200);
    assert.equal(body.data, { deleteTodoItem: null });
    assert.match(body.errors[0].message, "is not a TodoItem; nothing was deleted");
    assert.equal(body.errors[0].path, ["deleteTodoItem"]);
    assert.ok((await kvetch.getObject(id)) !== null, "still there");
  }
  const deleted = await post({ query: mutation, variables: { id: item } });
  assert.equal(deleted.body, { data: { deleteTodoItem: true } });
  assert.is(await kvetch.getObject(item), null);
});

test("a client that goes away aborts its request: the steps after the abort never run", async () => {
  const slow = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4, latencyMs: 100 }) });
  const seed = await seedTodo(slow, { users: 1, listsPerUser: 3, itemsPerList: 2 });
  const slowServer = await createServer({ schema: todoSchema, contextFactory: () => ({ kvetch: slow }), port: 0 });
  try {
    slow.resetCounters();
    const controller = new AbortController();
    const request = fetch(`${slowServer.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: todoViewQuery, variables: { id: seed.userIds[0] } }),
      signal: controller.signal,
    }).catch(() => "aborted");
    await new Promise((resolve) => setTimeout(resolve, 150));
    controller.abort();
    assert.is(await request, "aborted");
    await new Promise((resolve) => setTimeout(resolve, 700));
    // the view is 5 store calls one after another; the abort came during the second
    assert.ok(slow.counters.calls < 5, `${slow.counters.calls} store calls ran`);
  } finally {
    await slowServer.close();
  }
});

test("a request slower than the server's timeout ends with a timeout error", async () => {
  const slow = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4, latencyMs: 100 }) });
  const seed = await seedTodo(slow, { users: 1, listsPerUser: 2, itemsPerList: 2 });
  const slowServer = await createServer({ schema: todoSchema, contextFactory: () => ({ kvetch: slow }), port: 0, requestTimeoutMs: 150 });
  try {
    const { status, body } = await post({ query: todoViewQuery, variables: { id: seed.userIds[0] } }, slowServer.url);
    assert.is(status, 200);
    assert.is(body.data, null);
    assert.match(body.errors[0].message, "timed out after 150 ms");
  } finally {
    await slowServer.close();
  }
});

test.run();
