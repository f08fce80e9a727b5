// Missing objects through the Kvetch steps: a missing or wrongly typed id is null, a malformed one null with
// its own error. A read keyed by the id the object was loaded by runs beside the object load, in the same
// round trip, and its result is never shown (the null object hides it); nothing behind that read, and nothing
// else planned below, reaches the store. Every case counts its store calls.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { newId } from "../../src/kvetch/index.js";
import { each } from "../../steps/index.js";
import { edgeCount, loadEdges } from "../../steps/kvetch/index.js";
import { todoKvetchSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { naive, planned, seededStore } from "./todo.js";

const LIST_WITH_OWNER = `query ($id: ID!) {
  todoList(id: $id) { name owner { name todoLists { name todoItems { text } } } todoItems(first: 2) { text } }
}`;

test("missing user: todoUser is null after 2 calls in one round trip (user, list edges by its id); no list or item load runs", async () => {
  const { kvetch } = await seededStore();
  const run = await planned(kvetch, todoViewQuery, { id: newId() });
  assert.equal(run.result, { data: { todoUser: null } });
  assert.is(run.calls, 2);
  assert.is(run.shardQueries.reduce((a, b) => a + b, 0), 2);
  assert.equal(run.result, (await naive(kvetch, todoViewQuery, { id: newId() })).result);
});

test("malformed id: todoUser is null with an error saying what and where, without any store call", async () => {
  const { kvetch } = await seededStore();
  const run = await planned(kvetch, todoViewQuery, { id: "not-a-uuid" });
  assert.equal(run.result.data, { todoUser: null });
  assert.is(run.result.errors!.length, 1);
  assert.is(run.result.errors![0]!.message, 'Kvetch: "not-a-uuid" is not a UUID (expected 8-4-4-4-12 hex) in loadObject("User")');
  assert.equal(run.result.errors![0]!.path, ["todoUser"]);
  assert.is(run.calls, 0);
});

test("a malformed id beside good ones: only its own field fails, and it costs no store call", async () => {
  const { kvetch, seed } = await seededStore();
  const query = `query ($a: ID!, $b: ID!, $c: ID!) { a: todoItem(id: $a) { text } b: todoItem(id: $b) { text } c: todoItem(id: $c) { text } }`;
  const run = await planned(kvetch, query, { a: seed.itemIds[0]![0]![0], b: "42", c: seed.itemIds[0]![0]![1] });
  assert.equal(run.result.data, { a: { text: "list 1, item 1" }, b: null, c: { text: "list 1, item 2" } });
  assert.equal(run.result.errors!.map((e) => [e.path, e.message]), [[["b"], 'Kvetch: "42" is not a UUID (expected 8-4-4-4-12 hex) in loadObject("TodoItem")']]);
  assert.is(run.calls, 2); // one object load per aliased field with a UUID: a and c
});

test("an object of another type is null: a list's id given to todoUser (user and list edges, 2 calls)", async () => {
  const { kvetch, seed } = await seededStore();
  const run = await planned(kvetch, todoViewQuery, { id: seed.listIds[0]![0] });
  assert.equal(run.result, { data: { todoUser: null } });
  assert.is(run.calls, 2);
});

test("a list whose owner was deleted: owner is null, the owner's lists are never loaded", async () => {
  const { kvetch, seed } = await seededStore();
  await kvetch.deleteObject(seed.userIds[0]!);
  const id = seed.listIds[0]![1];
  const run = await planned(kvetch, LIST_WITH_OWNER, { id });
  assert.equal(run.result, {
    data: { todoList: { name: "Alice's list 2", owner: null, todoItems: [{ text: "list 2, item 1" }, { text: "list 2, item 2" }] } },
  });
  // list ∥ its item edges; then items ∥ owner (missing) ∥ the owner's list edges by the id it was loaded by
  // (discarded) — the node load behind those edges needs the owner, so it never runs.
  assert.is(run.calls, 5);
  assert.equal(run.result, (await naive(kvetch, LIST_WITH_OWNER, { id })).result);
});

test("a deleted list: todoList is null after one round trip (list, item edges); its items are never loaded", async () => {
  const { kvetch, seed } = await seededStore();
  const id = seed.listIds[0]![0]!;
  await kvetch.deleteObject(id);
  const run = await planned(kvetch, LIST_WITH_OWNER, { id });
  assert.equal(run.result, { data: { todoList: null } });
  // The items still name the list, so its derived item edges are found — and discarded.
  assert.is(run.calls, 2);
  assert.ok(run.rowsFetched > 0);
});

test("deleting a list drops it from its owner's view (derived edge removed); still 5 calls", async () => {
  const { kvetch, seed } = await seededStore();
  await kvetch.deleteObject(seed.listIds[0]![4]!);
  const run = await planned(kvetch, todoViewQuery, { id: seed.userIds[0] });
  assert.is(run.result.data.todoUser.todoLists.length, 9);
  assert.not.ok(run.result.data.todoUser.todoLists.some((l: { name: string }) => l.name === "Alice's list 5"));
  assert.is(run.calls, 5);
  assert.equal(run.result, (await naive(kvetch, todoViewQuery, { id: seed.userIds[0] })).result);
});

test("no kvetch in the context: an error at the field saying how to provide one", async () => {
  const { execute } = await import("../../src/index.js");
  const { parse } = await import("graphql");
  const { todoSchema } = await import("../../examples/todo/schema.js");
  const result = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: newId() }, contextValue: {} });
  assert.equal(JSON.parse(JSON.stringify(result.data)), { todoUser: null });
  assert.match(result.errors![0]!.message, /needs a Kvetch store.*contextValue: \{ kvetch \}/);
});

test("loadEdges and edgeCount keyed by a client's id: an id that is not a UUID is that entry's error, with no query", async () => {
  const { kvetch, seed } = await seededStore();
  const schema = makeSchema({
    typeDefs: `type Query { listIdsOf(userId: ID!): [ID!] listCountOf(userId: ID!): Int }`,
    planContext: { kvetchSchema: todoKvetchSchema },
    plans: {
      Query: {
        listIdsOf: (_$root: Step, args: FieldArgs) => each(loadEdges("user_to_list", args.get("userId"), { first: 2 }), ($edge) => $edge.get("toId")),
        listCountOf: (_$root: Step, args: FieldArgs) => edgeCount("user_to_list", args.get("userId")),
      },
    },
  });
  const document = parse(`query ($a: ID!, $b: ID!) { a: listIdsOf(userId: $a) b: listIdsOf(userId: $b) c: listCountOf(userId: $a) d: listCountOf(userId: $b) }`);
  kvetch.resetCounters();
  const result = JSON.parse(JSON.stringify(await execute({ schema, document, variableValues: { a: seed.userIds[0], b: "user-7" }, contextValue: { kvetch } })));
  assert.equal(result.data, { a: seed.listIds[0]!.slice(0, 2), b: null, c: 10, d: null });
  assert.equal(result.errors.map((e: { path: unknown; message: string }) => [e.path, e.message]), [
    [["b"], 'Kvetch: "user-7" is not a UUID (expected 8-4-4-4-12 hex) in loadEdges("user_to_list")'],
    [["d"], 'Kvetch: "user-7" is not a UUID (expected 8-4-4-4-12 hex) in edgeCount("user_to_list")'],
  ]);
  assert.is(kvetch.counters.calls, 2); // a's edges and c's count; nothing for b and d
});

test.run();
