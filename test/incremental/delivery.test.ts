// Groups go out as soon as their own run is done (spec/incremental.md, SubsequentResults, RunTasks): a
// group whose step is held does not hold back the groups of the same call that are ready, its own tasks
// stay one batch, and a consumer that stops before asking for a later payload starts no deferred run.
// Asserts payloads and loader calls, never durations. graphql 17 only (graphql 16 has no @defer).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { versionInfo } from "graphql";
import { calls, json, slowNameBatches, slowNames, start, settles } from "./schema.js";

if (versionInfo.major < 17) {
  console.log("SKIPPED test/incremental/delivery.test.ts: graphql 16 has no @defer or @stream");
} else {
  test("a group whose step is held does not hold back a ready group; the held groups are one batch and one payload", async () => {
    const release = slowNames.hold();
    try {
      slowNameBatches.length = 0;
      const result = await start(`{ users { ... @defer { slowPlanName } } viewer { ... @defer(label: "ready") { name } } }`);
      const pending = (result.initialResult.pending as Array<{ id: string; label?: string }>).map((p) => p.label ?? p.id);
      assert.equal(pending, ["0", "1", "2", "3", "4", "5", "ready"]);
      const first = json((await result.subsequentResults.next()).value);
      assert.equal(first, { hasNext: true, incremental: [{ id: "6", data: { name: "User 1" } }], completed: [{ id: "6" }] });
      const next = result.subsequentResults.next();
      assert.is(await settles(next), false, "the held groups wait for their step");
      assert.equal(slowNameBatches, [6], "one loader call for the six deferred fragments");
      release();
      const second = json((await next).value) as { hasNext: boolean; incremental: unknown[]; completed: unknown[] };
      assert.is(second.hasNext, false);
      assert.is(second.incremental.length, 6, "the six groups of one run in one payload");
      assert.is(second.completed.length, 6);
    } finally {
      release();
    }
  });

  test("early exit before a held run completes: nothing below it starts", async () => {
    const release = slowNames.hold();
    try {
      const before = calls.slowNames!;
      const result = await start(`{ viewer { ... @defer { slowPlanName best { ... @defer { slowPlanName } } } } }`);
      // Ask for nothing: stop at once, then let the held call go.
      await result.subsequentResults.return();
      release();
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.is(calls.slowNames! - before, 0, "the generator never started: no deferred run");
    } finally {
      release();
    }
  });
}

test.run();
