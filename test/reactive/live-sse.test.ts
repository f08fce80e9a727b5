// @live over Server-Sent Events on the example server (graphql-sse's handler, its client here): a live todo
// view gets its first result, exactly one new result per mutation that changes it, none for a write that
// leaves it unchanged, and each re-run's Kvetch round trips in extensions.roundTrips.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createClient, type Client, type ExecutionResult } from "graphql-sse";
import { createServer, type RoundTrips, type RunningServer } from "../../examples/server/server.js";
import { createKvetchTodoStore, type SeededTodoStore } from "../../examples/server/kvetchTodo.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";

const liveView = todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live");

let server: RunningServer;
let store: SeededTodoStore;
let client: Client;

test.before(async () => {
  store = await createKvetchTodoStore({ shards: 4 });
  server = await createServer({ schema: todoSchema, contextFactory: () => ({ kvetch: store.kvetch }), live: store.kvetch, port: 0 });
  client = createClient({ url: `${server.url}/graphql/stream`, retryAttempts: 0 });
});

test.after(async () => {
  client.dispose();
  await server.close();
});

async function mutate(query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  assert.is(body.errors, undefined);
  return body.data;
}

/**
 * Waits until `events` has `n` entries, then asserts it has exactly `n`. The 30 s bound only keeps a broken
 * stream from hanging the run; the assertion is on the count.
 */
async function eventCount(events: unknown[], n: number): Promise<void> {
  for (let i = 0; i < 3_000 && events.length < n; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.is(events.length, n, `expected ${n} events`);
}

/** True when `done()` holds within `turns` event-loop turns (setImmediate: I/O is polled in each). */
async function within(turns: number, done: () => boolean): Promise<boolean> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  return done();
}

test("SSE live todo view: one result, then exactly one per mutation that changes it, none for one that does not", async () => {
  const userId = store.userIds[0]!;
  const events: ExecutionResult<any, { roundTrips?: RoundTrips }>[] = [];
  const iterator = client.iterate<any, { roundTrips?: RoundTrips }>({ query: liveView, variables: { id: userId } });
  const reading = (async () => {
    for await (const result of iterator) events.push(result);
  })();
  await eventCount(events, 1);
  assert.is(events[0]!.errors, undefined);
  const lists = events[0]!.data.todoUser.todoLists as { name: string; todoItems: { text: string }[] }[];
  assert.is(lists.length, 3);
  assert.is(lists[0]!.todoItems.length, 4);
  assert.is(events[0]!.extensions?.roundTrips?.storeCalls, 5, "the first run: 5 Kvetch calls");

  const listId = (await store.kvetch.getEdges("user_to_list", [userId]))[0]!.edges[0]!.toId;
  const created = await mutate(`mutation ($listId: ID!) { createTodoItem(listId: $listId, text: "over SSE") { id } }`, { listId });
  await eventCount(events, 2);
  assert.equal(events[1]!.data.todoUser.todoLists[0].todoItems.map((i: { text: string }) => i.text).at(-1), "over SSE");
  // Only the list's subtree runs again: its item edges and items, 2 Kvetch calls, not the view's 5.
  assert.is(events[1]!.extensions?.roundTrips?.storeCalls, 2, "a subtree re-run: 2 Kvetch calls");

  // The view does not show `done`: the re-run's result equals the last one and is not sent. Another user's
  // list is not read at all. Nothing arrives over 500 event-loop turns (a re-run and its event take a few),
  // and the next visible change is the next event: nothing for the two writes was sent before it.
  await mutate(`mutation ($id: ID!) { setTodoItemDone(id: $id, done: true) { id } }`, { id: created.createTodoItem.id });
  const otherList = (await store.kvetch.getEdges("user_to_list", [store.userIds[1]!]))[0]!.edges[0]!.toId;
  await mutate(`mutation ($listId: ID!) { createTodoItem(listId: $listId, text: "elsewhere") { id } }`, { listId: otherList });
  assert.not.ok(await within(500, () => events.length > 2), "no result for writes that leave the view unchanged");
  await mutate(`mutation ($userId: ID!) { createTodoList(userId: $userId, name: "fourth") { id } }`, { userId });
  await eventCount(events, 3);
  assert.is(events[2]!.data.todoUser.todoLists.length, 4);
  // One more visible change: its result is the fourth event, so the third was not sent twice.
  await mutate(`mutation ($userId: ID!) { createTodoList(userId: $userId, name: "fifth") { id } }`, { userId });
  await eventCount(events, 4);
  assert.is(events[3]!.data.todoUser.todoLists.length, 5);
  for (let i = 1; i < events.length; i++) assert.is.not(JSON.stringify(events[i]!.data), JSON.stringify(events[i - 1]!.data));
  await iterator.return?.();
  await reading;
});

test("SSE bad input: @live on a mutation is a validation error result; a plain query over the stream is one result; the server keeps serving", async () => {
  const errors: unknown[] = [];
  for await (const result of client.iterate({ query: `mutation @live { deleteTodoItem(id: "x") }` })) errors.push(...(result.errors ?? []));
  // The schema declares `directive @live on QUERY`, so validation names the mistake before anything runs.
  assert.match(JSON.stringify(errors), /Directive \\"@live\\" may not be used on MUTATION/);
  const plain: ExecutionResult<Record<string, unknown>, unknown>[] = [];
  for await (const result of client.iterate({ query: todoViewQuery, variables: { id: store.userIds[0] } })) plain.push(result);
  assert.is(plain.length, 1);
  assert.is(plain[0]!.errors, undefined);
});

test.run();
