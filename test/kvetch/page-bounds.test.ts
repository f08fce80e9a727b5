// Page sizes at the edge of what a number can say: `first` above Number.MAX_SAFE_INTEGER is refused before any
// I/O on every backend (MySQL could not take first + 1 as a LIMIT), and the largest allowed `first` reads
// whole lists. Limits that reach MySQL are clamped to digits it parses (sqlLimit).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, memoryBackend } from "../../src/kvetch/index.js";
import { sqlLimit } from "../../src/kvetch/mysqlPool.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";

/** A memory store with one user (`username` "ann") owning three lists. */
async function userWithLists() {
  const kvetch = new Kvetch({ schema: contractSchema, backend: memoryBackend({ shards: 4 }) });
  const user = await kvetch.createObject("User", { username: "ann" });
  await kvetch.createObjects(Array.from({ length: 3 }, (_, i) => ({ type: "TodoList", data: { userId: user.id, name: `l${i}` } })));
  return { kvetch, user };
}

/** `call` is refused with BAD_ARGUMENT matching `message`. */
async function refused(call: () => Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await call();
    assert.unreachable(`refused: ${message}`);
  } catch (error) {
    assert.instance(error, KvetchError);
    assert.is((error as KvetchError).code, "BAD_ARGUMENT");
    assert.match((error as Error).message, message);
  }
}

test("first above Number.MAX_SAFE_INTEGER is BAD_ARGUMENT naming the call and the value, with no round trip", async () => {
  const { kvetch, user } = await userWithLists();
  kvetch.resetCounters();
  await refused(() => kvetch.getEdges("user_to_list", [user.id], { first: 1e21 }), /getEdges first must be at most 9007199254740991 .*got 1e\+21 \(number\)/);
  await refused(() => kvetch.getEdges("user_to_list", [user.id], { first: 2 ** 64, verify: false }), /getEdges first must be at most 9007199254740991 .*got 18446744073709552000/);
  await refused(() => kvetch.getEdges("user_to_list", [user.id], { first: Number.MAX_SAFE_INTEGER + 1 }), /getEdges first must be at most/);
  await refused(() => kvetch.queryIndex("username", ["ann"], { first: 1e21 }), /queryIndex first must be at most 9007199254740991 .*got 1e\+21/);
  await refused(() => kvetch.getEdges("user_to_list", [user.id], { first: Infinity }), /getEdges first must be a non-negative integer or null, got Infinity/);
  assert.equal(kvetch.counters.shardQueries, [0, 0, 0, 0]);
  await kvetch.close();
});

test("first = Number.MAX_SAFE_INTEGER reads whole lists, verified or not", async () => {
  const { kvetch, user } = await userWithLists();
  for (const verify of [true, false]) {
    const [page] = await kvetch.getEdges("user_to_list", [user.id], { first: Number.MAX_SAFE_INTEGER, verify });
    assert.is(page!.edges.length, 3);
    assert.is(page!.hasNextPage, false);
    const [entries] = await kvetch.queryIndex("username", ["ann"], { first: Number.MAX_SAFE_INTEGER, verify });
    assert.equal(entries!.edges.map((e) => e.targetId), [user.id]);
    assert.is(entries!.hasNextPage, false);
  }
  await kvetch.close();
});

test("sqlLimit: integers up to 2^53 - 1 pass, larger ones are clamped, anything else names the call", () => {
  assert.is(sqlLimit(0, "x"), 0);
  assert.is(sqlLimit(101, "x"), 101);
  assert.is(sqlLimit(Number.MAX_SAFE_INTEGER, "x"), Number.MAX_SAFE_INTEGER);
  assert.is(sqlLimit(2 ** 53, "x"), Number.MAX_SAFE_INTEGER);
  assert.is(sqlLimit(1e21, "x"), Number.MAX_SAFE_INTEGER);
  assert.is(String(sqlLimit(Infinity, "x")), "9007199254740991");
  assert.throws(() => sqlLimit(-1, "scanObjects"), /scanObjects limit must be a non-negative integer, got -1/);
  assert.throws(() => sqlLimit(1.5, "scanEdges"), /scanEdges limit must be a non-negative integer, got 1.5/);
  assert.throws(() => sqlLimit(NaN, "readEdgeRanges"), /readEdgeRanges limit must be a non-negative integer, got NaN/);
});

test.run();
