// DirectRun (spec/resolver-emulation.md, DirectPlanOf, DirectRun, Replay): a query of a plain resolver schema
// runs depth-first over its plan's positions, and at its first unclean value hands the request to the
// general executor with its calls replayed. Asserts which path answered (counts), the calls each resolver
// got (none twice, none missing against the layered run) and responses equal to graphql-js's and to the
// layered run's, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, execute as graphqlExecute, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, parse, versionInfo, type ExecutionResult } from "graphql";
import { execute } from "../../src/index.js";
import { directCompilations } from "../../src/engine/request/compileDirect.js";
import { directRunCounts, directRuns } from "../../src/engine/request/directRun.js";
import { resolverGroupsCompiled } from "../../src/engine/planning/steps/resolverCalls.js";

type Resolvers = Record<string, Record<string, (...args: any[]) => unknown>>;

function schemaWith(sdl: string, resolvers: Resolvers): GraphQLSchema {
  const schema = buildSchema(sdl);
  for (const [type, fields] of Object.entries(resolvers)) {
    for (const [name, resolve] of Object.entries(fields)) (schema.getType(type) as GraphQLObjectType).getFields()[name]!.resolve = resolve;
  }
  return schema;
}

const json = (value: unknown): string => JSON.stringify(value);

/** Where a schema's resolvers record their calls (`name@path`): the list it points at when they are called. */
interface Sink {
  list: string[];
}

/** A maker of fresh schemas whose resolvers record into a sink. */
type Make = (sink: Sink) => GraphQLSchema;

interface Ways {
  direct: ExecutionResult;
  layered: ExecutionResult;
  graphqlJs: ExecutionResult;
  /** Each way's calls (DirectRun's: its second request's, the plan's first having run before it). */
  calls: { direct: string[]; layered: string[]; graphqlJs: string[] };
  /** Of DirectRun's two requests: how many it answered, how many it handed over. */
  answered: number;
  handedOver: number;
  /** Resolver groups and DirectRun selections generated during DirectRun's two requests. */
  groups: number;
  selections: number;
}

/** The request run three ways: DirectRun on (the plan's first request, then the measured one), off, and graphql-js. */
async function threeWays(make: Make, source: string, extra: { variableValues?: Record<string, unknown>; rootValue?: unknown } = {}): Promise<Ways> {
  const document = parse(source);
  const calls = { direct: [] as string[], layered: [] as string[], graphqlJs: [] as string[] };
  const graphqlJs = await graphqlExecute({ schema: make({ list: calls.graphqlJs }), document, ...extra });
  const sink: Sink = { list: [] };
  const schema = make(sink);
  const answered = directRunCounts.answered;
  const handedOver = directRunCounts.handedOver;
  const groups = resolverGroupsCompiled();
  const selections = directCompilations.selections;
  await execute({ schema, document, ...extra });
  sink.list = calls.direct;
  const direct = await execute({ schema, document, ...extra });
  const counted = {
    answered: directRunCounts.answered - answered,
    handedOver: directRunCounts.handedOver - handedOver,
    groups: resolverGroupsCompiled() - groups,
    selections: directCompilations.selections - selections,
  };
  directRuns.enabled = false;
  let layered: ExecutionResult;
  try {
    layered = await execute({ schema: make({ list: calls.layered }), document, ...extra });
  } finally {
    directRuns.enabled = true;
  }
  return { direct, layered, graphqlJs, calls, ...counted };
}

/** Resolvers recording `name@path` into the sink, made per schema. */
function recorded(sdl: string, make: (at: (name: string, fn: (...args: any[]) => unknown) => (...args: any[]) => unknown) => Resolvers): Make {
  return (sink) => {
    const at =
      (name: string, fn: (...args: any[]) => unknown) =>
      (...args: any[]): unknown => {
        sink.list.push(`${name}@${pathOf(args[3].path)}`);
        return fn(...args);
      };
    return schemaWith(sdl, make(at));
  };
}

function pathOf(path: { prev: unknown; key: string | number } | undefined): string {
  const keys: Array<string | number> = [];
  for (let p = path; p !== undefined; p = p.prev as typeof path) keys.unshift(p.key);
  return keys.join(".");
}

/** The calls of a way, sorted: the replay and the layered run make the same calls in another order. */
const sorted = (calls: string[]): string[] => [...calls].sort();

const SDL = `
  type Query { shelf: Shelf, books: [Book!] }
  type Shelf { name: String!, books: [Book] }
  type Book { id: ID!, title: String, pages: Int, author: Author, tags: [String] }
  type Author { name: String!, born: Int }
`;
const BOOKS = [
  { id: "b1", title: "Kindred", pages: 264, tags: ["time", "history"], author: { name: "Octavia E. Butler", born: 1947 } },
  { id: "b2", title: "Dawn", pages: 248, tags: [], author: { name: "Octavia E. Butler", born: 1947 } },
  { id: "b3", title: "The Dispossessed", pages: 387, tags: null, author: { name: "Ursula K. Le Guin", born: 1929 } },
];

test("a clean query: answered by DirectRun, resolvers called depth-first in graphql-js's order, no resolver group made", async () => {
  const make = recorded(SDL, (at) => ({
    Query: { shelf: at("shelf", () => ({ name: "Octavia", books: BOOKS })), books: at("books", () => Promise.resolve(BOOKS)) },
    Book: { title: at("title", (b) => b.title), author: at("author", (b) => Promise.resolve(b.author)) },
    Author: { born: at("born", (a) => a.born) },
  }));
  const source = `{ shelf { name books { id title author { name born } tags } } books { id pages author { born } } }`;
  const r = await threeWays(make, source);
  // Query, Shelf, the shelf's Book and its Author, the list's Book and its Author: made on the plan's first request.
  assert.is(r.selections, 6, "one function per selection, made once");
  assert.is(json(r.direct), json(r.graphqlJs));
  assert.is(json(r.layered), json(r.graphqlJs));
  assert.is(r.answered, 2, "both requests answered directly");
  assert.is(r.handedOver, 0);
  assert.is(r.groups, 0, "no resolver group generated: the layers never ran");
  // Depth-first and in order, as graphql-js calls them: each shelf book's title and author before the next book.
  assert.equal(r.calls.direct, r.calls.graphqlJs);
  assert.equal(sorted(r.calls.direct), sorted(r.calls.layered), "the same calls as the layered run");
  assert.not.equal(r.calls.direct, r.calls.layered, "the layered run calls breadth-first");
});

/** Each call's `name@path` at most once. */
function once(calls: string[]): boolean {
  return new Set(calls).size === calls.length;
}

const BOOK_QUERY = `{ shelf { name books { id title pages author { name born } tags } } }`;

/** Book resolvers with one field changed: the rest as in BOOKS. */
function books(changed: Resolvers["Book"], author: Resolvers["Author"] = {}, shelfBooks: unknown = BOOKS): Make {
  return recorded(SDL, (at) => ({
    Query: { shelf: at("shelf", () => ({ name: "Octavia", books: shelfBooks })) },
    Book: Object.fromEntries(Object.entries({ author: (b: { author: unknown }) => Promise.resolve(b.author), ...changed }).map(([k, f]) => [k, at(k, f!)])),
    Author: Object.fromEntries(Object.entries(author).map(([k, f]) => [k, at(k, f!)])),
  }));
}

const UNCLEAN: Array<[string, Make, string?, object?]> = [
  ["a resolver that throws", books({ title: (b: { id: string; title: string }) => { if (b.id === "b2") throw new Error("no title"); return b.title; } })],
  ["a promise that rejects", books({ author: (b: { id: string; author: unknown }) => (b.id === "b3" ? Promise.reject(new Error("no author")) : Promise.resolve(b.author)) })],
  ["a null at a non-null position (passed up to the nullable author)", books({}, { name: (a: { born: number; name: string }) => (a.born === 1929 ? null : a.name) })],
  ["an Error value", books({ title: (b: { id: string; title: string }) => (b.id === "b1" ? new Error("an Error value") : b.title) })],
  ["a leaf its scalar refuses", books({ pages: (b: { id: string; pages: number }) => (b.id === "b2" ? "many" : b.pages) })],
  ["a list that is no array (a generator, read once)", books({ tags: function* (b: { tags: string[] | null }) { yield* b.tags ?? []; } })],
  ["a non-null position's null at the root", recorded(`type Query { a: String!, b: Int }`, (at) => ({ Query: { a: at("a", () => null), b: at("b", () => 1) } })), `{ b a }`],
  ["more list items than maxResponseEntries", books({}), BOOK_QUERY, { limits: { maxResponseEntries: 4 } }],
];

for (const [name, make, source, options] of UNCLEAN) {
  test(`unclean, ${name}: handed over, each call made once, the layered run's calls and response`, async () => {
    const r = await threeWays(make, source ?? BOOK_QUERY, options);
    assert.is(r.handedOver, 2, "both requests handed over");
    assert.is(r.answered, 0);
    assert.is(json(r.direct), json(r.layered));
    if (options === undefined) assert.is(json(r.direct), json(r.graphqlJs));
    assert.ok(once(r.calls.direct), `no call made twice: ${r.calls.direct.join(" ")}`);
    assert.equal(sorted(r.calls.direct), sorted(r.calls.layered), "the layered run's calls");
  });
}

test("unclean while a promise is pending: the replay awaits the promise the run was given, its resolver called once", async () => {
  let slow = 0;
  const make = recorded(`type Query { slow: Book, bad: Int! } type Book { id: ID, title: String }`, (at) => ({
    Query: {
      slow: at("slow", () => (slow++, new Promise((resolve) => setTimeout(() => resolve(BOOKS[0]), 5)))),
      bad: at("bad", () => "not a number"),
    },
    Book: { title: at("title", (b) => b.title) },
  }));
  const r = await threeWays(make, `{ slow { id title } bad }`);
  assert.is(r.handedOver, 2);
  assert.is(json(r.direct), json(r.graphqlJs));
  assert.ok(once(r.calls.direct));
  assert.equal(sorted(r.calls.direct), sorted(r.calls.layered));
  assert.is(slow, 1 + 2 + 1, "once per request: graphql-js's, DirectRun's two, the layered run's");
});

test("a thenable a resolver returns: its `then` called once, the response graphql-js's", async () => {
  let thens = 0;
  const thenable = (value: unknown) => ({ then: (ok: (v: unknown) => void) => (thens++, ok(value)) });
  const make = recorded(`type Query { book: Book } type Book { id: ID, title: String }`, (at) => ({ Query: { book: at("book", () => thenable(BOOKS[1])) }, Book: { title: at("title", (b) => thenable(b.title)) } }));
  const r = await threeWays(make, `{ book { id title } }`);
  assert.is(r.answered, 2);
  assert.is(json(r.direct), json(r.graphqlJs));
  assert.is(thens, 2 * 4, "two thenables a request, each `then` called once, in each of four requests");
});

test("a method found by the default resolver: called once with graphql-js's args and info, answered or handed over", async () => {
  const seen: string[] = [];
  const make: Make = () => schemaWith(`type Query { book: Book } type Book { id: ID, title(upper: Boolean): String }`, {
    Query: { book: () => ({ id: "b1", title: (args: { upper?: boolean }, _ctx: unknown, info: { path: { key: string } }) => (seen.push(`${info.path.key}:${json(args)}`), args.upper ? "KINDRED" : "Kindred") }) },
  });
  const r = await threeWays(make, `{ book { id title(upper: true) } }`);
  assert.is(json(r.direct), json(r.graphqlJs));
  assert.equal(seen, Array(4).fill(`title:{"upper":true}`), "once in each of four requests");
  // On graphql 16 a default-resolver leaf is read inline by the output (InlineDefaultResolver): DirectRun leaves
  // a method there to it; on graphql 17 the method's step runs, and DirectRun calls it itself.
  if (versionInfo.major === 16) assert.is(r.handedOver, 2);
  else assert.is(r.answered, 2);
});

test("a method in a subtree of default resolvers (no path made there): handed over, called once, graphql-js's response", async () => {
  let called = 0;
  const shelf = () => ({ books: BOOKS.map((b) => ({ id: b.id, title: (_args: unknown, _ctx: unknown, info: { path: unknown }) => (called++, `${b.title} at ${pathOf(info.path as never)}`) })) });
  const make: Make = () => schemaWith(SDL, { Query: { shelf } });
  const r = await threeWays(make, `{ shelf { books { id title } } }`);
  assert.is(r.handedOver, 2);
  assert.is(json(r.direct), json(r.graphqlJs));
  assert.is(json(r.layered), json(r.graphqlJs));
  assert.is(called, 3 * 4, "each book's method once in each of four requests");
});

test("a timeout: the request ends with the layered run's error, and nothing below the pending field is called after it", async () => {
  const calls: string[] = [];
  const make = (): GraphQLSchema =>
    schemaWith(`type Query { never: Book, soon: Int } type Book { id: ID, title: String }`, {
      Query: { never: () => (calls.push("never"), new Promise(() => undefined)), soon: () => (calls.push("soon"), 1) },
      Book: { title: (b: { title: string }) => (calls.push("title"), b.title) },
    });
  const document = parse(`{ soon never { id title } }`);
  const limits = { timeoutMs: 20 };
  const schema = make();
  const counted = directRunCounts.answered + directRunCounts.handedOver;
  const direct = [await execute({ schema, document, limits }), await execute({ schema, document, limits })];
  assert.is(directRunCounts.answered + directRunCounts.handedOver - counted, 0, "neither answered nor handed over: the request ended at its timeout");
  directRuns.enabled = false;
  let layered: ExecutionResult;
  try {
    layered = await execute({ schema: make(), document, limits });
  } finally {
    directRuns.enabled = true;
  }
  assert.is(json(direct[1]), json(layered));
  assert.is(direct[1]!.errors?.[0]?.extensions?.code, "REQUEST_TIMEOUT");
  assert.equal(calls, ["soon", "never", "soon", "never", "soon", "never"]);
});

test("not run directly: an abstract position, a custom scalar, a request fieldResolver, a mutation, generated code off", async () => {
  const cases: Array<[GraphQLSchema, string, object?]> = [
    [schemaWith(`interface Named { name: String } type Person implements Named { name: String } type Query { named: Named }`, { Query: { named: () => ({ name: "a", __typename: "Person" }) } }), `{ named { name } }`],
    [
      new GraphQLSchema({
        query: new GraphQLObjectType({ name: "Query", fields: { word: { type: new GraphQLScalarType({ name: "Upper", serialize: (v) => String(v).toUpperCase() }), resolve: () => "kindred" } } }),
      }),
      `{ word }`,
    ],
    [schemaWith(`type Query { title: String }`, {}), `{ title }`, { fieldResolver: () => "from the request" }],
    [schemaWith(`type Query { a: Int } type Mutation { set: Int }`, { Mutation: { set: () => 1 } }), `mutation { set }`],
    [(() => {
      const schema = schemaWith(`type Query { a: Int }`, { Query: { a: () => 1 } });
      (schema as { extensions: object }).extensions = { graphscale: { compileOutput: false } };
      return schema;
    })(), `{ a }`],
  ];
  for (const [schema, source, extra] of cases) {
    const document = parse(source);
    const answered = directRunCounts.answered + directRunCounts.handedOver;
    const results = [await execute({ schema, document, ...extra }), await execute({ schema, document, ...extra })];
    assert.is(directRunCounts.answered + directRunCounts.handedOver - answered, 0, source);
    assert.is(json(results[1]), json(await graphqlExecute({ schema, document, ...extra })), source);
  }
});

test.run();
