// The example server over HTTP: `x-graphscale-explain: 1` adds extensions.explain and the run's round
// trips (load calls, Kvetch shard round trips); the page and Mermaid's bundle come from this server only.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type RoundTrips, type RunningServer } from "../../examples/server/server.js";
import { createMemoryTodoContext, memoryTodoSchema, memoryTodoViewQuery } from "../../examples/server/memoryTodo.js";
import { createKvetchTodoStore } from "../../examples/server/kvetchTodo.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import type { ExplainedPlan } from "../../src/index.js";

let memory: RunningServer;
let kvetchServer: RunningServer;
let kvetchUserId: string;

test.before(async () => {
  memory = await createServer({ schema: memoryTodoSchema, contextFactory: () => createMemoryTodoContext(), port: 0 });
  const { kvetch, userIds } = await createKvetchTodoStore({ shards: 4 });
  kvetchUserId = userIds[0]!;
  kvetchServer = await createServer({ schema: todoSchema, contextFactory: () => ({ kvetch }), port: 0, defaultQuery: todoViewQuery });
});

test.after(async () => {
  await memory.close();
  await kvetchServer.close();
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: unknown[]; extensions?: Record<string, unknown> } };
}

test("x-graphscale-explain: 1 puts { json, mermaid } and the run's load calls into extensions", async () => {
  const { status, body } = await post(memory.url, { query: memoryTodoViewQuery, variables: { id: "u1" } }, { "x-graphscale-explain": "1" });
  assert.is(status, 200);
  assert.is(body.errors, undefined);
  const explain = body.extensions?.explain as ExplainedPlan;
  assert.equal(Object.keys(explain), ["json", "mermaid"]);
  assert.ok(explain.mermaid.startsWith("flowchart TD\n"));
  assert.is(explain.json.operation.name, "TodoView");
  // One call per load step for 1 user, 3 lists and 12 items.
  assert.equal((body.extensions?.roundTrips as RoundTrips).loadCalls, { users: 1, lists: 1, listIdsByUser: 1, itemsByList: 1, nodes: 0, search: 0 });
});

test("without the header the response has no extensions", async () => {
  const { status, body } = await post(memory.url, { query: memoryTodoViewQuery, variables: { id: "u1" } });
  assert.is(status, 200);
  assert.is(body.extensions, undefined);
  assert.is((body.data as { user: { lists: unknown[] } }).user.lists.length, 3);
});

test("Kvetch store in the context: the run's round trips per shard (4 shards, 5 store calls)", async () => {
  const { body } = await post(kvetchServer.url, { query: todoViewQuery, variables: { id: kvetchUserId } }, { "x-graphscale-explain": "1" });
  assert.is(body.errors, undefined);
  const roundTrips = body.extensions?.roundTrips as RoundTrips;
  // One store call each for the user, its list edges, the lists, their item edges and the items.
  assert.is(roundTrips.storeCalls, 5);
  assert.is(roundTrips.shardQueries?.length, 4);
  // Each call at most one round trip per shard it touches: 1 user, 1 edge parent, 3 lists, 3 edge parents, 12 items.
  const total = roundTrips.shardQueries!.reduce((a, b) => a + b, 0);
  assert.ok(total >= 5 && total <= 1 + 1 + 3 + 3 + 4, `round trips per shard: ${roundTrips.shardQueries}`);
  // A second run counts only itself.
  const again = await post(kvetchServer.url, { query: todoViewQuery, variables: { id: kvetchUserId } }, { "x-graphscale-explain": "1" });
  assert.equal((again.body.extensions?.roundTrips as RoundTrips).shardQueries, roundTrips.shardQueries);
});

test("request errors: 400 with graphql-js's messages, no plan", async () => {
  const bad = await post(memory.url, { query: "{ user(id: 1) { nope } }" }, { "x-graphscale-explain": "1" });
  assert.is(bad.status, 400);
  assert.match(JSON.stringify(bad.body.errors), /Cannot query field \\"nope\\" on type \\"User\\"/);
  const notJSON = await fetch(`${memory.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
  assert.is(notJSON.status, 400);
  // A body a form on another site could send (text/plain, urlencoded, multipart, or no type) runs nothing.
  for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null]) {
    const headers: Record<string, string> = type === null ? {} : { "content-type": type };
    const body = type === null ? new Blob([JSON.stringify({ query: "{ __typename }" })]) : JSON.stringify({ query: "{ __typename }" });
    const refused = await fetch(`${memory.url}/graphql`, { method: "POST", headers, body });
    assert.is(refused.status, 415, String(type));
    assert.match(await refused.text(), /must be sent as application\/json/);
  }
  const get = await fetch(`${memory.url}/graphql`);
  assert.is(get.status, 405);
});

test("GET / serves the page; Mermaid's bundle comes from node_modules, nothing from another origin", async () => {
  const page = await (await fetch(`${kvetchServer.url}/`)).text();
  assert.ok(page.includes('<script src="/mermaid.min.js"></script>'));
  assert.not.match(page, /(src|href)="(https?:)?\/\//);
  assert.ok(page.includes("todoUser"), "the default query is in the page");
  const bundle = await fetch(`${kvetchServer.url}/mermaid.min.js`);
  assert.is(bundle.status, 200);
  assert.match(bundle.headers.get("content-type") ?? "", /javascript/);
  const text = await bundle.text();
  assert.ok(text.length > 1_000_000 && text.includes("flowchart"), `${text.length} bytes`);
});

test.run();
