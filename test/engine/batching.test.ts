import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, getPlanCacheStats, makeSchema, Step, type ExecutionDetails } from "../../src/index.js";
import { constant, each, loadMany, loadOne } from "../../steps/index.js";

// The shape of the todo example: 1 user → 10 lists → 5 items each, in memory behind counting callbacks.
const users = [{ id: "u1", name: "Ada" }];
const lists = Array.from({ length: 10 }, (_, i) => ({ id: `l${i}`, userId: "u1", name: `List ${i}` }));
const items = lists.flatMap((l) => Array.from({ length: 5 }, (_, k) => ({ id: `${l.id}-i${k}`, listId: l.id, text: `item ${k} of ${l.name}` })));
const calls = { users: 0, listsOfUser: 0, lists: 0, itemsOfList: 0, items: 0 };
const keysSeen: Record<string, number[]> = { users: [], listsOfUser: [], lists: [], itemsOfList: [], items: [] };

function counted<K, V>(name: keyof typeof calls, fn: (keys: readonly K[], params: any) => V[]) {
  return (keys: readonly K[], params: any) => {
    calls[name]++;
    keysSeen[name]!.push(keys.length);
    return fn(keys, params);
  };
}
const getUsers = counted("users", (ids: readonly string[]) => ids.map((id) => users.find((u) => u.id === id) ?? null));
const getListIds = counted("listsOfUser", (ids: readonly string[], first: number) =>
  ids.map((id) => lists.filter((l) => l.userId === id).slice(0, first).map((l) => l.id)),
);
const getLists = counted("lists", (ids: readonly string[]) => ids.map((id) => lists.find((l) => l.id === id) ?? null));
const getItemIds = counted("itemsOfList", (ids: readonly string[], first: number) =>
  ids.map((id) => items.filter((it) => it.listId === id).slice(0, first).map((it) => it.id)),
);
const getItems = counted("items", (ids: readonly string[]) => ids.map((id) => items.find((it) => it.id === id) ?? null));

const todo = makeSchema({
  typeDefs: /* GraphQL */ `
    type Query { todoUser(id: ID!): User }
    type User { id: ID! name: String todoLists(first: Int = 10): [TodoList!]! }
    type TodoList { id: ID! name: String todoItems(first: Int = 5): [TodoItem!]! }
    type TodoItem { id: ID! text: String }
  `,
  plans: {
    Query: { todoUser: (_$root, args) => loadOne(args.get("id"), getUsers) },
    User: { todoLists: ($user, args) => each(loadMany($user.get("id"), getListIds, args.get("first")), ($id) => loadOne($id, getLists)) },
    TodoList: { todoItems: ($list, args) => each(loadMany($list.get("id"), getItemIds, args.get("first")), ($id) => loadOne($id, getItems)) },
  },
});

const todoView = `query($id: ID!) { todoUser(id: $id) { name todoLists(first: 10) { name todoItems(first: 5) { text } } } }`;

test("todo view: every callback runs exactly once per layer, whatever the fan-out", async () => {
  for (const k of Object.keys(calls) as Array<keyof typeof calls>) (calls[k] = 0), (keysSeen[k] = []);
  const result = (await execute({ schema: todo, document: parse(todoView), variableValues: { id: "u1" } })) as any;
  assert.is(result.errors, undefined);
  assert.is(result.data.todoUser.todoLists.length, 10);
  assert.is(result.data.todoUser.todoLists[9].todoItems.length, 5);
  assert.equal(calls, { users: 1, listsOfUser: 1, lists: 1, itemsOfList: 1, items: 1 });
  // Each call received the whole layer: 1 user, 10 lists, 10 item lists, 50 items.
  assert.equal(keysSeen, { users: [1], listsOfUser: [1], lists: [10], itemsOfList: [10], items: [50] });
});

test("todo view: a missing user stops everything below it", async () => {
  for (const k of Object.keys(calls) as Array<keyof typeof calls>) calls[k] = 0;
  const result = (await execute({ schema: todo, document: parse(todoView), variableValues: { id: "nobody" } })) as any;
  assert.equal(JSON.parse(JSON.stringify(result)), { data: { todoUser: null } });
  assert.equal(calls, { users: 1, listsOfUser: 0, lists: 0, itemsOfList: 0, items: 0 });
});

// A custom step that records what the engine hands to execute.
const seen: Array<{ count: number; batch: unknown; global: unknown }> = [];
class InspectStep extends Step<string> {
  private readonly batchIndex: number;
  private readonly globalIndex: number;
  constructor($batch: Step, $global: Step) {
    super();
    this.batchIndex = this.addDependency($batch);
    this.globalIndex = this.addGlobalDependency($global);
  }
  execute({ count, values }: ExecutionDetails) {
    seen.push({ count, batch: values[this.batchIndex], global: values[this.globalIndex] });
    const out = new Array<string>(count);
    for (let i = 0; i < count; i++) out[i] = `${(values[this.batchIndex] as number[])[i]}x${values[this.globalIndex]}`;
    return out;
  }
}

let globalRuns = 0;
let globalCounts: number[] = [];
class CountingGlobalStep extends Step<number> {
  constructor($n: Step) {
    super();
    this.addDependency($n);
  }
  execute({ count, values: [ns] }: ExecutionDetails<[readonly number[]]>) {
    globalRuns++;
    globalCounts.push(count);
    return Array.from({ length: count }, (_, i) => ns[i]! * 10);
  }
}

const numbers = makeSchema({
  typeDefs: `type Query { items(n: Int!): [Item!]! } type Item { value: Int label(times: Int = 3): String scaled(by: Int = 2): Int }`,
  plans: {
    Query: { items: (_$root, args) => loadMany(args.get("n"), (ns: readonly number[]) => ns.map((n) => Array.from({ length: n }, (_, i) => ({ value: i })))) },
    Item: {
      label: ($item, args) => new InspectStep($item.get("value"), args.get("times")),
      scaled: (_$item, args) => new CountingGlobalStep(args.get("by")),
    },
  },
});

test("execute receives count, batch lists of exactly count entries, and bare scalars for globals", async () => {
  seen.length = 0;
  const result = (await execute({ schema: numbers, document: parse(`{ items(n: 7) { label(times: 4) } }`) })) as any;
  assert.is(result.data.items[6].label, "6x4");
  assert.is(seen.length, 1);
  const { count, batch, global } = seen[0]!;
  assert.is(count, 7);
  assert.ok(Array.isArray(batch));
  assert.is((batch as unknown[]).length, 7);
  assert.is(global, 4); // the number itself, not a list of 7 copies
});

test("a global step inside a 1,000-entry list layer executes once", async () => {
  globalRuns = 0;
  globalCounts = [];
  const result = (await execute({ schema: numbers, document: parse(`query($by: Int!) { items(n: 1000) { scaled(by: $by) } }`), variableValues: { by: 5 } })) as any;
  assert.is(result.data.items.length, 1000);
  assert.is(result.data.items[999].scaled, 50);
  assert.is(globalRuns, 1);
  assert.equal(globalCounts, [1]); // once for the request, not once per entry of the layer
});

test("one operation text executed 100 times with different variables is planned once", async () => {
  const schema = makeSchema({
    typeDefs: `type Query { echo(n: Int!): Int }`,
    plans: { Query: { echo: (_$root, args) => args.get("n") } },
  });
  const text = `query($n: Int!) { echo(n: $n) }`;
  for (let n = 0; n < 100; n++) {
    // a fresh parse each time: the cache is keyed by the operation text, not the document object
    const result = (await execute({ schema, document: parse(text), variableValues: { n } })) as any;
    assert.is(result.data.echo, n);
  }
  const { plansBuilt, hits } = getPlanCacheStats(schema);
  assert.equal({ plansBuilt, hits }, { plansBuilt: 1, hits: 99 });
});

test("a plan decided by @skip(if: $v) is reused only when $v has the same value", () => {
  const schema = makeSchema({ typeDefs: `type Query { a: Int b: Int }`, plans: { Query: { a: () => constant(1), b: () => constant(2) } } });
  const text = `query($s: Boolean!) { a b @skip(if: $s) }`;
  const run = (s: boolean) => JSON.stringify(execute({ schema, document: parse(text), variableValues: { s } }));
  assert.is(run(true), `{"data":{"a":1}}`);
  assert.is(run(false), `{"data":{"a":1,"b":2}}`);
  assert.is(run(true), `{"data":{"a":1}}`);
  assert.is(run(false), `{"data":{"a":1,"b":2}}`);
  const stats = getPlanCacheStats(schema);
  assert.equal({ plansBuilt: stats.plansBuilt, hits: stats.hits }, { plansBuilt: 2, hits: 2 });
});

test("a fully synchronous plan returns a result, not a promise", () => {
  const result = execute({ schema: numbers, document: parse(`{ items(n: 3) { value label } }`) });
  assert.not.instance(result, Promise);
  assert.is(typeof (result as { then?: unknown }).then, "undefined");
  assert.is((result as any).data.items[2].label, "2x3");
});

test("a plan with an asynchronous step returns a promise", () => {
  const schema = makeSchema({
    typeDefs: `type Query { later: Int }`,
    plans: { Query: { later: () => loadOne(constant(1), async (keys: readonly number[]) => keys.map((k) => k + 1)) } },
  });
  const result = execute({ schema, document: parse(`{ later }`) });
  assert.instance(result, Promise);
});

test.run();
