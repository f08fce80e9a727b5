// A Kvetch that is closed ends its live queries: each iterator gives one error result (code
// LIVE_SOURCE_CLOSED, saying the store was closed) and then ends; a run in flight is not sent. Listeners of
// the closed instance hear nothing more, while another instance on the same memory backend goes on.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { subscribe } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";

const liveView = todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live");

async function live(kvetch: Kvetch, userId: string, onRun?: () => void): Promise<AsyncGenerator<ExecutionResult>> {
  return (await subscribe({
    schema: todoSchema,
    document: parse(liveView),
    variableValues: { id: userId },
    contextValue: { kvetch },
    live: { source: kvetch, onRun },
  })) as AsyncGenerator<ExecutionResult>;
}

/** Asserts `next` is the one error result a closed store ends a live query with. */
function assertClosedResult(next: IteratorResult<ExecutionResult>): void {
  assert.is(next.done, false);
  const result = next.value as ExecutionResult;
  assert.is(result.data, undefined);
  assert.is(result.errors?.length, 1);
  assert.is(result.errors![0]!.extensions?.code, "LIVE_SOURCE_CLOSED");
  assert.match(result.errors![0]!.message, /Kvetch was closed/);
}

/** `promise`, or a failure naming `what` after 30 s: a guard against a hang (an iterator that never ends), not a timing assertion. */
async function guarded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`hung waiting for ${what}`)), 30_000)));
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every result until the iterator ends (guarded against a hang). */
function drain(iterator: AsyncGenerator<ExecutionResult>): Promise<ExecutionResult[]> {
  return guarded(
    (async () => {
      const seen: ExecutionResult[] = [];
      for await (const result of iterator) seen.push(result);
      return seen;
    })(),
    "the live query to end",
  );
}

/** Bounded macrotask turns. */
async function turns(n: number): Promise<void> {
  for (let t = 0; t < n; t++) await new Promise((resolve) => setImmediate(resolve));
}

test("closing the Kvetch ends its live query: one LIVE_SOURCE_CLOSED result, then the iterator is done", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  const iterator = await live(kvetch, seed.userIds[0]!);
  const first = await iterator.next();
  assert.ok((first.value as ExecutionResult).data, "the first result");
  await kvetch.close();
  assertClosedResult(await guarded(iterator.next(), "the result after the close"));
  assert.equal(await guarded(iterator.next(), "the end"), { done: true, value: undefined });
  assert.equal(await iterator.next(), { done: true, value: undefined });
});

test("a consumer already waiting for the next result is given the error, then the end", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  const iterator = await live(kvetch, seed.userIds[0]!);
  await iterator.next();
  const waiting = iterator.next();
  await turns(5);
  await kvetch.close();
  assertClosedResult(await guarded(waiting, "the waiting result"));
  assert.equal(await guarded(iterator.next(), "the end"), { done: true, value: undefined });
});

test("a result not yet taken is still given before the error; a for-await loop ends", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  let runs = 0;
  const iterator = await live(kvetch, seed.userIds[0]!, () => void runs++);
  for (let t = 0; t < 1000 && runs === 0; t++) await turns(1);
  assert.is(runs, 1);
  await kvetch.close();
  const seen = await drain(iterator);
  assert.is(seen.length, 2);
  assert.ok(seen[0]!.data && !seen[0]!.errors, "the first run's result");
  assertClosedResult({ done: false, value: seen[1]! });
});

test("subscribing on a closed Kvetch gives the same one error, then the end", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  await kvetch.close();
  const iterator = await live(kvetch, seed.userIds[0]!);
  const seen = await drain(iterator);
  assert.is(seen.length, 1);
  assertClosedResult({ done: false, value: seen[0]! });
});

test("the closed instance's listeners stop; another instance on the same memory backend keeps its live query", async () => {
  const backend = memoryBackend({ shards: 2 });
  const closing = new Kvetch({ schema: todoKvetchSchema, backend });
  const staying = new Kvetch({ schema: todoKvetchSchema, backend });
  await staying.migrate();
  const user = await staying.createObject("User", { name: "Close", username: "close" });
  const list = await staying.createObject("TodoList", { userId: user.id, name: "Chores" });
  const item = await staying.createObject("TodoItem", { listId: list.id, text: "sweep", done: false });

  let heardByClosing = 0;
  let heardByStaying = 0;
  closing.onInvalidate(() => void heardByClosing++);
  staying.onInvalidate(() => void heardByStaying++);
  const kept = await live(staying, user.id);
  const gone = await live(closing, user.id);
  await Promise.all([kept.next(), gone.next()]);

  await staying.updateObject("TodoItem", item.id, { text: "mop" });
  assert.is(heardByClosing, 1);
  assert.is(heardByStaying, 1);
  await closing.close();
  // The re-run for "mop" may have been sent before the close; whatever came, the error is last.
  const seen = await drain(gone);
  assert.ok(seen.length === 1 || seen.length === 2, `${seen.length} results after the close`);
  if (seen.length === 2) assert.ok(seen[0]!.data && !seen[0]!.errors);
  assertClosedResult({ done: false, value: seen.at(-1)! });

  await staying.updateObject("TodoItem", item.id, { text: "dust" });
  assert.is(heardByClosing, 1, "a closed instance's listener hears nothing more");
  assert.is(heardByStaying, 2);
  // The other instance's live query goes on: it shows the later write.
  let text: string | undefined;
  for (let i = 0; i < 10 && text !== "dust"; i++) {
    const next = await kept.next();
    text = ((next.value as ExecutionResult).data as any)?.todoUser?.todoLists[0]?.todoItems[0]?.text;
  }
  assert.is(text, "dust");
  await kept.return(undefined);
  await staying.close();
});

test.run();
