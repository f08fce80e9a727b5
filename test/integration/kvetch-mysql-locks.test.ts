// Lock waits on MySQL shards (spec/kvetch-storage.md §9.1): a write that may run again (one statement, or
// insert-if-absent statements such as reserveKeys', or an edge transaction) is run again after a lock wait
// timeout or a deadlock rolled it back, up to 5 attempts, each counted; any other call gets the shard's
// error at once. Edge rows go in one order (groupEdgeRows), so concurrent edge writers lock alike.
import { test } from "uvu";
import * as assert from "uvu/assert";
import mysql from "mysql2/promise";
import { KvetchError } from "../../src/kvetch/index.js";
import { DEFAULT_SHARD_TIMEOUTS, ShardPool } from "../../src/kvetch/mysqlPool.js";
import { MYSQL_SERVER, dropDatabases, serversUp, shardUrls, testDatabases } from "./kvetch-servers.js";

const DATABASES = testDatabases("locks").slice(0, 1);

if (await serversUp("test/integration/kvetch-mysql-locks.test.ts", { mysql: true })) {
  const url = shardUrls(DATABASES)[0]!;

  test.before(async () => {
    await dropDatabases(DATABASES);
    const connection = await mysql.createConnection({ uri: MYSQL_SERVER });
    try {
      await connection.query(`CREATE DATABASE ${DATABASES[0]}`);
      await connection.query(`CREATE TABLE ${DATABASES[0]}.t (k INT PRIMARY KEY) ENGINE = InnoDB`);
    } finally {
      await connection.end();
    }
  });

  test.after(async () => {
    await dropDatabases(DATABASES);
  });

  /** Another client holding row `k` of t in an open transaction until `release` (rolled back). */
  async function holdRow(k: number): Promise<{ release: () => Promise<void> }> {
    const other = await mysql.createConnection({ uri: url });
    await other.query("START TRANSACTION");
    await other.query("INSERT INTO t (k) VALUES (?)", [k]);
    return {
      release: async () => {
        await other.query("ROLLBACK");
        await other.end();
      },
    };
  }

  // Waits at most 1 s for a lock, then inserts k if absent.
  const INSERT = "SET SESSION innodb_lock_wait_timeout = 1; INSERT IGNORE INTO t (k) VALUES (?)";

  /** `held` lets go after 3 attempts' 1 s waits have run out (and their pauses, at most 2 + 4 ms). */
  const releaseAfterThreeWaits = (held: { release: () => Promise<void> }): Promise<void> =>
    new Promise<void>((resolve) => setTimeout(() => void held.release().then(resolve), 3500));

  /** A pool of 2 on the test database, its counters, and row `k` of t held by another client meanwhile. */
  async function withHeldRow(
    k: number,
    run: (pool: ShardPool, counters: { shardQueries: number[] }, held: { release: () => Promise<void> }) => Promise<void>,
  ): Promise<void> {
    const counters = { calls: 0, shardQueries: [0], cacheRoundTrips: {}, rowsFetched: 0 };
    const pool = new ShardPool(0, "test", url, 2, DEFAULT_SHARD_TIMEOUTS, counters);
    try {
      await run(pool, counters, await holdRow(k));
    } finally {
      await pool.close();
    }
  }

  const rowsWith = async (pool: ShardPool, k: number): Promise<number[]> =>
    (await pool.query<{ k: number }[]>("read", "SELECT k FROM t WHERE k = ?", [k])).map((row) => row.k);

  test("a rerunnable write that timed out waiting for a lock runs again and succeeds once the lock is gone; each attempt is counted", async () => {
    await withHeldRow(1, async (pool, counters, held) => {
      const releasing = releaseAfterThreeWaits(held);
      await pool.query("insertRows", INSERT, [1], true);
      await releasing;
      assert.is(counters.shardQueries[0], 4, "four attempts, each counted");
      assert.equal(await rowsWith(pool, 1), [1], "the row is there");
    });
  });

  test("a transaction that timed out waiting for a lock is rolled back and run again until the lock is gone", async () => {
    await withHeldRow(3, async (pool, counters, held) => {
      const releasing = releaseAfterThreeWaits(held);
      const results = await pool.transaction("insertRows", `${INSERT};`, [3]);
      await releasing;
      assert.is(counters.shardQueries[0], 4, "four attempts, each counted");
      assert.is(results[1]!.affectedRows, 1, "the last attempt inserted the row");
      assert.equal(await rowsWith(pool, 3), [3]);
    });
  });

  test("a write that may not run again gets the shard's error after one lock wait timeout", async () => {
    await withHeldRow(2, async (pool, counters, held) => {
      try {
        const failure = await pool.query("insertRows", INSERT, [2]).then(
          () => null,
          (error: unknown) => error,
        );
        assert.instance(failure, KvetchError);
        assert.match((failure as KvetchError).message, /shard 0 failed in insertRows/);
        assert.is(counters.shardQueries[0], 1);
      } finally {
        await held.release();
      }
    });
  });

  test.run();
}
