// The Kvetch backend contract on the memory backend (4 shards), plus what only the memory backend has:
// simulated latency per round trip and shared state between instances over one backend object.
import { suite, test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { contractSchema, runBackendContractSuite } from "../../src/kvetch/testing/index.js";

runBackendContractSuite({ name: "memory (4 shards)", suite, makeBackend: () => memoryBackend({ shards: 4 }) });

test("memory: latencyMs delays every round trip without changing what is counted", async () => {
  const kvetch = new Kvetch({ schema: contractSchema, backend: memoryBackend({ shards: 4, latencyMs: 2 }) });
  const users = await kvetch.createObjects(Array.from({ length: 20 }, (_, i) => ({ type: "User", data: { username: `l${i}` } })));
  kvetch.resetCounters();
  await kvetch.getObjects(users.map((u) => u.id));
  const shards = new Set(users.map((u) => kvetch.shardOf(u.id)));
  assert.is(kvetch.counters.shardQueries.reduce((a, b) => a + b, 0), shards.size);
  assert.is(kvetch.counters.rowsFetched, 20);
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

test.run();
