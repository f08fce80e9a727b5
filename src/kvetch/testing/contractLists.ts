// The backend contract, part 2: edge pages, counts, stored edges, index pages and derived edges — cursors,
// batching over 4 shards, chunking past 1000 keys. Asserts round trips and rows per shard, never times.

import { newId } from "../id.js";
import type { KvetchEdge, KvetchPage } from "../model.js";
import { assert, rejects, rowTotals, shardsOf, toIds, total, userWithLists } from "./contractHelpers.js";
import type { ContractTest } from "./contractHelpers.js";

export function listContract(it: ContractTest): void {
  // ---- edge pages ----

  it("edges: an empty list is an empty page without a next page", async (kvetch) => {
    const user = await kvetch.createObject("User", { username: "nobody" });
    for (const first of [undefined, 0, 1]) {
      const [page] = await kvetch.getEdges("user_to_list", [user.id], { first });
      assert.equal(page, { edges: [], hasNextPage: false, endCursor: null });
    }
  });

  it("edges: first 0 is empty with hasNextPage when edges exist; first 1 gives the first edge", async (kvetch) => {
    const { user, lists } = await userWithLists(kvetch, "ann", 3);
    const [zero] = await kvetch.getEdges("user_to_list", [user.id], { first: 0 });
    assert.equal(zero, { edges: [], hasNextPage: true, endCursor: null });
    const [one] = await kvetch.getEdges("user_to_list", [user.id], { first: 1 });
    assert.equal(toIds(one!), [lists[0]!.id]);
    assert.is(one!.hasNextPage, true);
    assert.is(one!.endCursor, one!.edges[0]!.cursor);
    const [all] = await kvetch.getEdges("user_to_list", [user.id]);
    assert.equal(toIds(all!), lists.map((l) => l.id));
    assert.is(all!.hasNextPage, false);
    const [exact] = await kvetch.getEdges("user_to_list", [user.id], { first: 3 });
    assert.is(exact!.hasNextPage, false);
    const edge = all!.edges[1]!;
    assert.is(edge.edge, "user_to_list");
    assert.is(edge.fromId, user.id);
    assert.equal(edge.data, {});
  });

  it("edges: paging with cursors returns every edge once, in insertion order", async (kvetch) => {
    const { user, lists } = await userWithLists(kvetch, "bo", 7);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const [page]: KvetchPage<KvetchEdge>[] = await kvetch.getEdges("user_to_list", [user.id], { first: 3, after });
      seen.push(...toIds(page!));
      pages++;
      if (!page!.hasNextPage) break;
      after = page!.endCursor;
    }
    assert.is(pages, 3);
    assert.equal(seen, lists.map((l) => l.id));
  });

  it("edges: a cursor at the end gives an empty page without a next page", async (kvetch) => {
    const { user } = await userWithLists(kvetch, "cy", 2);
    const [all] = await kvetch.getEdges("user_to_list", [user.id]);
    const [after] = await kvetch.getEdges("user_to_list", [user.id], { first: 5, after: all!.endCursor });
    assert.equal(after, { edges: [], hasNextPage: false, endCursor: null });
    const [zero] = await kvetch.getEdges("user_to_list", [user.id], { first: 0, after: all!.endCursor });
    assert.is(zero!.hasNextPage, false);
  });

  it("edges: a cursor whose row was deleted continues right after it", async (kvetch) => {
    const user = await kvetch.createObject("User", { username: "di" });
    const todos = await kvetch.createObjects(Array.from({ length: 5 }, (_, i) => ({ type: "Todo", data: { n: i } })));
    for (const todo of todos) await kvetch.insertEdge("likes", user.id, todo.id);
    const [page] = await kvetch.getEdges("likes", [user.id], { first: 2 });
    assert.is(await kvetch.deleteEdge("likes", user.id, todos[1]!.id), true);
    const [next] = await kvetch.getEdges("likes", [user.id], { first: 2, after: page!.endCursor });
    assert.equal(toIds(next!), [todos[2]!.id, todos[3]!.id]);
    assert.is(next!.hasNextPage, true);
    // a derived edge's cursor row disappearing (its child moved away) works the same way
    const { user: owner, lists } = await userWithLists(kvetch, "dj", 3);
    const [first] = await kvetch.getEdges("user_to_list", [owner.id], { first: 1 });
    await kvetch.updateObject("TodoList", lists[0]!.id, { userId: null });
    const [rest] = await kvetch.getEdges("user_to_list", [owner.id], { after: first!.endCursor });
    assert.equal(toIds(rest!), [lists[1]!.id, lists[2]!.id]);
  });

  it("edges: after is one cursor for every parent, or an array aligned with fromIds", async (kvetch) => {
    const a = await userWithLists(kvetch, "ea", 3);
    const b = await userWithLists(kvetch, "eb", 3);
    const [pageA] = await kvetch.getEdges("user_to_list", [a.user.id], { first: 1 });
    const aligned = await kvetch.getEdges("user_to_list", [a.user.id, b.user.id], { after: [pageA!.endCursor, null] });
    assert.equal(toIds(aligned[0]!), [a.lists[1]!.id, a.lists[2]!.id]);
    assert.equal(toIds(aligned[1]!), b.lists.map((l) => l.id));
    // one cursor for both: B's edges were created after A's, so A's cursor skips none of B's
    const shared = await kvetch.getEdges("user_to_list", [a.user.id, b.user.id], { after: pageA!.endCursor });
    assert.equal(toIds(shared[0]!), [a.lists[1]!.id, a.lists[2]!.id]);
    assert.equal(toIds(shared[1]!), b.lists.map((l) => l.id));
    await rejects(kvetch.getEdges("user_to_list", [a.user.id, b.user.id], { after: [null] }), "BAD_ARGUMENT", /after has 1 cursors for 2 keys/);
  });

  it("edges: duplicate parents are read once and share the page", async (kvetch) => {
    const { user } = await userWithLists(kvetch, "fa", 2);
    kvetch.resetCounters();
    const pages = await kvetch.getEdges("user_to_list", [user.id, user.id, user.id], { first: 5, verify: false });
    assert.is(pages.length, 3);
    assert.is(pages[0], pages[2]);
    assert.is(total(kvetch.counters.shardQueries), 1);
    assert.is(kvetch.counters.rowsFetched, 2);
  });

  it("edges: 60 parents over 4 shards cost one query per shard; verify adds one object query per shard", async (kvetch) => {
    const users = await kvetch.createObjects(Array.from({ length: 60 }, (_, i) => ({ type: "User", data: { username: `u${i}` } })));
    const lists: { type: string; data: Record<string, unknown> }[] = [];
    for (const user of users) for (let j = 0; j < 3; j++) lists.push({ type: "TodoList", data: { userId: user.id, j } });
    const created = await kvetch.createObjects(lists);
    const parents = users.map((u) => u.id);
    const parentShards = shardsOf(kvetch, parents);
    assert.is(parentShards.size, 4, "60 random parents land on all 4 shards");

    kvetch.resetCounters();
    const raw = await kvetch.getEdges("user_to_list", parents, { first: 2, verify: false });
    assert.is(kvetch.counters.calls, 1);
    assert.equal(kvetch.counters.shardQueries, [1, 1, 1, 1], "verify:false: one edge query per shard, nothing else");
    assert.is(kvetch.counters.rowsFetched, 180, "first + 1 = 3 edge rows per parent, no object rows");
    for (let i = 0; i < 60; i++) {
      assert.equal(toIds(raw[i]!), [created[3 * i]!.id, created[3 * i + 1]!.id]);
      assert.is(raw[i]!.hasNextPage, true);
    }

    const fresh = await kvetch.createObject("User", { username: "fresh" });
    const otherParents = [...parents.slice(30), fresh.id];
    kvetch.resetCounters();
    const verified = await kvetch.getEdges("user_to_list", otherParents, { first: 2 });
    assert.is(kvetch.counters.calls, 1);
    for (const n of kvetch.counters.shardQueries) assert.ok(n <= 2, `per shard: ${kvetch.counters.shardQueries}`);
    assert.ok(total(kvetch.counters.shardQueries) <= 8);
    assert.equal(verified.slice(0, 30).map(toIds), raw.slice(30).map(toIds));
    assert.equal(verified[30], { edges: [], hasNextPage: false, endCursor: null });
  });

  it("edge targets: getEdgeTargets gives getEdges' target ids, hasNextPage and endCursor, page for page", async (kvetch) => {
    const a = await userWithLists(kvetch, "ta", 4);
    const b = await userWithLists(kvetch, "tb", 2);
    const empty = await kvetch.createObject("User", { username: "tc" });
    const parents = [a.user.id, b.user.id, empty.id, a.user.id.toUpperCase()];
    const [firstOfA] = await kvetch.getEdges("user_to_list", [a.user.id], { first: 1 });
    const cases = [{}, { first: 0 }, { first: 1 }, { first: 3 }, { first: 2, verify: false }, { after: firstOfA!.endCursor }, { first: 2, after: [firstOfA!.endCursor, null, null, null] }];
    for (const options of cases) {
      const edges = await kvetch.getEdges("user_to_list", parents, options);
      kvetch.resetCounters();
      const targets = await kvetch.getEdgeTargets("user_to_list", parents, options);
      assert.is(kvetch.counters.calls, 1);
      assert.equal(
        targets,
        edges.map((page) => ({ edges: toIds(page), hasNextPage: page.hasNextPage, endCursor: page.endCursor })),
        `options ${JSON.stringify(options)}`,
      );
    }
    // A stored edge: nothing to re-check, so (without a cache) the pages come straight off the shards' rows.
    const todos = await kvetch.createObjects(Array.from({ length: 4 }, (_, i) => ({ type: "Todo", data: { n: i } })));
    for (const todo of todos) await kvetch.insertEdge("likes", a.user.id, todo.id, { why: todo.id });
    const [likedFirst] = await kvetch.getEdges("likes", [a.user.id], { first: 1 });
    for (const options of [{}, { first: 0 }, { first: 3 }, { after: likedFirst!.endCursor }, { first: 2, verify: false }]) {
      const edges = await kvetch.getEdges("likes", [a.user.id, b.user.id, a.user.id], options);
      const targets = await kvetch.getEdgeTargets("likes", [a.user.id, b.user.id, a.user.id], options);
      assert.equal(targets, edges.map((page) => ({ edges: toIds(page), hasNextPage: page.hasNextPage, endCursor: page.endCursor })), `likes, options ${JSON.stringify(options)}`);
    }
    const [lists] = await kvetch.getEdgeTargets("user_to_list", [a.user.id], { first: 2, endCursor: false });
    assert.equal(lists, { edges: [a.lists[0]!.id, a.lists[1]!.id], hasNextPage: true, endCursor: null });
    await rejects(kvetch.getEdgeTargets("user_to_list", [a.user.id, "nope"]), "BAD_ID", /"nope" is not a UUID .* in getEdgeTargets fromIds\[1\]/);
    await rejects(kvetch.getEdgeTargets("friends", [a.user.id]), "UNKNOWN_NAME", /getEdgeTargets: unknown edge "friends"/);
    await rejects(kvetch.getEdgeTargets("user_to_list", [a.user.id], { first: -1 }), "BAD_ARGUMENT", /getEdgeTargets first must be a non-negative integer or null, got -1/);
  });

  it("edges and objects: more than 1000 keys on one shard are split into queries of at most 1000", async (kvetch) => {
    const ids = Array.from({ length: 4100 }, () => newId());
    const perShard = [0, 0, 0, 0];
    for (const id of ids) perShard[kvetch.shardOf(id)]!++;
    const expected = perShard.map((n) => Math.ceil(n / 1000));
    assert.ok(expected.some((n) => n > 1), `per shard: ${perShard}`);
    kvetch.resetCounters();
    const pages = await kvetch.getEdges("likes", ids, { first: 1 });
    assert.equal(kvetch.counters.shardQueries, expected);
    assert.is(pages.filter((p) => p.edges.length === 0 && !p.hasNextPage).length, 4100);
    kvetch.resetCounters();
    const objects = await kvetch.getObjects(ids);
    assert.equal(kvetch.counters.shardQueries, expected);
    assert.is(objects.filter((o) => o === null).length, 4100);
    kvetch.resetCounters();
    assert.equal(await kvetch.countEdges("likes", ids.slice(0, 3)), [0, 0, 0]);
  });

  it("counts: countEdges follows inserts, idempotent re-inserts, deletes and moves", async (kvetch) => {
    const { user, lists } = await userWithLists(kvetch, "ga", 3);
    const other = await kvetch.createObject("User", { username: "gb" });
    assert.equal(await kvetch.countEdges("user_to_list", [user.id, other.id, user.id]), [3, 0, 3]);
    await kvetch.updateObject("TodoList", lists[0]!.id, { userId: other.id });
    assert.equal(await kvetch.countEdges("user_to_list", [user.id, other.id]), [2, 1]);
    await kvetch.updateObject("TodoList", lists[0]!.id, { title: "renamed" });
    assert.equal(await kvetch.countEdges("user_to_list", [user.id, other.id]), [2, 1]);
    await kvetch.deleteObject(lists[1]!.id);
    assert.equal(await kvetch.countEdges("user_to_list", [user.id, other.id]), [1, 1]);
    const todo = await kvetch.createObject("Todo", { n: 1 });
    assert.is(await kvetch.insertEdge("likes", user.id, todo.id), true);
    assert.is(await kvetch.insertEdge("likes", user.id, todo.id), false);
    assert.equal(await kvetch.countEdges("likes", [user.id]), [1]);
    assert.is(await kvetch.deleteEdge("likes", user.id, todo.id), true);
    assert.is(await kvetch.deleteEdge("likes", user.id, todo.id), false);
    assert.equal(await kvetch.countEdges("likes", [user.id]), [0]);
  });

  // ---- stored edges ----

  it("stored edges: inserting again keeps the position and takes the new data", async (kvetch) => {
    const user = await kvetch.createObject("User", { username: "ha" });
    const todos = await kvetch.createObjects([1, 2].map((n) => ({ type: "Todo", data: { n } })));
    await kvetch.insertEdges("likes", todos.map((t) => ({ fromId: user.id, toId: t.id, data: { stars: 1 } })));
    assert.is(await kvetch.insertEdge("likes", user.id, todos[0]!.id, { stars: 5 }), false);
    const [page] = await kvetch.getEdges("likes", [user.id]);
    assert.equal(toIds(page!), todos.map((t) => t.id));
    assert.equal(page!.edges.map((e) => e.data), [{ stars: 5 }, { stars: 1 }]);
  });

  it("stored edges: writing a derived edge is refused with the attribute to set", async (kvetch) => {
    const { user, lists } = await userWithLists(kvetch, "hb", 1);
    await rejects(
      kvetch.insertEdge("user_to_list", user.id, lists[0]!.id),
      "DERIVED_EDGE",
      /insertEdge: edge "user_to_list" is derived from TodoList\.data\.userId; set or clear that attribute with updateObject/,
    );
    await rejects(kvetch.deleteEdge("user_to_list", user.id, lists[0]!.id), "DERIVED_EDGE", /deleteEdge: edge "user_to_list" is derived/);
  });

  // ---- indexes ----

  it("index: queryIndex gives one page per value in input order; null and unknown values are empty", async (kvetch) => {
    const alice = await kvetch.createObject("User", { username: "alice" });
    const bob = await kvetch.createObject("User", { username: "bob" });
    const todos = await kvetch.createObjects(Array.from({ length: 5 }, (_, i) => ({ type: "Todo", data: { status: i % 2 ? "done" : "open" } })));
    kvetch.resetCounters();
    const pages = await kvetch.queryIndex("username", ["bob", "carol", null, "alice", "bob"]);
    assert.equal(pages.map((p) => p.edges.map((e) => e.targetId)), [[bob.id], [], [], [alice.id], [bob.id]]);
    assert.is(kvetch.counters.calls, 1);
    const open = await kvetch.queryIndex("todo_status", ["open"], { first: 2 });
    assert.equal(open[0]!.edges.map((e) => e.targetId), [todos[0]!.id, todos[2]!.id]);
    assert.is(open[0]!.hasNextPage, true);
    const rest = await kvetch.queryIndex("todo_status", ["open"], { first: 2, after: open[0]!.endCursor });
    assert.equal(rest[0]!.edges.map((e) => e.targetId), [todos[4]!.id]);
    assert.is(rest[0]!.hasNextPage, false);
    const [none] = await kvetch.queryIndex("todo_status", [1]);
    assert.equal(none, { edges: [], hasNextPage: false, endCursor: null });
  });

  it("index: verify:false reads only index rows, one query per shard holding a value", async (kvetch) => {
    const names = Array.from({ length: 12 }, (_, i) => `name${i}`);
    await kvetch.createObjects(names.map((username) => ({ type: "User", data: { username } })));
    kvetch.resetCounters();
    const pages = await kvetch.queryIndex("username", names, { verify: false });
    assert.is(pages.filter((p) => p.edges.length === 1).length, 12);
    assert.is(kvetch.counters.calls, 1);
    assert.is(kvetch.counters.rowsFetched, 12);
    for (const n of kvetch.counters.shardQueries) assert.ok(n <= 1);
  });

  it("index: changing the indexed value moves the entry; an unrelated change writes no derived row", async (kvetch) => {
    const user = await kvetch.createObject("User", { username: "old", bio: "x" });
    await kvetch.updateObject("User", user.id, { username: "new" });
    const [old, renamed] = await kvetch.queryIndex("username", ["old", "new"], { verify: false });
    assert.equal(old!.edges, []);
    assert.equal(renamed!.edges.map((e) => e.targetId), [user.id]);
    kvetch.resetCounters();
    await kvetch.updateObject("User", user.id, { bio: "y" });
    assert.is(total(kvetch.counters.shardQueries), 2, "read the current row, compare-and-set it; nothing derived");
    assert.is((await rowTotals(kvetch)).indexEntries, 1);
  });

  // ---- derived edges ----

  it("derived: changing the stored id moves the edge between parents", async (kvetch) => {
    const a = await userWithLists(kvetch, "ia", 2);
    const b = await userWithLists(kvetch, "ib", 1);
    const moved = await kvetch.updateObject("TodoList", a.lists[0]!.id, { userId: b.user.id });
    assert.is(moved.data.userId, b.user.id);
    const [pageA, pageB] = await kvetch.getEdges("user_to_list", [a.user.id, b.user.id], { verify: false });
    assert.equal(toIds(pageA!), [a.lists[1]!.id]);
    assert.equal(toIds(pageB!), [b.lists[0]!.id, a.lists[0]!.id], "a moved edge joins the end of its new list");
    assert.is((await rowTotals(kvetch)).edges, 3);
  });

  it("derived: deleting an object removes its derived edges and index entries", async (kvetch) => {
    const { user, lists } = await userWithLists(kvetch, "ja", 2);
    const todo = await kvetch.createObject("Todo", { listId: lists[0]!.id, status: "open" });
    assert.equal(await rowTotals(kvetch), { objects: 4, edges: 3, indexEntries: 2 });
    assert.is(await kvetch.deleteObject(todo.id), true);
    assert.is(await kvetch.deleteObject(user.id), true);
    assert.equal(await rowTotals(kvetch), { objects: 2, edges: 2, indexEntries: 0 });
    assert.equal(await kvetch.countEdges("list_to_todo", [lists[0]!.id]), [0]);
    // the user is gone but its lists still name it: their edges stay (they are implied by the lists)
    assert.equal(await kvetch.countEdges("user_to_list", [user.id]), [2]);
  });

  it("derived: a stored id that is not a UUID is refused before anything is written", async (kvetch) => {
    await rejects(
      kvetch.createObjects([
        { type: "User", data: { username: "ka" } },
        { type: "TodoList", data: { userId: "not-an-id" } },
      ]),
      "BAD_DATA",
      /createObjects items\[1\]: TodoList\.data\.userId must be a UUID string or null \(it is the parent id of derived edge "user_to_list"\), got "not-an-id"/,
    );
    assert.equal(await rowTotals(kvetch), { objects: 0, edges: 0, indexEntries: 0 });
  });

}
