// Scenarios shared by the memory and MySQL tests of concurrent keyed creates and of canonical chunks that
// throw (spec/kvetch-storage.md §6.4, §6.5): a backend whose shards can hold or refuse chosen calls, and the
// checks both backends must pass.
import * as assert from "uvu/assert";
import { Kvetch, KvetchError } from "../../src/kvetch/index.js";
import type { DerivedWriteFailure, KvetchBackend, KvetchObject, NewItem } from "../../src/kvetch/index.js";
import { todoKvetchSchema } from "../../examples/todo/kvetchSchema.js";
import { rejectionOf } from "./rejection.js";
import { aroundShardCalls, gate, type Gate } from "./shardCalls.js";

/** What the test does to the shards opened through a steered backend. */
export interface Steering {
  /** Until opened, every insertObjects call waits. */
  hold: Gate | null;
  /** "shard/method": that call throws a backend refusal (a KvetchError that is not a shard failure). */
  refuse: Set<string>;
  /** Calls made, as "shard/method". */
  calls: string[];
}

/** `inner` whose shards do what `steering` says; its data is inner's (open two stores on one backend). */
export function steered(inner: KvetchBackend, steering: Steering): KvetchBackend {
  return {
    ...aroundShardCalls(inner, async (shard, method, _args, call) => {
      steering.calls.push(`${shard}/${method}`);
      if (method === "insertObjects" && steering.hold !== null) await steering.hold.wait();
      if (steering.refuse.has(`${shard}/${method}`)) throw new KvetchError("BAD_DATA", `shard ${shard} refused ${method} in this test`);
      return call();
    }),
    kind: `steered ${inner.kind}`,
    redis: null,
    breaker: false,
  };
}

/** Ids of the objects the list's edges name, stored rows unverified (what a repair would find missing). */
async function listed(kvetch: Kvetch, listId: string): Promise<string[]> {
  const [page] = await kvetch.getEdges("list_to_item", [listId], { first: 1000, verify: false });
  return page!.edges.map((edge) => edge.toId).sort();
}

/**
 * Two servers create with the same idempotency key at once; the first reserves the key and is held before
 * its inserts while the second creates the object. The first then finds the id taken: its keyed item is the
 * second's object, its other items are created with their derived rows, and nothing is reported.
 */
export async function keyRace(backend: KvetchBackend, close: (kvetch: Kvetch) => Promise<void>): Promise<void> {
  const steering: Steering = { hold: null, refuse: new Set(), calls: [] };
  const reports: DerivedWriteFailure[] = [];
  const slow = new Kvetch({ schema: todoKvetchSchema, backend: steered(backend, steering), onDerivedWriteFailure: (r) => reports.push(r) });
  const fast = new Kvetch({ schema: todoKvetchSchema, backend, onDerivedWriteFailure: (r) => reports.push(r) });
  try {
    const list = await fast.createObject("TodoList", { name: "l" });
    steering.hold = gate();
    const items: NewItem[] = [{ type: "TodoItem", data: { listId: list.id, text: "slow" }, idempotencyKey: "k1" }];
    // 40 more: some share the keyed item's shard (its chunk), but for a chance of about 1 in 100,000
    for (let i = 0; i < 40; i++) items.push({ type: "TodoItem", data: { listId: list.id, text: `s${i}` } });
    const slowWrite = slow.createObjects(items, { partial: true });
    await steering.hold.reached;
    const first = await fast.createObject("TodoItem", { listId: list.id, text: "fast" }, { idempotencyKey: "k1" });
    steering.hold.open();
    const results = await slowWrite;
    assert.equal(
      results.map((r) => (r instanceof KvetchError ? r.message : "object")),
      results.map(() => "object"),
      "every item is an object",
    );
    const objects = results as KvetchObject[];
    assert.is(objects[0]!.id, first.id, "the keyed item is the object the key's first create made");
    assert.is(objects[0]!.data.text, "fast");
    // the keyed id shares a shard chunk with some of the others: those were inserted again
    const keyedShard = slow.shardOf(first.id);
    assert.ok(objects.slice(1).some((o) => slow.shardOf(o.id) === keyedShard), "a fresh item shared the keyed item's shard");
    assert.ok(steering.calls.includes(`${keyedShard}/readObjects`), "the taken id was read back");
    assert.equal(await listed(fast, list.id), objects.map((o) => o.id).sort(), "every object is listed: derived rows written");
    const stored = (await fast.stats()).reduce((n, s) => n + s.objects, 0);
    assert.is(stored, 1 + objects.length, "one object per item, no second one for the key");
    assert.equal(reports, []);
    // a retry with the key still gives the same object
    assert.is((await slow.createObject("TodoItem", { listId: list.id, text: "again" }, { idempotencyKey: "k1" })).id, first.id);
  } finally {
    await close(slow);
    await close(fast);
  }
}

/**
 * A canonical chunk that throws something other than a shard failure (a backend's refusal) fails the call,
 * but only after the chunks that committed on other shards got their derived rows: a create's items are
 * listed, an update's index entries moved, a delete's entries removed.
 */
export async function heldRefusal(backend: KvetchBackend, close: (kvetch: Kvetch) => Promise<void>): Promise<void> {
  const steering: Steering = { hold: null, refuse: new Set(), calls: [] };
  const reports: DerivedWriteFailure[] = [];
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: steered(backend, steering), onDerivedWriteFailure: (r) => reports.push(r) });
  try {
    const list = await kvetch.createObject("TodoList", { name: "l" });
    const refusedShard = 1;
    // 40 items: some on the refused shard and some on others, but for a chance of about 1 in 100,000
    const texts = Array.from({ length: 40 }, (_, i) => ({ type: "TodoItem", data: { listId: list.id, text: `t${i}` } }));
    steering.refuse.add(`${refusedShard}/insertObjects`);
    const created = await rejectionOf(() => kvetch.createObjects(texts));
    assert.match(created.message, /shard 1 refused insertObjects in this test/);
    steering.refuse.clear();
    const committed = (await listed(kvetch, list.id)).filter((id) => kvetch.shardOf(id) !== refusedShard);
    const objects = (await kvetch.stats()).reduce((n, s) => n + s.objects, 0);
    assert.ok(committed.length > 0, "some items were on other shards");
    assert.is(objects, 1 + committed.length, "the items that committed, each listed");

    // update: move every committed item to a second list; the refused shard's chunk throws
    const other = await kvetch.createObject("TodoList", { name: "m" });
    const all = await listed(kvetch, list.id);
    while (!all.some((id) => kvetch.shardOf(id) === refusedShard)) {
      all.push((await kvetch.createObject("TodoItem", { listId: list.id, text: "u" })).id);
    }
    const onRefused = all.filter((id) => kvetch.shardOf(id) === refusedShard);
    assert.ok(onRefused.length > 0 && onRefused.length < all.length, "items on the refused shard and on others");
    steering.refuse.add(`${refusedShard}/replaceObjects`);
    await rejectionOf(() => kvetch.updateObjects(all.map((id) => ({ type: "TodoItem", id, patch: { listId: other.id } }))));
    steering.refuse.clear();
    assert.equal(await listed(kvetch, other.id), all.filter((id) => !onRefused.includes(id)).sort(), "the updated items moved lists");
    assert.equal(await listed(kvetch, list.id), onRefused.slice().sort(), "the refused shard's items stayed");

    // delete: the same, with removeObjects refused
    steering.refuse.add(`${refusedShard}/removeObjects`);
    await rejectionOf(() => kvetch.deleteObjects(all));
    steering.refuse.clear();
    assert.equal(await listed(kvetch, other.id), [], "the deleted items' edges are gone");
    assert.equal(await listed(kvetch, list.id), onRefused.slice().sort());
    assert.equal(reports, []);
  } finally {
    await close(kvetch);
  }
}
