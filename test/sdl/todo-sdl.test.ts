// The todo example from annotated SDL (examples/todo/todo.graphql + sdlSchema.ts): the same GraphQL API, the
// same Kvetch schema, the same results and store calls as the hand-planned examples/todo/schema.ts — and
// generated mutations that check their input before writing anything.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { printSchema, type GraphQLSchema, versionInfo } from "graphql";
import { graphql } from "../../src/index.js";
import { newId, type Kvetch } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { todoSdlKvetchSchema, todoSdlSchema } from "../../examples/todo/sdlSchema.js";
import { seededStore } from "../kvetch-steps/todo.js";

async function run(kvetch: Kvetch, schema: GraphQLSchema, query: string, variableValues: Record<string, unknown> = {}) {
  kvetch.resetCounters();
  // graphql(): parse, validate, execute — as a server does.
  const result = await graphql({ schema, source: query, variableValues, contextValue: { kvetch } });
  const plain = JSON.parse(JSON.stringify({ data: result.data, errors: result.errors?.map((e) => ({ message: e.message, path: e.path })) }));
  return { ...plain, calls: kvetch.counters.calls, shardQueries: [...kvetch.counters.shardQueries] };
}

async function objectCount(kvetch: Kvetch): Promise<number> {
  return (await kvetch.stats()).reduce((n, s) => n + s.objects, 0);
}

const nonBlank = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8").split("\n").filter((l) => l.trim() !== "").length;

test("todo SDL: at most 60 lines of SDL and code together (todo.graphql + sdlSchema.ts)", () => {
  const sdl = nonBlank("../../examples/todo/todo.graphql");
  const code = nonBlank("../../examples/todo/sdlSchema.ts");
  console.log(`  todo schema: ${sdl} lines of SDL + ${code} lines of code = ${sdl + code} (hand-planned schema.ts: ${nonBlank("../../examples/todo/schema.ts")})`);
  assert.ok(sdl + code <= 60, `${sdl} + ${code} lines`);
});

test("todo SDL: the same GraphQL API (printed schemas equal) and the same Kvetch schema as the hand-written one", () => {
  assert.is(printSchema(todoSdlSchema), printSchema(todoSchema));
  const config = (s: typeof todoKvetchSchema) => JSON.parse(JSON.stringify({ objects: s.objects, edges: s.edges, indexes: s.indexes }));
  assert.equal(config(todoSdlKvetchSchema), config(todoKvetchSchema));
});

test("todo SDL: the todo view makes the same 5 store calls and equals the hand-planned result", async () => {
  const { kvetch, seed } = await seededStore({ users: 2, listsPerUser: 10, itemsPerList: 5 });
  for (const id of seed.userIds) {
    const sdl = await run(kvetch, todoSdlSchema, todoViewQuery, { id });
    const hand = await run(kvetch, todoSchema, todoViewQuery, { id });
    assert.is(sdl.calls, 5);
    assert.equal(sdl.shardQueries, hand.shardQueries);
    assert.equal(sdl, hand);
    assert.is(sdl.data.todoUser.todoLists[9].todoItems[4].text, "list 10, item 5");
  }
});

const READS: Array<[string, string, number]> = [
  ["connection + count", `query ($id: ID!) { todoUser(id: $id) { todoListCount todoListsConnection(first: 3) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id name } } } } }`, 4],
  ["owner and list from stored ids", `query ($id: ID!) { todoUser(id: $id) { todoLists(first: 2) { owner { name } todoItems(first: 2) { done list { name } } } } }`, 7],
  ["userByUsername", `{ userByUsername(username: "alice") { id name username } }`, 2],
  ["missing user", `{ todoUser(id: "${newId()}") { name } }`, 1],
];

for (const [name, query, calls] of READS) {
  test(`todo SDL: ${name} — same result and ${calls} store calls, like the hand-planned schema`, async () => {
    const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 5, itemsPerList: 3 });
    const sdl = await run(kvetch, todoSdlSchema, query, { id: seed.userIds[0] });
    const hand = await run(kvetch, todoSchema, query, { id: seed.userIds[0] });
    assert.is(sdl.errors, undefined);
    assert.equal(sdl, hand);
    assert.is(sdl.calls, calls);
  });
}

/**
 * Creates, updates and deletes through `schema` on a freshly seeded store (the same seed every time): each
 * step's result, with the seed's ids and new ids replaced by names (ids differ per store), and store calls.
 */
async function mutationRun(schema: GraphQLSchema) {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 0 });
  const listId = seed.listIds[0]![0]!;
  const userId = seed.userIds[0]!;
  const names = new Map<string, string>([
    [listId, "<list>"],
    [userId, "<user>"],
  ]);
  const named = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (_key, v: unknown) => {
      if (typeof v !== "string" || !/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(v)) return v;
      if (!names.has(v)) names.set(v, `<new ${names.size - 2}>`);
      return names.get(v);
    });
  const steps: { data: unknown; errors: unknown; calls: number }[] = [];
  const step = async (query: string, variables: Record<string, unknown>) => {
    const result = await run(kvetch, schema, query, variables);
    steps.push({ data: named(result.data), errors: result.errors, calls: result.calls });
    return result;
  };
  await step(`mutation ($l: ID!) { createTodoItem(listId: $l, text: "milk") { id text done list { id } } }`, { l: listId });
  const many = await step(`mutation ($l: ID!) { createTodoItems(listId: $l, texts: ["a", "b"]) { id text } }`, { l: listId });
  const itemId = many.data.createTodoItems[0].id;
  await step(`mutation ($id: ID!) { setTodoItemDone(id: $id, done: true) { id text done } }`, { id: itemId });
  await step(`mutation ($u: ID!) { createTodoList(userId: $u, name: "new") { id name owner { id name } } }`, { u: userId });
  await step(`mutation ($id: ID!) { deleteTodoItem(id: $id) }`, { id: itemId });
  const items = await run(kvetch, schema, `query ($l: ID!) { todoList(id: $l) { todoItems(first: 10) { id text done } } }`, { l: listId });
  return { steps, items: named(items.data), objects: await objectCount(kvetch) };
}

test("todo SDL mutations: create, update, delete and the hand-written createTodoItems give the hand-planned schema's results on an identically seeded store; SDL store calls 3, 2, 2, 3, 2", async () => {
  const sdl = await mutationRun(todoSdlSchema);
  const hand = await mutationRun(todoSchema);
  // each generated mutation checks the ids it names first (one call); the hand-planned deleteTodoItem is one
  // typed delete, so the two schemas' calls are not compared
  assert.equal(sdl.steps.map((s) => s.calls), [3, 2, 2, 3, 2]);
  const results = (r: typeof sdl) => r.steps.map(({ data, errors }) => ({ data, errors }));
  assert.equal(results(sdl), results(hand));
  assert.equal(sdl.items, hand.items);
  assert.is(sdl.objects, hand.objects);
  // what both gave
  assert.equal(results(sdl), [
    { data: { createTodoItem: { id: "<new 0>", text: "milk", done: false, list: { id: "<list>" } } }, errors: undefined },
    { data: { createTodoItems: [{ id: "<new 1>", text: "a" }, { id: "<new 2>", text: "b" }] }, errors: undefined },
    { data: { setTodoItemDone: { id: "<new 1>", text: "a", done: true } }, errors: undefined },
    { data: { createTodoList: { id: "<new 3>", name: "new", owner: { id: "<user>", name: "Alice" } } }, errors: undefined },
    { data: { deleteTodoItem: true }, errors: undefined },
  ]);
  assert.equal(sdl.items, { todoList: { todoItems: [{ id: "<new 0>", text: "milk", done: false }, { id: "<new 2>", text: "b", done: false }] } });
});

test("todo SDL mutations validate: missing or mistyped arguments, unknown ids, wrong object types — clear errors, nothing written", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  const listId = seed.listIds[0]![0]!;
  const userId = seed.userIds[0]!;
  const itemId = seed.itemIds[0]![0]![0]!;
  const before = await objectCount(kvetch);
  const ITEM = `query ($id: ID!) { todoItem(id: $id) { text done list { id } } }`;
  const itemBefore = await run(kvetch, todoSdlSchema, ITEM, { id: itemId });
  const missingId = newId();
  const cases: Array<[string, Record<string, unknown>, RegExp, number]> = [
    [`mutation { createTodoItem(listId: "${listId}") { id } }`, {}, versionInfo.major === 16 ? /argument "text" of type "String!" is required/ : /Argument "Mutation.createTodoItem\(text:\)" of type "String!" is required/, 0],
    [`mutation { createTodoItem(listId: "${listId}", text: 5) { id } }`, {}, /String cannot represent a non string value: 5/, 0],
    [`mutation ($t: String!) { createTodoItem(listId: "${listId}", text: $t) { id } }`, { t: null }, versionInfo.major === 16 ? /Variable "\$t" of non-null type "String!" must not be null/ : /Variable "\$t" has invalid value: Expected value of non-null type "String!" not to be null/, 0],
    [`mutation { createTodoItem(listId: "${missingId}", text: "x") { id } }`, {}, new RegExp(`^createTodoItem: listId "${missingId}" names no TodoList\\.$`), 1],
    [`mutation { createTodoItem(listId: "${userId}", text: "x") { id } }`, {}, new RegExp(`^createTodoItem: listId "${userId}" is of type User, not TodoList\\.$`), 1],
    [`mutation { createTodoItem(listId: "not-an-id", text: "x") { id } }`, {}, /^createTodoItem: listId "not-an-id" is not an object id\.$/, 0],
    [`mutation { createTodoList(userId: "${listId}", name: "x") { id } }`, {}, /is of type TodoList, not User/, 1],
    [`mutation { setTodoItemDone(id: "${missingId}", done: true) { id } }`, {}, new RegExp(`^setTodoItemDone: id "${missingId}" names no TodoItem\\.$`), 1],
    [`mutation { setTodoItemDone(id: "${listId}", done: true) { id } }`, {}, /^setTodoItemDone: id "[^"]+" is of type TodoList, not TodoItem\.$/, 1],
    [`mutation { deleteTodoItem(id: "${userId}") }`, {}, /^deleteTodoItem: id "[^"]+" is of type User, not TodoItem\.$/, 1],
    [`mutation { deleteTodoItem(id: "${missingId}") }`, {}, /names no TodoItem/, 1],
  ];
  for (const [query, variables, message, calls] of cases) {
    const result = await run(kvetch, todoSdlSchema, query, variables);
    assert.is(result.errors?.length, 1, query);
    assert.match(result.errors[0].message, message);
    assert.is(result.calls, calls, `${query}: ${result.calls} calls`);
  }
  assert.is(await objectCount(kvetch), before);
  assert.equal((await run(kvetch, todoSdlSchema, ITEM, { id: itemId })).data, itemBefore.data);
});

test.run();
