// Subscriptions give clients errors as execute does: internal errors masked in every event's result and in the
// source stream's error result, and the root field chosen as graphql-js's subscribe chooses it.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, parse, subscribe as graphqlJsSubscribe, versionInfo, type ExecutionResult } from "graphql";
import { INTERNAL_ERROR, makeSchema, Step, subscribe, type InternalErrorReport } from "../../src/index.js";
import { constant, lambda } from "../../steps/index.js";

const SECRET = "shard 2 (db2.internal:3306/app_2) readObjects: ECONNREFUSED";
const internal = (): Error => Object.assign(new Error(SECRET), { [INTERNAL_ERROR]: true });
const MASKED = /^Internal error \(id [0-9a-f]{12}\)$/;

async function* events(n: number): AsyncGenerator<{ n: number }> {
  for (let i = 1; i <= n; i++) yield { n: i };
}

async function collect(iterable: unknown): Promise<ExecutionResult[]> {
  const out: ExecutionResult[] = [];
  for await (const r of iterable as AsyncIterable<ExecutionResult>) out.push(r);
  return out;
}

const resolverSchema = makeSchema({
  typeDefs: `type Query { v: Int } type Subscription { ev: Int plain: Int noStream: Int }`,
  resolvers: {
    Subscription: {
      ev: { subscribe: () => events(2), resolve: (e: { n: number }) => (e.n === 2 ? internal() : e.n) },
      plain: { subscribe: () => events(1), resolve: () => new Error("no such widget") },
      noStream: {
        subscribe: () => {
          throw internal();
        },
      },
    },
  },
});

test("subscribe: an event's internal error is masked, with the id the hook receives; others keep their message", async () => {
  const reports: InternalErrorReport[] = [];
  const results = await collect(await subscribe({ schema: resolverSchema, document: parse(`subscription { ev }`), onInternalError: (r) => reports.push(r) }));
  assert.is(results.length, 2);
  assert.equal(JSON.parse(JSON.stringify(results[0])), { data: { ev: 1 } });
  const error = results[1]!.errors![0]!;
  assert.match(error.message, MASKED);
  assert.equal(error.path, ["ev"]);
  assert.equal(error.locations, [{ line: 1, column: 16 }]);
  assert.equal({ ...results[1]!.data }, { ev: null });
  assert.is(reports.length, 1);
  assert.is(reports[0]!.id, error.extensions.errorId);
  assert.is((reports[0]!.error as Error).message, SECRET);
  const plain = await collect(await subscribe({ schema: resolverSchema, document: parse(`subscription { plain }`) }));
  assert.is(plain[0]!.errors![0]!.message, "no such widget");
});

test("subscribe: exposeInternalErrors gives an event's internal error as raised", async () => {
  const results = await collect(await subscribe({ schema: resolverSchema, document: parse(`subscription { ev }`), exposeInternalErrors: true }));
  assert.is(results[1]!.errors![0]!.message, SECRET);
});

test("subscribe: a source stream's internal error is masked (resolver and subscribePlan)", async () => {
  const reports: InternalErrorReport[] = [];
  const onInternalError = (r: InternalErrorReport) => reports.push(r);
  const result = (await subscribe({ schema: resolverSchema, document: parse(`subscription { noStream }`), onInternalError })) as ExecutionResult;
  assert.is(result.errors!.length, 1);
  assert.match(result.errors![0]!.message, MASKED);
  assert.equal(result.errors![0]!.path, ["noStream"]);
  assert.is(result.data, undefined);

  const planned = makeSchema({
    typeDefs: `type Query { v: Int } type Subscription { ev: Int }`,
    plans: {
      Subscription: {
        ev: {
          subscribePlan: () =>
            lambda(constant(1), () => {
              throw internal();
            }),
          plan: ($event) => $event,
        },
      },
    },
  });
  const fromPlan = (await subscribe({ schema: planned, document: parse(`subscription { ev }`), onInternalError })) as ExecutionResult;
  assert.match(fromPlan.errors![0]!.message, MASKED);
  assert.equal(fromPlan.errors![0]!.path, ["ev"]);
  assert.is(reports.length, 2);
  assert.ok(reports.every((r) => (r.error as Error).message === SECRET));
});

/** A step whose results cannot be read: the engine's run of the event fails, not one field. */
class Unreadable extends Step<number> {
  async execute(): Promise<number[]> {
    const list: number[] = [0];
    Object.defineProperty(list, 0, { get: () => { throw internal(); } });
    return list;
  }
}

test("subscribe: an event whose run fails inside gives a masked error result, not a rejected next()", async () => {
  const schema = makeSchema({
    typeDefs: `type Query { v: Int } type Subscription { ev: Int }`,
    plans: {
      Subscription: {
        ev: { subscribePlan: () => lambda(constant(1), () => events(1)), plan: () => new Unreadable() },
      },
    },
  });
  const reports: InternalErrorReport[] = [];
  const results = await collect(await subscribe({ schema, document: parse(`subscription { ev }`), onInternalError: (r) => reports.push(r) }));
  assert.is(results.length, 1);
  assert.is(results[0]!.data, null);
  assert.is(results[0]!.errors!.length, 1);
  assert.match(results[0]!.errors![0]!.message, MASKED);
  assert.is(reports.length, 1);
});

// Input that skipped validation: graphql-js takes the schema's subscription type and its getFieldDef.
const jsSchema = buildSchema(`type Query { q: String } type Subscription { tick: Int }`);
(jsSchema.getSubscriptionType()!.getFields().tick as { subscribe?: unknown }).subscribe = () => events(1);
const noSubscriptions = buildSchema(`type Query { q: String }`);

async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  try {
    const r = await run();
    return JSON.parse(JSON.stringify(r && typeof r === "object" && Symbol.asyncIterator in r ? await collect(r) : r));
  } catch (error) {
    return `rejects: ${(error as Error).message}`;
  }
}

for (const [label, schema, text] of [
  ["a query operation", jsSchema, `query { q }`],
  ["a query operation selecting a subscription field", jsSchema, `query { tick }`],
  ["subscription { __typename }", jsSchema, `subscription { __typename }`],
  ["a query operation on a schema without subscriptions", noSubscriptions, `query { q }`],
] as const) {
  test(`subscribe: ${label} gives graphql-js's outcome`, async () => {
    const document = parse(text);
    const expected = await outcome(() => graphqlJsSubscribe({ schema, document }) as Promise<unknown>);
    const actual = await outcome(() => subscribe({ schema, document }));
    assert.equal(actual, expected);
  });
}

test(`subscribe: the graphql-js ${versionInfo.major} outcomes above are the ones expected`, async () => {
  const run = (schema: typeof jsSchema, text: string) => outcome(() => subscribe({ schema, document: parse(text) }));
  if (versionInfo.major >= 17) {
    // graphql 17 refuses an operation that is not a subscription, and answers a source that is no stream with a field error.
    assert.equal(await run(jsSchema, `query { q }`), "rejects: Expected subscription operation.");
    assert.equal(await run(jsSchema, `subscription { __typename }`), {
      errors: [{ message: "Subscription field must return Async Iterable. Received: undefined.", locations: [{ line: 1, column: 16 }], path: ["__typename"] }],
    });
    assert.equal(await run(noSubscriptions, `query { q }`), "rejects: Expected subscription operation.");
    return;
  }
  assert.equal(await run(jsSchema, `query { q }`), {
    errors: [{ message: 'The subscription field "q" is not defined.', locations: [{ line: 1, column: 9 }] }],
  });
  assert.equal(await run(jsSchema, `subscription { __typename }`), "rejects: Subscription field must return Async Iterable. Received: undefined.");
  assert.equal(await run(noSubscriptions, `query { q }`), {
    errors: [{ message: "Schema is not configured to execute subscription operation.", locations: [{ line: 1, column: 1 }] }],
  });
});

test.run();
