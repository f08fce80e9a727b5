// DecodedMemo (spec/kvetch-storage.md §7.7) against a real Redis: a warm read decodes no text it decoded
// before, yet every read hands out its own objects and data bags; a changed object is decoded anew; data
// holding arrays or objects is parsed on every read.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import type { KvetchEdge, KvetchObject, KvetchPage } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { decodedMemoCounts } from "../../src/kvetch/decodedMemo.js";
import { REDIS_URL, deleteKeys, serversUp, testKeyPrefix } from "./kvetch-servers.js";

function resetCounts(): void {
  decodedMemoCounts.hits = 0;
  decodedMemoCounts.decoded = 0;
}

function shardQueries(kvetch: Kvetch): number {
  return kvetch.counters.shardQueries.reduce((a, b) => a + b, 0);
}

/**
 * Reads until a read is served by the cache alone (no shard query): the first read's refill can lose to the
 * write's own invalidation still in flight, and then a later read refills. Bounded, never timed.
 */
async function warm(kvetch: Kvetch, read: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const before = shardQueries(kvetch);
    await read();
    if (shardQueries(kvetch) === before) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the cache never served a read of these entries");
}

async function objects(kvetch: Kvetch, ids: readonly string[]): Promise<KvetchObject[]> {
  return (await kvetch.getObjects(ids)) as KvetchObject[];
}

async function likes(kvetch: Kvetch, fromId: string): Promise<KvetchEdge[]> {
  return ((await kvetch.getEdges("likes", [fromId], { first: 3 }))[0] as KvetchPage<KvetchEdge>).edges;
}

if (await serversUp("test/integration/kvetch-decoded-memo.test.ts", { redis: true })) {
  const keyPrefix = testKeyPrefix("decoded-memo");
  const it = suite<{ kvetch: Kvetch }>("decoded memo", {} as { kvetch: Kvetch });

  it.before(async (context) => {
    context.kvetch = new Kvetch({ schema: contractSchema, backend: memoryBackend({ shards: 2, redis: { url: REDIS_URL, keyPrefix } }) });
    await context.kvetch.migrate();
  });
  it.after(async ({ kvetch }) => {
    await kvetch.close();
    await deleteKeys(keyPrefix);
  });

  it("warm object reads decode nothing again, and each read gets its own objects and data bags", async ({ kvetch }) => {
    const users = await kvetch.createObjects([0, 1, 2].map((i) => ({ type: "User", data: { username: `memo${i}`, age: 30 + i, admin: i === 0, note: null } })));
    const ids = users.map((u) => (u as KvetchObject).id);
    resetCounts();
    await warm(kvetch, () => objects(kvetch, ids));
    assert.is(decodedMemoCounts.decoded, 3, "the reads until the cache served them all decoded each text once");
    resetCounts();
    const first = await objects(kvetch, ids);
    const second = await objects(kvetch, ids);
    const third = await objects(kvetch, ids);
    assert.equal(decodedMemoCounts, { hits: 9, decoded: 0 }, "later reads of the same texts decode none");
    assert.equal(second, first);
    assert.equal(third, first);
    for (let i = 0; i < 3; i++) {
      assert.is.not(second[i], first[i]);
      assert.is.not(second[i]!.data, first[i]!.data);
      assert.is.not(third[i]!.data, second[i]!.data);
    }
    second[0]!.data.username = "changed by a caller";
    delete second[1]!.data.age;
    const fourth = await objects(kvetch, ids);
    assert.equal(fourth, first, "what a caller does to what it got changes no later read");
    assert.equal(fourth[0]!.data, { username: "memo0", age: 30, admin: true, note: null });
  });

  it("an updated object is a new text: decoded anew, never the kept value", async ({ kvetch }) => {
    const user = await kvetch.createObject("User", { username: "memo-update", age: 1 });
    await warm(kvetch, () => objects(kvetch, [user.id]));
    await kvetch.updateObject("User", user.id, { age: 2 });
    resetCounts();
    await warm(kvetch, () => objects(kvetch, [user.id])); // the new version cached
    assert.equal(decodedMemoCounts, { hits: 0, decoded: 1 }, "the new text is decoded once, the old one never found");
    const [read] = await objects(kvetch, [user.id]);
    assert.is(read!.version, 2);
    assert.equal(read!.data, { username: "memo-update", age: 2 });
    assert.equal(decodedMemoCounts, { hits: 1, decoded: 1 });
  });

  it("data holding an array or an object is parsed on every read: nothing nested is shared", async ({ kvetch }) => {
    const user = await kvetch.createObject("User", { username: "memo-nested", tags: ["a", "b"], address: { city: "x" } });
    await warm(kvetch, () => objects(kvetch, [user.id]));
    resetCounts();
    const [a] = await objects(kvetch, [user.id]);
    const [b] = await objects(kvetch, [user.id]);
    assert.equal(decodedMemoCounts, { hits: 0, decoded: 2 });
    assert.equal(a, b);
    assert.is.not(a!.data.tags, b!.data.tags);
    assert.is.not(a!.data.address, b!.data.address);
  });

  it("pages of a kept list are fresh rows with their own data bags", async ({ kvetch }) => {
    const [user, ...todos] = (await kvetch.createObjects([
      { type: "User", data: { username: "memo-likes" } },
      { type: "Todo", data: { title: "t1" } },
      { type: "Todo", data: { title: "t2" } },
    ])) as KvetchObject[];
    for (const [k, todo] of todos.entries()) await kvetch.insertEdge("likes", user!.id, todo.id, { weight: k, why: `w${k}` });
    resetCounts();
    await warm(kvetch, () => likes(kvetch, user!.id));
    assert.is(decodedMemoCounts.decoded, 1, "the list's text decoded once");
    resetCounts();
    const first = await likes(kvetch, user!.id);
    const second = await likes(kvetch, user!.id);
    assert.is(first.length, 2);
    assert.equal(second, first);
    assert.equal(decodedMemoCounts, { hits: 2, decoded: 0 }, "later page reads found it kept");
    assert.is.not(second[0], first[0]);
    assert.is.not(second[0]!.data, first[0]!.data);
    first[0]!.data.weight = 99;
    const third = await likes(kvetch, user!.id);
    assert.equal(third[0]!.data, { weight: 0, why: "w0" }, "a caller's change to a row's data reaches no later page");
  });

  it.run();
}
