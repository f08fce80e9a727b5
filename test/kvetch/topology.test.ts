// The shard topology on the memory backend (spec/kvetch-storage.md §2.2-2.4): a configuration that appends,
// drops, swaps or doubles a shard is refused before any read or write, a reordered one maps by stored id and
// finds everything, migrate joins new shards and never rewrites an identity, and map writes are compare-and-set.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, defineSchema, memoryBackend, memoryShards } from "../../src/kvetch/index.js";
import type { KvetchBackend, MemoryShard, ShardStore } from "../../src/kvetch/index.js";
import { newestMap, readTopology, writeTopology } from "../../src/kvetch/topology.js";
import type { TopologyShard } from "../../src/kvetch/topology.js";
import { rejectionOf } from "./rejection.js";
import { aroundShardCalls } from "./shardCalls.js";

const schema = defineSchema({ objects: [{ name: "Note", typeId: 1 }] });
const OBJECTS = 30;

/** Three shards holding OBJECTS notes, and their ids. */
async function installation(): Promise<{ shards: MemoryShard[]; ids: string[] }> {
  const shards = memoryShards(3);
  const kvetch = new Kvetch({ schema, backend: memoryBackend({ shards }) });
  const made = await kvetch.createObjects(Array.from({ length: OBJECTS }, (_, i) => ({ type: "Note", data: { i } })));
  await kvetch.close();
  return { shards, ids: made.map((object) => object.id) };
}

/** How many of `ids` a store over `shards` finds. */
async function found(shards: readonly MemoryShard[], ids: readonly string[]): Promise<number> {
  const kvetch = new Kvetch({ schema, backend: memoryBackend({ shards }) });
  const objects = await kvetch.getObjects(ids);
  await kvetch.close();
  return objects.filter((object) => object !== null).length;
}

/** The shard stores of a backend, for reading and writing their topology directly. */
function storesOf(backend: KvetchBackend): TopologyShard[] {
  return backend.openShards({ calls: 0, shardQueries: new Array<number>(backend.shardMap.shards).fill(0), cacheRoundTrips: {}, rowsFetched: 0 }) as TopologyShard[];
}

/** Opens `shards`, tries a read and a write; both must fail with TOPOLOGY_MISMATCH having touched no data. */
async function refused(shards: readonly MemoryShard[], ids: readonly string[]): Promise<string> {
  const kvetch = new Kvetch({ schema, backend: memoryBackend({ shards }) });
  let message = "";
  try {
    await kvetch.getObjects(ids);
    assert.unreachable("the read must be refused");
  } catch (error) {
    assert.instance(error, KvetchError);
    assert.is((error as KvetchError).code, "TOPOLOGY_MISMATCH");
    message = (error as Error).message;
  }
  // The check read each shard's topology once: no other round trip, no row.
  assert.equal(kvetch.counters.shardQueries, new Array(shards.length).fill(1), "one topology read per shard, nothing else");
  assert.is(kvetch.counters.rowsFetched, 0);
  assert.is((await rejectionOf(() => kvetch.createObject("Note", { i: -1 }))).code, "TOPOLOGY_MISMATCH");
  assert.is((await rejectionOf(() => kvetch.updateObject("Note", ids[0]!, { i: -2 }))).code, "TOPOLOGY_MISMATCH");
  assert.equal(kvetch.counters.shardQueries, new Array(shards.length).fill(1), "a refused store never checks again, never writes");
  await kvetch.close();
  return message;
}

test("topology (memory): a fresh backend is an installation at its first call, version 1, shard ids in configured order", async () => {
  const backend = memoryBackend({ shards: 3 });
  const kvetch = new Kvetch({ schema, backend });
  await kvetch.createObject("Note", { i: 0 });
  const answers = await readTopology(storesOf(backend));
  assert.equal(answers.map((answer) => answer.identity?.shardId), [0, 1, 2]);
  assert.is(new Set(answers.map((answer) => answer.identity?.installation)).size, 1);
  const map = newestMap(answers)!;
  assert.is(map.version, 1);
  assert.equal(map.shards, [0, 1, 2]);
  assert.equal(map.ranges, [
    { first: 0, last: 341, shard: 0 },
    { first: 342, last: 682, shard: 1 },
    { first: 683, last: 1023, shard: 2 },
  ]);
  await kvetch.close();
});

test("topology (memory): stores opened at once on one fresh backend make one installation between them", async () => {
  const backend = memoryBackend({ shards: 3 });
  const stores = [0, 1, 2, 3].map(() => new Kvetch({ schema, backend }));
  const made = await Promise.all(stores.map((kvetch, i) => kvetch.createObject("Note", { i })));
  for (const kvetch of stores) assert.equal((await kvetch.getObjects(made.map((object) => object.id))).filter(Boolean).length, 4);
  const answers = await readTopology(storesOf(backend));
  assert.is(new Set(answers.map((answer) => answer.identity?.installation)).size, 1);
  assert.equal(answers.map((answer) => answer.map?.version), [1, 1, 1]);
  for (const kvetch of stores) await kvetch.close();
});

test("topology (memory): an appended shard that never joined is refused before any read or write, naming it and migrate", async () => {
  const { shards, ids } = await installation();
  const message = await refused([...shards, ...memoryShards(1)], ids);
  assert.match(message, "shards[3] has not joined installation");
  assert.match(message, "`graphscale kvetch migrate`");
  assert.is(await found(shards, ids), OBJECTS, "the original configuration still finds every object");
});

test("topology (memory): a dropped shard is refused, naming its stored id and its buckets", async () => {
  const { shards, ids } = await installation();
  const message = await refused([shards[0]!, shards[1]!], ids);
  assert.match(message, "stored shard id 2 (341 of 1024 buckets) is missing from the configuration");
  assert.is(await found(shards, ids), OBJECTS);
});

test("topology (memory): a database of another installation in a shard's place is refused", async () => {
  const { shards, ids } = await installation();
  const other = await installation();
  const message = await refused([shards[0]!, other.shards[1]!, shards[2]!], ids);
  assert.match(message, "shards[1] belongs to another installation");
  assert.match(message, "stored shard id 1 (341 of 1024 buckets) is missing");
  assert.is(await found(shards, ids), OBJECTS);
  assert.is(await found(other.shards, other.ids), OBJECTS, "the other installation is untouched");
});

test("topology (memory): a reordered list maps by stored id: every object found, on the same shard as before", async () => {
  const { shards, ids } = await installation();
  const order = [2, 0, 1];
  const kvetch = new Kvetch({ schema, backend: memoryBackend({ shards: order.map((s) => shards[s]!) }) });
  const objects = await kvetch.getObjects(ids);
  assert.is(objects.filter((object) => object !== null).length, OBJECTS);
  const original = new Kvetch({ schema, backend: memoryBackend({ shards }) });
  await original.open();
  for (const id of ids) assert.is(order[kvetch.shardOf(id)], original.shardOf(id), `${id} is read where it was written`);
  await kvetch.close();
  await original.close();
});

test("topology (memory): every first call waits for one check; once open a read costs no extra round trip", async () => {
  const { shards, ids } = await installation();
  const kvetch = new Kvetch({ schema, backend: memoryBackend({ shards }) });
  const reads = await Promise.all([kvetch.getObjects(ids), kvetch.getObjects(ids), kvetch.getObjects(ids.slice(0, 1))]);
  assert.is(reads[0].filter(Boolean).length, OBJECTS);
  const afterCheck = kvetch.counters.shardQueries.reduce((a, b) => a + b, 0);
  // 3 topology reads and 1 schema lock read (the home shard's), then 3 + 3 + 1 object reads.
  assert.is(afterCheck, 3 + 1 + 3 + 3 + 1);
  kvetch.resetCounters();
  await kvetch.getObjects(ids);
  assert.equal(kvetch.counters.shardQueries, [1, 1, 1]);
  await kvetch.close();
});

test("topology (memory): a shard failing the check fails that call only; the next call checks again and opens", async () => {
  const { shards, ids } = await installation();
  let failures = 1;
  const backend = aroundShardCalls(memoryBackend({ shards }), (shard, method, _args, call) => {
    if (method === "readTopology" && shard === 1 && failures-- > 0) return Promise.reject(new Error("connection reset"));
    return call();
  });
  const kvetch = new Kvetch({ schema, backend });
  assert.match((await rejectionOf(() => kvetch.getObjects(ids))).message, "shard 1 failed in readTopology");
  assert.is((await kvetch.getObjects(ids)).filter(Boolean).length, OBJECTS);
  await kvetch.close();
});

test("topology (memory): migrate joins an appended shard owning no buckets; then the shorter list is refused", async () => {
  const { shards, ids } = await installation();
  const grown = [...shards, ...memoryShards(1)];
  const kvetch = new Kvetch({ schema, backend: memoryBackend({ shards: grown }) });
  await kvetch.migrate();
  assert.is((await kvetch.getObjects(ids)).filter(Boolean).length, OBJECTS);
  const answers = await readTopology(storesOf(memoryBackend({ shards: grown })));
  assert.equal(answers.map((answer) => answer.identity?.shardId), [0, 1, 2, 3]);
  const map = newestMap(answers)!;
  assert.is(map.version, 2);
  assert.equal(map.shards, [0, 1, 2, 3]);
  assert.is(map.nextShardId, 4);
  assert.not.ok(map.ranges.some((range) => range.shard === 3), "the joined shard owns no bucket");
  assert.ok(answers.every((answer) => answer.map?.version === 2), "every member holds the new version");
  assert.is((await kvetch.stats())[3]!.objects, 0);
  await kvetch.close();
  assert.match(await refused(shards, ids), "stored shard id 3 (0 of 1024 buckets) is missing");
  assert.is(await found(grown, ids), OBJECTS);
});

test("topology (memory): migrate cannot change an identity — not by reordering, not over another installation's shard", async () => {
  const { shards, ids } = await installation();
  const other = await installation();
  const reordered = new Kvetch({ schema, backend: memoryBackend({ shards: [shards[1]!, shards[2]!, shards[0]!] }) });
  await reordered.migrate();
  await reordered.close();
  const swapped = new Kvetch({ schema, backend: memoryBackend({ shards: [shards[0]!, other.shards[1]!, shards[2]!] }) });
  assert.match((await rejectionOf(() => swapped.migrate())).message, "shards[1] belongs to another installation");
  await swapped.close();
  const mine = await readTopology(storesOf(memoryBackend({ shards })));
  assert.equal(mine.map((answer) => answer.identity?.shardId), [0, 1, 2]);
  assert.is(newestMap(mine)!.version, 1, "a migrate with nothing to join writes no new version");
  const theirs = await readTopology(storesOf(memoryBackend({ shards: other.shards })));
  assert.equal(theirs.map((answer) => answer.identity?.shardId), [0, 1, 2]);
  assert.is(theirs[1]!.identity!.installation, theirs[0]!.identity!.installation, "the other installation's shard kept its installation");
  assert.is(await found(shards, ids), OBJECTS);
  assert.is(await found(other.shards, other.ids), OBJECTS);
});

test("topology (memory): writeTopology is compare-and-set at the decider; a lagging copy is outvoted, then brought up by migrate", async () => {
  const { shards, ids } = await installation();
  const stores = storesOf(memoryBackend({ shards }));
  const current = newestMap(await readTopology(stores))!;
  const next = { ...current, version: 2, ranges: [{ first: 0, last: 1023, shard: 0 }] };
  const rival = { ...current, version: 2, ranges: [{ first: 0, last: 1023, shard: 1 }] };
  // A writer that stopped after the decider: shard id 0 holds version 2, the others still version 1.
  const first = await stores[0]!.writeTopology(next, 1);
  assert.is(first.version, 2);
  assert.is((await rejectionOf(() => writeTopology((id) => stores[id]!, current, rival))).code, "TOPOLOGY_CONFLICT");
  assert.equal((await readTopology(stores)).map((answer) => answer.map!.version), [2, 1, 1], "the rival wrote nothing");
  // The newest copy wins: every object is now placed on shard 0, where none of them is.
  const kvetch = new Kvetch({ schema, backend: memoryBackend({ shards }) });
  const placed = await kvetch.getObjects(ids);
  assert.ok(placed.filter(Boolean).length < OBJECTS);
  await kvetch.migrate();
  assert.equal((await readTopology(stores)).map((answer) => answer.map!.version), [2, 2, 2], "migrate brought the lagging copies up");
  // A rerun of the same write is accepted at every shard.
  await writeTopology((id) => stores[id]!, current, next);
  await kvetch.close();
});

test("topology (memory): a shard keeps the map of its own installation only; an unjoined shard takes none", async () => {
  const mine = await installation();
  const other = await installation();
  const map = newestMap(await readTopology(storesOf(memoryBackend({ shards: mine.shards }))))!;
  const [theirs] = storesOf(memoryBackend({ shards: [other.shards[0]!] }));
  const kept = await theirs!.writeTopology({ ...map, version: 9 }, 99);
  assert.is.not(kept.installation, map.installation);
  assert.is(kept.version, 1);
  const [fresh] = storesOf(memoryBackend({ shards: memoryShards(1) }));
  assert.is((await fresh!.writeTopology(map, 0)).version, 0);
  assert.is((await fresh!.readTopology()).map, null);
});

test("topology (memory): memoryBackend takes only shards memoryShards made, each once", () => {
  const shards = memoryShards(2);
  assert.throws(() => memoryBackend({ shards: [shards[0]!, shards[0]!] }), /shards\[1\] repeats shards\[0\]/);
  assert.throws(() => memoryBackend({ shards: [{ kind: "memory shard" }] }), /was not made by memoryShards/);
  assert.throws(() => memoryBackend({ shards: 0 }), /shard count must be an integer from 1/);
  const stores: ShardStore[] = storesOf(memoryBackend({ shards }));
  assert.is(stores.length, 2);
});

test.run();
