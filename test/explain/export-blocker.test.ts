// Explain says whether a plan can be exported (spec/explain.md, ExplainExportBlocker): a plan holding an
// unregistered closure is marked not exportable, with exportBlocker's text naming the step that holds it,
// in the JSON, in the Mermaid text (a comment line, the step's node marked), in `extensions.explain`, and
// over the example server; a plan whose functions are registered is exportable and carries no blocker.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, explainPlan, exportPlan, makeSchema, type ExplainedPlan, type PlanJSON } from "../../src/index.js";
import { constant, lambda } from "../../steps/index.js";
import { createServer } from "../../examples/server/server.js";
import { createMemoryTodoContext, memoryTodoSchema, memoryTodoViewQuery } from "../../examples/server/memoryTodo.js";

const increment = (n: number) => n + 1;

const schema = makeSchema({
  typeDefs: /* GraphQL */ `type Query { registered: Int, unregistered: Int, plain: Int }`,
  plans: {
    Query: {
      registered: () => lambda(constant(1), increment),
      unregistered: () => lambda(constant(2), (n: number) => n * 10),
      plain: () => constant(3),
    },
  },
  functions: { increment },
});

const blockerLines = (mermaid: string) => mermaid.split("\n").filter((line) => /exportBlocker|not exportable/.test(line));

test("an unregistered lambda: exportable false, exportBlocker names the Lambda step, as exportPlan's error does", () => {
  const document = parse(`{ registered unregistered plain }`);
  const { json, mermaid } = explainPlan(schema, document);
  assert.is(json.exportable, false);
  const lambdaStep = json.steps.find((s) => s.class === "Lambda" && s.meta !== "increment")!;
  assert.ok(lambdaStep, json.steps.map((s) => `${s.class}[${s.id}<${s.meta}>]`).join(", "));
  assert.equal(json.exportBlocker, { message: json.exportBlocker!.message, step: lambdaStep.id });
  assert.match(json.exportBlocker!.message, new RegExp(`^Lambda\\[${lambdaStep.id}\\b.*the function \\(anonymous\\) is not registered`));
  assert.throws(() => exportPlan(schema, document), (error: Error) => error.message.includes(json.exportBlocker!.message));
  assert.equal(blockerLines(mermaid), [
    "  classDef exportBlocker stroke:#b06000,stroke-width:3px,stroke-dasharray:6 3",
    `  %% not exportable: ${json.exportBlocker!.message}`,
    `  class s${lambdaStep.id} exportBlocker`,
  ]);
});

test("registered functions only: exportable true, no exportBlocker field, no blocker in the diagram", () => {
  const document = parse(`{ registered plain }`);
  const { json, mermaid } = explainPlan(schema, document);
  assert.is(json.exportable, true);
  assert.ok(!("exportBlocker" in json), Object.keys(json).join(", "));
  assert.equal(blockerLines(mermaid), []);
  assert.ok(exportPlan(schema, document).startsWith("graphscale-plan "));
});

test("a blocker inside a collapsed group marks the group's node", () => {
  const wide = makeSchema({
    typeDefs: /* GraphQL */ `type Query { a: Int, b: Int, c: Int, d: Int }`,
    plans: {
      Query: Object.fromEntries(["a", "b", "c", "d"].map((f, i) => [f, () => lambda(constant(i), (n: number) => n + i)])),
    },
  });
  const { json, mermaid } = explainPlan(wide, parse(`{ a b c d }`));
  const group = json.collapsed.find((g) => g.steps.includes(json.exportBlocker!.step!));
  assert.ok(group, `a group holds step ${json.exportBlocker!.step}: ${JSON.stringify(json.collapsed)}`);
  assert.ok(blockerLines(mermaid).includes(`  class ${group!.node} exportBlocker`), mermaid);
});

test("execute({ explain: 'json' }) carries the same blocker as explainPlan and exportBlocker", async () => {
  const document = parse(`{ unregistered }`);
  const result = await execute({ schema, document, explain: "json" });
  const json = (result.extensions?.explain as { json: PlanJSON }).json;
  assert.is(json.exportable, false);
  assert.is(json.exportBlocker!.message, explainPlan(schema, document).json.exportBlocker!.message);
  assert.equal(result.data, { unregistered: 20 });
});

test("exportPlan fails exactly for the plans explain marks not exportable, with explain's text", () => {
  for (const query of [`{ registered }`, `{ unregistered }`, `{ plain registered unregistered }`]) {
    const document = parse(query);
    const { json } = explainPlan(schema, document);
    let thrown: string | null = null;
    try {
      exportPlan(schema, document);
    } catch (error) {
      thrown = (error as Error).message;
    }
    assert.is(json.exportable, thrown === null, query);
    if (thrown !== null) assert.ok(thrown.includes(json.exportBlocker!.message), `${query}: ${thrown}`);
  }
});

test("example server: explain over HTTP says which step keeps the todo view (unregistered load callbacks) from export", async () => {
  const server = await createServer({ schema: memoryTodoSchema, contextFactory: () => createMemoryTodoContext(), port: 0 });
  try {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-graphscale-explain": "1" },
      body: JSON.stringify({ query: memoryTodoViewQuery, variables: { id: "u1" } }),
    });
    const body = (await response.json()) as { extensions: { explain: ExplainedPlan } };
    const { json, mermaid } = body.extensions.explain;
    assert.is(json.exportable, false);
    const step = json.steps.find((s) => s.id === json.exportBlocker!.step)!;
    assert.equal([step.class, step.meta], ["Load", "users"]);
    assert.match(json.exportBlocker!.message, /^Load\[\d+<users>\] holds the function users is not registered/);
    assert.ok(mermaid.includes(`\n  class s${step.id} exportBlocker\n`), mermaid);
  } finally {
    await server.close();
  }
});

test.run();
