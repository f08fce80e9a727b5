// Repair alongside writers (spec/kvetch-storage.md §8, confirmRepaired): a repair batch judges rows from the
// objects as it read them; a writer that changes an object before the batch's fix lands must not be undone.
// Memory backend; two stores on one backend — the repairing one's derived writes held until the writer is done.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import type { DerivedWriteFailure, KvetchBackend } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { shardError } from "../../src/kvetch/errors.js";
import { todoKvetchSchema } from "../../examples/todo/kvetchSchema.js";
import { aroundShardCalls, gate, type Gate } from "./shardCalls.js";

/** A gate for the first call of `method`. */
interface MethodGate extends Gate {
  method: string;
}

function gateOn(method: string): MethodGate {
  return { method, ...gate() };
}

/** `inner`, whose shards hold the gate's method while `gates.current` is set (each gate once), and fail the methods in `gates.failing`. */
function gated(inner: KvetchBackend, gates: { current: MethodGate | null; failing?: Set<string> }): KvetchBackend {
  return aroundShardCalls(inner, async (shard, method, _args, call) => {
    if (gates.failing?.has(method)) throw shardError(shard, "failed", method, new Error("broken in this test"));
    const held = gates.current;
    if (held !== null && held.method === method) {
      gates.current = null;
      await held.wait();
    }
    return call();
  });
}

async function setup() {
  const backend = memoryBackend({ shards: 2 });
  const gates: { current: MethodGate | null; failing: Set<string> } = { current: null, failing: new Set() };
  const reports: DerivedWriteFailure[] = [];
  const writer = new Kvetch({ schema: todoKvetchSchema, backend, onDerivedWriteFailure: (r) => reports.push(r) });
  const repairer = new Kvetch({ schema: todoKvetchSchema, backend: gated(backend, gates), onDerivedWriteFailure: (r) => reports.push(r) });
  const [l1, l2] = await writer.createObjects([
    { type: "TodoList", data: { name: "one" } },
    { type: "TodoList", data: { name: "two" } },
  ]);
  const listed = async (listId: string): Promise<string[]> => (await writer.getEdges("list_to_item", [listId], { verify: false }))[0]!.edges.map((e) => e.toId);
  const counted = async (listId: string): Promise<number> => (await writer.countEdges("list_to_item", [listId]))[0]!;
  /** A write stopped between its canonical rows and its derived rows (a crash); the ids it wrote. */
  async function crashAfterCanonical(write: () => Promise<unknown>): Promise<readonly string[]> {
    let ids: readonly string[] = [];
    kvetchTestHooks(writer).afterCanonicalWrite = (info) => {
      ids = info.ids;
      throw new Error("crashed");
    };
    await write().then(
      () => assert.unreachable("the write stops"),
      () => undefined,
    );
    delete kvetchTestHooks(writer).afterCanonicalWrite;
    return ids;
  }
  /** A store on the same shards whose derived writes fail, so its writes queue their objects for repair. */
  const broken = new Kvetch({ schema: todoKvetchSchema, backend: gated(backend, { current: null, failing: new Set(["writeEdges", "removeEdges"]) }), onDerivedWriteFailure: () => undefined });
  /** Closes the stores; neither the writer nor the repair had anything to queue. */
  const closeAll = async (): Promise<void> => {
    assert.equal(reports, []);
    for (const store of [writer, repairer, broken]) await store.close();
  };
  return { closeAll, reports, writer, repairer, broken, gates, l1: l1!, l2: l2!, listed, counted, crashAfterCanonical };
}

test("repair's edges phase removes a stale edge; a writer re-implies it before the removal lands: the edge is restored", async () => {
  const { closeAll, writer, repairer, gates, l1, l2, listed, counted, crashAfterCanonical } = await setup();
  const item = await writer.createObject("TodoItem", { listId: l1.id, text: "t" });
  await crashAfterCanonical(() => writer.updateObject("TodoItem", item.id, { listId: l2.id })); // item says l2, the edge is l1's
  gates.current = gateOn("removeEdges");
  const held = gates.current;
  const repaired = repairer.repair();
  await held.reached; // the edges phase judged l1 → item stale (the item said l2) and is about to remove it
  await writer.updateObject("TodoItem", item.id, { listId: l1.id });
  held.open();
  await repaired;
  assert.equal(await listed(l1.id), [item.id], "the item is in l1, as its data says");
  assert.is(await counted(l1.id), 1);
  assert.equal(await listed(l2.id), []);
  assert.is(await counted(l2.id), 0);
  await closeAll();
});

test("repair's objects phase adds a missing edge; a writer moves the object before the insert lands: no stale edge stays", async () => {
  const { closeAll, writer, repairer, gates, l1, l2, listed, counted, crashAfterCanonical } = await setup();
  const [item] = await crashAfterCanonical(() => writer.createObject("TodoItem", { listId: l1.id, text: "t" }));
  assert.equal(await listed(l1.id), [], "the crashed create left no edge");
  gates.current = gateOn("writeEdges");
  const held = gates.current;
  const repaired = repairer.repair({ maxBatches: 2 }); // the objects phase, on both shards
  await held.reached; // about to insert l1 → item, implied by the item as it read it
  await writer.updateObject("TodoItem", item!, { listId: l2.id });
  held.open();
  const report = await repaired;
  assert.is(report.checkpoint?.phase, "edges", "stopped before the edges phase");
  assert.equal(await listed(l1.id), [], "no edge in l1: the item moved to l2");
  assert.is(await counted(l1.id), 0);
  assert.equal(await listed(l2.id), [item]);
  assert.is(await counted(l2.id), 1);
  await closeAll();
});

test("repair's index phase removes a stale entry; a writer re-implies it before the removal lands: the entry is restored", async () => {
  const { closeAll, writer, repairer, gates, crashAfterCanonical } = await setup();
  const user = await writer.createObject("User", { username: "ann" });
  await crashAfterCanonical(() => writer.updateObject("User", user.id, { username: "bob" })); // the index still says ann
  gates.current = gateOn("removeIndexEntries");
  const held = gates.current;
  const repaired = repairer.repair();
  await held.reached; // the index phase judged ann → user stale and is about to remove it
  await writer.updateObject("User", user.id, { username: "ann" });
  held.open();
  await repaired;
  const [ann, bob] = await writer.queryIndex("username", ["ann", "bob"], { verify: false });
  assert.equal(ann!.edges.map((e) => e.targetId), [user.id], "ann → user, as the user's data says");
  assert.equal(bob!.edges, []);
  await closeAll();
});

test("repair cannot read an object back to confirm it: the object is queued (op \"repair\") and the queue drain restores its edge", async () => {
  const { closeAll, reports, writer, repairer, gates, l1, l2, listed, crashAfterCanonical } = await setup();
  const item = await writer.createObject("TodoItem", { listId: l1.id, text: "t" });
  await crashAfterCanonical(() => writer.updateObject("TodoItem", item.id, { listId: l2.id }));
  gates.current = gateOn("removeEdges");
  const held = gates.current;
  const repaired = repairer.repair();
  await held.reached;
  await writer.updateObject("TodoItem", item.id, { listId: l1.id });
  gates.failing.add("readObjects"); // confirmRepaired's read fails
  held.open();
  await repaired;
  gates.failing.clear();
  assert.equal(await listed(l1.id), [], "removed by the batch, not yet restored");
  assert.equal(reports.map((r) => [r.op, r.ids, r.queued]), [["repair", [item.id], true]]);
  reports.length = 0;
  const drained = await repairer.repair({ queue: true });
  assert.is(drained.scanned, 1);
  assert.equal(await listed(l1.id), [item.id], "the drain followed the item's data");
  assert.equal(await listed(l2.id), []);
  await closeAll();
});

test("the queue drain removes a left-behind edge; a writer re-implies it before the removal lands: the edge is restored", async () => {
  const { closeAll, writer, repairer, broken, gates, l1, l2, listed, counted } = await setup();
  const item = await writer.createObject("TodoItem", { listId: l1.id, text: "t" });
  await broken.updateObject("TodoItem", item.id, { listId: l2.id }); // item says l2; l1's edge left behind, l2's missing; queued
  assert.equal(await listed(l1.id), [item.id]);
  gates.current = gateOn("removeEdges");
  const held = gates.current;
  const drained = repairer.repair({ queue: true });
  await held.reached; // l2 → item written, about to remove l1 → item (the item said l2)
  await writer.updateObject("TodoItem", item.id, { listId: l1.id });
  held.open();
  const report = await drained;
  assert.is(report.scanned, 1);
  assert.equal(await listed(l1.id), [item.id], "the item is in l1, as its data says");
  assert.is(await counted(l1.id), 1);
  assert.equal(await listed(l2.id), []);
  assert.is(await counted(l2.id), 0);
  await closeAll();
});

test.run();
