// Derived edges through the Kvetch steps: the edge rows are read without the store's own re-check, and the
// objects loaded right behind them re-check each row against canonical data — a stale row (a write that
// stopped between its canonical and derived step) is dropped from the list, never shown as a null item.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Kvetch } from "../../src/kvetch/index.js";
import { todoViewQuery } from "../../examples/todo/schema.js";
import { moveButCrash, naive, planned, seededStore, shardsOf, sum } from "./todo.js";

const names = (lists: { name: string }[]): string[] => lists.map((l) => l.name);

test("a stale user_to_list row is dropped from the owner's view; still 5 calls, no object read twice", async () => {
  const { kvetch, seed } = await seededStore({ users: 2, listsPerUser: 10, itemsPerList: 5 });
  const [alice, bob] = seed.userIds as [string, string];
  const moved = seed.listIds[0]![1]!;
  await moveButCrash(kvetch, "TodoList", moved, { userId: bob });

  const run = await planned(kvetch, todoViewQuery, { id: alice });
  assert.is(run.result.errors, undefined);
  assert.is(run.result.data.todoUser.todoLists.length, 9);
  assert.not.ok(names(run.result.data.todoUser.todoLists).includes("Alice's list 2"));
  assert.is(run.calls, 5);
  // The edge query reads edge rows only: the lists are read once, by the load behind it (10 ids, stale one
  // included), and their item edges beside them, for the same 10 ids (fetched before the re-check drops one).
  const lists = seed.listIds[0]!;
  const items = seed.itemIds[0]!.filter((_, l) => l !== 1).flat();
  assert.is(sum(run.shardQueries), 1 + 1 + shardsOf(kvetch, lists) + shardsOf(kvetch, lists) + shardsOf(kvetch, items));
  // The store's own re-check (what per-field resolvers get from getEdges) drops the same row.
  assert.equal(run.result, (await naive(kvetch, todoViewQuery, { id: alice })).result);
});

test("the moved list shows up for its new owner once repair restores the derived row", async () => {
  const { kvetch, seed } = await seededStore({ users: 2, listsPerUser: 3, itemsPerList: 1 });
  const [alice, bob] = seed.userIds as [string, string];
  await moveButCrash(kvetch, "TodoList", seed.listIds[0]![0]!, { userId: bob });
  const before = await planned(kvetch, todoViewQuery, { id: bob });
  assert.equal(names(before.result.data.todoUser.todoLists), ["User 2's list 1", "User 2's list 2", "User 2's list 3"]);
  await kvetch.repair();
  const after = await planned(kvetch, todoViewQuery, { id: bob });
  assert.is(after.result.data.todoUser.todoLists.length, 4);
  assert.ok(names(after.result.data.todoUser.todoLists).includes("Alice's list 1"));
  const alices = await planned(kvetch, todoViewQuery, { id: alice });
  assert.equal(names(alices.result.data.todoUser.todoLists), ["Alice's list 2", "Alice's list 3"]);
});

test("a stale list_to_item row is dropped from its old list's items in the same single items call", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 3 });
  const item = seed.itemIds[0]![0]![1]!;
  await moveButCrash(kvetch, "TodoItem", item, { listId: seed.listIds[0]![1]! });
  const run = await planned(kvetch, todoViewQuery, { id: seed.userIds[0] });
  const [first, second] = run.result.data.todoUser.todoLists;
  assert.equal(first.todoItems, [{ text: "list 1, item 1" }, { text: "list 1, item 3" }]);
  assert.is(second.todoItems.length, 3);
  assert.is(run.calls, 5);
});

test("connection page with a stale row: the page is shorter, and endCursor continues after the row read", async () => {
  const { kvetch, seed } = await seededStore({ users: 2, listsPerUser: 6, itemsPerList: 1 });
  const [alice, bob] = seed.userIds as [string, string];
  await moveButCrash(kvetch, "TodoList", seed.listIds[0]![1]!, { userId: bob });
  const query = `query ($id: ID!, $after: String) { todoUser(id: $id) { todoListsConnection(first: 3, after: $after) {
    edges { node { name } } pageInfo { hasNextPage endCursor } } } }`;
  const page = await planned(kvetch, query, { id: alice });
  const connection = page.result.data.todoUser.todoListsConnection;
  assert.equal(connection.edges.map((e: { node: { name: string } }) => e.node.name), ["Alice's list 1", "Alice's list 3"]);
  assert.is(connection.pageInfo.hasNextPage, true);
  const next = await planned(kvetch, query, { id: alice, after: connection.pageInfo.endCursor });
  assert.equal(
    next.result.data.todoUser.todoListsConnection.edges.map((e: { node: { name: string } }) => e.node.name),
    ["Alice's list 4", "Alice's list 5", "Alice's list 6"],
  );
  assert.is(next.calls, 3);
});

test.run();
