// Store round trips per request in the bench's todo scenarios: graphscale's plans make one store call per
// step per layer (5 for the todo view), DataLoader at least as many, per-field resolvers one per object and
// per edge list (72). Counts on the memory backend, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkScenario } from "../../bench/scenario.js";
import { todoScenario } from "../../bench/scenarios/todo.js";

async function countsOf(lists: number, items: number) {
  const { scenario, close } = await todoScenario({ id: "todo", lists, items, backend: "memory" });
  try {
    const checks = await checkScenario(scenario);
    return Object.fromEntries(checks.map((c) => [c.key, c.counts!]));
  } finally {
    await close();
  }
}

test("todo view (1 → 10 → 5): store calls graphscale 5, DataLoader ≥ 5, per-field resolvers 72", async () => {
  const counts = await countsOf(10, 5);
  assert.is(counts["graphscale"]!.storeCalls, 5);
  assert.ok(counts["graphql-js+dataloader"]!.storeCalls >= 5, `DataLoader made ${counts["graphql-js+dataloader"]!.storeCalls} calls`);
  assert.is(counts["graphql-js"]!.storeCalls, 72);
});

test("todo view (1 → 10 → 5): at most one shard query per step per shard for graphscale (≤ 5 × 4 shards)", async () => {
  const counts = await countsOf(10, 5);
  assert.ok(counts["graphscale"]!.roundTrips <= 20, `graphscale made ${counts["graphscale"]!.roundTrips} round trips`);
  assert.ok(counts["graphscale"]!.roundTrips <= counts["graphql-js+dataloader"]!.roundTrips);
  assert.ok(counts["graphql-js"]!.roundTrips >= 72);
});

test("heavy todo view (1 → 50 → 50): graphscale still 5 store calls; per-field resolvers 1 + 1 + 50 + 50 + 2,500", async () => {
  const counts = await countsOf(50, 50);
  assert.is(counts["graphscale"]!.storeCalls, 5);
  assert.ok(counts["graphql-js+dataloader"]!.storeCalls >= 5);
  assert.is(counts["graphql-js"]!.storeCalls, 2602);
  assert.is(counts["graphscale"]!.rowsFetched <= counts["graphql-js"]!.rowsFetched, true);
});

test.run();
