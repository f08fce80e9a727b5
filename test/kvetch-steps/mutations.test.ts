// Write steps in mutation plans: each writes its whole layer with one store call, and what a mutation
// wrote is visible to the next read at once (read your writes), including in the same operation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { newId } from "../../src/kvetch/index.js";
import { planned, seededStore } from "./todo.js";

const ITEMS = `query ($id: ID!) { todoList(id: $id) { name todoItems(first: 10) { id text done } } }`;
const VIEW = `query ($id: ID!) { todoUser(id: $id) { todoLists(first: 10) { name todoItems(first: 10) { text } } } }`;

test("createTodoItem: 2 calls (list check, create); the new item is in the list view right after", async () => {
  const { kvetch, seed } = await seededStore();
  const listId = seed.listIds[0]![2];
  const created = await planned(kvetch, `mutation ($listId: ID!) { createTodoItem(listId: $listId, text: "buy milk") { id text done } }`, { listId });
  assert.is(created.result.errors, undefined);
  assert.equal(created.result.data.createTodoItem.text, "buy milk");
  assert.is(created.result.data.createTodoItem.done, false);
  assert.is(created.calls, 2);
  const view = await planned(kvetch, VIEW, { id: seed.userIds[0] });
  const items = view.result.data.todoUser.todoLists[2].todoItems;
  assert.is(items.length, 6);
  assert.equal(items[5], { text: "buy milk" });
  assert.is(view.calls, 5);
});

test("createTodoItem into a missing list: an error at the field, nothing written, one call", async () => {
  const { kvetch } = await seededStore();
  const run = await planned(kvetch, `mutation ($listId: ID!) { createTodoItem(listId: $listId, text: "x") { id } }`, { listId: newId() });
  assert.equal(run.result.data, { createTodoItem: null });
  assert.match(run.result.errors![0]!.message, /no todo list with that listId/);
  assert.equal(run.result.errors![0]!.path, ["createTodoItem"]);
  assert.is(run.calls, 1);
});

test("createTodoItems: three items written by one createObjects call (the write step runs once per layer)", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 0 });
  const listId = seed.listIds[0]![0];
  const run = await planned(kvetch, `mutation ($listId: ID!) { createTodoItems(listId: $listId, texts: ["a", "b", "c"]) { text } }`, { listId });
  assert.equal(run.result, { data: { createTodoItems: [{ text: "a" }, { text: "b" }, { text: "c" }] } });
  // list check + one createObjects
  assert.is(run.calls, 2);
  const items = await planned(kvetch, ITEMS, { id: listId });
  assert.equal(items.result.data.todoList.todoItems.map((i: { text: string }) => i.text), ["a", "b", "c"]);
});

test("createTodoItems into a missing list: each item's error names createTodoItems, the non-null list nulls the response, nothing written", async () => {
  const { kvetch } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 0 });
  const run = await planned(kvetch, `mutation ($listId: ID!) { createTodoItems(listId: $listId, texts: ["a", "b"]) { id } }`, { listId: newId() });
  assert.is(run.result.data, null);
  assert.ok(run.result.errors!.length >= 1);
  for (const error of run.result.errors!) {
    assert.is(error.message, "createTodoItems: there is no todo list with that listId.");
    assert.is(error.path![0], "createTodoItems");
  }
  assert.is(run.calls, 1);
});

test("mutation fields run in order and each sees the writes before it", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 0 });
  const listId = seed.listIds[0]![0];
  const run = await planned(
    kvetch,
    `mutation ($listId: ID!) {
      first: createTodoItem(listId: $listId, text: "one") { text list { todoItems(first: 10) { text } } }
      second: createTodoItem(listId: $listId, text: "two") { text list { todoItems(first: 10) { text } } }
    }`,
    { listId },
  );
  assert.equal(run.result.data.first.list.todoItems, [{ text: "one" }]);
  assert.equal(run.result.data.second.list.todoItems, [{ text: "one" }, { text: "two" }]);
});

test("setTodoItemDone and deleteTodoItem: the next read sees the update and the deletion", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 3 });
  const listId = seed.listIds[0]![0];
  const [first, second] = seed.itemIds[0]![0]! as [string, string];
  const done = await planned(kvetch, `mutation ($id: ID!) { setTodoItemDone(id: $id, done: true) { text done } }`, { id: second });
  assert.equal(done.result, { data: { setTodoItemDone: { text: "list 1, item 2", done: true } } });
  const removed = await planned(kvetch, `mutation ($id: ID!) { deleteTodoItem(id: $id) }`, { id: first });
  assert.equal(removed.result, { data: { deleteTodoItem: true } });
  assert.is(removed.calls, 1);
  const items = await planned(kvetch, ITEMS, { id: listId });
  assert.equal(
    items.result.data.todoList.todoItems.map((i: { text: string; done: boolean }) => [i.text, i.done]),
    [["list 1, item 2", true], ["list 1, item 3", false]],
  );
  const again = await planned(kvetch, `mutation ($id: ID!) { deleteTodoItem(id: $id) }`, { id: first });
  assert.equal(again.result, { data: { deleteTodoItem: false } });
});

test("createTodoList: the new list is in its owner's view, with no items", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 1 });
  const run = await planned(kvetch, `mutation ($u: ID!) { createTodoList(userId: $u, name: "Groceries") { name owner { name } } }`, { u: seed.userIds[0] });
  assert.equal(run.result, { data: { createTodoList: { name: "Groceries", owner: { name: "Alice" } } } });
  const view = await planned(kvetch, VIEW, { id: seed.userIds[0] });
  assert.equal(view.result.data.todoUser.todoLists[2], { name: "Groceries", todoItems: [] });
});

test.run();
