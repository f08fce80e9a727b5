// The HTTP bench's quick mode (bench/http/run.ts): one server process per engine and server library on the
// memory backend (the todo view and the small query), a few hundred requests each through autocannon.
// Asserts counts — every response 200 with the checked body, bodies equal across engines — never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ENGINES, LIBRARIES } from "../../bench/http/app.js";
import { httpTable, runHttpBench, type HttpRun } from "../../bench/http/run.js";
import { PEERS_RUN } from "../../bench/peers.js";

const server = fileURLToPath(new URL("../../bench/http/server.ts", import.meta.url));
const REQUESTS = 200;
/** A quick run: one round of REQUESTS requests per server, no warm-up, servers from source. */
const QUICK = { connections: [10], rounds: 1, durationSec: 0, warmupSec: 0, amount: REQUESTS, serverCommand: ["--import", "tsx", server] };

// Every engine includes graphql-jit, which runs on graphql 16 only (spec/graphql-versions.md).
if (!PEERS_RUN) console.log("http bench, quick: left out on graphql 17, where graphql-jit does not run");
if (PEERS_RUN) test("http bench, quick: every engine behind graphql-http and Yoga answers every request 200 with the same body", async () => {
  const lines: string[] = [];
  const runs: HttpRun[] = await runHttpBench({
    shapes: ["todo-memory", "small"],
    libraries: LIBRARIES,
    engines: ENGINES,
    ...QUICK,
    log: (line) => lines.push(line),
  });
  // 2 shapes × 2 libraries × 4 engines, one run each; the driver already checked bodies equal across engines.
  assert.is(runs.length, 2 * LIBRARIES.length * ENGINES.length);
  for (const run of runs) {
    const what = `${run.library} ${run.engine} ${run.shape}`;
    assert.ok(run.responses >= REQUESTS, `${what}: ${run.responses} responses`);
    assert.is(run.ok, run.responses, `${what}: every response 200 with the checked body`);
    assert.is(run.errors + run.timeouts + run.non2xx + run.mismatches, 0, `${what}: no failed response`);
    assert.is(run.handled, run.responses, `${what}: the server counted the requests it answered`);
    assert.ok(run.cpuMsPerRequest > 0, `${what}: server CPU time measured`);
  }
  // The todo view is 5 store calls a request with plain execute; concurrent requests behind the batching
  // executor share them (10 connections: requests arriving in one turn of the event loop share a window).
  for (const library of LIBRARIES) {
    const todo = (engine: string) => runs.find((r) => r.shape === "todo-memory" && r.library === library && r.engine === engine)!;
    assert.is(todo("graphscale").storeCallsPerRequest, 5, `${library}: plain execute, 5 store calls a todo view`);
    assert.ok(todo("batched").storeCallsPerRequest < 5, `${library}: createBatchedExecute, ${todo("batched").storeCallsPerRequest} store calls a todo view`);
  }
  for (const run of runs.filter((r) => r.shape === "small")) assert.is(run.storeCallsPerRequest, 0, "the small query reads no store");
  const table = httpTable(runs, { durationSec: 0, warmupSec: 0, rounds: 1 });
  assert.is(table.rows.length, runs.length);
  for (const row of table.rows) assert.is(row.values.at(-1), 0, row.label);
  // graphscale's rows compare with themselves.
  for (const row of table.rows.filter((r) => r.label.endsWith("graphscale (plans)"))) {
    assert.is(row.values[1], 1);
    assert.is(row.values[2], 1);
  }
});

const TASKSET = spawnSync("taskset", ["-c", "0", "true"]).status === 0;
if (!TASKSET) console.log("http bench, pinned: left out where taskset does not run");
if (TASKSET) test("http bench, pinned: the server under taskset and autocannon in a pinned process of its own answer every request", async () => {
  const runs = await runHttpBench({
    shapes: ["small"],
    libraries: ["graphql-http", "yoga"],
    engines: ["graphscale"],
    ...QUICK,
    pin: { server: "0", driver: "0" },
    log: () => {},
  });
  assert.is(runs.length, 2);
  for (const run of runs) {
    assert.ok(run.responses >= REQUESTS, `${run.library}: ${run.responses} responses`);
    assert.is(run.ok, run.responses, `${run.library}: every response 200 with the checked body`);
    assert.is(run.handled, run.responses, `${run.library}: the server counted the requests it answered`);
  }
  const table = httpTable(runs, { durationSec: 0, warmupSec: 0, rounds: 1, pin: { server: "0", driver: "0" } });
  assert.match(table.description, /Pinned with taskset: every server process on core 0/);
});

test("http bench: a server that cannot start is an error naming it", async () => {
  try {
    await runHttpBench({
      shapes: ["small"],
      libraries: ["graphql-http"],
      engines: ["graphscale"],
      connections: [1],
      rounds: 1,
      durationSec: 0,
      warmupSec: 0,
      amount: 1,
      serverCommand: ["--import", "tsx", server, "--"],
    });
    assert.unreachable("the server started");
  } catch (error) {
    assert.match((error as Error).message, /graphql-http server with graphscale \(small\)/);
  }
});

test.run();
