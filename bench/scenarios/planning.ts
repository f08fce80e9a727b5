// Planning cost: the same 200-field query executed with its plan built every time (a fresh document object
// with no source text, so the plan cache cannot match it) versus with the cached plan, beside graphql-js,
// which has no plan to build. In-memory data, no store; never times parsing (documents are parsed once).

import { buildSchema, execute as graphqlExecute, parse, type DocumentNode, type GraphQLObjectType } from "graphql";
import { execute, makeSchema } from "../../src/index.js";
import { loadOne } from "../../steps/index.js";
import type { Step } from "../../src/index.js";
import type { Scenario } from "../scenario.js";

const FIELDS_PER_OBJECT = 50;
const OBJECTS = 4; // 4 aliases × 50 fields = 200 fields

export function planningScenario(): Scenario {
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

  const selection = fieldNames.join(" ");
  const source = `query Things { ${Array.from({ length: OBJECTS }, (_, t) => `t${t}: thing(id: "t${t}") { ${selection} }`).join(" ")} }`;
  const document = parse(source);
  // Without `loc` the plan cache keys by the document object, so a shallow copy is a never-seen operation.
  const unlocated = parse(source, { noLocation: true });
  const freshDocument = (): DocumentNode => ({ kind: unlocated.kind, definitions: unlocated.definitions });
  return {
    id: "planning",
    title: `Planning cost: a ${OBJECTS * FIELDS_PER_OBJECT}-field query, plan built vs plan cached`,
    description: `${OBJECTS} aliased \`thing(id:)\` fields × ${FIELDS_PER_OBJECT} scalar fields, in memory. "plan built" executes a fresh document every time, so graphscale plans it from scratch; "cached plan" reuses it. graphql-js has no planning step.`,
    engines: [
      { key: "graphscale", name: "graphscale (cached plan)", run: (): unknown => execute({ schema: planSchema, document }) },
      { key: "graphscale-first", name: "graphscale (plan built every time)", run: (): unknown => execute({ schema: planSchema, document: freshDocument() }) },
      { key: "graphql-js", name: "graphql-js (resolvers)", run: (): unknown => graphqlExecute({ schema: resolverSchema, document }) },
    ],
    comparisons: [{ engine: "graphscale", against: "graphql-js" }],
  };
}
