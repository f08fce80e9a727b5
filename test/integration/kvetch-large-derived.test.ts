// A write whose derived rows, repair-queue rows or idempotency keys run to thousands on one MySQL shard: a
// shard runs at most `poolSize` chunks (1000 rows each) of them at once, the rest in turn, so on a pool of 2
// with a queue of 1 the write still finishes every derived row (no "pool queue full", nothing to repair), its
// repair-queue rows are all written when the derived rows do fail, and a small call beside it is served.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import type { DerivedWriteFailure, KvetchObject, MysqlBackendOptions } from "../../src/kvetch/index.js";
import { idempotencyKeyHash } from "../../src/kvetch/backend.js";
import { shardOfIdempotencyKey } from "../../src/kvetch/shard.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { todoKvetchSchema } from "../../examples/todo/schema.js";
import { dropDatabases, onDatabase, serversUp, shardUrls, testDatabases } from "./kvetch-servers.js";

const DATABASES = testDatabases("bigderived").slice(0, 2);

if (await serversUp("test/integration/kvetch-large-derived.test.ts", { mysql: true })) {
  const open: Kvetch[] = [];
  const reports: DerivedWriteFailure[] = [];
  function store(options: Partial<MysqlBackendOptions> = {}): Kvetch {
    const backend = mysqlBackend({ shards: shardUrls(DATABASES), ...options });
    const kvetch = new Kvetch({ schema: todoKvetchSchema, backend, onDerivedWriteFailure: (report) => reports.push(report) });
    open.push(kvetch);
    return kvetch;
  }

  let bystanders: KvetchObject[] = [];

  test.before(async () => {
    await dropDatabases(DATABASES);
    const kvetch = store();
    await kvetch.migrate();
    bystanders = await kvetch.createObjects([0, 1, 2, 3].map((n) => ({ type: "User", data: { name: `b${n}` } })));
  });

  test.before.each(() => {
    reports.length = 0;
  });

  test.after(async () => {
    for (const kvetch of open) await kvetch.close();
    await dropDatabases(DATABASES);
  });

  /** A user on `shard` with one list already (so its edge count row exists). */
  async function ownerOn(kvetch: Kvetch, shard: number, name: string): Promise<KvetchObject> {
    for (;;) {
      const user = await kvetch.createObject("User", { name });
      if (kvetch.shardOf(user.id) !== shard) continue;
      await kvetch.createObject("TodoList", { userId: user.id, name: "first" });
      return user;
    }
  }

  /** Round trips per shard of one chunked call over keys placed on `shards`: one per 1000 on each. */
  function perShard(shards: readonly number[]): number[] {
    const count = [0, 0];
    for (const shard of shards) count[shard]!++;
    return count.map((n) => Math.ceil(n / 1000));
  }

  const add = (...lists: number[][]): number[] => [0, 1].map((shard) => lists.reduce((sum, list) => sum + list[shard]!, 0));

  async function smallCall(kvetch: Kvetch): Promise<void> {
    const found = await kvetch.getObjects(bystanders.map((user) => user.id));
    assert.equal(found.map((user) => user?.data.name), ["b0", "b1", "b2", "b3"]);
  }

  test("large derived: 6,000 lists of one user on a pool of 2 with a queue of 1, beside a small call: every edge written, one round trip per 1000", async () => {
    const kvetch = store({ poolSize: 2, queueLimit: 1 });
    await kvetch.open(); // the open check's round trips come before the counted calls
    const owner = await ownerOn(kvetch, 0, "owner");
    const items = Array.from({ length: 6_000 }, (_, n) => ({ type: "TodoList", data: { userId: owner.id, name: `l${n}` } }));
    kvetch.resetCounters();
    const [lists] = await Promise.all([kvetch.createObjects(items), smallCall(kvetch)]);
    assert.equal(reports, [], "no derived write failed");
    const canonical = perShard(lists.map((list) => kvetch.shardOf(list.id)));
    const small = perShard(bystanders.map((user) => kvetch.shardOf(user.id)));
    assert.equal(kvetch.counters.shardQueries, add(canonical, small, [6, 0]));
    assert.equal(await kvetch.countEdges("user_to_list", [owner.id]), [6_001]);
    const page = await kvetch.getEdges("user_to_list", [owner.id], { first: 7_000 });
    assert.is(page[0]!.edges.length, 6_001);
  });

  test("large derived: moving 4,500 lists between two users of one shard on a pool of 2 with a queue of 1", async () => {
    const kvetch = store({ poolSize: 2, queueLimit: 1 });
    await kvetch.open(); // the open check's round trips come before the counted calls
    const from = await ownerOn(kvetch, 1, "from");
    const to = await ownerOn(kvetch, 1, "to");
    const lists = await kvetch.createObjects(Array.from({ length: 4_500 }, (_, n) => ({ type: "TodoList", data: { userId: from.id, name: `m${n}` } })));
    kvetch.resetCounters();
    const [moved] = await Promise.all([kvetch.updateObjects(lists.map((list) => ({ type: "TodoList", id: list.id, patch: { userId: to.id } }))), smallCall(kvetch)]);
    assert.is(moved.length, 4_500);
    assert.equal(reports, [], "no derived write failed");
    const canonical = perShard(lists.map((list) => kvetch.shardOf(list.id)));
    const small = perShard(bystanders.map((user) => kvetch.shardOf(user.id)));
    // The moved lists are read once more after their edges are written (confirmDerived), a chunk per 1000 as the first read.
    assert.equal(kvetch.counters.shardQueries, add(canonical, canonical, canonical, small, [0, 5 + 5]), "read, compare-and-set, 5 removals and 5 additions, read again");
    assert.equal(await kvetch.countEdges("user_to_list", [from.id, to.id]), [1, 4_501]);
  });

  test("large derived: 9,000 idempotency keys on a pool of 2 with a queue of 1: every key reserved, one round trip per 1000", async () => {
    const kvetch = store({ poolSize: 2, queueLimit: 1 });
    await kvetch.open(); // the open check's round trips come before the counted calls
    const items = Array.from({ length: 9_000 }, (_, n) => ({ type: "User", data: { name: `k${n}` }, idempotencyKey: `big-${n}` }));
    kvetch.resetCounters();
    const [users] = await Promise.all([kvetch.createObjects(items), smallCall(kvetch)]);
    assert.is(users.length, 9_000);
    const keys = perShard(items.map((item) => shardOfIdempotencyKey(kvetch.shardMap, idempotencyKeyHash(1, item.idempotencyKey))));
    assert.ok(keys[0]! >= 4 && keys[1]! >= 4, "more key chunks per shard than the pool and its queue hold");
    const canonical = perShard(users.map((user) => kvetch.shardOf(user.id)));
    const small = perShard(bystanders.map((user) => kvetch.shardOf(user.id)));
    assert.equal(kvetch.counters.shardQueries, add(keys, canonical, small));
    const again = await kvetch.createObjects(items.slice(0, 3));
    assert.equal(again.map((user) => user.id), users.slice(0, 3).map((user) => user.id), "a retry gets the same objects");
  });

  test("large derived: 7,000 lists whose edges cannot be written are all queued for repair on a pool of 2 with a queue of 1", async () => {
    const kvetch = store({ poolSize: 2, queueLimit: 1 });
    await kvetch.open(); // the open check's round trips come before the counted calls
    const owner = await ownerOn(kvetch, 0, "queued");
    const items = Array.from({ length: 7_000 }, (_, n) => ({ type: "TodoList", data: { userId: owner.id, name: `q${n}` } }));
    kvetchTestHooks(kvetch).afterCanonicalWrite = async () => {
      await onDatabase(DATABASES[0]!, (connection) => connection.query("RENAME TABLE edges TO edges_away"));
    };
    let lists: KvetchObject[];
    try {
      lists = await kvetch.createObjects(items);
    } finally {
      delete kvetchTestHooks(kvetch).afterCanonicalWrite;
      await onDatabase(DATABASES[0]!, (connection) => connection.query("RENAME TABLE edges_away TO edges"));
    }
    assert.is(lists.length, 7_000, "the write succeeds: its canonical rows committed");
    assert.is(reports.length, 1);
    assert.is(reports[0]!.queued, true, "every queue row written");
    assert.is(reports[0]!.ids.length, 7_000);
    const onShard = perShard(lists.map((list) => kvetch.shardOf(list.id)));
    assert.ok(onShard[0]! >= 4 && onShard[1]! >= 4, "more queue chunks per shard than the pool and its queue hold");
    assert.equal(await kvetch.countEdges("user_to_list", [owner.id]), [1]);
    const report = await kvetch.repair({ queue: true, batchSize: 10_000 });
    assert.is(report.checked, 7_000);
    assert.is(report.edgesAdded, 7_000);
    assert.equal(await kvetch.countEdges("user_to_list", [owner.id]), [7_001]);
  });

  test.run();
}
