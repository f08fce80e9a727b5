// Derived rows when two writers change one object at overlapping times (spec/kvetch-storage.md §6.4,
// confirmDerived): a writer whose derived step runs after another writer's whole update (or delete) must not
// leave the index entries and derived edges of its own, older data. Memory backend, two stores on one
// backend (two servers), the first paused between its canonical and derived steps by the test hook.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, defineSchema, memoryBackend } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";

const schema = defineSchema({
  objects: [
    { name: "Owner", typeId: 1 },
    { name: "Item", typeId: 2 },
  ],
  edges: [{ name: "owner_to_item", edgeId: 1, fromType: "Owner", storedIdAttr: "ownerId", storedOnType: "Item" }],
  indexes: [{ name: "item_by_tag", indexId: 1, indexedType: "Item", indexedAttr: "tag" }],
});

async function setup() {
  const backend = memoryBackend({ shards: 4 });
  const reports: unknown[] = [];
  const slow = new Kvetch({ schema, backend, onDerivedWriteFailure: (report) => reports.push(report) });
  const fast = new Kvetch({ schema, backend, onDerivedWriteFailure: (report) => reports.push(report) });
  const [p0, p1] = await slow.createObjects([
    { type: "Owner", data: {} },
    { type: "Owner", data: {} },
  ]);
  const item = await slow.createObject("Item", { ownerId: p0!.id, tag: "x" });
  /** Runs `during` while `slow`'s write waits between its canonical rows and its derived rows. */
  async function interleave<T>(write: Promise<T>, during: () => Promise<unknown>, gate: { open: () => void }): Promise<T> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    await during();
    gate.open();
    return write;
  }
  function pause(): { open: () => void } {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    kvetchTestHooks(slow).afterCanonicalWrite = async () => {
      delete kvetchTestHooks(slow).afterCanonicalWrite;
      await gate;
    };
    return { open };
  }
  /** The stored rows, unverified: what a repair would find wrong. */
  async function stored() {
    const tags = await slow.queryIndex("item_by_tag", ["x", "y"], { verify: false });
    const edges = await slow.getEdges("owner_to_item", [p0!.id, p1!.id], { verify: false });
    return {
      x: tags[0]!.edges.length,
      y: tags[1]!.edges.length,
      p0: edges[0]!.edges.length,
      p1: edges[1]!.edges.length,
      counts: await slow.countEdges("owner_to_item", [p0!.id, p1!.id]),
    };
  }
  return { slow, fast, reports, p0: p0!, p1: p1!, item, interleave, pause, stored };
}

test("an update whose derived step runs after another writer's whole update: the rows follow the newer data", async () => {
  const s = await setup();
  const gate = s.pause();
  const first = s.slow.updateObjects([{ type: "Item", id: s.item.id, patch: { tag: "y", ownerId: s.p1.id } }]);
  await s.interleave(first, () => s.fast.updateObjects([{ type: "Item", id: s.item.id, patch: { tag: "x", ownerId: s.p0.id } }]), gate);
  const [now] = await s.slow.getObjects([s.item.id]);
  assert.equal([now!.version, now!.data], [3, { ownerId: s.p0.id, tag: "x" }]);
  // Before, the index held "y" and not "x", the edge stood under p1 and not p0, and nothing was queued.
  assert.equal(await s.stored(), { x: 1, y: 0, p0: 1, p1: 0, counts: [1, 0] });
  assert.equal(s.reports, []);
  const repaired = await s.slow.repair({});
  assert.equal([repaired.indexAdded, repaired.indexRemoved, repaired.edgesAdded, repaired.edgesRemoved], [0, 0, 0, 0], "nothing left for a full repair");
});

test("an update whose derived step runs after another writer deleted the object: no row of it is left", async () => {
  const s = await setup();
  const gate = s.pause();
  const first = s.slow.updateObjects([{ type: "Item", id: s.item.id, patch: { tag: "y", ownerId: s.p1.id } }]);
  await s.interleave(first, () => s.fast.deleteObjects([s.item.id]), gate);
  assert.equal(await s.slow.getObjects([s.item.id]), [null]);
  assert.equal(await s.stored(), { x: 0, y: 0, p0: 0, p1: 0, counts: [0, 0] });
  assert.equal(s.reports, []);
});

test("an update that moves no derived row is not read again; one that moves some is read once more", async () => {
  const s = await setup();
  s.slow.resetCounters();
  await s.slow.updateObjects([{ type: "Item", id: s.item.id, patch: { note: "n" } }]);
  const still = s.slow.counters.shardQueries.reduce((a, b) => a + b, 0);
  s.slow.resetCounters();
  await s.slow.updateObjects([{ type: "Item", id: s.item.id, patch: { tag: "z" } }]);
  const moved = s.slow.counters.shardQueries.reduce((a, b) => a + b, 0);
  // read and compare-and-set; moved: also the index entries removed and added, then the object read again.
  assert.equal([still, moved], [2, 5]);
});

test.run();
