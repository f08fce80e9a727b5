// What a live query keeps, in counts (spec/reactivity.md, "KeysWithoutVersions", "TrimKept",
// RouteInvalidation): a live query whose results carry no `extensions.deps` reads no dependency version
// (no Redis round trip, no tag table entry per key), the router indexes it under its state's own key array
// (each key once, one array for both), and the request it keeps holds its global values cut after the last.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Buffer } from "node:buffer";
import { parse, type ExecutionResult } from "graphql";
import { execute, subscribe } from "../../src/index.js";
import type { Kvetch } from "../../src/kvetch/index.js";
import { rerunSubtrees, runLiveQueryInFull } from "../../src/engine/live/liveRerun.js";
import type { Bucket } from "../../src/engine/execution/bucket.js";
import { liveRouterOf, type LiveSubscriber } from "../../src/engine/live/liveRouter.js";
import { textOf, type TextDictionary } from "../../src/engine/live/keptValues.js";
import type { GraphscaleExecutionArgs } from "../../src/engine/request/prepareRequest.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";
import { until } from "./liveBoard.js";
import { rememberedTagCount } from "../../src/kvetch/reactivity.js";
import { storeOf } from "../../src/kvetch/store.js";
import { keptKeyStrings } from "../../steps/kvetch/dependencies.js";

const liveView = parse(todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live"));

/** Counts the store's version reads (with and without a promise) and the keys they name. */
function countVersionReads(kvetch: Kvetch): { calls: number; keys: number } {
  const counted = { calls: 0, keys: 0 };
  const now = kvetch.dependencyVersionsNow.bind(kvetch);
  const later = kvetch.dependencyVersions.bind(kvetch);
  kvetch.dependencyVersionsNow = (keys) => ((counted.calls++, (counted.keys += keys.length)), now(keys));
  kvetch.dependencyVersions = (keys) => ((counted.calls++, (counted.keys += keys.length)), later(keys));
  return counted;
}

async function liveView1(kvetch: Kvetch, id: string, deps: boolean) {
  const results: ExecutionResult[] = [];
  const iterator = (await subscribe({ schema: todoSchema, document: liveView, variableValues: { id }, contextValue: { kvetch }, live: { source: kvetch, deps } })) as AsyncGenerator<ExecutionResult>;
  void (async () => {
    for await (const result of iterator) results.push(result);
  })();
  await until(() => results.length === 1);
  return { iterator, results };
}

test("KeysWithoutVersions: a live query without deps reads no version on its first run or its re-runs; with deps: true every key's version is read", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 5, itemsPerList: 5 });
  const reads = countVersionReads(kvetch);
  const plain = await liveView1(kvetch, seed.userIds[0]!, false);
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![1]![2]!, { text: "no versions" });
  await until(() => plain.results.length === 2);
  assert.ok(JSON.stringify(plain.results[1]!.data).includes("no versions"), "the change is shown");
  assert.is(plain.results[1]!.extensions?.deps, undefined);
  assert.equal(reads, { calls: 0, keys: 0 }, "no version read: neither the full run nor the subtree re-run");
  await plain.iterator.return(undefined);

  const withDeps = await liveView1(kvetch, seed.userIds[0]!, true);
  assert.ok(reads.calls > 0 && reads.keys >= 37, `versions read for the 37 keys: ${JSON.stringify(reads)}`);
  const deps = withDeps.results[0]!.extensions!.deps as Record<string, Record<string, number | null>>;
  const versions = Object.values(deps).flatMap((keys) => Object.values(keys));
  assert.ok(versions.length > 0 && versions.every((v) => typeof v === "number"), "extensions.deps carries a version per key");
  await withDeps.iterator.return(undefined);
  await kvetch.close();
});

test("keys held once: the router indexes a live query under its state's own key array, each key once", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 5, itemsPerList: 5 });
  const args = { schema: todoSchema, document: liveView, variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } } as GraphscaleExecutionArgs;
  const state = (await runLiveQueryInFull(args, null, false)).state!;
  const keys = state.keys();
  assert.is(keys.length, 37, "31 objects and 6 edge lists");
  assert.is(new Set(keys).size, keys.length, "each key once");
  assert.is(state.keys(), keys, "asked again: the same array");
  const router = liveRouterOf(kvetch);
  const subscriber: LiveSubscriber = { touched() {}, heardWhileRunning() {}, missed() {}, ended() {} };
  router.add(subscriber);
  router.settle(subscriber, keys);
  assert.is(router.keysOf(subscriber), keys, "the router holds the state's array, not a copy");
  router.remove(subscriber);

  // Through subscribe: the live query's router entry is its distinct keys.
  const live = await liveView1(kvetch, seed.userIds[0]!, false);
  const held = liveRouterOf(kvetch).keysOf(live.iterator as unknown as LiveSubscriber)!;
  assert.is(held.length, 37);
  assert.is(new Set(held).size, 37);
  await live.iterator.return(undefined);
  await kvetch.close();
});

test("RouteOf, KeysOfTheirOwn: 20 live views and the changes they hear add no entry to the store's remembered tags (their 6 edge keys' tags are cut from the keys) nor a key string kept by the read steps, and a change to an edge list still reaches its view", async () => {
  const { kvetch, seed } = await seededStore({ users: 20, listsPerUser: 5, itemsPerList: 5 });
  const store = storeOf.get(kvetch)!;
  const before = rememberedTagCount(store);
  const keyStringsBefore = keptKeyStrings();
  const runs = new Array<number>(20).fill(0);
  const views: AsyncGenerator<ExecutionResult>[] = [];
  for (let u = 0; u < 20; u++) {
    const live = { source: kvetch, onRun: () => void runs[u]!++ };
    const iterator = (await subscribe({ schema: todoSchema, document: liveView, variableValues: { id: seed.userIds[u] }, contextValue: { kvetch }, live })) as AsyncGenerator<ExecutionResult>;
    void (async () => {
      for await (const _ of iterator);
    })();
    views.push(iterator);
  }
  await until(() => runs.every((n) => n === 1));
  assert.is(rememberedTagCount(store) - before, 0, "no remembered tag for the views' 740 keys (120 entries before: one per edge key)");
  assert.is(keptKeyStrings() - keyStringsBefore, 0, "no key string kept by the read steps for them (KeysOfTheirOwn; 740 before)");
  // Only view 8 holds this list's edge key: the change reaches it by the key's route.
  await kvetch.invalidateDependency(`edges:list_to_item:${seed.listIds[8]![1]!}`);
  await until(() => runs[8] === 2);
  assert.equal(runs, runs.map((_, u) => (u === 8 ? 2 : 1)), "view 8 ran again, no other view did");
  assert.is(rememberedTagCount(store) - before, 0, "none after the change was heard either");
  for (const iterator of views) await iterator.return(undefined);
  // With deps: true the view's keys are the kept strings (its versions are read, its `extensions.deps` written).
  const withDeps = await liveView1(kvetch, seed.userIds[0]!, true);
  assert.is(keptKeyStrings() - keyStringsBefore, 37, "a view with deps: its 37 keys, kept for the next request");
  await withDeps.iterator.return(undefined);
  await kvetch.close();
});

test("SparseGlobals: the request a live query keeps holds no step-long arrays; its global values are kept apart and a re-run gets them back; no abort signal is kept", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 5, itemsPerList: 5 });
  const args = { schema: todoSchema, document: liveView, variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } } as GraphscaleExecutionArgs;
  const state = (await runLiveQueryInFull(args, null, false)).state!;
  assert.is(state.request.globals.length, 0, "no global value array in the kept request");
  assert.is(state.request.globalDone.length, 0, "no done mark array in the kept request");
  assert.is(state.request.controller, null, "no abort signal kept (KeptRequest)");
  const { globals, globalDone } = state.globalArrays();
  const globalIds = state.plan.steps.filter((s) => s !== null && s.isGlobal && globalDone[s.id] === true).map((s) => s!.id);
  assert.ok(globalIds.length > 0, "the view has global steps");
  assert.ok(globalIds.every((id) => state.globalDone(id)), "each done mark answered");
  assert.ok(globals.some((v) => v !== undefined), "the global values come back");
  assert.is(globalDone.length, Math.max(...globalIds) + 1, "done marks end at the last global step run");
  assert.is(state.request.deps, null, "no deps record kept");
  await kvetch.close();
});

test("KeepValuesAsText, KeptText: an idle state holds no row object — its global values and kept value arrays are one text outside the heap, read back for a re-run (2 store calls, the fresh result) and written out again", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 5, itemsPerList: 5 });
  const args = { schema: todoSchema, document: liveView, variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } } as GraphscaleExecutionArgs;
  const state = (await runLiveQueryInFull(args, null, false)).state!;
  const idle = () => {
    const held = state as unknown as { frozen: { text: Uint8Array } | null; keptGlobals: unknown[] };
    const rows: unknown[] = [];
    const walk = (b: Bucket) => {
      for (const values of b.values) if (values !== undefined) rows.push(...values);
      for (const child of b.children.values()) walk(child);
    };
    walk(state.root!);
    for (let i = 1; i < held.keptGlobals.length; i += 3) if (Array.isArray(held.keptGlobals[i])) rows.push(held.keptGlobals[i]);
    return { text: held.frozen?.text, rows };
  };
  const first = idle();
  assert.ok(first.text instanceof Uint8Array && first.text.length > 0, "the kept values are bytes outside the heap");
  assert.equal(first.rows, [], "no kept bucket or global holds an array of rows");
  const kept = state as unknown as { frozen: { globals: readonly unknown[] | null }; keptGlobals: unknown[] };
  assert.is(kept.keptGlobals.length, 0, "no SparseGlobals array held while idle: it is in the text");
  assert.is(kept.frozen.globals?.length, 4, "but for the 2 values JSON would not give back (the context, the store), as index, value pairs");
  assert.is.not(first.text!.buffer, Buffer.from("a short-lived buffer").buffer, "cut from a slab of its own, not from Node's shared pool (TextSlab)");
  assert.is(state.retained().valueArrays, 1, "the lists layer's value array is kept, in the text");
  const { globals } = state.globalArrays();
  assert.ok(globals.some((v) => Array.isArray(v) && v.length === 5), "a re-run gets the global values back (the 5 lists)");
  assert.ok(idle().text instanceof Uint8Array, "written out again");

  const itemId = seed.itemIds[0]![1]![4]!;
  await kvetch.updateObject("TodoItem", itemId, { text: "from the text" });
  const before = kvetch.counters.calls;
  const rerun = await rerunSubtrees(state, [`object:${itemId}`]);
  assert.ok(!("full" in rerun) && rerun.kind === "subtree", `a subtree re-run: ${"full" in rerun ? rerun.full : ""}`);
  assert.is(kvetch.counters.calls - before, 2, "the list's edges and nodes: 2 store calls");
  const fresh = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } });
  if (!("full" in rerun)) assert.equal(JSON.parse(JSON.stringify(rerun.result.data)), JSON.parse(JSON.stringify(fresh.data)));
  assert.ok(idle().text instanceof Uint8Array, "after the re-run, the text again");
  assert.equal(idle().rows, [], "no row object held after the re-run either");
  await kvetch.close();
});

test("DormantBuckets, PackRecords, TextDictionary: an idle state holds its buckets as numbers in a slab (no bucket object), its records 16-bit, its texts deflated against the plan's dictionary; a change wakes the buckets as they were (2 store calls, the fresh result)", async () => {
  const { kvetch, seed } = await seededStore({ users: 2, listsPerUser: 5, itemsPerList: 5 });
  const argsOf = (u: number) => ({ schema: todoSchema, document: liveView, variableValues: { id: seed.userIds[u] }, contextValue: { kvetch } }) as GraphscaleExecutionArgs;
  const other = (await runLiveQueryInFull(argsOf(0), null, false)).state!;
  const state = (await runLiveQueryInFull(argsOf(1), null, false)).state!;
  const stepsOf = (s: unknown) => (s as { siteSteps: readonly unknown[] }).siteSteps;
  assert.ok(stepsOf(state).length > 0 && stepsOf(state) === stepsOf(other), "the records' step list: one list for the plan's two live states (PackRecords)");
  const held = state as unknown as { dormant: { codes: Int16Array | Int32Array } | null; rootBucket: Bucket | null; buckets: unknown[]; siteBuckets: unknown[]; recordSites: Int16Array | Int32Array; frozen: { text: Uint8Array; dictionary: TextDictionary } };
  assert.ok(held.dormant !== null && held.dormant.codes instanceof Int16Array, "the buckets are numbers while idle, 16-bit ones (every number fits)");
  assert.is(held.rootBucket, null, "no bucket object is held");
  assert.equal([held.buckets.length, held.siteBuckets.length], [0, 0], "nor a list of them");
  assert.is.not(held.dormant!.codes.buffer, Buffer.from("a short-lived buffer").buffer, "cut from a slab (TextSlab)");
  assert.ok(held.recordSites instanceof Int16Array && held.recordSites.length === 4 * 37, "37 records, four 16-bit numbers each");
  const valuesJSON = textOf(held.frozen.text, held.frozen.dictionary);
  assert.ok(JSON.parse(valuesJSON).length > 0 && state.globalArrays().globals.length > 0, "the values' text, inflated; the globals read back");
  assert.ok(held.dormant !== null, "made dormant again once the values are written out");
  assert.ok(held.frozen.text.length * 4 < valuesJSON.length, `the kept values deflated against the plan's dictionary: ${held.frozen.text.length} bytes for ${valuesJSON.length} of JSON`);
  const counts = state.retained();
  assert.equal([counts.records, counts.buckets, counts.valueArrays], [37, 6, 1], "woken: the same 37 records, 6 buckets, one value array");
  assert.is(held.dormant, null, "awake once read");

  const itemId = seed.itemIds[1]![3]![1]!;
  await kvetch.updateObject("TodoItem", itemId, { text: "woken" });
  const before = kvetch.counters.calls;
  const rerun = await rerunSubtrees(state, [`object:${itemId}`]);
  assert.ok(!("full" in rerun) && rerun.kind === "subtree", `a subtree re-run: ${"full" in rerun ? rerun.full : ""}`);
  assert.is(kvetch.counters.calls - before, 2, "the list's edges and nodes: 2 store calls");
  const fresh = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[1] }, contextValue: { kvetch } });
  if (!("full" in rerun)) assert.equal(JSON.parse(JSON.stringify(rerun.result.data)), JSON.parse(JSON.stringify(fresh.data)));
  await kvetch.close();
});

test.run();
