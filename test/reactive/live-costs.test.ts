// What the bench's reactive tables count, asserted: a live todo view's first run and full re-runs are the
// view's 5 Kvetch calls; a re-run after one item's text changed or a list was added, as the live query
// chooses it, makes fewer (bench/liveRerunCalls.ts, the "Live query re-runs: store calls" table).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { liveRerunCosts } from "../../bench/liveRerunCalls.js";
import { percentile } from "../../bench/liveLatency.js";

test("live todo view re-runs: full runs make the view's 5 calls; subtree re-runs after an item's text or a new list make fewer", async () => {
  const full = await liveRerunCosts(false);
  for (const run of [full.first, full.itemText, full.listAdded]) {
    assert.is(run.calls, 5);
    assert.is(run.kind, "full");
  }
  assert.is(full.itemText.shardQueries, full.first.shardQueries);
  const live = await liveRerunCosts(true);
  assert.is(live.first.calls, 5);
  assert.is(live.itemText.kind, "subtree");
  assert.ok(live.itemText.calls < 5, `${live.itemText.calls} calls after one item's text changed`);
  // Shard queries compared within one store only: each seeds its own ids, which fall on the shards differently.
  assert.ok(live.itemText.shardQueries < live.first.shardQueries);
  assert.ok(live.listAdded.calls < 5, `${live.listAdded.calls} calls after a list was added`);
});

test("latency percentiles: nearest rank", () => {
  const ms = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.is(percentile(ms, 50), 50);
  assert.is(percentile(ms, 99), 99);
  assert.is(percentile([3, 1, 2], 50), 2);
  assert.is(percentile([7], 99), 7);
});

test.run();
