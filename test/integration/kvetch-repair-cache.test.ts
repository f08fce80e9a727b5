// Repair and the Redis cache: rows a repair batch wrote reach cached readers even when the batch failed after
// writing them (a timed-out write that committed), and even when the run that wrote them stopped before
// invalidating (the next run's first batch invalidates its lists whatever it counts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, memoryBackend, type KvetchBackend, type KvetchOptions, type ShardStore } from "../../src/kvetch/index.js";
import { shardError } from "../../src/kvetch/errors.js";
import { contractSchema, kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { REDIS_URL, cacheConnected, deleteKeys, serversUp, testKeyPrefix, testWhen } from "./kvetch-servers.js";

const up = await serversUp("test/integration/kvetch-repair-cache.test.ts", { redis: true });
const it = testWhen(up);

/**
 * The memory backend with its shards' `writeEdges` timing out after committing while `failing.on` (or, with
 * `failing.before`, failing before writing anything).
 */
function timingOut(inner: KvetchBackend): { backend: KvetchBackend; failing: { on: boolean; before?: boolean } } {
  const failing: { on: boolean; before?: boolean } = { on: false };
  const backend: KvetchBackend = {
    ...inner,
    breaker: false,
    openShards: (counters) =>
      inner.openShards(counters).map(
        (shard) =>
          new Proxy(shard, {
            get(target, method) {
              const value = Reflect.get(target, method) as unknown;
              if (typeof value !== "function" || method !== "writeEdges") return value;
              return async (...args: unknown[]) => {
                if (failing.on && failing.before) throw shardError(shard.shard, "no connection", "writeEdges", new Error("refused"));
                const written = await (value as (...a: unknown[]) => Promise<number>).apply(target, args);
                if (failing.on) throw shardError(shard.shard, "timeout", "writeEdges", new Error("timed out"));
                return written;
              };
            },
          }) as ShardStore,
      ),
  };
  return { backend, failing };
}

/** A list whose todo's derived edge was never written: the write stopped right after its canonical write. */
async function listMissingItsEdge(kvetch: Kvetch): Promise<string> {
  const list = await kvetch.createObject("TodoList", { title: "l" });
  kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
    throw new Error("stopped after the canonical write");
  };
  await kvetch.createObject("Todo", { listId: list.id }).then(
    () => assert.unreachable("the write stops"),
    () => undefined,
  );
  delete kvetchTestHooks(kvetch).afterCanonicalWrite;
  return list.id;
}

const listed = async (kvetch: Kvetch, listId: string): Promise<[number, number]> => [
  (await kvetch.getEdges("list_to_todo", [listId], { verify: false }))[0]!.edges.length,
  (await kvetch.countEdges("list_to_todo", [listId]))[0]!,
];

/**
 * Runs `body` on a one-shard memory backend cached in Redis under a key prefix of this test; `open` makes a
 * connected store on it (or on a backend made from it). Every store is closed and the keys deleted after.
 */
async function onCachedShard(
  name: string,
  body: (inner: KvetchBackend, open: (backend: KvetchBackend, options?: Partial<KvetchOptions>) => Promise<Kvetch>) => Promise<void>,
): Promise<void> {
  const prefix = testKeyPrefix(name);
  const inner = memoryBackend({ shards: 1, redis: { url: REDIS_URL, keyPrefix: prefix } });
  const opened: Kvetch[] = [];
  const open = async (backend: KvetchBackend, options: Partial<KvetchOptions> = {}): Promise<Kvetch> => {
    const kvetch = new Kvetch({ schema: contractSchema, backend, ...options });
    opened.push(kvetch);
    if (backend.redis !== null) await cacheConnected(kvetch);
    return kvetch;
  };
  try {
    await body(inner, open);
  } finally {
    for (const kvetch of opened) await kvetch.close();
    await deleteKeys(prefix);
  }
}

it("a repair batch that wrote rows and then failed invalidates their lists; the resumed run finds nothing to add and the cached reader sees the edge", async () => {
  await onCachedShard("repair-cache-fail", async (inner, open) => {
    const { backend, failing } = timingOut(inner);
    const kvetch = await open(backend);
    const reader = await open(inner);
    const listId = await listMissingItsEdge(kvetch);
    assert.equal(await listed(reader, listId), [0, 0], "cached without the edge");
    failing.on = true;
    await kvetch.repair().then(
      () => assert.unreachable("the batch fails"),
      (error: Error) => assert.match(error.message, "timeout"),
    );
    failing.on = false;
    const report = await kvetch.repair();
    assert.is(report.edgesAdded, 0, "the failed batch had written the edge");
    assert.equal(await listed(reader, listId), [1, 1]);
  });
});

it("a run's first batch invalidates its lists even when it adds nothing: the run before it may have stopped between writing and invalidating", async () => {
  await onCachedShard("repair-cache-first", async (inner, open) => {
    const kvetch = await open(inner);
    // Writes the same shards without reaching Redis: a run that wrote its rows and stopped before invalidating.
    const stopped = await open({ ...inner, redis: null });
    const listId = await listMissingItsEdge(kvetch);
    assert.equal(await listed(kvetch, listId), [0, 0], "cached without the edge");
    assert.is((await stopped.repair()).edgesAdded, 1);
    assert.equal(await listed(kvetch, listId), [0, 0], "still cached without it");
    const report = await kvetch.repair({ batchSize: 1000 });
    assert.is(report.edgesAdded, 0);
    assert.equal(await listed(kvetch, listId), [1, 1]);
  });
});

it("a queue drain whose write commits and then fails invalidates the lists it wrote", async () => {
  await onCachedShard("repair-cache-drain", async (inner, open) => {
    const { backend, failing } = timingOut(inner);
    const kvetch = await open(backend, { onDerivedWriteFailure: () => undefined });
    const reader = await open(inner);
    const list = await kvetch.createObject("TodoList", { title: "l" });
    failing.on = true;
    failing.before = true;
    await kvetch.createObject("Todo", { listId: list.id }); // committed; its edge write failed: queued
    failing.before = false;
    assert.equal(await listed(reader, list.id), [0, 0], "cached without the edge");
    await kvetch.repair({ queue: true }).then(
      () => assert.unreachable("the drain's write fails"),
      (error: Error) => assert.match(error.message, "timeout"),
    );
    failing.on = false;
    assert.equal(await listed(reader, list.id), [1, 1]);
  });
});

test.run();
