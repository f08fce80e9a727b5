// Plan import against planning: for the 200-field query and the todo view, the time to build the plan
// (BuildOperationPlan) and to read an exported one (ReadPlan), and their ratio. Prints a table;
// `npx tsx bench/planImport.ts`. No store, no execution: planning and importing only.

import { parse, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { exportPlan, makeSchema, type Step } from "../src/index.js";
import { loadOne } from "../steps/index.js";
import { buildOperationPlan } from "../src/engine/planner.js";
import { DEFAULT_LIMITS } from "../src/engine/limits.js";
import { operationHash, readPlan } from "../src/engine/planExport/store.js";
import { todoSchema, todoViewQuery } from "../examples/todo/schema.js";

function twoHundredFields(): { schema: GraphQLSchema; source: string } {
  const fieldNames = Array.from({ length: 50 }, (_, i) => `f${i}`);
  const loadThings = (ids: readonly string[]) => ids.map((id) => ({ id }));
  const schema = makeSchema({
    typeDefs: `type Query { thing(id: ID!): Thing } type Thing { id: ID! ${fieldNames.map((f) => `${f}: String`).join(" ")} }`,
    functions: { loadThings },
    plans: {
      Query: { thing: (_$root: Step, args) => loadOne(args.get("id"), loadThings) },
      Thing: Object.fromEntries(["id", ...fieldNames].map((f) => [f, ($thing: Step) => $thing.get(f)])),
    },
  });
  return { schema, source: `query Things { ${[0, 1, 2, 3].map((t) => `t${t}: thing(id: "t${t}") { ${fieldNames.join(" ")} }`).join(" ")} }` };
}

function perCall(run: () => void): number {
  for (let i = 0; i < 200; i++) run(); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 1000) {
    run();
    n++;
  }
  return (performance.now() - start) / n;
}

function row(name: string, schema: GraphQLSchema, source: string, variables: Record<string, unknown>): string[] {
  const document: DocumentNode = parse(source);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const text = exportPlan(schema, document, undefined, variables);
  const hash = operationHash(document, operation);
  const build = perCall(() => void buildOperationPlan(schema, operation, {}, variables));
  const load = perCall(() => void readPlan(schema, operation, {}, hash, text, DEFAULT_LIMITS));
  return [name, `${build.toFixed(3)} ms`, `${load.toFixed(3)} ms`, `${((100 * load) / build).toFixed(0)}%`, `${text.length} bytes`];
}

const { schema, source } = twoHundredFields();
const rows = [
  ["operation", "planning", "plan import", "import / planning", "plan text"],
  row("200-field query", schema, source, {}),
  row("todo view", todoSchema, todoViewQuery, { id: "00000000-0000-4000-8000-000000000000" }),
];
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
