// Derived rows, repair-queue rows and idempotency keys of one large call on the memory backend: each shard
// runs at most chunksAtOnce chunks of them at once (here 2, the `connections` the probed shards report), the
// rest in their order; one round trip per 1000 rows; what is retried and what is queued for repair is as
// before (every chunk tried, a failed derived write tried once more, then queued).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, memoryBackend, newId } from "../../src/kvetch/index.js";
import type { DerivedWriteFailure, KvetchBackend, KvetchCounters, KvetchObject, ShardStore } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";

const CONNECTIONS = 2;
const WATCHED = ["writeEdges", "removeEdges", "writeIndexEntries", "removeIndexEntries", "queueRepairs", "reserveKeys"] as const;
type Watched = (typeof WATCHED)[number];

interface Call {
  method: Watched;
  rows: number;
  /** The first row's key: toId for edges, targetId for index entries, id for the queue, keyHash for keys. */
  first: string;
}

interface Probe {
  /** The most watched calls in flight at once, per shard. */
  peak: number[];
  /** The watched calls, per shard, in the order they started. */
  calls: Call[][];
  /** Methods that fail on a shard, as "shard/method": the driver throws, no row written. */
  failing: Set<string>;
}

function firstKey(row: unknown): string {
  const r = row as { toId?: string; targetId?: string; id?: string; keyHash?: string };
  return r.toId ?? r.targetId ?? r.id ?? r.keyHash ?? "";
}

/** memoryBackend({ shards: 2 }) whose shards say they have CONNECTIONS connections, the writes of derived rows, queue rows and keys watched. */
function probedBackend(): { backend: KvetchBackend; probe: Probe } {
  const inner = memoryBackend({ shards: 2 });
  const probe: Probe = { peak: [0, 0], calls: [[], []], failing: new Set() };
  const inFlight = [0, 0];
  const backend: KvetchBackend = {
    kind: "probed memory",
    initializeOnOpen: inner.initializeOnOpen,
    shardMap: inner.shardMap,
    redis: null,
    breaker: false,
    openShards(counters: KvetchCounters): ShardStore[] {
      return inner.openShards(counters).map((store) => {
        const shard = store.shard;
        const watch = (method: Watched) =>
          (rows: readonly unknown[], ...rest: unknown[]): Promise<unknown> => {
            probe.calls[shard]!.push({ method, rows: rows.length, first: firstKey(rows[0]) });
            inFlight[shard]!++;
            probe.peak[shard] = Math.max(probe.peak[shard]!, inFlight[shard]!);
            const failing = probe.failing.has(`${shard}/${method}`);
            const call = failing
              ? new Promise<unknown>((_, reject) => setImmediate(() => reject(new Error(`shard ${shard} broke`))))
              : (store[method] as (...args: unknown[]) => Promise<unknown>).call(store, rows, ...rest);
            return call.then(
              (value) => {
                inFlight[shard]!--;
                return value;
              },
              (error: unknown) => {
                inFlight[shard]!--;
                throw error;
              },
            );
          };
        return new Proxy(store, {
          get(target, name, receiver) {
            if (name === "connections") return CONNECTIONS;
            if ((WATCHED as readonly (string | symbol)[]).includes(name)) return watch(name as Watched);
            const value: unknown = Reflect.get(target, name, receiver);
            return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
      });
    },
  };
  return { backend, probe };
}

function open(onDerivedWriteFailure?: (report: DerivedWriteFailure) => void): { kvetch: Kvetch; probe: Probe } {
  const { backend, probe } = probedBackend();
  return { kvetch: new Kvetch({ schema: contractSchema, backend, onDerivedWriteFailure }), probe };
}

function reset(kvetch: Kvetch, probe: Probe): void {
  kvetch.resetCounters();
  probe.peak = [0, 0];
  probe.calls = [[], []];
}

const callsOf = (probe: Probe, shard: number, method: Watched): Call[] => probe.calls[shard]!.filter((call) => call.method === method);
const rowsOf = (calls: readonly Call[]): number => calls.reduce((sum, call) => sum + call.rows, 0);

/** Every shard made one call per 1000 rows of each method (checked against the rows it was sent). */
function assertOneCallPer1000(probe: Probe): void {
  for (const shard of [0, 1]) {
    for (const method of WATCHED) {
      const calls = callsOf(probe, shard, method);
      assert.is(calls.length, Math.ceil(rowsOf(calls) / 1000), `${method} round trips on shard ${shard}`);
    }
  }
}

/** A user on `shard`. */
async function userOn(kvetch: Kvetch, shard: number, name: string): Promise<KvetchObject> {
  for (;;) {
    const user = await kvetch.createObject("User", { name });
    if (kvetch.shardOf(user.id) === shard) return user;
  }
}

test("derived chunks (memory): 5,500 lists of one user are 6 edge writes on its shard, at most 2 at once, in order", async () => {
  const { kvetch, probe } = open();
  const user = await userOn(kvetch, 0, "owner");
  const items = Array.from({ length: 5_500 }, (_, n) => ({ type: "TodoList", data: { userId: user.id, name: `l${n}` } }));
  reset(kvetch, probe);
  const lists = await kvetch.createObjects(items);
  assert.is(lists.length, 5_500);
  const writes = callsOf(probe, 0, "writeEdges");
  assert.equal(writes.map((call) => call.rows), [1000, 1000, 1000, 1000, 1000, 500]);
  assert.equal(writes.map((call) => call.first), [0, 1000, 2000, 3000, 4000, 5000].map((i) => lists[i]!.id), "chunks started in order");
  assert.is(probe.peak[0], CONNECTIONS, "edge writes at once on the user's shard");
  assert.equal(callsOf(probe, 1, "writeEdges"), []);
  assertOneCallPer1000(probe);
  assert.equal(await kvetch.countEdges("user_to_list", [user.id]), [5_500]);
});

test("derived chunks (memory): moving 4,200 lists between two users of one shard: removals and additions share the bound", async () => {
  const { kvetch, probe } = open();
  const from = await userOn(kvetch, 1, "from");
  const to = await userOn(kvetch, 1, "to");
  const lists = await kvetch.createObjects(Array.from({ length: 4_200 }, (_, n) => ({ type: "TodoList", data: { userId: from.id, name: `l${n}` } })));
  reset(kvetch, probe);
  await kvetch.updateObjects(lists.map((list) => ({ type: "TodoList", id: list.id, patch: { userId: to.id } })));
  const onShard = probe.calls[1]!.filter((call) => call.method === "writeEdges" || call.method === "removeEdges");
  assert.equal(onShard.map((call) => call.method), [...Array(5).fill("writeEdges"), ...Array(5).fill("removeEdges")], "additions first, then removals");
  assert.equal(onShard.map((call) => call.rows), [1000, 1000, 1000, 1000, 200, 1000, 1000, 1000, 1000, 200]);
  assert.is(probe.peak[1], CONNECTIONS);
  assert.equal(probe.calls[0], []);
  assertOneCallPer1000(probe);
  assert.equal(await kvetch.countEdges("user_to_list", [from.id, to.id]), [0, 4_200]);
});

test("derived chunks (memory): insertEdges of 4,500 stored edges from one user: 5 round trips on its shard, none elsewhere", async () => {
  const { kvetch, probe } = open();
  const user = await userOn(kvetch, 1, "liker");
  const rows = Array.from({ length: 4_500 }, () => ({ fromId: user.id, toId: newId() }));
  reset(kvetch, probe);
  assert.is(await kvetch.insertEdges("likes", rows), 4_500);
  assert.equal(kvetch.counters.shardQueries, [0, 5]);
  assert.is(probe.peak[1], CONNECTIONS);
  assertOneCallPer1000(probe);
});

test("derived chunks (memory): a failing edge shard: every chunk tried twice, then all 7,000 objects queued, the queue writes bounded too", async () => {
  const reports: DerivedWriteFailure[] = [];
  const { kvetch, probe } = open((report) => reports.push(report));
  const user = await userOn(kvetch, 0, "owner");
  const items = Array.from({ length: 7_000 }, (_, n) => ({ type: "TodoList", data: { userId: user.id, name: `l${n}` } }));
  probe.failing.add("0/writeEdges");
  reset(kvetch, probe);
  const lists = await kvetch.createObjects(items);
  assert.is(lists.length, 7_000, "the write succeeds: its canonical rows committed");
  assert.is(reports.length, 1);
  assert.is(reports[0]!.queued, true);
  assert.is(reports[0]!.ids.length, 7_000);
  assert.match(String((reports[0]!.error as Error).message), /shard 0 failed in writeEdges/);
  assert.is(callsOf(probe, 0, "writeEdges").length, 2 * 7, "each of the 7 chunks tried, and tried once more");
  for (const shard of [0, 1]) {
    const onShard = lists.filter((list) => kvetch.shardOf(list.id) === shard).length;
    assert.is(rowsOf(callsOf(probe, shard, "queueRepairs")), onShard, `queued on shard ${shard}`);
    assert.ok(callsOf(probe, shard, "queueRepairs").length >= 3, "the queue takes several chunks on each shard");
    assert.is(probe.peak[shard], CONNECTIONS, `calls at once on shard ${shard}`);
  }
  assertOneCallPer1000(probe);
  probe.failing.clear();
  const report = await kvetch.repair({ queue: true, batchSize: 10_000 });
  assert.is(report.edgesAdded, 7_000);
  assert.equal(await kvetch.countEdges("user_to_list", [user.id]), [7_000]);
});

test("derived chunks (memory): one shard's failing chunks fail the derived write, the other shard's chunks still all written", async () => {
  const reports: DerivedWriteFailure[] = [];
  const { kvetch, probe } = open((report) => reports.push(report));
  const first = await userOn(kvetch, 0, "first");
  const second = await userOn(kvetch, 1, "second");
  const items = [first, second].flatMap((user) =>
    Array.from({ length: 2_500 }, (_, n) => ({ type: "TodoList", data: { userId: user.id, name: `l${n}` } })),
  );
  probe.failing.add("1/writeEdges");
  reset(kvetch, probe);
  await kvetch.createObjects(items);
  assert.is(reports.length, 1);
  assert.is(reports[0]!.queued, true);
  assert.equal(await kvetch.countEdges("user_to_list", [first.id, second.id]), [2_500, 0], "the healthy shard's rows were written");
  assert.is(callsOf(probe, 0, "writeEdges").length, 2 * 3, "the healthy shard's chunks ran on each attempt");
  assert.is(callsOf(probe, 1, "writeEdges").length, 2 * 3);
  for (const shard of [0, 1]) assert.is(probe.peak[shard], CONNECTIONS);
  probe.failing.clear();
  const report = await kvetch.repair({ queue: true, batchSize: 10_000 });
  assert.is(report.edgesAdded, 2_500);
  assert.equal(await kvetch.countEdges("user_to_list", [first.id, second.id]), [2_500, 2_500]);
});

test("derived chunks (memory): 9,000 idempotency keys: reserveKeys one round trip per 1000 keys, at most 2 at once per shard", async () => {
  const { kvetch, probe } = open();
  const items = Array.from({ length: 9_000 }, (_, n) => ({ type: "User", data: { name: `u${n}` }, idempotencyKey: `key-${n}` }));
  reset(kvetch, probe);
  const users = await kvetch.createObjects(items);
  assert.is(users.length, 9_000);
  for (const shard of [0, 1]) {
    const keys = callsOf(probe, shard, "reserveKeys");
    assert.ok(keys.length >= 4, `several key chunks on shard ${shard}`);
    assert.is(probe.peak[shard], CONNECTIONS, `key reservations at once on shard ${shard}`);
  }
  assert.is(rowsOf(callsOf(probe, 0, "reserveKeys")) + rowsOf(callsOf(probe, 1, "reserveKeys")), 9_000);
  assertOneCallPer1000(probe);
  const again = await kvetch.createObjects(items);
  assert.equal(again.map((user) => user.id), users.map((user) => user.id), "a retry gets the same objects");
});

test.run();
