// Concurrent keyed creates and canonical chunks that throw, on 4 MySQL shards (spec/kvetch-storage.md §6.4,
// §6.5): the same scenarios as test/kvetch/write-races.test.ts. Here the taken id is the server's duplicate
// key error, which Kvetch turns into a CONFLICT its create resolves.
import { test } from "uvu";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import type { KvetchBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema } from "../../examples/todo/kvetchSchema.js";
import { heldRefusal, keyRace } from "../kvetch/writeRaces.js";
import { dropDatabases, serversUp, shardUrls, testDatabases, testWhen } from "./kvetch-servers.js";

const up = await serversUp("test/integration/kvetch-write-races.test.ts", { mysql: true });
const it = testWhen(up);
const databases = testDatabases("wrace");

/** Fresh, migrated shard databases and a backend over them. */
async function freshBackend(): Promise<KvetchBackend> {
  await dropDatabases(databases);
  const backend = mysqlBackend({ shards: shardUrls(databases) });
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend });
  await kvetch.migrate();
  await kvetch.close();
  return backend;
}

it("MySQL: two creates with one idempotency key at once: the later inserter gets the first's object, its other items are created and listed", async () => {
  await keyRace(await freshBackend(), (kvetch) => kvetch.close());
});

it("MySQL: a canonical chunk that throws a non-shard error: the call fails after the other shards' rows got their derived rows", async () => {
  await heldRefusal(await freshBackend(), (kvetch) => kvetch.close());
});

test.after(async () => {
  if (up) await dropDatabases(databases);
});

test.run();
