// Live queries miss nothing, on the memory backend (test/reactive/liveRandom.ts): 5 seeds × 60 rounds, 24 live
// queries with random options on one store, a few random writes a round; every live query comes to a fresh
// execute's result after each round.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { liveRandomRounds } from "./liveRandom.js";
import { randomTodoStore } from "./todoWrites.js";

test("seeded rounds: 24 live queries with random options, random writes; every live query comes to a fresh execute's result after each round", async () => {
  const tally = await liveRandomRounds({
    seeds: [1, 2, 3, 4, 5],
    rounds: 60,
    liveQueries: 24,
    settleMs: 5_000,
    open: async (draws) => {
      const store = await randomTodoStore(draws);
      return { store, reader: store.kvetch, close: () => store.kvetch.close() };
    },
  });
  // The rounds changed what the live queries show, often, and patches carried some of it.
  assert.ok(tally.changed > tally.rounds, JSON.stringify(tally));
  assert.ok(tally.patched > 100, JSON.stringify(tally));
});

test.run();
