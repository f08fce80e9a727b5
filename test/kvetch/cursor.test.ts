// Cursors: format (base64url of seq + id), round trip, ordering, malformed input.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { comparePosition, decodeCursor, encodeCursor, nextSeq } from "../../src/kvetch/cursor.js";
import { Kvetch, KvetchError, memoryBackend, newId } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";

test("cursor: 32 base64url characters of 8 seq bytes and 16 id bytes", () => {
  const cursor = encodeCursor(1, "00000000-0000-7000-8000-000000000001");
  assert.is(cursor, "AAAAAAAAAAEAAAAAAABwAIAAAAAAAAAB");
  assert.equal(decodeCursor(cursor, "x"), { seq: 1, id: "00000000-0000-7000-8000-000000000001" });
});

test("cursor: round trip of large sequences", () => {
  const id = newId();
  for (const seq of [0, 1, 2 ** 32, Date.now() * 1024, Number.MAX_SAFE_INTEGER]) {
    assert.equal(decodeCursor(encodeCursor(seq, id), "x"), { seq, id });
  }
});

test("cursor: malformed cursors name the argument", () => {
  assert.throws(() => decodeCursor("nope", "getEdges after[2]"), /"nope" is not a Kvetch cursor .* in getEdges after\[2\]/);
  assert.throws(() => decodeCursor(12, "getEdges after"), /12 \(number\) is not a Kvetch cursor/);
  assert.throws(() => decodeCursor("////////////////////////////////", "x"), /is not a Kvetch cursor/);
  assert.throws(() => decodeCursor("__________AAAAAAAAAAAAAAAAAAAAAA", "x"), /beyond 2\^53/);
});

test("comparePosition: seq first, then id", () => {
  assert.is(comparePosition(1, "b", 2, "a"), -1);
  assert.is(comparePosition(2, "a", 2, "b"), -1);
  assert.is(comparePosition(2, "b", 2, "b"), 0);
  assert.is(comparePosition(3, "a", 2, "z"), 1);
});

test("nextSeq: strictly increasing, ms * 1024 scale", () => {
  let last = nextSeq();
  assert.ok(Math.abs(last / 1024 - Date.now()) < 1000);
  for (let i = 0; i < 5000; i++) {
    const seq = nextSeq();
    assert.ok(seq > last);
    last = seq;
  }
});

/** A memory store with one user (`username`) owning three lists, and that user's first page of two lists. */
async function userWithLists(username: string) {
  const kvetch = new Kvetch({ schema: contractSchema, backend: memoryBackend({ shards: 4 }) });
  const user = await kvetch.createObject("User", { username });
  await kvetch.createObjects(Array.from({ length: 3 }, (_, i) => ({ type: "TodoList", data: { userId: user.id, name: `l${i}` } })));
  const [full] = await kvetch.getEdges("user_to_list", [user.id], { first: 2 });
  return { kvetch, user, full: full! };
}

/** `call` is refused with a KvetchError saying `message`. */
async function refused(call: () => Promise<unknown>, message: string): Promise<void> {
  try {
    await call();
    assert.unreachable(`refused: ${message}`);
  } catch (error) {
    assert.instance(error, KvetchError);
    assert.is((error as Error).message, message);
  }
}

test("cursors: false leaves each row's cursor empty and still encodes the page's endCursor", async () => {
  const { kvetch, user, full } = await userWithLists("cursors");
  const [bare] = await kvetch.getEdges("user_to_list", [user.id], { first: 2, cursors: false });
  assert.equal(bare!.edges.map((e) => e.cursor), ["", ""]);
  assert.equal(bare, { ...full, edges: full.edges.map((e) => ({ ...e, cursor: "" })) });
  assert.is(bare!.endCursor, full.edges[1]!.cursor);
  const [index] = await kvetch.queryIndex("username", ["cursors"], { cursors: false });
  assert.equal(index, { edges: [{ targetId: user.id, cursor: "" }], hasNextPage: false, endCursor: (await kvetch.queryIndex("username", ["cursors"]))[0]!.endCursor });
  await refused(() => kvetch.getEdges("user_to_list", [user.id], { cursors: "no" as unknown as boolean }), "Kvetch: getEdges cursors must be a boolean");
  await kvetch.close();
});

test("endCursor: false leaves the page's endCursor null and the rows' cursors as asked", async () => {
  const { kvetch, user, full } = await userWithLists("ends");
  const [noEnd] = await kvetch.getEdges("user_to_list", [user.id], { first: 2, endCursor: false });
  assert.equal(noEnd, { ...full, endCursor: null });
  const [neither] = await kvetch.getEdges("user_to_list", [user.id], { first: 2, cursors: false, endCursor: false });
  assert.equal(neither, { edges: full.edges.map((e) => ({ ...e, cursor: "" })), hasNextPage: true, endCursor: null });
  const [index] = await kvetch.queryIndex("username", ["ends"], { endCursor: false });
  assert.equal(index, { ...(await kvetch.queryIndex("username", ["ends"]))[0]!, endCursor: null });
  await refused(() => kvetch.queryIndex("username", ["ends"], { endCursor: 0 as unknown as boolean }), "Kvetch: queryIndex endCursor must be a boolean");
  await kvetch.close();
});

test.run();
