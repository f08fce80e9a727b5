// Resolver groups (spec/resolver-emulation.md, GroupResolverSteps, RunResolverGroup, CompileResolverGroup):
// the Resolver steps of a layer over one source run as one generated loop with one wait for all their
// promises, store what each step would have stored, and step aside where they cannot apply. Asserts counts
// (functions generated, resolver calls, `then` calls) and responses equal to graphql-js's, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, execute as graphqlExecute, parse, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { execute } from "../../src/index.js";
import { resolverCallsCompiled, resolverGroupsCompiled } from "../../src/engine/planning/steps/resolverCalls.js";
import { directRuns } from "../../src/engine/request/directRun.js";

// These tests count what the layered executor's Resolver steps and groups do; DirectRun answers the clean
// requests of such plans before them, so it is off here (test/engine/direct-run.test.ts covers it).
directRuns.enabled = false;

function schemaWith(sdl: string, resolvers: Record<string, Record<string, (...args: any[]) => unknown>>): GraphQLSchema {
  const schema = buildSchema(sdl);
  for (const [type, fields] of Object.entries(resolvers)) {
    for (const [name, resolve] of Object.entries(fields)) (schema.getType(type) as GraphQLObjectType).getFields()[name]!.resolve = resolve;
  }
  return schema;
}

const SDL = "type Query { items: [Item] } type Item { a: Int b: String c: Int d: [Int] }";

test("resolver groups: one generated function per layer for all its resolvers, each called once per entry, entry by entry", async () => {
  const calls: string[] = [];
  const at = (name: string, value: (n: number) => unknown) => (source: { n: number }) => (calls.push(`${name}${source.n}`), value(source.n));
  const schema = schemaWith(SDL, {
    Query: { items: () => [{ n: 1 }, { n: 2 }, { n: 3 }] },
    Item: { a: at("a", (n) => Promise.resolve(n)), b: at("b", (n) => `b${n}`), c: at("c", (n) => Promise.resolve(n * 10)), d: at("d", (n) => [n, Promise.resolve(n + 1)]) },
  });
  const document = parse("{ items { a b c d } }");
  const expected = await graphqlExecute({ schema, document });
  const expectedCalls = calls.splice(0);
  const groups = resolverGroupsCompiled();
  const steps = resolverCallsCompiled();
  const actual = await execute({ schema, document });
  assert.is(JSON.stringify(actual), JSON.stringify(expected));
  // Query.items (the root layer's group) and Item.a–d (the item layer's group): two functions, none per step.
  assert.is(resolverGroupsCompiled() - groups, 2);
  assert.is(resolverCallsCompiled() - steps, 0);
  // graphql-js's calls, in graphql-js's order: every field of an item before the next item.
  assert.equal(calls.splice(0), expectedCalls);
  for (let i = 0; i < 3; i++) assert.is(JSON.stringify(await execute({ schema, document })), JSON.stringify(expected));
  assert.is(resolverGroupsCompiled() - groups, 2);
  assert.is(calls.length, 3 * 3 * 4);
});

test("resolver groups: a rejected promise fails its own entry only; the others keep their values, errors as graphql-js orders them", async () => {
  const schema = schemaWith(SDL, {
    Query: { items: () => [{ n: 1 }, { n: 2 }, { n: 3 }] },
    Item: {
      a: (s: { n: number }) => (s.n === 2 ? Promise.reject(new Error(`a${s.n} rejected`)) : Promise.resolve(s.n)),
      b: (s: { n: number }) => Promise.resolve(`b${s.n}`),
      c: (s: { n: number }) => (s.n === 3 ? Promise.reject(new Error("c3 rejected")) : s.n),
      d: (s: { n: number }) => (s.n === 1 ? [Promise.reject(new Error("d1 item")), 2] : [s.n]),
    },
  });
  for (const source of ["{ items { a b c d } }", "{ items { d c b a } }"]) {
    const document = parse(source);
    const expected = await graphqlExecute({ schema, document });
    assert.is((expected.errors ?? []).length, 3);
    for (const compileOutput of [true, false]) assert.is(JSON.stringify(await execute({ schema, document, compileOutput })), JSON.stringify(expected), source);
  }
});

test("resolver groups: a thenable's then is called once per entry, as graphql-js calls it", async () => {
  let thens = 0;
  const thenable = (value: unknown) => ({
    // A query builder's `then`: it starts the work and returns a promise (Known differences, 4: a `then`
    // returning nothing is read differently by graphql-js).
    then(resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) {
      thens++;
      return Promise.resolve(value).then(resolve, reject);
    },
  });
  const schema = schemaWith(SDL, { Query: { items: () => [{ n: 1 }, { n: 2 }] }, Item: { a: (s: { n: number }) => thenable(s.n), b: () => "b" } });
  const document = parse("{ items { a b } }");
  const expected = await graphqlExecute({ schema, document });
  const before = thens;
  assert.is(JSON.stringify(await execute({ schema, document })), JSON.stringify(expected));
  assert.is(thens - before, before);
});

test("resolver groups: a request fieldResolver for fields without a resolve, or tracing off the group path: each step runs by itself", async () => {
  const schema = schemaWith("type Query { o: O } type O { x: Int y: Int }", { Query: { o: () => ({ x: 1 }) }, O: { y: () => 2 } });
  const document = parse("{ o { x y } }");
  let called = 0;
  const fieldResolver = (source: Record<string, unknown>, _args: unknown, _context: unknown, info: { fieldName: string }) => (called++, source[info.fieldName] ?? 5);
  const expected = await graphqlExecute({ schema, document, fieldResolver });
  const expectedCalls = called;
  called = 0;
  // The plan's groups are made by the first request; one with a fieldResolver then runs its steps one by one.
  await execute({ schema, document });
  const groups = resolverGroupsCompiled();
  const steps = resolverCallsCompiled();
  assert.is(JSON.stringify(await execute({ schema, document, fieldResolver })), JSON.stringify(expected));
  assert.is(called, expectedCalls);
  assert.is(resolverGroupsCompiled(), groups);
  // O.y has a resolve of its own: its step compiles its own calls; O.x (read inline on graphql 16, a step
  // on 17) meets the fieldResolver through the step's own loop.
  assert.ok(resolverCallsCompiled() - steps >= 1);
});

test("resolver groups: while a sibling's promise is pending, the same calls are made as with each step on its own, and the same response", async () => {
  /** The O.x calls made while Query.slow is pending, and the response once it settled. */
  const observe = async (generatedCode: boolean) => {
    let release: (value: unknown) => void = () => undefined;
    const slow = new Promise((resolve) => (release = resolve));
    const called: string[] = [];
    const schema = schemaWith("type Query { wrap: W } type W { slow: Int slowObject: O sync: O soon: O } type O { x: Int }", {
      Query: { wrap: () => ({}) },
      W: { slow: () => slow, slowObject: () => slow.then(() => ({})), sync: () => ({ name: "sync" }), soon: () => Promise.resolve({ name: "soon" }) },
      O: { x: (o: { name?: string }) => (called.push(o.name ?? "slowObject"), 1) },
    });
    if (!generatedCode) schema.extensions = { ...schema.extensions, graphscale: { compileOutput: false } };
    const groups = resolverGroupsCompiled();
    const pending = execute({ schema, document: parse("{ wrap { slow slowObject { x } sync { x } soon { x } } }") }) as Promise<unknown>;
    // Let every promise that can settle settle: only `slow` (and what waits for it) is left.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    const whilePending = called.slice();
    release(3);
    const result = JSON.stringify(await pending);
    return { whilePending, result, called, grouped: resolverGroupsCompiled() - groups };
  };
  const grouped = await observe(true);
  const alone = await observe(false);
  assert.ok(grouped.grouped > 0);
  assert.is(alone.grouped, 0);
  assert.equal(grouped.whilePending, alone.whilePending);
  assert.is(grouped.result, alone.result);
  assert.equal(grouped.called.sort(), ["slowObject", "soon", "sync"]);
});

test("resolver groups: with generated code off, the same responses through the steps' own loops and no function", async () => {
  const schema = schemaWith(SDL, {
    Query: { items: () => [{ n: 1 }, { n: 2 }] },
    Item: { a: (s: { n: number }) => Promise.resolve(s.n), b: (s: { n: number }) => `b${s.n}`, c: () => null, d: () => [1] },
  });
  schema.extensions = { ...schema.extensions, graphscale: { compileOutput: false } };
  const document = parse("{ items { a b c d } }");
  const expected = await graphqlExecute({ schema, document });
  const groups = resolverGroupsCompiled();
  const steps = resolverCallsCompiled();
  assert.is(JSON.stringify(await execute({ schema, document })), JSON.stringify(expected));
  assert.is(resolverGroupsCompiled() - groups, 0);
  assert.is(resolverCallsCompiled() - steps, 0);
});

/** The microtask turns after `execute` starts at which each O.x call is made (a count of turns, never a time). */
async function turnsOfCalls(schemaOf: (turn: () => number) => GraphQLSchema, source: string, compileOutput?: boolean): Promise<{ result: string; turns: number[] }> {
  let turns = 0;
  let ticking = true;
  const tick = (): void => {
    turns++;
    if (ticking) queueMicrotask(tick);
  };
  const schema = schemaOf(() => turns);
  if (compileOutput === false) schema.extensions = { ...schema.extensions, graphscale: { compileOutput: false } };
  const calls: number[] = [];
  (schema.getType("O") as GraphQLObjectType).getFields()["x"]!.resolve = () => (calls.push(turns), 1);
  queueMicrotask(tick);
  const result = JSON.stringify(await execute({ schema, document: parse(source) }));
  ticking = false;
  return { result, turns: calls };
}

test("resolver groups: an object field's promise is awaited by the group as it is, its layer opening one turn sooner than a settled copy allows (SettleGroupPromise)", async () => {
  const sdl = "type Query { wrap: W } type W { o: O n: Int } type O { x: Int }";
  const schemaOf = (): GraphQLSchema => schemaWith(sdl, { Query: { wrap: () => ({}) }, W: { o: () => Promise.resolve({}), n: () => 1 } });
  const source = "{ wrap { o { x } n } }";
  const grouped = await turnsOfCalls(schemaOf, source);
  const alone = await turnsOfCalls(schemaOf, source, false);
  assert.is(grouped.result, JSON.stringify({ data: { wrap: { o: { x: 1 }, n: 1 } } }));
  assert.is(alone.result, grouped.result);
  // The step on its own settles the promise into one of its own (SettleResolvedValue) and then awaits that.
  assert.is(grouped.turns.length, 1);
  // The resolver's promise had settled when returned: the group's wait reads it in the first turn, and the
  // layer below runs there (a settled copy would take one turn more).
  assert.is(grouped.turns[0], 1);
  assert.ok(grouped.turns[0]! < alone.turns[0]!, `grouped at turn ${grouped.turns[0]}, alone at ${alone.turns[0]}`);
});

test("resolver groups: an object field's promise resolving to an Error (or rejecting) fails the entry: no call below it, graphql-js's errors", async () => {
  const sdl = "type Query { items: [W] } type W { o: O p: O! n: Int } type O { x: Int }";
  const below: number[] = [];
  const schema = schemaWith(sdl, {
    Query: { items: () => [{ k: 1 }, { k: 2 }, { k: 3 }] },
    W: {
      o: (w: { k: number }) => Promise.resolve(w.k === 2 ? new Error(`o${w.k} resolved an Error`) : { k: w.k }),
      p: (w: { k: number }) => (w.k === 3 ? Promise.reject(new Error("p3 rejected")) : Promise.resolve({ k: w.k })),
      n: (w: { k: number }) => w.k,
    },
    O: { x: (o: { k: number }) => (below.push(o.k), o.k) },
  });
  const document = parse("{ items { o { x } p { x } n } }");
  const expected = await graphqlExecute({ schema, document });
  assert.is((expected.errors ?? []).length, 2);
  const expectedBelow = below.splice(0).sort();
  for (const compileOutput of [true, false]) {
    assert.is(JSON.stringify(await execute({ schema, document, compileOutput })), JSON.stringify(expected));
    assert.equal(below.splice(0).sort(), expectedBelow);
  }
});

test("resolver groups: a wait is a callback pair per promise, no Promise.all; promises settling in reverse order store what graphql-js returns", async () => {
  // Each entry's promises settle in the reverse of their order, the last one on a later turn than the rest:
  // the wait stores its steps when its last promise settled, whichever that is.
  const returned = new WeakSet<object>();
  const later = <T>(value: T, turns: number): Promise<T> => {
    const promise = new Promise<T>((resolve) => {
      const step = (left: number): void => void (left === 0 ? resolve(value) : setImmediate(() => step(left - 1)));
      step(turns);
    });
    returned.add(promise);
    return promise;
  };
  const schema = schemaWith(SDL, {
    Query: { items: () => [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] },
    Item: {
      a: (s: { n: number }) => later(s.n, 5 - s.n),
      b: (s: { n: number }) => later(`b${s.n}`, 9 - s.n),
      c: (s: { n: number }) => (s.n === 2 ? later(null, 1) : later(s.n * 10, 2)),
    },
  });
  const document = parse("{ items { a b c } }");
  const expected = await graphqlExecute({ schema, document });
  const all = Promise.all;
  // Promise.all calls given a promise a resolver returned (the output's own waits are given none).
  let allCalls = 0;
  Promise.all = function (this: PromiseConstructor, values: Iterable<unknown>) {
    const list = [...values];
    if (list.some((v) => typeof v === "object" && v !== null && returned.has(v))) allCalls++;
    return all.call(this, list);
  } as typeof Promise.all;
  let actual: unknown;
  try {
    actual = await execute({ schema, document });
  } finally {
    Promise.all = all;
  }
  assert.is(JSON.stringify(actual), JSON.stringify(expected));
  // The item layer's group holds twelve promises of three leaf fields in one wait: none through Promise.all.
  assert.is(allCalls, 0);
});

test("resolver groups: a promise whose own `then` calls back at once is stored as graphql-js stores it, its wait still complete", async () => {
  // A native promise with an own `then` answering synchronously: the wait must not end while it is being filled.
  const atOnce = <T>(value: T): Promise<T> => {
    const promise = Promise.resolve(value);
    Object.defineProperty(promise, "then", { value: (onFulfilled?: (v: T) => unknown) => Promise.resolve(typeof onFulfilled === "function" ? onFulfilled(value) : value) });
    return promise;
  };
  const schema = schemaWith(SDL, {
    Query: { items: () => [{ n: 1 }, { n: 2 }, { n: 3 }] },
    Item: { a: (s: { n: number }) => atOnce(s.n), b: (s: { n: number }) => Promise.resolve(`b${s.n}`), c: (s: { n: number }) => atOnce(s.n * 10) },
  });
  const document = parse("{ items { a b c } }");
  const expected = await graphqlExecute({ schema, document });
  assert.is(JSON.stringify(await execute({ schema, document })), JSON.stringify(expected));
  // Every promise of the group calling back at once: the wait is stored as the group's calls are settled.
  const sync = schemaWith(SDL, { Query: { items: () => [{ n: 1 }, { n: 2 }] }, Item: { a: (s: { n: number }) => atOnce(s.n), c: (s: { n: number }) => atOnce(-s.n) } });
  const both = parse("{ items { a c } }");
  assert.is(JSON.stringify(await execute({ schema: sync, document: both })), JSON.stringify(await graphqlExecute({ schema: sync, document: both })));
});

test("resolver groups: concurrent requests of one plan, each with a group run waiting, each get their own results", async () => {
  const sdl = "type Query { wrap(k: Int): W } type W { o: O n: Int } type O { x: Int }";
  const schema = schemaWith(sdl, {
    Query: { wrap: (_: unknown, args: { k: number }) => ({ k: args.k }) },
    W: { o: (w: { k: number }) => new Promise((resolve) => setImmediate(() => resolve({ k: w.k * 10 }))), n: (w: { k: number }) => Promise.resolve(w.k) },
    O: { x: (o: { k: number }) => o.k },
  });
  const document = parse("query ($k: Int) { wrap(k: $k) { o { x } n } }");
  const runs = [1, 2, 3, 4].map((k) => execute({ schema, document, variableValues: { k } }) as Promise<unknown>);
  const results = await Promise.all(runs);
  assert.equal(results.map((r) => JSON.stringify(r)), [1, 2, 3, 4].map((k) => JSON.stringify({ data: { wrap: { o: { x: k * 10 }, n: k } } })));
});

test.run();
