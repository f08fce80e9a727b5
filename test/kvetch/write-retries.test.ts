// Batch updates and deletes whose compare-and-set is retried (memory backend, one shard): when another
// writer deletes or keeps changing one object of the batch after another object of it was written, only
// that object's entry fails. The written object's derived rows still move, its edge counts follow, and
// the call's error says the rest of the batch was written (§6.4: no error for a committed row).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, defineSchema, memoryBackend, type KvetchBackend, type ShardStore } from "../../src/kvetch/index.js";
import { rejectionOf } from "./rejection.js";

const schema = defineSchema({
  objects: [
    { name: "List", typeId: 1 },
    { name: "Item", typeId: 2 },
  ],
  edges: [{ name: "list_to_item", edgeId: 1, storedIdAttr: "listId", storedOnType: "Item" }],
  indexes: [{ name: "by_tag", indexId: 1, indexedType: "Item", indexedAttr: "tag" }],
});

/** A Kvetch whose shard runs `before` (when set) ahead of each call to `method`, and a second writer on the same data. */
function withInterference(method: "replaceObjects" | "removeObjects"): { kvetch: Kvetch; other: Kvetch; before: { run: (() => Promise<unknown>) | null } } {
  const inner = memoryBackend();
  const before: { run: (() => Promise<unknown>) | null } = { run: null };
  const backend: KvetchBackend = {
    ...inner,
    openShards(counters) {
      return inner.openShards(counters).map(
        (shard) =>
          new Proxy(shard, {
            get(target, name, receiver) {
              const value = Reflect.get(target, name, receiver) as unknown;
              if (typeof value !== "function") return value;
              if (name !== method) return (value as (...a: unknown[]) => unknown).bind(target);
              return async (...args: unknown[]) => {
                if (before.run !== null) await before.run();
                return (value as (...a: unknown[]) => unknown).apply(target, args);
              };
            },
          }) as ShardStore,
      );
    },
  };
  return { kvetch: new Kvetch({ schema, backend }), other: new Kvetch({ schema, backend: inner }), before };
}


/** Two lists, and two items in the first. */
async function twoItemsInFirstOfTwoLists(kvetch: Kvetch): Promise<Record<"l1" | "l2" | "a" | "b", { id: string }>> {
  const [l1, l2] = await kvetch.createObjects([
    { type: "List", data: {} },
    { type: "List", data: {} },
  ]);
  const [a, b] = await kvetch.createObjects([
    { type: "Item", data: { listId: l1.id } },
    { type: "Item", data: { listId: l1.id } },
  ]);
  return { l1: l1!, l2: l2!, a: a!, b: b! };
}

/** The ids in each list's edges, read without verification (the derived rows as stored). */
async function storedEdges(kvetch: Kvetch, listIds: string[]): Promise<string[][]> {
  const pages = await kvetch.getEdges("list_to_item", listIds, { verify: false });
  return pages.map((page) => page.edges.map((edge) => edge.toId));
}

test("updateObjects: an object deleted by another writer during the retry fails alone; the written one's edge moves", async () => {
  for (const partial of [false, true]) {
    const { kvetch, other, before } = withInterference("replaceObjects");
    const { l1, l2, a, b } = await twoItemsInFirstOfTwoLists(kvetch);
    // The first compare-and-set writes A and misses B, which the other writer deletes just before it.
    before.run = async () => {
      before.run = null;
      await other.deleteObject(b.id);
    };
    const patches = [
      { type: "Item", id: a.id, patch: { listId: l2.id } },
      { type: "Item", id: b.id, patch: { t: "b2" } },
    ];
    if (partial) {
      const [movedA, missingB] = await kvetch.updateObjects(patches, { partial: true });
      assert.is((movedA as { version: number }).version, 2);
      assert.instance(missingB, KvetchError);
      assert.is((missingB as KvetchError).code, "NOT_FOUND");
    } else {
      const error = await rejectionOf(() => kvetch.updateObjects(patches));
      assert.is(error.code, "NOT_FOUND");
      assert.match(error.message, `no Item with id ${b.id}`);
      assert.match(error.message, "the batch's other objects were written");
    }
    assert.is((await kvetch.getObject(a.id))!.data.listId, l2.id);
    assert.equal(await storedEdges(kvetch, [l1.id, l2.id]), [[], [a.id]]);
    assert.equal(await kvetch.countEdges("list_to_item", [l1.id, l2.id]), [0, 1]);
  }
});

test("updateObjects: an object still changing after 8 attempts fails alone once another was written; before that, nothing is written", async () => {
  const { kvetch, other, before } = withInterference("replaceObjects");
  const { l1, l2, a, b } = await twoItemsInFirstOfTwoLists(kvetch);
  let bumps = 0;
  before.run = () => other.updateObject("Item", b.id, { n: ++bumps });
  const error = await rejectionOf(() =>
    kvetch.updateObjects([
      { type: "Item", id: a.id, patch: { listId: l2.id } },
      { type: "Item", id: b.id, patch: { listId: l2.id } },
    ]),
  );
  assert.is(error.code, "CONFLICT");
  assert.match(error.message, `${b.id} kept changing under 8 attempts; the batch's other objects were written`);
  assert.is(bumps, 8);
  assert.equal(await storedEdges(kvetch, [l1.id, l2.id]), [[b.id], [a.id]]);
  assert.equal(await kvetch.countEdges("list_to_item", [l1.id, l2.id]), [1, 1]);

  // Alone, the changing object writes nothing, and the error says so.
  const alone = await rejectionOf(() => kvetch.updateObjects([{ type: "Item", id: b.id, patch: { listId: l2.id } }]));
  assert.match(alone.message, "kept changing under 8 attempts; nothing was written");
  assert.equal(await storedEdges(kvetch, [l1.id, l2.id]), [[b.id], [a.id]]);
});

test("deleteObjects: an object still changing after 8 attempts fails alone; the deleted one's edge, count and index entry go", async () => {
  for (const partial of [false, true]) {
    const { kvetch, other, before } = withInterference("removeObjects");
    const list = await kvetch.createObject("List", {});
    const [a, b] = await kvetch.createObjects([
      { type: "Item", data: { listId: list.id, tag: "x" } },
      { type: "Item", data: { listId: list.id, tag: "y" } },
    ]);
    let bumps = 0;
    before.run = () => other.updateObject("Item", b.id, { n: ++bumps });
    if (partial) {
      const [deletedA, changingB] = await kvetch.deleteObjects([a.id, b.id], { partial: true });
      assert.is(deletedA, true);
      assert.instance(changingB, KvetchError);
      assert.is((changingB as KvetchError).code, "CONFLICT");
    } else {
      const error = await rejectionOf(() => kvetch.deleteObjects([a.id, b.id]));
      assert.is(error.code, "CONFLICT");
      assert.match(error.message, `${b.id} kept changing under 8 attempts; it was not deleted, the batch's other objects were`);
    }
    before.run = null;
    assert.is(await kvetch.getObject(a.id), null);
    assert.equal(await storedEdges(kvetch, [list.id]), [[b.id]]);
    assert.equal(await kvetch.countEdges("list_to_item", [list.id]), [1]);
    const [byX] = await kvetch.queryIndex("by_tag", ["x"], { verify: false });
    assert.is(byX!.edges.length, 0);
  }
});

test("updateObjects with ifVersion: a change by another writer between the read and the compare-and-set is a CONFLICT at once, never merged again", async () => {
  const { kvetch, other, before } = withInterference("replaceObjects");
  const { l1, l2, a, b } = await twoItemsInFirstOfTwoLists(kvetch);
  let bumps = 0;
  before.run = async () => {
    before.run = null;
    await other.updateObject("Item", b.id, { n: ++bumps });
  };
  // Alone: the lost compare-and-set is not retried; the re-read gives the version the caller must start from.
  const alone = await rejectionOf(() => kvetch.updateObject("Item", b.id, { listId: l2.id }, { ifVersion: 1 }));
  assert.is(alone.code, "CONFLICT");
  assert.is(alone.currentVersion, 2);
  assert.match(alone.message, `Item ${b.id} is at version 2, not ifVersion 1; read it again and retry from version 2; nothing was written`);
  assert.is(bumps, 1);
  assert.equal((await kvetch.getObject(b.id))!.data, { listId: l1.id, n: 1 }, "the other writer's change, not a merge");

  // Beside an item without ifVersion: that one is written, this one fails alone and says so.
  before.run = async () => {
    before.run = null;
    await other.updateObject("Item", b.id, { n: ++bumps });
  };
  const [movedA, conflictB] = await kvetch.updateObjects(
    [
      { id: a.id, patch: { listId: l2.id } },
      { id: b.id, patch: { listId: l2.id }, ifVersion: 2 },
    ],
    { type: "Item", partial: true },
  );
  assert.is((movedA as { version: number }).version, 2);
  assert.instance(conflictB, KvetchError);
  assert.is((conflictB as KvetchError).currentVersion, 3);
  assert.match((conflictB as KvetchError).message, "(another writer changed it during the update); the batch's other objects were written");
  assert.equal(await storedEdges(kvetch, [l1.id, l2.id]), [[b.id], [a.id]]);
  assert.equal(await kvetch.countEdges("list_to_item", [l1.id, l2.id]), [1, 1]);
});

test.run();
