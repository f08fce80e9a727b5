// Admission through the engine, without servers: the Kvetch steps run their store calls as their request's
// work, so a call waiting at a busy shard (here a memory backend whose shards admit through an Admission of
// one connection) stops waiting when its request times out; a wait that cannot be served in time is an
// OVERLOADED GraphQL error (extensions.code, not masked), and the example server answers it 503 + Retry-After.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execute } from "../../src/index.js";
import { parse } from "graphql";
import { createServer } from "../../examples/server/server.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { Kvetch, memoryBackend, type KvetchBackend, type ShardStore } from "../../src/kvetch/index.js";
import { Admission } from "../../src/kvetch/admission.js";
import { KvetchError } from "../../src/kvetch/index.js";
import { isInternalError } from "../../src/engine/request/maskErrors.js";

/**
 * A Kvetch over the seeded todo store's backend whose every shard call first takes one of shard 0..n's single
 * connection from an Admission (as a MySQL pool does); `hold()` takes each shard's connection away.
 */
async function admittedKvetch(queueTimeoutMs: number) {
  const backend = memoryBackend({ shards: 2 });
  const seeding = new Kvetch({ schema: todoKvetchSchema, backend });
  const user = await seeding.createObject("User", { name: "u", username: "u" });
  const lists = await seeding.createObjects([1, 2, 3].map((n) => ({ type: "TodoList", data: { userId: user.id, name: `list ${n}` } })));
  await seeding.createObjects(lists.map((list) => ({ type: "TodoItem", data: { listId: list.id, text: "item", done: false } })));
  const admissions = [0, 1].map((shard) => new Admission(shard, 1, 100, queueTimeoutMs));
  const wrap = (shard: ShardStore, n: number): ShardStore =>
    new Proxy(shard, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== "function" || key === "close") return value;
        return async (...args: unknown[]) => {
          await admissions[n]!.admit(String(key));
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            admissions[n]!.release();
          }
        };
      },
    });
  const admitted: KvetchBackend = Object.create(backend, {
    openShards: { value: (counters: Parameters<KvetchBackend["openShards"]>[0]) => backend.openShards(counters).map(wrap) },
  });
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: admitted });
  // Opened first: the open check's topology read must not be the call that waits at the held shards.
  await kvetch.open();
  return {
    kvetch,
    userId: user.id,
    listId: lists[0]!.id,
    admissions,
    hold: () => Promise.all(admissions.map((admission) => admission.admit("held by the test"))),
    free: () => admissions.forEach((admission) => admission.release()),
  };
}

test("a store call waiting at a busy shard stops waiting when its request times out: the request ends at its timeout, nothing left queued", async () => {
  const { kvetch, userId, admissions, hold, free } = await admittedKvetch(60_000);
  await hold();
  const result = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: userId }, contextValue: { kvetch }, limits: { timeoutMs: 50 } });
  assert.is(result.errors?.[0]?.extensions?.code, "REQUEST_TIMEOUT");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(
    admissions.map((admission) => admission.queued),
    [0, 0],
    "the request's waiting calls left the queue with it",
  );
  free();
  const served = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: userId }, contextValue: { kvetch } });
  assert.is(served.errors, undefined);
});

test("a shard that cannot serve in time: OVERLOADED at the field with extensions.code, unmasked; the example server answers 503 with Retry-After", async () => {
  const { kvetch, userId, hold, free } = await admittedKvetch(30);
  await hold();
  const result = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: userId }, contextValue: { kvetch } });
  assert.is(result.errors?.length, 1);
  const error = result.errors![0]!;
  assert.is(error.extensions.code, "OVERLOADED");
  assert.equal(error.path, ["todoUser"]);
  assert.match(error.message, /^Kvetch: shard \d is overloaded: readObjects waited 30 ms for a connection \(queueTimeoutMs\); retry in 1 s/);

  const server = await createServer({ schema: todoSchema, contextFactory: () => ({ kvetch }), port: 0, onInternalError: () => undefined });
  try {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: todoViewQuery, variables: { id: userId } }),
    });
    assert.is(response.status, 503);
    assert.is(response.headers.get("retry-after"), "1");
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    assert.is(body.errors[0]!.extensions.code, "OVERLOADED");
    free();
    const again = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: todoViewQuery, variables: { id: userId } }),
    });
    assert.is(again.status, 200, "served once the shard has a connection again");
  } finally {
    await server.close();
  }
});

test("a write a busy shard cannot take in time fails its entries with OVERLOADED, unmasked, saying it was not sent; nothing is stored", async () => {
  const { kvetch, listId, hold, free } = await admittedKvetch(30);
  await hold();
  const results = await kvetch.createObjects([{ type: "TodoItem", data: { listId, text: "late", done: false } }], { partial: true });
  free();
  const error = results[0];
  assert.instance(error, KvetchError);
  assert.is((error as KvetchError).code, "OVERLOADED");
  assert.is((error as unknown as { extensions: { code: string } }).extensions.code, "OVERLOADED");
  assert.is((error as unknown as { retryAfterSeconds: number }).retryAfterSeconds, 1);
  assert.not.ok(isInternalError(error), "the client sees it: retry later");
  assert.match((error as KvetchError).message, /is overloaded: insertObjects .*; the create of [0-9a-f-]{36} was not sent, so not stored$/);
  const id = /of ([0-9a-f-]{36}) was not sent/.exec((error as KvetchError).message)![1]!;
  assert.equal(await kvetch.getObjects([id]), [null], "nothing was stored");
});

test.run();
