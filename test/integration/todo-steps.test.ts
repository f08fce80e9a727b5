// The todo view through the Kvetch steps on MySQL (4 shards as 4 databases) and Redis: 5 store calls and at
// most 5 queries per shard; with Redis warm no MySQL query at all; writes visible to the next read. The
// databases graphscale_steps_test_<runid>_0..3 are created and dropped here. Skipped without servers (fails under CI=true).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mysqlBackend } from "../../src/kvetch/index.js";
import { todoViewQuery } from "../../examples/todo/schema.js";
import { naive, planned, seededStore, shardsOf, sum } from "../kvetch-steps/todo.js";
import { REDIS_URL, deleteKeys, dropDatabases, serversUp, shardUrls, testDatabases, testKeyPrefix } from "./kvetch-servers.js";

const DATABASES = testDatabases("steps_test");
const CONNECTION = `query ($id: ID!, $after: String) { todoUser(id: $id) { todoListsConnection(first: 4, after: $after) {
  edges { cursor node { name todoItems(first: 2) { text } } } pageInfo { hasNextPage endCursor } } } }`;

if (await serversUp("test/integration/todo-steps.test.ts", { mysql: true, redis: true })) {
  const keyPrefix = testKeyPrefix("todo-steps");

  test.before(async () => {
    await dropDatabases(DATABASES);
  });

  test.after(async () => {
    await dropDatabases(DATABASES);
    await deleteKeys(keyPrefix);
  });

  test("mysql, 4 shards: the todo view is 5 store calls and at most 5 queries per shard; graphql-js resolvers make 72", async () => {
    const { kvetch, seed } = await seededStore({}, mysqlBackend({ shards: shardUrls(DATABASES) }));
    try {
      const id = seed.userIds[0];
      const steps = await planned(kvetch, todoViewQuery, { id });
      assert.is(steps.result.errors, undefined);
      assert.is(steps.result.data.todoUser.todoLists.length, 10);
      assert.is(steps.calls, 5);
      for (const queries of steps.shardQueries) assert.ok(queries <= 5, `a shard got ${queries} queries`);
      const lists = seed.listIds[0]!;
      assert.is(sum(steps.shardQueries), 2 + 2 * shardsOf(kvetch, lists) + shardsOf(kvetch, seed.itemIds[0]!.flat()));
      const resolvers = await naive(kvetch, todoViewQuery, { id });
      console.log(`  mysql todo view: graphscale steps ${steps.calls} calls, queries per shard [${steps.shardQueries}]; graphql-js resolvers ${resolvers.calls} calls, [${resolvers.shardQueries}]`);
      assert.is(resolvers.calls, 72);
      assert.equal(steps.result, resolvers.result);
    } finally {
      await kvetch.close();
      await dropDatabases(DATABASES);
    }
  });

  test("mysql + redis: a warm cache answers the todo view with no MySQL query; pages equal graphql-js resolvers", async () => {
    const { kvetch, seed } = await seededStore({}, mysqlBackend({ shards: shardUrls(DATABASES), redis: { url: REDIS_URL, keyPrefix } }));
    try {
      const id = seed.userIds[0];
      const cold = await planned(kvetch, todoViewQuery, { id });
      assert.is(cold.calls, 5);
      for (const queries of cold.shardQueries) assert.ok(queries <= 5, `a shard got ${queries} queries`);
      const warm = await planned(kvetch, todoViewQuery, { id });
      console.log(`  mysql + redis todo view: cold [${cold.shardQueries}], warm [${warm.shardQueries}] queries per shard`);
      assert.equal(warm.shardQueries, [0, 0, 0, 0]);
      assert.is(warm.calls, 5);
      assert.equal(warm.result, cold.result);

      let after: string | null = null;
      for (let page = 0; page < 3; page++) {
        const steps = await planned(kvetch, CONNECTION, { id, after });
        assert.equal(steps.result, (await naive(kvetch, CONNECTION, { id, after })).result);
        after = steps.result.data.todoUser.todoListsConnection.pageInfo.endCursor;
      }
    } finally {
      await kvetch.close();
      await dropDatabases(DATABASES);
    }
  });

  test("mysql + redis: an item created by a mutation plan is in the (cached) list view right after", async () => {
    const { kvetch, seed } = await seededStore({}, mysqlBackend({ shards: shardUrls(DATABASES), redis: { url: REDIS_URL, keyPrefix } }));
    try {
      const id = seed.userIds[0];
      const view = `query ($id: ID!) { todoUser(id: $id) { todoLists(first: 10) { name todoItems(first: 10) { text } } } }`;
      await planned(kvetch, view, { id });
      const warm = await planned(kvetch, view, { id });
      assert.equal(warm.shardQueries, [0, 0, 0, 0]);
      const listId = seed.listIds[0]![7];
      const created = await planned(kvetch, `mutation ($listId: ID!) { createTodoItem(listId: $listId, text: "call mom") { text } }`, { listId });
      assert.equal(created.result, { data: { createTodoItem: { text: "call mom" } } });
      const after = await planned(kvetch, view, { id });
      const items = after.result.data.todoUser.todoLists[7].todoItems;
      assert.is(items.length, 6);
      assert.equal(items[5], { text: "call mom" });
      assert.is(after.calls, 5);
      // Only what the write touched was invalidated: the list's edge list and the new item were read again.
      assert.ok(sum(after.shardQueries) <= 2, `read ${sum(after.shardQueries)} queries after the write`);
    } finally {
      await kvetch.close();
      await dropDatabases(DATABASES);
    }
  });

  test.run();
}
