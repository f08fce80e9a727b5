// Annotated SDL read and checked as a graphql-js user expects: directives inside `extend type` work, writes
// never store null into a non-null attribute, and SDL that could only misbehave at run time (a nullable write
// id, a default of the wrong type, an attribute holding ids of two types, colliding generated inputs, edges
// and indexes over other types) is a schema-build error naming type, field and directive.
import { versionInfo } from "graphql";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { graphql } from "../../src/index.js";
import { constant } from "../../steps/index.js";
import { Kvetch, makeKvetchSchema, memoryBackend } from "../../steps/kvetch/index.js";
import { locatedIn } from "./located.js";

async function setup(typeDefs: string) {
  const built = makeKvetchSchema({ typeDefs });
  const kvetch = new Kvetch({ schema: built.kvetchSchema, backend: memoryBackend({ shards: 2 }) });
  await kvetch.migrate();
  const exec = async (source: string, variableValues?: Record<string, unknown>) =>
    JSON.parse(JSON.stringify(await graphql({ schema: built.schema, source, variableValues, contextValue: { kvetch } })));
  const objects = async () => (await kvetch.stats()).reduce((n, s) => n + s.objects, 0);
  return { ...built, kvetch, exec, objects };
}

test("directives inside `extend type` are read like those of the definition: @object, @readObject, @createObject", async () => {
  const s = await setup(`
    type Query { hello: String }
    extend type Query { user(id: ID!): User @readObject }
    type Mutation { noop: Boolean }
    extend type Mutation { createUser(name: String!): User @createObject }
    type User { id: ID! }
    extend type User @object(typeId: 1) { name: String! @index(name: "user_name", indexId: 1) }`);
  assert.equal(s.kvetchSchema.objects.map((o) => o.name), ["User"]);
  assert.equal(s.kvetchSchema.indexes.map((i) => [i.name, i.indexedType, i.indexedAttr]), [["user_name", "User", "name"]]);
  const created = await s.exec(`mutation { createUser(name: "Ada") { id name } }`);
  assert.is(created.errors, undefined);
  assert.is(created.data.createUser.name, "Ada");
  assert.is(await s.objects(), 1);
  const read = await s.exec(`query ($id: ID!) { user(id: $id) { name } }`, { id: created.data.createUser.id });
  assert.equal(read, { data: { user: { name: "Ada" } } });
});

test("@default makes a non-null attribute optional on create, never nullable: an explicit null is refused and nothing is written", async () => {
  const s = await setup(`
    type Query { post(id: ID!): Post @readObject }
    type Mutation { createPost: Post @createObject updatePost: Post @updateObject addPost(title: String!, views: Int): Post @createObject }
    type Post @object(typeId: 1) { id: ID! title: String! views: Int! @default(value: 0) }`);
  assert.match(s.resolvedTypeDefs, /input CreatePostInput \{\n {2}title: String!\n {2}views: Int\n\}/);
  const created = await s.exec(`mutation { createPost(input: { title: "Hi" }) { id views } }`);
  assert.is(created.data.createPost.views, 0);
  const id = created.data.createPost.id;
  const refused: Array<[string, string]> = [
    [`mutation ($id: ID!) { updatePost(id: $id, input: { views: null }) { id } }`, "updatePost: views cannot be null (Post.views is non-null)."],
    [`mutation { createPost(input: { title: "B", views: null }) { id } }`, "createPost: views cannot be null (Post.views is non-null)."],
    [`mutation { addPost(title: "C", views: null) { id } }`, "addPost: views cannot be null (Post.views is non-null)."],
  ];
  for (const [source, message] of refused) {
    const result = await s.exec(source, { id });
    assert.is(result.errors?.length, 1, source);
    assert.is(result.errors[0].message, message);
  }
  assert.is(await s.objects(), 1);
  assert.equal((await s.kvetch.getObject(id))?.data, { title: "Hi", views: 0 });
  assert.equal(await s.exec(`query ($id: ID!) { post(id: $id) { title views } }`, { id }), { data: { post: { title: "Hi", views: 0 } } });
});

test("@default values are coerced to the field's type when the schema is built (an enum name, an ID from an Int)", async () => {
  const s = await setup(`
    type Query { item(id: ID!): Item @readObject }
    type Mutation { createItem(text: String): Item @createObject }
    enum State { OPEN DONE }
    type Item @object(typeId: 1) { id: ID! text: String state: State! @default(value: OPEN) ref: ID @default(value: 7) }`);
  const created = await s.exec(`mutation { createItem(text: "a") { id state ref } }`);
  assert.equal(created.data.createItem.state, "OPEN");
  assert.equal((await s.kvetch.getObject(created.data.createItem.id))?.data, { text: "a", state: "OPEN", ref: "7" });
});

test("@default on a field with a hand-written plan is a schema-build error: that field is not stored", () => {
  assert.throws(
    () =>
      makeKvetchSchema({
        typeDefs: `type Query { a(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! name: String score: Int! @default(value: 1) }`,
        plans: { A: { score: () => constant(3) } },
      }),
    (error: Error) => error.message === "makeKvetchSchema: A.score: @default needs a stored attribute; A.score is computed by a hand-written plan, so no create writes it",
  );
});

test("two argument-less creates (and updates) of one type share one generated input type", async () => {
  const s = await setup(`
    type Query { post(id: ID!): Post @readObject }
    type Mutation { createPost: Post @createObject addPost: Post @createObject updatePost: Post @updateObject editPost: Post @updateObject }
    type Post @object(typeId: 1) { id: ID! title: String }`);
  assert.is(s.resolvedTypeDefs.match(/^input CreatePostInput /gm)?.length, 1);
  assert.is(s.resolvedTypeDefs.match(/^input UpdatePostInput /gm)?.length, 1);
  assert.match(s.resolvedTypeDefs, /addPost\(input: CreatePostInput!\): Post/);
  assert.match(s.resolvedTypeDefs, /editPost\(id: ID!, input: UpdatePostInput!, ifVersion: Int\): Post/);
  const a = await s.exec(`mutation { createPost(input: { title: "a" }) { id } }`);
  const b = await s.exec(`mutation { addPost(input: { title: "b" }) { id } }`);
  const edited = await s.exec(`mutation ($id: ID!) { editPost(id: $id, input: { title: "c" }) { title } }`, { id: b.data.addPost.id });
  assert.equal(edited, { data: { editPost: { title: "c" } } });
  assert.ok(a.data.createPost.id);
  assert.is(await s.objects(), 2);
});

test("a connection the SDL defines without totalCount, edge cursors or a backward PageInfo builds and pages: its plans fill the fields it declares", async () => {
  const { kvetch, exec } = await setup(`
    type Query { user(id: ID!): User @readObject }
    type User @object(typeId: 1) { id: ID! posts(first: Int = 10, after: String): PostPage @edge(name: "wrote", edgeId: 1) }
    type Post @object(typeId: 2) { id: ID! title: String }
    type PostPage { edges: [PostPageEdge!]! pageInfo: ForwardPageInfo! }
    type PostPageEdge { node: Post }
    type ForwardPageInfo { hasNextPage: Boolean! endCursor: String }
  `);
  const user = await kvetch.createObject("User", {});
  const posts = await kvetch.createObjects([{ type: "Post", data: { title: "a" } }, { type: "Post", data: { title: "b" } }]);
  await kvetch.insertEdges("wrote", posts.map((p) => ({ fromId: user.id, toId: p.id })));
  const page = `query ($id: ID!, $after: String) { user(id: $id) { posts(first: 1, after: $after) { edges { node { title } } pageInfo { hasNextPage endCursor } } } }`;
  const one = await exec(page, { id: user.id });
  assert.equal(one.data.user.posts.edges, [{ node: { title: "a" } }]);
  assert.is(one.data.user.posts.pageInfo.hasNextPage, true);
  const two = await exec(page, { id: user.id, after: one.data.user.posts.pageInfo.endCursor });
  assert.equal(two, { data: { user: { posts: { edges: [{ node: { title: "b" } }], pageInfo: { hasNextPage: false, endCursor: two.data.user.posts.pageInfo.endCursor } } } } });
});

test("a custom scalar argument with an object default builds (graphql-js cannot print it, so the resolved SDL is the document as written) and creates with it", async () => {
  const { exec, resolvedTypeDefs } = await setup(`
    scalar JSON
    type Query { doc(id: ID!): Doc @readObject }
    type Mutation { createDoc(meta: JSON = {a: 1}): Doc @createObject }
    type Doc @object(typeId: 1) { id: ID! meta: JSON }
  `);
  // graphql 17 prints the default from its literal, so the resolved SDL is its printed schema there
  assert.match(resolvedTypeDefs, versionInfo.major === 16 ? "createDoc(meta: JSON = {a: 1}): Doc" : "createDoc(meta: JSON = { a: 1 }): Doc");
  const created = await exec(`mutation { createDoc { id meta } }`);
  assert.equal(created.data.createDoc.meta, { a: 1 });
});

const CONNECTION_HEAD = `type Query { a(id: ID!): A @readObject }\ntype A @object(typeId: 1) { id: ID! n: String kids: KidPage @edge(name: "k", edgeId: 1) }\n`;
const RELAY_PAGE_INFO = `type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }`;

const MISUSE: Array<[string, string, string]> = [
  [
    "a connection whose edges' node is a list",
    `${CONNECTION_HEAD}type KidPage { edges: [KidEdge] pageInfo: PageInfo } type KidEdge { cursor: String node: [A] } ${RELAY_PAGE_INFO}`,
    "makeKvetchSchema: A.kids: @edge returns the connection KidPage, whose KidEdge.node must be one stored object for the connection plans to fill it; got [A]",
  ],
  [
    "a connection whose edges are not a list",
    `${CONNECTION_HEAD}type KidPage { edges: KidEdge pageInfo: PageInfo } type KidEdge { node: A } ${RELAY_PAGE_INFO}`,
    "makeKvetchSchema: A.kids: @edge returns the connection KidPage, whose KidPage.edges must be a list of edge objects for the connection plans to fill it; got KidEdge",
  ],
  [
    "a connection whose edge cursor is an Int",
    `${CONNECTION_HEAD}type KidPage { edges: [KidEdge] pageInfo: PageInfo } type KidEdge { cursor: Int node: A } ${RELAY_PAGE_INFO}`,
    "makeKvetchSchema: A.kids: @edge returns the connection KidPage, whose KidEdge.cursor must be a String for the connection plans to fill it; got Int",
  ],
  [
    "a connection whose pageInfo is a scalar",
    `${CONNECTION_HEAD}type KidPage { edges: [KidEdge] pageInfo: String } type KidEdge { node: A }`,
    "makeKvetchSchema: A.kids: @edge returns the connection KidPage, whose KidPage.pageInfo must be one PageInfo object for the connection plans to fill it; got String",
  ],
  [
    "a connection whose nodes are not stored",
    `${CONNECTION_HEAD}type KidPage { edges: [KidEdge] pageInfo: PageInfo } type KidEdge { node: B } type B { x: Int } ${RELAY_PAGE_INFO}`,
    "makeKvetchSchema: A.kids: @edge returns the connection KidPage, whose KidEdge.node is B, not a stored type (@object)",
  ],
  [
    "a generated connection over a PageInfo whose hasPreviousPage is a list",
    `type Query { a(id: ID!): A @readObject }\ntype A @object(typeId: 1) { id: ID! kids: AConnection @edge(name: "k", edgeId: 1) }\ntype PageInfo { hasNextPage: Boolean! hasPreviousPage: [Boolean!]! startCursor: String endCursor: String }`,
    "makeKvetchSchema: A.kids: @edge returns the connection AConnection, whose PageInfo.hasPreviousPage must be a Boolean for the connection plans to fill it; got [Boolean!]!",
  ],
  [
    "an update whose id argument is nullable",
    `type Query { i(id: ID!): Item @readObject } type Mutation { setText(id: ID, text: String): Item @updateObject } type Item @object(typeId: 1) { id: ID! text: String }`,
    "makeKvetchSchema: Mutation.setText: @updateObject needs an argument id: ID!; got id: ID",
  ],
  [
    "a delete whose id argument is nullable",
    `type Query { i(id: ID!): Item @readObject } type Mutation { removeItem(id: ID): Boolean @deleteObject(type: "Item") } type Item @object(typeId: 1) { id: ID! text: String }`,
    "makeKvetchSchema: Mutation.removeItem: @deleteObject needs an argument id: ID!; got id: ID",
  ],
  [
    "a read whose id argument is a list",
    `type Query { i(id: [ID!]!): Item @readObject } type Item @object(typeId: 1) { id: ID! text: String }`,
    "makeKvetchSchema: Query.i: @readObject needs an argument id: ID!; got id: [ID!]!",
  ],
  [
    "a @default that does not fit a Boolean",
    `type Query { i(id: ID!): Item @readObject } type Item @object(typeId: 1) { id: ID! done: Boolean! @default(value: "nope") }`,
    `makeKvetchSchema: Item.done: @default value "nope" does not fit Boolean!: Boolean cannot represent a non boolean value: "nope"`,
  ],
  [
    "a @default that does not fit an Int",
    `type Query { i(id: ID!): Item @readObject } type Item @object(typeId: 1) { id: ID! count: Int! @default(value: 1.5) }`,
    "makeKvetchSchema: Item.count: @default value 1.5 does not fit Int!: Int cannot represent non-integer value: 1.5",
  ],
  [
    "a @default on an @edgeCount field",
    `type Query { a(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! kids: [A!]! @edge(name: "kid", edgeId: 1) n: Int! @edgeCount(edge: "kid") @default(value: 42) }`,
    "makeKvetchSchema: A.n: @default needs a stored attribute; A.n is computed by a planning directive, so no create writes it",
  ],
  [
    "a @default on an object field",
    `type Query { a(id: ID!): A @readObject } type A @object(typeId: 1) { id: ID! other: A @default(value: 1) }`,
    "makeKvetchSchema: A.other: @default needs a stored attribute (a scalar or enum field other than id), got other: A",
  ],
  [
    "one stored-id attribute holding ids of two types",
    `type Query { i(id: ID!): Item @readObject }
     type List @object(typeId: 1) { id: ID! items: [Item!]! @edgeFromStoredId(name: "list_items", edgeId: 1, attr: "parentId") }
     type Folder @object(typeId: 2) { id: ID! name: String }
     type Item @object(typeId: 3) { id: ID! folder: Folder @edgeFromStoredId(attr: "parentId") }`,
    "makeKvetchSchema: Item.folder: @edgeFromStoredId declares that Item.parentId holds Folder ids, but List.items declares it holds List ids; use another attr",
  ],
  [
    "a generated input of a type without attributes",
    `type Query { t(id: ID!): Tag @readObject } type Mutation { createTag: Tag @createObject } type Tag @object(typeId: 1) { id: ID! tagged: [Tag!]! @edge(name: "t", edgeId: 1) }`,
    "makeKvetchSchema: Mutation.createTag: @createObject generates input CreateTagInput, but Tag has no stored attributes to put in it; declare the field's arguments or give Tag an attribute",
  ],
  [
    "a generated input whose name the SDL already defines",
    `type Query { p(id: ID!): Post @readObject } type Mutation { createPost: Post @createObject } input CreatePostInput { title: String } type Post @object(typeId: 1) { id: ID! title: String }`,
    "makeKvetchSchema: Mutation.createPost: @createObject generates input CreatePostInput, which the SDL already defines; declare the field's arguments (createPost(input: CreatePostInput!)) or rename that type",
  ],
  [
    "a create whose arguments cannot give a required attribute",
    `type Query { i(id: ID!): Item @readObject } type Mutation { createItem(note: String): Item @createObject } type Item @object(typeId: 1) { id: ID! title: String! note: String }`,
    "makeKvetchSchema: Mutation.createItem: @createObject cannot write required title (non-null, no @default): add it as an argument or give Item.title a @default",
  ],
  [
    "an @edge reference to an edge that goes to another type",
    `type Query { u(id: ID!): User @readObject }
     type User @object(typeId: 1) { id: ID! posts: [Post!]! @edge(name: "wrote", edgeId: 1) tags: [Tag!]! @edge(name: "wrote") }
     type Post @object(typeId: 2) { id: ID! title: String } type Tag @object(typeId: 3) { id: ID! label: String }`,
    `makeKvetchSchema: User.tags: @edge names edge "wrote" but differs from its declaration (from User to Post)`,
  ],
  [
    "an @edgeCount of an edge that goes from another type",
    `type Query { u(id: ID!): User @readObject }
     type User @object(typeId: 1) { id: ID! posts: [Post!]! @edge(name: "wrote", edgeId: 1) }
     type Post @object(typeId: 2) { id: ID! n: Int! @edgeCount(edge: "wrote") }`,
    `makeKvetchSchema: Post.n: @edgeCount counts edge "wrote", which goes from User to Post, not from Post`,
  ],
  [
    "a @queryIndex over an index of another type",
    `type Query { postByName(name: String!): Post @queryIndex(index: "username") }
     type User @object(typeId: 1) { id: ID! username: String @index(name: "username", indexId: 1) }
     type Post @object(typeId: 2) { id: ID! title: String }`,
    `makeKvetchSchema: Query.postByName: @queryIndex names index "username", which is over User.username, but the field returns Post`,
  ],
  [
    "a @queryIndex of an index no field declares",
    `type Query { byName(name: String!): User @queryIndex(index: "nope") } type User @object(typeId: 1) { id: ID! username: String @index(name: "username", indexId: 1) }`,
    `makeKvetchSchema: Query.byName: @queryIndex names index "nope", which no field declares (@index); declared: "username"`,
  ],
  [
    "a @queryIndex argument of another type than the indexed attribute",
    `type Query { byViews(views: String!): [Post!]! @queryIndex(index: "views") } type Post @object(typeId: 1) { id: ID! views: Int @index(name: "views", indexId: 1) }`,
    `makeKvetchSchema: Query.byViews: @queryIndex argument views: String! cannot match index "views" over Post.views: Int; declare it views: Int`,
  ],
  [
    "an @index on a list attribute",
    `type Query { p(id: ID!): Post @readObject } type Post @object(typeId: 1) { id: ID! tags: [String!] @index(name: "tags", indexId: 1) }`,
    "makeKvetchSchema: Post.tags: @index needs a scalar or enum attribute, got [String!]",
  ],
];

for (const [name, typeDefs, message] of MISUSE) {
  test(`schema-build error: ${name}, located in the SDL`, () => {
    assert.throws(() => makeKvetchSchema({ typeDefs }), (error: Error) => error.message === message || (console.log(error.message), false));
    assert.ok(locatedIn(typeDefs, () => makeKvetchSchema({ typeDefs })), "the error gives the line and column of the directive or its field");
  });
}

test("own keys only: attributes and arguments named like Object.prototype members are written, defaulted and read as declared", async () => {
  const s = await setup(`
    type Query { post(id: ID!): Post @readObject }
    type Mutation { createPost: Post @createObject addPost(title: String!, toString: Int!, constructor: String): Post @createObject }
    type Post @object(typeId: 1) { id: ID! title: String! constructor: String valueOf: String! @default(value: "v") toString: Int! }`);
  // Before, an absent `constructor` was read from Object.prototype (a function: the write failed) and the
  // @default of `valueOf` was never applied (Object.prototype.valueOf stood in for it).
  const plain = await s.exec(`mutation { createPost(input: { title: "A", toString: 3 }) { id valueOf toString constructor } }`);
  assert.is(plain.errors, undefined);
  // Read back, an attribute that is not stored is null, whatever Object.prototype holds under its name.
  assert.equal(await s.exec(`query ($id: ID!) { post(id: $id) { constructor valueOf toString } }`, { id: plain.data.createPost.id }), { data: { post: { constructor: null, valueOf: "v", toString: 3 } } });
  assert.equal((await s.kvetch.getObject(plain.data.createPost.id))?.data, { title: "A", toString: 3, valueOf: "v" });
  const created = await s.exec(`mutation { createPost(input: { title: "B", toString: 3, constructor: "c" }) { id constructor valueOf toString } }`);
  assert.is(created.errors, undefined);
  assert.equal(created.data.createPost.constructor, "c");
  assert.equal((await s.kvetch.getObject(created.data.createPost.id))?.data, { title: "B", toString: 3, constructor: "c", valueOf: "v" });
  // An argument named `constructor` that is not given writes nothing for it (graphql-js's args inherit Object.prototype).
  const added = await s.exec(`mutation { addPost(title: "C", toString: 1) { id } }`);
  assert.is(added.errors, undefined);
  assert.equal((await s.kvetch.getObject(added.data.addPost.id))?.data, { title: "C", toString: 1, valueOf: "v" });
});

test.run();
