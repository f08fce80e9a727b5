// What a live query's re-run costs in store calls: the live todo view (10 lists × 5 items, memory backend,
// 4 shards) after one item's text changed and after a list was added, re-run as the live query chooses
// (subtrees) and as a full run (`subtrees: false`), against its first, full run. Counted around each run
// with `live.beforeRun`/`onRun` and `kvetch.counters`. A measured table of `npm run bench`
// (bench/results/live-rerun-calls.json); alone: `npx tsx bench/liveRerunCalls.ts`.

import { parse, type ExecutionResult } from "graphql";
import { subscribe } from "../src/index.js";
import { Kvetch, memoryBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo } from "../examples/todo/seed.js";
import { publishTable, type MeasuredTable } from "./measuredTable.js";

/** One run's cost: Kvetch calls and shard queries (all shards), and whether it ran the whole operation. */
export interface RunCost {
  calls: number;
  shardQueries: number;
  kind: string;
}

/** The three runs of one live todo view: the first, after an item's text changed, after a list was added. */
export async function liveRerunCosts(subtrees: boolean): Promise<{ first: RunCost; itemText: RunCost; listAdded: RunCost }> {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 10, itemsPerList: 5 });
  const user = seed.userIds[0]!;
  const costs: RunCost[] = [];
  let ran: (() => void) | null = null;
  const iterator = (await subscribe({
    schema: todoSchema,
    document: parse(todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live")),
    variableValues: { id: user },
    contextValue: { kvetch },
    live: {
      source: kvetch,
      subtrees,
      beforeRun: () => kvetch.resetCounters(),
      onRun: (info: { kind?: string }) => {
        costs.push({ calls: kvetch.counters.calls, shardQueries: kvetch.counters.shardQueries.reduce((n, q) => n + q, 0), kind: info.kind ?? "full" });
        ran?.();
      },
    },
  })) as AsyncGenerator<ExecutionResult>;
  const drain = (async () => {
    for await (const result of iterator) if (result.errors) throw new Error(`live-rerun-calls: ${result.errors[0]!.message}`);
  })();
  const nextRun = async (write: () => Promise<unknown>): Promise<RunCost> => {
    const count = costs.length;
    const done = new Promise<void>((resolve) => (ran = () => costs.length > count && resolve()));
    await write();
    await done;
    return costs[count]!;
  };
  try {
    const first = await nextRun(async () => undefined);
    const itemText = await nextRun(() => kvetch.updateObject("TodoItem", seed.itemIds[0]![3]![2]!, { text: "changed" }));
    const listAdded = await nextRun(() => kvetch.createObject("TodoList", { userId: user, name: "New list" }));
    return { first, itemText, listAdded };
  } finally {
    await iterator.return(undefined);
    await drain;
  }
}

export async function runLiveRerunCallsScenario(): Promise<MeasuredTable> {
  const live = await liveRerunCosts(true);
  const full = await liveRerunCosts(false);
  const row = (label: string, a: RunCost, b: RunCost) => ({ label: `${label} (${a.kind})`, values: [a.calls, a.shardQueries, b.calls, b.shardQueries] });
  return {
    id: "live-rerun-calls",
    title: "Live query re-runs: store calls",
    description:
      "A live todo view (1 user → 10 lists → 5 items, memory backend, 4 shards): the Kvetch calls and shard queries of each run, " +
      "re-run as the live query does it (only the subtrees a change reached) and as a full run of the operation (`subtrees: false`). " +
      "Counted with `live.beforeRun`/`onRun` and `kvetch.counters`; the same in every process.",
    rowHeading: "Run (kind)",
    columns: [
      { title: "Kvetch calls", format: "count" },
      { title: "shard queries", format: "count" },
      { title: "full re-run: Kvetch calls", format: "count" },
      { title: "full re-run: shard queries", format: "count" },
    ],
    notes: ["Shard queries depend on how the freshly seeded ids fall on the 4 shards (each measurement seeds its own store); Kvetch calls do not."],
    rows: [row("first run", live.first, full.first), row("after one item's text changed", live.itemText, full.itemText), row("after a list was added", live.listAdded, full.listAdded)],
    date: new Date().toISOString(),
  };
}

if (process.argv[1]?.endsWith("liveRerunCalls.ts")) publishTable(await runLiveRerunCallsScenario());
