// Dependent round trips, counted without a clock: the plan's depth (the longest chain of store-calling steps,
// child layers starting once their parent layer is done, as the executor runs them) and, at run time, each
// shard call's depth (1 + the deepest call finished before it started). The todo view is 3 deep: user ∥ list
// edges; lists ∥ item edges; items — with the same 5 store calls and the same answer. Inside lists too: a count
// of each list's owner goes out with the owner's load (LoadedById per entry), and a count of each list with the
// lists' node load (PrefetchBesideNodes).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLSchema, parse } from "graphql";
import { execute, explainPlan, exportPlan, getPlanCacheStats, importPlan, makeSchema, type PlanJSON, type Step } from "../../src/index.js";
import { memoryBackend, newId, type KvetchBackend, type ShardStore } from "../../src/kvetch/index.js";
import { prepareRequest } from "../../src/engine/request/prepareRequest.js";
import { LoadEdgesStep, edgeCount } from "../../steps/kvetch/index.js";
import { todoKvetchSchema, todoPlans, todoSchema, todoTypeDefs, todoViewQuery } from "../../examples/todo/schema.js";
import { naive, planned, seededStore } from "./todo.js";

/**
 * The plan's dependent round trips: a step making a store call (async, and not a reader of what a node load
 * fetched ahead for it) ends one level after its dependencies and its layer's start; a layer starts when the
 * steps of its parent layer that it needs are done (execution.md, StartChildrenEarly: every step its subtree
 * depends on, every step a boundary below reads) — or, with `wholeLayers`, when every step of its parent
 * layer is done (how layers started before).
 */
function planDepth(json: PlanJSON, wholeLayers = false): number {
  const steps = new Map(json.steps.map((s) => [s.id, s]));
  const layers = new Map(json.layers.map((l) => [l.id, l]));
  const done = new Map<number, number>();
  const layerStart = new Map<number, number>();
  const finish = (id: number): number => {
    const known = done.get(id);
    if (known !== undefined) return known;
    const step = steps.get(id)!;
    let at = start(step.layer);
    for (const d of step.dependencies) at = Math.max(at, finish(d.step));
    const storeCall = step.async && !step.optimizations.some((o) => o.startsWith("fetched ahead by"));
    done.set(id, at + (storeCall ? 1 : 0));
    return at + (storeCall ? 1 : 0);
  };
  /** The steps of layer `id` and every layer below it depend on or read at a boundary. */
  const needsOf = (id: number): number[] => {
    const out: number[] = [];
    for (const l of json.layers) {
      for (let up: number | null = l.id; up !== null; up = layers.get(up)!.parent) {
        if (up !== id) continue;
        for (const s of l.steps) for (const d of steps.get(s)!.dependencies) out.push(d.step);
        for (const read of [l.listStep, l.parentStep, l.typeStep]) if (read !== undefined) out.push(read);
        break;
      }
    }
    return out;
  };
  const start = (layerId: number): number => {
    const known = layerStart.get(layerId);
    if (known !== undefined) return known;
    const parent = layers.get(layerId)!.parent;
    let at = 0;
    if (parent !== null) {
      at = start(parent);
      const parentSteps = layers.get(parent)!.steps;
      const needed = wholeLayers ? parentSteps : needsOf(layerId).filter((s) => parentSteps.includes(s));
      for (const s of needed) at = Math.max(at, finish(s));
    }
    layerStart.set(layerId, at);
    return at;
  };
  let depth = 0;
  for (const id of steps.keys()) depth = Math.max(depth, finish(id));
  return depth;
}

/** A backend whose shard calls record their depth: 1 + the deepest call that had finished when they started. */
function depthRecording(inner: KvetchBackend): { backend: KvetchBackend; depths: number[]; reset(): void } {
  const depths: number[] = [];
  let finished = 0;
  const wrap = (shard: ShardStore): ShardStore =>
    new Proxy(shard, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const depth = finished + 1;
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) {
            depths.push(depth);
            result.then(() => void (finished = Math.max(finished, depth)), () => void (finished = Math.max(finished, depth)));
          }
          return result;
        };
      },
    });
  const backend: KvetchBackend = Object.create(inner, {
    openShards: { value: (counters: Parameters<KvetchBackend["openShards"]>[0]) => inner.openShards(counters).map(wrap) },
  });
  const reset = (): void => {
    depths.length = 0;
    finished = 0;
  };
  return { backend, depths, reset };
}

async function recordedStore(options: Parameters<typeof seededStore>[0] = {}) {
  // A small delay per shard call keeps calls of one level in flight together (no time is asserted).
  const recording = depthRecording(memoryBackend({ shards: 4, latencyMs: 5 }));
  const store = await seededStore(options, recording.backend);
  recording.reset();
  return { ...store, recording };
}

test("todo view plan: 3 dependent round trips (user ∥ list edges; lists ∥ item edges; items)", () => {
  const { json } = explainPlan(todoSchema, parse(todoViewQuery));
  assert.is(planDepth(json), 3);
  // The list level's item edges are read from what the list node load fetched beside the lists.
  const itemEdges = json.steps.filter((s) => s.class === "LoadEdges" && s.meta === "list_to_item");
  assert.is(itemEdges.length, 1);
  assert.ok(itemEdges[0]!.optimizations.some((o) => /^fetched ahead by LoadNodes\[\d+<TodoList>\]$/.test(o)), itemEdges[0]!.optimizations.join("; "));
  // The user's list edges are keyed by the id the user was loaded by: they do not wait for the user.
  const listEdges = json.steps.find((s) => s.class === "LoadEdges" && s.meta === "user_to_list")!;
  assert.ok(listEdges.optimizations.includes("keyed by the id its object was loaded by"));
  const user = json.steps.find((s) => s.class === "LoadObject")!;
  const dependsOn = (id: number, target: number): boolean => id === target || json.steps.find((s) => s.id === id)!.dependencies.some((d) => dependsOn(d.step, target));
  assert.not.ok(dependsOn(listEdges.id, user.id));
});

test("todo view at run time: shard calls are at most 3 deep, 5 store calls, the same answer as resolvers", async () => {
  const { kvetch, seed, recording } = await recordedStore({ users: 1, listsPerUser: 10, itemsPerList: 5 });
  const run = await planned(kvetch, todoViewQuery, { id: seed.userIds[0] });
  assert.is(run.result.errors, undefined);
  assert.is(run.calls, 5);
  assert.is(Math.max(...recording.depths), 3, `depths ${recording.depths}`);
  // Level 1: the user and its list edges, one shard each.
  assert.is(recording.depths.filter((d) => d === 1).length, 2);
  assert.equal(run.result, (await naive(kvetch, todoViewQuery, { id: seed.userIds[0] })).result);
});

test("a missing user: one round trip (the user ∥ its list edges), 2 calls, todoUser null", async () => {
  const { kvetch, recording } = await recordedStore();
  const run = await planned(kvetch, todoViewQuery, { id: newId() });
  assert.equal(run.result, { data: { todoUser: null } });
  assert.is(run.calls, 2);
  assert.equal(recording.depths, [1, 1]);
});

test("a request recording dependencies reads its lists itself: 4 round trips deep, same 5 data calls and answer", async () => {
  const { kvetch, seed, recording } = await recordedStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const document = parse(todoViewQuery);
  const variableValues = { id: seed.userIds[0] };
  const plain = await execute({ schema: todoSchema, document, variableValues, contextValue: { kvetch } });
  const plainDepth = Math.max(...recording.depths);
  const plainCalls = kvetch.counters.calls;
  const plainShardQueries = [...kvetch.counters.shardQueries];
  recording.reset();
  kvetch.resetCounters();
  const withDeps = (await execute({ schema: todoSchema, document, variableValues, contextValue: { kvetch }, deps: true })) as { data: unknown };
  assert.equal(JSON.parse(JSON.stringify(withDeps.data)), JSON.parse(JSON.stringify(plain.data)));
  assert.is(plainDepth, 3);
  // The same data calls, with the same shard round trips: the versions are not data calls.
  assert.is(plainCalls, 5);
  assert.is(kvetch.counters.calls, 5);
  assert.equal(kvetch.counters.shardQueries, plainShardQueries);
  // The item edges wait for the lists: their version must be read right before their own data.
  assert.is(Math.max(...recording.depths), 4, `depths ${recording.depths}`);
});

test("a list fetched ahead with its own page size: todoItems(first: 2) under every list, still 3 deep and 5 calls", async () => {
  const { kvetch, seed, recording } = await recordedStore({ users: 1, listsPerUser: 4, itemsPerList: 3 });
  const query = `query ($id: ID!) { todoUser(id: $id) { todoLists(first: 3) { name todoItems(first: 2) { text } } } }`;
  const run = await planned(kvetch, query, { id: seed.userIds[0] });
  assert.is(run.calls, 5);
  assert.is(Math.max(...recording.depths), 3);
  assert.equal(run.result.data.todoUser.todoLists.map((l: { todoItems: unknown[] }) => l.todoItems.length), [2, 2, 2]);
  // 1 user + 4 list edges (3 and one to tell hasNextPage) + 3 lists + 3 × 3 item edges + 3 × 2 items: the
  // edges are fetched for the lists' ids only, with the items' own page size.
  assert.is(run.rowsFetched, 1 + 4 + 3 + 9 + 6);
  assert.equal(run.result, (await naive(kvetch, query, { id: seed.userIds[0] })).result);
});

test("an exported todo view plan, imported into another schema instance, runs 3 deep with 5 calls", async () => {
  const { kvetch, seed, recording } = await recordedStore({ users: 1, listsPerUser: 4, itemsPerList: 2 });
  const document = parse(`${todoViewQuery}\n# exported\n`);
  const variableValues = { id: seed.userIds[0] };
  const text = exportPlan(todoSchema, document, null, variableValues);
  const copy = new GraphQLSchema({ ...todoSchema.toConfig(), extensions: todoSchema.extensions });
  assert.ok(importPlan(copy, document, text, null, variableValues));
  kvetch.resetCounters();
  const result = await execute({ schema: copy, document, variableValues, contextValue: { kvetch } });
  assert.is(getPlanCacheStats(copy).plansBuilt, 0);
  assert.is(kvetch.counters.calls, 5);
  assert.is(Math.max(...recording.depths), 3, `depths ${recording.depths}`);
  const own = await planned(kvetch, todoViewQuery, { id: seed.userIds[0] });
  assert.equal(JSON.parse(JSON.stringify(result)), own.result);
  // The imported item edges still skip the cursors nothing reads (CursorsUnread travels with the plan).
  const prepared = prepareRequest({ schema: copy, document, variableValues, contextValue: {} });
  if (!("request" in prepared)) throw new Error("request errors");
  const settings = prepared.request.plan.liveSteps().flatMap((s) => (s instanceof LoadEdgesStep ? [[s.name, s.settings.cursors !== false]] : []));
  assert.equal(Object.fromEntries(settings), { list_to_item: false, user_to_list: false });
});

/** member → loans → book → loanCount, in the todo schema: user → lists → each list's owner → the owner's list count. */
const ownerCountQuery = `query ($id: ID!) { todoUser(id: $id) { name todoLists(first: 10) { name owner { name todoListCount } } } }`;

test("a count of each list's owner (3 levels, a count at the third): 3 deep in the plan, the count beside the owner load", () => {
  const { json } = explainPlan(todoSchema, parse(ownerCountQuery));
  assert.is(planDepth(json), 3);
  const count = json.steps.find((s) => s.class === "EdgeCount")!;
  const owner = json.steps.find((s) => s.class === "LoadObject" && s.layer !== 0)!;
  assert.ok(count.optimizations.includes("keyed by the id its object was loaded by"), count.optimizations.join("; "));
  // In the owner load's own layer (the list item's), keyed by the id the owner is loaded by: not waiting for it.
  assert.is(count.layer, owner.layer);
  const dependsOn = (id: number, target: number): boolean => id === target || json.steps.find((s) => s.id === id)!.dependencies.some((d) => dependsOn(d.step, target));
  assert.not.ok(dependsOn(count.id, owner.id));
});

test("a count of each list's owner at run time: shard calls 3 deep, the same 5 store calls and answer as resolvers", async () => {
  const { kvetch, seed, recording } = await recordedStore({ users: 2, listsPerUser: 4, itemsPerList: 1 });
  const run = await planned(kvetch, ownerCountQuery, { id: seed.userIds[0] });
  assert.is(run.result.errors, undefined);
  // user, list edges, lists, owners, counts: one call each, as before the count moved beside the owner load.
  assert.is(run.calls, 5);
  assert.is(Math.max(...recording.depths), 3, `depths ${recording.depths}`);
  // Level 3: the owners and their counts, together.
  assert.is(recording.depths.filter((d) => d === 3).length, 2);
  assert.equal(run.result.data.todoUser.todoLists.map((l: { owner: { todoListCount: number } }) => l.owner.todoListCount), [4, 4, 4, 4]);
  assert.equal(run.result, (await naive(kvetch, ownerCountQuery, { id: seed.userIds[0] })).result);
});

test("a list whose owner is missing: its owner is null, the count read beside the load is never shown", async () => {
  const { kvetch, seed } = await recordedStore({ users: 1, listsPerUser: 2, itemsPerList: 1 });
  const lists = (await kvetch.getEdges("user_to_list", [seed.userIds[0]!]))[0]!;
  await kvetch.deleteObjects([seed.userIds[0]!]);
  // The lists stay (no delete rule): read them by id, each list's owner missing.
  const query = `query ($id: ID!) { todoList(id: $id) { name owner { name todoListCount } } }`;
  const listId = (lists as { edges: { toId: string }[] }).edges[0]!.toId;
  const run = await planned(kvetch, query, { id: listId });
  assert.equal(run.result, (await naive(kvetch, query, { id: listId })).result);
  assert.is(run.result.data.todoList.owner, null);
});

test("each list's owner's lists: the owner's list edges go out with the owner load, its lists' node load stays below the owner", async () => {
  const query = `query ($id: ID!) { todoUser(id: $id) { todoLists(first: 10) { name owner { todoLists(first: 2) { name } } } } }`;
  const { json } = explainPlan(todoSchema, parse(query));
  // user ∥ list edges; lists; owners ∥ their list edges; the owners' lists.
  assert.is(planDepth(json), 4);
  const owner = json.steps.find((s) => s.class === "LoadObject" && s.layer !== 0)!;
  const edges = json.steps.filter((s) => s.class === "LoadEdges" && s.layer === owner.layer);
  assert.is(edges.length, 1);
  assert.ok(edges[0]!.optimizations.includes("keyed by the id its object was loaded by"));
  const { kvetch, seed, recording } = await recordedStore({ users: 1, listsPerUser: 3, itemsPerList: 1 });
  const run = await planned(kvetch, query, { id: seed.userIds[0] });
  assert.is(run.result.errors, undefined);
  assert.is(run.calls, 6);
  assert.is(Math.max(...recording.depths), 4, `depths ${recording.depths}`);
  assert.equal(run.result, (await naive(kvetch, query, { id: seed.userIds[0] })).result);
});

/** The todo schema with each list's item count: a count keyed by the id of a node loaded behind a list. */
const itemCountSchema = makeSchema({
  typeDefs: `${todoTypeDefs}\nextend type TodoList { itemCount: Int! }`,
  planContext: { kvetchSchema: todoKvetchSchema },
  plans: { ...todoPlans, TodoList: { ...todoPlans.TodoList, itemCount: ($list: Step) => edgeCount("list_to_item", $list.get("id")) } },
});

test("a count of each list fetched beside the lists' node load: 2 deep for lists with counts, 3 with their items too", async () => {
  const counts = `query ($id: ID!) { todoUser(id: $id) { todoLists(first: 10) { name itemCount } } }`;
  const both = `query ($id: ID!) { todoUser(id: $id) { todoLists(first: 10) { name itemCount todoItems(first: 5) { text } } } }`;
  const plan = explainPlan(itemCountSchema, parse(counts)).json;
  assert.is(planDepth(plan), 2);
  const count = plan.steps.find((s) => s.class === "EdgeCount")!;
  assert.ok(count.optimizations.some((o) => /^fetched ahead by LoadNodes\[\d+<TodoList>\]$/.test(o)), count.optimizations.join("; "));
  // The lists' node load stays slim: the count reads nothing of the items but what was fetched on them.
  const nodes = plan.steps.find((s) => s.class === "LoadNodes")!;
  assert.ok(nodes.optimizations.includes("items hold their id and node only (nothing else of them is read)"));
  assert.is(planDepth(explainPlan(itemCountSchema, parse(both)).json), 3);

  const { kvetch, seed, recording } = await recordedStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const variableValues = { id: seed.userIds[0] };
  const result = (await execute({ schema: itemCountSchema, document: parse(counts), variableValues, contextValue: { kvetch } })) as { data: any };
  assert.equal(JSON.parse(JSON.stringify(result.data)).todoUser.todoLists.map((l: { itemCount: number }) => l.itemCount), [2, 2, 2]);
  // user, list edges, lists, counts — the counts in the lists' round trip.
  assert.is(kvetch.counters.calls, 4);
  assert.is(Math.max(...recording.depths), 2, `depths ${recording.depths}`);
  recording.reset();
  kvetch.resetCounters();
  const withItems = (await execute({ schema: itemCountSchema, document: parse(both), variableValues, contextValue: { kvetch } })) as { data: any };
  assert.equal(JSON.parse(JSON.stringify(withItems.data)).todoUser.todoLists.map((l: { itemCount: number; todoItems: unknown[] }) => [l.itemCount, l.todoItems.length]), [[2, 2], [2, 2], [2, 2]]);
  assert.is(kvetch.counters.calls, 6);
  assert.is(Math.max(...recording.depths), 3, `depths ${recording.depths}`);
  // Recording dependencies, each count reads its own version right before its data: one level deeper, same calls.
  recording.reset();
  kvetch.resetCounters();
  const withDeps = (await execute({ schema: itemCountSchema, document: parse(counts), variableValues, contextValue: { kvetch }, deps: true })) as { data: any };
  assert.equal(JSON.parse(JSON.stringify(withDeps.data)), JSON.parse(JSON.stringify(result.data)));
  assert.is(kvetch.counters.calls, 4);
  assert.is(Math.max(...recording.depths), 3, `depths ${recording.depths}`);
});

test("an exported plan with counts fetched ahead and counts beside their object imports and runs the same", async () => {
  const { kvetch, seed } = await recordedStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const variableValues = { id: seed.userIds[0] };
  for (const query of [`query ($id: ID!) { todoUser(id: $id) { todoLists(first: 10) { name itemCount owner { todoListCount } } } }`]) {
    const document = parse(query);
    const text = exportPlan(itemCountSchema, document, null, variableValues);
    const copy = new GraphQLSchema({ ...itemCountSchema.toConfig(), extensions: itemCountSchema.extensions });
    assert.ok(importPlan(copy, document, text, null, variableValues));
    kvetch.resetCounters();
    const imported = await execute({ schema: copy, document, variableValues, contextValue: { kvetch } });
    assert.is(getPlanCacheStats(copy).plansBuilt, 0);
    const calls = kvetch.counters.calls;
    kvetch.resetCounters();
    const own = await execute({ schema: itemCountSchema, document, variableValues, contextValue: { kvetch } });
    assert.is(calls, kvetch.counters.calls);
    assert.equal(JSON.parse(JSON.stringify(imported)), JSON.parse(JSON.stringify(own)));
  }
});

test("a child layer starts once the steps it needs are done, not its whole parent layer: the item → list → owner chain at the root does not hold up the user's lists' items", async () => {
  const query = `query ($id: ID!, $item: ID!) {
    todoUser(id: $id) { todoLists(first: 10) { name todoItems(first: 5) { text } } }
    todoItem(id: $item) { text list { name owner { name } } }
  }`;
  const { json } = explainPlan(todoSchema, parse(query));
  // The root layer ends with the user's lists (2 deep); the item's list needs only the item (1 deep).
  assert.is(planDepth(json), 3);
  assert.is(planDepth(json, true), 4);
  const { kvetch, seed, recording } = await recordedStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const item = (await kvetch.getEdges("list_to_item", [seed.listIds[0]![0]!]))[0]!.edges[0]!.toId;
  recording.reset();
  const run = await planned(kvetch, query, { id: seed.userIds[0], item });
  assert.is(run.result.errors, undefined);
  // user, list edges, lists, item edges, items; the item, its list, the list's owner: as many calls as before.
  assert.is(run.calls, 8);
  assert.is(Math.max(...recording.depths), 3, `depths ${recording.depths}`);
  assert.equal(run.result, (await naive(kvetch, query, { id: seed.userIds[0], item })).result);
});

test.run();
