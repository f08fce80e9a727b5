// Live queries over the memory backend: re-run when a dependency moved, sent only when the result changed,
// and after random writes settle every live query's last result equals a fresh execute.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, subscribe } from "../../src/index.js";
import type { Kvetch } from "../../src/kvetch/index.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";

const liveView = todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live");

interface Watched {
  last: ExecutionResult | null;
  sent: string[];
  runs: number;
  /** Re-runs by kind (the first run left out). */
  kinds: { full: number; subtree: number };
  stop: () => Promise<unknown>;
}

async function watch(kvetch: Kvetch, userId: string): Promise<Watched> {
  const watched: Watched = { last: null, sent: [], runs: 0, kinds: { full: 0, subtree: 0 }, stop: async () => undefined };
  const iterator = (await subscribe({
    schema: todoSchema,
    document: parse(liveView),
    variableValues: { id: userId },
    contextValue: { kvetch },
    live: {
      source: kvetch,
      onRun: ({ run, kind }) => {
        watched.runs++;
        if (run > 1) watched.kinds[kind]++;
      },
    },
  })) as AsyncGenerator<ExecutionResult>;
  assert.type(iterator.next, "function");
  watched.stop = () => iterator.return(undefined);
  void (async () => {
    for await (const result of iterator) {
      watched.last = result;
      watched.sent.push(JSON.stringify(result.data));
    }
  })();
  return watched;
}

async function fresh(kvetch: Kvetch, userId: string): Promise<string> {
  const result = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: userId }, contextValue: { kvetch } });
  return JSON.stringify(result.data);
}

/** Macrotask turns until every live query shows what a fresh execute shows (bounded; no clock involved). */
async function settle(kvetch: Kvetch, all: { w: Watched; user: string }[]): Promise<number> {
  let behind = all.length;
  for (let turn = 0; turn < 2000 && behind > 0; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    behind = 0;
    for (const { w, user } of all) if (w.last === null || JSON.stringify(w.last.data) !== (await fresh(kvetch, user))) behind++;
  }
  return behind;
}

test("live todo view: one result first, a new one after a dependency moved, none after an unrelated write", async () => {
  const { kvetch, seed } = await seededStore({ users: 2, listsPerUser: 2, itemsPerList: 2 });
  const w = await watch(kvetch, seed.userIds[0]!);
  assert.is(await settle(kvetch, [{ w, user: seed.userIds[0]! }]), 0);
  assert.is(w.sent.length, 1);
  await kvetch.updateObject("TodoItem", seed.itemIds[1]![0]![0]!, { text: "other user's item" });
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![1]![0]!, { text: "changed" });
  assert.is(await settle(kvetch, [{ w, user: seed.userIds[0]! }]), 0);
  assert.is(w.sent.length, 2);
  assert.is(w.runs, 2);
  assert.is((w.last!.data as any).todoUser.todoLists[1].todoItems[0].text, "changed");
  await w.stop();
});

test("50 live queries and 2,000 random writes (memory): 0 missed updates, no result sent twice unchanged, most re-runs subtree re-runs", async () => {
  const { kvetch, seed } = await seededStore({ users: 10, listsPerUser: 3, itemsPerList: 3 });
  const all: { w: Watched; user: string }[] = [];
  for (let q = 0; q < 50; q++) all.push({ w: await watch(kvetch, seed.userIds[q % 10]!), user: seed.userIds[q % 10]! });
  let rnd = 7;
  // The high bits: an LCG's low bits repeat with a short period.
  const next = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), Math.floor(rnd / 65536) % n);
  const items = seed.itemIds.flat(2);
  for (let i = 0; i < 2000; i++) {
    const u = next(10);
    const list = seed.listIds[u]![next(3)]!;
    const kind = next(20);
    if (kind < 6) await kvetch.updateObject("TodoItem", items[next(items.length)]!, { text: `write ${i}` });
    else if (kind < 12) items.push((await kvetch.createObject("TodoItem", { listId: list, text: `new ${i}` })).id);
    else if (kind < 18) await kvetch.updateObject("TodoItem", items[next(items.length)]!, { listId: list });
    else if (kind === 18) await kvetch.updateObject("User", seed.userIds[u]!, { name: `user ${i}` }); // a full run
    else await kvetch.createObject("TodoList", { userId: seed.userIds[u]!, name: `list ${i}` }); // the lists' field
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  assert.is(await settle(kvetch, all), 0, "live queries behind a fresh execute");
  const kinds = { full: 0, subtree: 0 };
  for (const { w } of all) {
    for (let s = 1; s < w.sent.length; s++) assert.is.not(w.sent[s], w.sent[s - 1], "a result sent twice unchanged");
    kinds.full += w.kinds.full;
    kinds.subtree += w.kinds.subtree;
  }
  // The user renames (1 write in 20) are full runs; everything else re-runs a subtree.
  assert.ok(kinds.subtree > 2 * kinds.full && kinds.full > 0, `re-runs by kind: ${JSON.stringify(kinds)}`);
  await Promise.all(all.map(({ w }) => w.stop()));
});

test("a consumer that does not read holds one result: runs wait for it, and the writes meanwhile come as one run", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 2 });
  const user = seed.userIds[0]!;
  let runs = 0;
  const iterator = (await subscribe({
    schema: todoSchema,
    document: parse(liveView),
    variableValues: { id: user },
    contextValue: { kvetch },
    live: { source: kvetch, onRun: () => void runs++ },
  })) as AsyncGenerator<ExecutionResult>;
  const turns = async (n: number) => {
    for (let t = 0; t < n; t++) await new Promise((resolve) => setImmediate(resolve));
  };
  const first = await iterator.next();
  assert.is(JSON.stringify((first.value as ExecutionResult).data), await fresh(kvetch, user));
  // Not read from here on: the first write's run fills the one place, later writes run nothing yet.
  for (let i = 0; i < 10; i++) {
    await kvetch.updateObject("TodoItem", seed.itemIds[0]![i % 2]![0]!, { text: `write ${i}` });
    await turns(50);
  }
  assert.is(runs, 2, "the first run and the one whose result waits");
  const second = await iterator.next();
  assert.is.not(JSON.stringify((second.value as ExecutionResult).data), await fresh(kvetch, user), "the waiting result is from before the later writes");
  const third = await iterator.next();
  assert.is(JSON.stringify((third.value as ExecutionResult).data), await fresh(kvetch, user));
  assert.is(runs, 3, "the nine later writes made one run");
  await iterator.return(undefined);
});

test("bad input: @live on a mutation or a subscription, or without a source, is a clear error", async () => {
  const { kvetch } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  const mutation = (await subscribe({ schema: todoSchema, document: parse(`mutation @live { deleteTodoItem(id: "x") }`), contextValue: { kvetch }, live: { source: kvetch } })) as ExecutionResult;
  assert.match(mutation.errors![0]!.message, /@live works on queries only; this operation is a mutation/);
  const noSource = (await subscribe({ schema: todoSchema, document: parse(`query @live { __typename }`), contextValue: { kvetch } })) as ExecutionResult;
  assert.match(noSource.errors![0]!.message, /@live needs a source of invalidations/);
});

test.run();
