// Writes whose outcome the client could not see (memory backend, 4 shards, faults injected per call): a
// canonical call that committed and then "timed out" or "lost its connection" is read back and its entries
// succeed with their derived rows; one that wrote nothing is "not stored"; when the re-read fails too the
// outcome is "unknown". onDerivedWriteFailure says per item whether it was queued.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, defineSchema, memoryBackend, writeOutcomeOf, type DerivedWriteFailure, type KvetchBackend, type ShardStore } from "../../src/kvetch/index.js";
import { shardError } from "../../src/kvetch/errors.js";

const schema = defineSchema({
  objects: [
    { name: "List", typeId: 1 },
    { name: "Item", typeId: 2 },
  ],
  edges: [{ name: "list_to_item", edgeId: 1, storedIdAttr: "listId", storedOnType: "Item" }],
  indexes: [],
});

type Fault = "commit then timeout" | "commit then lost" | "lost before" | "fail";

/**
 * A Kvetch on 4 memory shards where `faults[method]` (when set, for the shards in `on`) makes a call fail:
 * after running it ("commit then …": the write happened, the answer was lost) or instead of it.
 */
function faulty() {
  const inner = memoryBackend({ shards: 4 });
  const faults: Partial<Record<string, { fault: Fault; on: Set<number>; times: number; skip?: number }>> = {};
  const failures: DerivedWriteFailure[] = [];
  const backend: KvetchBackend = {
    ...inner,
    breaker: { failureThreshold: 3, probeIntervalMs: 0 }, // an open breaker lets the next call probe at once
    openShards(counters) {
      return inner.openShards(counters).map(
        (shard) =>
          new Proxy(shard, {
            get(target, name, receiver) {
              const value = Reflect.get(target, name, receiver) as unknown;
              if (typeof value !== "function") return value;
              return async (...args: unknown[]) => {
                const set = faults[String(name)];
                if (set === undefined || !set.on.has(target.shard) || set.times === 0) return (value as (...a: unknown[]) => unknown).apply(target, args);
                if (set.skip !== undefined && set.skip > 0) {
                  set.skip--;
                  return (value as (...a: unknown[]) => unknown).apply(target, args);
                }
                set.times--;
                const what = String(name);
                if (set.fault === "commit then timeout" || set.fault === "commit then lost") {
                  await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
                  throw shardError(target.shard, set.fault === "commit then timeout" ? "timeout" : "connection lost", what, new Error("injected"));
                }
                throw shardError(target.shard, set.fault === "fail" ? "failed" : "connection lost", what, new Error("injected"));
              };
            },
          }) as ShardStore,
      );
    },
  };
  const kvetch = new Kvetch({ schema, backend, onDerivedWriteFailure: (report) => void failures.push(report) });
  return { kvetch, faults, failures };
}

async function listed(kvetch: Kvetch, listId: string): Promise<Set<string>> {
  const [page] = await kvetch.getEdges("list_to_item", [listId], { first: 100 });
  return new Set((page as { edges: { toId: string }[] }).edges.map((edge) => edge.toId));
}

test("a create that committed before its answer was lost (timeout, lost connection) succeeds per item, read back, with its derived rows", async () => {
  const { kvetch, faults } = faulty();
  const list = await kvetch.createObject("List", {});
  faults.insertObjects = { fault: "commit then timeout", on: new Set([0, 1]), times: 2 };
  const results = await kvetch.createObjects(Array.from({ length: 40 }, () => ({ type: "Item", data: { listId: list.id } })), { partial: true });
  assert.is(results.filter((result) => result instanceof KvetchError).length, 0, "every item was stored, and says so");
  const inList = await listed(kvetch, list.id);
  for (const item of results) assert.ok(inList.has((item as { id: string }).id), "its edge was written");
  assert.is(faults.insertObjects.times, 0, "both shards' inserts failed after committing");
});

test("a create whose call never reached the shard is 'not stored' per item, and the other shards' items succeed", async () => {
  const { kvetch, faults } = faulty();
  const list = await kvetch.createObject("List", {});
  faults.insertObjects = { fault: "fail", on: new Set([2]), times: 1 };
  const results = await kvetch.createObjects(Array.from({ length: 40 }, () => ({ type: "Item", data: { listId: list.id } })), { partial: true });
  const failed = results.filter((result): result is KvetchError => result instanceof KvetchError);
  assert.ok(failed.length > 0);
  for (const error of failed) {
    assert.is(writeOutcomeOf(error), "not stored");
    assert.match(error.message, /shard 2 failed in insertObjects; the server log has the cause; the create of [0-9a-f-]{36} was not stored/);
  }
  const stored = await kvetch.getObjects(results.map((result) => (result instanceof KvetchError ? /of ([0-9a-f-]{36})/.exec(result.message)![1]! : result.id)));
  for (let i = 0; i < results.length; i++) assert.is(stored[i] === null, results[i] instanceof KvetchError, `item ${i}: reported as stored`);
});

test("an update batch that committed, then lost its connection, is read back: every item stored, and its derived rows moved", async () => {
  const { kvetch, faults } = faulty();
  const [from, to] = await kvetch.createObjects([{ type: "List", data: {} }, { type: "List", data: {} }]);
  const items = await kvetch.createObjects(Array.from({ length: 20 }, () => ({ type: "Item", data: { listId: from!.id } })));
  faults.replaceObjects = { fault: "commit then lost", on: new Set([0, 1, 2, 3]), times: 4 };
  const results = await kvetch.updateObjects(items.map((item) => ({ type: "Item", id: item.id, patch: { listId: to!.id } })), { partial: true });
  assert.is(results.filter((result) => result instanceof KvetchError).length, 0);
  assert.is((await listed(kvetch, from!.id)).size, 0, "none left in the old list");
  assert.is((await listed(kvetch, to!.id)).size, 20, "all in the new list, without a repair");
});

test("when the re-read fails too, the outcome is 'unknown' per item (the shard does not answer) — never a guess; the objects are queued on another shard and the drain heals their lists", async () => {
  const { kvetch, faults, failures } = faulty();
  const list = await kvetch.createObject("List", {});
  const onShard1: { id: string }[] = [];
  while (onShard1.length < 3) {
    const items = await kvetch.createObjects(Array.from({ length: 12 }, () => ({ type: "Item", data: { listId: list.id } })));
    onShard1.push(...items.filter((item) => kvetch.shardOf(item.id) === 1));
  }
  faults.removeObjects = { fault: "commit then timeout", on: new Set([1]), times: 1 };
  // deleteObjects reads the rows first (let through); every attempt of the re-read then loses its connection.
  faults.readObjects = { fault: "lost before", on: new Set([1]), times: 4, skip: 1 };
  faults.queueRepairs = { fault: "fail", on: new Set([1]), times: 1000 }; // their own shard does not take them
  const results = await kvetch.deleteObjects(onShard1.map((item) => item.id), { partial: true });
  for (const result of results) {
    assert.instance(result, KvetchError);
    assert.is(writeOutcomeOf(result), "unknown");
    assert.match((result as KvetchError).message, /whether the delete of [0-9a-f-]{36} was stored is unknown: the shard did not answer a re-read either/);
  }
  assert.is(faults.readObjects.times, 0, "the re-read was tried 4 times");
  assert.equal(await kvetch.getObjects(onShard1.map((item) => item.id)), onShard1.map(() => null), "the delete did happen: unknown was the truth");
  const reports = failures.filter((report) => report.op === "delete");
  assert.equal(reports.map((report) => [new Set(report.ids), report.queued]), [[new Set(onShard1.map((item) => item.id)), true]]);
  const drained = await kvetch.repair({ queue: true });
  assert.is(drained.scanned, onShard1.length);
  assert.is(drained.edgesRemoved, onShard1.length, "the deleted items' edges left their list");
});

test("onDerivedWriteFailure tells per item whether it was queued: the objects queued and those not come in separate reports", async () => {
  const { kvetch, faults, failures } = faulty();
  const list = await kvetch.createObject("List", {});
  faults.writeEdges = { fault: "fail", on: new Set([0, 1, 2, 3]), times: 1000 };
  faults.queueRepairs = { fault: "fail", on: new Set([3]), times: 1000 };
  const items = await kvetch.createObjects(Array.from({ length: 40 }, () => ({ type: "Item", data: { listId: list.id } })));
  const queued = failures.filter((report) => report.queued).flatMap((report) => report.ids);
  const notQueued = failures.filter((report) => !report.queued).flatMap((report) => report.ids);
  assert.equal(new Set(notQueued), new Set(items.filter((item) => kvetch.shardOf(item.id) === 3).map((item) => item.id)));
  assert.equal(new Set(queued), new Set(items.filter((item) => kvetch.shardOf(item.id) !== 3).map((item) => item.id)));
  assert.is(queued.length + notQueued.length, items.length);
});

test.run();
