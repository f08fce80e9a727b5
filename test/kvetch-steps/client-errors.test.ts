// Errors a client's input causes reach GraphQL as GraphQLErrors with `extensions.code` through every Kvetch
// step: malformed or wrong-type ids (a number, an object), a bad first/after, bad write data,
// through graphscale's execute on the memory backend; bad input is refused before any store call.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { graphql, makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import {
  Kvetch,
  createObject,
  defineSchema,
  deleteObject,
  edgeCount,
  insertEdge,
  loadEdges,
  loadObject,
  makeKvetchSchema,
  memoryBackend,
  queryIndex,
  updateObject,
} from "../../steps/kvetch/index.js";
import { seedTodo } from "../../examples/todo/seed.js";

const todo = makeKvetchSchema({ typeDefs: readFileSync(new URL("../../examples/todo/todo.graphql", import.meta.url), "utf8") });

async function todoStore() {
  const kvetch = new Kvetch({ schema: todo.kvetchSchema, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const seed = await seedTodo(kvetch as never, { users: 1, listsPerUser: 2, itemsPerList: 3 });
  kvetch.resetCounters();
  return { kvetch, userId: seed.userIds[0]! };
}

interface Result {
  data?: unknown;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}

async function run(schema: Parameters<typeof graphql>[0]["schema"], kvetch: Kvetch, source: string, variableValues: Record<string, unknown> = {}): Promise<Result> {
  return JSON.parse(JSON.stringify(await graphql({ schema, source, variableValues, contextValue: { kvetch } })));
}

function onlyError(result: Result): NonNullable<Result["errors"]>[number] {
  assert.is(result.errors?.length, 1, JSON.stringify(result));
  return result.errors![0]!;
}

// Through the annotated SDL's plans (what a server built from the README serves).
const sdlCases: Array<[string, string, (userId: string) => Record<string, unknown>, string, RegExp]> = [
  ["a malformed id", `query ($id: ID!) { todoUser(id: $id) { id } }`, () => ({ id: "nope" }), "BAD_USER_INPUT", /"nope" is not a UUID .* in loadObject\("User"\)/],
  ["a negative first", `query ($id: ID!) { todoUser(id: $id) { todoLists(first: -1) { id } } }`, (id) => ({ id }), "BAD_USER_INPUT", /first = -1; first must be a non-negative integer/],
  ["a negative first on a connection", `query ($id: ID!) { todoUser(id: $id) { todoListsConnection(first: -2) { edges { node { id } } } } }`, (id) => ({ id }), "BAD_USER_INPUT", /first = -2/],
  ["a malformed after", `query ($id: ID!) { todoUser(id: $id) { todoLists(after: "zzz") { id } } }`, (id) => ({ id }), "BAD_USER_INPUT", /"zzz" is not a Kvetch cursor .* in loadEdges\("user_to_list"\) after/],
  ["a malformed id on an update", `mutation { setTodoItemDone(id: "x", done: true) { id } }`, () => ({}), "BAD_USER_INPUT", /setTodoItemDone: id "x" is not an object id/],
  ["a malformed id on a delete", `mutation { deleteTodoItem(id: "x") }`, () => ({}), "BAD_USER_INPUT", /deleteTodoItem: id "x" is not an object id/],
  ["a malformed stored id on a create", `mutation { createTodoItem(listId: "x", text: "a") { id } }`, () => ({}), "BAD_USER_INPUT", /createTodoItem: listId "x" is not an object id/],
  ["a missing object on an update", `mutation { setTodoItemDone(id: "00000000-0000-4000-8000-000000000000", done: true) { id } }`, () => ({}), "NOT_FOUND", /names no TodoItem/],
  ["a wrong-type id on an update", `mutation ($id: ID!) { setTodoItemDone(id: $id, done: true) { id } }`, (id) => ({ id }), "WRONG_TYPE", /is of type User, not TodoItem/],
];

for (const [name, source, vars, code, message] of sdlCases) {
  test(`annotated SDL: ${name} reaches the client with code ${code} and its message`, async () => {
    const { kvetch, userId } = await todoStore();
    const error = onlyError(await run(todo.schema, kvetch, source, vars(userId)));
    assert.is(error.extensions?.code, code, JSON.stringify(error));
    assert.match(error.message, message);
  });
}

// Hand-written plans fed whatever the client sends (a JSON scalar): a number or an object where an id string
// is expected is that entry's BAD_USER_INPUT, never an internal TypeError, and nothing is written.
const blogStore = defineSchema({
  objects: [
    { name: "Author", typeId: 1 },
    { name: "Post", typeId: 2 },
  ],
  edges: [{ name: "likes", edgeId: 1, fromType: "Author", toType: "Post" }],
  indexes: [{ name: "by_name", indexId: 1, indexedType: "Author", indexedAttr: "name" }],
});

const anyArg = (args: FieldArgs): Step => args.get("v");
const blog = makeSchema({
  typeDefs: /* GraphQL */ `
    scalar Any
    type Query {
      author(v: Any): Author
      likes(v: Any, first: Any): [String!]
      likeCount(v: Any): Int
      byName(v: Any, first: Any): [String!]
    }
    type Mutation {
      rename(v: Any, patch: Any): Author
      remove(v: Any): Boolean
      like(v: Any, to: Any): Boolean
      create(v: Any): Author
    }
    type Author { id: ID! }
  `,
  plans: {
    Query: {
      author: (_: Step, args: FieldArgs) => loadObject("Author", anyArg(args)),
      likes: (_: Step, args: FieldArgs) => loadEdges("likes", anyArg(args), { first: args.get("first") }).get("toId" as never),
      likeCount: (_: Step, args: FieldArgs) => edgeCount("likes", anyArg(args)),
      byName: (_: Step, args: FieldArgs) => queryIndex("by_name", anyArg(args), { first: args.get("first") }).get("id" as never),
    },
    Mutation: {
      rename: (_: Step, args: FieldArgs) => updateObject("Author", anyArg(args), args.get("patch")),
      remove: (_: Step, args: FieldArgs) => deleteObject("Author", anyArg(args)),
      like: (_: Step, args: FieldArgs) => insertEdge("likes", anyArg(args), args.get("to")).get("edge" as never),
      create: (_: Step, args: FieldArgs) => createObject("Author", anyArg(args)),
    },
  },
});

async function blogKvetch() {
  const kvetch = new Kvetch({ schema: blogStore, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const author = await kvetch.createObject("Author", { name: "Ada" });
  kvetch.resetCounters();
  return { kvetch, author };
}

const planCases: Array<[string, string, (id: string) => Record<string, unknown>, RegExp]> = [
  ["loadObject given a number", `query ($v: Any) { author(v: $v) { id } }`, () => ({ v: 12 }), /12 \(number\) is not a UUID .* in loadObject\("Author"\)/],
  ["loadObject given an object", `query ($v: Any) { author(v: $v) { id } }`, () => ({ v: { id: "x" } }), /is not a UUID .* in loadObject\("Author"\)/],
  ["loadEdges given a number", `query ($v: Any) { likes(v: $v) }`, () => ({ v: 7 }), /7 \(number\) is not a UUID .* in loadEdges\("likes"\)/],
  ["loadEdges given first = 1.5", `query ($v: Any) { likes(v: $v, first: 1.5) }`, (id) => ({ v: id }), /first = 1\.5; first must be a non-negative integer/],
  ["loadEdges given first = \"3\"", `query ($v: Any) { likes(v: $v, first: "3") }`, (id) => ({ v: id }), /first = "3"; first must be a non-negative integer/],
  ["edgeCount given an object", `query ($v: Any) { likeCount(v: $v) }`, () => ({ v: { a: 1 } }), /is not a UUID .* in edgeCount\("likes"\)/],
  ["queryIndex given a negative first", `query ($v: Any) { byName(v: $v, first: -3) }`, () => ({ v: "Ada" }), /queryIndex\("by_name"\) was given first = -3/],
  ["updateObject given a number", `mutation ($v: Any) { rename(v: $v, patch: { name: "B" }) { id } }`, () => ({ v: 5 }), /5 \(number\) is not a UUID .* in updateObject\("Author"\)/],
  ["updateObject given a string patch", `mutation ($v: Any) { rename(v: $v, patch: "B") { id } }`, (id) => ({ v: id }), /updateObject\("Author"\) was given the patch "B"; a patch is an object/],
  ["deleteObject given an object", `mutation ($v: Any) { remove(v: $v) }`, () => ({ v: { id: 1 } }), /is not a UUID .* in deleteObject\("Author"\)/],
  ["insertEdge given a number", `mutation ($v: Any, $to: Any) { like(v: $v, to: $to) }`, (id) => ({ v: id, to: 9 }), /9 \(number\) is not a UUID .* in insertEdge\("likes"\)/],
  ["createObject given a list", `mutation ($v: Any) { create(v: $v) { id } }`, () => ({ v: [1] }), /createObject\("Author"\) was given the data a list; data is an object/],
];

for (const [name, source, vars, message] of planCases) {
  test(`plans: ${name} is BAD_USER_INPUT naming the step, no TypeError, nothing written`, async () => {
    const { kvetch, author } = await blogKvetch();
    const error = onlyError(await run(blog, kvetch, source, vars(author.id)));
    assert.is(error.extensions?.code, "BAD_USER_INPUT", JSON.stringify(error));
    assert.match(error.message, message);
    assert.not.match(error.message, /TypeError|Cannot read|is not a function/);
    assert.is(kvetch.counters.calls, 0, "bad input is refused before any store call");
    const again = await kvetch.getObject(author.id);
    assert.equal(again?.data, { name: "Ada" });
    assert.is(again?.version, author.version);
  });
}

test("plans: a BAD_ID entry fails alone; the good entries of the same batch are read", async () => {
  const { kvetch, author } = await blogKvetch();
  const result = await run(blog, kvetch, `query ($a: Any, $b: Any) { a: author(v: $a) { id } b: author(v: $b) { id } }`, { a: author.id, b: 3 });
  assert.equal(result.data, { a: { id: author.id }, b: null });
  assert.is(onlyError(result).extensions?.code, "BAD_USER_INPUT");
});

test.run();
