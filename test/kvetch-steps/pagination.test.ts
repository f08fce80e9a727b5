// Pagination through the Kvetch steps: `first`/`after` pushed into the one edge query per layer, Relay
// connections with pageInfo, cursors that outlive their edge — the same pages as graphql-js resolvers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { naive, planned, seededStore } from "./todo.js";

const CONNECTION = `query ($id: ID!, $first: Int, $after: String) {
  todoUser(id: $id) {
    todoListsConnection(first: $first, after: $after) {
      totalCount
      edges { cursor node { name } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

const LIST = `query ($id: ID!, $first: Int, $after: String) {
  todoUser(id: $id) { todoLists(first: $first, after: $after) { name todoItems(first: 2) { text done } } }
}`;

test("connection: pages of 3 walk all 10 lists; same pages as graphql-js resolvers; 4 calls a page", async () => {
  const { kvetch, seed } = await seededStore();
  const id = seed.userIds[0];
  const names: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10; page++) {
    const steps = await planned(kvetch, CONNECTION, { id, first: 3, after });
    const resolvers = await naive(kvetch, CONNECTION, { id, first: 3, after });
    assert.equal(steps.result, resolvers.result);
    assert.is(steps.result.errors, undefined);
    // user, edge page, lists, edge count
    assert.is(steps.calls, 4);
    const connection = steps.result.data.todoUser.todoListsConnection;
    assert.is(connection.totalCount, 10);
    for (const edge of connection.edges) names.push(edge.node.name);
    if (!connection.pageInfo.hasNextPage) break;
    assert.is(connection.pageInfo.endCursor, connection.edges[connection.edges.length - 1].cursor);
    after = connection.pageInfo.endCursor;
  }
  assert.equal(names, Array.from({ length: 10 }, (_, l) => `Alice's list ${l + 1}`));
});

test("list field: `after` continues after a cursor; equal to graphql-js resolvers; 5 calls", async () => {
  const { kvetch, seed } = await seededStore();
  const id = seed.userIds[0];
  const first = await planned(kvetch, CONNECTION, { id, first: 4 });
  const cursor = first.result.data.todoUser.todoListsConnection.pageInfo.endCursor;
  const steps = await planned(kvetch, LIST, { id, first: 3, after: cursor });
  assert.equal(
    steps.result.data.todoUser.todoLists.map((l: { name: string }) => l.name),
    ["Alice's list 5", "Alice's list 6", "Alice's list 7"],
  );
  assert.is(steps.calls, 5);
  assert.equal(steps.result, (await naive(kvetch, LIST, { id, first: 3, after: cursor })).result);
});

test("an `after` cursor from a deleted edge still continues where it was, at no extra call", async () => {
  const { kvetch, seed } = await seededStore();
  const id = seed.userIds[0];
  const page = await planned(kvetch, CONNECTION, { id, first: 3 });
  const cursor = page.result.data.todoUser.todoListsConnection.pageInfo.endCursor;
  // Deleting list 3 removes its derived edge, the one the cursor points at.
  await kvetch.deleteObject(seed.listIds[0]![2]!);
  const steps = await planned(kvetch, CONNECTION, { id, first: 3, after: cursor });
  const connection = steps.result.data.todoUser.todoListsConnection;
  assert.equal(connection.edges.map((e: { node: { name: string } }) => e.node.name), ["Alice's list 4", "Alice's list 5", "Alice's list 6"]);
  assert.is(connection.totalCount, 9);
  assert.is(steps.calls, 4);
  assert.equal(steps.result, (await naive(kvetch, CONNECTION, { id, first: 3, after: cursor })).result);
  const list = await planned(kvetch, LIST, { id, first: 2, after: cursor });
  assert.equal(list.result.data.todoUser.todoLists.map((l: { name: string }) => l.name), ["Alice's list 4", "Alice's list 5"]);
  assert.is(list.calls, 5);
});

test("connection: the last page says hasNextPage false; an empty page after the end has null cursors", async () => {
  const { kvetch, seed } = await seededStore();
  const id = seed.userIds[0];
  const all = await planned(kvetch, CONNECTION, { id, first: 10 });
  const info = all.result.data.todoUser.todoListsConnection.pageInfo;
  assert.is(info.hasNextPage, false);
  const end = await planned(kvetch, CONNECTION, { id, first: 10, after: info.endCursor });
  assert.equal(end.result.data.todoUser.todoListsConnection.edges, []);
  assert.equal(end.result.data.todoUser.todoListsConnection.pageInfo, { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  // No edges: nothing to load behind the page.
  assert.is(end.calls, 3);
  assert.equal(end.result, (await naive(kvetch, CONNECTION, { id, first: 10, after: info.endCursor })).result);
});

test("a malformed cursor is an error at the field, naming the argument; nothing else is loaded", async () => {
  const { kvetch, seed } = await seededStore();
  const steps = await planned(kvetch, LIST, { id: seed.userIds[0], first: 3, after: "not-a-cursor" });
  assert.is(steps.result.errors!.length, 1);
  assert.match(steps.result.errors![0]!.message, /not a Kvetch cursor/);
  assert.equal(steps.result.errors![0]!.path, ["todoUser", "todoLists"]);
  assert.equal(steps.result.data, { todoUser: null });
  assert.is(steps.calls, 1); // the user load only: the list step refuses the cursor before any store call
});

test("a negative `first` is an error at the field saying what first must be", async () => {
  const { kvetch, seed } = await seededStore();
  const steps = await planned(kvetch, LIST, { id: seed.userIds[0], first: -1 });
  assert.match(steps.result.errors![0]!.message, /first must be a non-negative integer/);
  assert.equal(steps.result.data, { todoUser: null });
});

test.run();
