// One entry's bad input or failed shard is that entry's error: the other entries of the same batch are read
// (or written) and served in the same response, with the same single store call per layer.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { Kvetch, KvetchError, defineSchema, memoryBackend, type KvetchBackend, type ShardStore } from "../../src/kvetch/index.js";
import { insertEdge, loadEdges, queryIndex, loadObject } from "../../steps/kvetch/index.js";
import { each, lambda } from "../../steps/index.js";

const kvetchSchema = defineSchema({
  objects: [
    { name: "User", typeId: 1 },
    { name: "Post", typeId: 2 },
  ],
  edges: [{ name: "likes", edgeId: 1, fromType: "User", toType: "Post" }],
  indexes: [{ name: "by_tag", indexId: 1, indexedType: "Post", indexedAttr: "tag" }],
});

const schema = makeSchema({
  typeDefs: /* GraphQL */ `
    input Spec { id: ID, first: Int, after: String }
    type Query {
      likes(specs: [Spec!]!): [[ID]]
      globalAfter(ids: [ID]!, after: String): [[ID]]
      tagged(tags: [String]!): [[String]]
    }
    type Mutation {
      like(userId: ID!, postIds: [ID!]!): [ID]
      likeWith(userId: ID!, postIds: [ID!]!, stars: Int): [ID]
      likedBy(userIds: [ID!]!, postId: ID!): [ID]
    }
  `,
  plans: {
    Query: {
      likes: (_r: Step, a: FieldArgs) =>
        each(a.get("specs"), ($s) => each(loadEdges("likes", $s.get("id"), { first: $s.get("first"), after: $s.get("after") }), ($e) => $e.get("toId"))),
      globalAfter: (_r: Step, a: FieldArgs) => each(a.get("ids"), ($id) => each(loadEdges("likes", $id, { after: a.get("after") }), ($e) => $e.get("toId"))),
      // "inf" and "date" stand for values a custom scalar or a lambda may produce.
      tagged: (_r: Step, a: FieldArgs) =>
        each(a.get("tags"), ($t) =>
          each(
            queryIndex("by_tag", lambda($t, (t: unknown) => (t === "inf" ? Infinity : t === "date" ? new Date(0) : t)), { first: 5 }),
            ($e) => loadObject("Post", $e.get("targetId")).get("title"),
          ),
        ),
    },
    Mutation: {
      like: (_r: Step, a: FieldArgs) => each(a.get("postIds"), ($p) => insertEdge("likes", a.get("userId"), $p).get("toId")),
      // stars null: the data is null, so nothing is written for that entry.
      likeWith: (_r: Step, a: FieldArgs) =>
        each(a.get("postIds"), ($p) => insertEdge("likes", a.get("userId"), $p, lambda(a.get("stars"), (s: unknown) => (s == null ? null : { stars: s }))).get("toId")),
      likedBy: (_r: Step, a: FieldArgs) => each(a.get("userIds"), ($u) => insertEdge("likes", $u, a.get("postId")).get("fromId")),
    },
  },
});

/** Shards whose calls fail like an unreachable server (or with `down.error()`) while `down` holds the shard number. */
function switchableBackend(): { backend: KvetchBackend; down: { shard: number; error?: () => Error } } {
  const inner = memoryBackend({ shards: 4 });
  const down: { shard: number; error?: () => Error } = { shard: -1 };
  const backend: KvetchBackend = Object.create(inner, {
    openShards: {
      value: (counters: Parameters<KvetchBackend["openShards"]>[0]) =>
        inner.openShards(counters).map(
          (shard) =>
            new Proxy(shard, {
              get(target, key) {
                const value = Reflect.get(target, key, target) as unknown;
                if (typeof value !== "function" || key === "close") return value;
                return (...args: unknown[]) =>
                  down.shard === shard.shard
                    ? Promise.reject(down.error?.() ?? Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))
                    : (value as (...a: unknown[]) => unknown).apply(target, args);
              },
            }) as ShardStore,
        ),
    },
    breaker: { value: false },
  });
  return { backend, down };
}

async function setup(backend?: KvetchBackend) {
  const kvetch = new Kvetch({ schema: kvetchSchema, backend: backend ?? memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const [ann, ben] = (await kvetch.createObjects([{ type: "User", data: { name: "ann" } }, { type: "User", data: { name: "ben" } }])).map((u) => u.id);
  const posts = (await kvetch.createObjects(Array.from({ length: 8 }, (_, p) => ({ type: "Post", data: { title: `post ${p + 1}`, tag: p % 2 ? "odd" : "even" } })))).map((p) => p.id);
  return { kvetch, ann: ann!, ben: ben!, posts };
}

async function run(kvetch: Kvetch, query: string, variableValues: Record<string, unknown>, limits?: { maxPageSize: number }) {
  kvetch.resetCounters();
  const result = await execute({ schema, document: parse(query), variableValues, contextValue: { kvetch }, ...(limits ? { limits } : {}) });
  return { result: JSON.parse(JSON.stringify(result)), calls: kvetch.counters.calls };
}

const LIKES = `query($s: [Spec!]!) { likes(specs: $s) }`;

test("per-entry first: an entry without first is held to maxPageSize, an entry with one is not", async () => {
  const { kvetch, ann, ben, posts } = await setup();
  await kvetch.insertEdges("likes", posts.map((toId) => ({ fromId: ann, toId })));
  await kvetch.insertEdges("likes", posts.slice(0, 2).map((toId) => ({ fromId: ben, toId })));
  const mixed = await run(kvetch, LIKES, { s: [{ id: ann, first: 2 }, { id: ben }] }, { maxPageSize: 5 });
  assert.is(mixed.result.errors, undefined);
  assert.equal(mixed.result.data.likes, [posts.slice(0, 2), posts.slice(0, 2)]);
  assert.is(mixed.calls, 1);
  // Ann without first (8 likes > 5) is refused; Ben with first 1 is served.
  const over = await run(kvetch, LIKES, { s: [{ id: ann }, { id: ben, first: 1 }] }, { maxPageSize: 5 });
  assert.equal(over.result.data.likes, [null, posts.slice(0, 1)]);
  assert.equal(over.result.errors.map((e: { path: unknown[] }) => e.path), [["likes", 0]]);
  assert.is(over.result.errors[0].extensions.code, "LIMIT_EXCEEDED");
  assert.is(over.calls, 1);
});

test("per-entry after: a malformed cursor fails its entry only, without a query; a global one fails the step", async () => {
  const { kvetch, ann, ben, posts } = await setup();
  await kvetch.insertEdges("likes", posts.map((toId) => ({ fromId: ann, toId })));
  await kvetch.insertEdges("likes", posts.slice(0, 2).map((toId) => ({ fromId: ben, toId })));
  const [page] = await kvetch.getEdges("likes", [ann], { first: 3 });
  const cursor = page!.endCursor!;
  // A cursor's shape with a sequence beyond 2^53 (as the store refuses it), and one that is not a string.
  const forged = `_${cursor.slice(1)}`;
  const r = await run(kvetch, LIKES, {
    s: [{ id: ann, first: 2, after: cursor }, { id: ben, first: 2, after: "bad" }, { id: ben, after: forged }, { id: ben, first: 1 }],
  });
  assert.equal(r.result.data.likes, [posts.slice(3, 5), null, null, posts.slice(0, 1)]);
  assert.equal(r.result.errors.map((e: { path: unknown[] }) => e.path), [["likes", 1], ["likes", 2]]);
  assert.is(
    r.result.errors[0].message,
    `Kvetch: "bad" is not a Kvetch cursor (expected the 32-character endCursor/cursor string of an earlier page) in loadEdges("likes") after`,
  );
  assert.ok(r.result.errors[1].message.includes(JSON.stringify(forged)), r.result.errors[1].message);
  assert.is(r.calls, 1);
  // Only bad entries: no store call at all.
  const none = await run(kvetch, LIKES, { s: [{ id: ben, first: 2, after: "bad" }] });
  assert.equal(none.result.data.likes, [null]);
  assert.is(none.calls, 0);
  // A global cursor is one value for the whole batch: malformed, it fails every entry (the store's error).
  const global = await run(kvetch, `query($ids: [ID]!, $a: String) { globalAfter(ids: $ids, after: $a) }`, { ids: [ann, ben], a: "bad" });
  assert.equal(global.result.data.globalAfter, [null, null]);
  assert.ok(global.result.errors.every((e: { message: string }) => e.message.includes(`"bad" is not a Kvetch cursor`)));
});

test("queryIndex: a value JSON cannot hold fails its own entry, named by its value, without a query", async () => {
  const { kvetch } = await setup();
  for (const [bad, message] of [
    ["inf", `Kvetch: queryIndex("by_tag") value is Infinity; JSON numbers must be finite`],
    ["date", `Kvetch: queryIndex("by_tag") value is a Date; only plain objects`],
  ] as const) {
    const r = await run(kvetch, `query($t: [String]!) { tagged(tags: $t) }`, { t: ["even", bad, "odd"] });
    assert.equal(r.result.data.tagged, [
      ["post 1", "post 3", "post 5", "post 7"],
      null,
      ["post 2", "post 4", "post 6", "post 8"],
    ]);
    assert.equal(r.result.errors.map((e: { path: unknown[] }) => e.path), [["tagged", 1]]);
    assert.ok(r.result.errors[0].message.startsWith(message), r.result.errors[0].message);
    assert.is(r.calls, 2); // the index entries, then their posts: one call each
  }
});

test("insertEdge: an entry whose data is null writes nothing and gives null; no data argument writes {}", async () => {
  const { kvetch, ann, posts } = await setup();
  const none = await run(kvetch, `mutation($u: ID!, $p: [ID!]!) { likeWith(userId: $u, postIds: $p, stars: null) }`, { u: ann, p: [posts[0]] });
  assert.equal(none.result, { data: { likeWith: [null] } });
  assert.is(none.calls, 0);
  assert.equal((await kvetch.getEdges("likes", [ann]))[0]!.edges, []);
  const bare = await run(kvetch, `mutation($u: ID!, $p: [ID!]!) { like(userId: $u, postIds: $p) }`, { u: ann, p: [posts[1]] });
  assert.equal(bare.result, { data: { like: [posts[1]] } });
  assert.equal((await kvetch.getEdges("likes", [ann]))[0]!.edges.map((e) => [e.toId, e.data]), [[posts[1], {}]]);
});

test("insertEdge: a failed shard fails only its own entries; the edges written on the others are reported", async () => {
  const { backend, down } = switchableBackend();
  const { kvetch, posts } = await setup(backend);
  const users = (await kvetch.createObjects(Array.from({ length: 12 }, (_, u) => ({ type: "User", data: { name: `u${u}` } })))).map((u) => u.id);
  const shardOf = users.map((id) => kvetch.shardOf(id));
  down.shard = shardOf[0]!;
  const r = await run(kvetch, `mutation($u: [ID!]!, $p: ID!) { likedBy(userIds: $u, postId: $p) }`, { u: users, p: posts[0] });
  const failed = users.map((_, u) => shardOf[u] === down.shard);
  assert.ok(failed.includes(false), "some users on healthy shards");
  assert.equal(r.result.data.likedBy, users.map((id, u) => (failed[u] ? null : id)));
  assert.equal(r.result.errors.map((e: { path: unknown[] }) => e.path), users.flatMap((_, u) => (failed[u] ? [["likedBy", u]] : [])));
  assert.is(r.calls, 1);
  down.shard = -1;
  const written = await kvetch.getEdges("likes", users);
  assert.equal(written.map((page) => page.edges.length), failed.map((f) => (f ? 0 : 1)));
});

test("Kvetch.insertEdges: `partial` gives each item true or its shard's error; without it the call throws", async () => {
  const { backend, down } = switchableBackend();
  const { kvetch, ann, posts } = await setup(backend);
  // A user on another shard than Ann's (ids are random: create until one is).
  let ben = ann;
  while (kvetch.shardOf(ben) === kvetch.shardOf(ann)) ben = (await kvetch.createObject("User", { name: "ben" })).id;
  down.shard = kvetch.shardOf(ben);
  kvetch.resetCounters();
  const results = await kvetch.insertEdges("likes", [{ fromId: ann, toId: posts[0]! }, { fromId: ben, toId: posts[0]! }, { fromId: ann, toId: posts[1]! }], { partial: true });
  assert.is(kvetch.counters.calls, 1);
  assert.is(results[0], true);
  assert.ok(results[1] instanceof KvetchError && results[1].code.startsWith("SHARD_"), String(results[1]));
  assert.is(results[2], true);
  try {
    await kvetch.insertEdges("likes", [{ fromId: ann, toId: posts[2]! }, { fromId: ben, toId: posts[2]! }]);
    assert.unreachable("the failed shard's error is thrown");
  } catch (error) {
    assert.ok(error instanceof KvetchError && error.code.startsWith("SHARD_"), String(error));
  }
  down.shard = -1;
  assert.is(await kvetch.insertEdges("likes", [{ fromId: ann, toId: posts[3]! }, { fromId: ann, toId: posts[0]! }]), 1);
  assert.equal((await kvetch.getEdges("likes", [ann, ben])).map((page) => page.edges.length), [4, 0]);
});

test("Kvetch.deleteEdges: `partial` gives each item true or its shard's error (a pair given twice, both), the keys on other shards are deleted; without it the call throws", async () => {
  const { backend, down } = switchableBackend();
  const { kvetch, ann, posts } = await setup(backend);
  let ben = ann;
  while (kvetch.shardOf(ben) === kvetch.shardOf(ann)) ben = (await kvetch.createObject("User", { name: "ben" })).id;
  await kvetch.insertEdges("likes", [0, 1, 2].flatMap((p) => [{ fromId: ann, toId: posts[p]! }, { fromId: ben, toId: posts[p]! }]));
  down.shard = kvetch.shardOf(ben);
  kvetch.resetCounters();
  const items = [{ fromId: ann, toId: posts[0]! }, { fromId: ben, toId: posts[0]! }, { fromId: ann, toId: posts[0]! }, { fromId: ann, toId: posts[3]! }];
  const results = await kvetch.deleteEdges("likes", items, { partial: true });
  assert.is(kvetch.counters.calls, 1);
  assert.is(results.length, 4);
  assert.is(results[0], true);
  assert.ok(results[1] instanceof KvetchError && results[1].code.startsWith("SHARD_"), String(results[1]));
  assert.is(results[2], true);
  assert.is(results[3], true, "a key that was not there is done too");
  try {
    await kvetch.deleteEdges("likes", [{ fromId: ann, toId: posts[1]! }, { fromId: ben, toId: posts[1]! }]);
    assert.unreachable("the failed shard's error is thrown");
  } catch (error) {
    assert.ok(error instanceof KvetchError && error.code.startsWith("SHARD_"), String(error));
  }
  down.shard = -1;
  // Ann's deletes went through on her healthy shard, both times; Ben's edges are all still there.
  assert.equal((await kvetch.getEdges("likes", [ann, ben])).map((page) => page.edges.map((e) => e.toId)), [[posts[2]], [posts[0], posts[1], posts[2]]]);
  assert.is(await kvetch.deleteEdges("likes", [{ fromId: ben, toId: posts[0]! }, { fromId: ben, toId: posts[0]! }, { fromId: ann, toId: posts[0]! }]), 1);
  assert.equal(await kvetch.deleteEdges("likes", [], { partial: true }), []);
});

test("insertEdges and deleteEdges announce every list they touched even when a chunk throws an error that is not a shard failure", async () => {
  const { backend, down } = switchableBackend();
  const { kvetch, ann, posts } = await setup(backend);
  let ben = ann;
  while (kvetch.shardOf(ben) === kvetch.shardOf(ann)) ben = (await kvetch.createObject("User", { name: "ben" })).id;
  // Ben's shard refuses the statement as the caller's data (as MySQL's max_allowed_packet check does).
  const touched: boolean[][] = [];
  kvetch.onInvalidate((change) => touched.push([ann, ben].map((id) => change !== null && change.touches(`edges:likes:${id}`))));
  down.shard = kvetch.shardOf(ben);
  down.error = () => new KvetchError("BAD_DATA", "statement too large");
  for (const write of [
    () => kvetch.insertEdges("likes", [{ fromId: ann, toId: posts[0]! }, { fromId: ben, toId: posts[0]! }]),
    () => kvetch.deleteEdges("likes", [{ fromId: ann, toId: posts[0]! }, { fromId: ben, toId: posts[0]! }]),
  ]) {
    touched.length = 0;
    try {
      await write();
      assert.unreachable("the chunk's error is thrown");
    } catch (error) {
      assert.ok(error instanceof KvetchError && error.code === "BAD_DATA", String(error));
    }
    assert.ok(touched.some(([a]) => a), `Ann's list, written on a healthy shard, is announced: ${JSON.stringify(touched)}`);
  }
});

test.run();
