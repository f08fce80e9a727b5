// Data through the Kvetch API (memory backend): a bag nested deeper than 100 levels is BAD_DATA before any
// round trip, for creates, updates and edge data; a `__proto__` key is stored by createObject and kept by
// later updates, and an update patch that names it is refused (BAD_DATA naming the key) with nothing written.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, memoryBackend } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";

function nested(levels: number): Record<string, unknown> {
  let value: unknown = "deep";
  for (let i = 1; i < levels; i++) value = { a: value };
  return { a: value };
}

async function errorOf(run: () => Promise<unknown>): Promise<KvetchError> {
  const error = await run().then(
    () => null,
    (thrown: unknown) => thrown,
  );
  assert.instance(error, KvetchError);
  return error as KvetchError;
}

const roundTrips = (kvetch: Kvetch): number => kvetch.counters.shardQueries.reduce((a, b) => a + b, 0);

test("data depth: 3000 levels is BAD_DATA naming the limit and the path, before any round trip (create, update, edge data)", async () => {
  const kvetch = new Kvetch({ schema: contractSchema, backend: memoryBackend({ shards: 2 }) });
  const user = await kvetch.createObject("User", { name: "deep" });
  const todo = await kvetch.createObject("Todo", { title: "t" });
  kvetch.resetCounters();
  const calls: [() => Promise<unknown>, RegExp][] = [
    [() => kvetch.createObject("User", nested(3000)), /^Kvetch: createObject data\.a\.a/],
    [() => kvetch.createObjects([{ type: "User", data: {} }, { type: "User", data: nested(101) }]), /^Kvetch: createObjects items\[1\] data\.a/],
    [() => kvetch.updateObject(user.id, { profile: nested(3000) }), /^Kvetch: updateObject patch\.profile\.a/],
    [() => kvetch.insertEdge("likes", user.id, todo.id, nested(3000)), /data\.a\.a/],
  ];
  for (const [call, where] of calls) {
    const error = await errorOf(call);
    assert.is(error.code, "BAD_DATA");
    assert.match(error.message, where);
    assert.match(error.message, /is nested 101 levels deep; data can nest objects and arrays at most 100 levels/);
  }
  assert.is(roundTrips(kvetch), 0, "nothing was read or written");
  assert.equal((await kvetch.getObject(user.id))!.data, { name: "deep" });
  assert.is((await kvetch.getObject(user.id))!.version, 1);
  assert.is((await kvetch.countEdges("likes", [user.id]))[0], 0);
  // 100 levels, the limit, are stored and read back whole
  const deepest = await kvetch.createObject("User", nested(100));
  assert.equal((await kvetch.getObject(deepest.id))!.data, nested(100));
});

test("__proto__: createObject stores it as an own key; updates of other keys keep it; a patch naming it is BAD_DATA, nothing written", async () => {
  const kvetch = new Kvetch({ schema: contractSchema, backend: memoryBackend({ shards: 2 }) });
  const created = await kvetch.createObject("User", JSON.parse('{"__proto__":{"a":1},"name":"P"}') as Record<string, unknown>);
  const stored = (await kvetch.getObject(created.id))!.data;
  assert.ok(Object.hasOwn(stored, "__proto__"));
  assert.is(JSON.stringify(stored), '{"__proto__":{"a":1},"name":"P"}');

  const updated = await kvetch.updateObject(created.id, { name: "Q" });
  assert.is(JSON.stringify(updated.data), '{"__proto__":{"a":1},"name":"Q"}');
  assert.is(JSON.stringify((await kvetch.getObject(created.id))!.data), '{"__proto__":{"a":1},"name":"Q"}');

  kvetch.resetCounters();
  for (const patch of ['{"__proto__":{"a":2},"name":"R"}', '{"__proto__":"text"}', '{"__proto__":null}']) {
    const one = await errorOf(() => kvetch.updateObject(created.id, JSON.parse(patch) as Record<string, unknown>));
    assert.is(one.code, "BAD_DATA");
    assert.match(one.message, /^Kvetch: updateObject patch\["__proto__"\]: an update patch cannot set or remove the key "__proto__"/);
    const batch = await errorOf(() =>
      kvetch.updateObjects([
        { id: created.id, patch: { name: "S" } },
        { id: created.id, patch: JSON.parse(patch) as Record<string, unknown> },
      ]),
    );
    assert.match(batch.message, /^Kvetch: updateObjects items\[1\] patch\["__proto__"\]/);
  }
  assert.is(roundTrips(kvetch), 0, "nothing was read or written");
  const after = (await kvetch.getObject(created.id))!;
  assert.is(after.version, 2);
  assert.is(JSON.stringify(after.data), '{"__proto__":{"a":1},"name":"Q"}');
  assert.is(({} as Record<string, unknown>).a, undefined, "no prototype was touched");
});

test.run();
