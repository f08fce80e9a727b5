// The parity suites through exported plans: every suite in test/parity runs again in a child process with
// GRAPHSCALE_PARITY_EXECUTOR=imported — each request's plan is built by a copy of the schema, exported as
// text (exportPlan) and imported (importPlan) into the schema itself, which must never plan: requests through
// execute and through graphql() alike (graphql() finds the imported plan by its source text; a source that
// does not parse or validate, and a request error, never reach planning). Results must be graphql-js's, as
// through plain execute; only plans holding an unregistered custom step or closure (the bad-input suite's
// own steps) run unexported, and they are counted, as are the plans imported for graphql() requests.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
// incremental.test.ts runs its operations through experimentalExecuteIncrementally, which no rerun mode swaps
// (and a plan with deferred layers is not exported: spec/incremental.md), so the reruns leave it out.
const reruns = new Set(["interpreted.test.ts", "batched.test.ts", "imported.test.ts", "incremental.test.ts"]);
const suites = readdirSync(dir).filter((f) => f.endsWith(".test.ts") && !reruns.has(f)).sort();
/** Cases whose plans hold custom steps or closures the suite does not register, by suite. */
const NOT_EXPORTABLE: { readonly [file: string]: number } = { "bad-input.test.ts": 5 };
/** Plans imported for requests through graphql() (the cases that plan), by suite. */
const VIA_GRAPHQL: { readonly [file: string]: number } = { "inputs.test.ts": 1 };

test("imported parity: the suites are found", () => {
  assert.ok(suites.length >= 10, suites.join(", "));
});

for (const file of suites) {
  test(`parity through exported and imported plans: ${file}`, () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", dir + file], {
      env: { ...process.env, GRAPHSCALE_PARITY_EXECUTOR: "imported" },
      encoding: "utf8",
    });
    const total = Number(/Total:\s+(\d+)/.exec(run.stdout)?.[1] ?? -1);
    const passed = Number(/Passed:\s+(\d+)/.exec(run.stdout)?.[1] ?? -2);
    assert.ok(total > 0, `${file} ran no test:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
    assert.is(passed, total, `${file}: ${passed} of ${total} passed through imported plans:\n${run.stdout.slice(-3000)}`);
    assert.is(run.status, 0);
    const counts = /imported plans: (\d+) \(through graphql\(\): (\d+)\), not exportable: (\d+)/.exec(run.stdout);
    assert.ok(counts !== null, `${file} printed no import counts`);
    assert.ok(Number(counts[1]) > 0, `${file}: no plan was imported`);
    assert.is(Number(counts[2]), VIA_GRAPHQL[file] ?? 0, `${file}: plans imported for graphql() requests`);
    assert.is(Number(counts[3]), NOT_EXPORTABLE[file] ?? 0, `${file}: plans that could not be exported`);
  });
}

test.run();
