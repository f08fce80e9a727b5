// FastRequest (spec/execution.md): a query whose executed steps are all global runs with no bucket or layer run
// — from its second request on with no general preparation either — and whatever the fast path cannot finish
// (an error or a null the compiled output gives up on, an entry that is a promise) the general executor
// finishes from the globals already computed, so no step runs twice. Every result is graphql-js's and the
// general path's.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, execute as graphqlExecute, parse, type DocumentNode, type ExecutionResult, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { execute, executeToJSON, getPlanCacheStats, graphql, makeSchema, type Step } from "../../src/index.js";
import { constant, each, lambda, loadOne } from "../../steps/index.js";
import { fastRequestCounts, fastRequests } from "../../src/engine/request/fastRequest.js";
import { fastRunCounts } from "../../src/engine/execution/fastRun.js";

const typeDefs = `
  type Query { book(id: ID!): Book books: [Book!]! metrics: Metrics }
  type Book { id: ID! title: String! author: Author }
  type Author { id: ID! name: String! }
  type Metrics { id: ID! ${Array.from({ length: 20 }, (_, i) => `m${i}: Int`).join(" ")} }
`;

/** What the book lookup answers next, and every call of each callback (the fast path must never repeat one). */
let makeBook: (id: string) => unknown = (id) => ({ id, title: "The Dispossessed", authorId: "a1" });
const calls = { book: 0, authors: 0, metrics: 0, metricsStarted: 0, metricsSettledBeforeLastStart: 0 };
const authors = new Map<unknown, unknown>([["a1", { id: "a1", name: "Ursula K. Le Guin" }]]);
const bookById = (id: string) => {
  calls.book++;
  return makeBook(id);
};
const authorsById = async (ids: readonly unknown[]) => {
  calls.authors++;
  return ids.map((id) => authors.get(id) ?? null);
};
let metricsSettled = 0;
const metricLoaders = Array.from({ length: 20 }, (_, i) => async (ids: readonly unknown[]) => {
  calls.metrics++;
  calls.metricsStarted++;
  if (calls.metricsStarted === 20) calls.metricsSettledBeforeLastStart = metricsSettled;
  await null;
  metricsSettled++;
  return ids.map(() => i * 7);
});

function planSchema(extra: Parameters<typeof makeSchema>[0] extends infer C ? Partial<C & object> : never = {}): GraphQLSchema {
  return makeSchema({
    typeDefs,
    plans: {
      Query: {
        book: (_$root: Step, args) => lambda(args.get("id"), bookById),
        books: () => each(constant(["b1", "b2"]), ($id: Step) => lambda($id, bookById)),
        metrics: () => constant({ id: "metrics-1" }),
      },
      Book: { author: ($book: Step) => loadOne($book.get("authorId"), authorsById) },
      Metrics: Object.fromEntries(metricLoaders.map((load, i) => [`m${i}`, ($m: Step) => loadOne($m.get("id"), load)])),
    },
    ...extra,
  });
}

const schema = planSchema();
const resolverSchema = buildSchema(typeDefs);
const resolvers = resolverSchema.getType("Query") as GraphQLObjectType;
resolvers.getFields().book!.resolve = (_root, args: { id: string }) => makeBook(args.id);
resolvers.getFields().books!.resolve = () => ["b1", "b2"].map((id) => makeBook(id));
resolvers.getFields().metrics!.resolve = () => ({ id: "metrics-1" });
(resolverSchema.getType("Book") as GraphQLObjectType).getFields().author!.resolve = async (book: { authorId: unknown }) => authors.get(await book.authorId) ?? null;
for (let i = 0; i < 20; i++) (resolverSchema.getType("Metrics") as GraphQLObjectType).getFields()[`m${i}`]!.resolve = () => i * 7;

const json = (value: unknown) => JSON.stringify(value);
const clean = (id: string) => ({ id, title: "The Dispossessed", authorId: "a1" });

function resetCounts(): void {
  fastRequestCounts.runs = 0;
  fastRequestCounts.fellBack = 0;
  for (const key of Object.keys(calls) as Array<keyof typeof calls>) calls[key] = 0;
  metricsSettled = 0;
}

/** The same request through the general executor (the fast path off), and through graphql-js. */
async function references(document: DocumentNode, s: GraphQLSchema = schema): Promise<{ general: ExecutionResult; js: ExecutionResult }> {
  fastRequests.enabled = false;
  try {
    const general = await execute({ schema: s, document });
    return { general, js: await graphqlExecute({ schema: resolverSchema, document }) };
  } finally {
    fastRequests.enabled = true;
  }
}

const small = parse(`{ book(id: "b1") { id title author { id name } } }`);

// A plan's first response is built by the general path (its output is compiled on its second: CompiledOutputOf).
test("fast path: the small query takes it from its second request, and from its third skips preparation too", async () => {
  makeBook = clean;
  const s = planSchema();
  resetCounts();
  const first = await execute({ schema: s, document: small });
  const second = await execute({ schema: s, document: small });
  const third = await graphql({ schema: s, source: `{ book(id: "b1") { id title author { id name } } }` });
  assert.equal(fastRequestCounts, { runs: 2, fellBack: 0 });
  // Each request called each callback once; one plan was built (graphql()'s parse shares the text), then reused.
  assert.equal([calls.book, calls.authors], [3, 3]);
  assert.equal(getPlanCacheStats(s), { ...getPlanCacheStats(s), plansBuilt: 1, hits: 2 });
  const { general, js } = await references(small, s);
  assert.is(json(first), json({ data: { book: { id: "b1", title: "The Dispossessed", author: { id: "a1", name: "Ursula K. Le Guin" } } } }));
  for (const result of [first, second, third]) {
    assert.is(json(result), json(general));
    assert.is(json(result), json(js));
  }
});

test("fast path: a plan with a list layer, a mutation-free query with variables, and executeToJSON", async () => {
  makeBook = clean;
  resetCounts();
  const books = parse(`{ books { id title author { name } } }`);
  const listed = await execute({ schema, document: books });
  assert.equal(fastRequestCounts, { runs: 0, fellBack: 0 }, "a list layer needs buckets: the general path");
  assert.is(json(listed), json((await references(books)).js));
  // Variables: prepared the general way every time (coercion), then run by FastRun.
  const withVariables = parse(`query ($id: ID!) { book(id: $id) { id author { name } } }`);
  for (let i = 0; i < 2; i++) await execute({ schema, document: withVariables, variableValues: { id: "b1" } });
  assert.equal(fastRequestCounts, { runs: 1, fellBack: 0 }, "from the plan's second request");
  assert.is(await executeToJSON({ schema, document: small }), json((await references(small)).general));
  assert.equal(fastRequestCounts, { runs: 1, fellBack: 0 }, "JSON text is written by the general path");
});

test("fast path: twenty async fields start together, as the general executor starts them", async () => {
  resetCounts();
  const document = parse(`{ metrics { id ${Array.from({ length: 20 }, (_, i) => `m${i}`).join(" ")} } }`);
  await execute({ schema, document });
  const result = await execute({ schema, document });
  assert.equal(fastRequestCounts, { runs: 1, fellBack: 0 });
  assert.is(calls.metrics, 40);
  assert.is(calls.metricsSettledBeforeLastStart, 0, "every load started before any settled");
  const { general, js } = await references(document);
  assert.is(json(result), json(general));
  assert.is(json(result), json(js));
});

test("generated run: the small query's plan gets one generated FastRun, every request runs it; a list layer gets none", async () => {
  makeBook = clean;
  const s = planSchema();
  const compiled = fastRunCounts.compiled;
  resetCounts();
  for (let i = 0; i < 3; i++) await execute({ schema: s, document: small });
  assert.is(fastRunCounts.compiled - compiled, 1, "one generated function for the plan");
  assert.equal(fastRequestCounts, { runs: 2, fellBack: 0 }, "every request after the first ran it, none went to the general executor");
  await execute({ schema: s, document: parse(`{ books { id author { name } } }`) });
  assert.is(fastRunCounts.compiled - compiled, 1, "a plan with a list layer is not compiled");
  assert.equal(fastRequestCounts, { runs: 2, fellBack: 0 }, "and runs on the general path");
});

test("generated run: a step waiting for an asynchronous step starts once it is stored, each callback once", async () => {
  makeBook = clean;
  let shouted = 0;
  const s = makeSchema({
    typeDefs: `type Query { book(id: ID!): Book } type Book { id: ID! author: Author } type Author { id: ID! name: String! shout: String! }`,
    plans: {
      Query: { book: (_$root: Step, args) => lambda(args.get("id"), bookById) },
      Book: { author: ($book: Step) => loadOne($book.get("authorId"), authorsById) },
      Author: {
        shout: ($author: Step) =>
          lambda($author.get("name"), (name: string) => {
            shouted++;
            return name.toUpperCase();
          }),
      },
    },
  });
  const document = parse(`{ book(id: "b1") { id author { name shout } } }`);
  resetCounts();
  const results = [await execute({ schema: s, document }), await execute({ schema: s, document })];
  assert.equal(fastRequestCounts, { runs: 1, fellBack: 0 });
  assert.equal([calls.book, calls.authors, shouted], [2, 2, 2]);
  for (const result of results) assert.is(json(result), json({ data: { book: { id: "b1", author: { name: "Ursula K. Le Guin", shout: "URSULA K. LE GUIN" } } } }));
});

test("generated run: twenty loads; when two reject, each field gets its own error as on the general path", async () => {
  let failing = new Set<number>();
  const loads = Array.from({ length: 20 }, (_, i) => async (ids: readonly unknown[]) => {
    calls.metrics++;
    await null;
    if (failing.has(i)) throw new Error(`metric ${i} is down`);
    return ids.map(() => i * 7);
  });
  const s = makeSchema({
    typeDefs,
    plans: {
      Query: { metrics: () => constant({ id: "metrics-1" }) },
      Metrics: Object.fromEntries(loads.map((load, i) => [`m${i}`, ($m: Step) => loadOne($m.get("id"), load)])),
    },
  });
  const document = parse(`{ metrics { id ${Array.from({ length: 20 }, (_, i) => `m${i}`).join(" ")} } }`);
  for (const down of [[], [3, 11], [19]]) {
    failing = new Set(down);
    resetCounts();
    const results = [await execute({ schema: s, document }), await execute({ schema: s, document })];
    assert.is(calls.metrics, 40, "each load once per request");
    assert.is(fastRequestCounts.runs, down.length === 0 ? 1 : 2, "from the plan's second request");
    fastRequests.enabled = false;
    const general = await execute({ schema: s, document });
    fastRequests.enabled = true;
    assert.is(general.errors?.length ?? 0, down.length);
    for (const result of results) assert.is(json(result), json(general));
  }
});

test("give up: a null at a non-null position falls back to the general executor, which calls nothing again", async () => {
  makeBook = (id) => ({ id, title: null, authorId: "a1" });
  const document = parse(`{ book(id: "b2") { id title author { id name } } }`);
  resetCounts();
  const results = [await execute({ schema, document }), await execute({ schema, document })];
  assert.equal(fastRequestCounts, { runs: 1, fellBack: 1 }, "from the plan's second request");
  assert.equal([calls.book, calls.authors], [2, 2], "each callback once per request");
  const { general, js } = await references(document);
  for (const result of results) {
    assert.is(result.errors![0]!.message, "Cannot return null for non-nullable field Book.title.");
    assert.is(json(result), json(general));
    assert.is(json(result), json(js));
  }
  makeBook = clean;
});

test("give up: an error in a step, and an entry that is a promise, fall back with the general path's result", async () => {
  const document = parse(`{ book(id: "b3") { id title author { name } } }`);
  makeBook = clean;
  await execute({ schema, document }); // the plan's first response compiles nothing (CompiledOutputOf)
  makeBook = () => {
    throw new Error("no such book");
  };
  resetCounts();
  const failed = await execute({ schema, document });
  assert.equal(fastRequestCounts, { runs: 1, fellBack: 1 });
  assert.is(calls.book, 1);
  assert.is(json(failed), json((await references(document)).general));
  assert.is(failed.errors![0]!.message, "no such book");
  makeBook = (id) => Promise.resolve(clean(id));
  resetCounts();
  const promised = await execute({ schema, document });
  assert.equal(fastRequestCounts, { runs: 1, fellBack: 1 });
  assert.equal([calls.book, calls.authors], [1, 1]);
  const { general, js } = await references(document);
  assert.is(json(promised), json(general));
  assert.is(json(promised), json(js));
  makeBook = clean;
});

test("bounds: a fast request whose load never settles ends at its timeout, as any request does", async () => {
  const hanging = makeSchema({
    typeDefs: `type Query { slow: Int }`,
    plans: { Query: { slow: () => loadOne(constant(1), (ids) => (settles ? ids : new Promise<never>(() => {}))) } },
    limits: { timeoutMs: 5 },
  });
  const document = parse(`{ slow }`);
  let settles = true;
  await execute({ schema: hanging, document }); // the plan's first response compiles nothing (CompiledOutputOf)
  settles = false;
  resetCounts();
  const result = await execute({ schema: hanging, document });
  assert.is(fastRequestCounts.runs, 1);
  assert.is(result.data, null);
  assert.is(result.errors![0]!.extensions.code, "REQUEST_TIMEOUT");
});

test("not taken: a mutation, a request recording its dependencies, and one without the compiled output", async () => {
  const mutating = makeSchema({
    typeDefs: `type Query { a: Int } type Mutation { bump: Int }`,
    plans: { Query: { a: () => constant(1) }, Mutation: { bump: () => constant(2) } },
  });
  resetCounts();
  const document = parse(`mutation { bump }`);
  await execute({ schema: mutating, document });
  await execute({ schema: mutating, document });
  await execute({ schema, document: small, deps: true });
  await execute({ schema, document: small, compileOutput: false });
  assert.equal(fastRequestCounts, { runs: 0, fellBack: 0 });
});

test.run();
