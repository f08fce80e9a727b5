// The example server in front of real traffic: deep and malformed queries are 4xx with a message (never a
// 500), bodies over the limit are 413, a client that goes away aborts its request (later steps never run),
// a slow request ends at the timeout, /healthz reports each shard, and deleteTodoItem deletes only items.

import type { Socket } from "node:net";
import { test } from "uvu";
import { buildSchema, versionInfo } from "graphql";
import * as assert from "uvu/assert";
import { createServer, type RunningServer } from "../../examples/server/server.js";
import { createKvetchTodoStore } from "../../examples/server/kvetchTodo.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { Kvetch, memoryBackend, type KvetchBackend, type ShardStore } from "../../src/kvetch/index.js";
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

test("a document a validation rule throws on (graphql() rejects, as graphql-js does) is a 400 with that error, not a 500", async () => {
  const schema = buildSchema(`type Query { a: Int } type Subscription { s: Int }`);
  const own = await createServer({ schema, port: 0, onInternalError: () => undefined });
  try {
    const { status, body } = await post({ query: `subscription ($b: Boolean!) { s @include(if: $b) }` }, own.url);
    assert.is(status, 400);
    // 16's SingleFieldSubscriptionsRule throws collecting the fields (no runtime value for $b); 17's reports a
    // validation error for the directive instead. Either way a 400 with graphql-js's own message.
    const expected = versionInfo.major === 16 ? 'was provided the variable "$b" which was not provided a runtime value' : "must not use `@skip` or `@include` directives in the top level selection";
    assert.match(body.errors[0].message, expected);
  } finally {
    await own.close();
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
    assert.match(body.errors[0].message, ", not TodoItem; nothing was deleted");
    assert.is(body.errors[0].extensions.code, "WRONG_TYPE");
    assert.equal(body.errors[0].path, ["deleteTodoItem"]);
    assert.ok((await kvetch.getObject(id)) !== null, "still there");
  }
  const deleted = await post({ query: mutation, variables: { id: item } });
  assert.equal(deleted.body, { data: { deleteTodoItem: true } });
  assert.is(await kvetch.getObject(item), null);
});

/**
 * A Kvetch over `backend` whose shard calls are held at a gate until `open()`: each call's method is recorded
 * as it starts, so a test sees which store calls a request made and can act while they are in flight.
 */
function gatedKvetch(backend: KvetchBackend) {
  const started: string[] = [];
  const held: (() => void)[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let isOpen = false;
  const wrap = (shard: ShardStore): ShardStore =>
    new Proxy(shard, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        // The open check's reads (topology, schema lock) are not store calls of a request: they pass the gate uncounted.
        if (typeof value !== "function" || key === "close" || key === "readTopology" || key === "readSchemaLock") return value;
        return (...args: unknown[]) => {
          started.push(String(key));
          const run = () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (isOpen) return run();
          const release = new Promise<void>((resolve) => held.push(resolve));
          for (const waiter of waiters.filter((w) => held.length >= w.count)) waiter.resolve();
          return release.then(run);
        };
      },
    });
  const gated: KvetchBackend = Object.create(backend, {
    openShards: { value: (counters: Parameters<KvetchBackend["openShards"]>[0]) => backend.openShards(counters).map(wrap) },
  });
  return {
    kvetch: new Kvetch({ schema: todoKvetchSchema, backend: gated }),
    started,
    /** Resolves once `count` shard calls are held at the gate. */
    held: (count: number) => new Promise<void>((resolve) => (held.length >= count ? resolve() : waiters.push({ count, resolve }))),
    open(): void {
      isOpen = true;
      for (const release of held.splice(0)) release();
    },
  };
}

test("a client that goes away aborts its request: of the todo view's 5 store calls only the 2 in flight at the abort ran", async () => {
  // One memory backend (shared data), seen by three Kvetch instances that each count their own calls.
  const backend = memoryBackend({ shards: 4 });
  const seed = await seedTodo(new Kvetch({ schema: todoKvetchSchema, backend }), { users: 1, listsPerUser: 3, itemsPerList: 2 });
  const finished = gatedKvetch(backend);
  const aborted = gatedKvetch(backend);
  const after = new Kvetch({ schema: todoKvetchSchema, backend });
  const stores: Record<string, Kvetch> = { finished: finished.kvetch, aborted: aborted.kvetch, after };
  let abortedSocket: Socket | null = null;
  const gatedServer = await createServer({
    schema: todoSchema,
    port: 0,
    contextFactory: (req) => {
      const store = String(req.headers["x-store"]);
      if (store === "aborted") abortedSocket = req.socket;
      return { kvetch: stores[store]! };
    },
  });
  const send = (store: string, signal?: AbortSignal) =>
    fetch(`${gatedServer.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-store": store },
      body: JSON.stringify({ query: todoViewQuery, variables: { id: seed.userIds[0] } }),
      signal,
    });
  const LEVEL_1 = ["readObjects", "readEdgeRanges"]; // the user ∥ its list edges
  try {
    // Without an abort, opening the gate after the first level lets the request make all 5 calls.
    const whole = send("finished");
    await finished.held(2);
    assert.equal([...finished.started].sort(), LEVEL_1.slice().sort());
    assert.is(finished.kvetch.counters.calls, 2);
    finished.open();
    const wholeBody = (await (await whole).json()) as { data: { todoUser: { todoLists: unknown[] } } };
    assert.is(wholeBody.data.todoUser.todoLists.length, 3);
    assert.is(finished.kvetch.counters.calls, 5);

    // The same request, its client gone while the first level's calls are held.
    const controller = new AbortController();
    const request = send("aborted", controller.signal).catch(() => "aborted");
    await aborted.held(2);
    assert.is(aborted.kvetch.counters.calls, 2);
    controller.abort();
    assert.is(await request, "aborted");
    // The server aborts the request when it sees the connection close.
    const socket = abortedSocket as Socket | null;
    assert.ok(socket !== null);
    if (!socket.destroyed) await new Promise((resolve) => socket.once("close", resolve));
    aborted.open();
    // A whole request on the same server after the held calls finished: the aborted one had every turn it
    // needed to start its next steps.
    const next = (await (await send("after")).json()) as { data: unknown };
    assert.equal(next.data, wholeBody.data);
    assert.is(after.counters.calls, 5);
    assert.is(aborted.kvetch.counters.calls, 2, `${aborted.kvetch.counters.calls} store calls ran`);
    assert.equal([...aborted.started].sort(), LEVEL_1.slice().sort());
  } finally {
    await gatedServer.close();
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
