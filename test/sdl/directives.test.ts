// Annotated SDL beyond the todo example: generated input types for create/update mutations, stored edges,
// list index queries, a hand-written plan in place of a generated one, and directive misuse as schema-build
// errors naming type, field and directive.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { printSchema, type GraphQLSchema, versionInfo } from "graphql";
import { graphql } from "../../src/index.js";
import { constant } from "../../steps/index.js";
import { Kvetch, makeKvetchSchema, memoryBackend, newId } from "../../steps/kvetch/index.js";

const blogSdl = /* GraphQL */ `
  type Query {
    post(id: ID!): Post @readObject
    postsByTag(tag: String!, first: Int = 10): [Post!]! @queryIndex(index: "post_tag")
  }
  type Mutation {
    createAuthor: Author @createObject
    createPost: Post @createObject
    updatePost: Post @updateObject
    follow(id: ID!): Boolean @deleteObject(type: "Author")
  }
  type Author @object(typeId: 1) {
    id: ID!
    name: String!
    posts(first: Int): [Post!]! @edgeFromStoredId(name: "author_to_post", edgeId: 1, attr: "authorId")
    favorites(first: Int = 10): [Post!]! @edge(name: "favorite", edgeId: 2)
  }
  type Post @object(typeId: 2) {
    id: ID!
    title: String!
    tag: String @index(name: "post_tag", indexId: 1)
    views: Int! @default(value: 0)
    author: Author @edgeFromStoredId(attr: "authorId")
  }
`;

test("generated inputs: create and update mutations without arguments get input types from the stored attributes", () => {
  const { resolvedTypeDefs, kvetchSchema } = makeKvetchSchema({ typeDefs: blogSdl });
  assert.match(resolvedTypeDefs, /createPost\(input: CreatePostInput!\): Post/);
  assert.match(resolvedTypeDefs, /updatePost\(id: ID!, input: UpdatePostInput!, ifVersion: Int\): Post/);
  assert.match(resolvedTypeDefs, /input CreatePostInput \{\n  title: String!\n  tag: String\n  views: Int\n  authorId: ID\n\}/);
  assert.match(resolvedTypeDefs, /input UpdatePostInput \{\n  title: String\n  tag: String\n  views: Int\n  authorId: ID\n\}/);
  assert.equal(kvetchSchema.edges.map((e) => [e.name, e.edgeId, e.fromType, e.toType, e.storedIdAttr]), [
    ["author_to_post", 1, "Author", "Post", "authorId"],
    ["favorite", 2, "Author", "Post", null],
  ]);
});

test("generated mutations and reads: create with defaults, stored-id check (a bad authorId refused), index list, update — one call per step", async () => {
  const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs: blogSdl });
  const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 2 }) });
  await kvetch.migrate();
  const exec = async (source: string, variableValues?: Record<string, unknown>) => {
    kvetch.resetCounters();
    const result = JSON.parse(JSON.stringify(await graphql({ schema, source, variableValues, contextValue: { kvetch } })));
    return { ...result, calls: kvetch.counters.calls };
  };
  const objects = async () => (await kvetch.stats()).reduce((n, s) => n + s.objects, 0);
  const author = await exec(`mutation { createAuthor(input: { name: "Ada" }) { id name } }`);
  assert.is(author.calls, 1); // nothing to check: createObjects only
  const authorId = author.data.createAuthor.id;
  const CREATE_POST = `mutation ($a: ID!) { createPost(input: { title: "Hi", tag: "x", authorId: $a }) { id views author { name } } }`;
  const post = await exec(CREATE_POST, { a: authorId });
  assert.equal(post.data.createPost.views, 0);
  assert.equal(post.data.createPost.author, { name: "Ada" });
  assert.is(post.calls, 3); // check the author id, createObjects, load the author
  const postId = post.data.createPost.id;
  // a bad authorId: the check refuses it and nothing is written (an id that is no uuid costs no call)
  const stored = await objects();
  const refused: Array<[string, RegExp, number]> = [
    [postId, new RegExp(`^createPost: authorId "${postId}" is of type Post, not Author\\.$`), 1],
    [newId(), /^createPost: authorId "[^"]+" names no Author\.$/, 1],
    ["not-an-id", /^createPost: authorId "not-an-id" is not an object id\.$/, 0],
  ];
  for (const [bad, message, calls] of refused) {
    const result = await exec(CREATE_POST, { a: bad });
    assert.equal(result.data, { createPost: null });
    assert.is(result.errors.length, 1);
    assert.match(result.errors[0].message, message);
    assert.is(result.calls, calls, `authorId ${bad}: ${result.calls} calls`);
  }
  assert.is(await objects(), stored, "no refused post was stored");
  const byTag = await exec(`{ postsByTag(tag: "x") { title author { posts { title } } } }`);
  assert.equal(byTag.data, { postsByTag: [{ title: "Hi", author: { posts: [{ title: "Hi" }] } }] });
  assert.is(byTag.calls, 5); // index entries, posts (fused), authors, post edges, posts (fused)
  const missing = await exec(`mutation { createPost(input: { tag: "y" }) { id } }`);
  // graphql-js's own message, worded by the installed major
  assert.match(missing.errors[0].message, versionInfo.major === 16 ? /Field "CreatePostInput.title" of required type "String!" was not provided/ : /Expected value of type "CreatePostInput" to include required field "title"/);
  assert.is(missing.calls, 0);
  const nulled = await exec(`mutation ($id: ID!) { updatePost(id: $id, input: { title: null }) { id } }`, { id: postId });
  assert.is(nulled.errors[0].message, "updatePost: title cannot be null (Post.title is non-null).");
  assert.is(nulled.calls, 0);
  const updated = await exec(`mutation ($id: ID!) { updatePost(id: $id, input: { views: 3 }) { title views } }`, { id: postId });
  assert.equal(updated.data, { updatePost: { title: "Hi", views: 3 } });
  assert.is(updated.calls, 2); // check the post id, updateObjects
});

const MISUSE: Array<[string, string, RegExp]> = [
  ["@index on a type that is not stored", `type Query { a: A } type A { x: String @index(name: "i", indexId: 1) }`, /makeKvetchSchema: A\.x: @index needs A to be a stored type \(@object\)/],
  ["@edge on a scalar field", `type Query { a: A } type A @object(typeId: 1) { x: String @edge(name: "e", edgeId: 1) }`, /A\.x: @edge needs a list or connection of a stored type \(@object\), or one stored object; got String/],
  ["@readObject outside Query", `type Query { a: A } type A @object(typeId: 1) { b: A @readObject }`, /A\.b: @readObject belongs on a field of the Query type/],
  ["@readObject without id", `type Query { a(x: Int): A @readObject } type A @object(typeId: 1) { id: ID! }`, /Query\.a: @readObject needs an argument id: ID!/],
  ["@createObject with an argument that is no attribute", `type Query { a: A } type Mutation { m(nope: Int): A @createObject } type A @object(typeId: 1) { x: String }`, /Mutation\.m: @createObject cannot write argument nope: A has no stored attribute "nope" \(attributes: x\)/],
  ["@deleteObject of an unstored type", `type Query { a: A } type Mutation { d(id: ID!): Boolean @deleteObject(type: "B") } type A @object(typeId: 1) { x: String }`, /Mutation\.d: @deleteObject names type "B", which is not a stored type \(@object\); stored: A/],
  ["@edgeCount of an undeclared edge", `type Query { a: A } type A @object(typeId: 1) { n: Int @edgeCount(edge: "nope") }`, /A\.n: @edgeCount names edge "nope", which no field declares \(with edgeId\); declared: none/],
  ["@object on a field", `type Query { a: A } type A { x: String @object(typeId: 1) }`, /A\.x: @object belongs on a type, not on a field/],
  ["two planning directives on one field", `type Query { a(id: ID!): A @readObject @queryIndex(index: "i") } type A @object(typeId: 1) { id: ID! }`, /Query\.a: @queryIndex cannot be combined with @readObject/],
  ["a malformed directive", `type Query { a: A } type A @object(typeId: "one") { x: String }`, versionInfo.major === 16 ? /^makeKvetchSchema: A: @object is malformed: Argument "typeId" has invalid value "one"\./ : /^makeKvetchSchema: A: @object is malformed: Argument "@object\(typeId:\)" has invalid value: Int cannot represent non-integer value: "one"$/],
  ["a duplicate typeId", `type Query { a: A } type A @object(typeId: 1) { x: String } type B @object(typeId: 1) { x: String }`, /makeKvetchSchema: B: @object declares type "B" with typeId 1, which A \(@object at 1:28\) gives type "A"; ids are stored/],
];

for (const [name, typeDefs, message] of MISUSE) {
  test(`directive misuse is a schema-build error: ${name}`, () => {
    assert.throws(() => makeKvetchSchema({ typeDefs }), (error: Error) => message.test(error.message) || (console.log(error.message), false));
  });
}

test("a hand-written plan for a field with a generated one (Query.post) runs instead of it; the other fields keep theirs", async () => {
  const generated = makeKvetchSchema({ typeDefs: blogSdl });
  const handWritten = makeKvetchSchema({
    typeDefs: blogSdl,
    plans: { Query: { post: () => constant({ id: "hand", title: "hand-written", views: 7 }) } },
  });
  // the same API either way
  assert.is(handWritten.resolvedTypeDefs, generated.resolvedTypeDefs);
  const kvetch = new Kvetch({ schema: generated.kvetchSchema, backend: memoryBackend({ shards: 2 }) });
  await kvetch.migrate();
  const post = await kvetch.createObject("Post", { title: "Hi", tag: "x", views: 0 });
  const exec = async (schema: GraphQLSchema, source: string) => {
    kvetch.resetCounters();
    const result = JSON.parse(JSON.stringify(await graphql({ schema, source, contextValue: { kvetch } })));
    return { ...result, calls: kvetch.counters.calls };
  };
  const READ = `{ post(id: "${post.id}") { title views } }`;
  // the generated plan reads the stored post (one call); the hand-written one returns its constant (none)
  assert.equal(await exec(generated.schema, READ), { data: { post: { title: "Hi", views: 0 } }, calls: 1 });
  assert.equal(await exec(handWritten.schema, READ), { data: { post: { title: "hand-written", views: 7 } }, calls: 0 });
  // a field without a hand-written plan keeps its generated one
  const byTag = `{ postsByTag(tag: "x") { title } }`;
  assert.equal(await exec(handWritten.schema, byTag), await exec(generated.schema, byTag));
  assert.equal((await exec(handWritten.schema, byTag)).data, { postsByTag: [{ title: "Hi" }] });
});

test("the resolved SDL has no Kvetch directives left and is the executable schema printed", () => {
  const { resolvedTypeDefs } = makeKvetchSchema({ typeDefs: blogSdl });
  assert.not.match(resolvedTypeDefs, /@(object|edge|index|readObject|createObject|default)/);
  assert.is(printSchema(makeKvetchSchema({ typeDefs: blogSdl }).schema), resolvedTypeDefs);
});

test.run();
