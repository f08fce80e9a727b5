// Bucket moves on MySQL across OS processes (spec/kvetch-storage.md §11.3, §11.4): a process opened before the
// move follows it at its first refused call, a process started mid-move opens cleanly, and a reshard process
// SIGKILLed after its journal says copy, catchUp, frozen or switched is finished by a rerun of the same command,
// with every object, edge, count and index entry readable, repair idle and the sources cleaned.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { checkMoveModel, moveSchema, seedMoveStore } from "../kvetch/reshardLoad.js";
import type { MoveModel } from "../kvetch/reshardLoad.js";
import { RUN_ID, dropDatabases, serversUp, shardUrls } from "./kvetch-servers.js";
import { ReshardProcess } from "./reshardProcess.js";

const FOUR = [0, 1, 2, 3].map((s) => ({ first: s * 256, last: s * 256 + 255, shard: s }));
const DATABASES = [0, 1, 2, 3, 4].map((i) => `graphscale_proc_${RUN_ID}_${i}`);
const URLS = shardUrls(DATABASES);

function open(): Kvetch {
  return new Kvetch({
    schema: moveSchema,
    backend: mysqlBackend({ shards: URLS, ranges: FOUR }),
    onDerivedWriteFailure: (report) => assert.unreachable(`derived write failed: ${String(report.error)}`),
  });
}

/** The checks after a move: the model through two stores (one fresh), repair idle, the fifth shard used. */
async function checkAfterMove(kvetch: Kvetch, model: MoveModel): Promise<void> {
  const fresh = open();
  try {
    await checkMoveModel([kvetch, fresh], model);
    const repaired = await fresh.repair();
    assert.equal([repaired.edgesAdded, repaired.edgesRemoved, repaired.indexAdded, repaired.indexRemoved], [0, 0, 0, 0], "repair finds nothing to heal");
    assert.ok((await fresh.stats())[4]!.objects > 0, "the fifth shard holds objects");
    assert.is(fresh.shardMap.ranges.filter((range) => range.shard === 4).reduce((n, r) => n + r.last - r.first + 1, 0), 204, "a fifth of the buckets are on it");
  } finally {
    await fresh.close();
  }
}

if (await serversUp("test/integration/kvetch-reshard-process.test.ts", { mysql: true })) {
  test("two processes: one opened before the move reads and writes moved objects right after the switch; one started mid-move opens cleanly and reads the same", async () => {
    await dropDatabases(DATABASES);
    const mover = open();
    const before = new ReshardProcess({ shards: URLS, mode: "serve" });
    let during = null as ReshardProcess | null;
    try {
      await mover.migrate();
      const model = await seedMoveStore(mover, 120);
      await before.open();
      const items = [...model.items.keys()];
      const staleRanges = await before.ranges();
      kvetchTestHooks(mover).afterMoveJournal = async (phase) => {
        if (phase !== "catchUp" || during !== null) return;
        during = new ReshardProcess({ shards: URLS, mode: "serve" });
        await during.open();
        assert.equal(await during.getObjects(items), items.map((id) => model.items.get(id)), "a process started mid-move reads every item");
      };
      const report = await mover.reshard({ batchSize: 40 });
      assert.is(report.outcome, "moved");
      assert.ok(during !== null, "a process started during the move");
      const moved = items.filter((id) => mover.shardOf(id) === 4);
      assert.equal(await before.ranges(), staleRanges, "the first process still places by the old map");
      assert.equal(await before.getObjects(moved), moved.map((id) => model.items.get(id)), "it reads the moved items right");
      assert.not.equal(await before.ranges(), staleRanges, "and now places by the new map");
      const written = await before.updateObject(moved[0]!, { text: "from the first process" });
      model.items.set(moved[0]!, written);
      const rewritten = await during!.updateObject(moved[1]!, { text: "from the second process" });
      model.items.set(moved[1]!, rewritten);
      assert.equal(await during!.getObjects(items), items.map((id) => model.items.get(id)), "the second process reads every write");
      assert.equal(await before.getObjects(items), items.map((id) => model.items.get(id)), "so does the first");
      await checkAfterMove(mover, model);
    } finally {
      await Promise.all([before.close(), (during as ReshardProcess | null)?.close(), mover.close()]);
      await dropDatabases(DATABASES);
    }
  });

  for (const phase of ["copy", "catchUp", "frozen", "switched"] as const) {
    test(`SIGKILL: a reshard process killed after its journal says ${phase} is finished by a rerun of the same command, every row readable and the sources clean`, async () => {
      await dropDatabases(DATABASES);
      const kvetch = open();
      const options = { batchSize: 30 };
      try {
        await kvetch.migrate();
        const model = await seedMoveStore(kvetch, 100);
        const mover = new ReshardProcess({ shards: URLS, mode: "reshard", reshard: options }, phase);
        const reached = await Promise.race([mover.stopped, mover.finished.then((report) => `finished: ${report.outcome}`)]);
        assert.is(reached, phase, `the move stopped after its journal said ${phase}`);
        assert.is(await mover.kill(), null, "SIGKILLed");
        if (phase === "copy" || phase === "catchUp") {
          // Writes between the kill and the rerun land on the sources; catch-up carries them over.
          for (const id of [...model.items.keys()].slice(0, 12)) model.items.set(id, (await kvetch.updateObject("TodoItem", id, { text: `between ${phase}` })).data);
        }
        const report = await kvetch.reshard(options);
        assert.is(report.outcome, "moved", "the rerun finishes the move");
        assert.is(report.toVersion, 2);
        assert.is((await kvetch.reshard(options)).outcome, "nothing", "a second rerun finds nothing to do");
        await checkAfterMove(kvetch, model);
      } finally {
        await kvetch.close();
        await dropDatabases(DATABASES);
      }
    });
  }

  test.run();
}
