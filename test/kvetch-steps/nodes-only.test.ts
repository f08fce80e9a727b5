// NodesOnly: a node load whose items are read for nothing but their node and id builds `{ toId, node }`
// items, and its loadEdges list reads target ids only (getEdgeTargets) — and anything that reads more of an
// edge (an access of another field, a step given the whole item, a branch that may still be planned) keeps
// the full items. Results, stale-row drops and store calls are the same either way.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { planBody, withBody } from "../plans/planText.js";
import { GraphQLSchema, parse } from "graphql";
import { execute, exportPlan, getPlanCacheStats, importPlan, makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { each, lambda, object } from "../../steps/index.js";
import { LoadNodesStep, loadEdges, loadObject, queryIndex } from "../../steps/kvetch/index.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { listsBesideUnionQuery, listsBesideUnionSchema, moveButCrash, planOf, seededStore } from "./todo.js";

/** Per edge name: whether its node load is slim and whether its list reads ids only. */
function formsOf(plan: ReturnType<typeof planOf>): Record<string, [boolean, boolean]> {
  const out: Record<string, [boolean, boolean]> = {};
  for (const step of plan.liveSteps()) {
    if (!(step instanceof LoadNodesStep)) continue;
    const $list = step.$list;
    out[$list.name] = [step.slim, $list.idsOnly];
  }
  return out;
}

/** Counts the store's list reads by method. */
function countReads(kvetch: object): Record<string, number> {
  const counts: Record<string, number> = { getEdges: 0, getEdgeTargets: 0 };
  const store = kvetch as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ["getEdges", "getEdgeTargets"]) {
    const read = store[method]!.bind(kvetch);
    store[method] = (...args: unknown[]) => {
      counts[method]!++;
      return read(...args);
    };
  }
  return counts;
}

const json = (value: unknown): any => JSON.parse(JSON.stringify(value));

// The todo view's lists, with each item's edge `created` shown beside the item: the item list's items are read
// for a field of the edge, so they stay whole; the user's lists are still read for their nodes only.
const withAddedAt = makeSchema({
  typeDefs: `type Query { user(id: ID!): User } type User { lists: [TodoList!]! }
    type TodoList { name: String items: [Entry!]! } type Entry { text: String addedAt: Float }`,
  plans: {
    Query: { user: (_$root: Step, args: FieldArgs) => loadObject("User", args.get("id")) },
    User: { lists: ($user: Step) => each(loadEdges("user_to_list", $user.get("id"), { first: 10 }), ($e) => loadObject("TodoList", $e.get("toId"))) },
    TodoList: {
      name: ($list: Step) => $list.get("name"),
      items: ($list: Step) =>
        each(loadEdges("list_to_item", $list.get("id"), { first: 5 }), ($e) => object({ item: loadObject("TodoItem", $e.get("toId")), addedAt: $e.get("created") })),
    },
    Entry: { text: ($entry: Step) => $entry.get(["item", "data", "text"]), addedAt: ($entry: Step) => $entry.get("addedAt") },
  },
});
const addedAtQuery = `query ($id: ID!) { user(id: $id) { lists { name items { text addedAt } } } }`;

test("the todo view's node loads are slim and read target ids; a plan that reads an edge field keeps that list whole", async () => {
  const { kvetch, seed } = await seededStore({ users: 2, listsPerUser: 3, itemsPerList: 4 });
  const id = seed.userIds[0]!;
  assert.equal(formsOf(planOf(todoSchema, todoViewQuery, { id })), { user_to_list: [true, true], list_to_item: [true, true] });
  assert.equal(formsOf(planOf(withAddedAt, addedAtQuery, { id })), { user_to_list: [true, true], list_to_item: [false, false] });

  const reads = countReads(kvetch);
  const view = json(await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id }, contextValue: { kvetch } }));
  assert.equal(reads, { getEdges: 0, getEdgeTargets: 2 });
  const whole = json(await execute({ schema: withAddedAt, document: parse(addedAtQuery), variableValues: { id }, contextValue: { kvetch } }));
  assert.equal(reads, { getEdges: 1, getEdgeTargets: 3 });
  assert.is(view.errors, undefined);
  assert.is(whole.errors, undefined);
  // The same lists and items either way; the whole items carry the edges' own fields.
  const texts = (lists: { todoItems?: { text: string }[]; items?: { text: string }[] }[]) => lists.map((l) => (l.todoItems ?? l.items)!.map((i) => i.text));
  assert.equal(texts(whole.data.user.lists), texts(view.data.todoUser.todoLists));
  assert.equal(texts(view.data.todoUser.todoLists)[1], ["list 2, item 1", "list 2, item 2", "list 2, item 3", "list 2, item 4"]);
  const pages = await kvetch.getEdges("list_to_item", seed.listIds[0]!, { first: 5 });
  assert.equal(
    whole.data.user.lists.map((l: { items: { addedAt: number }[] }) => l.items.map((i) => i.addedAt)),
    pages.map((p) => p.edges.map((e) => e.created)),
  );
});

test("a stale derived row is dropped the same way from slim items (target ids) and from whole items", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 3 });
  const id = seed.userIds[0]!;
  await moveButCrash(kvetch, "TodoItem", seed.itemIds[0]![0]![1]!, { listId: seed.listIds[0]![1]! });
  await moveButCrash(kvetch, "TodoList", seed.listIds[0]![1]!, { userId: seed.userIds[0]!.replace(/^./, (c) => (c === "0" ? "1" : "0")) });
  kvetch.resetCounters();
  const view = json(await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id }, contextValue: { kvetch } }));
  assert.is(kvetch.counters.calls, 5);
  const whole = json(await execute({ schema: withAddedAt, document: parse(addedAtQuery), variableValues: { id }, contextValue: { kvetch } }));
  // The second list moved away (its user_to_list row is stale), and the first list's second item moved to it.
  assert.equal(view.data.todoUser.todoLists, [{ name: "Alice's list 1", todoItems: [{ text: "list 1, item 1" }, { text: "list 1, item 3" }] }]);
  assert.equal(whole.data.user.lists.map((l: { name: string; items: { text: string }[] }) => [l.name, l.items.map((i) => i.text)]), [["Alice's list 1", ["list 1, item 1", "list 1, item 3"]]]);
});

test("an index list's node load is slim too, its entries read whole (the store reads no index target ids alone)", async () => {
  const { kvetch, seed } = await seededStore({ users: 3, listsPerUser: 1, itemsPerList: 1 });
  const schema = makeSchema({
    typeDefs: `type Query { named(username: String!): [User!]! } type User { id: ID! name: String }`,
    plans: {
      Query: { named: (_$root: Step, args: FieldArgs) => each(queryIndex("username", args.get("username")), ($e) => loadObject("User", $e.get("targetId"))) },
      User: { id: ($user: Step) => $user.get("id"), name: ($user: Step) => $user.get("name") },
    },
  });
  const query = `query ($username: String!) { named(username: $username) { id name } }`;
  assert.equal(formsOf(planOf(schema, query, { username: "alice" })), { username: [true, false] });
  const [alice] = await kvetch.getObjects([seed.userIds[0]!]);
  const result = json(await execute({ schema, document: parse(query), variableValues: { username: alice!.data.username }, contextValue: { kvetch } }));
  assert.equal(result, { data: { named: [{ id: alice!.id, name: alice!.data.name }] } });
});

test("a parent id given in upper case is re-checked in its canonical form: the same items", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 3 });
  const schema = makeSchema({
    typeDefs: `type Query { listItems(listId: ID!): [TodoItem!]! } type TodoItem { text: String }`,
    plans: {
      Query: { listItems: (_$root: Step, args: FieldArgs) => each(loadEdges("list_to_item", args.get("listId")), ($e) => loadObject("TodoItem", $e.get("toId"))) },
      TodoItem: { text: ($item: Step) => $item.get("text") },
    },
  });
  const query = `query ($listId: ID!) { listItems(listId: $listId) { text } }`;
  const listId = seed.listIds[0]![1]!;
  assert.equal(formsOf(planOf(schema, query, { listId })), { list_to_item: [true, true] });
  const run = async (value: string) => json(await execute({ schema, document: parse(query), variableValues: { listId: value }, contextValue: { kvetch } }));
  const expected = { data: { listItems: [{ text: "list 2, item 1" }, { text: "list 2, item 2" }, { text: "list 2, item 3" }] } };
  assert.equal(await run(listId), expected);
  assert.equal(await run(listId.toUpperCase()), expected);
});

test("a step given the whole edge, or a branch that may still be planned, keeps the items whole", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 2 });
  const id = seed.userIds[0]!;
  const edgeStep = makeSchema({
    typeDefs: `type Query { user(id: ID!): User } type User { lists: [Entry!]! } type Entry { name: String from: String }`,
    plans: {
      Query: { user: (_$root: Step, args: FieldArgs) => loadObject("User", args.get("id")) },
      User: {
        lists: ($user: Step) =>
          each(loadEdges("user_to_list", $user.get("id")), ($e) => object({ list: loadObject("TodoList", $e.get("toId")), from: lambda($e, (edge: { fromId: string }) => edge.fromId) })),
      },
      Entry: { name: ($entry: Step) => $entry.get(["list", "data", "name"]), from: ($entry: Step) => $entry.get("from") },
    },
  });
  const edgeQuery = `query ($id: ID!) { user(id: $id) { lists { name from } } }`;
  assert.equal(formsOf(planOf(edgeStep, edgeQuery, { id })), { user_to_list: [false, false] });
  const result = json(await execute({ schema: edgeStep, document: parse(edgeQuery), variableValues: { id }, contextValue: { kvetch } }));
  assert.equal(result.data.user.lists, [
    { name: "Alice's list 1", from: id },
    { name: "Alice's list 2", from: id },
  ]);

  const query = listsBesideUnionQuery;
  const partial = listsBesideUnionSchema;
  assert.equal(formsOf(planOf(partial(true), query, { id })), { user_to_list: [false, false] });
  assert.equal(formsOf(planOf(partial(false), query, { id })), { user_to_list: [true, true] });
  const reads = countReads(kvetch);
  const results = [];
  for (const schema of [partial(true), partial(false)]) results.push(json(await execute({ schema, document: parse(query), variableValues: { id }, contextValue: { kvetch } })));
  assert.equal(reads, { getEdges: 1, getEdgeTargets: 1 });
  assert.equal(results[0], results[1]);
  assert.equal(results[0].data.user.lists, [{ name: "Alice's list 1" }, { name: "Alice's list 2" }]);
});

test("an exported plan keeps its item forms; one whose list reads ids but whose node load is not slim is refused", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 2 });
  const id = seed.userIds[0]!;
  const document = parse(todoViewQuery);
  const text = exportPlan(todoSchema, document, undefined, { id });
  const expected = json(await execute({ schema: todoSchema, document, variableValues: { id }, contextValue: { kvetch } }));
  const fresh = new GraphQLSchema(todoSchema.toConfig());
  assert.ok(importPlan(fresh, document, text, undefined, { id }));
  assert.equal(formsOf(planOf(fresh, todoViewQuery, { id })), { user_to_list: [true, true], list_to_item: [true, true] });
  assert.is(getPlanCacheStats(fresh).plansBuilt, 0);
  assert.equal(json(await execute({ schema: fresh, document, variableValues: { id }, contextValue: { kvetch } })), expected);

  // The node loads' shape fixes slim at true: written as false, their lists would hand them ids they cannot copy.
  const body = planBody<{ shapes: string }>(text);
  const shapes = JSON.parse(body.shapes) as [string[], number[]?, unknown[]?][];
  const shape = shapes.find(([keys]) => keys.includes("slim"))!;
  const fixedAt = shape[1]!.indexOf(shape[0].indexOf("slim"));
  assert.ok(fixedAt >= 0 && shape[2]![fixedAt] === true, "slim is fixed at true for both node loads");
  shape[2]![fixedAt] = false;
  body.shapes = JSON.stringify(shapes);
  const forged = withBody(text, JSON.stringify(body));
  const warnings: string[] = [];
  const graphscale = (todoSchema.extensions as { graphscale: object }).graphscale;
  const other = new GraphQLSchema({ ...todoSchema.toConfig(), extensions: { graphscale: { ...graphscale, onPlanWarning: (message: string) => void warnings.push(message) } } });
  assert.is(importPlan(other, document, forged, undefined, { id }), false);
  assert.match(warnings.join("\n"), "it builds full items from a list of ids");
  assert.equal(json(await execute({ schema: other, document, variableValues: { id }, contextValue: { kvetch } })), expected);
  assert.is(getPlanCacheStats(other).plansBuilt, 1);
});

test.run();
