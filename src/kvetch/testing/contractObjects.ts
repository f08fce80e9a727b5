// The backend contract, part 1: objects (create, read, update, delete, copies, batching) and input the store
// refuses before any I/O. Asserts round trips and rows per shard, never times; never depends on a backend's kind.

import { assert, rejects, rowTotals, shardsOf, total, userWithLists } from "./contractHelpers.js";
import type { ContractTest } from "./contractHelpers.js";

export function objectContract(it: ContractTest): void {
  // ---- objects ----

  it("objects: create then get returns the data, version 1, the type's name and id", async (kvetch) => {
    const created = await kvetch.createObject("User", { username: "alice", age: 30, tags: ["a", "b"] });
    assert.is(created.type, "User");
    assert.is(created.typeId, 1);
    assert.is(created.version, 1);
    assert.is(created.created, created.updated);
    const [read] = await kvetch.getObjects([created.id]);
    assert.equal(read, created);
  });

  it("objects: getObjects keeps input order, gives null for misses, reads duplicates once", async (kvetch) => {
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

  it("objects: ids in upper or mixed case are the same ids; repeats in any case are read once", async (kvetch) => {
    const made = await kvetch.createObjects(Array.from({ length: 3 }, (_, i) => ({ type: "Todo", data: { n: i } })));
    const ids = made.map((o) => o.id);
    kvetch.resetCounters();
    const read = await kvetch.getObjects([ids[0]!.toUpperCase(), ids[0]!, ids[1]!, ids[1]!.toUpperCase(), ids[2]!]);
    assert.equal(read.map((o) => o!.id), [ids[0], ids[0], ids[1], ids[1], ids[2]], "canonical (lowercase) ids, aligned with the input");
    assert.is(read[0], read[1], "one object for both spellings");
    assert.is(kvetch.counters.rowsFetched, 3);
    assert.is(total(kvetch.counters.shardQueries), shardsOf(kvetch, ids).size);
    assert.equal(await kvetch.deleteObjects([ids[2]!.toUpperCase(), ids[2]!]), [true, true], "deleted once, reported for both");
    assert.equal(await kvetch.countEdges("likes", [ids[0]!, ids[0]!.toUpperCase()]), [0, 0]);
  });

  it("objects: updateObject merges shallowly, bumps the version, sets updated; undefined removes a key", async (kvetch) => {
    const created = await kvetch.createObject("Todo", { title: "write", done: false, meta: { a: 1 }, extra: 1 });
    const updated = await kvetch.updateObject("Todo", created.id, { done: true, meta: { b: 2 }, extra: undefined });
    assert.equal(updated.data, { title: "write", done: true, meta: { b: 2 } });
    assert.is(updated.version, 2);
    assert.ok(updated.updated >= created.updated);
    assert.is(updated.created, created.created);
    const again = await kvetch.updateObject("Todo", created.id, { title: "again" });
    assert.is(again.version, 3);
    assert.equal((await kvetch.getObject(created.id))!.data, { title: "again", done: true, meta: { b: 2 } });
    assert.is((await kvetch.getObject(created.id))!.version, 3);
  });

  it("objects: updating a missing object fails and writes nothing", async (kvetch) => {
    const existing = await kvetch.createObject("Todo", { n: 1 });
    const missing = "01890a5d-ac96-774b-bcce-b302099a8057";
    await rejects(
      kvetch.updateObjects([
        { type: "Todo", id: existing.id, patch: { n: 2 } },
        { type: "Todo", id: missing, patch: { n: 3 } },
      ]),
      "NOT_FOUND",
      /updateObjects items\[1\]: no Todo with id 01890a5d-ac96-774b-bcce-b302099a8057 \(.+\); nothing was written$/,
    );
    assert.equal((await kvetch.getObject(existing.id))!.data, { n: 1 });
  });

  it("objects: several patches for one id in one batch are merged in order into one update", async (kvetch) => {
    const { user, lists } = await userWithLists(kvetch, "ma", 1);
    const b = await kvetch.createObject("User", { username: "mb" });
    const c = await kvetch.createObject("User", { username: "mc" });
    const list = lists[0]!;
    const [first, second] = await kvetch.updateObjects([
      { type: "TodoList", id: list.id, patch: { userId: b.id, x: 1, title: undefined } },
      { type: "TodoList", id: list.id, patch: { userId: c.id, y: 2 } },
    ]);
    assert.equal(first, second);
    assert.equal(second!.data, { userId: c.id, x: 1, y: 2 });
    assert.is(second!.version, 2);
    assert.equal(await kvetch.countEdges("user_to_list", [user.id, b.id, c.id]), [0, 0, 1]);
    assert.equal(await rowTotals(kvetch), { objects: 4, edges: 1, indexEntries: 3 });
  });

  it("objects: deleteObject removes it and says whether it existed", async (kvetch) => {
    const created = await kvetch.createObject("Todo", { title: "x" });
    assert.is(await kvetch.deleteObject(created.id), true);
    assert.is(await kvetch.getObject(created.id), null);
    assert.is(await kvetch.deleteObject(created.id), false);
    assert.equal(await kvetch.deleteObjects([created.id, created.id]), [false, false]);
  });

  it("objects: data going in and coming out are copies", async (kvetch) => {
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

  it("objects: createObjects writes one canonical round trip per shard", async (kvetch) => {
    const made = await kvetch.createObjects(Array.from({ length: 40 }, (_, i) => ({ type: "Todo", data: { n: i } })));
    const shards = shardsOf(kvetch, made.map((o) => o.id));
    assert.is(kvetch.counters.calls, 1);
    assert.is(total(kvetch.counters.shardQueries), shards.size, "Todos without listId/status imply no derived rows");
    assert.is((await rowTotals(kvetch)).objects, 40);
  });


  // ---- bad input ----

  it("bad input: unknown names list the valid ones and touch no shard", async (kvetch) => {
    const id = (await kvetch.createObject("User", { username: "la" })).id;
    kvetch.resetCounters();
    await rejects(kvetch.createObject("Usr", {}), "UNKNOWN_NAME", /createObject: unknown object type "Usr"; the schema defines "User", "TodoList", "Todo"/);
    await rejects(kvetch.getEdges("friends", [id]), "UNKNOWN_NAME", /getEdges: unknown edge "friends"; the schema defines "user_to_list", "list_to_todo", "likes"/);
    await rejects(kvetch.countEdges("friends", [id]), "UNKNOWN_NAME", /countEdges: unknown edge "friends"/);
    await rejects(kvetch.insertEdge("friends", id, id), "UNKNOWN_NAME", /insertEdge: unknown edge "friends"/);
    await rejects(kvetch.queryIndex("email", ["x"]), "UNKNOWN_NAME", /queryIndex: unknown index "email"; the schema defines "username", "todo_status"/);
    assert.equal(kvetch.counters.shardQueries, [0, 0, 0, 0]);
  });

  it("bad input: malformed ids and cursors name the call and the position", async (kvetch) => {
    const id = (await kvetch.createObject("User", { username: "ma" })).id;
    kvetch.resetCounters();
    await rejects(kvetch.getObjects([id, id, id, "abc"]), "BAD_ID", /^Kvetch: "abc" is not a UUID \(expected 8-4-4-4-12 hex\) in getObjects ids\[3\]$/);
    await rejects(kvetch.getEdges("user_to_list", [id, 42 as unknown as string]), "BAD_ID", /42 \(number\) is not a UUID .* in getEdges fromIds\[1\]/);
    await rejects(kvetch.updateObject("Todo", "x", {}), "BAD_ID", /"x" is not a UUID .* in updateObject id/);
    await rejects(kvetch.deleteObjects([id, "nope"]), "BAD_ID", /in deleteObjects ids\[1\]/);
    await rejects(kvetch.insertEdge("likes", id, "bad"), "BAD_ID", /in insertEdge toId/);
    await rejects(kvetch.getEdges("user_to_list", [id, id], { after: [null, "garbage"] }), "BAD_CURSOR", /"garbage" is not a Kvetch cursor .* in getEdges after\[1\]/);
    await rejects(kvetch.getEdges("user_to_list", [id], { first: -1 }), "BAD_ARGUMENT", /getEdges first must be a non-negative integer or null, got -1/);
    await rejects(kvetch.queryIndex("username", ["x"], { first: 1.5 }), "BAD_ARGUMENT", /queryIndex first must be a non-negative integer/);
    assert.equal(kvetch.counters.shardQueries, [0, 0, 0, 0]);
  });

  it("bad input: data that is not a JSON object writes nothing, not even the valid items of the batch", async (kvetch) => {
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
    await rejects(kvetch.updateObject("User", user.id, { when: new Date(0) }), "BAD_DATA", /updateObject patch\.when is a Date/);
    await rejects(kvetch.insertEdge("likes", user.id, user.id, { n: 1n } as never), "BAD_DATA", /insertEdge data\.n is a BigInt/);
    assert.equal(await rowTotals(kvetch), { objects: 1, edges: 0, indexEntries: 1 });
    assert.equal((await kvetch.getObject(user.id))!.data, { username: "nb" });
  });

  it("bad input: values that look like SQL are stored verbatim and harmless", async (kvetch) => {
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

}
