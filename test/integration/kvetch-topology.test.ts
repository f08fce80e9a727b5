// The shard topology on MySQL (spec/kvetch-storage.md §2.2-2.4), 3 shards and 30 objects: appended, dropped,
// swapped and doubled shards are refused before any read or write (one topology round trip per shard, no
// row read, no row written), a reordered list and a database under another URL find every object, and
// migrate never rewrites an identity in kvetch_meta. Needs MySQL (CI=true: required).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, defineSchema, mysqlBackend } from "../../src/kvetch/index.js";
import { startTcpProxy, type TcpProxy } from "../safety/tcpProxy.js";
import { MYSQL_SERVER, dropDatabases, onDatabase, serversUp, shardUrls, testDatabases } from "./kvetch-servers.js";

const schema = defineSchema({ objects: [{ name: "Note", typeId: 1 }] });
const OBJECTS = 30;
/** This installation's three shards and a fourth database; and another installation's three. */
const MINE = testDatabases("topo");
const OTHER = testDatabases("topx").slice(0, 3);

if (await serversUp("test/integration/kvetch-topology.test.ts", { mysql: true })) {
  const urls = shardUrls(MINE);
  const other = shardUrls(OTHER);
  const server = new URL(MYSQL_SERVER);
  let proxy: TcpProxy;
  let ids: string[] = [];

  /** Notes per database, counted with SQL (not through Kvetch). */
  const rowsIn = (databases: readonly string[]): Promise<number[]> =>
    Promise.all(databases.map((db) => onDatabase(db, async (c) => Number(((await c.query("SELECT COUNT(*) AS n FROM objects"))[0] as { n: unknown }[])[0]!.n))));
  /** The identity rows of each database's kvetch_meta. */
  const identities = (databases: readonly string[]): Promise<string[]> =>
    Promise.all(
      databases.map((db) =>
        onDatabase(db, async (c) => {
          const [rows] = await c.query("SELECT name, value FROM kvetch_meta WHERE name IN ('installation', 'shard') ORDER BY name");
          return (rows as { name: string; value: string }[]).map((row) => `${row.name}=${row.value}`).join(" ");
        }),
      ),
    );

  async function found(shards: readonly string[]): Promise<number> {
    const kvetch = new Kvetch({ schema, backend: mysqlBackend({ shards }) });
    try {
      return (await kvetch.getObjects(ids)).filter((object) => object !== null).length;
    } finally {
      await kvetch.close();
    }
  }

  /** A read and a write through `shards` both fail with TOPOLOGY_MISMATCH; no row read, none written. */
  async function refused(shards: readonly string[]): Promise<string> {
    const before = await rowsIn(MINE.slice(0, 3));
    const kvetch = new Kvetch({ schema, backend: mysqlBackend({ shards }) });
    try {
      const error = await kvetch.getObjects(ids).then(() => null, (thrown: unknown) => thrown);
      assert.instance(error, KvetchError);
      assert.is((error as KvetchError).code, "TOPOLOGY_MISMATCH");
      assert.equal(kvetch.counters.shardQueries, new Array(shards.length).fill(1), "one topology read per shard, no data round trip");
      assert.is(kvetch.counters.rowsFetched, 0);
      const write = await kvetch.createObjects([{ type: "Note", data: { i: -1 } }]).then(() => null, (thrown: unknown) => thrown);
      assert.is((write as KvetchError).code, "TOPOLOGY_MISMATCH");
      assert.equal(await rowsIn(MINE.slice(0, 3)), before, "nothing written");
      return (error as Error).message;
    } finally {
      await kvetch.close();
    }
  }

  test.before(async () => {
    await dropDatabases([...MINE, ...OTHER]);
    proxy = await startTcpProxy(server.hostname, Number(server.port || 3306));
    const kvetch = new Kvetch({ schema, backend: mysqlBackend({ shards: urls.slice(0, 3) }) });
    await kvetch.migrate();
    ids = (await kvetch.createObjects(Array.from({ length: OBJECTS }, (_, i) => ({ type: "Note", data: { i } })))).map((object) => object.id);
    await kvetch.close();
    const theirs = new Kvetch({ schema, backend: mysqlBackend({ shards: other }) });
    await theirs.migrate();
    await theirs.createObjects(Array.from({ length: 9 }, (_, i) => ({ type: "Note", data: { i } })));
    await theirs.close();
  });

  test.after(async () => {
    await proxy?.close();
    await dropDatabases([...MINE, ...OTHER]);
  });

  test("topology (mysql): migrate gives each shard an identity once, in configured order, every shard holding map version 1", async () => {
    const rows = await identities(MINE.slice(0, 3));
    const installation = rows[0]!.split(" ")[0];
    assert.equal(rows, [0, 1, 2].map((shard) => `${installation} shard=${shard}`));
    const versions = await Promise.all(MINE.slice(0, 3).map((db) => onDatabase(db, async (c) => ((await c.query("SELECT version FROM kvetch_topology"))[0] as { version: number }[])[0]!.version)));
    assert.equal(versions.map(Number), [1, 1, 1]);
    assert.is((await rowsIn(MINE.slice(0, 3))).reduce((a, b) => a + b, 0), OBJECTS);
  });

  test("topology (mysql): an appended database that was never migrated is refused before any read or write", async () => {
    const message = await refused([...urls.slice(0, 3), urls[3]!]);
    assert.match(message, "shards[3] is not migrated (its tables do not exist): run `graphscale kvetch migrate`");
  });

  test("topology (mysql): a dropped shard is refused, naming its stored id", async () => {
    assert.match(await refused([urls[0]!, urls[2]!]), "stored shard id 1 (341 of 1024 buckets) is missing from the configuration");
  });

  test("topology (mysql): another installation's database in a shard's place is refused", async () => {
    const message = await refused([urls[0]!, other[1]!, urls[2]!]);
    assert.match(message, "shards[1] belongs to another installation");
    assert.match(message, "stored shard id 1 (341 of 1024 buckets) is missing");
  });

  test("topology (mysql): one database under two URLs is refused as one stored shard id twice", async () => {
    const doubled = urls[1]!.replace(server.host, `127.0.0.1:${proxy.port}`);
    assert.match(await refused([...urls.slice(0, 3), doubled]), "shards[3] and shards[1] are both stored shard id 1");
  });

  test("topology (mysql): a reordered list, and a database under a new URL, find every object", async () => {
    assert.is(await found([urls[2]!, urls[0]!, urls[1]!]), OBJECTS);
    const moved = urls[0]!.replace(server.host, `127.0.0.1:${proxy.port}`);
    assert.is(await found([urls[1]!, moved, urls[2]!]), OBJECTS);
  });

  test("topology (mysql): migrate cannot change an identity: a reordered migrate keeps them, a swapped one is refused", async () => {
    const mine = await identities(MINE.slice(0, 3));
    const theirs = await identities(OTHER);
    const reordered = new Kvetch({ schema, backend: mysqlBackend({ shards: [urls[2]!, urls[1]!, urls[0]!] }) });
    await reordered.migrate();
    await reordered.close();
    const swapped = new Kvetch({ schema, backend: mysqlBackend({ shards: [urls[0]!, other[1]!, urls[2]!] }) });
    const error = await swapped.migrate().then(() => null, (thrown: unknown) => thrown);
    await swapped.close();
    assert.is((error as KvetchError).code, "TOPOLOGY_MISMATCH");
    assert.equal(await identities(MINE.slice(0, 3)), mine, "kvetch_meta.shard was not rewritten");
    assert.equal(await identities(OTHER), theirs);
    assert.is(await found(urls.slice(0, 3)), OBJECTS, "the original configuration still finds every object");
  });

  test("topology (mysql): migrate joins an appended shard with the next id and no buckets; every object still found", async () => {
    const grown = new Kvetch({ schema, backend: mysqlBackend({ shards: urls }) });
    await grown.migrate();
    assert.is((await grown.getObjects(ids)).filter(Boolean).length, OBJECTS);
    assert.is((await grown.stats())[3]!.objects, 0);
    await grown.close();
    const rows = await identities(MINE);
    assert.is(rows[3], rows[0]!.replace("shard=0", "shard=3"));
    assert.match(await refused(urls.slice(0, 3)), "stored shard id 3 (0 of 1024 buckets) is missing");
    assert.is(await found([urls[3]!, urls[1]!, urls[0]!, urls[2]!]), OBJECTS);
  });

  test("topology (mysql): shards migrated before the topology (format 2) are refused until migrate adopts their recorded numbers", async () => {
    const legacy = urls.slice(0, 3);
    for (const db of MINE.slice(0, 3)) {
      await onDatabase(db, async (c) => {
        await c.query("DROP TABLE kvetch_topology");
        await c.query("DELETE FROM kvetch_meta WHERE name = 'installation'");
      });
    }
    assert.match(await refused(legacy), "shards[0] is not migrated");
    const kvetch = new Kvetch({ schema, backend: mysqlBackend({ shards: legacy }) });
    await kvetch.migrate();
    assert.is((await kvetch.getObjects(ids)).filter(Boolean).length, OBJECTS);
    await kvetch.close();
    const rows = await identities(MINE.slice(0, 3));
    assert.equal(rows.map((row) => row.split(" ")[1]), ["shard=0", "shard=1", "shard=2"], "the recorded numbers became the stored ids");
  });

  test.run();
}
