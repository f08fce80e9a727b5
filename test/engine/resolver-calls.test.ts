// Compiled resolver calls (spec/resolver-emulation.md, CompileResolverCalls and SharedArguments): one
// generated batch function per Resolver step, made once per plan; arguments coerced once and copied per
// call where that is exactly graphql-js's per-call coercion; graphql-jit's three benchmark schemas answered
// exactly as graphql-js answers them; and the compiled output building responses whose entries were
// promises. Asserts counts and results, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, execute as graphqlExecute, GraphQLScalarType, parse, versionInfo, type GraphQLObjectType, type GraphQLSchema } from "graphql";

/** InlineDefaultResolver reads default-resolver leaves inline on graphql 16; on 17 they run as steps (spec/resolver-emulation.md). */
const INLINE = versionInfo.major === 16;
import { execute, exportPlan, getPlanCacheStats, importPlan } from "../../src/index.js";
import { resolverCallsCompiled, resolverGroupsCompiled } from "../../src/engine/planning/steps/resolverCalls.js";

/** Generated resolver functions of either kind: a step's own (CompileResolverCalls) and a group's (CompileResolverGroup). */
const generated = (): number => resolverCallsCompiled() + resolverGroupsCompiled();
import { argumentsModeOf } from "../../src/engine/planning/steps/resolverArguments.js";
import { jitQueries, jitSchema, jitVariables, type JitSchemaKind } from "../../bench/scenarios/jitSchemas.js";
import { directRuns } from "../../src/engine/request/directRun.js";

// These tests count what the layered executor's Resolver steps and groups do; DirectRun answers the clean
// requests of such plans before them, so it is off here (test/engine/direct-run.test.ts covers it).
directRuns.enabled = false;

/** A schema from SDL with resolvers set on it (type → field → resolve). */
function schemaWith(sdl: string, resolvers: Record<string, Record<string, (...args: any[]) => unknown>>): GraphQLSchema {
  const schema = buildSchema(sdl);
  for (const [type, fields] of Object.entries(resolvers)) {
    for (const [name, resolve] of Object.entries(fields)) (schema.getType(type) as GraphQLObjectType).getFields()[name]!.resolve = resolve;
  }
  return schema;
}

const same = async (schema: GraphQLSchema, source: string, variableValues?: Record<string, unknown>, rootValue?: unknown) => {
  const document = parse(source);
  const expected = await graphqlExecute({ schema, document, variableValues, rootValue });
  for (const compileOutput of [true, false]) {
    const actual = await execute({ schema, document, variableValues, rootValue, compileOutput });
    assert.is(JSON.stringify(actual), JSON.stringify(expected), `${source} (compileOutput: ${compileOutput})`);
  }
  return expected;
};

for (const kind of ["fewResolvers", "manyResolvers", "nestedArrays"] as JitSchemaKind[]) {
  test(`graphql-jit's ${kind} schema: the same response as graphql-js, with the benchmark's variables and with the defaults`, async () => {
    const schema = jitSchema(kind, 5);
    const withVariables = await same(schema, jitQueries[kind], jitVariables);
    assert.ok(withVariables.data !== null && withVariables.errors === undefined, JSON.stringify(withVariables.errors));
    await same(schema, jitQueries[kind]);
  });
}

test("generated code is built once per plan: one function per group of Resolver steps on the first request, none after", async () => {
  let calls = 0;
  const schema = schemaWith("type Query { a: A } type A { x: Int y: String z: [Int] }", { Query: { a: () => (calls++, { x: 1, y: "y", z: [1, 2] }) } });
  const source = "{ a { x y z } }";
  const stepFunctionsBefore = resolverCallsCompiled();
  const before = generated();
  await same(schema, source);
  const afterFirst = generated();
  // Query.a: one generated function, its root layer's group (the plan is cached by text); A.x, A.y and A.z
  // are default resolvers of leaves and a list of leaves, read inline by the output (InlineDefaultResolver):
  // they never run as steps (on graphql 17 they do: one group function for the three).
  assert.is(afterFirst - before, INLINE ? 1 : 2);
  // Every Resolver step here runs in its layer's group: no step compiles a function of its own.
  assert.is(resolverCallsCompiled(), stepFunctionsBefore);
  for (let i = 0; i < 5; i++) await execute({ schema, document: parse(source) });
  assert.is(generated(), afterFirst);
  assert.is(calls, 1 + 2 + 5); // graphql-js once, graphscale with and without the compiled output, then 5 more
});

test("a default resolver is a property read: a method is called once per entry with graphql-js's args and info, however often the output reads it", async () => {
  let reads = 0;
  let methodCalls = 0;
  const item = (n: number) => ({
    get value() {
      reads++;
      return n;
    },
    method(args: unknown, _context: unknown, info: { path: { key: unknown; prev: { key: unknown } } }) {
      methodCalls++;
      return `${n}:${JSON.stringify(args)}:${info.path.prev.key}.${String(info.path.key)}`;
    },
  });
  const schema = schemaWith("type Query { items: [Item] } type Item { value: Int method(k: Int): String }", { Query: { items: () => [item(1), item(2), item(3)] } });
  await same(schema, "{ items { value method(k: 4) } }");
  // graphql-js calls the method 3 times; graphscale as often (in each of its two runs), though its compiled
  // output gives up on the method and the interpretive output reads the field again (ReadResolverInline).
  assert.is(methodCalls, 3 * 3);
  // A getter is read once per entry by each output pass: once when the compiled output serves the request.
  reads = 0;
  await same(schema, "{ items { value } }");
  assert.is(reads, 3 * 3);
});


test("InlineDefaultResolver: leaves without a resolve are no steps; what the property read cannot give as graphql-js does goes through the step's own loop", async () => {
  let calls = 0;
  const fancy = {
    s: "plain",
    n: 2,
    e: new Error("an Error value"),
    p: Promise.resolve(5),
    m(args: { k?: number }, context: { c: number }, info: { path: { key: unknown } }) {
      calls++;
      return `${args.k}:${context.c}:${String(info.path.key)}`;
    },
    get g(): number {
      throw new Error("getter boom");
    },
    l1: ["a", null, "b"],
    l2: ["a", Promise.resolve("p"), Promise.reject(new Error("item rejected")), new Error("item error")],
    l3: new Set(["s", "t"]),
    l4: Promise.resolve(["q", Promise.resolve("r")]),
    l5: [["x"], ["y", Promise.resolve("z")]],
    l6: "not a list",
    lm: () => ["m", Promise.resolve("n")],
  };
  const schema = schemaWith(
    "type Query { o: O prim: O list: [O] } type O { s: String n: Int! e: Int p: Int m(k: Int): String g: Int length: Int " +
      "l1: [String] l2: [String] l3: [String!] l4: [String] l5: [[String]] l6: [String] lm: [String!]! }",
    { Query: { o: () => fancy, prim: () => "abc", list: () => [fancy, "xyz", null] } },
  );
  const source = "{ o { s n e p m(k: 3) alias: m g l1 l2 l3 l4 l5 l6 lm } prim { s length l1 } list { s length n m l1 l3 lm } }";
  const document = parse(source);
  const contextValue = { c: 9 };
  const expected = await graphqlExecute({ schema, document, contextValue });
  const expectedCalls = calls;
  for (const compileOutput of [true, false]) {
    calls = 0;
    const actual = await execute({ schema, document, contextValue, compileOutput });
    assert.is(JSON.stringify(actual), JSON.stringify(expected), `compileOutput: ${compileOutput}`);
    assert.is(calls, expectedCalls, "one method call per entry and alias");
  }
  // A primitive source gives null (graphql-js's default resolver reads only objects), not "abc".length.
  assert.is((expected.data as any).prim.length, null);
  // With a request's fieldResolver the inline read is not graphql-js's: the step's own loop calls it.
  let resolverCalls = 0;
  const fieldResolver = (source: any, _args: unknown, _context: unknown, info: { fieldName: string }) => (resolverCalls++, source?.[info.fieldName] ?? 1);
  const withResolver = await graphqlExecute({ schema, document: parse("{ o { s n } }"), fieldResolver });
  const count = resolverCalls;
  resolverCalls = 0;
  const actual = await execute({ schema, document: parse("{ o { s n } }"), fieldResolver });
  assert.is(JSON.stringify(actual), JSON.stringify(withResolver));
  assert.is(resolverCalls, count);
});

test("InlineDefaultResolver: a mutation's root leaves stay steps, called one after another; the leaves below them are read inline", async () => {
  const schema = buildSchema("type Query { q: Int } type Mutation { set(v: Int): Int get: Int obj: O } type O { x: Int y: Int }");
  const document = parse("mutation { a: set(v: 1) b: get c: set(v: 2) d: get obj { x y } }");
  const calls: string[] = [];
  const rootValue = () => {
    let value = 0;
    return {
      set: ({ v }: { v: number }) => (calls.push(`set${v}`), new Promise((resolve) => setTimeout(() => resolve((value = v)), 1))),
      get: () => (calls.push("get"), value),
      obj: { x: 1, y: () => (calls.push("y"), 2) },
    };
  };
  const expected = await graphqlExecute({ schema, document, rootValue: rootValue() });
  const expectedCalls = calls.splice(0);
  const actual = await execute({ schema, document, rootValue: rootValue() });
  assert.is(JSON.stringify(actual), JSON.stringify(expected));
  assert.equal(calls, expectedCalls);
  assert.equal(JSON.parse(JSON.stringify(actual)), { data: { a: 1, b: 1, c: 2, d: 2, obj: { x: 1, y: 2 } } });
});

test("InlineDefaultResolver: a default-resolver leaf makes no generated function and is read inline; a leaf with a resolve is a step", async () => {
  const sdl = "type Query { a: [A] } type A { x: Int y: String z: [Int] w: Int }";
  const resolvers = { Query: { a: () => [{ x: 1, y: "y", z: [1], w: 0 }, { x: 2, y: "z", z: [], w: 0 }] }, A: { w: () => 7 } };
  const schema = schemaWith(sdl, resolvers);
  const before = generated();
  await same(schema, "{ a { x y z w } }");
  // Query.a and A.w (its own resolve): two generated functions, one per layer's group; A.x, A.y and A.z (a
  // list of leaves) none (on graphql 17 they are steps, in A.w's group: still two).
  assert.is(generated() - before, 2);
  // An imported plan reads them inline too: its steps compile on their first batch, and A.x, A.y never run.
  const document = parse("{ a { x y z w } }");
  const text = exportPlan(schema, document);
  const fresh = schemaWith(sdl, resolvers);
  importPlan(fresh, document, text);
  const beforeImported = generated();
  assert.equal(JSON.parse(JSON.stringify(await execute({ schema: fresh, document }))), { data: { a: [{ x: 1, y: "y", z: [1], w: 7 }, { x: 2, y: "z", z: [], w: 7 }] } });
  assert.is(getPlanCacheStats(fresh).plansBuilt, 0);
  assert.is(generated() - beforeImported, 2);
});

test("the request's fieldResolver serves fields without a resolver, in place of the default property read", async () => {
  const schema = buildSchema("type Query { a: A } type A { x: Int }");
  const document = parse("{ a { x } }");
  let calls = 0;
  const fieldResolver = (source: any, _args: unknown, _context: unknown, info: { fieldName: string }) => (calls++, info.fieldName === "a" ? {} : 7);
  const expected = await graphqlExecute({ schema, document, fieldResolver });
  const actual = await execute({ schema, document, fieldResolver });
  assert.is(JSON.stringify(actual), JSON.stringify(expected));
  assert.equal(JSON.parse(JSON.stringify(actual)), { data: { a: { x: 7 } } });
  assert.is(calls, 4);
});

test("SharedArguments: variables and literals of built-in scalars and enums are coerced once; object, list and custom-scalar literals per call", () => {
  const schema = buildSchema(`
    scalar Money
    enum Color { RED GREEN }
    input Range { from: Int }
    type Query { f(a: Int, b: String, c: Color, r: Range, l: [Int], m: Money): Int g: Int }
  `);
  const def = schema.getQueryType()!.getFields()["f"]!;
  const g = schema.getQueryType()!.getFields()["g"]!;
  const node = (source: string) => (parse(`{ ${source} }`).definitions[0] as any).selectionSet.selections[0];
  assert.is(argumentsModeOf(g as never, node("g")), "none");
  assert.is(argumentsModeOf(def as never, node('f(a: 1, b: "x", c: RED)')), "constant");
  assert.is(argumentsModeOf(def as never, node("f")), "constant");
  assert.is(argumentsModeOf(def as never, node("f(a: $a, c: RED)")), "variables");
  assert.is(argumentsModeOf(def as never, node("f(r: { from: 1 })")), "perCall");
  assert.is(argumentsModeOf(def as never, node("f(l: [1])")), "perCall");
  assert.is(argumentsModeOf(def as never, node("f(l: 1)")), "perCall");
  assert.is(argumentsModeOf(def as never, node('f(m: "3")')), "perCall");
});

test("each call gets its own args object, and literals graphql-js coerces per call are coerced per call", async () => {
  let parses = 0;
  const schema = buildSchema("scalar Money input Range { from: Int } type Query { items: [Item] } type Item { f(a: Int, r: Range, m: Money): String }");
  (schema.getType("Money") as GraphQLScalarType).parseLiteral = (ast: any) => (parses++, { cents: Number(ast.value) });
  const seen: unknown[] = [];
  const seenRanges: unknown[] = [];
  (schema.getType("Query") as GraphQLObjectType).getFields()["items"]!.resolve = () => [1, 2, 3];
  (schema.getType("Item") as GraphQLObjectType).getFields()["f"]!.resolve = (_s, args: any) => {
    seen.push(args);
    seenRanges.push(args.r);
    const text = JSON.stringify(args);
    args.a = 99; // a resolver mutating its args must not change another call's
    return text;
  };
  const result = await execute({ schema, document: parse('{ items { f(a: 1, r: { from: 2 }, m: "5") } }') });
  assert.equal(JSON.parse(JSON.stringify(result)).data.items.map((i: { f: string }) => JSON.parse(i.f).a), [1, 1, 1]);
  assert.is(new Set(seen).size, 3);
  assert.is(new Set(seenRanges).size, 3);
  assert.is(parses, 3);
  seen.length = 0;
  const constant = await execute({ schema, document: parse("{ items { f(a: 2) } }") });
  assert.equal(JSON.parse(JSON.stringify(constant)).data.items.map((i: { f: string }) => JSON.parse(i.f).a), [2, 2, 2]);
  assert.is(new Set(seen).size, 3);
  // Variables: the batch's coerced object goes to its last call, copies to the others (each its own).
  seen.length = 0;
  const document = parse("query ($a: Int) { items { f(a: $a) } }");
  for (let round = 0; round < 2; round++) {
    const variables = await execute({ schema, document, variableValues: { a: 3 } });
    assert.equal(JSON.parse(JSON.stringify(variables)).data.items.map((i: { f: string }) => JSON.parse(i.f).a), [3, 3, 3]);
  }
  assert.is(new Set(seen).size, 6);
});

test("arguments that fail to coerce fail each call's entry with graphql-js's error", async () => {
  const schema = schemaWith("type Query { items: [Item] } type Item { f(a: Int!): Int }", { Query: { items: () => [1, 2] }, Item: { f: (_s, args: { a: number }) => args.a } });
  const result = await same(schema, "query ($a: Int) { items { f(a: $a) } }", { a: null });
  assert.is(result.errors?.length, 2);
});

test("the compiled output builds a response whose entries were promises when nothing failed (plain objects), and gives up on an error", async () => {
  const schema = schemaWith("type Query { a: A } type A { x: Int y: String b: B } type B { z: Int! }", {
    Query: { a: async () => ({ x: 1, y: "y" }) },
    A: { x: async (a: { x: number }) => a.x, b: async () => ({ z: 3 }) },
    B: { z: async (b: { z: number }) => b.z },
  });
  const document = parse("{ a { x y b { z } } }");
  const compiled = await execute({ schema, document });
  assert.is(Object.getPrototypeOf((compiled as any).data), Object.prototype);
  assert.equal(JSON.parse(JSON.stringify(compiled)), { data: { a: { x: 1, y: "y", b: { z: 3 } } } });
  const interpreted = await execute({ schema, document, compileOutput: false });
  assert.is(Object.getPrototypeOf((interpreted as any).data), null);
  // An error: the interpretive output completes the promised entries in graphql-js's order.
  const failing = schemaWith("type Query { a: A } type A { x: Int y: Int! b: Int }", {
    Query: { a: async () => ({}) },
    A: { x: async () => Promise.reject(new Error("x")), y: async () => null, b: async () => new Error("b") },
  });
  const response = await same(failing, "{ a { b x y } }");
  assert.is(response.data?.a, null);
});

test("a leaf's promise that resolves to an Error is that field's error; an object's skips the fields below it", async () => {
  let below = 0;
  const schema = schemaWith("type Query { n: Int o: O list: [O] } type O { v: Int }", {
    Query: { n: () => Promise.resolve(new Error("n")), o: () => Promise.resolve(new Error("o")), list: () => [Promise.resolve(new Error("item")), { v: 1 }] },
    O: { v: () => (below++, 1) },
  });
  const response = await same(schema, "{ n o { v } list { v } }");
  assert.is(response.errors?.length, 3);
  // graphql-js calls O.v once (for the list's second item); graphscale as often, in each of its two runs.
  assert.is(below, 3);
});

test("a resolver's info: every key graphql-js gives, its path built per entry", async () => {
  const infos: any[] = [];
  const schema = schemaWith("type Query { items: [Item] } type Item { f: Int }", { Query: { items: () => [1, 2] }, Item: { f: (_s, _a, _c, info) => (infos.push(info), 1) } });
  const document = parse("query Q($v: Int = 3) { items { f } }");
  const rootValue = { r: 1 };
  await graphqlExecute({ schema, document, rootValue });
  const expected = infos.splice(0);
  await execute({ schema, document, rootValue });
  assert.is(infos.length, 2);
  for (let i = 0; i < 2; i++) {
    assert.equal(Object.keys(infos[i]), Object.keys(expected[i]));
    assert.equal(infos[i].path, expected[i].path);
    for (const key of ["fieldName", "returnType", "parentType", "schema", "rootValue"]) assert.is(infos[i][key], expected[i][key], key);
    assert.equal(infos[i].variableValues, expected[i].variableValues);
    assert.equal(infos[i].fieldNodes, expected[i].fieldNodes);
  }
});

test.run();
