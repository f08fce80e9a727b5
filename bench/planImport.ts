// Plan import against planning, warm (one process, after a warm-up): for the 200-field query, the nested
// operation (4 levels of lists, fragments: bench/coldStart/shapes.mjs) and the todo view, the time to build
// the plan (BuildOperationPlan) and to read an exported one (ReadPlan), and their ratio. No store, no
// execution: planning and importing only. The first request of a fresh process: bench/coldStart/planImport.ts. `npx tsx bench/planImport.ts` prints one process's table; `npm run bench`
// measures it in every process and writes bench/results/plan-import.json (medians).

import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { exportPlan, makeSchema, type Step } from "../src/index.js";
import { loadOne } from "../steps/index.js";
import { buildOperationPlan } from "../src/engine/planning/planner.js";
import { DEFAULT_LIMITS } from "../src/engine/limits.js";
import { operationHash, readPlan } from "../src/engine/planExport/store.js";
import * as steps from "../steps/index.js";
import { todoSchema, todoViewQuery } from "../examples/todo/schema.js";
import { nestedShape } from "./coldStart/shapes.mjs";
import { perCallPair, publishTable, type MeasuredTable } from "./measuredTable.js";

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

function row(label: string, schema: GraphQLSchema, source: string, variables: Record<string, unknown>): MeasuredTable["rows"][number] {
  const document: DocumentNode = parse(source);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  // The text as a store hands it back (its bytes decoded): a string built in this process from the
  // document's names may be held two bytes per character, which JSON.parse and the checksum read slower.
  const text = Buffer.from(exportPlan(schema, document, undefined, variables)).toString();
  const hash = operationHash(document, operation);
  // Checked first: the imported plan has the built plan's steps (readPlan throws on a bad plan).
  const built = buildOperationPlan(schema, operation, fragments, variables).liveSteps().length;
  const imported = readPlan(schema, operation, fragments, hash, text, DEFAULT_LIMITS).liveSteps().length;
  if (imported !== built) throw new Error(`plan import: the ${label}'s imported plan has ${imported} steps, the built one ${built}`);
  const [build, load] = perCallPair(
    () => void buildOperationPlan(schema, operation, fragments, variables),
    () => void readPlan(schema, operation, fragments, hash, text, DEFAULT_LIMITS),
  );
  return { label, values: [build, load, load / build, text.length] };
}

export function runPlanImportScenario(): MeasuredTable {
  const { schema, source } = twoHundredFields();
  const nested = nestedShape(makeSchema as never, steps);
  return {
    id: "plan-import",
    title: "Plan import against planning: the 200-field query, a nested operation and the todo view",
    description:
      "Time to build an operation's plan (`buildOperationPlan`: plan resolvers, deduplication, optimization) against time to read the same plan exported as text (`readPlan`: header checks, one JSON parse, decoding), in one process after a warm-up: CPU time per call, the two measured in 15 alternating rounds of about 40 ms, medians of the rounds. " +
      "The 200-field query is 4 aliases × 50 fields of one object type loaded by `loadOne`; the nested operation is shop → departments → products → reviews → author (`loadMany` per level, a fragment per type); the todo view is the Kvetch todo example's (loadObject / loadEdges). No store, no execution.",
    rowHeading: "Operation",
    columns: [
      { title: "planning, ms", format: "ms" },
      { title: "plan import, ms", format: "ms" },
      { title: "import ÷ planning", format: "ratio" },
      { title: "plan text, bytes", format: "bytes" },
    ],
    rows: [
      row("200-field query", schema, source, {}),
      row("nested: 4 levels of lists, fragments", nested.schema, nested.source, {}),
      row("todo view", todoSchema, todoViewQuery, { id: "00000000-0000-4000-8000-000000000000" }),
    ],
    notes: ["Below 1× a plan store saves planning time on a cold process; the plan text is what a store such as Redis keeps per operation."],
    date: new Date().toISOString(),
  };
}

if (process.argv[1]?.endsWith("planImport.ts")) publishTable(runPlanImportScenario());
