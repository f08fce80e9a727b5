// Request limits: planning-time limits refuse a request before any store call, run-time limits give field
// errors at the right path, deep queries answer with a message (never a throw, never a message-less error),
// planning work grows linearly, and an aborted or timed-out request stops starting steps.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kind, OperationTypeNode, parse, type DocumentNode, type ExecutionResult, type FieldNode } from "graphql";
import { execute, getPlanCacheStats, graphql, makeSchema, Step, type ExecutionDetails } from "../../src/index.js";
import { lambda } from "../../steps/index.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { memoryBackend } from "../../src/kvetch/index.js";
import { seededStore } from "../kvetch-steps/todo.js";

function messages(result: ExecutionResult): string[] {
  return (result.errors ?? []).map((e) => e.message);
}

/** `todoUser(id: $id) { todoLists { owner { todoLists { owner { … name } } } } }`, `depth` pairs deep. */
function nested(depth: number): string {
  return `{ todoUser(id: $id) { ${"todoLists { owner { ".repeat(depth)}name${" } }".repeat(depth)} } }`;
}

/** The same operation as a document built node by node (graphql-js's recursive parser cannot read it). */
function nestedDocument(depth: number): DocumentNode {
  const field = (name: string, selections: FieldNode[] | null, args: FieldNode["arguments"] = []): FieldNode => ({
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: name },
    arguments: args,
    directives: [],
    selectionSet: selections === null ? undefined : { kind: Kind.SELECTION_SET, selections },
  });
  let inner: FieldNode = field("name", null);
  for (let i = 0; i < depth; i++) inner = field("todoLists", [field("owner", [inner])]);
  const idArg = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: "id" }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: "id" } } } as const;
  const root = field("todoUser", [inner], [idArg]);
  const variable = { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: "id" } } as const;
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        variableDefinitions: [{ kind: Kind.VARIABLE_DEFINITION, variable, type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: "ID" } } } }],
        directives: [],
        selectionSet: { kind: Kind.SELECTION_SET, selections: [root] },
      },
    ],
  };
}

test("limits: 100 aliases of a 2147483647-item page are refused before any store call", async () => {
  const { kvetch, seed } = await seededStore();
  const listId = seed.listIds[0]![0]!;
  const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: todoList(id: $id) { todoItems(first: 2147483647) { id text } }`).join(" ");
  const result = await execute({ schema: todoSchema, document: parse(`query($id: ID!) { ${aliases} }`), variableValues: { id: listId }, contextValue: { kvetch } });
  assert.equal(result.data, undefined, "a request error has no data");
  assert.match(messages(result)[0]!, /estimated cost is [\d.e+,]+ field resolutions; the limit is 10,000,000 \(maxCost\)/);
  assert.equal(result.errors![0]!.extensions.code, "LIMIT_EXCEEDED");
  assert.is(kvetch.counters.calls, 0, "no store call");
});

test("limits: a page above maxPageSize is a field error naming the maximum, at the field's path", async () => {
  const { kvetch, seed } = await seededStore();
  const result = await execute({
    schema: todoSchema,
    document: parse(`query($id: ID!, $n: Int) { todoList(id: $id) { name todoItems(first: $n) { id } } }`),
    variableValues: { id: seed.listIds[0]![0]!, n: 1001 },
    contextValue: { kvetch },
  });
  assert.equal(messages(result), ['loadEdges("list_to_item"): first = 1001 is above the largest page this server reads, 1000 (maxPageSize); ask for at most 1000 items.']);
  assert.equal(result.errors![0]!.path, ["todoList", "todoItems"]);
  assert.equal(result.errors![0]!.extensions.code, "LIMIT_EXCEEDED");
  assert.is((result.data as { todoList: unknown }).todoList, null, "the non-null list nulls its parent");
  const within = await execute({
    schema: todoSchema,
    document: parse(`query($id: ID!, $n: Int) { todoList(id: $id) { todoItems(first: $n) { id } } }`),
    variableValues: { id: seed.listIds[0]![0]!, n: 1000 },
    contextValue: { kvetch },
  });
  assert.is(within.errors, undefined);
  assert.is((within.data as { todoList: { todoItems: unknown[] } }).todoList.todoItems.length, 5);
});

test("limits: a list without first holding more than maxPageSize is a LIMIT_EXCEEDED field error naming the step", async () => {
  const { kvetch, seed } = await seededStore();
  const result = await execute({
    schema: todoSchema,
    document: parse(`query($id: ID!) { todoList(id: $id) { name todoItems(first: null) { id } } }`),
    variableValues: { id: seed.listIds[0]![0]! },
    contextValue: { kvetch },
    limits: { maxPageSize: 3 },
  });
  assert.equal(messages(result), ['loadEdges("list_to_item") holds more than 3 items (maxPageSize); ask for a page with first.']);
  assert.equal(result.errors![0]!.path, ["todoList", "todoItems"]);
  assert.equal(result.errors![0]!.extensions.code, "LIMIT_EXCEEDED");
});

test("limits: the request's own limits win over the defaults (a smaller maxPageSize)", async () => {
  const { kvetch, seed } = await seededStore();
  const result = await execute({
    schema: todoSchema,
    document: parse(`query($id: ID!) { todoList(id: $id) { todoItems(first: 5) { id } } }`),
    variableValues: { id: seed.listIds[0]![0]! },
    contextValue: { kvetch },
    limits: { maxPageSize: 3 },
  });
  assert.match(messages(result)[0]!, /the largest page this server reads, 3 \(maxPageSize\)/);
});

test("limits: a key given as undefined counts as absent (the schema's or the default limit stays in force)", async () => {
  const { kvetch, seed } = await seededStore();
  const result = await execute({
    schema: todoSchema,
    document: nestedDocument(81),
    variableValues: { id: seed.userIds[0]! },
    contextValue: { kvetch },
    limits: { maxDepth: undefined, timeoutMs: undefined },
  });
  assert.equal(messages(result), ["The query is nested deeper than the limit of 64 levels (maxDepth)."]);
  assert.is(kvetch.counters.calls, 0);
});

test("limits: a value that is not a limit's kind is refused by name (NaN, a negative page size, an unknown key)", async () => {
  const { kvetch, seed } = await seededStore();
  const run = (limits: Record<string, unknown>) => () =>
    execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch }, limits: limits as never });
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ timeoutMs: Number.NaN }, "graphscale: limits.timeoutMs must be a finite number of milliseconds, 0 or more, or null (no timeout); got NaN."],
    [{ maxPageSize: -1 }, "graphscale: limits.maxPageSize must be an integer, 0 or more; got -1."],
    [{ maxDepth: "10" }, `graphscale: limits.maxDepth must be an integer, 0 or more; got "10".`],
    [{ maxDepht: 10 }, "graphscale: limits.maxDepht is not a limit; the limits are maxDepth, maxFieldsPerSelection, maxPlannedFields, maxCost, defaultListSize, maxPageSize, maxResponseEntries, timeoutMs."],
  ];
  for (const [limits, message] of cases) assert.throws(run(limits), (error: Error) => error instanceof TypeError && error.message === message, message);
  assert.is(kvetch.counters.calls, 0);
  const off = await run({ timeoutMs: null })();
  assert.is(off.errors, undefined);
  // The schema's own limits are checked when the schema is made.
  assert.throws(
    () => makeSchema({ typeDefs: `type Query { a: Int }`, limits: { maxPageSize: -1 } }),
    (error: Error) => error instanceof TypeError && error.message === "graphscale: limits.maxPageSize must be an integer, 0 or more; got -1.",
  );
});

for (const depth of [1_000, 5_000, 100_000]) {
  test(`limits: a query nested ${depth.toLocaleString("en-US")} deep answers with a message through execute and graphql`, async () => {
    const { kvetch, seed } = await seededStore();
    const source = `query($id: ID!) ${nested(depth)}`;
    const viaGraphql = await graphql({ schema: todoSchema, source, variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch } });
    assert.is(viaGraphql.data, undefined);
    assert.match(messages(viaGraphql)[0]!, /nested \d+ levels deep; the limit is 128/);
    const viaExecute = await execute({ schema: todoSchema, document: nestedDocument(depth), variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch } });
    assert.equal(messages(viaExecute), ["The query is nested deeper than the limit of 64 levels (maxDepth)."]);
    assert.is(viaExecute.data, undefined);
    assert.is(kvetch.counters.calls, 0);
  });
}

test("limits: a cached plan over this request's lower maxDepth gives the same message as measuring it", async () => {
  const { kvetch, seed } = await seededStore();
  const document = nestedDocument(5); // 12 levels: todoUser, 5 × (todoLists, owner), name
  const planned = await execute({ schema: todoSchema, document, variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch } });
  assert.is(planned.errors, undefined);
  const hits = getPlanCacheStats(todoSchema).hits;
  kvetch.resetCounters();
  const lower = await execute({ schema: todoSchema, document, variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch }, limits: { maxDepth: 10 } });
  assert.is(getPlanCacheStats(todoSchema).hits, hits + 1, "the plan came from the cache");
  assert.equal(messages(lower), ["The query is nested deeper than the limit of 10 levels (maxDepth)."]);
  assert.equal(lower.errors![0]!.extensions.code, "LIMIT_EXCEEDED");
  assert.is(kvetch.counters.calls, 0);
  const fresh = await execute({ schema: todoSchema, document: nestedDocument(6), variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch }, limits: { maxDepth: 10 } });
  assert.equal(messages(fresh), messages(lower), "measured before planning: the same message");
});

/**
 * By default `items(first: Int): [Item]` whose items have `sub(first: Int): [Item]`; every list field the
 * plans name resolves to one item, and the lists resolved are counted.
 */
function pagedSchema(
  typeDefs = `type Query { items(first: Int): [Item] } type Item { id: ID sub(first: Int): [Item] }`,
  listFields: Record<string, readonly string[]> = { Query: ["items"], Item: ["sub"] },
): { schema: ReturnType<typeof makeSchema>; lists: { count: number } } {
  const lists = { count: 0 };
  const page = (): Step =>
    lambda([], () => {
      lists.count++;
      return [{ id: "1" }];
    });
  const plans = Object.fromEntries(Object.entries(listFields).map(([type, fields]) => [type, Object.fromEntries(fields.map((f) => [f, page]))]));
  return { schema: makeSchema({ typeDefs, plans }), lists };
}

const pagedQuery = `query($n: Int) { items(first: $n) { sub(first: $n) { sub(first: $n) { id } } } }`;

test("limits: an omitted, null or negative page-size variable counts as defaultListSize, not 0 (maxCost)", () => {
  const { schema, lists } = pagedSchema();
  // 1 + 100 + 100² + 100³ field resolutions, the same as first: 100 at each level.
  const refused = ["The query's estimated cost is 1,010,101 field resolutions; the limit is 1,000 (maxCost). Ask for smaller pages (first/last)."];
  const literal = execute({ schema, document: parse(`{ items(first: 100) { sub(first: 100) { sub(first: 100) { id } } } }`), limits: { maxCost: 1_000 } }) as ExecutionResult;
  assert.equal(messages(literal), refused);
  for (const variableValues of [{}, { n: null }, { n: -5 }]) {
    const result = execute({ schema, document: parse(pagedQuery), variableValues, limits: { maxCost: 1_000 } }) as ExecutionResult;
    assert.equal(messages(result), refused, `variables ${JSON.stringify(variableValues)}`);
    assert.is(result.data, undefined);
    assert.equal(result.errors![0]!.extensions.code, "LIMIT_EXCEEDED");
  }
  assert.is(lists.count, 0, "no list resolved");
  const small = execute({ schema, document: parse(pagedQuery), variableValues: { n: 5 }, limits: { maxCost: 1_000 } }) as ExecutionResult;
  assert.is(small.errors, undefined, "1 + 5 + 25 + 125 is within the limit");
  assert.is(lists.count, 3);
});

test("limits: a smaller defaultListSize is what an omitted variable counts as", () => {
  const { schema } = pagedSchema();
  const result = execute({ schema, document: parse(pagedQuery), limits: { maxCost: 200, defaultListSize: 5 } }) as ExecutionResult;
  assert.is(result.errors, undefined, "1 + 5 + 25 + 125 = 156 field resolutions, within 200");
});

test("limits: a cached plan's cost counts each request's own defaultListSize, not the one it was planned under", () => {
  const { schema, lists } = pagedSchema();
  const document = parse(`{ items { sub { sub { id } } } }`);
  // Planned (and cached) under defaultListSize 2: 1 + 2 + 4 + 8 = 15 field resolutions.
  const small = execute({ schema, document, limits: { maxCost: 1_000, defaultListSize: 2 } }) as ExecutionResult;
  assert.is(small.errors, undefined);
  assert.is(getPlanCacheStats(schema).plansBuilt, 1);
  // The same cached plan under the default (100): 1 + 100 + 100² + 100³.
  const before = lists.count;
  const large = execute({ schema, document, limits: { maxCost: 1_000 } }) as ExecutionResult;
  assert.equal(messages(large), ["The query's estimated cost is 1,010,101 field resolutions; the limit is 1,000 (maxCost). Ask for smaller pages (first/last)."]);
  assert.is(getPlanCacheStats(schema).plansBuilt, 1, "served from the cache");
  assert.is(lists.count, before, "no list resolved");
  // And the other way round: planned under the default, a request with a smaller defaultListSize counts it.
  const again = execute({ schema, document, limits: { maxCost: 20, defaultListSize: 2 } }) as ExecutionResult;
  assert.is(again.errors, undefined, "15 field resolutions, within 20");
});

test("limits: two lists paged by one variable keep their own fallbacks (one with a declared default, one without)", () => {
  const { schema, lists } = pagedSchema(`type Query { few(first: Int = 2): [Item] many(first: Int): [Item] } type Item { id: ID }`, { Query: ["few", "many"] });
  // $n omitted: few's items count its declared default (2), many's defaultListSize (100): 2 root fields + 2 + 100.
  for (const source of [`query($n: Int) { few(first: $n) { id } many(first: $n) { id } }`, `query($n: Int) { many(first: $n) { id } few(first: $n) { id } }`]) {
    const result = execute({ schema, document: parse(source), limits: { maxCost: 50 } }) as ExecutionResult;
    assert.equal(messages(result), ["The query's estimated cost is 104 field resolutions; the limit is 50 (maxCost). Ask for smaller pages (first/last)."], source);
  }
  assert.is(lists.count, 0);
});

test("limits: a negative literal page size cannot cancel another branch's cost (maxCost)", () => {
  const { schema, lists } = pagedSchema();
  const big = `items(first: 100) { sub(first: 100) { sub(first: 100) { id } } }`;
  const negative = `items(first: -100) { sub(first: -100) { sub(first: -100) { id } } }`;
  const result = execute({ schema, document: parse(`{ a: ${big} b: ${negative} }`), limits: { maxCost: 1_000 } }) as ExecutionResult;
  assert.equal(messages(result), ["The query's estimated cost is 2,020,202 field resolutions; the limit is 1,000 (maxCost). Ask for smaller pages (first/last)."]);
  assert.is(lists.count, 0);
});

test("limits: too many fields in one selection set are refused by name and count", async () => {
  const aliases = Array.from({ length: 1_001 }, (_, i) => `a${i}: __typename`).join(" ");
  const result = await execute({ schema: todoSchema, document: parse(`{ ${aliases} }`) });
  assert.equal(messages(result), ["A selection set of Query has 1001 fields or aliases; the limit is 1000 (maxFieldsPerSelection)."]);
});

test("limits: planning work grows linearly with aliases (2,000 vs 1,000 fields: at most 2.2×)", () => {
  const work = (n: number): number => {
    const schema = makeSchema({
      typeDefs: `type Query { item(id: ID!): Item } type Item { id: ID! name: String }`,
      plans: { Query: { item: (_$root: Step, args) => lambda(args.get("id"), (id: string) => ({ id, name: `n${id}` })) } },
    });
    const aliases = Array.from({ length: n }, (_, i) => `a${i}: item(id: "${i}") { id name }`).join(" ");
    const result = execute({ schema, document: parse(`{ ${aliases} }`), limits: { maxFieldsPerSelection: 5_000, maxPlannedFields: 50_000 } }) as ExecutionResult;
    assert.is(result.errors, undefined);
    assert.is(Object.keys(result.data!).length, n);
    return getPlanCacheStats(schema).planningWork;
  };
  const w1 = work(1_000);
  const w2 = work(2_000);
  assert.ok(w1 > 3_000, `planning 1,000 aliases did some counted work (${w1})`);
  assert.ok(w2 / w1 <= 2.2, `planning work ${w1} for 1,000 aliases, ${w2} for 2,000: ratio ${(w2 / w1).toFixed(2)}`);
});

/** A step that counts its calls and the aborts it sees, and answers after `ms` (or never, with ms = Infinity). */
class SlowStep extends Step<number> {
  static calls = 0;
  static abortsSeen = 0;
  override isAsync = true;
  constructor($x: Step, readonly ms: number) {
    super();
    this.addDependency($x);
  }
  execute({ count, signal }: ExecutionDetails): Promise<number[]> {
    SlowStep.calls++;
    return new Promise((resolve, reject) => {
      if (this.ms !== Infinity) setTimeout(() => resolve(new Array(count).fill(1)), this.ms);
      signal?.addEventListener("abort", () => {
        SlowStep.abortsSeen++;
        reject(new Error("step saw the abort"));
      });
    });
  }
}

const chain = makeSchema({
  typeDefs: `type Query { a: A } type A { b: B } type B { c: Int }`,
  plans: {
    Query: { a: ($root: Step) => new SlowStep($root, 20) },
    A: { b: ($a: Step) => new SlowStep($a, 20) },
    B: { c: ($b: Step) => new SlowStep($b, 20) },
  },
});

test("limits: an AbortSignal aborted mid-request stops further steps (counted) and returns an error", async () => {
  SlowStep.calls = 0;
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 5);
  const result = await execute({ schema: chain, document: parse(`{ a { b { c } } }`), signal: controller.signal });
  assert.equal(messages(result), ["request aborted"]);
  assert.is(result.data, null);
  await new Promise((r) => setTimeout(r, 80));
  assert.is(SlowStep.calls, 1, "only the first step started; none after the abort");
});

test("limits: aborting a Kvetch todo view in its first round trip makes no further store call", async () => {
  const { kvetch, seed } = await seededStore({}, memoryBackend({ shards: 4, latencyMs: 30 }));
  const full = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch } });
  assert.is(full.errors, undefined);
  assert.is(kvetch.counters.calls, 5, "the whole view: 5 store calls");
  kvetch.resetCounters();
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 10); // while the first round trip (the user ∥ its list edges) is in flight
  const result = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch }, signal: controller.signal });
  assert.equal(messages(result), ["request aborted"]);
  await new Promise((r) => setTimeout(r, 200)); // the abandoned call settles; nothing after it may start
  assert.is(kvetch.counters.calls, 2, "only the calls in flight when it aborted: the user and its list edges");
});

test("limits: an already aborted signal runs nothing", async () => {
  SlowStep.calls = 0;
  const controller = new AbortController();
  controller.abort();
  const result = await execute({ schema: chain, document: parse(`{ a { b { c } } }`), signal: controller.signal });
  assert.equal(messages(result), ["request aborted"]);
  assert.is(SlowStep.calls, 0);
});

test("limits: a step that never answers times out with a message (and sees its signal abort)", async () => {
  const hang = makeSchema({
    typeDefs: `type Query { x: Int }`,
    plans: { Query: { x: ($root: Step) => new SlowStep($root, Infinity) } },
  });
  SlowStep.calls = 0;
  SlowStep.abortsSeen = 0;
  const result = await execute({ schema: hang, document: parse(`{ x }`), limits: { timeoutMs: 30 } });
  assert.equal(messages(result), ["timed out after 30 ms"]);
  assert.equal(result.errors![0]!.extensions.code, "REQUEST_TIMEOUT");
  assert.is(SlowStep.calls, 1);
  assert.is(SlowStep.abortsSeen, 1, "the step's signal aborted");
});

test("limits: a list layer past maxResponseEntries is a field error at each list, other fields answer", () => {
  const schema = makeSchema({
    typeDefs: `type Query { small: [Int!]! big: [Item!] } type Item { n: Int }`,
    plans: {
      Query: {
        small: () => lambda([], () => [1, 2]),
        big: () => lambda([], () => Array.from({ length: 50 }, (_, n) => ({ n }))),
      },
    },
  });
  const result = execute({ schema, document: parse(`{ small big { n } }`), limits: { maxResponseEntries: 10 } }) as ExecutionResult;
  assert.equal(messages(result), ["The response would hold more than 10 entries (maxResponseEntries); ask for smaller pages."]);
  assert.equal(result.errors![0]!.path, ["big"]);
  assert.equal(result.errors![0]!.extensions.code, "LIMIT_EXCEEDED");
  assert.equal(JSON.parse(JSON.stringify(result.data)), { small: [1, 2], big: null });
});

test.run();
