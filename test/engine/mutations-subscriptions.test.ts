import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, parse, subscribe as graphqlJsSubscribe, execute as graphqlJsExecute } from "graphql";
import { execute, getPlanCacheStats, makeSchema, subscribe } from "../../src/index.js";
import { constant, context, lambda, loadOne, sideEffect } from "../../steps/index.js";

interface Bank {
  balance: number;
  log: string[];
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const bankSchema = makeSchema({
  typeDefs: /* GraphQL */ `
    type Query { balance: Int }
    type Mutation { deposit(amount: Int!): Int! withdraw(amount: Int!): Int! }
  `,
  plans: {
    Query: { balance: () => context<Bank>().get("balance") },
    Mutation: {
      // The write awaits a timer before changing the balance: a later field must still see it.
      deposit: (_$root, args) =>
        sideEffect(lambda([context(), args.get("amount")], (x: [Bank, number]) => x), async ([bank, amount]: [Bank, number]) => {
          await sleep(5);
          bank.log.push(`deposit ${amount}`);
          return (bank.balance += amount);
        }),
      withdraw: (_$root, args) =>
        sideEffect(lambda([context(), args.get("amount")], (x: [Bank, number]) => x), ([bank, amount]: [Bank, number]) => {
          bank.log.push(`withdraw ${amount}`);
          return (bank.balance -= amount);
        }),
    },
  },
});

type ExecutionResultLike = { errors?: readonly { message: string }[] };

test("mutation fields run one after another, each seeing the previous one's writes", async () => {
  const bank: Bank = { balance: 10, log: [] };
  const result = await execute({
    schema: bankSchema,
    document: parse(`mutation { a: deposit(amount: 5) b: withdraw(amount: 3) c: deposit(amount: 100) d: withdraw(amount: 1) }`),
    contextValue: bank,
  });
  assert.equal(JSON.parse(JSON.stringify(result)), { data: { a: 15, b: 12, c: 112, d: 111 } });
  assert.equal(bank.log, ["deposit 5", "withdraw 3", "deposit 100", "withdraw 1"]);
});

test("a read in a later mutation field observes the earlier field's write (globals stay in their field's layer)", async () => {
  let reads = 0;
  const schema = makeSchema({
    typeDefs: `type Query { x: Int } type Mutation { set(v: Int!): Int! get: Int! }`,
    plans: {
      Mutation: {
        set: (_$r, args) => sideEffect(lambda([context(), args.get("v")], (x: [{ v: number }, number]) => x), async ([store, v]: [{ v: number }, number]) => {
          await sleep(2);
          return (store.v = v);
        }),
        get: () => loadOne(constant("v"), (keys: readonly string[], store: { v: number }) => (reads++, keys.map((k) => (store as any)[k])), context()),
      },
    },
  });
  const result = await execute({ schema, document: parse(`mutation { set(v: 42) get }`), contextValue: { v: 0 } });
  assert.equal(JSON.parse(JSON.stringify(result)), { data: { set: 42, get: 42 } });
  assert.is(reads, 1);
});

// A graphql-js subscription schema: graphscale must give the same stream of results.
const eventsSchema = buildSchema(`type Query { x: Int } type Subscription { tick(upTo: Int!): Tick } type Tick { n: Int! double: Int! label: String }`);
(eventsSchema.getSubscriptionType()!.getFields().tick as any).subscribe = async function* (_root: unknown, { upTo }: { upTo: number }) {
  for (let n = 1; n <= upTo; n++) yield { tick: { n, double: () => n * 2, label: n === 2 ? null : `#${n}` } };
};

async function collect(iterable: unknown): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of iterable as AsyncIterable<unknown>) out.push(JSON.parse(JSON.stringify(r)));
  return out;
}

test("subscribe: a graphql-js subscribe resolver gives the same events as graphql-js", async () => {
  const document = parse(`subscription { tick(upTo: 3) { n double label } }`);
  const expected = await collect(await graphqlJsSubscribe({ schema: eventsSchema, document }));
  const actual = await collect(await subscribe({ schema: eventsSchema, document }));
  assert.is(actual.length, 3);
  assert.equal(actual, expected);
});

test("subscribe: a source that is not an async iterable rejects as in graphql-js; a throwing one is { errors }", async () => {
  const schema = buildSchema(`type Query { x: Int } type Subscription { bad: Int throws: Int }`);
  (schema.getSubscriptionType()!.getFields().bad as any).subscribe = () => 42;
  (schema.getSubscriptionType()!.getFields().throws as any).subscribe = () => {
    throw new Error("no stream today");
  };
  const bad = parse(`subscription { bad }`);
  // graphql 16 rejects; graphql 17 answers { errors } (and may answer without a promise).
  const message = (p: unknown) =>
    Promise.resolve(p).then((r) => ((r as ExecutionResultLike).errors ? `errors: ${(r as ExecutionResultLike).errors![0]!.message}` : "resolved"), (e: Error) => e.message);
  const expected = await message(graphqlJsSubscribe({ schema, document: bad }));
  assert.match(expected, /Subscription field must return Async Iterable\. Received: 42\.$/);
  assert.is(await message(subscribe({ schema, document: bad })), expected);
  const throws = parse(`subscription { throws }`);
  assert.equal(
    JSON.parse(JSON.stringify(await subscribe({ schema, document: throws }))),
    JSON.parse(JSON.stringify(await graphqlJsSubscribe({ schema, document: throws }))),
  );
});

test("subscribe: subscribePlan yields the stream and each event runs the cached plan", async () => {
  let sourceCalls = 0;
  const schema = makeSchema({
    typeDefs: `type Query { x: Int } type Subscription { price(symbol: String!): Price } type Price { symbol: String! cents: Int! }`,
    plans: {
      Subscription: {
        price: {
          subscribePlan: (_$root, args) =>
            lambda(args.get("symbol"), (symbol: string) => {
              sourceCalls++;
              return (async function* () {
                for (const cents of [100, 105, 99]) yield { symbol, cents };
              })();
            }),
          plan: ($event) => $event,
        },
      },
    },
  });
  const text = `subscription { price(symbol: "GS") { symbol cents } }`;
  const results = await collect(await subscribe({ schema, document: parse(text) }));
  assert.equal(results, [
    { data: { price: { symbol: "GS", cents: 100 } } },
    { data: { price: { symbol: "GS", cents: 105 } } },
    { data: { price: { symbol: "GS", cents: 99 } } },
  ]);
  assert.is(sourceCalls, 1);
  // One plan for the subscription, looked up once when it started; the 3 events ran it without planning.
  assert.equal(planCounts(getPlanCacheStats(schema)), { plansBuilt: 1, hits: 0 });
  // A second subscription to the same text takes that plan from the cache.
  const again = await collect(await subscribe({ schema, document: parse(text) }));
  assert.is(again.length, 3);
  assert.is(sourceCalls, 2);
  assert.equal(planCounts(getPlanCacheStats(schema)), { plansBuilt: 1, hits: 1 });
});

test("query on the bank schema still matches graphql-js", async () => {
  const schema = buildSchema(`type Query { balance: Int }`);
  const document = parse(`{ balance }`);
  assert.equal(
    JSON.parse(JSON.stringify(await execute({ schema, document, rootValue: { balance: 3 } }))),
    JSON.parse(JSON.stringify(await graphqlJsExecute({ schema, document, rootValue: { balance: 3 } }))),
  );
});

test.run();

/** The plan cache counts a test compares (planning work is checked in test/engine/limits.test.ts). */
function planCounts(stats: { plansBuilt: number; hits: number }): { plansBuilt: number; hits: number } {
  return { plansBuilt: stats.plansBuilt, hits: stats.hits };
}
