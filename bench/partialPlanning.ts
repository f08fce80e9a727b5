// Partial against full planning (spec/planning.md, "Partial planning"): a union of 40 object types with a
// fragment on each, data holding 2 of them. Per mode: the time to plan the operation, the steps planned
// then and after the first request (partial planning adds the 2 types' branches as they arrive), and the
// first request's time on a fresh schema (planning included). Results of both modes are checked equal first.
// `npx tsx bench/partialPlanning.ts` prints one process's table; `npm run bench` writes the medians.

import { parse, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { execute, makeSchema, type PlanJSON, type Step } from "../src/index.js";
import { constant, loadOne } from "../steps/index.js";
import { buildOperationPlan } from "../src/engine/planning/planner.js";
import { DEFAULT_LIMITS } from "../src/engine/limits.js";
import { median } from "./median.js";
import { perCall, publishTable, type MeasuredTable } from "./measuredTable.js";

const TYPES = 40;
const PRESENT = ["T3", "T17"];
const names = Array.from({ length: TYPES }, (_, i) => `T${i}`);
const typeDefs = /* GraphQL */ `
  type Query { items: [Thing!]! }
  type Detail { label: String! }
  union Thing = ${names.join(" | ")}
  ${names.map((n) => `type ${n} { id: ID! value: String! detail: Detail }`).join("\n")}
`;
const document = parse(`{ items { __typename ${names.map((n) => `... on ${n} { id value detail { label } }`).join(" ")} } }`);
const operation = document.definitions[0] as OperationDefinitionNode;
const data = PRESENT.flatMap((type, t) => [0, 1, 2].map((k) => ({ id: `${type}-${t}${k}`, type, value: `v${t}${k}` })));

function makeUnionSchema(partialPlanning: boolean): GraphQLSchema {
  const loadItems = (keys: readonly string[]) => keys.map(() => data);
  const loadDetails = (ids: readonly string[]) => ids.map((id) => ({ label: `detail of ${id}` }));
  const typePlans: Record<string, Record<string, ($t: Step) => Step>> = {};
  for (const name of names) typePlans[name] = { detail: ($t) => loadOne(($t as Step & { get(k: string): Step }).get("id"), loadDetails) };
  return makeSchema({
    typeDefs,
    partialPlanning,
    functions: { loadItems, loadDetails },
    plans: {
      Query: { items: () => loadOne(constant("all"), loadItems) },
      Thing: { __planType: ($x: Step) => ($x as Step & { get(k: string): Step }).get("type") },
      ...typePlans,
    } as never,
  });
}

/** The first request on a fresh schema (its plan cache empty): milliseconds, result text and the steps its plan then has. */
async function firstRequest(partialPlanning: boolean): Promise<{ ms: number; text: string; steps: number }> {
  const schema = makeUnionSchema(partialPlanning);
  const started = performance.now();
  const result = await execute({ schema, document });
  const ms = performance.now() - started;
  const explained = (await execute({ schema, document, explain: "json" })) as { extensions?: { explain?: { json: PlanJSON } } };
  return { ms, text: JSON.stringify(result), steps: explained.extensions!.explain!.json.steps.length };
}

export async function runPartialPlanningScenario(options: { firstRequests: number } = { firstRequests: 15 }): Promise<MeasuredTable> {
  const modes = [
    { label: `full planning (all ${TYPES} branches)`, partial: false },
    { label: `partial planning (branches of the ${PRESENT.length} types that arrive)`, partial: true },
  ];
  // Checked first: both modes give the same result.
  const checks = await Promise.all(modes.map((m) => firstRequest(m.partial)));
  if (checks[0]!.text !== checks[1]!.text) throw new Error("partial planning: the result differs from full planning's");
  if (!checks[0]!.text.includes("detail of T17-11")) throw new Error(`partial planning: unexpected result ${checks[0]!.text.slice(0, 200)}`);
  const rows = [];
  const firsts = modes.map(() => [] as number[]);
  for (let i = 0; i < options.firstRequests + 3; i++) {
    for (let k = 0; k < modes.length; k++) {
      const m = (k + i) % modes.length;
      const { ms } = await firstRequest(modes[m]!.partial);
      if (i >= 3) firsts[m]!.push(ms); // the first rounds warm the engine's code
    }
  }
  for (let m = 0; m < modes.length; m++) {
    const { label, partial } = modes[m]!;
    const schema = makeUnionSchema(partial);
    const planned = buildOperationPlan(schema, operation, {}, {}, "response", DEFAULT_LIMITS, partial).liveSteps().length;
    const planning = perCall(() => void buildOperationPlan(schema, operation, {}, {}, "response", DEFAULT_LIMITS, partial), 500, 20);
    rows.push({ label, values: [planning, planned, checks[m]!.steps, median(firsts[m]!)] });
  }
  const full = rows[0]!.values[3]!;
  for (const row of rows) row.values.push(row.values[3]! / full);
  return {
    id: "partial-planning",
    title: `Partial planning: a union of ${TYPES} types with a fragment on each, ${PRESENT.length} in the data`,
    description:
      `\`{ items { __typename ... on T0 { id value detail { label } } … ... on T39 { … } } }\` over a union of ${TYPES} object types; the items (6) are of ${PRESENT.length} types. ` +
      "Full planning (`makeSchema({ partialPlanning: false })`) plans every type's branch up front; partial planning plans a branch when an entry of its type first reaches the field. " +
      `Planning time is \`buildOperationPlan\` alone (about 0.5 s of calls); the first request is \`execute\` on a fresh schema, planning included (median of ${options.firstRequests}, modes alternating). Results are checked equal first.`,
    rowHeading: "Mode",
    columns: [
      { title: "planning, ms", format: "ms" },
      { title: "steps planned", format: "count" },
      { title: "steps after the first request", format: "count" },
      { title: "first request, ms", format: "ms" },
      { title: "first request ÷ full", format: "ratio" },
    ],
    rows,
    date: new Date().toISOString(),
  };
}

if (process.argv[1]?.endsWith("partialPlanning.ts")) publishTable(await runPartialPlanningScenario());
