// Seeded random writes against a model of the store (modelRun.ts) on the memory backend, 4 shards: every
// write's outcome (written, or refused with its code and nothing written) is the model's, and after each one
// every object, derived edge list, count and index list reads back as the model says; repair then finds
// nothing to mend. Racing writes (twelve at a time, the shards answering after a millisecond) leave every derived
// row what the stored objects imply. The same runs on MySQL + Redis: test/integration/kvetch-model.test.ts.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { modelSchema, runModel, runRacing } from "./modelRun.js";

for (const seed of [1, 2, 3]) {
  test(`model: seed ${seed}, 120 writes on 4 memory shards read back as the model says`, async () => {
    const kvetch = new Kvetch({ schema: modelSchema, backend: memoryBackend({ shards: 4 }) });
    const { written, refused } = await runModel(kvetch, seed, 120);
    // The run reached both ends: writes made and writes refused.
    assert.ok(written > 60, `only ${written} writes made`);
    assert.ok(Object.keys(refused).length >= 2, `refusals: ${JSON.stringify(refused)}`);
    await kvetch.close();
  });
}

test("racing writes on 4 memory shards: after each round of twelve, the derived rows are what the objects imply", async () => {
  const kvetch = new Kvetch({ schema: modelSchema, backend: memoryBackend({ shards: 4, latencyMs: 1 }) });
  const { written, refused } = await runRacing(kvetch, 5, 20, 12);
  assert.ok(written > 120, `only ${written} writes made`);
  assert.ok((refused.UNIQUE_VIOLATION ?? 0) > 0, `no username was raced for: ${JSON.stringify(refused)}`);
  await kvetch.close();
});

test.run();
