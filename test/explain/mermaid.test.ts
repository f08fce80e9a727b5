// Explain as JSON and Mermaid: exact snapshots for the todo view (Kvetch steps, and loadOne/loadMany) and a
// polymorphic query, stable ids, collapsing of wide selections, and how steps describe themselves.
// Snapshots go through test/snapshot.ts (UPDATE_SNAPSHOTS=1 rewrites them locally, never while CI is set);
// snapshots.test.ts reviews their structure on its own. Every plan here comes from real steps.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { explainPlan, makeSchema, getPlanCacheStats, type FieldArgs, type PlanJSON, type Step } from "../../src/index.js";
import { constant, first, inhibitOnNull, trap } from "../../steps/index.js";
import { loadEdges, loadObject } from "../../steps/kvetch/index.js";
import { matchSnapshot as matchSnapshotIn, snapshotDir } from "../snapshot.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { makeMemoryTodoSchema, polymorphicQuery, memoryTodoSchema, memoryTodoViewQuery } from "../../examples/server/memoryTodo.js";

const snapshots = snapshotDir(import.meta.url);
const matchSnapshot = (name: string, actual: string) => matchSnapshotIn(snapshots, name, actual);

/** Nodes the diagram draws: one line per node inside the subgraphs. */
function diagramNodes(mermaid: string): string[] {
  return mermaid.split("\n").filter((line) => /^ {4}[sg]\d+[[(]/.test(line));
}

/** Steps after collapsing: what the diagram must show one node for. */
function nodeCount(json: PlanJSON): number {
  return json.steps.length - json.collapsed.reduce((n, g) => n + g.steps.length - 1, 0);
}

test("Kvetch todo view: Mermaid text matches the snapshot; Kvetch steps name their type and edge", () => {
  const { mermaid, json } = explainPlan(todoSchema, parse(todoViewQuery));
  matchSnapshot("kvetch-todo-view.mmd", mermaid);
  matchSnapshot("kvetch-todo-view.json", JSON.stringify(json, null, 2) + "\n");
  assert.is(diagramNodes(mermaid).length, nodeCount(json));
  const kvetchMetas = json.steps.filter((s) => /^(Load|Kvetch)/.test(s.class)).map((s) => s.meta);
  for (const meta of ["User", "user_to_list", "TodoList", "list_to_item", "TodoItem"]) {
    assert.ok(kvetchMetas.includes(meta), `a Kvetch step for ${meta} in ${kvetchMetas.join(", ")}`);
    assert.ok(mermaid.includes(`#lt;${meta}#gt;]`), `${meta} in the diagram`);
  }
});

test("loadOne/loadMany todo view: Mermaid text matches the snapshot", () => {
  const { mermaid, json } = explainPlan(memoryTodoSchema, parse(memoryTodoViewQuery));
  matchSnapshot("todo-view.mmd", mermaid);
  matchSnapshot("todo-view.json", JSON.stringify(json, null, 2) + "\n");
  assert.is(diagramNodes(mermaid).length, nodeCount(json));
});

test("polymorphic query: Mermaid text matches the snapshot", () => {
  const { mermaid, json } = explainPlan(memoryTodoSchema, parse(polymorphicQuery));
  matchSnapshot("polymorphic.mmd", mermaid);
  matchSnapshot("polymorphic.json", JSON.stringify(json, null, 2) + "\n");
  assert.is(diagramNodes(mermaid).length, nodeCount(json));
  const polymorphic = json.layers.filter((l) => l.reason === "polymorphic");
  assert.equal(polymorphic.map((l) => `${l.path}:${l.typeName}`), [
    "node:User", "node:List", "node:Item", "search[]:User", "search[]:List", "search[]:Item",
  ]);
  const node = json.output.fields.node!;
  assert.is(node.kind, "abstract");
  if (node.kind === "abstract") assert.equal(Object.keys(node.types), ["User", "List", "Item"]);
});

test("todo view: layers, steps and output plan in the JSON", () => {
  const { json } = explainPlan(memoryTodoSchema, parse(memoryTodoViewQuery));
  assert.equal(json.operation, { type: "query", name: "TodoView" });
  assert.equal(json.layers.map((l) => l.reason), ["root", "nullableBoundary", "listItem", "nullableBoundary", "listItem", "nullableBoundary"]);
  assert.equal(json.layers.map((l) => l.parent), [null, 0, 1, 2, 3, 4]);
  assert.equal(json.layers.map((l) => l.path), ["", "user", "user.lists[]", "user.lists[]", "user.lists[].items[]", "user.lists[].items[]"]);
  const loads = json.steps.filter((s) => s.class === "Load");
  assert.equal(loads.map((s) => s.meta), ["users", "listIdsByUser", "lists", "itemsByList"]);
  for (const load of loads) {
    assert.ok(load.async, `Load[${load.id}] is async`);
    // The context reaches every load once per request, as a bare value.
    assert.ok(load.dependencies.some((d) => d.global && json.steps.find((s) => s.id === d.step)?.class === "Context"));
  }
  // $id is a variable: the user's load and what hangs off it run once per request, in the root layer.
  assert.equal(json.steps.filter((s) => s.global).map((s) => s.class), ["FieldArguments", "Access", "Context", "Load", "Access", "Access", "Load"]);
  assert.equal(json.collapsed.map((g) => g.label), ["Access ×3 (id, text, done)"]);
  const user = json.output.fields.user!;
  assert.is(user.kind, "object");
  if (user.kind === "object") {
    assert.equal(Object.keys(user.selection.fields), ["id", "name", "lists"]);
    assert.is(user.selection.fields.lists!.kind, "list");
  }
});

test("ids are stable: the same operation text explains the same, on this schema and on a fresh one", () => {
  const a = explainPlan(memoryTodoSchema, parse(memoryTodoViewQuery));
  assert.is(explainPlan(memoryTodoSchema, parse(memoryTodoViewQuery)), a, "the same text reuses the cached plan and its explanation");
  const fresh = explainPlan(makeMemoryTodoSchema(), parse(memoryTodoViewQuery));
  assert.is(fresh.mermaid, a.mermaid);
  assert.equal(fresh.json, a.json);
});

test("explainPlan takes the plan from the plan cache", () => {
  const schema = wideSchema();
  explainPlan(schema, parse(wideQuery(3)));
  explainPlan(schema, parse(wideQuery(3)));
  assert.equal(planCounts(getPlanCacheStats(schema)), { plansBuilt: 1, hits: 1 });
});

test("a 200-field query stays readable: fewer than 40 nodes", () => {
  const schema = wideSchema();
  const { json, mermaid } = explainPlan(schema, parse(wideQuery(200)));
  const nodes = diagramNodes(mermaid);
  assert.ok(json.steps.length >= 400, `${json.steps.length} steps`); // two per field at least: many steps, few nodes
  assert.ok(nodes.length < 40, `${nodes.length} nodes:\n${mermaid}`);
  assert.is(nodes.length, nodeCount(json));
  const labels = json.collapsed.map((g) => g.label);
  assert.ok(labels.includes("Access ×200 (f1, f2, f3, f4, f5, …)"), labels.join("\n"));
  // Resolver emulation: 200 resolver steps (each call coerces its own arguments, as graphql-js does).
  assert.ok(labels.includes("Resolver ×200 (Legacy.f1, Legacy.f2, Legacy.f3, Legacy.f4, Legacy.f5, …)"), labels.join("\n"));
});

test("Mermaid conventions: async stadium, global class and marker, dotted global edges, flag labels", () => {
  const { mermaid } = explainPlan(memoryTodoSchema, parse(memoryTodoViewQuery));
  assert.ok(mermaid.startsWith("flowchart TD\n"));
  assert.match(mermaid, /subgraph L2\["Layer 2: list items of Load\[9\] at user\.lists\[\]"\]/);
  assert.match(mermaid, /s4\(\["Load\[4#lt;users#gt;\] \(global\)"\]\)/);
  assert.match(mermaid, /s14\["Access\[14#lt;id#gt;\]"\]/);
  assert.match(mermaid, /s3 -\.-> s4/);
  assert.match(mermaid, /s9 ==> s11/);
  assert.match(mermaid, /class s1,s2,s3,s4,s5,s6,s9 global/);
  assert.match(mermaid, /%% Layer 1: non-null Load\[4\] at user: no steps/);

  // trap() over inhibitOnNull(): the one dependency that lets every flag through is labelled.
  const { mermaid: trapping, json } = explainPlan(flagSchema(), parse("{ value }"));
  const $trap = json.steps.find((s) => s.class === "Trap")!;
  const $inhibit = json.steps.find((s) => s.class === "InhibitOnNull")!;
  assert.equal($trap.dependencies, [{ step: $inhibit.id, global: false, acceptFlags: ["null", "error", "inhibited"] }]);
  assert.equal(trapping.split("\n").filter((line) => line.includes("accepts")), [`  s${$inhibit.id} -->|"accepts null, error, inhibited"| s${$trap.id}`]);
});

test("Kvetch steps describe themselves (type, edge, cap) and list their optimizations in the node label", () => {
  // first(loadEdges(...)) under loadObject: the cap is folded into the edge query and the object load
  // rides behind it (LoadNodes); both show in the JSON and on the node.
  const { json, mermaid } = explainPlan(firstListSchema(), parse(`{ user(id: "u1") { firstList { name } } }`));
  const edges = json.steps.filter((s) => s.class === "LoadEdges");
  assert.is(edges.length, 1);
  const $edges = edges[0]!;
  assert.is($edges.meta, "user_to_list,cap 1");
  // Its key is the user's id: the id the user was loaded by, so the edges do not wait for the user.
  assert.equal($edges.optimizations, ["keyed by the id its object was loaded by", "first() folded into the query limit", "verified by the node load behind it"]);
  const label = `    s${$edges.id}(["LoadEdges[${$edges.id}#lt;user_to_list,cap 1#gt;] (global, keyed by the id its object was loaded by, first() folded into the query limit, verified by the node load behind it)"])`;
  assert.ok(mermaid.split("\n").includes(label), mermaid);
  const nodes = json.steps.filter((s) => s.class === "LoadNodes");
  assert.equal(nodes.map((s) => [s.meta, s.dependencies[0]!.step]), [["TodoList", $edges.id]]);
  assert.equal(json.steps.filter((s) => /^Load(Object|Edges|Nodes)$/.test(s.class)).map((s) => `${s.class}<${s.meta}>`), ["LoadObject<User>", "LoadEdges<user_to_list,cap 1>", "LoadNodes<TodoList>"]);
});

test("JSON and Mermaid are frozen: explaining twice cannot see a caller's edits", () => {
  const { json } = explainPlan(memoryTodoSchema, parse(memoryTodoViewQuery));
  assert.ok(Object.isFrozen(json) && Object.isFrozen(json.steps[0]) && Object.isFrozen(json.layers[0]!.steps));
});

// ---- schemas for the tests above ----------------------------------------------------------------

function wideSchema() {
  const fields = Array.from({ length: 200 }, (_, i) => `f${i + 1}: String`).join(" ");
  const plans: Record<string, (($w: Step) => Step)> = {};
  for (let i = 1; i <= 200; i++) plans[`f${i}`] = ($w: Step) => $w.get(`f${i}`);
  return makeSchema({
    typeDefs: `type Query { wide: Wide legacy: Legacy } type Wide { ${fields} } type Legacy { ${fields} }`,
    plans: {
      Query: { wide: () => constant({ f1: "a" }) },
      Wide: plans,
    },
    // Under a resolver parent, fields without plans keep graphql-js's default resolver (resolver emulation).
    resolvers: { Query: { legacy: () => ({ f1: "b" }) } },
  });
}

function wideQuery(n: number): string {
  const selection = Array.from({ length: n }, (_, i) => `f${i + 1}`).join(" ");
  return `{ wide { ${selection} } legacy { ${selection} } }`;
}

function flagSchema() {
  return makeSchema({
    typeDefs: "type Query { value: Int }",
    plans: { Query: { value: () => trap(inhibitOnNull(constant(null)), { inhibited: "null", error: "null" }) } },
  });
}

function firstListSchema() {
  return makeSchema({
    typeDefs: "type Query { user(id: ID!): User } type User { name: String firstList: TodoList } type TodoList { name: String }",
    plans: {
      Query: { user: (_$root: Step, args: FieldArgs) => loadObject("User", args.get("id")) },
      User: { firstList: ($user: Step) => loadObject("TodoList", first(loadEdges("user_to_list", $user.get("id"))).get("toId")) },
    },
  });
}

test.run();

/** The plan cache counts a test compares (planning work is checked in test/engine/limits.test.ts). */
function planCounts(stats: { plansBuilt: number; hits: number }): { plansBuilt: number; hits: number } {
  return { plansBuilt: stats.plansBuilt, hits: stats.hits };
}
