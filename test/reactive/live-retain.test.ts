// What a live query keeps between runs (spec/reactivity.md, "Retention"): one record per dependency site
// in flat arrays (paths and versions only with deps), values only in the layers a re-run starts in or
// above (KeptLayers, ThinBucket), and past the retainEntries budget only its keys. Subtree re-runs still
// make the same store calls and give the result a full run gives.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, subscribe } from "../../src/index.js";
import { rerunSubtrees, runLiveQueryInFull } from "../../src/engine/live/liveRerun.js";
import type { GraphscaleExecutionArgs } from "../../src/engine/request/prepareRequest.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";
import { until } from "./liveBoard.js";

const liveView = parse(todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live"));

/** The number of (path, key) pairs of a result's `extensions.deps`. */
function depCount(result: ExecutionResult): number {
  const deps = result.extensions!.deps as Record<string, Record<string, unknown>>;
  return Object.values(deps).reduce((n, keys) => n + Object.keys(keys).length, 0);
}

test("retention: the board view keeps one record per dependency and only its lists layer's items; an item's text re-runs one list with 2 store calls, equal to a fresh run", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 5, itemsPerList: 5 });
  const args = { schema: todoSchema, document: liveView, variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } } as GraphscaleExecutionArgs;
  const first = await runLiveQueryInFull(args, null, false);
  const state = first.state!;
  const kept = state.retained();
  assert.is(kept.records, depCount(first.result), "one record per dependency site");
  assert.is(kept.paths, 0, "no paths or versions kept without live: { deps: true }");
  assert.is(kept.buckets, 6);
  assert.is(kept.entries, 1 + 1 + 5 + 5 + 25 + 25);
  // The lists layer (only its item re-runs start there: ItemOnlyLayer) keeps its item, not the values of
  // its executed steps (an item re-run runs them again); the layers below, none.
  assert.is(kept.valueArrays, 1);
  assert.is(kept.layersWithValues.length, 1);
  assert.is(state.extensions, undefined, "no extensions.deps kept");

  const withDeps = (await runLiveQueryInFull(args, null, true)).state!.retained();
  assert.is(withDeps.paths, withDeps.records, "with deps: a path per record");

  const itemId = seed.itemIds[0]![2]![3]!;
  await kvetch.updateObject("TodoItem", itemId, { text: "kept small" });
  const before = kvetch.counters.calls;
  const rerun = await rerunSubtrees(state, [`object:${itemId}`]);
  assert.ok(!("full" in rerun), `a subtree re-run: ${"full" in rerun ? rerun.full : ""}`);
  if ("full" in rerun) return;
  assert.is(rerun.kind, "subtree");
  assert.equal(rerun.paths, ["todoUser.todoLists.2"]);
  assert.is(kvetch.counters.calls - before, 2, "the list's edges and nodes: 2 store calls, as before retention was cut");
  const fresh = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } });
  assert.equal(JSON.parse(JSON.stringify(rerun.result.data)), JSON.parse(JSON.stringify(fresh.data)));
  const after = state.retained();
  assert.is(after.records, kept.records, "the re-run's records replace the list's old ones");
  assert.is(after.valueArrays, kept.valueArrays, "the new buckets below the re-run list keep no values");
  assert.is(after.buckets, kept.buckets + 3, "the three layers below the re-run list, beside the old buckets (the other lists live in them)");

  // A second change in the same list re-runs it again from the slice's kept values.
  const other = seed.itemIds[0]![2]![0]!;
  await kvetch.updateObject("TodoItem", other, { text: "again" });
  const calls = kvetch.counters.calls;
  const again = await rerunSubtrees(state, [`object:${other}`]);
  assert.ok(!("full" in again) && again.kind === "subtree");
  assert.is(kvetch.counters.calls - calls, 2);
  const fresher = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } });
  if (!("full" in again)) assert.equal(JSON.parse(JSON.stringify(again.result.data)), JSON.parse(JSON.stringify(fresher.data)));
  await kvetch.close();
});

test("retention budget: a run opening more list entries than retainEntries keeps only its keys and re-runs in full; at the budget it keeps its state", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 5, itemsPerList: 5 });
  // The view opens 30 list entries (5 lists, 25 items).
  for (const [budget, kind] of [[29, "full"], [30, "subtree"]] as const) {
    const runs: Array<{ kind: string; reason?: string }> = [];
    const iterator = (await subscribe({
      schema: todoSchema,
      document: liveView,
      variableValues: { id: seed.userIds[0] },
      contextValue: { kvetch },
      live: { source: kvetch, retainEntries: budget, onRun: (info) => void runs.push({ kind: info.kind, reason: info.reason }) },
    })) as AsyncGenerator<ExecutionResult>;
    await iterator.next();
    await kvetch.updateObject("TodoItem", seed.itemIds[0]![1]![1]!, { text: `budget ${budget}` });
    const next = await iterator.next();
    assert.ok(JSON.stringify(next.value).includes(`budget ${budget}`));
    assert.ok(await until(() => runs.length === 2));
    assert.is(runs[1]!.kind, kind, `retainEntries ${budget}`);
    if (kind === "full") assert.is(runs[1]!.reason, "the last run kept nothing to re-run");
    await iterator.return(undefined);
  }
  await kvetch.close();
});

test.run();
