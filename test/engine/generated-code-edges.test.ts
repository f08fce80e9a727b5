// Generated code at its edges: a runtime that refuses `new Function` gets the interpretive output; a scalar
// merely named like a built-in keeps its own serialize; a leaf object's valueOf runs once however many
// outputs try; resolvers never rewrite graphql-js's built-in scalars; and an exported plan gives back
// null-prototype argument objects, -0 and keys holding NUL as they were.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString, parse, execute as graphqlExecute } from "graphql";
import { execute, executeToJSON, exportPlan, importPlan, makeSchema } from "../../src/index.js";
import { lambda } from "../../steps/index.js";

const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

test("new Function refused by the runtime: execute and executeToJSON answer through the interpretive output", async () => {
  const schema = makeSchema({ typeDefs: `type Query { a: String l: [O] } type O { x: Int }` });
  const document = parse(`{ a l { x } }`);
  const rootValue = { a: "hi", l: [{ x: 1 }] };
  const original = globalThis.Function;
  globalThis.Function = function refused() {
    throw new EvalError("Code generation from strings disallowed for this context");
  } as unknown as FunctionConstructor;
  try {
    assert.equal(json(await execute({ schema, document, rootValue })), { data: { a: "hi", l: [{ x: 1 }] } });
    assert.is(await executeToJSON({ schema, document, rootValue }), `{"data":{"a":"hi","l":[{"x":1}]}}`);
  } finally {
    globalThis.Function = original;
  }
});

test("a scalar of the schema's own named ID: its serialize runs as often as under graphql-js, in every output", async () => {
  let calls = 0;
  const Id = new GraphQLScalarType({
    name: "ID",
    serialize: (value) => {
      calls++;
      return { id: value, label: "café ✓" };
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: { id: { type: Id, resolve: () => "a" }, label: { type: GraphQLString, resolve: () => "é" } } }),
  });
  const document = parse(`{ id label }`);
  const failing = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: "Query",
      fields: { id: { type: Id, resolve: () => "a" }, gone: { type: new GraphQLNonNull(GraphQLString), resolve: () => null } },
    }),
  });
  calls = 0;
  await graphqlExecute({ schema: failing, document: parse(`{ id gone }`) });
  const failingCalls = calls;
  for (const run of [execute, executeToJSON]) {
    calls = 0;
    await run({ schema: failing, document: parse(`{ id gone }`) });
    assert.is(calls, failingCalls, `${run.name}: the outputs that give up did not call it`);
  }
  calls = 0;
  const expected = await graphqlExecute({ schema, document });
  const graphqlCalls = calls;
  for (const compileOutput of [true, false]) {
    calls = 0;
    assert.equal(json(await execute({ schema, document, compileOutput })), json(expected), `compileOutput ${compileOutput}`);
    assert.is(calls, graphqlCalls);
    calls = 0;
    assert.is(await executeToJSON({ schema, document, compileOutput }), JSON.stringify(expected));
    assert.is(calls, graphqlCalls);
  }
});

test("a leaf object's valueOf runs once, as under graphql-js, when the compiled outputs give up", async () => {
  let calls = 0;
  const count = { valueOf: () => (calls++, "v") };
  const schema = makeSchema({ typeDefs: `type Query { s: String gone: String! }`, resolvers: { Query: { s: () => count, gone: () => null } } });
  const document = parse(`{ s gone }`);
  await execute({ schema, document });
  assert.is(calls, 1, "execute");
  calls = 0;
  await executeToJSON({ schema, document });
  assert.is(calls, 1, "executeToJSON");
});

test("resolvers for a built-in scalar are refused: graphql-js's GraphQLID is shared by every schema", () => {
  const serialize = GraphQLID.serialize;
  assert.throws(
    () => makeSchema({ typeDefs: `type Query { id: ID }`, resolvers: { ID: { serialize: (v: unknown) => `ID:${String(v)}` } } as never }),
    /resolvers for the built-in scalar ID would change graphql-js's ID for every schema/,
  );
  assert.is(GraphQLID.serialize, serialize);
});

test("an exported plan gives back null-prototype argument objects, -0 and keys holding NUL as planned", async () => {
  const isNegZero = (x: unknown): boolean => Object.is(x, -0);
  const typeDefs = `scalar JSON input In { name: String } type Out { name: String toString: String }
    type Query { echo(input: In): Out isNegZero(x: Float): Boolean x(v: JSON): JSON y(v: JSON): JSON }`;
  const JSONScalar = { serialize: (v: unknown) => v, parseValue: (v: unknown) => v, parseLiteral: (ast: { value?: string }) => JSON.parse(ast.value!) };
  const make = () =>
    makeSchema({
      typeDefs,
      functions: { isNegZero },
      resolvers: { JSON: JSONScalar } as never,
      plans: {
        Query: {
          echo: (_: unknown, args: { get(name: string): unknown }) => args.get("input"),
          isNegZero: (_: unknown, args: { get(name: string): unknown }) => lambda(args.get("x") as never, isNegZero),
          x: (_: unknown, args: { get(name: string): unknown }) => args.get("v"),
          y: (_: unknown, args: { get(name: string): unknown }) => args.get("v"),
        },
      } as never,
    });
  const cases = [
    `{ echo(input: { name: "n" }) { name toString } }`,
    `{ isNegZero(x: -0.0) }`,
    `{ x(v: "{\\"a\\\\u0000b\\": 1, \\"c\\": 2}") y(v: "{\\"a\\": 1, \\"b\\\\u0000c\\": 2}") }`,
  ];
  for (const source of cases) {
    const document = parse(source);
    const planned = make();
    const expected = json(await execute({ schema: planned, document }));
    const imported = make();
    assert.ok(importPlan(imported, document, exportPlan(planned, document)), source);
    assert.equal(json(await execute({ schema: imported, document })), expected, source);
  }
});

test.run();
