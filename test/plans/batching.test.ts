// Cross-request batching (spec/cross-request-batching.md): concurrent requests for one plan share each step's
// call, yet every request gets exactly the result plain execute gives it, its own errors only.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, versionInfo, type ExecutionResult } from "graphql";
import { createBatchedExecute, execute, makeSchema, type ExecutionDetails } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { constant, loadMany, loadOne } from "../../steps/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { planSchema, queries } from "../engine/library.js";

const USERS = 200;
const todoView = parse(todoViewQuery);

async function seeded() {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  const seed = await seedTodo(kvetch, { users: USERS, listsPerUser: 10, itemsPerList: 5 });
  return { kvetch, seed };
}

const plain = (r: ExecutionResult | Promise<ExecutionResult>) => Promise.resolve(r).then((x) => JSON.parse(JSON.stringify(x)));

test("todo view: 200 concurrent requests for distinct users make ≤ 0.2 store calls per request (5 unbatched), same results", async () => {
  const { kvetch, seed } = await seeded();
  const contextValue = { kvetch };
  kvetch.resetCounters();
  const unbatched = await Promise.all(seed.userIds.map((id) => plain(execute({ schema: todoSchema, document: todoView, variableValues: { id }, contextValue }))));
  const unbatchedCalls = kvetch.counters.calls / USERS;
  assert.is(unbatchedCalls, 5);

  // By default the window's requests run on as one bucket; without that, they share each step's call.
  for (const adoptWindows of [true, false]) {
    const batchedExecute = createBatchedExecute({ schema: todoSchema, windowMs: 5, adoptWindows });
    kvetch.resetCounters();
    const batched = await Promise.all(seed.userIds.map((id) => plain(batchedExecute({ schema: todoSchema, document: todoView, variableValues: { id }, contextValue }))));
    const perRequest = kvetch.counters.calls / USERS;
    assert.ok(perRequest <= 0.2, `${perRequest} store calls per request`);
    assert.equal(batched, unbatched);
    assert.is((batched[7] as any).data.todoUser.todoLists.length, 10);
    const { stats } = batchedExecute;
    if (adoptWindows) {
      assert.equal([stats.windowRuns, stats.adoptedRequests, stats.fallbacks, stats.jointCalls], [1, USERS, 0, 0]);
    } else {
      assert.is(stats.windowRuns, 0);
      assert.ok(stats.joinedParts >= USERS * 4, `joined ${stats.joinedParts}`);
    }
  }
  await kvetch.close();
});

test("todo view: a malformed user id gets its own error, the other 199 results are untouched", async () => {
  const { kvetch, seed } = await seeded();
  const contextValue = { kvetch };
  const ids = seed.userIds.slice();
  ids[42] = "not-a-uuid";
  const unbatched = await Promise.all(ids.map((id) => plain(execute({ schema: todoSchema, document: todoView, variableValues: { id }, contextValue }))));
  const batchedExecute = createBatchedExecute({ schema: todoSchema, windowMs: 5 });
  kvetch.resetCounters();
  const batched = await Promise.all(ids.map((id) => plain(batchedExecute({ schema: todoSchema, document: todoView, variableValues: { id }, contextValue }))));
  assert.ok(kvetch.counters.calls / USERS <= 0.2, `${kvetch.counters.calls} store calls`);
  assert.equal(batched, unbatched);
  assert.equal(batched[42], unbatched[42]);
  assert.equal((batched[42] as any).data, { todoUser: null });
  assert.equal(batched[42].errors.map((e: any) => [e.path, e.message]), [[["todoUser"], 'Kvetch: "not-a-uuid" is not a UUID (expected 8-4-4-4-12 hex) in loadObject("User")']]);
  for (let u = 0; u < USERS; u++) if (u !== 42) assert.ok((batched[u] as any).data.todoUser !== null && batched[u].errors === undefined);
  await kvetch.close();
});

// A load whose callback throws for the whole batch when one key is poisoned: without isolation, every
// request sharing the call would fail.
const loadCalls = { items: 0 };
const poisonSchema = makeSchema({
  typeDefs: /* GraphQL */ `
    type Query { item(id: ID!): Item }
    type Item { id: ID!, label: String! }
  `,
  plans: {
    Query: {
      item: (_$root: unknown, args: any) =>
        loadOne(args.get("id"), async (ids: readonly string[]) => {
          loadCalls.items++;
          await new Promise((r) => setTimeout(r, 1));
          if (ids.includes("poison")) throw new Error("poisoned batch");
          return ids.map((id) => ({ id, label: `item ${id}` }));
        }),
    },
  } as any,
});
const itemQuery = parse(`query($id: ID!) { item(id: $id) { id label } }`);

test("poisoned entry: the request whose entry throws gets the error, the other 199 their items; isolation splits in halves", async () => {
  const ids = Array.from({ length: 200 }, (_, i) => (i === 137 ? "poison" : `i${i}`));
  const batchedExecute = createBatchedExecute({ schema: poisonSchema, windowMs: 5 });
  loadCalls.items = 0;
  const batched = await Promise.all(ids.map((id) => plain(batchedExecute({ schema: poisonSchema, document: itemQuery, variableValues: { id } }))));
  for (let i = 0; i < ids.length; i++) {
    if (i === 137) {
      assert.equal(batched[i].data, { item: null });
      assert.is(batched[i].errors.length, 1);
      assert.is(batched[i].errors[0].message, "poisoned batch");
      assert.equal(batched[i].errors[0].path, ["item"]);
    } else {
      assert.equal(batched[i], { data: { item: { id: `i${i}`, label: `item i${i}` } } });
    }
  }
  // One joint call, then two halves per level down to the poisoned request: 1 + 2·⌈log2 200⌉ calls at most.
  assert.ok(loadCalls.items <= 1 + 2 * 8, `${loadCalls.items} calls`);
  const unbatched = await plain(execute({ schema: poisonSchema, document: itemQuery, variableValues: { id: "poison" } }));
  assert.equal(batched[137], unbatched);
});

test("a step with crossRequest = false and a request with crossRequest: false run per request", async () => {
  let calls = 0;
  const schema = makeSchema({
    typeDefs: `type Query { a(id: ID!): String, b(id: ID!): String }`,
    plans: {
      Query: {
        a: (_$root: unknown, args: any) => loadOne(args.get("id"), async (ids: readonly string[]) => (calls++, ids.map((id) => `a${id}`))),
        b: (_$root: unknown, args: any) => {
          const $step = loadOne(args.get("id"), async (ids: readonly string[]) => (calls++, ids.map((id) => `b${id}`)));
          ($step as any).crossRequest = false;
          return $step;
        },
      },
    } as any,
  });
  const query = parse(`query($id: ID!) { a(id: $id) b(id: $id) }`);
  const batchedExecute = createBatchedExecute({ schema, windowMs: 2 });
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => plain(batchedExecute({ schema, document: query, variableValues: { id: String(i) }, crossRequest: i !== 3 }))),
  );
  for (let i = 0; i < 10; i++) assert.equal(results[i], { data: { a: `a${i}`, b: `b${i}` } });
  // a: one joint call for 9 requests + request 3 alone; b: 10 calls.
  assert.is(calls, 2 + 10);
});

test("limits: requests under the schema's limits share calls; their own limits group by value, not by object", async () => {
  let calls = 0;
  const schema = makeSchema({
    typeDefs: `type Query { a(id: ID!): String }`,
    limits: { maxDepth: 50 },
    plans: {
      Query: { a: (_$root: unknown, args: any) => loadOne(args.get("id"), async (ids: readonly string[]) => (calls++, ids.map((id) => `a${id}`))) },
    } as any,
  });
  const query = parse(`query($id: ID!) { a(id: $id) }`);
  const batchedExecute = createBatchedExecute({ schema, windowMs: 2 });
  const own = (i: number) => (i < 5 ? undefined : i < 10 ? { maxPageSize: 7 } : i < 15 ? { maxPageSize: 7, timeoutMs: undefined } : { maxPageSize: 8 });
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => plain(batchedExecute({ schema, document: query, variableValues: { id: String(i) }, limits: own(i) }))),
  );
  for (let i = 0; i < 20; i++) assert.equal(results[i], { data: { a: `a${i}` } });
  // The schema's limits (5 requests), maxPageSize 7 (10 requests, an undefined key counting as absent), 8 (5):
  // one merged run for each.
  assert.is(calls, 3);
  assert.equal([batchedExecute.stats.windowRuns, batchedExecute.stats.adoptedRequests], [3, 20]);
});

test("windowMs 0: a window holds the requests of its turn of the event loop; a request a turn later opens the next one", async () => {
  const batches: string[][] = [];
  const schema = makeSchema({
    typeDefs: `type Query { a(id: ID!): String }`,
    plans: { Query: { a: (_$root: unknown, args: any) => loadOne(args.get("id"), async (ids: readonly string[]) => (batches.push([...ids]), ids.map((id) => `a${id}`))) } } as any,
  });
  const query = parse(`query($id: ID!) { a(id: $id) }`);
  const run = async (windowMs: number) => {
    batches.length = 0;
    const batchedExecute = createBatchedExecute({ schema, windowMs });
    const request = (id: string) => plain(batchedExecute({ schema, document: query, variableValues: { id } }));
    const started = [request("1"), request("2"), request("3")];
    await new Promise((resolve) => setImmediate(resolve)); // the next turn: with windowMs 0, the first window has closed
    started.push(request("4"));
    assert.equal(await Promise.all(started), ["1", "2", "3", "4"].map((id) => ({ data: { a: `a${id}` } })));
    return batches.map((ids) => ids.join(""));
  };
  assert.equal(await run(0), ["123", "4"]);
  // A window of 50 ms still holds the request of the next turn (a timer of 0 would too: Node runs it 1 ms later at the soonest).
  assert.equal(await run(50), ["1234"]);
});

test("createBatchedExecute: a windowMs that is not a finite number of 0 or more is refused, naming it", () => {
  for (const [windowMs, shown] of [[-1, "-1"], [Number.NaN, "NaN"], [Infinity, "Infinity"], [undefined, "undefined"], ["5", "string"]] as const) {
    assert.throws(
      () => createBatchedExecute({ schema: todoSchema, windowMs: windowMs as unknown as number }),
      (error: Error) => error instanceof TypeError && error.message === `createBatchedExecute: windowMs must be a finite number of milliseconds, 0 or more; got ${shown}.`,
    );
  }
  assert.is(typeof createBatchedExecute({ schema: todoSchema, windowMs: 0 }), "function");
  assert.throws(
    () => createBatchedExecute({ schema: todoSchema, windowMs: 1, adoptWindows: "yes" as unknown as boolean }),
    (error: Error) => error instanceof TypeError && error.message === "createBatchedExecute: adoptWindows must be a boolean; got string.",
  );
});

test("an aborted request is dropped from the joint call; the others complete", async () => {
  const seen: number[] = [];
  const schema = makeSchema({
    typeDefs: `type Query { v(id: ID!): String }`,
    plans: { Query: { v: (_$r: unknown, args: any) => loadOne(args.get("id"), async (ids: readonly string[]) => (seen.push(ids.length), ids.map((id) => `v${id}`))) } } as any,
  });
  const query = parse(`query($id: ID!) { v(id: $id) }`);
  const batchedExecute = createBatchedExecute({ schema, windowMs: 2 });
  const controller = new AbortController();
  const pending = Array.from({ length: 5 }, (_, i) => plain(batchedExecute({ schema, document: query, variableValues: { id: String(i) }, signal: i === 2 ? controller.signal : undefined })));
  controller.abort();
  const results = await Promise.all(pending);
  assert.equal(results[2], { errors: [{ message: "request aborted", extensions: { code: "REQUEST_ABORTED" } }], data: null });
  for (const i of [0, 1, 3, 4]) assert.equal(results[i], { data: { v: `v${i}` } });
  assert.equal(seen, [4]);
});

/** "waiting" when `result` has not settled once the microtasks and the next immediate have run. */
const settledBeforeWindow = (result: Promise<unknown>) => Promise.race([result.then(() => "settled"), new Promise((r) => setImmediate(() => r("waiting")))]);

test("requests start as they arrive: one that shares no call, fails validation or opts out does not wait for the window", async () => {
  let calls = 0;
  const schema = makeSchema({
    typeDefs: `type Query { v(id: ID!): String  now: String }`,
    plans: {
      Query: {
        v: (_$r: unknown, args: any) => loadOne(args.get("id"), async (ids: readonly string[]) => (calls++, ids.map((id) => `v${id}`))),
        now: () => constant("now"),
      },
    } as any,
  });
  const vQuery = parse(`query($id: ID!) { v(id: $id) }`);
  const batchedExecute = createBatchedExecute({ schema, windowMs: 30 });
  const joining = [0, 1].map((i) => plain(batchedExecute({ schema, document: vQuery, variableValues: { id: String(i) } })));
  // Its plan is built and its variables coerced on arrival: the error is there before the window ends.
  const invalid = batchedExecute({ schema, document: vQuery, variableValues: {} });
  assert.is(await settledBeforeWindow(invalid), "settled");
  // graphql-js's own message, as the installed major words it
  const required = versionInfo.major === 16 ? 'Variable "$id" of required type "ID!" was not provided.' : 'Variable "$id" has invalid value: Expected a value of non-null type "ID!" to be provided.';
  assert.is((await invalid).errors?.[0]?.message, required);
  assert.is(await settledBeforeWindow(batchedExecute({ schema, document: parse(`{ now }`) })), "settled");
  assert.is(await settledBeforeWindow(batchedExecute({ schema, document: vQuery, variableValues: { id: "x" }, crossRequest: false })), "settled");
  // The joining requests started too, but their call waits for the window, and is one call for both.
  assert.is(await settledBeforeWindow(joining[0]!), "waiting");
  assert.is(calls, 1); // the opted-out request's own call
  assert.equal(await Promise.all(joining), [{ data: { v: "v0" } }, { data: { v: "v1" } }]);
  assert.is(calls, 2);
  assert.is(batchedExecute.stats.windowRuns, 1);
});

const parity = planSchema();

test("parity: library queries through the batching executor, one at a time and all at once, equal plain execute", async () => {
  const expected = await Promise.all(queries.map((q) => plain(execute({ schema: parity, document: parse(q.query), variableValues: q.variables }))));
  const batchedExecute = createBatchedExecute({ schema: parity, windowMs: 1 });
  for (let i = 0; i < queries.length; i++) {
    const q = queries[i]!;
    assert.equal(await plain(batchedExecute({ schema: parity, document: parse(q.query), variableValues: q.variables })), expected[i], q.name);
  }
  const together = await Promise.all(queries.map((q) => plain(batchedExecute({ schema: parity, document: parse(q.query), variableValues: q.variables }))));
  for (let i = 0; i < queries.length; i++) assert.equal(together[i], expected[i], queries[i]!.name);
  const twice = await Promise.all([...queries, ...queries].map((q) => plain(batchedExecute({ schema: parity, document: parse(q.query), variableValues: q.variables }))));
  for (let i = 0; i < twice.length; i++) assert.equal(twice[i], expected[i % queries.length], queries[i % queries.length]!.name);
});

test.run();
