// Bad input from schema authors — a resolver throwing a non-Error, resolveType naming an unknown type, a
// plan resolver returning something that is not a step, a custom step answering with the wrong number of
// results — must each give a clear error at the field's path: never a crash, never a hung request.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLInterfaceType, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from "graphql";
import { execute as graphqlJsExecute, graphql as graphqlJs } from "graphql";
import { FlaggedValue, createBatchedExecute, execute as graphscaleExecute, graphql as graphscaleGraphql, makeSchema, Step, fail, type ExecutionDetails } from "../../src/index.js";
import { constant, each, lambda } from "../../steps/index.js";
import { GRAPHQL_MAJOR, compare, runGraphscale } from "./harness.js";

function errorsOf(result: ExecutionResult): Array<{ message: string; path: ReadonlyArray<string | number> | undefined }> {
  return (result.errors ?? []).map((e) => ({ message: e.message, path: e.path }));
}

async function run(schema: GraphQLSchema, query: string): Promise<ExecutionResult> {
  return await runGraphscale({ schema, document: parse(query) });
}

// ---- Resolver emulation: the same answer as graphql-js, at the field's path ----------------------------

const thingInterface = new GraphQLInterfaceType({
  name: "Thing",
  fields: { name: { type: GraphQLString } },
  resolveType: (value: { kind: string }) => value.kind,
});
const widgetType = new GraphQLObjectType({ name: "Widget", interfaces: [thingInterface], fields: { name: { type: GraphQLString } } });
const resolverSchema = new GraphQLSchema({
  types: [widgetType],
  query: new GraphQLObjectType({
    name: "Query",
    fields: {
      ok: { type: GraphQLString, resolve: () => "fine" },
      throwsString: {
        type: GraphQLString,
        resolve: () => {
          throw "boom";
        },
      },
      things: { type: new GraphQLList(thingInterface), resolve: () => [{ kind: "Widget", name: "w" }, { kind: "Gizmo", name: "g" }] },
    },
  }),
});

test("a resolver throwing a string: graphql-js's error at the field's path, siblings unaffected", async () => {
  const { actual } = await compare(resolverSchema, `{ ok throwsString }`);
  assert.equal(actual.data, Object.assign(Object.create(null), { ok: "fine", throwsString: null }));
  assert.equal(errorsOf(actual), [{ message: 'Unexpected error value: "boom"', path: ["throwsString"] }]);
});

test("resolveType naming an unknown type: an error at that list item, the other items complete", async () => {
  const { actual } = await compare(resolverSchema, `{ things { name } }`);
  assert.equal(JSON.parse(JSON.stringify(actual.data)), { things: [{ name: "w" }, null] });
  assert.equal(errorsOf(actual), [
    { message: 'Abstract type "Thing" was resolved to a type "Gizmo" that does not exist inside the schema.', path: ["things", 1] },
  ]);
});

// ---- Plans: bad plan resolvers and bad custom steps ----------------------------------------------------

/** Answers one result fewer than asked: a broken custom step. */
class ShortStep extends Step<number> {
  constructor($value: Step) {
    super();
    this.addDependency($value);
  }
  execute({ count, values: [items] }: ExecutionDetails<[readonly number[]]>): readonly number[] {
    const out: number[] = [];
    for (let i = 0; i < count - 1; i++) out.push(items[i]! * 10);
    return out;
  }
}

/** Answers something that is not a list at all. */
class NotAListStep extends Step<number> {
  constructor($value: Step) {
    super();
    this.addDependency($value);
  }
  execute(): never {
    return { 0: 1 } as never;
  }
}

/** Throws from execute. */
class ThrowingStep extends Step<number> {
  constructor($value: Step) {
    super();
    this.addDependency($value);
  }
  execute(): never {
    throw new Error("the step broke");
  }
}

/** Rejects, asynchronously. */
class RejectingStep extends Step<number> {
  override isAsync = true;
  constructor($value: Step) {
    super();
    this.addDependency($value);
  }
  execute(): Promise<never> {
    return Promise.reject(new Error("the step rejected"));
  }
}

/** Answers each entry with a promise; the second one rejects with something that is not an Error. */
class PromisePerEntryStep extends Step<number> {
  override isAsync = true;
  constructor($value: Step) {
    super();
    this.addDependency($value);
  }
  execute({ count, values: [items] }: ExecutionDetails<[readonly number[]]>): Array<Promise<number>> {
    const out = new Array<Promise<number>>(count);
    for (let i = 0; i < count; i++) out[i] = items[i] === 2 ? Promise.reject("not an Error") : Promise.resolve(items[i]! * 100);
    return out;
  }
}

/** Fails one entry with a marker and answers the others. */
class PickyStep extends Step<number> {
  constructor($value: Step) {
    super();
    this.addDependency($value);
  }
  execute({ count, values: [items] }: ExecutionDetails<[readonly number[]]>): Array<number | FlaggedValue> {
    const out = new Array<number | FlaggedValue>(count);
    for (let i = 0; i < count; i++) out[i] = items[i] === 2 ? fail(new Error("two is not allowed")) : items[i]!;
    return out;
  }
}

const planSchema = makeSchema({
  typeDefs: /* GraphQL */ `
    type Query {
      ok: String
      nonStep: String
      nonStepStrict: String!
      throwingPlan: String
      items: [Item!]!
      mapped: [Int]
      shape: Shape
    }
    type Item {
      value: Int
      short: Int
      notAList: Int
      throwing: Int
      rejecting: Int
      picky: Int
      perEntry: Int
      strictShort: Int!
    }
    interface Shape { sides: Int }
    type Square implements Shape { sides: Int }
  `,
  plans: {
    Query: {
      ok: () => constant("fine"),
      nonStep: () => 42 as unknown as Step,
      nonStepStrict: () => undefined as unknown as Step,
      throwingPlan: () => {
        throw new Error("the plan resolver threw");
      },
      items: () => constant([1, 2, 3]),
      mapped: () => each(constant([1, 2]), () => "not a step" as unknown as Step),
      shape: () => constant({ sides: 4 }),
    },
    Item: {
      value: ($item) => lambda($item, (n: number) => n),
      short: ($item) => new ShortStep($item),
      notAList: ($item) => new NotAListStep($item),
      throwing: ($item) => new ThrowingStep($item),
      rejecting: ($item) => new RejectingStep($item),
      picky: ($item) => new PickyStep($item),
      perEntry: ($item) => new PromisePerEntryStep($item),
      strictShort: ($item) => new ShortStep($item),
    },
    Shape: { __planType: () => ({ not: "a step" }) as unknown as Step },
  },
});

test("a plan resolver returning a non-step: an error naming the field at its path", async () => {
  const result = await run(planSchema, `{ ok nonStep }`);
  assert.equal(JSON.parse(JSON.stringify(result.data)), { ok: "fine", nonStep: null });
  assert.equal(errorsOf(result), [
    { message: "The plan resolver of Query.nonStep returned 42; a plan resolver must return a step.", path: ["nonStep"] },
  ]);
});

test("a plan resolver returning undefined for a non-null field nulls data with one error", async () => {
  const result = await run(planSchema, `{ ok nonStepStrict }`);
  assert.is(result.data, null);
  assert.equal(errorsOf(result), [
    { message: "The plan resolver of Query.nonStepStrict returned undefined; a plan resolver must return a step.", path: ["nonStepStrict"] },
  ]);
});

test("a plan resolver throwing: its error at the field's path", async () => {
  const result = await run(planSchema, `{ throwingPlan ok }`);
  assert.equal(errorsOf(result), [{ message: "the plan resolver threw", path: ["throwingPlan"] }]);
});

test("each() with a callback returning a non-step: an error for each item", async () => {
  const result = await run(planSchema, `{ mapped }`);
  assert.equal(JSON.parse(JSON.stringify(result.data)), { mapped: [null, null] });
  assert.equal(
    errorsOf(result).map((e) => e.path),
    [
      ["mapped", 0],
      ["mapped", 1],
    ],
  );
  assert.match(result.errors![0]!.message, /each\(\) callback of Query\.mapped returned "not a step"; it must return a step/);
});

test("planType returning a non-step: an error at the abstract field", async () => {
  const result = await run(planSchema, `{ shape { sides } }`);
  assert.equal(JSON.parse(JSON.stringify(result.data)), { shape: null });
  assert.equal(errorsOf(result), [{ message: 'planType of Shape returned { not: "a step" }; it must return a step.', path: ["shape"] }]);
});

test("a custom step returning a list of the wrong length: an error at every entry's path, naming the step", async () => {
  const result = await run(planSchema, `{ items { value short } }`);
  assert.equal(JSON.parse(JSON.stringify(result.data)), {
    items: [
      { value: 1, short: null },
      { value: 2, short: null },
      { value: 3, short: null },
    ],
  });
  const errors = errorsOf(result);
  assert.equal(
    errors.map((e) => e.path),
    [
      ["items", 0, "short"],
      ["items", 1, "short"],
      ["items", 2, "short"],
    ],
  );
  assert.match(errors[0]!.message, /^graphscale: Short\[\d+\] returned a list of 2 results for a batch of 3 entries; execute must return exactly one result per entry\.$/);
});

test("a wrong-length step at a non-null field bubbles to the nearest nullable position", async () => {
  const result = await run(planSchema, `{ ok items { strictShort } }`);
  assert.is(result.data, null);
  assert.is(result.errors!.length, 1);
  assert.equal(result.errors![0]!.path, ["items", 0, "strictShort"]);
});

test("a custom step returning a non-list, throwing, or rejecting: errors at each entry, other fields intact", async () => {
  const result = await run(planSchema, `{ items { value notAList throwing rejecting } }`);
  assert.equal(JSON.parse(JSON.stringify(result.data)).items[2], { value: 3, notAList: null, throwing: null, rejecting: null });
  const errors = errorsOf(result);
  assert.is(errors.length, 9);
  assert.match(errors[0]!.message, /^graphscale: NotAList\[\d+\] returned object for a batch of 3 entries/);
  assert.equal(errors[1], { message: "the step broke", path: ["items", 0, "throwing"] });
  assert.equal(errors[2], { message: "the step rejected", path: ["items", 0, "rejecting"] });
});

test("a step failing one entry with fail(): only that entry's field is an error", async () => {
  const result = await run(planSchema, `{ items { picky } }`);
  assert.equal(JSON.parse(JSON.stringify(result.data)), { items: [{ picky: 1 }, { picky: null }, { picky: 3 }] });
  assert.equal(errorsOf(result), [{ message: "two is not allowed", path: ["items", 1, "picky"] }]);
});

test("a step's per-entry promise rejecting with a non-Error: an error at that entry only", async () => {
  const result = await run(planSchema, `{ items { perEntry } }`);
  assert.equal(JSON.parse(JSON.stringify(result.data)), { items: [{ perEntry: 100 }, { perEntry: null }, { perEntry: 300 }] });
  assert.equal(errorsOf(result), [{ message: 'Unexpected error value: "not an Error"', path: ["items", 1, "perEntry"] }]);
});

// ---- Bad arguments to the entry points: what graphql-js does with them ----------------------------------

test("graphql() with a source that is not text: the parser's error as the result, as graphql-js returns it", async () => {
  for (const source of [undefined, null, 5, {}]) {
    const expected = await graphqlJs({ schema: resolverSchema, source: source as never });
    const actual = await graphscaleGraphql({ schema: resolverSchema, source: source as never });
    assert.equal(errorsOf(actual), errorsOf(expected), `source ${String(source)}`);
    // graphql 16 checks the source (its own message); 17 does not, and fails at the first read of it.
    assert.match(actual.errors![0]!.message, GRAPHQL_MAJOR === 16 ? /^Body must be a string\. Received: / : /^(Cannot read properties of|source\.body\.\w+ is not a function)/);
  }
});

test("execute() without a schema or a document: graphql-js's own assertion, thrown (the batching executor rejects with it)", async () => {
  const document = parse(`{ ok }`);
  const thrown = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      return (error as Error).message;
    }
    return "nothing thrown";
  };
  for (const args of [{ schema: undefined, document }, { schema: null, document }, { schema: resolverSchema, document: undefined }]) {
    const expected = thrown(() => graphqlJsExecute(args as never));
    assert.is(thrown(() => graphscaleExecute(args as never)), expected);
    const rejected = await createBatchedExecute({ schema: resolverSchema, windowMs: 0 })(args as never).then(
      () => "nothing rejected",
      (error: Error) => error.message,
    );
    assert.is(rejected, expected);
  }
  // 16 asserts its arguments itself; 17 fails at its first read of the missing schema (graphqlAdapter).
  const missingSchema = GRAPHQL_MAJOR === 16 ? "Expected undefined to be a GraphQL schema." : "Cannot read properties of undefined (reading 'getDirective')";
  assert.is(thrown(() => graphscaleExecute({ schema: undefined, document } as never)), missingSchema);
});

test.run();
