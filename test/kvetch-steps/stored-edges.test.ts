// Stored (non-derived) edges through the Kvetch steps: insertEdge writes a whole layer with one call, an edge
// to a deleted object keeps its place as a null item (nothing to re-check), and a per-entry `after` is
// still one edge call for the layer.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { Kvetch, defineSchema, memoryBackend, insertEdge, loadEdges, loadObject, edgeCount } from "../../steps/kvetch/index.js";
import { each } from "../../steps/index.js";

const kvetchSchema = defineSchema({
  objects: [
    { name: "User", typeId: 1 },
    { name: "Post", typeId: 2 },
  ],
  edges: [{ name: "likes", edgeId: 1, fromType: "User", toType: "Post" }],
});

const schema = makeSchema({
  typeDefs: /* GraphQL */ `
    type Query { user(id: ID!): User users(ids: [ID!]!): [User]! }
    type Mutation { like(userId: ID!, postIds: [ID!]!): [String!]! }
    type User { name: String likes(first: Int): [Post]! likesAfterBookmark(first: Int): [Post]! likeCount: Int! }
    type Post { title: String }
  `,
  plans: {
    Query: {
      user: (_$root: Step, args: FieldArgs) => loadObject("User", args.get("id")),
      users: (_$root: Step, args: FieldArgs) => each(args.get("ids"), ($id) => loadObject("User", $id)),
    },
    Mutation: {
      // One insertEdges call for all the posts of the argument.
      like: (_$root: Step, args: FieldArgs) => each(args.get("postIds"), ($postId) => insertEdge("likes", args.get("userId"), $postId).get("toId")),
    },
    User: {
      name: ($user: Step) => $user.get("name"),
      likes: ($user: Step, args: FieldArgs) =>
        each(loadEdges("likes", $user.get("id"), { first: args.get("first") }), ($edge) => loadObject("Post", $edge.get("toId"))),
      // `after` differs per user: a batch dependency, still one edge call for the layer.
      likesAfterBookmark: ($user: Step, args: FieldArgs) =>
        each(loadEdges("likes", $user.get("id"), { first: args.get("first"), after: $user.get("bookmark") }), ($edge) =>
          loadObject("Post", $edge.get("toId")),
        ),
      likeCount: ($user: Step) => edgeCount("likes", $user.get("id")),
    },
    Post: { title: ($post: Step) => $post.get("title") },
  },
});

async function setup() {
  const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 4 }) });
  const users = await kvetch.createObjects([
    { type: "User", data: { name: "ann" } },
    { type: "User", data: { name: "ben" } },
  ]);
  const posts = await kvetch.createObjects(Array.from({ length: 6 }, (_, p) => ({ type: "Post", data: { title: `post ${p + 1}` } })));
  kvetch.resetCounters();
  return { kvetch, userIds: users.map((u) => u.id), postIds: posts.map((p) => p.id) };
}

async function run(kvetch: Kvetch, query: string, variableValues: Record<string, unknown> = {}) {
  kvetch.resetCounters();
  const result = await execute({ schema, document: parse(query), variableValues, contextValue: { kvetch } });
  return { result: JSON.parse(JSON.stringify(result)), calls: kvetch.counters.calls };
}

test("insertEdge: four likes written by one insertEdges call; readable at once", async () => {
  const { kvetch, userIds, postIds } = await setup();
  const liked = await run(kvetch, `mutation ($u: ID!, $p: [ID!]!) { like(userId: $u, postIds: $p) }`, { u: userIds[0], p: postIds.slice(0, 4) });
  assert.equal(liked.result, { data: { like: postIds.slice(0, 4) } });
  assert.is(liked.calls, 1);
  const read = await run(kvetch, `query ($id: ID!) { user(id: $id) { likeCount likes { title } } }`, { id: userIds[0] });
  assert.equal(read.result.data.user, { likeCount: 4, likes: [{ title: "post 1" }, { title: "post 2" }, { title: "post 3" }, { title: "post 4" }] });
  assert.is(read.calls, 4);
});

test("a stored edge to a deleted object keeps its place as null (the list is nullable); nothing is re-checked away", async () => {
  const { kvetch, userIds, postIds } = await setup();
  await kvetch.insertEdges("likes", postIds.slice(0, 3).map((toId) => ({ fromId: userIds[0]!, toId })));
  await kvetch.deleteObject(postIds[1]!);
  const read = await run(kvetch, `query ($id: ID!) { user(id: $id) { likes { title } } }`, { id: userIds[0] });
  assert.equal(read.result.data.user.likes, [{ title: "post 1" }, null, { title: "post 3" }]);
  assert.is(read.calls, 3);
});

test("a per-entry `after` (each user's bookmark) is one edge call for all users, each page after its own cursor", async () => {
  const { kvetch, userIds, postIds } = await setup();
  const [ann, ben] = userIds as [string, string];
  await kvetch.insertEdges("likes", postIds.map((toId) => ({ fromId: ann, toId })));
  await kvetch.insertEdges("likes", postIds.slice(0, 3).map((toId) => ({ fromId: ben, toId })));
  const [annPage, benPage] = await kvetch.getEdges("likes", [ann, ben], { first: 1 });
  await kvetch.updateObjects([
    { type: "User", id: ann, patch: { bookmark: annPage!.endCursor } },
    { type: "User", id: ben, patch: { bookmark: benPage!.endCursor } },
  ]);
  const read = await run(kvetch, `query ($ids: [ID!]!) { users(ids: $ids) { name likesAfterBookmark(first: 2) { title } } }`, { ids: [ann, ben] });
  assert.equal(read.result.data.users, [
    { name: "ann", likesAfterBookmark: [{ title: "post 2" }, { title: "post 3" }] },
    { name: "ben", likesAfterBookmark: [{ title: "post 2" }, { title: "post 3" }] },
  ]);
  // users, likes (both users in one call), posts
  assert.is(read.calls, 3);
});

test("insertEdge on a derived edge fails the mutation field with the store's message, nothing written", async () => {
  const derived = defineSchema({
    objects: [{ name: "A", typeId: 1 }, { name: "B", typeId: 2 }],
    edges: [{ name: "a_b", edgeId: 1, storedIdAttr: "aId", storedOnType: "B" }],
  });
  const kvetch = new Kvetch({ schema: derived });
  const s = makeSchema({
    typeDefs: `type Query { x: Int } type Mutation { link(a: ID!, b: ID!): Boolean }`,
    plans: { Mutation: { link: (_$root: Step, args: FieldArgs) => insertEdge("a_b", args.get("a"), args.get("b")).get("edge") } },
  });
  const a = await kvetch.createObject("A", {});
  const b = await kvetch.createObject("B", {});
  const result = await execute({ schema: s, document: parse(`mutation { link(a: "${a.id}", b: "${b.id}") }`), contextValue: { kvetch } });
  assert.match(result.errors![0]!.message, /derived from B\.data\.aId/);
  assert.equal((await kvetch.getEdges("a_b", [a.id]))[0]!.edges, []);
});

test.run();
