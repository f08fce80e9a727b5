// The HTTP bench's side-by-side mode (bench/http/run.ts, `--http-side-by-side`): every engine's server driven
// at once, each by a load generator process of its own. Quick mode on the small query behind graphql-http: a
// few hundred requests per server. Asserts counts — every response 200 with the checked body, each server's
// own count of the requests it answered equal to its driver's — never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { ENGINES } from "../../bench/http/app.js";
import { httpTable, runHttpBench } from "../../bench/http/run.js";
import { PEERS_RUN } from "../../bench/peers.js";

const server = fileURLToPath(new URL("../../bench/http/server.ts", import.meta.url));
const REQUESTS = 200;

// Every engine includes graphql-jit, which runs on graphql 16 only (spec/graphql-versions.md).
if (!PEERS_RUN) console.log("SKIPPED test/http/bench-side-by-side.test.ts: left out on graphql 17, where graphql-jit does not run");
if (PEERS_RUN) test("http bench, side by side: every engine's server driven at once by its own load generator, every request answered", async () => {
  const runs = await runHttpBench({
    shapes: ["small"],
    libraries: ["graphql-http"],
    engines: ENGINES,
    connections: [10, 20],
    rounds: 1,
    durationSec: 0,
    warmupSec: 0,
    amount: REQUESTS,
    serverCommand: ["--import", "tsx", server],
    sideBySide: true,
    log: () => undefined,
  });
  assert.is(runs.length, 2 * ENGINES.length, "one run per engine and connection count");
  assert.equal(new Set(runs.map((r) => `${r.engine} ${r.connections}`)).size, runs.length);
  for (const run of runs) {
    const what = `${run.engine} at ${run.connections} connections`;
    assert.ok(run.responses >= REQUESTS, `${what}: ${run.responses} responses`);
    assert.is(run.ok, run.responses, `${what}: every response 200 with the checked body`);
    assert.is(run.errors + run.timeouts + run.non2xx + run.mismatches, 0, `${what}: no failed response`);
    assert.is(run.handled, run.responses, `${what}: the server answered exactly what its load generator counted`);
  }
  const table = httpTable(runs, { durationSec: 0, warmupSec: 0, rounds: 1, sideBySide: true });
  assert.match(table.description, /side by side/);
  for (const row of table.rows.filter((r) => r.label.endsWith("graphscale (plans)"))) assert.is(row.values[1], 1);
});

test.run();
