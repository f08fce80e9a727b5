// Live queries at scale across two OS processes on 4 MySQL shards + Redis (spec/reactivity.md, RouteInvalidation
// and MultiplexReruns; the harness is bench/liveScaleMysqlHarness.ts, which the live-scale-mysql bench runs at
// 1,000 and 10,000 views): the live views are held here, the writes come from a forked writer process and reach
// this one only through the Redis announcements. Counts only: store calls per wave, writes shown, duplicates,
// final results against fresh executes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LiveScaleMysql } from "../../bench/liveScaleMysqlHarness.js";
import { serversUp, testWhen } from "./kvetch-servers.js";

const up = await serversUp("test/integration/live-scale.test.ts", { mysql: true, redis: true });
const serverTest = testWhen(up);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function until(done: () => boolean, ms = 60_000): Promise<boolean> {
  for (const end = Date.now() + ms; !done(); ) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

serverTest("200 live todo views, 50 writes/s for 10 s from another process: every write shown once, 0 duplicates, subtree re-runs of ≤ 2 store calls, final results equal fresh executes", async () => {
  const scale = await LiveScaleMysql.open({ name: "testlivescale", users: 200 });
  try {
    await scale.subscribe(range(200));
    assert.is(scale.firstErrors, 0);
    const waves = await scale.writes(scale.itemsOf(range(200)), 50, 10);
    assert.is(waves.writes, 500);
    assert.is(waves.failedWrites, 0);
    assert.is(waves.shown, waves.writes, "0 missed: every write shown by its view");
    assert.is(waves.duplicates, 0, "no result equal to the one before, no write shown twice");
    assert.is(waves.runs.full, 0, "every re-run a subtree re-run");
    assert.ok(waves.runs.subtree >= 1 && waves.runs.subtree <= waves.writes, `${waves.runs.subtree} re-runs for ${waves.writes} writes`);
    // A subtree re-run of an item's text is 2 store calls (item edges, items); re-runs reached in one turn share them.
    assert.ok(waves.storeCalls <= 2 * waves.runs.subtree, `${waves.storeCalls} store calls for ${waves.runs.subtree} re-runs`);
    assert.is(await scale.mismatches(), 0, "every view's last result equals a fresh execute");
  } finally {
    await scale.close();
  }
});

serverTest("1,000 live todo views (one operation) all reached by one write of the other process re-run with ≤ 2 store calls per step in all", async () => {
  const scale = await LiveScaleMysql.open({ name: "testlivemux", users: 1000, lists: 2, items: 2 });
  try {
    await scale.subscribe(range(1000));
    assert.is(scale.firstErrors, 0);
    const runs = () => scale.views.map((v) => v.runs);
    const before = runs();
    scale.kvetch.resetCounters();
    await scale.invalidate([`object:${scale.seed.itemIds[0]![1]![0]!}`]);
    assert.ok(await until(() => scale.views[0]!.runs === before[0]! + 1), "the one view re-ran");
    const alone = scale.kvetch.counters.calls;
    assert.is(scale.views[0]!.lastKind, "subtree");
    assert.is(alone, 2, "one view's subtree re-run: item edges, items");

    const reached = runs();
    scale.kvetch.resetCounters();
    await scale.invalidate(scale.seed.itemIds.map((lists) => `object:${lists[1]![0]!}`));
    assert.ok(await until(() => scale.views.every((v, i) => v.runs === reached[i]! + 1)), "every view re-ran once");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const calls = scale.kvetch.counters.calls;
    assert.ok(scale.views.every((v) => v.lastKind === "subtree"), "subtree re-runs");
    assert.ok(calls <= 2 * alone, `${calls} store calls for 1,000 re-runs (one alone makes ${alone})`);
    assert.is(await scale.mismatches(), 0, "every view's last result equals a fresh execute");
  } finally {
    await scale.close();
  }
});

test.run();
