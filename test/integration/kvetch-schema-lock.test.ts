// The schema lock on 4 MySQL shards (spec/kvetch-storage.md §2.5): the cases of
// test/kvetch/schemaLockCases.ts, plus the lock as stored: one kvetch_topology row `schema` per shard, every
// copy at the same version. Needs MySQL (CI=true: required).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mysqlBackend } from "../../src/kvetch/index.js";
import { schemaLockCases } from "../kvetch/schemaLockCases.js";
import { dropDatabases, onDatabase, serversUp, shardUrls, testDatabases } from "./kvetch-servers.js";

const DATABASES = testDatabases("lock");

if (await serversUp("test/integration/kvetch-schema-lock.test.ts", { mysql: true })) {
  const shards = shardUrls(DATABASES);
  test.before(() => dropDatabases(DATABASES));
  test.after(() => dropDatabases(DATABASES));

  schemaLockCases(test, "mysql", { backend: () => mysqlBackend({ shards }), shards: 4 });

  test("schema lock (mysql): every shard holds the lock's newest version as its kvetch_topology row schema", async () => {
    const copies = await Promise.all(
      DATABASES.map((db) =>
        onDatabase(db, async (c) => (await c.query("SELECT version, body FROM kvetch_topology WHERE name = 'schema'"))[0] as { version: number; body: string }[]),
      ),
    );
    for (const rows of copies) {
      assert.is(rows.length, 1);
      assert.is(Number(rows[0]!.version), 4);
      assert.is(JSON.parse(rows[0]!.body).version, 4);
    }
    const entries = JSON.parse(copies[0]![0]!.body).entries as { kind: string; id: number; name: string; retired?: number }[];
    assert.equal(
      entries.map((e) => `${e.kind} ${e.id} ${e.name}${e.retired ? ` retired@${e.retired}` : ""}`),
      ["type 1 Member", "type 2 Loan", "edge 1 memberLoans", "edge 2 borrowedBy", "index 1 byEmail retired@2", "index 2 byName"],
    );
  });
}

test.run();
