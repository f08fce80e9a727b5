// What a live query costs in heap, measured (spec/reactivity.md, "RetainLiveState"): 500 live board views
// held in this process with the used heap read after full GCs, against the same store once they ended
// (bench/liveScale.ts's measure). Budgets, not times: a live query that kept its whole buckets again, or its
// result twice, goes past them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { liveScaleRow } from "../../bench/liveScale.js";

// What `node --expose-gc` gives: full GCs on demand, so the used heap is what is reachable.
setFlagsFromString("--expose-gc");
(globalThis as { gc?: unknown }).gc ??= runInNewContext("gc");

const VIEWS = 500;

test(`memory: ${VIEWS} live board views keep at most 6 KB of heap each with their state or keys only; every write shown`, async () => {
  const [, , , kept] = await liveScaleRow(VIEWS, 20);
  const [, , , keysOnly] = await liveScaleRow(VIEWS, 20, 0);
  console.log(`live-memory: ${Math.round(kept!)} B per live query with state, ${Math.round(keysOnly!)} B keys only`);
  assert.ok(Number.isFinite(kept!) && kept! > 0, `heap per live query measured: ${kept}`);
  assert.ok(kept! <= 6_000, `state kept: ${Math.round(kept!)} bytes per live query (budget 6,000)`);
  assert.ok(keysOnly! <= 6_000, `keys only: ${Math.round(keysOnly!)} bytes per live query (budget 6,000)`);
  // The state kept for subtree re-runs is now a few hundred bytes a view (about 4.5 against 4.2 KB), as close as
  // the measure's own spread between processes (code and feedback the JIT leaves on the heap): keys only may
  // not keep more than the state beyond that. That a keys-only query keeps nothing to re-run is counted in
  // live-routing.test.ts ("retention").
  assert.ok(keysOnly! <= kept! + 512, `keys only (${Math.round(keysOnly!)} B) keeps no more than the state (${Math.round(kept!)} B)`);
});

test.run();
