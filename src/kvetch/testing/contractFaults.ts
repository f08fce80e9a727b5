// The backend contract, part 3: writes interrupted between canonical and derived rows (through the test
// hooks), reads that re-check derived rows, repair with checkpoints, and stats. Never leaves a hook set.

import { kvetchTestHooks } from "./hooks.js";
import { assert, rejects, rowTotals, toIds, userWithLists } from "./contractHelpers.js";
import type { ContractTest } from "./contractHelpers.js";

export function faultContract(it: ContractTest): void {
  // ---- faults and repair ----

  it("fault: a create interrupted after its canonical row misses its derived rows until repair adds them", async (kvetch) => {
    const list = await kvetch.createObject("TodoList", { title: "l" });
    kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
      throw new Error("crash after the canonical write");
    };
    try {
      await kvetch.createObject("Todo", { listId: list.id, status: "open" });
      assert.unreachable("the hook throws");
    } catch (error) {
      assert.match((error as Error).message, "crash after the canonical write");
    } finally {
      delete kvetchTestHooks(kvetch).afterCanonicalWrite;
    }
    assert.equal(await rowTotals(kvetch), { objects: 2, edges: 0, indexEntries: 0 });
    assert.equal((await kvetch.getEdges("list_to_todo", [list.id]))[0]!.edges, []);
    const report = await kvetch.repair();
    assert.equal(report, { scanned: 2, checked: 2, edgesAdded: 1, edgesRemoved: 0, indexAdded: 1, indexRemoved: 0, checkpoint: null });
    const [todo] = await kvetch.queryIndex("todo_status", ["open"]);
    assert.is(todo!.edges.length, 1);
    const [page] = await kvetch.getEdges("list_to_todo", [list.id]);
    assert.equal(toIds(page!), [todo!.edges[0]!.targetId]);
    assert.equal(await kvetch.countEdges("list_to_todo", [list.id]), [1]);
  });

  it("fault: an update interrupted after its canonical row leaves the old edge; reads drop it, repair moves it", async (kvetch) => {
    const a = await userWithLists(kvetch, "oa", 2);
    const b = await kvetch.createObject("User", { username: "ob" });
    const moving = a.lists[0]!;
    kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
      throw new Error("crash after the canonical write");
    };
    await kvetch.updateObject("TodoList", moving.id, { userId: b.id, title: "moved" }).then(
      () => assert.unreachable("the hook throws"),
      (error: Error) => assert.match(error.message, "crash"),
    );
    delete kvetchTestHooks(kvetch).afterCanonicalWrite;

    // the stale row is still stored under A, and B lacks the new one
    const [rawA, rawB] = await kvetch.getEdges("user_to_list", [a.user.id, b.id], { verify: false });
    assert.equal(toIds(rawA!), [moving.id, a.lists[1]!.id]);
    assert.equal(toIds(rawB!), []);
    // verify drops the row whose child no longer names A, and a page still fills up to `first`
    const [checkedA] = await kvetch.getEdges("user_to_list", [a.user.id], { first: 1 });
    assert.equal(toIds(checkedA!), [a.lists[1]!.id]);
    assert.is(checkedA!.hasNextPage, false);
    // read as target ids, the same rows are kept and dropped
    assert.equal((await kvetch.getEdgeTargets("user_to_list", [a.user.id], { verify: false }))[0]!.edges, [moving.id, a.lists[1]!.id]);
    assert.equal(await kvetch.getEdgeTargets("user_to_list", [a.user.id], { first: 1 }), [{ edges: [a.lists[1]!.id], hasNextPage: false, endCursor: checkedA!.endCursor }]);

    const report = await kvetch.repair({ batchSize: 2 });
    assert.is(report.scanned, 4);
    assert.is(report.edgesAdded, 1);
    assert.is(report.edgesRemoved, 1);
    assert.is(report.indexAdded, 0);
    assert.is(report.indexRemoved, 0);
    const [fixedA, fixedB] = await kvetch.getEdges("user_to_list", [a.user.id, b.id], { verify: false });
    assert.equal(toIds(fixedA!), [a.lists[1]!.id]);
    assert.equal(toIds(fixedB!), [moving.id]);
    assert.equal(await kvetch.countEdges("user_to_list", [a.user.id, b.id]), [1, 1]);
    const again = await kvetch.repair();
    assert.equal([again.edgesAdded, again.edgesRemoved, again.indexAdded, again.indexRemoved], [0, 0, 0, 0]);
  });

  it("fault: a delete interrupted after its canonical row leaves stale rows; reads drop them, repair removes them", async (kvetch) => {
    const list = await kvetch.createObject("TodoList", { title: "l" });
    const todo = await kvetch.createObject("Todo", { listId: list.id, status: "open" });
    kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
      throw new Error("crash after the canonical write");
    };
    await kvetch.deleteObject(todo.id).then(
      () => assert.unreachable("the hook throws"),
      (error: Error) => assert.match(error.message, "crash"),
    );
    delete kvetchTestHooks(kvetch).afterCanonicalWrite;
    assert.equal(await rowTotals(kvetch), { objects: 1, edges: 1, indexEntries: 1 });
    assert.equal((await kvetch.getEdges("list_to_todo", [list.id]))[0]!.edges, []);
    assert.equal((await kvetch.queryIndex("todo_status", ["open"]))[0]!.edges, []);
    assert.is((await kvetch.queryIndex("todo_status", ["open"], { verify: false }))[0]!.edges.length, 1);
    const report = await kvetch.repair();
    assert.equal(report, { scanned: 1, checked: 2, edgesAdded: 0, edgesRemoved: 1, indexAdded: 0, indexRemoved: 1, checkpoint: null });
    assert.equal(await rowTotals(kvetch), { objects: 1, edges: 0, indexEntries: 0 });
    assert.equal(await kvetch.countEdges("list_to_todo", [list.id]), [0]);
  });

  it("verify: a page keeps reading past many stale rows until it has `first` rows", async (kvetch) => {
    const a = await userWithLists(kvetch, "va", 8);
    const b = await kvetch.createObject("User", { username: "vb" });
    const todos = await kvetch.createObjects(Array.from({ length: 6 }, () => ({ type: "Todo", data: { status: "open" } })));
    kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
      throw new Error("crash");
    };
    for (const list of a.lists.slice(0, 5)) await kvetch.updateObject("TodoList", list.id, { userId: b.id }).catch(() => undefined);
    for (const todo of todos.slice(0, 4)) await kvetch.updateObject("Todo", todo.id, { status: "done" }).catch(() => undefined);
    delete kvetchTestHooks(kvetch).afterCanonicalWrite;

    kvetch.resetCounters();
    const [page] = await kvetch.getEdges("user_to_list", [a.user.id], { first: 2 });
    assert.equal(toIds(page!), [a.lists[5]!.id, a.lists[6]!.id]);
    assert.is(page!.hasNextPage, true);
    assert.is(kvetch.counters.calls, 1);
    const [rest] = await kvetch.getEdges("user_to_list", [a.user.id], { first: 2, after: page!.endCursor });
    assert.equal(toIds(rest!), [a.lists[7]!.id]);
    assert.is(rest!.hasNextPage, false);

    const [open] = await kvetch.queryIndex("todo_status", ["open"], { first: 1 });
    assert.equal(open!.edges.map((e) => e.targetId), [todos[4]!.id]);
    assert.is(open!.hasNextPage, true);
    const [done] = await kvetch.queryIndex("todo_status", ["done"]);
    assert.equal(done!.edges, [], "the new entries were never written");
    const report = await kvetch.repair();
    assert.equal([report.edgesAdded, report.edgesRemoved, report.indexAdded, report.indexRemoved], [5, 5, 4, 4]);
    assert.is((await kvetch.queryIndex("todo_status", ["done"], { verify: false }))[0]!.edges.length, 4);
  });

  it("repair: stops at maxBatches with a checkpoint and resumes from it to the same totals", async (kvetch) => {
    const lists = await kvetch.createObjects(Array.from({ length: 6 }, () => ({ type: "TodoList", data: {} })));
    kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
      throw new Error("crash");
    };
    await kvetch
      .createObjects(lists.map((list, i) => ({ type: "Todo", data: { listId: list.id, status: `s${i}` } })))
      .catch(() => undefined);
    delete kvetchTestHooks(kvetch).afterCanonicalWrite;
    const progress: string[] = [];
    const partial = await kvetch.repair({
      batchSize: 1,
      maxBatches: 3,
      onProgress: (p) => void progress.push(`${p.phase}:${p.shard}:${p.rows}`),
    });
    assert.is(progress.length, 3);
    assert.ok(partial.checkpoint !== null);
    const rest = await kvetch.repair({ batchSize: 1, resumeFrom: partial.checkpoint });
    assert.is(rest.checkpoint, null);
    assert.is(partial.scanned + rest.scanned, 12);
    assert.is(partial.edgesAdded + rest.edgesAdded, 6);
    assert.is(partial.indexAdded + rest.indexAdded, 6);
    assert.equal(await rowTotals(kvetch), { objects: 12, edges: 6, indexEntries: 6 });
    await rejects(kvetch.repair({ resumeFrom: { phase: "edges", shard: 9, after: null } }), "BAD_ARGUMENT", /names shard 9; this store has shards 0\.\.3/);
  });

  it("repair: a consistent store has nothing to fix", async (kvetch) => {
    const { lists } = await userWithLists(kvetch, "pa", 2);
    await kvetch.createObject("Todo", { listId: lists[0]!.id, status: "open" });
    const report = await kvetch.repair();
    assert.equal(report, { scanned: 4, checked: 5, edgesAdded: 0, edgesRemoved: 0, indexAdded: 0, indexRemoved: 0, checkpoint: null });
  });

  it("stats: objects, edges and index entries per shard", async (kvetch) => {
    const { user } = await userWithLists(kvetch, "qa", 2);
    const stats = await kvetch.stats();
    assert.is(stats.length, 4);
    assert.equal(stats.map((s) => s.shard), [0, 1, 2, 3]);
    assert.is(stats[kvetch.shardOf(user.id)]!.edges, 2, "edges live on their parent's shard");
    assert.equal(await rowTotals(kvetch), { objects: 3, edges: 2, indexEntries: 1 });
  });
}
