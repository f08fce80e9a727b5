// Online bucket moves on the memory backend (spec/kvetch-storage.md §11): a fifth shard takes a fifth of the
// buckets under concurrent writes and reads from two stores, a stale store is fenced and follows, a move
// stopped at every phase resumes with a rerun or rolls back, a dry run writes nothing, a shard is removed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, bucketOfId, edgesKey, indexKey, memoryBackend, memoryShards, objectKey } from "../../src/kvetch/index.js";
import type { BucketRange, KvetchBackend } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { planMoves } from "../../src/kvetch/reshardPlan.js";
import type { TopologyMap } from "../../src/kvetch/topologyMap.js";
import { checkMoveModel, moveSchema, runClients, seedMoveStore } from "./reshardLoad.js";
import { rejectionOf } from "./rejection.js";
import { aroundShardCalls } from "./shardCalls.js";

/** The message a call rejects with (any error; the test fails when it resolves). */
async function failureOf(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  assert.instance(error, Error, "the call failed");
  return (error as Error).message;
}

/** Four shards' default ranges over 1024 buckets: a fifth configured shard owns nothing yet. */
const FOUR: BucketRange[] = [0, 1, 2, 3].map((s) => ({ first: s * 256, last: s * 256 + 255, shard: s }));

function fiveShards(): KvetchBackend {
  return memoryBackend({ shards: 5, ranges: FOUR });
}

function open(backend: KvetchBackend): Kvetch {
  return new Kvetch({ schema: moveSchema, backend, onDerivedWriteFailure: (report) => assert.unreachable(`derived write failed: ${String(report.error)}`) });
}

test("planMoves: a fifth member takes a fifth of the buckets, a fifth of each shard's, and nothing else moves", () => {
  const current: TopologyMap = { installation: "i", version: 2, buckets: 1024, shards: [0, 1, 2, 3, 4], nextShardId: 5, ranges: FOUR };
  const { next, moves } = planMoves(current, {});
  assert.is(next.version, 3);
  assert.equal(
    moves.map((move) => [move.from, move.to, move.buckets.length]),
    [
      [0, 4, 51],
      [1, 4, 51],
      [2, 4, 51],
      [3, 4, 51],
    ],
  );
  const owned = [0, 0, 0, 0, 0];
  for (const range of next.ranges) owned[range.shard]! += range.last - range.first + 1;
  assert.equal(owned, [205, 205, 205, 205, 204]);
  const removal = planMoves(next, { remove: [1] });
  assert.equal(removal.next.shards, [0, 2, 3, 4]);
  assert.ok(removal.moves.every((move) => move.from === 1), "only the removed shard gives buckets up");
  assert.is(removal.moves.reduce((n, move) => n + move.buckets.length, 0), 205);
  assert.throws(() => planMoves(current, { remove: [9] }), /shard id 9 to remove is not a member of shard map version 2/);
});

test("reshard: a fifth shard takes a fifth of the buckets while two stores create, update, move, delete and read — 0 failed, 0 lost, 0 wrong reads, repair finds nothing", async () => {
  const backend = fiveShards();
  const mover = open(backend);
  const other = open(backend);
  const model = await seedMoveStore(mover, 600);
  await other.open();
  const progress: string[] = [];
  // A process started in each phase opens cleanly and serves as the others do.
  const late: Kvetch[] = [];
  kvetchTestHooks(mover).afterMoveJournal = async (phase) => {
    if (late.length > 0 && phase === "copy") return;
    const started = open(backend);
    await started.open();
    assert.equal(await started.getObjects(model.users), await mover.getObjects(model.users), `a store opened at ${phase} reads the users`);
    late.push(started);
  };
  const move = mover.reshard({ batchSize: 50, onProgress: (p) => progress.push(p.phase) });
  const load = await runClients([mover, other], model, 12, move);
  const report = await move;
  assert.is(late.length, 5, "a store opened in each phase");
  assert.equal(load.failed, [], "no request failed");
  assert.equal(load.wrongReads, [], "no read differed from the last acknowledged write");
  assert.ok(load.ops >= 240, `the clients ran during the move (${load.ops} operations)`);
  assert.is(report.outcome, "moved");
  assert.is(report.verifyDifferences, 0);
  assert.is(report.moves.reduce((n, m) => n + m.buckets, 0), 204);
  assert.ok(report.rowsCopied > 0 && report.rowsCleaned > 0, `rows copied ${report.rowsCopied}, cleaned ${report.rowsCleaned}`);
  for (const phase of ["copy", "catchUp", "frozen", "done"]) assert.ok(progress.includes(phase), `progress told of ${phase}`);
  assert.is(mover.shardMap.ranges.filter((range) => range.shard === 4).reduce((n, r) => n + r.last - r.first + 1, 0), 204);
  await checkMoveModel([mover, other, ...late], model);
  const stats = await mover.stats();
  assert.ok(stats[4]!.objects > 0, "the new shard holds objects");
  for (const kvetch of [mover, other]) {
    const repaired = await kvetch.repair();
    assert.equal([repaired.edgesAdded, repaired.edgesRemoved, repaired.indexAdded, repaired.indexRemoved], [0, 0, 0, 0], "repair finds nothing to heal");
  }
  for (const kvetch of [mover, other, ...late]) await kvetch.close();
});

test("reshard: a store still on the old map is refused by the source and follows to the new shard, reads and writes alike", async () => {
  const backend = fiveShards();
  const mover = open(backend);
  const stale = open(backend);
  const model = await seedMoveStore(mover, 200);
  await stale.open();
  const staleMap = stale.shardMap;
  await mover.reshard();
  const moved = [...model.items.keys()].find((id) => mover.shardOf(id) === 4)!;
  const source = staleMap.shardOf(bucketOfId(staleMap, moved));
  assert.is.not(source, 4);
  stale.resetCounters();
  const [read] = await stale.getObjects([moved]);
  assert.equal(read?.data, model.items.get(moved), "the stale store reads the moved object");
  if (stale.shardMap === staleMap) {
    assert.is(stale.counters.shardQueries[source], 1, "the source refused the read (one round trip)");
    assert.is(stale.counters.shardQueries[4], 1, "and it was sent once to the new shard");
  }
  const updated = await stale.updateObject("TodoItem", moved, { text: "after the move" });
  assert.is(updated.version, 2);
  const [again] = await mover.getObjects([moved]);
  assert.is(again?.data.text, "after the move", "the stale store's write landed on the new shard");
  await mover.close();
  await stale.close();
});

for (const phase of ["copy", "catchUp", "frozen", "switched", "cleaned"] as const) {
  test(`reshard: a move stopped after its journal says ${phase} finishes with a rerun, the data whole`, async () => {
    const backend = fiveShards();
    const kvetch = open(backend);
    const model = await seedMoveStore(kvetch, 150);
    const hooks = kvetchTestHooks(kvetch);
    hooks.afterMoveJournal = (written) => {
      if (written === phase) throw new Error(`stopped at ${phase}`);
    };
    assert.match(await failureOf(kvetch.reshard({ batchSize: 20 })), `stopped at ${phase}`);
    delete hooks.afterMoveJournal;
    const stats = await kvetch.stats();
    const plan = await kvetch.reshard({ dryRun: true });
    assert.is(plan.outcome, "planned", "a dry run during the move shows it");
    assert.equal(await kvetch.stats(), stats, "and changes nothing");
    // A write between the stop and the rerun (a frozen bucket's write waits for the rerun's switch).
    const id = [...model.items.keys()][0]!;
    const writing = kvetch.updateObject("TodoItem", id, { text: "between" }).then((object) => model.items.set(id, object.data));
    const report = await kvetch.reshard({ batchSize: 20 });
    await writing;
    assert.is(report.outcome, "moved");
    const fresh = open(backend);
    await checkMoveModel([kvetch, fresh], model);
    assert.is((await kvetch.reshard()).outcome, "nothing", "a third run finds the buckets spread");
    await kvetch.close();
    await fresh.close();
  });
}

test("reshard: a moved row that verify finds different from the source stops the switch; the sources are unfrozen and a rerun finishes", async () => {
  let phase = "";
  let verifyScans = 0;
  let sabotage = true;
  // The target's second scan of objects while frozen is verify's: one row comes back changed, as a write that
  // slipped past the freeze, or a damaged copy, would look.
  const backend = aroundShardCalls(fiveShards(), async (shard, method, args, call) => {
    const result = await call();
    if (sabotage && phase === "frozen" && shard === 4 && method === "scanBucketRows" && args[0] === "objects" && args[2] === null && ++verifyScans === 2) {
      const page = result as { rows: { body: string }[] };
      page.rows[0] = { ...page.rows[0]!, body: '{"damaged":true}' };
    }
    return result;
  });
  const kvetch = open(backend);
  const model = await seedMoveStore(kvetch, 150);
  const mapBefore = kvetch.shardMap;
  kvetchTestHooks(kvetch).afterMoveJournal = (written) => void (phase = written);
  const failure = await rejectionOf(() => kvetch.reshard());
  assert.match(failure.message, /verify found 1 moved row\(s\) that differ from the source while its writes were frozen; nothing was switched/);
  assert.is(kvetch.shardMap, mapBefore, "the map did not switch");
  assert.is(phase, "catchUp", "the journal went back to catch-up");
  const moving = [...model.items.keys()].find((id) => bucketOfId(mapBefore, id) >= 205 && bucketOfId(mapBefore, id) < 256)!;
  model.items.set(moving, (await kvetch.updateObject("TodoItem", moving, { text: "unfrozen" })).data);
  sabotage = false;
  const report = await kvetch.reshard();
  assert.is(report.outcome, "moved");
  assert.is(report.verifyDifferences, 0);
  await checkMoveModel([kvetch, open(backend)], model);
  await kvetch.close();
});

test("reshard --reverse before the switch drops the copies; after the switch it moves the buckets back", async () => {
  for (const stopAt of ["catchUp", "switched"] as const) {
    const backend = fiveShards();
    const kvetch = open(backend);
    const model = await seedMoveStore(kvetch, 150);
    const before = (await kvetch.stats()).map((shard) => shard.objects);
    const hooks = kvetchTestHooks(kvetch);
    hooks.afterMoveJournal = (written) => {
      if (written === stopAt) throw new Error("stopped");
    };
    assert.match(await failureOf(kvetch.reshard()), "stopped");
    delete hooks.afterMoveJournal;
    assert.match((await rejectionOf(() => kvetch.reshard({ remove: [0] }))).message, /a move to shard map version \d+ is in progress \(phase/);
    const id = [...model.items.keys()].find((item) => bucketOfId(kvetch.shardMap, item) >= 205 && bucketOfId(kvetch.shardMap, item) < 256) ?? [...model.items.keys()][0]!;
    model.items.set(id, (await kvetch.updateObject("TodoItem", id, { text: `during ${stopAt}` })).data);
    const report = await kvetch.reshard({ reverse: true });
    assert.is(report.outcome, "reversed");
    const after = (await kvetch.stats()).map((shard) => shard.objects);
    assert.is(after[4], 0, `${stopAt}: the fifth shard holds nothing again`);
    assert.is(after.reduce((n, c) => n + c, 0), before.reduce((n, c) => n + c, 0));
    await checkMoveModel([kvetch, open(backend)], model);
    assert.match((await rejectionOf(() => kvetch.reshard({ reverse: true }))).message, /no move is in progress/);
    await kvetch.close();
  }
});

test("reshard: a move alone announces no invalidation and moves no dependency version (live queries neither re-run nor miss)", async () => {
  const kvetch = open(fiveShards());
  const model = await seedMoveStore(kvetch, 150);
  const keys = [
    ...[...model.items.keys()].map((id) => objectKey(id)),
    ...model.lists.map((id) => edgesKey("list_to_item", id)),
    ...["a", "b", "c"].map((tag) => indexKey("tag", JSON.stringify(tag))),
  ];
  const versions = await kvetch.dependencyVersions(keys);
  const heard: unknown[] = [];
  const stop = kvetch.onInvalidate((change) => heard.push(change));
  await kvetch.reshard();
  assert.equal(await kvetch.checkDeps(keys.map((key, i) => ({ key, version: versions[i]! }))), [], "no version moved");
  assert.equal(heard, [], "no invalidation was announced");
  const [item] = [...model.items.keys()];
  await kvetch.updateObject("TodoItem", item!, { text: "after" });
  assert.equal(await kvetch.checkDeps([{ key: objectKey(item!), version: versions[0]! }]), [objectKey(item!)], "a write after the move still moves its key");
  stop();
  await kvetch.close();
});

test("reshard: two movers at once — the journal's compare-and-set lets one run; the other is refused before it writes a row", async () => {
  const backend = fiveShards();
  const first = open(backend);
  const second = open(backend);
  const model = await seedMoveStore(first, 100);
  await second.open();
  const results = await Promise.allSettled([first.reshard(), second.reshard()]);
  const moved = results.filter((r) => r.status === "fulfilled");
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  assert.is(moved.length, 1, "one mover ran");
  assert.is(refused.length, 1, "the other was refused");
  assert.match((refused[0]!.reason as Error).message, /another reshard is running|is in progress/);
  await checkMoveModel([first, second], model);
  assert.is((await second.reshard()).outcome, "nothing");
  await first.close();
  await second.close();
});

test("reshard dryRun: the plan's buckets, rows and bytes per shard pair, and nothing written", async () => {
  const kvetch = open(fiveShards());
  await seedMoveStore(kvetch, 100);
  const before = await kvetch.stats();
  const plan = await kvetch.reshard({ dryRun: true });
  assert.is(plan.outcome, "planned");
  assert.equal(plan.moves.map((move) => [move.from, move.to, move.buckets]), [[0, 4, 51], [1, 4, 51], [2, 4, 51], [3, 4, 51]]);
  assert.ok(plan.rowsCopied > 0 && plan.moves.every((move) => move.bytes > move.rows), "rows and bytes counted");
  assert.equal(await kvetch.stats(), before, "nothing moved");
  assert.is((await kvetch.reshard({ dryRun: true })).outcome, "planned", "and no journal was left behind");
  await kvetch.close();
});

test("reshard remove: a shard's buckets go to the others and it leaves the map", async () => {
  const shards = memoryShards(4);
  const kvetch = open(memoryBackend({ shards }));
  const model = await seedMoveStore(kvetch, 200);
  const report = await kvetch.reshard({ remove: [2] });
  assert.is(report.outcome, "moved");
  assert.is(report.toVersion, 2);
  assert.is((await kvetch.stats())[2]!.objects, 0, "the removed shard is empty");
  const without = open(memoryBackend({ shards: [shards[3]!, shards[0]!, shards[1]!] }));
  await checkMoveModel([kvetch, without], model);
  assert.match((await rejectionOf(() => open(memoryBackend({ shards })).open())).message, /stored shard id 2\) is not in shard map version 2/, "the old list is refused");
  assert.match((await rejectionOf(() => kvetch.reshard({ remove: [2] }))).message, /shard id 2 to remove is not a member/);
  await kvetch.close();
});

test.run();
