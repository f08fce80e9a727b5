// Bucket rows on MySQL shards (spec/kvetch-storage.md §11.1): five databases of this run, the fifth owning no
// bucket; a shard's bucket scans, exact copies, diffs and deletes agree row for row with the source, the move
// journal is compare-and-set, and reshard moves a fifth of the buckets behind the MySQL fence (kvetch_buckets).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, bucketOfId, mysqlBackend } from "../../src/kvetch/index.js";
import type { KvetchCounters } from "../../src/kvetch/index.js";
import { cleanBuckets, copyBuckets, diffBuckets } from "../../src/kvetch/moveCopy.js";
import type { MovableShard } from "../../src/kvetch/moveCopy.js";
import { BUCKET_TABLES, bucketSet } from "../../src/kvetch/moveRows.js";
import { checkMoveModel, moveSchema, seedMoveStore } from "../kvetch/reshardLoad.js";
import { claimsFollowAMove } from "../kvetch/uniqueMove.js";
import { RUN_ID, dropDatabases, serversUp, shardUrls } from "./kvetch-servers.js";

const FOUR = [0, 1, 2, 3].map((s) => ({ first: s * 256, last: s * 256 + 255, shard: s }));
const DATABASES = [0, 1, 2, 3, 4].map((i) => `graphscale_reshard_${RUN_ID}_${i}`);

if (await serversUp("test/integration/kvetch-reshard-mysql.test.ts", { mysql: true })) {
  test("MySQL: a bucket move carries the unique claims of the values it moves, behind the shard's fence: a store opened before the move follows it, a moved value stays owned, one given up is free", async () => {
    const databases = DATABASES.map((name) => name.replace("graphscale_reshard_", "graphscale_reshardunique_"));
    await dropDatabases(databases);
    try {
      await claimsFollowAMove(mysqlBackend({ shards: shardUrls(databases), ranges: FOUR }));
    } finally {
      await dropDatabases(databases);
    }
  });

  test("MySQL bucket rows: copy, diff and clean a fifth of shard 0's buckets onto shard 4, row for row; the journal is compare-and-set; reshard then moves them behind the fence", async () => {
    await dropDatabases(DATABASES);
    const backend = mysqlBackend({ shards: shardUrls(DATABASES), ranges: FOUR });
    const kvetch = new Kvetch({ schema: moveSchema, backend });
    const counters: KvetchCounters = { calls: 0, shardQueries: [0, 0, 0, 0, 0], cacheRoundTrips: {}, rowsFetched: 0 };
    const shards = backend.openShards(counters) as unknown as MovableShard[];
    try {
      await kvetch.migrate();
      const model = await seedMoveStore(kvetch, 150);
      await kvetch.repair({ queue: true });
      const set = bucketSet(1024, Array.from({ length: 51 }, (_, i) => 205 + i));
      const copied = { rows: 0, bytes: 0 };
      for (const table of BUCKET_TABLES) await copyBuckets(shards[0]!, shards[4]!, table, set, 7, copied, () => undefined);
      assert.ok(copied.rows > 0, "rows copied");
      assert.equal(await diffBuckets(shards[0]!, shards[4]!, set, 7, false), { compared: copied.rows, missing: 0, different: 0, extra: 0 }, "every copied row equals its source");

      const moving = [...model.items.keys()].find((id) => set.members[bucketOfId(kvetch.shardMap, id)] === 1);
      assert.ok(moving !== undefined, "an item is in the buckets");
      model.items.set(moving!, (await kvetch.updateObject("TodoItem", moving!, { text: "changed at the source" })).data);
      const caught = await diffBuckets(shards[0]!, shards[4]!, set, 7, true);
      assert.ok(caught.different >= 1, "catch-up found the changed row");
      assert.is((await diffBuckets(shards[0]!, shards[4]!, set, 7, false)).different, 0, "and fixed it");
      const cleaned = { rows: 0, bytes: 0 };
      await cleanBuckets(shards[4]!, set, 7, cleaned);
      assert.is(cleaned.rows, (await diffBuckets(shards[0]!, shards[4]!, set, 7, false)).missing, "cleanup removed every copied row");

      assert.is(await shards[2]!.readMoveJournal(), null);
      assert.ok(await shards[2]!.writeMoveJournal(null, "a"));
      assert.not.ok(await shards[2]!.writeMoveJournal(null, "b"), "a second first write loses");
      assert.ok(await shards[2]!.writeMoveJournal("a", "c"));
      assert.not.ok(await shards[2]!.writeMoveJournal("a", "d"), "a write from a stale text loses");
      assert.ok(await shards[2]!.writeMoveJournal("c", null));
      assert.is(await shards[2]!.readMoveJournal(), null);

      // The whole move on MySQL: copy, catch up, freeze, verify, switch (the fence), clean.
      const report = await kvetch.reshard({ batchSize: 50 });
      assert.is(report.outcome, "moved");
      assert.is(report.verifyDifferences, 0);
      assert.is(report.moves.reduce((n, m) => n + m.buckets, 0), 204);
      const stats = await kvetch.stats();
      assert.ok(stats[4]!.objects > 0, "the fifth shard holds objects");
      await shards[0]!.readTopology!(); // the shard learns its stored id
      const fence = await shards[0]!.readBucketFence!();
      assert.equal(fence?.ranges.filter((range) => range.shard === 4).map(({ first, last }) => [first, last]), [[205, 255], [461, 511], [717, 767], [973, 1023]], "shard 0's kvetch_buckets give the moved buckets to shard 4");
      const fresh = new Kvetch({ schema: moveSchema, backend: mysqlBackend({ shards: shardUrls(DATABASES) }) });
      await checkMoveModel([kvetch, fresh], model);
      const repaired = await fresh.repair();
      assert.equal([repaired.edgesAdded, repaired.edgesRemoved, repaired.indexAdded, repaired.indexRemoved], [0, 0, 0, 0], "repair finds nothing to heal");
      await fresh.close();
      await checkMoveModel([kvetch], model);
    } finally {
      await Promise.all(shards.map((shard) => shard.close()));
      await kvetch.close();
      await dropDatabases(DATABASES);
    }
  });

  test.run();
}
