// The 250 × 250 nested-list shape (bench/scenarios/cpu.ts twoLevelListsScenario) and its memory table
// (bench/memory.ts runNestedListsMemoryTable), at a small width: every engine answers the same data, and the
// table has a row per engine with graphql-jit as the ratios' base. Asserts results and counts, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { checkScenario } from "../../bench/scenario.js";
import { twoLevelListsScenario } from "../../bench/scenarios/cpu.js";
import { runNestedListsMemoryTable } from "../../bench/memory.js";
import { PEERS_RUN } from "../../bench/peers.js";

// The comparison is with graphql-jit and Grafast, which run on graphql 16 only (spec/graphql-versions.md).
if (!PEERS_RUN) console.log("SKIPPED test/bench/nestedLists.test.ts: the nested-lists comparison runs graphql-jit and Grafast, which run on graphql 16 only");

const WIDTH = 12;

if (PEERS_RUN) test("nested lists W × W: graphscale, graphql-js, graphql-jit and Grafast answer the same W × W shops", async () => {
  const scenario = await twoLevelListsScenario(WIDTH);
  assert.equal(scenario.engines.map((e) => e.key), ["graphscale", "graphql-js", "graphql-jit", "grafast"]);
  await checkScenario(scenario);
  const result = (await scenario.engines[0]!.run()) as { data: { regions: Array<{ id: string; shops: Array<{ id: string; name: string }> }> } };
  assert.is(result.data.regions.length, WIDTH);
  assert.is(result.data.regions.flatMap((r) => r.shops).length, WIDTH * WIDTH);
  assert.equal(result.data.regions[3]!.shops[5], { id: "r3s5", name: "Shop 3.5" });
});

if (PEERS_RUN) test("nested lists memory table: a row per engine (executeToJSON included), graphql-jit's ratios 1×, heap measured", async () => {
  // What `node --expose-gc` gives the bench's memory processes.
  setFlagsFromString("--expose-gc");
  (globalThis as { gc?: unknown }).gc ??= runInNewContext("gc");
  const table = await runNestedListsMemoryTable({ repeats: 1, offset: 1, timedRounds: 1, width: WIDTH });
  assert.is(table.id, "memory-nested-lists");
  assert.equal(
    table.rows.map((r) => r.label),
    ["graphscale (plans)", "graphscale (executeToJSON)", "graphql-js (resolvers)", "graphql-jit 0.8.9", "Grafast 1.1.3"],
  );
  const jit = table.rows[3]!;
  assert.is(jit.values[1], 1);
  assert.is(jit.values[3], 1);
  for (const row of table.rows) {
    assert.is(row.values.length, table.columns.length, row.label);
    assert.ok(row.values[2]! > 0, `${row.label}: the request's heap measured`);
    assert.ok(Number.isInteger(row.values[5]), `${row.label}: GCs counted`);
  }
});

test.run();
