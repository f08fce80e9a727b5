// RememberedGeneral (spec/execution.md, FastRequest): a query document whose plan FastPlanOf does not admit
// (resolver emulation's plans, a list layer, an asynchronous resolver) is remembered too, from its second
// request on (from its first when DirectRun runs the plan): a later request skips PrepareRequest (no operation chosen again, no limits resolved, no
// plan-cache lookup) and goes to the general executor with a fresh request state. Its variables are read by
// FastVariables and checked against the plan's constraints and the cost limit; what that cannot read goes to
// PrepareRequest. Counted here: how often PrepareRequest ran, how many resolver calls a request made; every
// result is graphql-js's.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, execute as graphqlExecute, parse, type ExecutionResult, type GraphQLSchema } from "graphql";
import { execute, getPlanCacheStats, makeSchema } from "../../src/index.js";
import { prepareCounts } from "../../src/engine/request/prepareRequest.js";
import { fastRequestCounts, rememberedGeneralRuns } from "../../src/engine/request/fastRequest.js";

/** A plain graphql-js schema with resolvers: a list, an asynchronous field, an argument, a nested object. */
function resolverSchema(): { schema: GraphQLSchema; calls: { books: number; author: number } } {
  const calls = { books: 0, author: 0 };
  const schema = buildSchema(`
    type Query { books(first: Int = 2): [Book!]! }
    type Book { id: ID! title: String! author: Author }
    type Author { id: ID! name: String! }
  `);
  const books = [
    { id: "b1", title: "The Dispossessed", authorId: "a1" },
    { id: "b2", title: "The Left Hand of Darkness", authorId: "a1" },
    { id: "b3", title: "Kindred", authorId: "a2" },
  ];
  const authors: Record<string, { id: string; name: string }> = { a1: { id: "a1", name: "Ursula K. Le Guin" }, a2: { id: "a2", name: "Octavia E. Butler" } };
  const query = schema.getQueryType()!.getFields();
  query.books!.resolve = (_root, args: { first: number }) => {
    calls.books++;
    return books.slice(0, args.first);
  };
  const book = (schema.getType("Book") as { getFields(): Record<string, { resolve?: unknown }> }).getFields();
  book.author!.resolve = async (parent: { authorId: string }) => {
    calls.author++;
    return authors[parent.authorId];
  };
  return { schema, calls };
}

const json = (value: unknown): string => JSON.stringify(value);

test("a resolver schema's query is prepared by its first two requests only; every later one skips PrepareRequest", async () => {
  const { schema, calls } = resolverSchema();
  const document = parse(`{ books(first: 3) { id title author { id name } } }`);
  const expected = await graphqlExecute({ schema, document });
  calls.books = calls.author = 0;
  const prepared = prepareCounts.prepared;
  const fastRuns = fastRequestCounts.runs;
  const general = rememberedGeneralRuns.count;
  const results: ExecutionResult[] = [];
  for (let i = 0; i < 5; i++) results.push(await execute({ schema, document, contextValue: { request: i } }));
  // The first request plans and is remembered (DirectRun runs the plan: no compiled output to wait for); the
  // rest are not prepared.
  assert.is(prepareCounts.prepared - prepared, 1);
  assert.is(fastRequestCounts.runs - fastRuns, 0, "the plan is not one FastRun runs");
  assert.is(rememberedGeneralRuns.count - general, 4, "the four later requests went straight to ExecuteRequest");
  assert.equal([calls.books, calls.author], [5, 15], "each resolver once per request and entry");
  assert.equal(getPlanCacheStats(schema), { ...getPlanCacheStats(schema), plansBuilt: 1, hits: 4 });
  for (const result of results) assert.is(json(result), json(expected));
});

test("not remembered: a request with options of its own, another operation name", async () => {
  const { schema } = resolverSchema();
  const named = parse(`query A { books { id } } query B { books { title } }`);
  for (let i = 0; i < 2; i++) await execute({ schema, document: named, operationName: "A" });
  let prepared = prepareCounts.prepared;
  const results = [await execute({ schema, document: named, operationName: "A", limits: { maxDepth: 5 } }), await execute({ schema, document: named, operationName: "B" })];
  assert.is(prepareCounts.prepared - prepared, 2, "each of the two prepared");
  assert.is(json(results[0]), json({ data: { books: [{ id: "b1" }, { id: "b2" }] } }));
  assert.is(json(results[1]), json({ data: { books: [{ title: "The Dispossessed" }, { title: "The Left Hand of Darkness" }] } }));
  // Operation A of the same document is remembered: its plain request is not prepared.
  prepared = prepareCounts.prepared;
  await execute({ schema, document: named, operationName: "A" });
  assert.is(prepareCounts.prepared - prepared, 0);
});

test("variables: read by FastVariables on a remembered query; those needing coercion, another plan or over the cost are prepared", async () => {
  const { schema } = resolverSchema();
  const limited = makeSchema({ typeDefs: `type Query { books(first: Int): [Book!]! } type Book { id: ID! }`, resolvers: { Query: { books: (_: unknown, a: { first: number }) => Array.from({ length: a.first }, (_, i) => ({ id: `b${i}` })) } }, limits: { maxCost: 50 } });
  const document = parse(`query Q($n: Int, $withAuthor: Boolean!) { books(first: $n) { id author @include(if: $withAuthor) { name } } }`);
  const run = (variableValues: unknown, on = schema) => execute({ schema: on, document, variableValues: variableValues as Record<string, unknown> });
  for (let i = 0; i < 2; i++) await run({ n: 1, withAuthor: true });
  let prepared = prepareCounts.prepared;
  const remembered = [await run({ n: 2, withAuthor: true }), await run({ n: 3, withAuthor: true })];
  assert.is(prepareCounts.prepared - prepared, 0, "other values of the same plan: not prepared");
  for (const [i, result] of remembered.entries()) assert.is(json(result), json(await graphqlExecute({ schema, document, variableValues: { n: i + 2, withAuthor: true } })));
  // A value graphql-js must coerce (an Int given as a string: its error), a value selecting another plan (@include).
  prepared = prepareCounts.prepared;
  const coerced = await run({ n: "2", withAuthor: true });
  const otherPlan = await run({ n: 2, withAuthor: false });
  assert.is(prepareCounts.prepared - prepared, 2);
  assert.is(json(coerced), json(await graphqlExecute({ schema, document, variableValues: { n: "2", withAuthor: true } })));
  assert.is(json(otherPlan), json({ data: { books: [{ id: "b1" }, { id: "b2" }] } }));
  // The cost limit is checked for each request's variables: a page over it is refused, not run.
  const small = parse(`query Q($n: Int) { books(first: $n) { id } }`);
  for (let i = 0; i < 2; i++) await execute({ schema: limited, document: small, variableValues: { n: 2 } });
  prepared = prepareCounts.prepared;
  assert.is(json(await execute({ schema: limited, document: small, variableValues: { n: 3 } })), json({ data: { books: [{ id: "b0" }, { id: "b1" }, { id: "b2" }] } }));
  assert.is(prepareCounts.prepared - prepared, 0);
  const over = await execute({ schema: limited, document: small, variableValues: { n: 1000 } });
  assert.is(over.errors?.[0]?.extensions.code, "LIMIT_EXCEEDED");
  assert.is(over.data, undefined, "refused before anything ran");
  assert.is(prepareCounts.prepared - prepared, 1);
});

test("a limit the schema sets is checked once: a remembered query over it never runs, a schema change re-prepares", async () => {
  const typeDefs = `type Query { books: [Book!]! } type Book { id: ID! next: Book }`;
  const resolvers = { Query: { books: () => [{ id: "b1" }] }, Book: { next: (b: { id: string }) => ({ id: `${b.id}+` }) } };
  const strict = makeSchema({ typeDefs, resolvers, limits: { maxDepth: 3 } });
  const deep = parse(`{ books { next { next { next { id } } } } }`);
  const shallow = parse(`{ books { next { id } } }`);
  for (let i = 0; i < 3; i++) {
    const result = await execute({ schema: strict, document: deep });
    assert.is(result.errors?.[0]?.extensions.code, "LIMIT_EXCEEDED", `request ${i + 1} refused`);
  }
  const prepared = prepareCounts.prepared;
  for (let i = 0; i < 3; i++) assert.is(json(await execute({ schema: strict, document: shallow })), json({ data: { books: [{ next: { id: "b1+" } }] } }));
  assert.is(prepareCounts.prepared - prepared, 1, "the shallow query's first request (a plan DirectRun runs)");
  // The same document on another schema is prepared for that schema.
  const other = makeSchema({ typeDefs, resolvers });
  const before = prepareCounts.prepared;
  assert.is(json(await execute({ schema: other, document: shallow })), json({ data: { books: [{ next: { id: "b1+" } }] } }));
  assert.is(prepareCounts.prepared - before, 1);
});

test.run();
