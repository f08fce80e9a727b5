// Parity: seeded random operations over a schema whose fields have their own resolvers (random-resolvers.ts),
// each position — a resolver's result, a list item, a property a default resolver reads — a value, a settled
// promise, a throw, a rejection, a null, an Error returned, a value its type refuses or a method, by a hash of
// its response path. Most of these queries are ones DirectRun admits (spec/resolver-emulation.md: no abstract
// type, built-in leaves), so they run directly up to their first unclean value and are then handed over with
// the calls made so far replayed; the rest are answered directly. Results are graphql-js's, through every
// executor the harness reruns the suite with. Under plain `execute`, the calls themselves are checked too:
// no resolver is called twice for one response path; every call graphql-js makes, graphscale makes (it may
// make more: the documented sync-abort difference); a query answered directly calls graphql-js's resolvers
// in graphql-js's order; and when the calls are the same, so is whether the result came synchronously.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execute as jsExecute, parse, type ExecutionResult } from "graphql";
import { execute } from "../../src/index.js";
import { directRunCounts } from "../../src/engine/request/directRun.js";
import { GRAPHQL_MAJOR, executor, registerCases, type ParityCase } from "./harness.js";
import { randomResolverQueries, randomResolverSchema, type RandomContext } from "./random-resolvers.js";

const CASES = 150;
const generate = randomResolverQueries(20261129);
const cases: Array<ParityCase & { readonly salt: number }> = [];
for (let i = 0; i < CASES; i++) {
  const { query, variableValues } = generate();
  const salt = 7919 * (i + 1);
  cases.push({ name: `random resolver query ${i}`, query, variableValues, salt, fresh: () => ({ contextValue: { salt, calls: [] } satisfies RandomContext }), knownDifference: "sync-abort" });
}

const directRunsAllowed = process.env.GRAPHSCALE_COMPILE_OUTPUT !== "off";
const isPromise = (value: unknown): value is Promise<ExecutionResult> => value instanceof Promise;

if (executor === "execute") {
  test("random resolver queries: the calls, once per path, a superset of graphql-js's, in its order when answered directly", async () => {
    const counts = { ...directRunCounts };
    let direct = 0;
    let sameCalls = 0;
    for (const c of cases) {
      const document = parse(c.query);
      const ours: RandomContext = { salt: c.salt, calls: [] };
      const theirs: RandomContext = { salt: c.salt, calls: [] };
      const answeredBefore = directRunCounts.answered;
      const returned = execute({ schema: randomResolverSchema, document, variableValues: c.variableValues, contextValue: ours });
      const expected = jsExecute({ schema: randomResolverSchema, document, variableValues: c.variableValues, contextValue: theirs });
      await returned;
      await expected;
      const answeredDirectly = directRunCounts.answered > answeredBefore;
      const repeated = ours.calls.filter((path, i) => ours.calls.indexOf(path) !== i);
      assert.equal(repeated, [], `${c.name}: resolvers called twice for one path`);
      const called = new Set(ours.calls);
      assert.equal(theirs.calls.filter((path) => !called.has(path)), [], `${c.name}: calls graphql-js made and graphscale did not`);
      if (answeredDirectly) {
        direct++;
        assert.equal(ours.calls, theirs.calls, `${c.name}: answered directly, the calls in graphql-js's order`);
      }
      if (ours.calls.length === theirs.calls.length) {
        sameCalls++;
        // graphql 17 fails an object while some of its fields are pending, and may so return synchronously
        // where graphscale waits (spec/graphql-versions.md): sync-ness is graphql 16's to compare.
        if (GRAPHQL_MAJOR < 17) assert.is(isPromise(returned), isPromise(expected), `${c.name}: the same calls, but not the same sync-ness as graphql-js`);
      }
    }
    assert.ok(sameCalls > CASES / 2, `only ${sameCalls} of ${CASES} with graphql-js's calls`);
    assert.is(directRunCounts.answered - counts.answered, direct);
    // DirectRun runs generated code: with it off (interpreted.test.ts reruns the suite so) every query takes the layered run.
    if (!directRunsAllowed) return assert.is(direct + directRunCounts.handedOver - counts.handedOver, 0);
    // The suite reaches both of DirectRun's ends: queries answered directly and queries handed over.
    assert.ok(direct >= CASES / 4, `only ${direct} of ${CASES} answered directly`);
    assert.ok(directRunCounts.handedOver - counts.handedOver >= CASES / 4, `only ${directRunCounts.handedOver - counts.handedOver} of ${CASES} handed over`);
  });
}

registerCases(test, randomResolverSchema, cases);

test.run();
