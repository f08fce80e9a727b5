// The todo view through the Kvetch steps: one store call per step per layer (5 for user → lists → items),
// one query per shard per call, the same answer as per-field graphql-js resolvers that make 72 calls.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { todoViewQuery } from "../../examples/todo/schema.js";
import { naive, planned, seededStore, shardsOf, sum } from "./todo.js";

test("todo view: 10 lists × 5 items take exactly 5 store calls (user, list edges, lists, item edges, items)", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 10, itemsPerList: 5 });
  const run = await planned(kvetch, todoViewQuery, { id: seed.userIds[0] });
  assert.is(run.result.errors, undefined);
  const user = run.result.data.todoUser;
  assert.is(user.name, "Alice");
  assert.is(user.todoLists.length, 10);
  assert.is(user.todoLists[3].name, "Alice's list 4");
  for (const list of user.todoLists) assert.is(list.todoItems.length, 5);
  assert.is(user.todoLists[9].todoItems[4].text, "list 10, item 5");
  assert.is(run.calls, 5);
});

test("todo view: one query per shard per call (at most 5 per shard, exactly as many as the ids' shards)", async () => {
  const { kvetch, seed } = await seededStore();
  const run = await planned(kvetch, todoViewQuery, { id: seed.userIds[0] });
  const lists = seed.listIds[0]!;
  const items = seed.itemIds[0]!.flat();
  // user: its shard; list edges: the user's shard; lists: their shards; item edges: the lists' shards; items: theirs.
  const expected = 1 + 1 + shardsOf(kvetch, lists) + shardsOf(kvetch, lists) + shardsOf(kvetch, items);
  assert.is(sum(run.shardQueries), expected);
  for (const queries of run.shardQueries) assert.ok(queries <= 5, `a shard got ${queries} queries`);
});

test("todo view: the same query through per-field graphql-js resolvers makes 72 calls (1 + 1 + 10 + 10 + 50)", async () => {
  const { kvetch, seed } = await seededStore();
  const steps = await planned(kvetch, todoViewQuery, { id: seed.userIds[0] });
  const resolvers = await naive(kvetch, todoViewQuery, { id: seed.userIds[0] });
  console.log(`  todo view store calls: graphscale steps ${steps.calls} (queries per shard [${steps.shardQueries}]), graphql-js resolvers ${resolvers.calls} (queries per shard [${resolvers.shardQueries}])`);
  assert.is(resolvers.calls, 72);
  assert.is(steps.calls, 5);
});

test("todo view: results equal the graphql-js resolver implementation on the same store", async () => {
  const { kvetch, seed } = await seededStore({ users: 3, listsPerUser: 10, itemsPerList: 5 });
  for (const id of seed.userIds) {
    const steps = await planned(kvetch, todoViewQuery, { id });
    const resolvers = await naive(kvetch, todoViewQuery, { id });
    assert.equal(steps.result, resolvers.result);
  }
});

test("todo view: `first` is in the query, not applied after fetching (rows read from the shards)", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 10, itemsPerList: 8 });
  const query = `query ($id: ID!, $lists: Int, $items: Int) { todoUser(id: $id) { todoLists(first: $lists) { todoItems(first: $items) { text } } } }`;
  const run = await planned(kvetch, query, { id: seed.userIds[0], lists: 4, items: 2 });
  assert.is(run.calls, 5);
  assert.is(run.result.data.todoUser.todoLists.length, 4);
  // 1 user + 5 list edges (4 and one to tell hasNextPage) + 4 lists + 4 × 3 item edges + 4 × 2 items
  assert.is(run.rowsFetched, 1 + 5 + 4 + 12 + 8);
});

test("todo view: a user with no lists costs 2 calls (user, list edges) and gives []", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 0 });
  const run = await planned(kvetch, todoViewQuery, { id: seed.userIds[0] });
  assert.equal(run.result, { data: { todoUser: { name: "Alice", todoLists: [] } } });
  assert.is(run.calls, 2);
});

test("todo view: userByUsername is one index query plus one object load", async () => {
  const { kvetch } = await seededStore({ users: 3, listsPerUser: 1, itemsPerList: 1 });
  const query = `query ($u: String!) { userByUsername(username: $u) { name username } }`;
  const run = await planned(kvetch, query, { u: "user2" });
  assert.equal(run.result, { data: { userByUsername: { name: "User 2", username: "user2" } } });
  assert.is(run.calls, 2);
  assert.equal(run.result, (await naive(kvetch, query, { u: "user2" })).result);
  const none = await planned(kvetch, query, { u: "nobody" });
  assert.equal(none.result, { data: { userByUsername: null } });
  assert.is(none.calls, 1);
});

test.run();
