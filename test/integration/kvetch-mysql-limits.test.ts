// MySQL at its limits: a page size above Number.MAX_SAFE_INTEGER is BAD_ARGUMENT as on the memory backend (not
// a LIMIT MySQL cannot parse), huge limits reach MySQL as digits, and a statement over the server's
// max_allowed_packet is BAD_DATA naming the call, after which the connection the server closed is never
// reused: the shard's next calls all succeed. Skipped with a message when MySQL is down (a failure under CI=true).
import { test } from "uvu";
import * as assert from "uvu/assert";
import mysql from "mysql2/promise";
import { Kvetch, KvetchError, mysqlBackend } from "../../src/kvetch/index.js";
import type { KvetchObject } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { DEFAULT_SHARD_TIMEOUTS, ShardPool, maxPacketOf } from "../../src/kvetch/mysqlPool.js";
import { dropDatabases, maxAllowedPacket, serversUp, shardUrls } from "./kvetch-servers.js";

const DATABASES = [0, 1, 2, 3].map((i) => `graphscale_test_limits_${i}`);
/** Past this max_allowed_packet the oversized test would need too much memory; it says so and does not run. */
const MAX_PACKET_TESTED = 128 * 1024 * 1024;

if (await serversUp("test/integration/kvetch-mysql-limits.test.ts", { mysql: true })) {
  const open: Kvetch[] = [];
  function store(): Kvetch {
    // A small pool, so a connection released after an error is the one the next calls get.
    const kvetch = new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards: shardUrls(DATABASES), poolSize: 2 }) });
    open.push(kvetch);
    return kvetch;
  }


  let kvetch: Kvetch;
  let user: KvetchObject;
  let todo: KvetchObject;
  /** Ten users per shard (more are made until each shard has ten). */
  const usersOf: KvetchObject[][] = [[], [], [], []];

  test.before(async () => {
    await dropDatabases(DATABASES);
    kvetch = store();
    await kvetch.migrate();
    user = await kvetch.createObject("User", { username: "ann" });
    await kvetch.createObjects(Array.from({ length: 3 }, (_, i) => ({ type: "TodoList", data: { userId: user.id, name: `l${i}` } })));
    todo = await kvetch.createObject("Todo", { status: "open" });
    while (usersOf.some((users) => users.length < 10)) {
      const made = await kvetch.createObjects(Array.from({ length: 40 }, () => ({ type: "User", data: {} })));
      for (const object of made as KvetchObject[]) usersOf[kvetch.shardOf(object.id)]!.push(object);
    }
  });

  test.after(async () => {
    for (const each of open) await each.close();
    await dropDatabases(DATABASES);
  });

  async function rejects(call: () => Promise<unknown>, code: string, message: RegExp): Promise<void> {
    let failure: unknown = null;
    try {
      await call();
    } catch (error) {
      failure = error;
    }
    assert.instance(failure, KvetchError, `expected ${code}`);
    assert.is((failure as KvetchError).code, code, (failure as Error).message);
    assert.match((failure as Error).message, message);
  }

  test("first above Number.MAX_SAFE_INTEGER is BAD_ARGUMENT, as on the memory backend", async () => {
    await rejects(() => kvetch.getEdges("user_to_list", [user.id], { first: 1e21 }), "BAD_ARGUMENT", /getEdges first must be at most 9007199254740991 .*1e\+21/);
    await rejects(() => kvetch.getEdges("user_to_list", [user.id], { first: 2 ** 64, verify: false }), "BAD_ARGUMENT", /getEdges first must be at most/);
    await rejects(() => kvetch.queryIndex("username", ["ann"], { first: 1e21 }), "BAD_ARGUMENT", /queryIndex first must be at most/);
  });

  test("first = Number.MAX_SAFE_INTEGER reads whole lists on MySQL, verified or not", async () => {
    for (const verify of [true, false]) {
      const [page] = await kvetch.getEdges("user_to_list", [user.id, usersOf[0]![0]!.id], { first: Number.MAX_SAFE_INTEGER, verify });
      assert.is((page as { edges: unknown[] }).edges.length, 3);
      const [entries] = await kvetch.queryIndex("username", ["ann"], { first: Number.MAX_SAFE_INTEGER, verify });
      assert.equal((entries as { edges: { targetId: string }[] }).edges.map((e) => e.targetId), [user.id]);
    }
  });

  test("a ShardStore limit past 2^53 reaches MySQL as digits (clamped), not as 1e+21", async () => {
    const counters = { calls: 0, shardQueries: [0, 0, 0, 0], cacheRoundTrips: {}, rowsFetched: 0 };
    const shards = mysqlBackend({ shards: shardUrls(DATABASES) }).openShards(counters);
    try {
      let objects = 0;
      let edges = 0;
      for (const shard of shards) {
        objects += (await shard.scanObjects(null, 1e21)).length;
        edges += (await shard.scanEdges([1], null, 2 ** 64)).length;
      }
      assert.is(objects, 1 + 3 + 1 + usersOf.flat().length);
      assert.is(edges, 3);
      assert.equal(counters.shardQueries, [2, 2, 2, 2]);
    } finally {
      for (const shard of shards) await shard.close();
    }
  });

  const maxPacket = await maxAllowedPacket();
  if (maxPacket > MAX_PACKET_TESTED) {
    console.log(`kvetch-mysql-limits: max_allowed_packet is ${maxPacket} bytes; the oversized-statement test needs at most ${MAX_PACKET_TESTED}`);
  } else {
    test("a statement over max_allowed_packet is BAD_DATA naming the call; the shard's next calls all succeed", async () => {
      const kvetch = store(); // new connections: the first statement on each is checked too
      const big = "x".repeat(maxPacket + 1024);
      const tooLarge = new RegExp(`refused (\\w+): its statement \\(\\d+ bytes\\) is over the server's max_allowed_packet of ${maxPacket} bytes`);
      /** 20 concurrent reads on `shard` and one valid write there, after an oversized call on it. */
      async function shardStillServes(shard: number): Promise<void> {
        const users = usersOf[shard]!;
        const reads = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => kvetch.getObjects([users[i % users.length]!.id])));
        assert.equal(reads.map((read) => read.status), new Array(20).fill("fulfilled"));
        for (let i = 0; i < 20; i++) assert.is(((reads[i] as PromiseFulfilledResult<KvetchObject[]>).value[0]!).id, users[i % users.length]!.id);
        const updated = await kvetch.updateObject("User", users[0]!.id, { note: "small" });
        assert.is(updated.data.note, "small");
      }

      // insertObjects: the entry fails; the others are written
      const items = [{ type: "User", data: { note: big } }, ...Array.from({ length: 12 }, () => ({ type: "User", data: { note: "s" } }))];
      const created = await kvetch.createObjects(items, { partial: true });
      assert.instance(created[0], KvetchError);
      const error = created[0] as KvetchError;
      assert.is(error.code, "BAD_DATA");
      assert.match(error.message, tooLarge);
      assert.match(error.message, /refused insertObjects/);
      const shard = Number(/shard (\d+) refused/.exec(error.message)![1]);
      // a row over DATA_PER_QUERY has a statement of its own: every other entry is written, on its shard too
      assert.equal(created.slice(1).filter((entry) => entry instanceof KvetchError), []);
      await shardStillServes(shard);

      // replaceObjects (an update) and writeEdges (a transaction) say the same
      const target = usersOf[shard]![1]!;
      await rejects(() => kvetch.updateObject("User", target.id, { note: big }), "BAD_DATA", /refused replaceObjects: its statement/);
      assert.equal((await kvetch.getObject(target.id))!.version, target.version);
      await shardStillServes(shard);
      const liker = usersOf[shard]![2]!;
      const edgeShard = kvetch.shardOf(liker.id); // likes live with their liker
      await rejects(() => kvetch.insertEdge("likes", liker.id, todo.id, { note: big }), "BAD_DATA", /refused writeEdges: its statement/);
      assert.equal(await kvetch.countEdges("likes", [liker.id]), [0]);
      await shardStillServes(edgeShard);
      assert.is(await kvetch.insertEdge("likes", liker.id, todo.id, { note: "small" }), true);

      // a refused statement is the caller's data, not a failing shard: the breaker counted nothing
      for (const health of (await kvetch.health()).shards) assert.equal([health.ok, health.failures], [true, 0]);
    });
  }

  if (maxPacket <= MAX_PACKET_TESTED) {
    test("a statement the server refuses as too large: BAD_DATA, and the connection it closed is destroyed, not reused", async () => {
      const counters = { calls: 0, shardQueries: [0], cacheRoundTrips: {}, rowsFetched: 0 };
      const pool = new ShardPool(0, "test", shardUrls(DATABASES)[0]!, 1, DEFAULT_SHARD_TIMEOUTS, counters);
      try {
        // The pool's one connection forgets its limit, so the statement reaches the server, which hangs up.
        const raw = (pool as unknown as { pool: mysql.Pool }).pool;
        const connection = await raw.getConnection();
        const core = (connection as unknown as { connection: object }).connection;
        assert.is(await maxPacketOf.get(core), maxPacket);
        maxPacketOf.delete(core);
        connection.release();
        let failure: unknown = null;
        await pool.query("probe", "SELECT LENGTH(?) AS n", ["x".repeat(maxPacket + 1024)]).catch((error: unknown) => (failure = error));
        assert.instance(failure, KvetchError);
        // The server answers with its error and hangs up; a client still writing may see only the reset.
        if ((failure as KvetchError).code === "BAD_DATA") {
          assert.match((failure as Error).message, /shard 0 refused probe: its statement \(\d+ bytes\) is over the server's max_allowed_packet;/);
        } else {
          assert.match((failure as Error).message, /shard 0 is unavailable \(connection lost\) in probe/);
        }
        const reads = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => pool.query<{ n: number }[]>("read", "SELECT ? AS n", [i])));
        assert.equal(reads.map((read) => (read.status === "fulfilled" ? read.value[0]!.n : String(read.reason))), Array.from({ length: 20 }, (_, i) => i));
      } finally {
        await pool.close();
      }
    });
  }

  test.run();
}
