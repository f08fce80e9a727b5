// Shard failure semantics on the memory backend, through a backend whose shard 2 can be switched to fail:
// a failed shard fails only its own entries (partial results, same round trips), the breaker opens after N
// consecutive failures and lets a probe through, writes tell the truth and queue what they could not finish,
// idempotency keys make retries safe, and typed deletes delete nothing of another type.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute } from "../../src/index.js";
import { Kvetch, KvetchError, memoryBackend, type DerivedWriteFailure, type KvetchBackend, type ShardStore } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { todoKvetchSchema, todoSchema } from "../../examples/todo/schema.js";
import { leaksConnectionDetails } from "./leaks.js";

const CUT = 2;

/** memoryBackend with shard 2 behind a switch: when `down`, every call throws a driver-like error. */
function switchableBackend(): { backend: KvetchBackend; setDown(down: boolean): void; calls: () => number } {
  const inner = memoryBackend({ shards: 4 });
  let down = false;
  let calls = 0;
  const backend: KvetchBackend = {
    kind: "switchable",
    shardMap: inner.shardMap,
    initializeOnOpen: inner.initializeOnOpen,
    redis: null,
    breaker: { failureThreshold: 2, probeIntervalMs: 30 },
    openShards(counters) {
      return inner.openShards(counters).map((shard) => {
        if (shard.shard !== CUT) return shard;
        return new Proxy(shard, {
          get(target, name, receiver) {
            const value = Reflect.get(target, name, receiver) as unknown;
            if (typeof value !== "function" || name === "close") return value;
            return (...args: unknown[]) => {
              calls++;
              if (down) return Promise.reject(Object.assign(new Error("connect ECONNREFUSED 10.0.0.9:3307 (db_secret_2)"), { code: "ECONNREFUSED" }));
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        }) as ShardStore;
      });
    },
  };
  return { backend, setDown: (value) => void (down = value), calls: () => calls };
}

const messages: string[] = [];

test("a failed shard fails only its entries: partial reads keep the healthy path's round trips", async () => {
  const { backend, setDown } = switchableBackend();
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend });
  const users = await kvetch.createObjects(Array.from({ length: 40 }, (_, i) => ({ type: "User", data: { name: `u${i}` } })));
  const ids = users.map((u) => u.id);
  kvetch.resetCounters();
  await kvetch.getObjects(ids, { partial: true });
  const healthyQueries = [...kvetch.counters.shardQueries];
  setDown(true);
  kvetch.resetCounters();
  const read = await kvetch.getObjects(ids, { partial: true });
  // the other shards make the healthy read's round trips (the switch refuses shard 2's before the memory shard counts it)
  for (let shard = 0; shard < 4; shard++) if (shard !== CUT) assert.is(kvetch.counters.shardQueries[shard], healthyQueries[shard]);
  for (let i = 0; i < ids.length; i++) {
    if (kvetch.shardOf(ids[i]!) === CUT) {
      assert.instance(read[i], KvetchError);
      assert.is((read[i] as KvetchError).code, "SHARD_FAILED");
      messages.push((read[i] as KvetchError).message);
    } else assert.is((read[i] as { id: string }).id, ids[i]);
  }
  await kvetch.getObjects(ids).then(
    () => assert.unreachable("without partial the call fails"),
    (error: KvetchError) => messages.push(error.message),
  );
});

test("the breaker opens after 2 consecutive failures (no more calls reach the shard) and closes on the first probe", async () => {
  const { backend, setDown, calls } = switchableBackend();
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend });
  let onCut: string;
  do onCut = (await kvetch.createObject("User", { name: "x" })).id;
  while (kvetch.shardOf(onCut) !== CUT);
  setDown(true);
  const before = calls();
  const outcomes: string[] = [];
  for (let i = 0; i < 5; i++) {
    const [result] = await kvetch.getObjects([onCut], { partial: true });
    outcomes.push((result as KvetchError).message.replace(/^Kvetch: shard 2 /, ""));
  }
  assert.is(calls() - before, 2, "two calls reached the shard; three failed at the breaker");
  assert.equal(outcomes.slice(2), Array(3).fill("is unavailable (circuit open) in readObjects"));
  assert.is((await kvetch.health()).shards[CUT]!.breaker, "open");
  messages.push(...outcomes);
  setDown(false);
  await new Promise((resolve) => setTimeout(resolve, 40));
  const [back] = await kvetch.getObjects([onCut], { partial: true });
  assert.is((back as { id: string }).id, onCut);
  assert.is((await kvetch.health()).shards[CUT]!.breaker, "closed");
});

test("GraphQL: a failed shard's list nodes are errors at their paths, the other nodes are served; messages are masked", async () => {
  const { backend, setDown } = switchableBackend();
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend });
  let user;
  do user = await kvetch.createObject("User", { name: "u" });
  while (kvetch.shardOf(user.id) === CUT);
  const lists = await kvetch.createObjects(Array.from({ length: 16 }, (_, i) => ({ type: "TodoList", data: { userId: user.id, name: `l${i}` } })));
  const onCut = lists.filter((l) => kvetch.shardOf(l.id) === CUT).length;
  setDown(true);
  const internal: unknown[] = [];
  const result = await execute({
    schema: todoSchema,
    document: parse(`query ($id: ID!) { todoUser(id: $id) { todoListsConnection(first: 16) { edges { node { name } } } } }`),
    variableValues: { id: user.id },
    contextValue: { kvetch },
    onInternalError: (report) => void internal.push(report.error),
  });
  const edges = (result.data as any).todoUser.todoListsConnection.edges as { node: unknown }[];
  assert.is(edges.filter((e) => e.node !== null).length, 16 - onCut);
  assert.is(result.errors?.length ?? 0, onCut);
  for (const error of result.errors ?? []) {
    assert.match(error.message, /^Internal error \(id [0-9a-f]{12}\)$/);
    assert.is(error.path![4], "node");
    messages.push(error.message);
  }
  assert.is(internal.length, onCut);
});

test("writes tell the truth: a create whose derived shard fails succeeds and is queued; a key retry returns it; repair --queue heals", async () => {
  const { backend, setDown } = switchableBackend();
  const failures: DerivedWriteFailure[] = [];
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend, onDerivedWriteFailure: (f) => void failures.push(f) });
  let list;
  do list = await kvetch.createObject("TodoList", { name: "l" });
  while (kvetch.shardOf(list.id) !== CUT);
  const hooks = kvetchTestHooks(kvetch);
  hooks.afterCanonicalWrite = ({ ids }) => {
    if (ids.every((id) => kvetch.shardOf(id) !== CUT)) setDown(true);
  };
  const created: string[] = [];
  const keys: string[] = [];
  for (let i = 0; created.length < 3 && i < 50; i++) {
    const result = await execute({
      schema: todoSchema,
      document: parse(`mutation ($listId: ID!, $key: String) { createTodoItem(listId: $listId, text: "t", idempotencyKey: $key) { id } }`),
      variableValues: { listId: list.id, key: `k${i}` },
      contextValue: { kvetch },
    });
    setDown(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.is(result.errors, undefined);
    const id = (result.data as any).createTodoItem.id as string;
    if (kvetch.shardOf(id) !== CUT) {
      created.push(id);
      keys.push(`k${i}`);
    }
  }
  delete hooks.afterCanonicalWrite;
  assert.is(failures.length, 3);
  assert.ok(failures.every((f) => f.queued && f.op === "create"));
  const [missing] = await kvetch.getEdges("list_to_item", [list.id]);
  assert.is(missing!.edges.filter((e) => created.includes(e.toId)).length, 0, "not listed before repair");
  // a retry with the key of the first cut create gives that object back and stores nothing new
  const objects = async () => (await kvetch.stats()).reduce((n, s) => n + s.objects, 0);
  const stored = await objects();
  const again = await kvetch.createObject("TodoItem", { listId: list.id, text: "other" }, { idempotencyKey: keys[0]! });
  assert.is(again.id, created[0], "the key gives the first object back");
  assert.is(await objects(), stored);
  const report = await kvetch.repair({ queue: true });
  assert.is(report.scanned, 3);
  const [healed] = await kvetch.getEdges("list_to_item", [list.id]);
  assert.is(healed!.edges.filter((e) => created.includes(e.toId)).length, 3);
});

test("idempotency keys: the same key and type give the same object, in one batch and across calls", async () => {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  const [a, b, c] = await kvetch.createObjects([
    { type: "User", data: { name: "a" }, idempotencyKey: "same" },
    { type: "User", data: { name: "b" }, idempotencyKey: "same" },
    { type: "User", data: { name: "c" }, idempotencyKey: "other" },
  ]);
  assert.is(a!.id, b!.id);
  assert.is.not(a!.id, c!.id);
  const retry = await kvetch.createObject("User", { name: "a" }, { idempotencyKey: "same" });
  assert.is(retry.id, a!.id);
  assert.equal((await kvetch.stats()).reduce((n, s) => n + s.objects, 0), 2);
});

test("typed deletes: an id of another type deletes nothing and is a WRONG_TYPE error", async () => {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  const user = await kvetch.createObject("User", { name: "u" });
  const result = await kvetch.deleteObjects([user.id], { type: "TodoItem", partial: true }).then(
    () => null,
    (error: unknown) => error,
  );
  assert.instance(result, KvetchError);
  assert.is((result as KvetchError).code, "WRONG_TYPE");
  assert.ok((await kvetch.getObject(user.id)) !== null);
  assert.is(await kvetch.deleteObject(user.id, { type: "User" }), true);
});

test("no message from these faults names a host, port, database or driver text", () => {
  assert.ok(messages.length >= 10);
  assert.equal(messages.filter((m) => leaksConnectionDetails(m, ["10.0.0.9", "3307", "db_secret_2"])), []);
});

test.run();
