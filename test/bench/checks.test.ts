// The bench's correctness gate: results are compared before anything is timed, and a mismatching or
// failing engine aborts its scenario with a message naming the engine and the first differing path.
// Asserts outcomes and call counts, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkScenario, firstDifference, ScenarioMismatchError, type Engine, type Scenario } from "../../bench/scenario.js";
import { runScenario, type BenchOptions } from "../../bench/measure.js";
import {
  batchedLoadingScenario,
  manyResolversScenario,
  nestedArraysScenario,
  nestedListsScenario,
  smallQueryScenario,
  wideListScenario,
} from "../../bench/scenarios/cpu.js";
import { planningScenario } from "../../bench/scenarios/planning.js";
import { PEERS_RUN } from "../../bench/peers.js";

const options: BenchOptions = { mysql: false, only: null, timing: { maxTime: 0.05, minSamples: 1 }, rounds: 1, profile: false, profileAll: false, profileSeconds: 0 };

/** An engine that counts its runs and answers `data`. */
function countingEngine(key: string, data: unknown, async = false): Engine & { runs: number } {
  const engine = {
    key,
    name: `engine ${key}`,
    runs: 0,
    run(): unknown {
      engine.runs++;
      return async ? Promise.resolve({ data }) : { data };
    },
  };
  return engine;
}

test("checks: a mismatching engine aborts the scenario, naming the engine and the first differing path", async () => {
  const good = countingEngine("good", { user: { lists: [{ name: "a" }, { name: "b" }] } });
  const bad = countingEngine("bad", { user: { lists: [{ name: "a" }, { name: "B" }] } });
  const scenario: Scenario = { id: "mismatch", title: "t", description: "d", engines: [good, bad] };
  try {
    await checkScenario(scenario);
    assert.unreachable("checkScenario accepted different results");
  } catch (error) {
    assert.instance(error, ScenarioMismatchError);
    const message = (error as Error).message;
    assert.match(message, "engine bad");
    assert.match(message, "$.data.user.lists[1].name");
    assert.match(message, "nothing was timed");
  }
});

test("checks: runScenario never times a scenario whose check failed (each engine ran once)", async () => {
  const good = countingEngine("good", { n: 1 }, true);
  const bad = countingEngine("bad", { n: 2 }, true);
  let closed = 0;
  const entry = {
    id: "mismatch",
    setup: async () => ({
      scenario: { id: "mismatch", title: "t", description: "d", engines: [good, bad] },
      backend: "none",
      close: async () => void closed++,
    }),
  };
  let threw = false;
  try {
    await runScenario(entry, options);
  } catch (error) {
    threw = error instanceof ScenarioMismatchError;
  }
  assert.ok(threw);
  assert.is(good.runs, 1);
  assert.is(bad.runs, 1);
  assert.is(closed, 1);
});

test("checks: an engine returning errors aborts, even when every engine returns the same errors", async () => {
  const failing: Engine = { key: "e", name: "engine e", run: () => ({ errors: [{ message: "boom" }], data: null }) };
  const scenario: Scenario = { id: "errors", title: "t", description: "d", engines: [failing, { ...failing, key: "f", name: "engine f" }] };
  try {
    await checkScenario(scenario);
    assert.unreachable("checkScenario accepted an error result");
  } catch (error) {
    assert.instance(error, ScenarioMismatchError);
    assert.match((error as Error).message, "boom");
  }
});

test("checks: key order and null-prototype objects do not count as differences", () => {
  const a = Object.assign(Object.create(null), { x: 1, y: [1, 2] });
  assert.is(firstDifference(JSON.parse(JSON.stringify(a)), { y: [1, 2], x: 1 }), null);
  assert.is(firstDifference({ y: [1, 2] }, { y: [1, 2, 3] }), "$.y (a list of 2 vs 3 items)");
});

test("checks: equal results pass and the timed run happens (2 engines × timing)", async () => {
  const a = countingEngine("a", { n: 1 });
  const b = countingEngine("b", { n: 1 });
  const result = await runScenario(
    { id: "equal", setup: async () => ({ scenario: { id: "equal", title: "t", description: "d", engines: [a, b], comparisons: [{ engine: "a", against: "b" }] }, backend: "none" }) },
    options,
  );
  assert.is(result.engines.length, 2);
  assert.ok(a.runs > 1 && b.runs > 1);
  assert.is(result.comparisons.length, 1);
});

test("checks: every CPU shape's engines agree — graphscale plans, graphql-js, graphql-jit, Grafast (and resolver emulation where it runs)", async () => {
  const scenarios = await Promise.all([
    smallQueryScenario(),
    manyResolversScenario(),
    nestedArraysScenario(5, 3, 2),
    wideListScenario(50),
    nestedListsScenario(4),
    batchedLoadingScenario(4, 3),
    planningScenario(),
  ]);
  for (const scenario of scenarios) {
    const checks = await checkScenario(scenario);
    assert.is(checks.length, scenario.engines.length, scenario.id);
    const keys = checks.map((c) => c.key);
    // graphql-jit and Grafast support graphql 16 only (bench/peers.ts): on 17 graphscale and graphql-js agree
    for (const key of ["graphscale", "graphql-js", ...(PEERS_RUN ? ["graphql-jit", "grafast"] : [])]) assert.ok(keys.includes(key), `${scenario.id} runs ${key}`);
    assert.ok(scenario.shape, `${scenario.id} has a row label in the peer table`);
  }
});

test("checks: batched loading makes one batch call per request in every engine (loadMany and DataLoader alike)", async () => {
  const scenario = await batchedLoadingScenario(20, 10);
  const checks = await checkScenario(scenario);
  for (const c of checks) assert.equal(c.counts, { storeCalls: 1, roundTrips: 1, rowsFetched: 200 }, c.key);
});

test.run();
