// Seeded random writes against a model of the store (modelRun.ts) on the memory backend, 4 shards: every
// write's outcome (written, or refused with its code and nothing written) is the model's, and after each one
// every object, derived edge list, count and index list reads back as the model says; repair then finds
// nothing to mend. Racing writes (twelve at a time, the shards answering after a millisecond) leave every derived
// row what the stored objects imply. The same runs on MySQL + Redis: test/integration/kvetch-model.test.ts.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { USERNAMES, modelSchema, runModel, runRacing } from "./modelRun.js";
import { FOUR_OF_FIVE } from "./uniqueMove.js";

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

test("racing writes through two stores while a fifth shard takes a fifth of the buckets: derived rows what the objects imply in every round, usernames held once, repair finds nothing", async () => {
  const backend = memoryBackend({ shards: 5, latencyMs: 1, ranges: FOUR_OF_FIVE });
  const mover = new Kvetch({ schema: modelSchema, backend });
  const other = new Kvetch({ schema: modelSchema, backend });
  await other.open();
  let report: Awaited<ReturnType<Kvetch["reshard"]>> | null = null;
  let moving = false;
  let round = 0;
  const roundsIn: Record<string, number> = {};
  // The move waits for two rounds of writes after its journal says copy and after it says catchUp (not while
  // frozen: those writes wait for the switch), so writes race each phase whatever the machine's speed; once a phase.
  const waited = new Set<string>();
  kvetchTestHooks(mover).afterMoveJournal = async (phase) => {
    if ((phase !== "copy" && phase !== "catchUp") || waited.has(phase)) return;
    waited.add(phase);
    const until = Math.min(round + 2, 39);
    while (round < until) await new Promise((resolve) => setTimeout(resolve, 1));
  };
  const { written, refused } = await runRacing(mover, 11, 40, 12, {
    writers: [mover, other],
    during: {
      round: 12,
      start: async () => {
        moving = true;
        report = await mover.reshard({ batchSize: 5, onProgress: (p) => (roundsIn[p.phase] ??= round) });
        moving = false;
      },
    },
    onRound: (r) => {
      round = r;
      if (moving) roundsIn.during = (roundsIn.during ?? 0) + 1;
    },
  });
  assert.is(report!.outcome, "moved");
  assert.is(report!.verifyDifferences, 0);
  assert.ok((roundsIn.during ?? 0) >= 4, `the writes raced the move: ${JSON.stringify(roundsIn)}`);
  assert.ok(written > 200, `only ${written} writes made`);
  assert.ok((refused.UNIQUE_VIOLATION ?? 0) > 0, `no username was raced for: ${JSON.stringify(refused)}`);
  assert.ok((await mover.stats())[4]!.objects > 0, "the fifth shard holds objects");
  const pages = await mover.queryIndex("username", USERNAMES);
  // Every username held after the move is still claimed where the store now places it: a new holder is refused through either store.
  const held = USERNAMES.filter((_, i) => pages[i]!.edges.length > 0);
  assert.ok(held.includes("fay") || held.includes("gus"), `a value of a moved bucket is held: ${held.join(", ")}`);
  for (const username of held) {
    for (const store of [mover, other]) {
      const outcome = await store.createObject("User", { username }).then(
        () => "written",
        (error: { code?: string }) => error.code,
      );
      assert.is(outcome, "UNIQUE_VIOLATION", `a second holder of ${username}`);
    }
  }
  await mover.close();
  await other.close();
});

test.run();
