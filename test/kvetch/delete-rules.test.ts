// Delete rules on the memory backend (4 shards): restrict, cascade, setNull, the bound and a cascade stopped part
// way, each checked against every shard's rows (read by the shards' own scans) for dangling references; and
// defineSchema's checks of onDelete.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, defineSchema, memoryBackend, shardOfId, type KvetchBackend } from "../../src/kvetch/index.js";
import { shardError } from "../../src/kvetch/errors.js";
import { storeOf } from "../../src/kvetch/store.js";
import type { Store } from "../../src/kvetch/store.js";
import { deleteRuleCases, library, libraryKvetchSchema, type Tables } from "./deleteRulesCases.js";

let current: Kvetch | null = null;

/** Every shard's rows through the ShardStore scans (the memory backend's tables). */
async function dump(): Promise<Tables> {
  const store = storeOf.get(current!) as Store;
  const tables: Tables = { objects: [], edges: [], counts: [], index: [] };
  const edgeIds = libraryKvetchSchema.edges.map((e) => e.edgeId);
  for (const shard of store.shards) {
    for (const row of await shard.scanObjects(null, 1e6)) tables.objects.push({ id: row.id, typeId: row.typeId, data: JSON.parse(row.body) as Record<string, unknown> });
    for (const row of await shard.scanEdges(edgeIds, null, 1e6)) tables.edges.push({ edgeId: row.edgeId, fromId: row.fromId, toId: row.toId });
    for (const row of await shard.scanIndexEntries(null, 1e6)) tables.index.push({ indexId: row.indexId, targetId: row.targetId });
  }
  // Counts: every parent any object or edge names, on its shard (a count row the memory backend keeps at 0 reads as 0).
  const parents = new Set([...tables.objects.map((o) => o.id), ...tables.edges.map((e) => e.fromId)]);
  for (const edge of libraryKvetchSchema.edges) {
    const ids = [...parents];
    const counts = await current!.countEdges(edge.name, ids);
    for (let i = 0; i < ids.length; i++) if (counts[i] !== 0) tables.counts.push({ edgeId: edge.edgeId, fromId: ids[i]!, n: counts[i]! });
  }
  tables.objects.sort((a, b) => (a.id < b.id ? -1 : 1));
  return tables;
}

deleteRuleCases(test, "memory", {
  kvetch: () => (current = new Kvetch({ schema: libraryKvetchSchema, backend: memoryBackend({ shards: 4 }) })),
  dump,
});

test("defineSchema: onDelete takes restrict, cascade or setNull on a derived edge; anything else is refused naming the edge", () => {
  const objects = [
    { name: "A", typeId: 1 },
    { name: "B", typeId: 2 },
  ];
  const schema = defineSchema({ objects, edges: [{ name: "a_bs", edgeId: 1, storedIdAttr: "aId", storedOnType: "B", onDelete: "setNull" }] });
  assert.is(schema.edge("a_bs", "test").onDelete, "setNull");
  assert.is(defineSchema({ objects, edges: [{ name: "a_bs", edgeId: 1, storedIdAttr: "aId", storedOnType: "B" }] }).edges[0]!.onDelete, null);
  assert.throws(
    () => defineSchema({ objects, edges: [{ name: "a_bs", edgeId: 1, storedIdAttr: "aId", storedOnType: "B", onDelete: "bogus" as "cascade" }] }),
    (error: Error) => error.message === `Kvetch: edges[0] (a_bs).onDelete is "bogus"; it must be one of "restrict", "cascade", "setNull", or absent`,
  );
  assert.throws(
    () => defineSchema({ objects, edges: [{ name: "a_bs", edgeId: 1, fromType: "A", toType: "B", onDelete: "cascade" }] }),
    (error: Error) => error.message.startsWith(`Kvetch: edges[0] (a_bs) has onDelete "cascade" but is a stored edge; delete rules belong to derived edges`),
  );
});

test("memory: an object whose read fails is not deleted (its rules could not be checked), even when its shard answers the delete's own read", async () => {
  const inner = memoryBackend({ shards: 4 });
  let failNextRead = -1;
  const backend: KvetchBackend = {
    ...inner,
    openShards: (counters) =>
      inner.openShards(counters).map((shard, n) => {
        const readObjects = shard.readObjects.bind(shard);
        return Object.assign(Object.create(shard) as typeof shard, {
          readObjects: async (ids: readonly string[]) => {
            if (n !== failNextRead) return readObjects(ids);
            failNextRead = -1;
            throw shardError(n, "timeout", "readObjects", new Error("test"));
          },
        });
      }),
  };
  const kvetch = new Kvetch({ schema: libraryKvetchSchema, backend });
  const lib = await library(kvetch, 1, 2, 0);
  failNextRead = shardOfId(backend.shardMap, lib.member);
  const [result] = await kvetch.deleteObjects([lib.member], { partial: true });
  assert.ok(result instanceof KvetchError && result.code === "SHARD_UNAVAILABLE", String(result));
  assert.ok(await kvetch.getObject(lib.member), "the member with loans is still there");
  assert.is((await kvetch.deleteObjects([lib.member], { partial: true }).catch((error: KvetchError) => error) as KvetchError).code, "RESTRICTED");
});

test("memory: a cascade batches per level: deleting a shelf of 40 or of 400 books (2 loans and 1 review each) costs the same shard round trips", async () => {
  // 40 books, not fewer: with a dozen, one of the 4 shards holds none of some level often enough (~13%) to save it a
  // round trip; at 40 the chance is 1 in 20,000. The member and the shelf get random ids in each store, so they share
  // a shard in one and not in the other about a quarter of the time: one round trip either way. A delete per object
  // would cost hundreds more at 400 books.
  const roundTrips: number[] = [];
  for (const books of [40, 400]) {
    const kvetch = new Kvetch({ schema: libraryKvetchSchema, backend: memoryBackend({ shards: 4 }) });
    const lib = await library(kvetch, books, 2, 1);
    kvetch.resetCounters();
    assert.is(await kvetch.deleteObject(lib.shelf), true);
    roundTrips.push(kvetch.counters.shardQueries.reduce((a, b) => a + b, 0));
    assert.equal(await kvetch.getObjects(lib.loans).then((loans) => loans.filter((l) => l !== null)), []);
  }
  assert.ok(Math.abs(roundTrips[1]! - roundTrips[0]!) <= 1, `round trips ${roundTrips.join(" vs ")}`);
});

test("memory: maxCascade must be a non-negative integer", async () => {
  const kvetch = new Kvetch({ schema: libraryKvetchSchema });
  const lib = await library(kvetch, 1, 0, 0);
  const error = await kvetch.deleteObject(lib.shelf, { maxCascade: -1 }).catch((e: KvetchError) => e);
  assert.is((error as KvetchError).message, "Kvetch: deleteObject maxCascade must be a non-negative integer, got -1");
  assert.ok(await kvetch.getObject(lib.shelf));
});

test.run();
