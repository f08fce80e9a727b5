// Multiplexed re-runs (spec/reactivity.md, MultiplexReruns): the live queries one invalidation reaches re-run
// together, each step's store call made once for all of them, and each still gets its own result.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { subscribe } from "../../src/index.js";
import type { Kvetch } from "../../src/kvetch/index.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";
import { until } from "./liveBoard.js";

const liveView = parse(todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live"));

/** Live todo views (one per given user id), their results, and each one's runs by kind. */
async function watch(kvetch: Kvetch, users: readonly string[], multiplex = true) {
  const sent: ExecutionResult[][] = users.map(() => []);
  const kinds: string[][] = users.map(() => []);
  const iterators: AsyncGenerator<ExecutionResult>[] = [];
  for (let u = 0; u < users.length; u++) {
    const live = { source: kvetch, multiplex, onRun: (info: { kind: string }) => void kinds[u]!.push(info.kind) };
    const iterator = (await subscribe({ schema: todoSchema, document: liveView, variableValues: { id: users[u] }, contextValue: { kvetch }, live })) as AsyncGenerator<ExecutionResult>;
    iterators.push(iterator);
    void (async () => {
      for await (const result of iterator) sent[u]!.push(result);
    })();
  }
  assert.ok(await until(() => sent.every((s) => s.length === 1), 20_000));
  return { sent, kinds, stop: () => Promise.all(iterators.map((it) => it.return(undefined))) };
}

/** Store calls made until every view has made `n` runs. */
async function callsUntil(kvetch: Kvetch, runs: unknown[][], n: number, write: () => Promise<unknown>): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  kvetch.resetCounters();
  await write();
  assert.ok(await until(() => runs.every((r) => r.length === n), 20_000), "every live query ran again");
  await new Promise((resolve) => setImmediate(resolve));
  return kvetch.counters.calls;
}

test("multiplexed: 1,000 live todo views (1,000 users) reached by one invalidation make one store call per step in all; each sends its own item", async () => {
  const { kvetch, seed } = await seededStore({ users: 1000, listsPerUser: 2, itemsPerList: 2 });
  const one = await watch(kvetch, seed.userIds.slice(0, 1));
  const alone = await callsUntil(kvetch, one.kinds, 2, () => kvetch.updateObject("TodoItem", seed.itemIds[0]![1]![0]!, { text: "alone" }));
  assert.is(one.kinds[0]!.at(-1), "subtree");
  await one.stop();
  const live = await watch(kvetch, seed.userIds);
  const items = seed.itemIds.map((lists) => lists[1]![0]!);
  // One write path touching an item in every view: invalidateDependency bumps them in one call.
  const calls = await callsUntil(kvetch, live.kinds, 2, () => kvetch.invalidateDependency(...items.map((id) => `object:${id}`)));
  assert.ok(alone >= 1);
  assert.ok(calls - 1 <= 2 * alone, `${calls - 1} store calls for 1,000 re-runs (one alone makes ${alone}); the invalidation itself is 1`);
  assert.ok(live.kinds.every((k) => k.at(-1) === "subtree"), "subtree re-runs");
  await live.stop();
});

test("multiplexed: 1,000 live views of one user (one operation) reached by one write re-run in full with ≤ 2 store calls per step; each result its own", async () => {
  const { kvetch, seed } = await seededStore({ users: 2, listsPerUser: 3, itemsPerList: 2 });
  const users = Array.from({ length: 1000 }, (_, i) => seed.userIds[i % 2]!);
  const live = await watch(kvetch, users);
  const calls = await callsUntil(kvetch, live.kinds.filter((_, i) => i % 2 === 0), 2, () => kvetch.updateObject("User", seed.userIds[0]!, { name: "Multiplexed" }));
  // The todo view is 5 steps, each a store call when run alone; the write is 1 (+ its read of the user).
  assert.ok(calls <= 2 + 2 * 5, `${calls} store calls for 500 full re-runs`);
  for (let i = 0; i < 1000; i++) {
    const name = (live.sent[i]!.at(-1)!.data as any).todoUser.name;
    assert.is(name === "Multiplexed", i % 2 === 0, `view ${i} shows its own user`);
  }
  assert.is(live.sent.filter((s, i) => i % 2 === 1 && s.length !== 1).length, 0, "the other user's views sent nothing");
  await live.stop();
});

test("not multiplexed (live.multiplex: false): the same wave makes a store call per live query", async () => {
  const { kvetch, seed } = await seededStore({ users: 50, listsPerUser: 1, itemsPerList: 1 });
  const live = await watch(kvetch, seed.userIds, false);
  const items = seed.itemIds.map((lists) => lists[0]![0]!);
  const calls = await callsUntil(kvetch, live.kinds, 2, () => kvetch.invalidateDependency(...items.map((id) => `object:${id}`)));
  assert.ok(calls - 1 >= 50, `${calls - 1} store calls for 50 re-runs`);
  await live.stop();
});

test.run();
