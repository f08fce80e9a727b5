// The `explain` execution option: `execute({ ..., explain })` puts the plan into `extensions.explain`,
// from the same cached plan the request ran (no second planning), and leaves results alone without it.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, executeSync, explainPlan, getPlanCacheStats, makeSchema, type ExplainedPlan } from "../../src/index.js";
import { constant } from "../../steps/index.js";
import { createMemoryTodoContext, makeMemoryTodoSchema, memoryTodoViewQuery } from "../../examples/server/memoryTodo.js";

test("explain: true puts { json, mermaid } into extensions.explain", async () => {
  const schema = makeMemoryTodoSchema();
  const context = createMemoryTodoContext();
  const result = await execute({ schema, document: parse(memoryTodoViewQuery), variableValues: { id: "u1" }, contextValue: context, explain: true });
  assert.is(result.errors, undefined);
  assert.is((result.data as { user: { name: string } }).user.name, "User 1");
  const explain = result.extensions?.explain as ExplainedPlan;
  assert.equal(Object.keys(explain), ["json", "mermaid"]);
  assert.ok(explain.mermaid.startsWith("flowchart TD\n"));
  assert.is(explain.json.operation.name, "TodoView");
  assert.equal(explain.json.steps.filter((s) => s.class === "Load").map((s) => s.meta), ["users", "listIdsByUser", "lists", "itemsByList"]);
  // Same plan as explainPlan gives, and the request planned exactly once.
  assert.is(explain.mermaid, explainPlan(schema, parse(memoryTodoViewQuery)).mermaid);
  assert.equal(planCounts(getPlanCacheStats(schema)), { plansBuilt: 1, hits: 1 });
  assert.equal(context.loadCalls, { users: 1, lists: 1, listIdsByUser: 1, itemsByList: 1, nodes: 0, search: 0 });
});

test("explain: \"json\" and \"mermaid\" give one form each", async () => {
  const schema = makeMemoryTodoSchema();
  const args = { schema, document: parse(memoryTodoViewQuery), variableValues: { id: "u1" }, contextValue: createMemoryTodoContext() };
  const json = await execute({ ...args, explain: "json" });
  assert.equal(Object.keys(json.extensions?.explain as object), ["json"]);
  const mermaid = await execute({ ...args, explain: "mermaid" });
  assert.equal(Object.keys(mermaid.extensions?.explain as object), ["mermaid"]);
});

test("without explain the result has no extensions", async () => {
  const schema = makeMemoryTodoSchema();
  const result = await execute({ schema, document: parse(memoryTodoViewQuery), variableValues: { id: "u1" }, contextValue: createMemoryTodoContext() });
  assert.is(result.extensions, undefined);
  const off = await execute({ schema, document: parse(memoryTodoViewQuery), variableValues: { id: "u1" }, contextValue: createMemoryTodoContext(), explain: false });
  assert.is(off.extensions, undefined);
});

test("a synchronous plan stays synchronous with explain (executeSync)", () => {
  const schema = makeSchema({ typeDefs: "type Query { answer: Int }", plans: { Query: { answer: () => constant(42) } } });
  const result = executeSync({ schema, document: parse("{ answer }"), explain: true });
  assert.equal(JSON.parse(JSON.stringify(result.data)), { answer: 42 });
  const explain = result.extensions?.explain as ExplainedPlan;
  assert.equal(explain.json.steps.map((s) => `${s.class}:${s.global}`), ["Constant:true"]);
  assert.match(explain.mermaid, /s1\["Constant\[1#lt;42#gt;\] \(global\)"\]/);
});

test("request errors carry no explain: there is no plan", async () => {
  const schema = makeMemoryTodoSchema();
  const result = await execute({ schema, document: parse(memoryTodoViewQuery), variableValues: {}, explain: true });
  assert.is(result.errors?.length, 1);
  assert.is(result.extensions, undefined);
});

test("an operation that fails while running still carries its plan", async () => {
  const schema = makeMemoryTodoSchema();
  const result = await execute({ schema, document: parse(memoryTodoViewQuery), variableValues: { id: "u1" }, contextValue: null, explain: true });
  assert.ok(result.errors && result.errors.length > 0);
  assert.ok((result.extensions?.explain as ExplainedPlan).mermaid.includes("Load[4#lt;users#gt;]"));
});

test("explainPlan without a @skip/@include variable shows the fields it guards", () => {
  const typeDefs = `type Query { a: Int b: Int c: Int d: Int }`;
  const schema = makeSchema({ typeDefs, plans: { Query: { a: () => constant(1), b: () => constant(2), c: () => constant(3), d: () => constant(4) } } });
  const document = parse(`query ($s: Boolean!, $i: Boolean!, $both: Boolean!) { a @skip(if: $s) b @include(if: $i) c @skip(if: $both) d @include(if: $both) }`);
  // Each missing variable shows its fields; one used by both directives counts as true (@include's fields).
  assert.equal(Object.keys(explainPlan(schema, document).json.output.fields), ["a", "b", "d"]);
  // Given values are used.
  assert.equal(Object.keys(explainPlan(schema, document, null, { s: true, i: true, both: false }).json.output.fields), ["b", "c"]);
});

test("explain keeps a field aliased __proto__ as an own field of the output", async () => {
  const schema = makeSchema({ typeDefs: `type Query { a: Int }`, plans: { Query: { a: () => constant(1) } } });
  const result = await execute({ schema, document: parse(`{ __proto__: a other: a }`), explain: "json" });
  const fields = (result.extensions!.explain as { json: { output: { fields: Record<string, unknown> } } }).json.output.fields;
  assert.equal(Object.keys(fields), ["__proto__", "other"]);
  assert.is(Object.getPrototypeOf(fields), Object.prototype);
});

test.run();

/** The plan cache counts a test compares (planning work is checked in test/engine/limits.test.ts). */
function planCounts(stats: { plansBuilt: number; hits: number }): { plansBuilt: number; hits: number } {
  return { plansBuilt: stats.plansBuilt, hits: stats.hits };
}
