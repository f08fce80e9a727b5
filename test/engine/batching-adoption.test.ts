// Windows run as one bucket (spec/cross-request-batching.md, AdoptWindow): the requests of a window that wait
// only in their root layer are taken over by one merged run — each later step runs once for all of them —
// and each still gets exactly what plain execute gives it alone. What a merged run cannot vouch for (a step
// call failing as a whole, a read of one request's context, a request over its own entry limit) falls back
// to the requests' own runs; what the merged run must not do at all (an opted-out step, a varying value a
// step takes as its one bare value) keeps the window from adopting them.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { createBatchedExecute, execute, makeSchema, Step, type ExecutionDetails } from "../../src/index.js";
import { context, each, loadOne } from "../../steps/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";

const plain = (r: ExecutionResult | Promise<ExecutionResult>) => Promise.resolve(r).then((x) => JSON.parse(JSON.stringify(x)));

/** A schema whose item loads are counted per call (`sizes`), with friends one layer below. */
function itemSchema(load: (ids: readonly string[]) => Promise<unknown[]>) {
  return makeSchema({
    typeDefs: `type Query { item(id: ID!): Item } type Item { id: ID! name: String friends: [Item] }`,
    plans: {
      Query: { item: (_r: unknown, a: any) => loadOne(a.get("id"), load) },
      Item: {
        id: ($i: any) => $i.get("id"),
        name: ($i: any) => $i.get("name"),
        friends: ($i: any) => each($i.get("friendIds"), ($id) => loadOne($id, load)),
      },
    } as any,
  });
}
const itemQuery = parse(`query($id: ID!) { item(id: $id) { id name friends { id name } } }`);
const itemOf = (id: string) => (id === "missing" ? null : { id, name: `n${id}`, friendIds: [`${id}a`, `${id}b`] });

/** `item(id:)` loading `{ id }` in one call per batch, with the Item fields given (SDL and plans). */
function itemWithFields(fields: string, plans: Record<string, ($item: any) => Step>) {
  return makeSchema({
    typeDefs: `type Query { item(id: ID!): Item } type Item { ${fields} }`,
    plans: {
      Query: { item: (_r: unknown, a: any) => loadOne(a.get("id"), async (ids: readonly string[]) => ids.map((id) => ({ id }))) },
      Item: plans,
    } as any,
  });
}

test("a window's requests run on as one bucket: one call per step for the window, results as plain execute's", async () => {
  const sizes: number[] = [];
  const schema = itemSchema(async (ids) => (sizes.push(ids.length), ids.map(itemOf)));
  const ids = ["1", "2", "missing", "4", "5"];
  const expected = await Promise.all(ids.map((id) => plain(execute({ schema, document: itemQuery, variableValues: { id } }))));
  sizes.length = 0;
  const batched = createBatchedExecute({ schema, windowMs: 2 });
  assert.equal(await Promise.all(ids.map((id) => plain(batched({ schema, document: itemQuery, variableValues: { id } })))), expected);
  // The root items in one call, then every friend of every request in one call.
  assert.equal(sizes, [5, 8]);
  assert.equal([batched.stats.windowRuns, batched.stats.adoptedRequests, batched.stats.fallbacks, batched.stats.jointCalls], [1, 5, 0, 0]);
});

test("todo view: per-request contexts holding one store are merged; a malformed id is its own error; 5 store calls", async () => {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  const seed = await seedTodo(kvetch, { users: 40, listsPerUser: 3, itemsPerList: 2 });
  const ids = seed.userIds.slice();
  ids[13] = "not-a-uuid";
  const document = parse(todoViewQuery);
  // Each request has its own context object (as a server makes them); the store in it is the same.
  const argsOf = (i: number) => ({ schema: todoSchema, document, variableValues: { id: ids[i] }, contextValue: { kvetch, requestNumber: i } });
  const expected = await Promise.all(ids.map((_, i) => plain(execute(argsOf(i)))));
  const batched = createBatchedExecute({ schema: todoSchema, windowMs: 2 });
  kvetch.resetCounters();
  const got = await Promise.all(ids.map((_, i) => plain(batched(argsOf(i)))));
  assert.equal(got, expected);
  assert.is(kvetch.counters.calls, 5);
  assert.equal((got[13] as any).errors.map((e: any) => e.path), [["todoUser"]]);
  assert.equal([batched.stats.windowRuns, batched.stats.adoptedRequests, batched.stats.fallbacks], [1, 40, 0]);
  await kvetch.close();
});

test("a step call that fails as a whole in a merged run: every request runs on by itself; only the poisoned one fails", async () => {
  const sizes: number[] = [];
  const schema = itemSchema(async (ids) => {
    sizes.push(ids.length);
    if (ids.some((id) => id.startsWith("poison"))) throw new Error(`cannot load ${ids.filter((id) => id.startsWith("poison")).join(",")}`);
    return ids.map(itemOf);
  });
  const ids = ["1", "2", "poison", "4", "5", "6", "7", "8"];
  const expected = await Promise.all(ids.map((id) => plain(execute({ schema, document: itemQuery, variableValues: { id } }))));
  assert.equal(expected[2].errors[0].message, "cannot load poison");
  const batched = createBatchedExecute({ schema, windowMs: 2 });
  sizes.length = 0;
  assert.equal(await Promise.all(ids.map((id) => plain(batched({ schema, document: itemQuery, variableValues: { id } })))), expected);
  assert.equal([batched.stats.windowRuns, batched.stats.adoptedRequests, batched.stats.fallbacks], [1, 0, 8]);
  // The merged run's call (8), then the requests' joint call (8) split apart around the poisoned one (RetryApart).
  assert.equal(sizes.slice(0, 2), [8, 8]);
  assert.ok(batched.stats.aloneCalls >= 1);
});

test("a step that reads its request's context in a merged run: the requests run on by themselves, and the plan is never merged again", async () => {
  const calls: number[] = [];
  class Greet extends Step<string> {
    override isAsync = true;
    constructor($name: Step) {
      super();
      this.addDependency($name);
    }
    execute(details: ExecutionDetails): ReadonlyArray<Promise<string>> {
      calls.push(details.count);
      return (details.values[0] as string[]).map(async (name) => {
        await null;
        return `${(details.request.contextValue as { greeting: string }).greeting}, ${name}`;
      });
    }
  }
  const schema = itemWithFields("hello: String", { hello: ($i) => new Greet($i.get("id")) });
  const document = parse(`query($id: ID!) { item(id: $id) { hello } }`);
  const args = (n: string) => ({ schema, document, variableValues: { id: n }, contextValue: { greeting: `hi-${n}` } });
  const expected = await Promise.all(["a", "b", "c"].map((n) => plain(execute(args(n)))));
  assert.equal(expected[1], { data: { item: { hello: "hi-b, b" } } });
  const batched = createBatchedExecute({ schema, windowMs: 2 });
  calls.length = 0;
  assert.equal(await Promise.all(["a", "b", "c"].map((n) => plain(batched(args(n))))), expected);
  // The merged run's call, then the requests' joint call, then each request's own (the batcher learns the step).
  assert.equal(calls, [3, 3, 1, 1, 1]);
  assert.equal([batched.stats.windowRuns, batched.stats.adoptedRequests, batched.stats.fallbacks], [1, 0, 3]);
  calls.length = 0;
  assert.equal(await Promise.all(["a", "b", "c"].map((n) => plain(batched(args(n))))), expected);
  assert.equal(calls, [1, 1, 1]);
  assert.is(batched.stats.windowRuns, 1);
});

test("a plan with a step that opts out (crossRequest = false) is never merged", async () => {
  const calls: number[] = [];
  class Echo extends Step<string> {
    static crossRequest = false;
    override isAsync = true;
    constructor($v: Step) {
      super();
      this.addDependency($v);
    }
    async execute(details: ExecutionDetails) {
      calls.push(details.count);
      return (details.values[0] as string[]).map((v) => `e${v}`);
    }
  }
  const schema = itemWithFields("echo: String", { echo: ($i) => new Echo($i.get("id")) });
  const document = parse(`query($id: ID!) { item(id: $id) { echo } }`);
  const batched = createBatchedExecute({ schema, windowMs: 2 });
  const got = await Promise.all(["1", "2", "3"].map((id) => plain(batched({ schema, document, variableValues: { id } }))));
  assert.equal(got, [1, 2, 3].map((i) => ({ data: { item: { echo: `e${i}` } } })));
  assert.equal(calls, [1, 1, 1]);
  assert.equal([batched.stats.windowRuns, batched.stats.jointCalls], [0, 1]);
});

test("a value that differs between requests, taken by a step as its one bare value: the window does not merge them", async () => {
  const seen: unknown[] = [];
  class Tagged extends Step<string> {
    override isAsync = true;
    constructor($id: Step, $tag: Step) {
      super();
      this.addDependency($id);
      this.addGlobalDependency($tag);
    }
    async execute(details: ExecutionDetails) {
      const tag = details.values[1];
      seen.push(tag);
      return (details.values[0] as string[]).map((id) => `${tag}:${id}`);
    }
  }
  const schema = makeSchema({
    typeDefs: `type Query { item(id: ID!, tag: String!): String }`,
    plans: { Query: { item: (_r: unknown, a: any) => new Tagged(a.get("id"), a.get("tag")) } } as any,
  });
  const document = parse(`query($id: ID!, $tag: String!) { item(id: $id, tag: $tag) }`);
  const batched = createBatchedExecute({ schema, windowMs: 2 });
  const got = await Promise.all(["1", "2", "3"].map((id) => plain(batched({ schema, document, variableValues: { id, tag: id === "3" ? "y" : "x" } }))));
  assert.equal(got, [{ data: { item: "x:1" } }, { data: { item: "x:2" } }, { data: { item: "y:3" } }]);
  // Grouped by the tag's value, as joint calls are; never one call mixing two values.
  assert.equal(seen.sort(), ["x", "y"]);
  assert.is(batched.stats.windowRuns, 0);
});

test("each request's own maxResponseEntries holds in a merged run: the one over it runs on by itself and gets its error", async () => {
  // A list of objects: its items open a list layer, which the executor counts (a list of leaves is counted by the output).
  const schema = makeSchema({
    typeDefs: `type Query { list(n: Int!): [Entry] } type Entry { v: String }`,
    limits: { maxResponseEntries: 10 },
    plans: {
      Query: {
        list: (_r: unknown, a: any) =>
          each(
            loadOne(a.get("n"), async (ns: readonly number[]) => ns.map((n) => Array.from({ length: n }, (_, i) => ({ v: `v${i}` })))),
            ($entry) => $entry,
          ),
      },
      Entry: { v: ($e: any) => $e.get("v") },
    } as any,
  });
  const document = parse(`query($n: Int!) { list(n: $n) { v } }`);
  const ns = [3, 12, 4, 10];
  const expected = await Promise.all(ns.map((n) => plain(execute({ schema, document, variableValues: { n } }))));
  assert.equal(expected[1].errors[0].extensions.code, "LIMIT_EXCEEDED");
  const batched = createBatchedExecute({ schema, windowMs: 2 });
  assert.equal(await Promise.all(ns.map((n) => plain(batched({ schema, document, variableValues: { n } })))), expected);
  assert.equal([batched.stats.windowRuns, batched.stats.adoptedRequests, batched.stats.fallbacks], [1, 3, 1]);
});

test("a request aborted while the merged run waits gets its abort; the others complete from the run", async () => {
  let answer!: () => void;
  let started!: () => void;
  const callStarted = new Promise<void>((r) => (started = r));
  const sizes: number[] = [];
  const schema = itemSchema((ids) => {
    sizes.push(ids.length);
    if (sizes.length > 1) return Promise.resolve(ids.map(itemOf));
    started();
    return new Promise((resolve) => (answer = () => resolve(ids.map(itemOf))));
  });
  const batched = createBatchedExecute({ schema, windowMs: 2 });
  const controller = new AbortController();
  const pending = ["1", "2", "3"].map((id) => plain(batched({ schema, document: itemQuery, variableValues: { id }, signal: id === "2" ? controller.signal : undefined })));
  await callStarted;
  controller.abort();
  assert.equal(await pending[1], { errors: [{ message: "request aborted", extensions: { code: "REQUEST_ABORTED" } }], data: null });
  answer();
  const [one, three] = await Promise.all([pending[0], pending[2]]);
  assert.equal(one, await plain(execute({ schema, document: itemQuery, variableValues: { id: "1" } })));
  assert.equal(three, await plain(execute({ schema, document: itemQuery, variableValues: { id: "3" } })));
  assert.equal(sizes.slice(0, 2), [3, 6]);
  assert.equal([batched.stats.windowRuns, batched.stats.adoptedRequests], [1, 2]);
});

test("requests of other plans, or with their own opt-out, are not adopted with the window's", async () => {
  const sizes: number[] = [];
  const schema = itemSchema(async (ids) => (sizes.push(ids.length), ids.map(itemOf)));
  const other = parse(`query($id: ID!) { item(id: $id) { name } }`);
  const batched = createBatchedExecute({ schema, windowMs: 2 });
  const runs = [
    batched({ schema, document: itemQuery, variableValues: { id: "1" } }),
    batched({ schema, document: itemQuery, variableValues: { id: "2" } }),
    batched({ schema, document: other, variableValues: { id: "3" } }),
    batched({ schema, document: itemQuery, variableValues: { id: "4" }, crossRequest: false }),
  ];
  const got = await Promise.all(runs.map(plain));
  const expected = await Promise.all(
    [
      [itemQuery, "1"],
      [itemQuery, "2"],
      [other, "3"],
      [itemQuery, "4"],
    ].map(([document, id]) => plain(execute({ schema, document: document as typeof itemQuery, variableValues: { id } }))),
  );
  assert.equal(got, expected);
  assert.equal([batched.stats.windowRuns, batched.stats.adoptedRequests], [1, 2]);
});

test("context() read by a plan inside the merged part (not run by each request first): the window does not adopt", async () => {
  const schema = itemWithFields("id: ID! greeting: String", { id: ($i) => $i.get("id"), greeting: () => context<{ greeting: string }>().get("greeting") });
  const document = parse(`query($id: ID!) { item(id: $id) { id greeting } }`);
  const args = (id: string) => ({ schema, document, variableValues: { id }, contextValue: { greeting: `g${id}` } });
  const batched = createBatchedExecute({ schema, windowMs: 2 });
  const got = await Promise.all(["1", "2"].map((id) => plain(batched(args(id)))));
  assert.equal(got, await Promise.all(["1", "2"].map((id) => plain(execute(args(id))))));
  assert.equal(got[1], { data: { item: { id: "2", greeting: "g2" } } });
});

test.run();
