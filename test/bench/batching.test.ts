// The batching bench's third row (bench/batching.ts): one request carrying every user's todo view reads the
// same rows as the separate requests, in the same 5 store calls in all, and unpacks into exactly their results.
// Asserts results and call counts, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { makeTodoUsersSchema, oneRequestBurst, todoUsersQuery } from "../../bench/batching.js";

const USERS = 40;

test("one request for all views: 5 store calls for 40 users' views, each view equal to its own request's", async () => {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  try {
    const seed = await seedTodo(kvetch, { users: USERS, listsPerUser: 3, itemsPerList: 2 });
    const contextValue = { kvetch };
    const view = parse(todoViewQuery);
    kvetch.resetCounters();
    const alone = await Promise.all(seed.userIds.map((id) => execute({ schema: todoSchema, document: view, variableValues: { id }, contextValue })));
    assert.is(kvetch.counters.calls, 5 * USERS);

    kvetch.resetCounters();
    const { results, latencies } = await oneRequestBurst({ schema: makeTodoUsersSchema(), document: parse(todoUsersQuery), variableValues: { ids: seed.userIds }, contextValue });
    assert.is(kvetch.counters.calls, 5);
    assert.is(latencies.length, USERS);
    assert.equal(JSON.parse(JSON.stringify(results)), JSON.parse(JSON.stringify(alone)));
    assert.is((results[3]!.data as { todoUser: { todoLists: unknown[] } }).todoUser.todoLists.length, 3);
  } finally {
    await kvetch.close();
  }
});

test("one request for all views: a failing view fails the burst, naming the request", async () => {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  try {
    let message = "";
    try {
      await oneRequestBurst({ schema: makeTodoUsersSchema(), document: parse(todoUsersQuery), variableValues: { ids: ["not-a-uuid"] }, contextValue: { kvetch } });
    } catch (error) {
      message = (error as Error).message;
    }
    assert.match(message, "the one request for all views failed");
    assert.match(message, "not-a-uuid");
  } finally {
    await kvetch.close();
  }
});

test.run();
