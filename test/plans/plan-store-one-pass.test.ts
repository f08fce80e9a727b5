// With a plan store, a request is prepared in one pass (spec/plan-cache.md, PrepareRequest): its variables
// are coerced once — before the plan store tier is asked, not again after it — on a plan-cache miss that
// reads the store, on one that plans and writes it, and on a hit. Counted by a custom scalar's parseValue,
// which graphql-js's coercion calls once per variable value; results and store calls are asserted beside it.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, executeToJSON, getPlanCacheStats, makeSchema } from "../../src/index.js";

function schemaWithStore(stored: Map<string, string>) {
  const counts = { parseValue: 0, gets: 0, sets: 0 };
  const schema = makeSchema({
    typeDefs: "scalar Shout type Query { echo(text: Shout!): String }",
    resolvers: {
      Shout: {
        serialize: (value: unknown) => value,
        parseValue: (value: unknown) => {
          counts.parseValue++;
          return String(value).toUpperCase();
        },
      },
      Query: { echo: (_root: unknown, args: { text: string }) => args.text },
    },
    planStore: {
      get: async (key: string) => {
        counts.gets++;
        return stored.get(key);
      },
      set: (key: string, value: string) => {
        counts.sets++;
        stored.set(key, value);
      },
    },
  });
  return { schema, counts };
}

const source = "query Echo($text: Shout!) { echo(text: $text) }";

test("plan store: a miss that plans and writes the store coerces the request's variables once", async () => {
  const { schema, counts } = schemaWithStore(new Map());
  const result = await execute({ schema, document: parse(source), variableValues: { text: "hi" } });
  assert.equal(result, { data: { echo: "HI" } });
  assert.is(counts.parseValue, 1);
  assert.equal([counts.gets, counts.sets], [1, 1]);
  assert.is(getPlanCacheStats(schema).plansBuilt, 1);
});

test("plan store: a miss served by the stored plan coerces the request's variables once, and plans nothing", async () => {
  const stored = new Map<string, string>();
  const first = schemaWithStore(stored);
  await execute({ schema: first.schema, document: parse(source), variableValues: { text: "a" } });
  assert.is(stored.size, 1);
  const { schema, counts } = schemaWithStore(stored);
  const result = await execute({ schema, document: parse(source), variableValues: { text: "b" } });
  assert.equal(result, { data: { echo: "B" } });
  assert.is(counts.parseValue, 1);
  assert.equal([counts.gets, counts.sets], [1, 0]);
  assert.equal([getPlanCacheStats(schema).plansBuilt, getPlanCacheStats(schema).plansImported], [0, 1]);
});

test("plan store: a plan-cache hit coerces the variables once and asks the store nothing (execute and executeToJSON)", async () => {
  const { schema, counts } = schemaWithStore(new Map());
  const document = parse(source);
  await execute({ schema, document, variableValues: { text: "one" } });
  counts.parseValue = 0;
  assert.equal(await execute({ schema, document, variableValues: { text: "two" } }), { data: { echo: "TWO" } });
  assert.is(await executeToJSON({ schema, document, variableValues: { text: "three" } }), '{"data":{"echo":"THREE"}}');
  assert.is(counts.parseValue, 2);
  assert.equal([counts.gets, counts.sets], [1, 1]);
  // The first request counts a hit too: it takes the plan its load kept from the plan cache.
  assert.is(getPlanCacheStats(schema).hits, 3);
});

test.run();
