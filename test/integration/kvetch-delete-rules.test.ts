// Delete rules on 4 MySQL shards + Redis: the shared cases (restrict, cascade, setNull, the bound, a cascade
// stopped part way) with every shard's tables read by SQL, and a cascade whose process is SIGKILLed part way
// (after the loans' canonical delete, or after the books') finished by the queue drain or a full repair of
// another process: no dangling reference on any shard, and no deleted object or stale count in the cache.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { danglingReferences, deleteRuleCases, library, libraryKvetchSchema, type Tables } from "../kvetch/deleteRulesCases.js";
import { REDIS_URL, deleteKeys, dropDatabases, onDatabase, serversUp, shardUrls, testDatabases, testKeyPrefix } from "./kvetch-servers.js";
import { deleteInChild } from "./deleteRulesProcess.js";

const DATABASES = testDatabases("rules");

if (await serversUp("test/integration/kvetch-delete-rules.test.ts", { mysql: true, redis: true })) {
  const redis = { url: REDIS_URL, keyPrefix: testKeyPrefix("rules") };
  let kvetch: Kvetch;

  test.before(async () => {
    await dropDatabases(DATABASES);
    kvetch = new Kvetch({ schema: libraryKvetchSchema, backend: mysqlBackend({ shards: shardUrls(DATABASES), redis }) });
    await kvetch.migrate();
  });

  test.before.each(async () => {
    for (const name of DATABASES) {
      await onDatabase(name, async (connection) => {
        for (const table of ["objects", "edges", "edge_counts", "index_entries", "repair_queue"]) await connection.query(`DELETE FROM ${table}`);
      });
    }
  });

  test.after(async () => {
    await kvetch?.close();
    await dropDatabases(DATABASES);
    await deleteKeys(redis.keyPrefix);
  });

  /** 32 hex digits as a canonical id. */
  const uuid = (hex: string): string => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`.toLowerCase();

  /** Every shard's tables, read with SQL. */
  async function dump(): Promise<Tables> {
    const tables: Tables = { objects: [], edges: [], counts: [], index: [] };
    for (const name of DATABASES) {
      await onDatabase(name, async (connection) => {
        const [objects] = await connection.query("SELECT HEX(id) AS id, type_id, body FROM objects");
        for (const row of objects as { id: string; type_id: number; body: string }[]) tables.objects.push({ id: uuid(row.id), typeId: row.type_id, data: JSON.parse(row.body) as Record<string, unknown> });
        const [edges] = await connection.query("SELECT edge_id, HEX(from_id) AS f, HEX(to_id) AS t FROM edges");
        for (const row of edges as { edge_id: number; f: string; t: string }[]) tables.edges.push({ edgeId: row.edge_id, fromId: uuid(row.f), toId: uuid(row.t) });
        const [counts] = await connection.query("SELECT edge_id, HEX(from_id) AS f, n FROM edge_counts WHERE n <> 0");
        for (const row of counts as { edge_id: number; f: string; n: number }[]) tables.counts.push({ edgeId: row.edge_id, fromId: uuid(row.f), n: Number(row.n) });
        const [index] = await connection.query("SELECT index_id, HEX(target_id) AS t FROM index_entries");
        for (const row of index as { index_id: number; t: string }[]) tables.index.push({ indexId: row.index_id, targetId: uuid(row.t) });
      });
    }
    tables.objects.sort((a, b) => (a.id < b.id ? -1 : 1));
    tables.edges.sort((a, b) => `${a.edgeId}${a.fromId}${a.toId}`.localeCompare(`${b.edgeId}${b.fromId}${b.toId}`));
    tables.counts.sort((a, b) => `${a.edgeId}${a.fromId}`.localeCompare(`${b.edgeId}${b.fromId}`));
    tables.index.sort((a, b) => `${a.indexId}${a.targetId}`.localeCompare(`${b.indexId}${b.targetId}`));
    return tables;
  }

  async function queueRows(): Promise<number> {
    let n = 0;
    for (const name of DATABASES) n += await onDatabase(name, async (c) => Number(((await c.query("SELECT COUNT(*) AS n FROM repair_queue"))[0] as { n: number }[])[0]!.n));
    return n;
  }

  deleteRuleCases(test, "mysql+redis", { kvetch: () => kvetch, dump });

  const kills = [
    { after: 1, what: "the loans' canonical delete", finish: "queue drain" },
    { after: 2, what: "the books' canonical delete", finish: "full repair" },
  ] as const;
  for (const { after, what, finish } of kills) {
    test(`mysql+redis: a cascade whose process is SIGKILLed after ${what} is finished by the ${finish} of another process; nothing dangles, the cache agrees`, async () => {
      const lib = await library(kvetch, 4, 3, 2);
      // Cached before the delete: every object and the counts the delete changes.
      await kvetch.getObjects([lib.shelf, ...lib.books, ...lib.loans, ...lib.reviews]);
      assert.equal(await kvetch.countEdges("shelf_books", [lib.shelf]), [4]);
      assert.equal(await kvetch.countEdges("member_loans", [lib.member]), [12]);
      assert.is(await deleteInChild(shardUrls(DATABASES), redis, lib.shelf, after), "SIGKILL");
      const killed = await dump();
      assert.ok(killed.objects.some((o) => o.id === lib.shelf), "the shelf is still stored");
      assert.ok(danglingReferences(killed).length > 0, "the kill left rows of deleted objects behind");
      assert.ok((await queueRows()) > 0, "the delete's markers are queued");
      if (finish === "queue drain") await kvetch.repair({ queue: true });
      else {
        await kvetch.repair();
        assert.equal(danglingReferences(await dump()), [], "the full repair alone leaves nothing dangling");
        await kvetch.repair({ queue: true }); // the markers it left drain to no-ops
      }
      const tables = await dump();
      assert.equal(danglingReferences(tables), []);
      assert.is(await queueRows(), 0);
      const ids = new Set(tables.objects.map((o) => o.id));
      assert.equal([lib.shelf, ...lib.books, ...lib.loans].filter((id) => ids.has(id)), []);
      assert.equal(tables.objects.filter((o) => o.typeId === 5).map((o) => o.data.bookId), Array(8).fill(null));
      // Through the cache: the deleted objects are gone, the counts are 0, the reviews have no book.
      assert.equal((await kvetch.getObjects([lib.shelf, ...lib.books, ...lib.loans])).filter((o) => o !== null), []);
      assert.equal(await kvetch.countEdges("shelf_books", [lib.shelf]), [0]);
      assert.equal(await kvetch.countEdges("member_loans", [lib.member]), [0]);
      assert.equal((await kvetch.getObjects(lib.reviews)).map((r) => r!.data.bookId), Array(8).fill(null));
    });
  }

  test.run();
}
