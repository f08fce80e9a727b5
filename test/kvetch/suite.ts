// The Kvetch contract as one test suite, run against every backend (memory here in test/kvetch, MySQL and
// MySQL + Redis in test/integration). Tests assert round trips and row counts, never times.
// A fixture hands out a store whose shards and cache are empty and whose counters are zero.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, newId } from "../../src/kvetch/index.js";
import type { KvetchObject, KvetchPage, KvetchEdge } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";

export interface KvetchFixture {
  /** A store over empty shards (and an empty cache), counters at zero. */
  fresh(): Promise<Kvetch>;
  close(): Promise<void>;
}

function total(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

function shardsOf(kvetch: Kvetch, ids: readonly string[]): Set<number> {
  return new Set(ids.map((id) => kvetch.shardOf(id)));
}

function toIds(page: KvetchPage<KvetchEdge>): string[] {
  return page.edges.map((edge) => edge.toId);
}

async function rejects(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, KvetchError, `expected a KvetchError, got ${String(error)}`);
    assert.is((error as KvetchError).code, code, (error as Error).message);
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a ${code} error matching ${pattern}`);
}

/** A user with `lists` todo lists (derived edge user_to_list), lists in creation order. */
async function userWithLists(kvetch: Kvetch, name: string, lists: number): Promise<{ user: KvetchObject; lists: KvetchObject[] }> {
  const user = await kvetch.createObject("User", { username: name });
  const created: KvetchObject[] = [];
  for (let i = 0; i < lists; i++) created.push(await kvetch.createObject("TodoList", { userId: user.id, title: `${name} ${i}` }));
  return { user, lists: created };
}

async function rowTotals(kvetch: Kvetch): Promise<{ objects: number; edges: number; indexEntries: number }> {
  const stats = await kvetch.stats();
  return {
    objects: total(stats.map((s) => s.objects)),
    edges: total(stats.map((s) => s.edges)),
    indexEntries: total(stats.map((s) => s.indexEntries)),
  };
}

export function kvetchSuite(name: string, openFixture: () => Promise<KvetchFixture>): void {
  const it = suite<{ fixture: KvetchFixture; kvetch: Kvetch }>(name, {} as { fixture: KvetchFixture; kvetch: Kvetch });

  it.before(async (context) => {
    context.fixture = await openFixture();
  });
  it.before.each(async (context) => {
    context.kvetch = await context.fixture.fresh();
  });
  it.after(async (context) => {
    await context.fixture.close();
  });

  // ---- objects ----

  it("objects: create then get returns the data, version 1, the type's name and id", async ({ kvetch }) => {
    const created = await kvetch.createObject("User", { username: "alice", age: 30, tags: ["a", "b"] });
    assert.is(created.type, "User");
    assert.is(created.typeId, 1);
    assert.is(created.version, 1);
    assert.is(created.created, created.updated);
    const [read] = await kvetch.getObjects([created.id]);
    assert.equal(read, created);
  });

  it("objects: getObjects keeps input order, gives null for misses, reads duplicates once", async ({ kvetch }) => {
    const made = await kvetch.createObjects(Array.from({ length: 8 }, (_, i) => ({ type: "Todo", data: { n: i } })));
    const ids = made.map((o) => o.id);
    const missing = "01890a5d-ac96-774b-bcce-b302099a8057";
    kvetch.resetCounters();
    const read = await kvetch.getObjects([ids[3]!, missing, ids[0]!, ids[3]!, ...ids]);
    assert.is(read.length, 12);
    assert.is(read[0]!.id, ids[3]);
    assert.is(read[1], null);
    assert.is(read[2]!.id, ids[0]);
    assert.is(read[3]!.id, ids[3]);
    for (let i = 0; i < 8; i++) assert.equal(read[4 + i]!.data, { n: i });
    assert.is(kvetch.counters.calls, 1);
    assert.is(kvetch.counters.rowsFetched, 8, "each distinct existing object fetched once");
    const shards = shardsOf(kvetch, [...ids, missing]);
    assert.is(total(kvetch.counters.shardQueries), shards.size, "one query per shard holding a requested id");
    for (const n of kvetch.counters.shardQueries) assert.ok(n <= 1);
  });

  it("objects: updateObject merges shallowly, bumps the version, sets updated; undefined removes a key", async ({ kvetch }) => {
    const created = await kvetch.createObject("Todo", { title: "write", done: false, meta: { a: 1 }, extra: 1 });
    const updated = await kvetch.updateObject(created.id, { done: true, meta: { b: 2 }, extra: undefined });
    assert.equal(updated.data, { title: "write", done: true, meta: { b: 2 } });
    assert.is(updated.version, 2);
    assert.ok(updated.updated >= created.updated);
    assert.is(updated.created, created.created);
    const again = await kvetch.updateObject(created.id, {});
    assert.is(again.version, 3);
    assert.equal((await kvetch.getObject(created.id))!.data, { title: "write", done: true, meta: { b: 2 } });
    assert.is((await kvetch.getObject(created.id))!.version, 3);
  });

  it("objects: updating a missing object fails and writes nothing", async ({ kvetch }) => {
    const existing = await kvetch.createObject("Todo", { n: 1 });
    const missing = "01890a5d-ac96-774b-bcce-b302099a8057";
    await rejects(
      kvetch.updateObjects([
        { id: existing.id, patch: { n: 2 } },
        { id: missing, patch: { n: 3 } },
      ]),
      "NOT_FOUND",
      /updateObjects items\[1\]: no object with id 01890a5d-ac96-774b-bcce-b302099a8057 \(shard \d/,
    );
    assert.equal((await kvetch.getObject(existing.id))!.data, { n: 1 });
  });

  it("objects: several patches for one id in one batch are merged in order into one update", async ({ kvetch }) => {
    const { user, lists } = await userWithLists(kvetch, "ma", 1);
    const b = await kvetch.createObject("User", { username: "mb" });
    const c = await kvetch.createObject("User", { username: "mc" });
    const list = lists[0]!;
    const [first, second] = await kvetch.updateObjects([
      { id: list.id, patch: { userId: b.id, x: 1, title: undefined } },
      { id: list.id, patch: { userId: c.id, y: 2 } },
    ]);
    assert.equal(first, second);
    assert.equal(second!.data, { userId: c.id, x: 1, y: 2 });
    assert.is(second!.version, 2);
    assert.equal(await kvetch.countEdges("user_to_list", [user.id, b.id, c.id]), [0, 0, 1]);
    assert.equal(await rowTotals(kvetch), { objects: 4, edges: 1, indexEntries: 3 });
  });

  it("objects: deleteObject removes it and says whether it existed", async ({ kvetch }) => {
    const created = await kvetch.createObject("Todo", { title: "x" });
    assert.is(await kvetch.deleteObject(created.id), true);
    assert.is(await kvetch.getObject(created.id), null);
    assert.is(await kvetch.deleteObject(created.id), false);
    assert.equal(await kvetch.deleteObjects([created.id, created.id]), [false, false]);
  });

  it("objects: data going in and coming out are copies", async ({ kvetch }) => {
    const data = { title: "x", nested: { list: [1, 2] } };
    const created = await kvetch.createObject("Todo", data);
    data.nested.list.push(3);
    created.data.title = "changed";
    const [first] = await kvetch.getObjects([created.id]);
    assert.equal(first!.data, { title: "x", nested: { list: [1, 2] } });
    (first!.data.nested as { list: number[] }).list.push(4);
    const [second] = await kvetch.getObjects([created.id]);
    assert.equal(second!.data, { title: "x", nested: { list: [1, 2] } });
  });

  it("objects: createObjects writes one canonical round trip per shard", async ({ kvetch }) => {
    const made = await kvetch.createObjects(Array.from({ length: 40 }, (_, i) => ({ type: "Todo", data: { n: i } })));
    const shards = shardsOf(kvetch, made.map((o) => o.id));
    assert.is(kvetch.counters.calls, 1);
    assert.is(total(kvetch.counters.shardQueries), shards.size, "Todos without listId/status imply no derived rows");
    assert.is((await rowTotals(kvetch)).objects, 40);
  });

  // ---- edge pages ----

  it("edges: an empty list is an empty page without a next page", async ({ kvetch }) => {
    const user = await kvetch.createObject("User", { username: "nobody" });
    for (const first of [undefined, 0, 1]) {
      const [page] = await kvetch.getEdges("user_to_list", [user.id], { first });
      assert.equal(page, { edges: [], hasNextPage: false, endCursor: null });
    }
  });

  it("edges: first 0 is empty with hasNextPage when edges exist; first 1 gives the first edge", async ({ kvetch }) => {
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

  it("edges: paging with cursors returns every edge once, in insertion order", async ({ kvetch }) => {
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

  it("edges: a cursor at the end gives an empty page without a next page", async ({ kvetch }) => {
    const { user } = await userWithLists(kvetch, "cy", 2);
    const [all] = await kvetch.getEdges("user_to_list", [user.id]);
    const [after] = await kvetch.getEdges("user_to_list", [user.id], { first: 5, after: all!.endCursor });
    assert.equal(after, { edges: [], hasNextPage: false, endCursor: null });
    const [zero] = await kvetch.getEdges("user_to_list", [user.id], { first: 0, after: all!.endCursor });
    assert.is(zero!.hasNextPage, false);
  });

  it("edges: a cursor whose row was deleted continues right after it", async ({ kvetch }) => {
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
    await kvetch.updateObject(lists[0]!.id, { userId: null });
    const [rest] = await kvetch.getEdges("user_to_list", [owner.id], { after: first!.endCursor });
    assert.equal(toIds(rest!), [lists[1]!.id, lists[2]!.id]);
  });

  it("edges: after is one cursor for every parent, or an array aligned with fromIds", async ({ kvetch }) => {
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

  it("edges: duplicate parents are read once and share the page", async ({ kvetch }) => {
    const { user } = await userWithLists(kvetch, "fa", 2);
    kvetch.resetCounters();
    const pages = await kvetch.getEdges("user_to_list", [user.id, user.id, user.id], { first: 5, verify: false });
    assert.is(pages.length, 3);
    assert.is(pages[0], pages[2]);
    assert.is(total(kvetch.counters.shardQueries), 1);
    assert.is(kvetch.counters.rowsFetched, 2);
  });

  it("edges: 60 parents over 4 shards cost one query per shard; verify adds one object query per shard", async ({ kvetch }) => {
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

  it("edges and objects: more than 1000 keys on one shard are split into queries of at most 1000", async ({ kvetch }) => {
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

  it("counts: countEdges follows inserts, idempotent re-inserts, deletes and moves", async ({ kvetch }) => {
    const { user, lists } = await userWithLists(kvetch, "ga", 3);
    const other = await kvetch.createObject("User", { username: "gb" });
    assert.equal(await kvetch.countEdges("user_to_list", [user.id, other.id, user.id]), [3, 0, 3]);
    await kvetch.updateObject(lists[0]!.id, { userId: other.id });
    assert.equal(await kvetch.countEdges("user_to_list", [user.id, other.id]), [2, 1]);
    await kvetch.updateObject(lists[0]!.id, { title: "renamed" });
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

  it("stored edges: inserting again keeps the position and takes the new data", async ({ kvetch }) => {
    const user = await kvetch.createObject("User", { username: "ha" });
    const todos = await kvetch.createObjects([1, 2].map((n) => ({ type: "Todo", data: { n } })));
    await kvetch.insertEdges("likes", todos.map((t) => ({ fromId: user.id, toId: t.id, data: { stars: 1 } })));
    assert.is(await kvetch.insertEdge("likes", user.id, todos[0]!.id, { stars: 5 }), false);
    const [page] = await kvetch.getEdges("likes", [user.id]);
    assert.equal(toIds(page!), todos.map((t) => t.id));
    assert.equal(page!.edges.map((e) => e.data), [{ stars: 5 }, { stars: 1 }]);
  });

  it("stored edges: writing a derived edge is refused with the attribute to set", async ({ kvetch }) => {
    const { user, lists } = await userWithLists(kvetch, "hb", 1);
    await rejects(
      kvetch.insertEdge("user_to_list", user.id, lists[0]!.id),
      "DERIVED_EDGE",
      /insertEdge: edge "user_to_list" is derived from TodoList\.data\.userId; set or clear that attribute with updateObject/,
    );
    await rejects(kvetch.deleteEdge("user_to_list", user.id, lists[0]!.id), "DERIVED_EDGE", /deleteEdge: edge "user_to_list" is derived/);
  });

  // ---- indexes ----

  it("index: queryIndex gives one page per value in input order; null and unknown values are empty", async ({ kvetch }) => {
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

  it("index: verify:false reads only index rows, one query per shard holding a value", async ({ kvetch }) => {
    const names = Array.from({ length: 12 }, (_, i) => `name${i}`);
    await kvetch.createObjects(names.map((username) => ({ type: "User", data: { username } })));
    kvetch.resetCounters();
    const pages = await kvetch.queryIndex("username", names, { verify: false });
    assert.is(pages.filter((p) => p.edges.length === 1).length, 12);
    assert.is(kvetch.counters.calls, 1);
    assert.is(kvetch.counters.rowsFetched, 12);
    for (const n of kvetch.counters.shardQueries) assert.ok(n <= 1);
  });

  it("index: changing the indexed value moves the entry; an unrelated change writes no derived row", async ({ kvetch }) => {
    const user = await kvetch.createObject("User", { username: "old", bio: "x" });
    await kvetch.updateObject(user.id, { username: "new" });
    const [old, renamed] = await kvetch.queryIndex("username", ["old", "new"], { verify: false });
    assert.equal(old!.edges, []);
    assert.equal(renamed!.edges.map((e) => e.targetId), [user.id]);
    kvetch.resetCounters();
    await kvetch.updateObject(user.id, { bio: "y" });
    assert.is(total(kvetch.counters.shardQueries), 2, "read the current row, compare-and-set it; nothing derived");
    assert.is((await rowTotals(kvetch)).indexEntries, 1);
  });

  // ---- derived edges ----

  it("derived: changing the stored id moves the edge between parents", async ({ kvetch }) => {
    const a = await userWithLists(kvetch, "ia", 2);
    const b = await userWithLists(kvetch, "ib", 1);
    const moved = await kvetch.updateObject(a.lists[0]!.id, { userId: b.user.id });
    assert.is(moved.data.userId, b.user.id);
    const [pageA, pageB] = await kvetch.getEdges("user_to_list", [a.user.id, b.user.id], { verify: false });
    assert.equal(toIds(pageA!), [a.lists[1]!.id]);
    assert.equal(toIds(pageB!), [b.lists[0]!.id, a.lists[0]!.id], "a moved edge joins the end of its new list");
    assert.is((await rowTotals(kvetch)).edges, 3);
  });

  it("derived: deleting an object removes its derived edges and index entries", async ({ kvetch }) => {
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

  it("derived: a stored id that is not a UUID is refused before anything is written", async ({ kvetch }) => {
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

  // ---- bad input ----

  it("bad input: unknown names list the valid ones and touch no shard", async ({ kvetch }) => {
    const id = (await kvetch.createObject("User", { username: "la" })).id;
    kvetch.resetCounters();
    await rejects(kvetch.createObject("Usr", {}), "UNKNOWN_NAME", /createObject: unknown object type "Usr"; the schema defines "User", "TodoList", "Todo"/);
    await rejects(kvetch.getEdges("friends", [id]), "UNKNOWN_NAME", /getEdges: unknown edge "friends"; the schema defines "user_to_list", "list_to_todo", "likes"/);
    await rejects(kvetch.countEdges("friends", [id]), "UNKNOWN_NAME", /countEdges: unknown edge "friends"/);
    await rejects(kvetch.insertEdge("friends", id, id), "UNKNOWN_NAME", /insertEdge: unknown edge "friends"/);
    await rejects(kvetch.queryIndex("email", ["x"]), "UNKNOWN_NAME", /queryIndex: unknown index "email"; the schema defines "username", "todo_status"/);
    assert.equal(kvetch.counters.shardQueries, [0, 0, 0, 0]);
  });

  it("bad input: malformed ids and cursors name the call and the position", async ({ kvetch }) => {
    const id = (await kvetch.createObject("User", { username: "ma" })).id;
    kvetch.resetCounters();
    await rejects(kvetch.getObjects([id, id, id, "abc"]), "BAD_ID", /^Kvetch: "abc" is not a UUID \(expected 8-4-4-4-12 hex\) in getObjects ids\[3\]$/);
    await rejects(kvetch.getEdges("user_to_list", [id, 42 as unknown as string]), "BAD_ID", /42 \(number\) is not a UUID .* in getEdges fromIds\[1\]/);
    await rejects(kvetch.updateObject("x", {}), "BAD_ID", /"x" is not a UUID .* in updateObject id/);
    await rejects(kvetch.deleteObjects([id, "nope"]), "BAD_ID", /in deleteObjects ids\[1\]/);
    await rejects(kvetch.insertEdge("likes", id, "bad"), "BAD_ID", /in insertEdge toId/);
    await rejects(kvetch.getEdges("user_to_list", [id, id], { after: [null, "garbage"] }), "BAD_CURSOR", /"garbage" is not a Kvetch cursor .* in getEdges after\[1\]/);
    await rejects(kvetch.getEdges("user_to_list", [id], { first: -1 }), "BAD_ARGUMENT", /getEdges first must be a non-negative integer or null, got -1/);
    await rejects(kvetch.queryIndex("username", ["x"], { first: 1.5 }), "BAD_ARGUMENT", /queryIndex first must be a non-negative integer/);
    assert.equal(kvetch.counters.shardQueries, [0, 0, 0, 0]);
  });

  it("bad input: data that is not a JSON object writes nothing, not even the valid items of the batch", async ({ kvetch }) => {
    const cycle: Record<string, unknown> = {};
    cycle.me = cycle;
    const bad: [unknown, RegExp][] = [
      [{ f: () => 1 }, /createObjects items\[2\] data\.f is a function/],
      [{ big: 1n }, /createObjects items\[2\] data\.big is a BigInt/],
      [cycle, /createObjects items\[2\] data\.me refers back to one of its own ancestors/],
      ["text", /createObjects items\[2\] data must be a plain JSON object, got "text"/],
      [[1, 2], /createObjects items\[2\] data must be a plain JSON object, got an array/],
    ];
    for (const [data, pattern] of bad) {
      await rejects(
        kvetch.createObjects([
          { type: "User", data: { username: "na" } },
          { type: "Todo", data: { n: 1 } },
          { type: "Todo", data: data as Record<string, unknown> },
        ]),
        "BAD_DATA",
        pattern,
      );
    }
    const user = await kvetch.createObject("User", { username: "nb" });
    await rejects(kvetch.updateObject(user.id, { when: new Date(0) }), "BAD_DATA", /updateObject patch\.when is a Date/);
    await rejects(kvetch.insertEdge("likes", user.id, user.id, { n: 1n } as never), "BAD_DATA", /insertEdge data\.n is a BigInt/);
    assert.equal(await rowTotals(kvetch), { objects: 1, edges: 0, indexEntries: 1 });
    assert.equal((await kvetch.getObject(user.id))!.data, { username: "nb" });
  });

  it("bad input: values that look like SQL are stored verbatim and harmless", async ({ kvetch }) => {
    const evil = "x'); DROP TABLE objects; -- \\' \" ` ? Zoë 🎉 \u0000 end ";
    const user = await kvetch.createObject("User", { username: evil, [evil]: evil });
    const todo = await kvetch.createObject("Todo", { status: evil });
    await kvetch.insertEdge("likes", user.id, todo.id, { note: evil });
    assert.equal((await kvetch.getObject(user.id))!.data, { username: evil, [evil]: evil });
    const [byName] = await kvetch.queryIndex("username", [evil]);
    assert.equal(byName!.edges.map((e) => e.targetId), [user.id]);
    const [byStatus] = await kvetch.queryIndex("todo_status", [evil]);
    assert.equal(byStatus!.edges.map((e) => e.targetId), [todo.id]);
    const [likes] = await kvetch.getEdges("likes", [user.id]);
    assert.equal(likes!.edges[0]!.data, { note: evil });
    assert.equal(await rowTotals(kvetch), { objects: 2, edges: 1, indexEntries: 2 });
  });

  // ---- faults and repair ----

  it("fault: a create interrupted after its canonical row misses its derived rows until repair adds them", async ({ kvetch }) => {
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

  it("fault: an update interrupted after its canonical row leaves the old edge; reads drop it, repair moves it", async ({ kvetch }) => {
    const a = await userWithLists(kvetch, "oa", 2);
    const b = await kvetch.createObject("User", { username: "ob" });
    const moving = a.lists[0]!;
    kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
      throw new Error("crash after the canonical write");
    };
    await kvetch.updateObject(moving.id, { userId: b.id, title: "moved" }).then(
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

  it("fault: a delete interrupted after its canonical row leaves stale rows; reads drop them, repair removes them", async ({ kvetch }) => {
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

  it("verify: a page keeps reading past many stale rows until it has `first` rows", async ({ kvetch }) => {
    const a = await userWithLists(kvetch, "va", 8);
    const b = await kvetch.createObject("User", { username: "vb" });
    const todos = await kvetch.createObjects(Array.from({ length: 6 }, () => ({ type: "Todo", data: { status: "open" } })));
    kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
      throw new Error("crash");
    };
    for (const list of a.lists.slice(0, 5)) await kvetch.updateObject(list.id, { userId: b.id }).catch(() => undefined);
    for (const todo of todos.slice(0, 4)) await kvetch.updateObject(todo.id, { status: "done" }).catch(() => undefined);
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

  it("repair: stops at maxBatches with a checkpoint and resumes from it to the same totals", async ({ kvetch }) => {
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

  it("repair: a consistent store has nothing to fix", async ({ kvetch }) => {
    const { lists } = await userWithLists(kvetch, "pa", 2);
    await kvetch.createObject("Todo", { listId: lists[0]!.id, status: "open" });
    const report = await kvetch.repair();
    assert.equal(report, { scanned: 4, checked: 5, edgesAdded: 0, edgesRemoved: 0, indexAdded: 0, indexRemoved: 0, checkpoint: null });
  });

  it("stats: objects, edges and index entries per shard", async ({ kvetch }) => {
    const { user } = await userWithLists(kvetch, "qa", 2);
    const stats = await kvetch.stats();
    assert.is(stats.length, 4);
    assert.equal(stats.map((s) => s.shard), [0, 1, 2, 3]);
    assert.is(stats[kvetch.shardOf(user.id)]!.edges, 2, "edges live on their parent's shard");
    assert.equal(await rowTotals(kvetch), { objects: 3, edges: 2, indexEntries: 1 });
  });

  it.run();
}
