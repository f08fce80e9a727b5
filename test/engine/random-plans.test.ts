// Plans against resolvers over random data (random-plans.ts): seeded random queries over a schema planned
// with loadOne, loadMany, each and lambda, and the same schema with resolvers run by graphql-js, every key
// loading a record, a null or an error and every record's fields and lists holding nulls where the query may
// ask for non-null values. Each query runs four times on the plans — its first request (planned), two later
// ones (compiled output; the fast path where the plan admits it) and executeToJSON — against graphql-js once.
// In worlds whose callbacks answer at once the responses are identical, errors and their order included. In
// worlds whose callbacks answer with promises graphql-js's errors depend on when each promise settles (which
// errors under a position already nulled it still reports, and in what order: spec/resolver-emulation.md,
// known difference 3, which plans share): there `data` is identical and both report errors or neither.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execute as jsExecute, parse, type ExecutionResult } from "graphql";
import { execute, executeToJSON } from "../../src/index.js";
import { fastRequestCounts } from "../../src/engine/request/fastRequest.js";
import { planSchema, randomPlanQueries, randomWorld, resolverSchema, useWorld } from "./random-plans.js";

const CASES = 240;
const generate = randomPlanQueries(20261129);

// graphql-js 16 leaves a rejected promise unhandled when a list stops at a non-null item (known difference 5);
// the plans' side must leave none: each query's plan runs are checked for it.
const unhandled: unknown[] = [];
process.on("unhandledRejection", (reason) => void unhandled.push(reason));

async function plansRun(salt: number, run: () => ExecutionResult | Promise<ExecutionResult> | string | Promise<string>): Promise<string> {
  useWorld(randomWorld(salt));
  const result = await run();
  return typeof result === "string" ? result : JSON.stringify(result);
}

test(`plans and resolvers over random data: ${CASES} queries, each run four times on the plans`, async () => {
  const fastBefore = fastRequestCounts.runs;
  let exact = 0;
  let withErrors = 0;
  for (let i = 0; i < CASES; i++) {
    const query = generate();
    const document = parse(query);
    const salt = 2 * i + (i % 2); // even: callbacks answer at once; odd: with settled promises
    const synchronous = salt % 2 === 0;
    useWorld(randomWorld(salt));
    const expectedResult = await jsExecute({ schema: resolverSchema, document });
    const expected = JSON.stringify(expectedResult);
    if (expectedResult.errors !== undefined) withErrors++;
    await new Promise((resolve) => setTimeout(resolve, 0));
    unhandled.length = 0;
    const runs = [
      await plansRun(salt, () => execute({ schema: planSchema, document })),
      await plansRun(salt, () => execute({ schema: planSchema, document })),
      await plansRun(salt, () => execute({ schema: planSchema, document })),
      await plansRun(salt, () => executeToJSON({ schema: planSchema, document })),
    ];
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(unhandled.map(String), [], `query ${i} (${query}): the plans left rejected promises unhandled`);
    for (const [n, actual] of runs.entries()) {
      const label = `query ${i}, run ${n + 1} of the plans, world ${salt}: ${query}`;
      if (synchronous) {
        assert.is(actual, expected, label);
        continue;
      }
      const parsed = JSON.parse(actual) as ExecutionResult;
      assert.is(JSON.stringify(parsed.data), JSON.stringify(expectedResult.data), `${label}: data`);
      assert.is(parsed.errors !== undefined, expectedResult.errors !== undefined, `${label}: errors reported`);
    }
    if (synchronous) exact++;
  }
  // Both kinds of world, responses with and without errors, and the fast path among the later requests.
  assert.is(exact, CASES / 2);
  assert.ok(withErrors > CASES / 4 && withErrors < CASES, `${withErrors} of ${CASES} responses with errors`);
  // The fast path runs generated code: with it off (GRAPHSCALE_COMPILE_OUTPUT=off) every request takes the layers.
  if (process.env.GRAPHSCALE_COMPILE_OUTPUT !== "off") assert.ok(fastRequestCounts.runs > fastBefore, "no later request took the fast path");
  else assert.is(fastRequestCounts.runs, fastBefore);
});

test.run();
