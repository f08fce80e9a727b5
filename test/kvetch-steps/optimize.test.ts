// The plan-time side of the Kvetch steps: loadObject over edge items is loaded right behind the edge list
// (and re-checks it), first/after are global dependencies pushed into the query, a lone first() caps the
// query at one row, per-entry page sizes still make one call, and one schema serves many stores.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type GraphQLSchema } from "graphql";
import { execute, getPlanCacheStats, makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { context, each, first, lambda } from "../../steps/index.js";
import { LoadEdgesStep, LoadNodesStep, LoadObjectStep, loadEdges, loadObject } from "../../steps/kvetch/index.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { listsBesideUnionQuery, listsBesideUnionSchema, planOf, seededStore } from "./todo.js";

test("plan: the todo view has 5 Kvetch loads; lists and items are loaded right behind their edges", async () => {
  const plan = planOf(todoSchema, todoViewQuery, { id: "x" });
  const steps = plan.liveSteps();
  const objects = steps.filter((s) => s instanceof LoadObjectStep) as LoadObjectStep[];
  const edges = steps.filter((s) => s instanceof LoadEdgesStep) as LoadEdgesStep[];
  const nodes = steps.filter((s) => s instanceof LoadNodesStep) as LoadNodesStep[];
  assert.equal(objects.map((s) => s.type), ["User"]);
  assert.equal(edges.map((s) => s.name).sort(), ["list_to_item", "user_to_list"]);
  assert.equal(nodes.map((s) => s.type).sort(), ["TodoItem", "TodoList"]);
  // The re-check happens behind the edge query, so the edge query reads edge rows only.
  for (const s of edges) assert.is(s.settings.verify, false);
  // first and after come from arguments: global dependencies, one value for the whole batch.
  for (const s of edges) assert.equal(s.dependencyIsGlobal.slice(0, 4), [false, true, true, true]);
});

const userTypeDefs = /* GraphQL */ `
  type Query { user(id: ID!): User }
  type User { name: String firstList: TodoList lists: [TodoList!]! }
  type TodoList { name: String items(perList: Int): [TodoItem!]! }
  type TodoItem { text: String }
`;

function userSchema(options: { lists?: boolean } = {}) {
  return makeSchema({
    typeDefs: userTypeDefs,
    plans: {
      Query: { user: (_$root: Step, args: FieldArgs) => loadObject("User", args.get("id")) },
      User: {
        name: ($user: Step) => $user.get("name"),
        firstList: ($user: Step) => loadObject("TodoList", first(loadEdges("user_to_list", $user.get("id"))).get("toId")),
        lists: ($user: Step) =>
          options.lists === false ? lambda($user, () => []) : each(loadEdges("user_to_list", $user.get("id")), ($e) => loadObject("TodoList", $e.get("toId"))),
      },
      TodoList: {
        name: ($list: Step) => $list.get("name"),
        // A page size that differs per list: list n shows n items.
        items: ($list: Step) =>
          each(loadEdges("list_to_item", $list.get("id"), { first: lambda($list.get("name"), (name: string) => Number(/\d+$/.exec(name)![0])) }), ($e) =>
            loadObject("TodoItem", $e.get("toId")),
          ),
      },
      TodoItem: { text: ($item: Step) => $item.get("text") },
    },
  });
}

test("first() over loadEdges is folded into the query limit: 2 edge rows read, not 10", async () => {
  const { kvetch, seed } = await seededStore();
  const schema = userSchema({ lists: false });
  const query = `query ($id: ID!) { user(id: $id) { firstList { name } } }`;
  const plan = planOf(schema, query, { id: seed.userIds[0] });
  const $edges = plan.liveSteps().find((s) => s instanceof LoadEdgesStep) as LoadEdgesStep;
  assert.is($edges.limitCap, 1);
  const result = await execute({ schema, document: parse(query), variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } });
  assert.equal(JSON.parse(JSON.stringify(result)), { data: { user: { firstList: { name: "Alice's list 1" } } } });
  assert.is(kvetch.counters.calls, 3);
  // user + 2 edge rows (1 and one to tell hasNextPage) + 1 list
  assert.is(kvetch.counters.rowsFetched, 4);
});

test("first() is not folded when the same edge list also feeds a list field; both share 3 calls", async () => {
  const { kvetch, seed } = await seededStore();
  const schema = userSchema();
  const query = `query ($id: ID!) { user(id: $id) { firstList { name } lists { name } } }`;
  const result = await execute({ schema, document: parse(query), variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } });
  const data = JSON.parse(JSON.stringify(result)).data;
  assert.is(data.user.firstList.name, "Alice's list 1");
  assert.is(data.user.lists.length, 10);
  assert.is(kvetch.counters.calls, 3);
});

test("a per-entry page size is one edge call for the layer, each page cut to its own size", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 4, itemsPerList: 5 });
  const schema = userSchema();
  const query = `query ($id: ID!) { user(id: $id) { lists { name items { text } } } }`;
  const plan = planOf(schema, query, { id: seed.userIds[0] });
  const $items = plan.liveSteps().find((s) => s instanceof LoadEdgesStep && s.name === "list_to_item") as LoadEdgesStep;
  assert.equal($items.dependencyIsGlobal, [false, true, false]);
  const result = await execute({ schema, document: parse(query), variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } });
  const lists = JSON.parse(JSON.stringify(result)).data.user.lists;
  assert.equal(lists.map((l: { items: unknown[] }) => l.items.length), [1, 2, 3, 4]);
  assert.equal(lists[2].items, [{ text: "list 3, item 1" }, { text: "list 3, item 2" }, { text: "list 3, item 3" }]);
  assert.is(kvetch.counters.calls, 5);
});

test("a per-entry page size above maxPageSize fails that entry only; the others read in the same call", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 4, itemsPerList: 5 });
  // List n shows n items: the fourth list, renamed, asks for 9, above the limit of 4.
  await kvetch.updateObject("TodoList", seed.listIds[0]![3]!, { name: "list 9" });
  kvetch.resetCounters();
  const query = `query ($id: ID!) { user(id: $id) { lists { name items { text } } } }`;
  const result = await execute({ schema: userSchema(), document: parse(query), variableValues: { id: seed.userIds[0] }, contextValue: { kvetch }, limits: { maxPageSize: 4 } });
  // One error, at the fourth list's items (a non-null list, so it nulls up to the nullable user); before, the
  // whole call threw and every list's items failed.
  assert.equal(JSON.parse(JSON.stringify(result)).data, { user: null });
  assert.equal(
    result.errors!.map((e) => [e.message, e.path, e.extensions.code]),
    [[`loadEdges("list_to_item"): first = 9 is above the largest page this server reads, 4 (maxPageSize); ask for at most 4 items.`, ["user", "lists", 3, "items"], "LIMIT_EXCEEDED"]],
  );
  assert.is(kvetch.counters.calls, 5);
});

test("one schema, many stores: the store comes from the context; the plan is built once", async () => {
  const a = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 1 });
  const b = await seededStore({ users: 2, listsPerUser: 1, itemsPerList: 1 });
  // A text no other test in this file runs (a trailing comment), so the plan cache starts without it.
  const document = parse(`${todoViewQuery}\n# one schema, many stores\n`);
  const before = { ...getPlanCacheStats(todoSchema) };
  const ra = await execute({ schema: todoSchema, document, variableValues: { id: a.seed.userIds[0] }, contextValue: { kvetch: a.kvetch } });
  const rb = await execute({ schema: todoSchema, document, variableValues: { id: b.seed.userIds[1] }, contextValue: { kvetch: b.kvetch } });
  assert.is(JSON.parse(JSON.stringify(ra)).data.todoUser.todoLists.length, 2);
  assert.is(JSON.parse(JSON.stringify(rb)).data.todoUser.name, "User 2");
  // a's user id is unknown to b: each request read its own store only.
  const cross = await execute({ schema: todoSchema, document, variableValues: { id: a.seed.userIds[0] }, contextValue: { kvetch: b.kvetch } });
  assert.equal(JSON.parse(JSON.stringify(cross)), { data: { todoUser: null } });
  assert.is(a.kvetch.counters.calls, 5);
  // The missing user: its load and the list edges by the id it was loaded by, in one round trip.
  assert.is(b.kvetch.counters.calls, 5 + 2);
  // Built by the first request, reused by the other two whatever store they read.
  const after = getPlanCacheStats(todoSchema);
  assert.equal({ plansBuilt: after.plansBuilt - before.plansBuilt, hits: after.hits - before.hits }, { plansBuilt: 1, hits: 2 });
});

test("loadObject(type, $id, { store }) reads the store a step gives instead of the context's", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 0 });
  const schema = makeSchema({
    typeDefs: `type Query { user(id: ID!): User } type User { name: String }`,
    plans: {
      Query: { user: (_$root: Step, args: FieldArgs) => loadObject("User", args.get("id"), { store: context().get("users") }) },
      User: { name: ($user: Step) => $user.get("name") },
    },
  });
  const result = await execute({ schema, document: parse(`{ user(id: "${seed.userIds[0]}") { name } }`), contextValue: { users: kvetch } });
  assert.equal(JSON.parse(JSON.stringify(result)), { data: { user: { name: "Alice" } } });
  assert.is(kvetch.counters.calls, 1);
});

test("cursors nobody reads are not encoded: the todo view's item lists skip them, pages and cursor reads keep them", async () => {
  const { kvetch, seed } = await seededStore();
  const edgesOf = (plan: ReturnType<typeof planOf>) =>
    Object.fromEntries((plan.liveSteps().filter((s) => s instanceof LoadEdgesStep) as LoadEdgesStep[]).map((s) => [s.name, s.settings.cursors !== false]));
  // Both read by their node loads only; user_to_list is keyed by the id the user was loaded by (a global step),
  // in a plan into which no branch can be planned later.
  assert.equal(edgesOf(planOf(todoSchema, todoViewQuery, { id: seed.userIds[0] })), { list_to_item: false, user_to_list: false });

  // The same edge list read twice: one list field loads the items, the other shows each edge's cursor.
  const schema = makeSchema({
    typeDefs: `type Query { user(id: ID!): User } type User { lists: [TodoList!]! } type TodoList { items: [TodoItem!]! cursors: [String!]! } type TodoItem { text: String }`,
    plans: {
      Query: { user: (_$root: Step, args: FieldArgs) => loadObject("User", args.get("id")) },
      User: { lists: ($user: Step) => each(loadEdges("user_to_list", $user.get("id")), ($e) => loadObject("TodoList", $e.get("toId"))) },
      TodoList: {
        items: ($list: Step) => each(loadEdges("list_to_item", $list.get("id")), ($e) => loadObject("TodoItem", $e.get("toId"))),
        cursors: ($list: Step) => each(loadEdges("list_to_item", $list.get("id")), ($e) => $e.get("cursor")),
      },
      TodoItem: { text: ($item: Step) => $item.get("text") },
    },
  });
  const id = seed.userIds[0]!;
  const query = `query ($id: ID!) { user(id: $id) { lists { items { text } cursors } } }`;
  assert.equal(edgesOf(planOf(schema, query, { id })), { list_to_item: true, user_to_list: false });
  const result = JSON.parse(JSON.stringify(await execute({ schema, document: parse(query), variableValues: { id }, contextValue: { kvetch } })));
  const pages = await kvetch.getEdges("list_to_item", seed.listIds[0]!);
  assert.equal(result.data.user.lists.map((l: { cursors: string[] }) => l.cursors), pages.map((p) => p.edges.map((e) => e.cursor)));
  assert.is(result.data.user.lists[3].items.length, 5);
  // Without the cursors field the item lists are read by the node load only, and skip them.
  assert.equal(edgesOf(planOf(schema, `query ($id: ID!) { user(id: $id) { lists { items { text } } } }`, { id })), { list_to_item: false, user_to_list: false });
});

test("a list asks the store for no endCursor (it hands on its rows alone); a page still gets it", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 3, itemsPerList: 1 });
  const asked: Array<[string, string, unknown]> = [];
  for (const method of ["getEdges", "getEdgeTargets"] as const) {
    const read = kvetch[method].bind(kvetch) as (edge: string, ids: readonly string[], options?: object) => Promise<unknown>;
    (kvetch as unknown as Record<string, unknown>)[method] = (edge: string, ids: readonly string[], options?: { endCursor?: boolean }) => {
      asked.push([method, edge, options?.endCursor]);
      return read(edge, ids, options);
    };
  }
  const id = seed.userIds[0]!;
  const view = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id }, contextValue: { kvetch } });
  assert.is(view.errors, undefined);
  // The view reads nothing of its edges but where they point: target ids only (NodesOnly).
  assert.equal(asked.sort(), [["getEdgeTargets", "list_to_item", false], ["getEdgeTargets", "user_to_list", false]]);
  asked.length = 0;
  const query = `query ($id: ID!) { todoUser(id: $id) { todoListsConnection(first: 2) { pageInfo { endCursor hasNextPage } edges { cursor } } } }`;
  const page = JSON.parse(JSON.stringify(await execute({ schema: todoSchema, document: parse(query), variableValues: { id }, contextValue: { kvetch } })));
  assert.equal(asked, [["getEdges", "user_to_list", true]]);
  const connection = page.data.todoUser.todoListsConnection;
  assert.is(connection.pageInfo.hasNextPage, true);
  assert.ok(typeof connection.pageInfo.endCursor === "string" && connection.pageInfo.endCursor.length > 0);
  assert.is(connection.pageInfo.endCursor, connection.edges[1].cursor);
});

test("a global list keeps its cursors while branches may still be planned into the plan (partial planning)", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 3, itemsPerList: 1 });
  const id = seed.userIds[0]!;
  const cursorsOf = (schema: GraphQLSchema) => (planOf(schema, listsBesideUnionQuery, { id }).liveSteps().find((s) => s instanceof LoadEdgesStep) as LoadEdgesStep).settings.cursors !== false;
  // The user's list edges are keyed by the id the user was loaded by: a global step a later branch could reuse.
  assert.is(cursorsOf(listsBesideUnionSchema(true)), true);
  assert.is(cursorsOf(listsBesideUnionSchema(false)), false);
  const partial = listsBesideUnionSchema(true);
  const result = JSON.parse(JSON.stringify(await execute({ schema: partial, document: parse(listsBesideUnionQuery), variableValues: { id }, contextValue: { kvetch } })));
  assert.equal(result.data, { user: { lists: [{ name: "Alice's list 1" }, { name: "Alice's list 2" }, { name: "Alice's list 3" }] }, thing: { a: "x" } });
});

test.run();
