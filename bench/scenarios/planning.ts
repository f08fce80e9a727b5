// The 200-field query: 4 aliased fields × 50 scalars, with graphscale's plan cached, against graphql-js,
// graphql-jit (compiled once) and Grafast (its plan cached too), plus graphscale building its plan every
// time (a fresh document object with no source text, so the plan cache cannot match it). In-memory data,
// no store; never times parsing (documents are parsed once).

import { buildSchema, parse, type DocumentNode, type GraphQLObjectType } from "graphql";
import { execute, makeSchema } from "../../src/index.js";
import { loadOne } from "../../steps/index.js";
import type { Step } from "../../src/index.js";
import type { Scenario } from "../scenario.js";
import { loadGrafast, peerComparisons, peerEngines, type GrafastStep } from "../peers.js";

const FIELDS_PER_OBJECT = 50;
const OBJECTS = 4; // 4 aliases × 50 fields = 200 fields

export async function planningScenario(): Promise<Scenario> {
  const grafast = await loadGrafast();
  const fieldNames = Array.from({ length: FIELDS_PER_OBJECT }, (_, i) => `f${i}`);
  const typeDefs = `type Query { thing(id: ID!): Thing } type Thing { id: ID! ${fieldNames.map((f) => `${f}: String`).join(" ")} }`;
  const things = new Map<string, Record<string, string>>();
  for (let t = 0; t < OBJECTS; t++) {
    const thing: Record<string, string> = { id: `t${t}` };
    for (const f of fieldNames) thing[f] = `${f} of t${t}`;
    things.set(thing.id!, thing);
  }
  const loadThings = (ids: readonly string[]) => ids.map((id) => things.get(id) ?? null);
  const planSchema = makeSchema({
    typeDefs,
    plans: {
      Query: { thing: (_$root: Step, args) => loadOne(args.get("id"), loadThings) },
      Thing: Object.fromEntries(["id", ...fieldNames].map((f) => [f, ($thing: Step) => $thing.get(f)])),
    },
  });
  const resolverSchema = buildSchema(typeDefs);
  (resolverSchema.getQueryType() as GraphQLObjectType).getFields().thing!.resolve = (_root, args: { id: string }) => things.get(args.id) ?? null;

  const grafastSchema = grafast.makeGrafastSchema({
    typeDefs,
    objects: { Query: { plans: { thing: (_$root: GrafastStep, { $id }: any) => grafast.loadOne($id as GrafastStep<string>, loadThings) } } },
  });

  const selection = fieldNames.join(" ");
  const source = `query Things { ${Array.from({ length: OBJECTS }, (_, t) => `t${t}: thing(id: "t${t}") { ${selection} }`).join(" ")} }`;
  // Without `loc` the plan cache keys by the document object, so a shallow copy is a never-seen operation.
  const unlocated = parse(source, { noLocation: true });
  const freshDocument = (): DocumentNode => ({ kind: unlocated.kind, definitions: unlocated.definitions });
  const engines = peerEngines({ source, planSchema, resolverSchema, grafastSchema }, grafast);
  engines[0] = { ...engines[0]!, name: "graphscale (plans, cached plan)" };
  engines.splice(1, 0, { key: "graphscale-first", name: "graphscale (plan built every time)", run: (): unknown => execute({ schema: planSchema, document: freshDocument() }) });
  return {
    id: "planning",
    shape: `${OBJECTS * FIELDS_PER_OBJECT} aliased fields, plan cached`,
    title: `Planning cost: a ${OBJECTS * FIELDS_PER_OBJECT}-field query, plan built vs plan cached`,
    description: `${OBJECTS} aliased \`thing(id:)\` fields × ${FIELDS_PER_OBJECT} scalar fields, in memory. "plan built" executes a fresh document every time, so graphscale plans it from scratch; "cached plan" reuses it. graphql-jit compiles the document once; Grafast caches its plan for the document; graphql-js has no planning step.`,
    engines,
    comparisons: peerComparisons,
  };
}
