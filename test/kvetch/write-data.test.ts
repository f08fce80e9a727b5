// Data through the Kvetch API (memory backend): a bag nested deeper than 100 levels is BAD_DATA before any
// round trip, for creates, updates and edge data; a `__proto__` key is stored by createObject, kept by later
// updates, and set or removed by an update patch that names it, as any other key.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, defineSchema, memoryBackend } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { rejectionOf } from "./rejection.js";

function nested(levels: number): Record<string, unknown> {
  let value: unknown = "deep";
  for (let i = 1; i < levels; i++) value = { a: value };
  return { a: value };
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
    [() => kvetch.updateObject("User", user.id, { profile: nested(3000) }), /^Kvetch: updateObject patch\.profile\.a/],
    [() => kvetch.insertEdge("likes", user.id, todo.id, nested(3000)), /data\.a\.a/],
  ];
  for (const [call, where] of calls) {
    const error = await rejectionOf(call);
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

test("__proto__: createObject stores it as an own key; updates of other keys keep it; a patch sets or removes it like any key", async () => {
  const kvetch = new Kvetch({ schema: contractSchema, backend: memoryBackend({ shards: 2 }) });
  const created = await kvetch.createObject("User", JSON.parse('{"__proto__":{"a":1},"name":"P"}') as Record<string, unknown>);
  const stored = (await kvetch.getObject(created.id))!.data;
  assert.ok(Object.hasOwn(stored, "__proto__"));
  assert.is(JSON.stringify(stored), '{"__proto__":{"a":1},"name":"P"}');

  const updated = await kvetch.updateObject("User", created.id, { name: "Q" });
  assert.is(JSON.stringify(updated.data), '{"__proto__":{"a":1},"name":"Q"}');
  assert.is(JSON.stringify((await kvetch.getObject(created.id))!.data), '{"__proto__":{"a":1},"name":"Q"}');

  // One patch naming it, then a batch of two patches for the object (merged into one update) naming it.
  const set = await kvetch.updateObject("User", created.id, JSON.parse('{"__proto__":{"a":2},"name":"R"}') as Record<string, unknown>);
  assert.is(JSON.stringify(set.data), '{"__proto__":{"a":2},"name":"R"}');
  const [merged] = await kvetch.updateObjects([
    { type: "User", id: created.id, patch: { name: "S" } },
    { type: "User", id: created.id, patch: JSON.parse('{"__proto__":"text"}') as Record<string, unknown> },
  ]);
  assert.is(JSON.stringify(merged!.data), '{"__proto__":"text","name":"S"}');
  const removed = await kvetch.updateObject("User", created.id, Object.defineProperty({}, "__proto__", { value: undefined, enumerable: true }) as Record<string, unknown>);
  assert.is(JSON.stringify(removed.data), '{"name":"S"}');
  const after = (await kvetch.getObject(created.id))!;
  assert.is(after.version, 5);
  assert.is(JSON.stringify(after.data), '{"name":"S"}');
  assert.is(({} as Record<string, unknown>).a, undefined, "no prototype was touched");
});

test("an attribute named like an Object.prototype member (constructor, toString) implies a derived row only when the data has it", async () => {
  const schema = defineSchema({
    objects: [
      { name: "Doc", typeId: 1 },
      { name: "Note", typeId: 2 },
    ],
    edges: [{ name: "doc_notes", edgeId: 1, storedIdAttr: "toString", storedOnType: "Note" }],
    indexes: [{ name: "by_ctor", indexId: 1, indexedType: "Doc", indexedAttr: "constructor" }],
  });
  const kvetch = new Kvetch({ schema, backend: memoryBackend({ shards: 2 }) });
  // Without the key: no index entry, no edge, and the create succeeds.
  const plain = await kvetch.createObject("Doc", { title: "no constructor key" });
  await kvetch.createObject("Note", { body: "no toString key" });
  // With it: the derived rows are written and verified like any other attribute's.
  const keyed = await kvetch.createObject("Doc", { constructor: "c" });
  const note = await kvetch.createObject("Note", { toString: keyed.id });
  const [byC] = await kvetch.queryIndex("by_ctor", ["c"]);
  assert.equal(byC!.edges.map((entry) => entry.targetId), [keyed.id]);
  const [notes, none] = await kvetch.getEdges("doc_notes", [keyed.id, plain.id]);
  assert.equal(notes!.edges.map((edge) => edge.toId), [note.id]);
  assert.is(none!.edges.length, 0);
  assert.equal(await kvetch.countEdges("doc_notes", [keyed.id, plain.id]), [1, 0]);
  assert.is((await kvetch.stats()).reduce((sum, shard) => sum + shard.objects, 0), 4);
});

test.run();
