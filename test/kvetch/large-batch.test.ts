// A batch bigger than one query per shard (1000 keys a chunk) on the memory backend: each shard runs at most
// 4 chunks of one call at once (DEFAULT_CHUNKS_AT_ONCE), the rest in their order; the round trips are one per
// chunk, results come back in input order, and a shard that fails fails only its own entries.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, memoryBackend, newId } from "../../src/kvetch/index.js";
import type { KvetchBackend, KvetchCounters, ShardStore } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";

interface Probe {
  /** The most calls in flight at once, per shard. */
  peak: number[];
  /** The first key of each call, per shard, in the order the calls started. */
  started: string[][];
  /** Shards whose reads fail (the driver throws). */
  failing: Set<number>;
}

/** memoryBackend({ shards: 2 }) with every readObjects / readEdgeCounts call watched (no breaker: failures stay failures). */
function probedBackend(): { backend: KvetchBackend; probe: Probe } {
  const inner = memoryBackend({ shards: 2 });
  const probe: Probe = { peak: [0, 0], started: [[], []], failing: new Set() };
  const inFlight = [0, 0];
  const watch = <T>(shard: number, first: string, call: () => Promise<T>): Promise<T> => {
    probe.started[shard]!.push(first);
    inFlight[shard]!++;
    probe.peak[shard] = Math.max(probe.peak[shard]!, inFlight[shard]!);
    const failing = probe.failing.has(shard);
    return call().then(
      (value) => {
        inFlight[shard]!--;
        if (failing) throw new Error(`shard ${shard} broke`);
        return value;
      },
      (error: unknown) => {
        inFlight[shard]!--;
        throw error;
      },
    );
  };
  const backend: KvetchBackend = {
    kind: "probed memory",
    initializeOnOpen: inner.initializeOnOpen,
    shardMap: inner.shardMap,
    redis: null,
    breaker: false,
    openShards(counters: KvetchCounters): ShardStore[] {
      return inner.openShards(counters).map((store) => {
        const watched: Partial<ShardStore> = {
          readObjects: (ids) => watch(store.shard, ids[0]!, () => store.readObjects(ids)),
          readEdgeCounts: (edgeId, fromIds) => watch(store.shard, fromIds[0]!, () => store.readEdgeCounts(edgeId, fromIds)),
        };
        return new Proxy(store, {
          get(target, name, receiver) {
            if (name in watched) return watched[name as keyof ShardStore];
            const value: unknown = Reflect.get(target, name, receiver);
            return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
      });
    },
  };
  return { backend, probe };
}

/** Fresh ids, `perShard` of them on each of the two shards, interleaved. */
function idsOnShards(kvetch: Kvetch, perShard: number): string[] {
  const byShard: string[][] = [[], []];
  while (byShard[0]!.length < perShard || byShard[1]!.length < perShard) {
    const id = newId();
    const list = byShard[kvetch.shardOf(id)]!;
    if (list.length < perShard) list.push(id);
  }
  const out: string[] = [];
  for (let i = 0; i < perShard; i++) out.push(byShard[0]![i]!, byShard[1]![i]!);
  return out;
}

const chunkStarts = (ids: readonly string[], kvetch: Kvetch, shard: number): string[] =>
  ids.filter((id) => kvetch.shardOf(id) === shard).filter((_, i) => i % 1000 === 0);

test("large batch (memory): 9,500 ids a shard are 10 round trips a shard, at most 4 at once, started in order; results in input order", async () => {
  const { backend, probe } = probedBackend();
  const kvetch = new Kvetch({ schema: contractSchema, backend });
  const users = await kvetch.createObjects([0, 1, 2, 3, 4, 5].map((n) => ({ type: "User", data: { name: `u${n}` } })));
  const ids = idsOnShards(kvetch, 9_500);
  for (let u = 0; u < users.length; u++) ids.splice(u * 3_001, 0, users[u]!.id);
  kvetch.resetCounters();
  const objects = await kvetch.getObjects(ids);
  assert.is(objects.length, ids.length);
  for (let i = 0; i < ids.length; i++) {
    const at = users.findIndex((user) => user.id === ids[i]);
    if (at < 0) assert.is(objects[i], null);
    else assert.is(objects[i]!.data.name, `u${at}`);
  }
  for (const shard of [0, 1]) {
    const onShard = ids.filter((id) => kvetch.shardOf(id) === shard).length;
    assert.is(kvetch.counters.shardQueries[shard], Math.ceil(onShard / 1000), `round trips on shard ${shard}`);
    assert.is(probe.peak[shard], 4, `calls at once on shard ${shard}`);
    assert.equal(probe.started[shard], chunkStarts(ids, kvetch, shard), `chunk order on shard ${shard}`);
  }
});

test("large batch (memory): a failing shard fails only its own entries, every one of its chunks, with partial: true", async () => {
  const { backend, probe } = probedBackend();
  const kvetch = new Kvetch({ schema: contractSchema, backend });
  const users = await kvetch.createObjects([0, 1, 2, 3].map((n) => ({ type: "User", data: { name: `u${n}` } })));
  const ids = idsOnShards(kvetch, 6_000).concat(users.map((user) => user.id));
  probe.failing.add(1);
  kvetch.resetCounters();
  const objects = await kvetch.getObjects(ids, { partial: true });
  const counts = await kvetch.countEdges("user_to_list", ids, { partial: true });
  for (let i = 0; i < ids.length; i++) {
    if (kvetch.shardOf(ids[i]!) === 1) {
      assert.instance(objects[i], KvetchError);
      assert.match((objects[i] as KvetchError).message, /shard 1 failed in readObjects/);
      assert.instance(counts[i], KvetchError);
    } else {
      const user = users.find((u) => u.id === ids[i]);
      assert.is(user ? (objects[i] as { id: string }).id : objects[i], user ? user.id : null);
      assert.is(counts[i], 0);
    }
  }
  const onShard1 = ids.filter((id) => kvetch.shardOf(id) === 1).length;
  assert.is(kvetch.counters.shardQueries[1], 2 * Math.ceil(onShard1 / 1000), "every chunk of the failing shard was still tried");
  assert.is(probe.peak[1], 4);
  const thrown = await kvetch.getObjects(ids).then(() => null, (error: unknown) => error);
  assert.instance(thrown, KvetchError);
  assert.match((thrown as KvetchError).message, /shard 1 failed in readObjects/);
});

test("large batch (memory): countEdges over 7,000 parents a shard: 7 round trips a shard, at most 4 at once", async () => {
  const { backend, probe } = probedBackend();
  const kvetch = new Kvetch({ schema: contractSchema, backend });
  const user = await kvetch.createObject("User", { name: "owner" });
  await kvetch.createObjects([0, 1, 2].map((n) => ({ type: "TodoList", data: { userId: user.id, name: `l${n}` } })));
  const ids = idsOnShards(kvetch, 7_000);
  ids.splice(4_321, 0, user.id);
  kvetch.resetCounters();
  const counts = await kvetch.countEdges("user_to_list", ids);
  assert.equal(counts.filter((n) => n !== 0), [3]);
  assert.is(counts[4_321], 3);
  for (const shard of [0, 1]) {
    const onShard = ids.filter((id) => kvetch.shardOf(id) === shard).length;
    assert.is(kvetch.counters.shardQueries[shard], Math.ceil(onShard / 1000));
    assert.is(probe.peak[shard], 4);
  }
});

test.run();
