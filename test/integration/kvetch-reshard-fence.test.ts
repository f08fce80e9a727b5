// The MySQL fence (spec/kvetch-storage.md §11.4): every call on a bucket's rows checks kvetch_buckets inside its
// own transaction, so it costs no round trip of its own; after a switch, a store still on the old map is
// refused by the source (MOVED), reads the topology again and is served by the new shard, reads and writes
// alike; a write to a frozen bucket waits for the switch and lands on the new shard.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, bucketOfId, mysqlBackend } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { checkMoveModel, moveSchema, seedMoveStore } from "../kvetch/reshardLoad.js";
import { RUN_ID, dropDatabases, serversUp, shardUrls } from "./kvetch-servers.js";

const FOUR = [0, 1, 2, 3].map((s) => ({ first: s * 256, last: s * 256 + 255, shard: s }));
const DATABASES = [0, 1, 2, 3, 4].map((i) => `graphscale_fence_${RUN_ID}_${i}`);

function open(): Kvetch {
  return new Kvetch({
    schema: moveSchema,
    backend: mysqlBackend({ shards: shardUrls(DATABASES), ranges: FOUR }),
    onDerivedWriteFailure: (report) => assert.unreachable(`derived write failed: ${String(report.error)}`),
  });
}

/** One round trip per shard the keys' buckets are on (the shards of `ids` under the store's map). */
function perShard(kvetch: Kvetch, ids: readonly string[]): number[] {
  const out = new Array<number>(5).fill(0);
  for (const id of ids) out[kvetch.shardOf(id)] = 1;
  return out;
}

if (await serversUp("test/integration/kvetch-reshard-fence.test.ts", { mysql: true })) {
  test("MySQL fence: reads cost one round trip per shard with the check inside; after the switch a store on the old map is refused, re-reads the topology and is served by the new shard", async () => {
    await dropDatabases(DATABASES);
    const mover = open();
    const stale = open();
    const writer = open();
    try {
      await mover.migrate();
      const model = await seedMoveStore(mover, 120);
      await Promise.all([stale.open(), writer.open()]);
      const items = [...model.items.keys()];

      // The check rides in each call's transaction: no round trip of its own.
      stale.resetCounters();
      await stale.getObjects(items);
      assert.equal(stale.counters.shardQueries, perShard(stale, items), "getObjects: one round trip per shard");
      stale.resetCounters();
      await stale.getEdges("list_to_item", model.lists, { first: 3, verify: false });
      assert.equal(stale.counters.shardQueries, perShard(stale, model.lists), "getEdges: one round trip per shard");
      stale.resetCounters();
      await stale.countEdges("list_to_item", model.lists);
      assert.equal(stale.counters.shardQueries, perShard(stale, model.lists), "countEdges: one round trip per shard");
      const first = items[0]!;
      stale.resetCounters();
      await stale.updateObject("TodoItem", first, { text: "before the move" }).then((object) => model.items.set(first, object.data));
      const beforeMove = stale.counters.shardQueries.reduce((n, q) => n + q, 0);

      const staleMap = stale.shardMap;
      const report = await mover.reshard({ batchSize: 40 });
      assert.is(report.outcome, "moved");
      const moved = items.filter((id) => mover.shardOf(id) === 4);
      assert.ok(moved.length >= 2, "items moved to the fifth shard");
      const source = staleMap.shardOf(bucketOfId(staleMap, moved[0]!));
      assert.is(stale.shardMap, staleMap, "the stale store still places by the old map");

      stale.resetCounters();
      const [read] = await stale.getObjects([moved[0]!]);
      assert.equal(read?.data, model.items.get(moved[0]!), "the stale store reads the moved object");
      const expected = [1, 1, 1, 1, 1]; // the topology read again, on every shard
      expected[source]! += 2; // the refused call, and the read of its bucket's row that says where it went
      expected[4]! += 1; // the call, once, on the new shard
      assert.equal(stale.counters.shardQueries, expected, "refused once, the topology read once, served once");
      assert.is.not(stale.shardMap, staleMap, "the stale store now places by the new map");

      // A write from a store on the old map lands on the new shard (the source refuses it).
      const written = await writer.updateObject("TodoItem", moved[1]!, { text: "after the move" });
      model.items.set(moved[1]!, written.data);
      const [again] = await mover.getObjects([moved[1]!]);
      assert.is(again?.data.text, "after the move", "the write landed on the new shard");
      assert.is(writer.shardMap.ranges.length, mover.shardMap.ranges.length, "the writer follows the new map too");

      // After the move an update costs what it cost before it.
      stale.resetCounters();
      await stale.updateObject("TodoItem", first, { text: "after, same cost" }).then((object) => model.items.set(first, object.data));
      assert.is(stale.counters.shardQueries.reduce((n, q) => n + q, 0), beforeMove, "an update: the same round trips as before the move");
      await checkMoveModel([mover, stale, writer], model);
    } finally {
      await Promise.all([mover.close(), stale.close(), writer.close()]);
      await dropDatabases(DATABASES);
    }
  });

  test("MySQL fence: a write to a frozen bucket waits for the next fence, reads of it are served meanwhile; a write racing a move's freeze lands on the new shard", async () => {
    await dropDatabases(DATABASES);
    const mover = open();
    const other = open();
    const counters = { calls: 0, shardQueries: [0, 0, 0, 0, 0], cacheRoundTrips: {}, rowsFetched: 0 };
    const shards = mysqlBackend({ shards: shardUrls(DATABASES) }).openShards(counters);
    try {
      await mover.migrate();
      const model = await seedMoveStore(mover, 80);
      await other.open();
      const target = [...model.items.keys()].find((id) => bucketOfId(mover.shardMap, id) % 256 >= 205)!;
      const position = mover.shardOf(target);
      const shard = shards[position]!;
      const { identity, map } = await shard.readTopology!();
      const fence = { shard: identity!.shardId, version: map!.version, ranges: map!.ranges };
      await shard.setBucketFence!({ ...fence, frozen: [bucketOfId(mover.shardMap, target)] });
      let settled = false;
      const write = other.updateObject("TodoItem", target, { text: "written while frozen" }).then((object) => {
        settled = true;
        model.items.set(target, object.data);
      });
      const [read] = await other.getObjects([target]);
      assert.equal(read?.data, model.items.get(target), "a read of a frozen bucket is served");
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.not.ok(settled, "the write waits while its bucket is frozen");
      await shard.setBucketFence!({ ...fence, frozen: [] });
      await write;
      assert.is((await mover.getObjects([target]))[0]?.data.text, "written while frozen");

      let racing: Promise<unknown> | null = null;
      kvetchTestHooks(mover).afterMoveJournal = (phase) => {
        // The journal says frozen; switchMove freezes next, so this write meets the freeze or the switch.
        if (phase === "frozen") racing = other.updateObject("TodoItem", target, { text: "racing the switch" }).then((object) => model.items.set(target, object.data));
      };
      const report = await mover.reshard({ batchSize: 40 });
      await racing;
      assert.is(report.outcome, "moved");
      assert.is(mover.shardOf(target), 4);
      assert.is((await mover.getObjects([target]))[0]?.data.text, "racing the switch", "the write is on the new shard");
      await checkMoveModel([mover, other], model);
    } finally {
      await Promise.all([mover.close(), other.close(), ...shards.map((s) => s.close())]);
      await dropDatabases(DATABASES);
    }
  });

  test.run();
}
