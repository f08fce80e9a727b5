// Generated update mutations through GraphQL: the optional ifVersion argument (compare-and-set), the codes a
// client reads in extensions (CONFLICT with currentVersion, WRONG_TYPE, NOT_FOUND) with nothing written, an
// empty input that writes nothing, and the hand-written updateObject step refusing its old, untyped signature.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { graphql, makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { Kvetch, makeKvetchSchema, memoryBackend, newId, updateObject } from "../../steps/kvetch/index.js";
import { typegen } from "../../steps/kvetch/cli/typegen.js";

const sdl = /* GraphQL */ `
  type Query {
    post(id: ID!): Post @readObject
  }
  type Mutation {
    updatePost: Post @updateObject
    retitlePost(id: ID!, title: String, ifVersion: Int): Post @updateObject
  }
  type Author @object(typeId: 1) {
    id: ID!
    name: String!
  }
  type Post @object(typeId: 2) {
    id: ID!
    title: String!
    tag: String @index(name: "post_tag", indexId: 1)
  }
`;

const { schema, kvetchSchema, resolvedTypeDefs } = makeKvetchSchema({ typeDefs: sdl });

async function setup() {
  const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 4 }) });
  const post = await kvetch.createObject("Post", { title: "first", tag: "a" });
  const author = await kvetch.createObject("Author", { name: "ann" });
  return { kvetch, post, author };
}

async function run(kvetch: Kvetch, source: string, variableValues: Record<string, unknown>) {
  kvetch.resetCounters();
  const result = await graphql({ schema, source, variableValues, contextValue: { kvetch } });
  const shardQueries = kvetch.counters.shardQueries.reduce((a, b) => a + b, 0);
  return { data: JSON.parse(JSON.stringify(result.data ?? null)), errors: result.errors?.map((e) => ({ message: e.message, extensions: { ...e.extensions } })), calls: kvetch.counters.calls, shardQueries };
}

const UPDATE = `mutation ($id: ID!, $input: UpdatePostInput!, $v: Int) { updatePost(id: $id, input: $input, ifVersion: $v) { id title tag } }`;

test("generated update: takes an optional ifVersion: Int; a declared `ifVersion: Int` argument is the same", () => {
  assert.match(resolvedTypeDefs, /updatePost\(id: ID!, input: UpdatePostInput!, ifVersion: Int\): Post/);
  assert.match(resolvedTypeDefs, /retitlePost\(id: ID!, title: String, ifVersion: Int\): Post/);
  assert.throws(
    () => makeKvetchSchema({ typeDefs: sdl.replace("ifVersion: Int)", "ifVersion: String)") }),
    /Mutation\.retitlePost: @updateObject argument ifVersion: String must be an Int \(the version the update expects\); declare it ifVersion: Int/,
  );
});

test("typegen: the update mutations' plan arguments include ifVersion: number | null", () => {
  const types = typegen(schema);
  assert.match(types, "updatePost?: PlanResolver<unknown, { id: string; input: UpdatePostInput; ifVersion: number | null }>;");
  assert.match(types, "retitlePost?: PlanResolver<unknown, { id: string; title: string | null; ifVersion: number | null }>;");
});

test("ifVersion through GraphQL: at the stored version the update applies; at another it is a CONFLICT with the current version, nothing written", async () => {
  const { kvetch, post } = await setup();
  const applied = await run(kvetch, UPDATE, { id: post.id, input: { title: "second" }, v: 1 });
  assert.equal(applied.data, { updatePost: { id: post.id, title: "second", tag: "a" } });
  assert.is((await kvetch.getObject(post.id))!.version, 2);

  const stale = await run(kvetch, UPDATE, { id: post.id, input: { title: "third", tag: "b" }, v: 1 });
  assert.equal(stale.data, { updatePost: null });
  assert.is(stale.errors!.length, 1);
  assert.equal(stale.errors![0]!.extensions, { code: "CONFLICT", currentVersion: 2 });
  assert.match(stale.errors![0]!.message, `Post ${post.id} is at version 2, not ifVersion 1; read it again and retry from version 2; nothing was written`);
  assert.equal([stale.calls, stale.shardQueries], [2, 2], "the check's read and the update's read; no write");
  const stored = (await kvetch.getObject(post.id))!;
  assert.equal([stored.version, stored.data], [2, { title: "second", tag: "a" }]);
  assert.equal((await kvetch.queryIndex("post_tag", ["b"]))[0]!.edges, [], "no index entry for the refused value");

  // A declared ifVersion argument works the same; without it the update applies at any version.
  const declared = await run(kvetch, `mutation ($id: ID!, $v: Int) { retitlePost(id: $id, title: "x", ifVersion: $v) { title } }`, { id: post.id, v: 7 });
  assert.equal(declared.errors![0]!.extensions, { code: "CONFLICT", currentVersion: 2 });
  const any = await run(kvetch, `mutation ($id: ID!) { retitlePost(id: $id, title: "x") { title } }`, { id: post.id });
  assert.equal(any, { data: { retitlePost: { title: "x" } }, errors: undefined, calls: 2, shardQueries: 3 });
  assert.is((await kvetch.getObject(post.id))!.version, 3);
});

test("generated update: an id of another type is WRONG_TYPE, a missing one NOT_FOUND, in extensions.code; nothing written", async () => {
  const { kvetch, author } = await setup();
  const wrong = await run(kvetch, UPDATE, { id: author.id, input: { title: "hijack" } });
  assert.equal(wrong.errors, [{ message: `updatePost: id "${author.id}" is of type Author, not Post.`, extensions: { code: "WRONG_TYPE" } }]);
  assert.equal(await kvetch.getObject(author.id), author, "same data, same version");
  const missing = newId();
  const gone = await run(kvetch, UPDATE, { id: missing, input: { title: "x" } });
  assert.equal(gone.errors, [{ message: `updatePost: id "${missing}" names no Post.`, extensions: { code: "NOT_FOUND" } }]);
  assert.is(await kvetch.getObject(missing), null);
});

test("generated update: an empty input (or one equal to the stored data) keeps the version and moves no dependency", async () => {
  const { kvetch, post } = await setup();
  const keys = [`object:${post.id}`];
  const versions = await kvetch.dependencyVersions(keys);
  for (const input of [{}, { title: "first" }, { title: "first", tag: "a" }]) {
    const same = await run(kvetch, UPDATE, { id: post.id, input });
    assert.equal(same.data, { updatePost: { id: post.id, title: "first", tag: "a" } });
    assert.is(same.shardQueries, 2, `${JSON.stringify(input)}: the check's read and the update's read only`);
  }
  assert.equal(await kvetch.getObject(post.id), post);
  assert.equal(await kvetch.dependencyVersions(keys), versions);
});

test("hand-written updateObject: the old updateObject($id, patch) is refused at plan time, saying what to write", async () => {
  const planned = makeSchema({
    typeDefs: /* GraphQL */ `type Query { x: Int } type Mutation { setTitle(id: ID!): Boolean }`,
    plans: {
      Mutation: {
        setTitle: (_$root: Step, args: FieldArgs) => (updateObject as unknown as (...a: unknown[]) => Step)(args.get("id"), { title: "t" }),
      },
    },
  });
  const { kvetch, post } = await setup();
  const result = await graphql({ schema: planned, source: `mutation ($id: ID!) { setTitle(id: $id) }`, variableValues: { id: post.id }, contextValue: { kvetch } });
  assert.is(result.errors?.length, 1);
  assert.match(result.errors![0]!.message, `updateObject(type, $id, patch) takes the Kvetch object type first, so an id of another type is refused; write updateObject("TodoItem", $id, { done: $done }) instead of updateObject($id, ...).`);
  assert.is((await kvetch.getObject(post.id))!.version, 1);
});

test("hand-written updateObject with ifVersion from an argument: a CONFLICT reaches the client with its code", async () => {
  const planned = makeSchema({
    typeDefs: /* GraphQL */ `type Query { x: Int } type Mutation { setTitle(id: ID!, title: String!, v: Int): String }`,
    plans: {
      Mutation: {
        setTitle: (_$root: Step, args: FieldArgs) => updateObject("Post", args.get("id"), { title: args.get("title") }, { ifVersion: args.get("v") }).get("title"),
      },
    },
    planContext: { kvetchSchema },
  });
  const { kvetch, post, author } = await setup();
  const source = `mutation ($id: ID!, $v: Int) { setTitle(id: $id, title: "t", v: $v) }`;
  const stale = await graphql({ schema: planned, source, variableValues: { id: post.id, v: 5 }, contextValue: { kvetch } });
  assert.equal({ ...stale.errors![0]!.extensions }, { code: "CONFLICT", currentVersion: 1 });
  const wrong = await graphql({ schema: planned, source, variableValues: { id: author.id }, contextValue: { kvetch } });
  assert.equal({ ...wrong.errors![0]!.extensions }, { code: "WRONG_TYPE" });
  assert.match(wrong.errors![0]!.message, `${author.id} is of type Author, not Post`);
  assert.equal(await kvetch.getObject(author.id), author);
  const applied = await graphql({ schema: planned, source, variableValues: { id: post.id, v: 1 }, contextValue: { kvetch } });
  assert.equal(JSON.parse(JSON.stringify(applied.data)), { setTitle: "t" });
  assert.is((await kvetch.getObject(post.id))!.version, 2);
});

test.run();
