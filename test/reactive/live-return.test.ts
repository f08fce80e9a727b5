// The consumer's own return() (or throw()) ends a live query with nothing more: a result it had not taken
// yet is dropped, and next() gives { done: true } from then on. Whether the ended query still hears writes
// is told by a sentinel: a second live query on the same store that re-runs after the write.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { subscribe, type LiveRunInfo } from "../../src/index.js";
import { memoryBackend, type Kvetch } from "../../src/kvetch/index.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";

const liveView = todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live");

/** A live query, its runs (as onRun told them) and a promise of its next sent run. */
async function live(kvetch: Kvetch, userId: string) {
  const runs: LiveRunInfo[] = [];
  let sentRun: (() => void) | null = null;
  const iterator = (await subscribe({
    schema: todoSchema,
    document: parse(liveView),
    variableValues: { id: userId },
    contextValue: { kvetch },
    live: {
      source: kvetch,
      onRun: (info) => {
        runs.push(info);
        if (info.sent) sentRun?.();
      },
    },
  })) as AsyncGenerator<ExecutionResult>;
  // onRun is told just before the result is queued; a promise settled there is awaited after that.
  const nextSent = (): Promise<void> => new Promise<void>((resolve) => (sentRun = resolve));
  return { iterator, runs, nextSent };
}

/** A write to the user's item, and a sentinel live query's result for it: the store told its listeners. */
async function writeSeenBySentinel(kvetch: Kvetch, userId: string, itemId: string, text: string): Promise<void> {
  const sentinel = await live(kvetch, userId);
  await sentinel.iterator.next();
  await kvetch.updateObject("TodoItem", itemId, { text });
  const next = await sentinel.iterator.next();
  assert.is(next.done, false, "the sentinel saw the write");
  await sentinel.iterator.return(undefined);
}

test("return() with the first result not yet taken: next() is done, and a later write sends nothing", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  const userId = seed.userIds[0]!;
  const query = await live(kvetch, userId);
  await query.nextSent();
  assert.is(query.runs.length, 1);
  assert.equal(await query.iterator.return(undefined), { done: true, value: undefined });
  assert.equal(await query.iterator.next(), { done: true, value: undefined });
  await writeSeenBySentinel(kvetch, userId, seed.itemIds[0]![0]![0]!, "after return");
  assert.is(query.runs.length, 1, "no run after return()");
  assert.equal(await query.iterator.next(), { done: true, value: undefined });
});

test("return() with a re-run's result not yet taken: next() is done; the consumer saw one result", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  const userId = seed.userIds[0]!;
  const itemId = seed.itemIds[0]![0]![0]!;
  const query = await live(kvetch, userId);
  const seen: ExecutionResult[] = [];
  const first = await query.iterator.next();
  seen.push(first.value as ExecutionResult);
  const rerun = query.nextSent();
  await kvetch.updateObject("TodoItem", itemId, { text: "queued" });
  await rerun;
  assert.is(query.runs.length, 2);
  await query.iterator.return(undefined);
  for (let i = 0; i < 3; i++) {
    const next = await query.iterator.next();
    if (!next.done) seen.push(next.value);
  }
  await writeSeenBySentinel(kvetch, userId, itemId, "after return");
  assert.is(seen.length, 1);
  assert.is(query.runs.length, 2, "no run after return()");
});

for (const end of ["return", "close"] as const) {
  test(`${end === "return" ? "return()" : "the source closing"} while a re-run is in flight: onRun tells that run was not sent, and nothing more is delivered`, async () => {
    const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 }, memoryBackend({ shards: 2, latencyMs: 200 }));
    const query = await live(kvetch, seed.userIds[0]!);
    const delivered = [(await query.iterator.next()).value];
    await kvetch.updateObject("TodoItem", seed.itemIds[0]![0]![0]!, { text: "in flight" });
    const pending = query.iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 1)); // the re-run waits for its 200 ms round trips
    if (end === "return") await query.iterator.return(undefined);
    else await kvetch.close();
    for (let next = await pending; !next.done; next = await query.iterator.next()) delivered.push(next.value);
    // The re-run ends (told by onRun); waited for by its count, not by a fixed time.
    for (let waited = 0; query.runs.length < 2 && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.is(delivered.filter((value) => (value as ExecutionResult).data !== undefined).length, 1);
    // Before, the run ending after the iterator closed was told as sent, with a value no one received.
    assert.equal(query.runs.map((run) => [run.run, run.sent, run.value === null]), [[1, true, false], [2, false, true]]);
  });
}

test("throw() drops a queued result too: the call rejects with the error, then next() is done", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  const query = await live(kvetch, seed.userIds[0]!);
  await query.nextSent();
  const error = new Error("consumer gave up");
  try {
    await query.iterator.throw(error);
    assert.unreachable("throw() rejects");
  } catch (thrown) {
    assert.is(thrown, error);
  }
  assert.equal(await query.iterator.next(), { done: true, value: undefined });
});

test.run();
