// POST /deps/check on the example server: a response's deps (x-graphscale-deps: 1) checked over HTTP name
// exactly the keys a write moved; malformed keys and oversized lists are 400s with the store's message.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type RunningServer } from "../../examples/server/server.js";
import { createKvetchTodoStore, type SeededTodoStore } from "../../examples/server/kvetchTodo.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { dependenciesOf } from "../../src/index.js";
import type { Kvetch } from "../../src/kvetch/index.js";

let server: RunningServer;
let store: SeededTodoStore;

test.before(async () => {
  store = await createKvetchTodoStore({ shards: 4 });
  server = await createServer({ schema: todoSchema, contextFactory: () => ({ kvetch: store.kvetch }), deps: store.kvetch, port: 0 });
});

test.after(async () => {
  await server.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function viewDeps(): Promise<{ data: any; deps: Record<string, number | null> }> {
  const { status, body } = await post("/graphql", { query: todoViewQuery, variables: { id: store.userIds[0] } }, { "x-graphscale-deps": "1" });
  assert.is(status, 200);
  return { data: body.data, deps: dependenciesOf(body as never) };
}

test("deps/check: nothing moved right after the read; one item's text updated → exactly its object: key, in one store call", async () => {
  const kvetch: Kvetch = store.kvetch;
  const { deps } = await viewDeps();
  // 1 user + its list edges + 3 lists + 3 item lists + 12 items
  assert.is(Object.keys(deps).length, 20);
  assert.equal((await post("/deps/check", { deps })).body, { moved: [] });
  const list = (await kvetch.getEdges("user_to_list", [store.userIds[0]!]))[0]!.edges[0]!.toId;
  const item = (await kvetch.getEdges("list_to_item", [list]))[0]!.edges[0]!.toId;
  await kvetch.updateObject("TodoItem", item, { text: "changed over HTTP" });
  const calls = kvetch.counters.calls;
  const { status, body } = await post("/deps/check", { deps: Object.entries(deps).map(([key, version]) => ({ key, version })) });
  assert.is(status, 200);
  assert.equal(body.moved, [`object:${item}`]);
  assert.is(kvetch.counters.calls - calls, 1, "one store call for the whole list");
});

test("deps/check: a new item moves exactly its list's edges: key", async () => {
  const kvetch: Kvetch = store.kvetch;
  const { deps } = await viewDeps();
  const list = (await kvetch.getEdges("user_to_list", [store.userIds[0]!]))[0]!.edges[1]!.toId;
  await kvetch.createObject("TodoItem", { listId: list, text: "new", done: false });
  assert.equal((await post("/deps/check", { deps })).body.moved, [`edges:list_to_item:${list}`]);
});

test("deps/check bad input: malformed key, bad version, no deps, more than the maximum, not JSON — each a 400 with a clear message; the server still answers", async () => {
  const bad = await post("/deps/check", { deps: { "object:not-a-uuid": 1 } });
  assert.is(bad.status, 400);
  assert.match(bad.body.errors[0].message, /malformed dependency key "object:not-a-uuid"/);
  const version = await post("/deps/check", { deps: { "note:x": -1 } });
  assert.is(version.status, 400);
  assert.match(version.body.errors[0].message, /must be a non-negative integer or null/);
  const missing = await post("/deps/check", { keys: [] });
  assert.is(missing.status, 400);
  assert.match(missing.body.errors[0].message, /needs a JSON body \{ "deps"/);
  const many: Record<string, number> = {};
  for (let i = 0; i < 10_001; i++) many[`note:k${i}`] = 0;
  const over = await post("/deps/check", { deps: many });
  assert.is(over.status, 400);
  assert.match(over.body.errors[0].message, /10001 dependencies is more than the maximum of 10000/);
  const text = await fetch(`${server.url}/deps/check`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
  assert.is(text.status, 400);
  assert.is((await fetch(`${server.url}/deps/check`, { method: "POST", body: JSON.stringify({ deps: {} }) })).status, 415, "text/plain");
  const get = await fetch(`${server.url}/deps/check`);
  assert.is(get.status, 405);
  assert.equal((await post("/deps/check", { deps: { "note:x": 0 } })).body, { moved: [] });
});

test.run();
