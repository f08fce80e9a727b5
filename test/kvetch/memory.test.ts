// The Kvetch backend contract on the memory backend (4 shards), plus what only the memory backend has:
// simulated latency per round trip and shared state between instances over one backend object.
import { suite, test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, flatDataOf, memoryBackend, type EdgeRow, type ObjectRow } from "../../src/kvetch/index.js";
import { contractSchema, runBackendContractSuite } from "../../src/kvetch/testing/index.js";

runBackendContractSuite({ name: "memory (4 shards)", suite, makeBackend: () => memoryBackend({ shards: 4 }) });

const zeroCounters = (shards: number) => ({ calls: 0, shardQueries: new Array<number>(shards).fill(0), cacheRoundTrips: {}, rowsFetched: 0 });

/** Whether `promise` has settled yet (read after the microtasks that could settle it have run). */
function watch(promise: Promise<unknown>): { settled: boolean } {
  const state = { settled: false };
  void promise.then(() => void (state.settled = true));
  return state;
}

test("memory: latencyMs holds every round trip until a timer of that many ms, set just before it, has fired; no latency settles it within 2 turns", async () => {
  const LATENCY = 20;
  const reads = (counters: ReturnType<typeof zeroCounters>, latencyMs: number) =>
    memoryBackend({ shards: 4, latencyMs })
      .openShards(counters)
      .map((shard) => shard.readObjects([]));

  // No latency: each shard's round trip waits one event-loop turn.
  const instant = reads(zeroCounters(4), 0).map(watch);
  for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(instant.map((r) => r.settled), [true, true, true, true]);

  // latencyMs: a timer of the same length set first fires first (timers of one length fire in the order they
  // were set), and when it has, no round trip has answered — whatever the clock and the machine's load.
  const counters = zeroCounters(4);
  const marker = new Promise<void>((resolve) => setTimeout(resolve, LATENCY));
  const pending = reads(counters, LATENCY);
  const delayed = pending.map(watch);
  assert.equal(counters.shardQueries, [1, 1, 1, 1], "each round trip is counted when it is sent");
  await marker;
  assert.equal(delayed.map((r) => r.settled), [false, false, false, false]);
  assert.equal(await Promise.all(pending), [[], [], [], []]);
  assert.equal(counters.shardQueries, [1, 1, 1, 1]);
});

test("memory: latencyMs does not change what is counted", async () => {
  const counted = async (latencyMs: number) => {
    const kvetch = new Kvetch({ schema: contractSchema, backend: memoryBackend({ shards: 4, latencyMs }) });
    const users = await kvetch.createObjects(Array.from({ length: 20 }, (_, i) => ({ type: "User", data: { username: `l${i}` } })));
    kvetch.resetCounters();
    await kvetch.getObjects(users.map((u) => u.id));
    const shards = new Set(users.map((u) => kvetch.shardOf(u.id)));
    return { calls: kvetch.counters.calls, roundTrips: kvetch.counters.shardQueries.reduce((a, b) => a + b, 0), shards: shards.size, rowsFetched: kvetch.counters.rowsFetched };
  };
  for (const latencyMs of [0, 2]) {
    const { calls, roundTrips, shards, rowsFetched } = await counted(latencyMs);
    assert.equal({ calls, roundTrips, rowsFetched }, { calls: 1, roundTrips: shards, rowsFetched: 20 }, `latencyMs ${latencyMs}`);
  }
});

test("memory: instances over one backend object share its data; each counts its own round trips", async () => {
  const backend = memoryBackend({ shards: 2 });
  const writer = new Kvetch({ schema: contractSchema, backend });
  const reader = new Kvetch({ schema: contractSchema, backend });
  const user = await writer.createObject("User", { username: "shared" });
  assert.equal((await reader.getObject(user.id))!.data, { username: "shared" });
  assert.is(reader.counters.calls, 1);
  assert.is(writer.counters.calls, 1);
});

test("memory: the default backend is one in-memory shard", async () => {
  const kvetch = new Kvetch({ schema: contractSchema });
  assert.is(kvetch.counters.shardQueries.length, 1);
  const user = await kvetch.createObject("User", { username: "solo" });
  assert.is(kvetch.shardOf(user.id), 0);
});

test("memory: rows handed out by a read stay as they were read when later writes replace them", async () => {
  const [shard] = memoryBackend({ shards: 1 }).openShards({ calls: 0, shardQueries: [0], cacheRoundTrips: {}, rowsFetched: 0 });
  const id = "00000000-0000-4000-8000-000000000001";
  const to = "00000000-0000-4000-8000-000000000002";
  const object: ObjectRow = { id, typeId: 1, version: 1, created: 1, updated: 1, body: '{"a":1}' };
  await shard!.insertObjects([object]);
  const edge: EdgeRow = { edgeId: 1, fromId: id, toId: to, seq: 5, created: 1, body: '{"w":1}' };
  await shard!.writeEdges([edge], false);
  const [readObject] = await shard!.readObjects([id]);
  const [[readEdge]] = (await shard!.readEdgeRanges(1, [{ fromId: id, after: null, limit: null }])) as [[EdgeRow]];
  assert.is(await shard!.writeEdges([{ ...edge, body: '{"w":2}' }], true), 0);
  assert.equal(await shard!.replaceObjects([{ row: { ...object, version: 2, body: '{"a":2}' }, expectVersion: 1 }]), [true]);
  assert.equal(readEdge, { ...edge, flatData: { w: 1 } });
  assert.equal(readObject, { ...object, flatData: { a: 1 } });
  // Kept unfrozen: V8's spread copies a frozen object about five times slower, on every read.
  assert.not.ok(Object.isFrozen(readObject!.flatData) || Object.isFrozen(readEdge.flatData));
  assert.not.ok(Object.isFrozen(flatDataOf('{"a":1}')));
  const [[edgeNow]] = (await shard!.readEdgeRanges(1, [{ fromId: id, after: null, limit: null }])) as [[EdgeRow]];
  assert.equal(edgeNow, { ...edge, body: '{"w":2}', flatData: { w: 2 } });
  assert.equal(await shard!.readObjects([id]), [{ ...object, version: 2, body: '{"a":2}', flatData: { a: 2 } }]);
  object.body = "changed by the caller";
  assert.is((await shard!.readObjects([id]))[0]!.body, '{"a":2}');
});

/** Counts JSON.parse calls while `run` runs. */
async function countParses(run: () => Promise<unknown>): Promise<number> {
  const parse = JSON.parse;
  let calls = 0;
  JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    calls++;
    return parse(text, reviver);
  }) as typeof JSON.parse;
  try {
    await run();
  } finally {
    JSON.parse = parse;
  }
  return calls;
}

test("memory: a flat body is kept decoded and read as a fresh copy without parsing; a nested body is parsed on every read", async () => {
  const kvetch = new Kvetch({ schema: contractSchema, backend: memoryBackend({ shards: 2 }) });
  const flat = await kvetch.createObject("User", { username: "flat", age: 3, admin: false, note: null, ["__proto__"]: "own key" });
  const nested = await kvetch.createObject("Todo", { title: "nested", tags: ["a", "b"], meta: { n: 1 } });
  await kvetch.insertEdge("likes", flat.id, nested.id, { stars: 5 });
  let first: Awaited<ReturnType<Kvetch["getObjects"]>> = [];
  let edges: Awaited<ReturnType<Kvetch["getEdges"]>> = [];
  assert.is(
    await countParses(async () => {
      first = await kvetch.getObjects([flat.id]);
      edges = await kvetch.getEdges("likes", [flat.id]);
    }),
    0,
  );
  const user = first[0] as { data: Record<string, unknown> };
  assert.equal(Object.keys(user.data), ["username", "age", "admin", "note", "__proto__"]);
  assert.is(Object.getPrototypeOf(user.data), Object.prototype);
  assert.is(user.data["__proto__"], "own key");
  assert.not.ok(Object.isFrozen(user.data));
  user.data.username = "changed by the caller";
  assert.is((await kvetch.getObject(flat.id))!.data.username, "flat");
  const page = edges[0] as { edges: { data: Record<string, unknown> }[] };
  assert.equal(page.edges[0]!.data, { stars: 5 });
  page.edges[0]!.data.stars = 0;
  assert.equal(((await kvetch.getEdges("likes", [flat.id]))[0] as typeof page).edges[0]!.data, { stars: 5 });

  let todo: Awaited<ReturnType<Kvetch["getObject"]>> = null;
  assert.is(await countParses(async () => (todo = await kvetch.getObject(nested.id))), 1);
  (todo!.data.meta as { n: number }).n = 2;
  (todo!.data.tags as string[]).push("c");
  assert.equal((await kvetch.getObject(nested.id))!.data, { title: "nested", tags: ["a", "b"], meta: { n: 1 } });
  await kvetch.updateObject("User", flat.id, { username: "renamed" });
  assert.equal((await kvetch.getObject(flat.id))!.data, { username: "renamed", age: 3, admin: false, note: null, ["__proto__"]: "own key" });
});

test.run();
