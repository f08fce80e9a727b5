// Partial planning against full planning and graphql-js (spec/planning.md, "Partial planning"): seeded
// rounds of random queries over a union and an interface — fragments on types and on the interface, named
// fragments, @include on a variable, nested abstract lists and fields, aliases, field errors and non-null positions that fail —
// while the data's concrete types arrive a few at a time. Each query runs under partial planning as
// several concurrent requests (plain execute, the batching executor, and a second schema that reads the
// first one's plans from a shared plan store, as another process would), through executeToJSON, and from
// a plan exported after some branches were planned and imported into a fresh schema. Every result must equal
// graphql-js's over the same data (resolvers that answer at once, as the plans' values are all there when
// the response is built) and full planning's.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, execute as graphqlJsExecute, parse, type DocumentNode, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { createBatchedExecute, execute, executeToJSON, exportPlan, getPlanCacheStats, importPlan, makeSchema, type Step } from "../../src/index.js";
import { constant, lambda, loadOne } from "../../steps/index.js";
import { draws, prng } from "../safety/fuzz.js";

const NAMES = ["T0", "T1", "T2", "T3", "T4", "T5"];
/** The types implementing Node: every other one. */
const NODES = NAMES.filter((_, i) => i % 2 === 0);
const typeDefs = /* GraphQL */ `
  interface Node { id: ID! }
  union U = ${NAMES.join(" | ")}
  type Query { items: [U!]! node: Node first: U }
  ${NAMES.map((n, i) => `type ${n}${i % 2 === 0 ? " implements Node" : ""} { id: ID! v${i}: String kids: [U!] one: Node shared: String nn: String! }`).join("\n")}
`;

interface Thing {
  type: string;
  id: string;
  shared: string | null;
  nn: string | null;
  kids: Thing[] | null;
  one: Thing | null;
}

/** What the root fields return; each phase of a round replaces it. */
let items: Thing[] = [];
let node: Thing | null = null;

/** `shared` fails for the value "sh3", naming the type. */
const sharedOf = (type: string) => (value: string | null) => {
  if (value === "sh3") throw new Error(`bad ${type}`);
  return value;
};
/** Every callback by name, so plans can be exported (the fingerprint reads their source text). */
const functions: Record<string, (...args: any[]) => unknown> = {
  items: async (keys: readonly string[]) => (await null, keys.map(() => items)),
  node: async (keys: readonly string[]) => (await null, keys.map(() => node)),
  first: () => items[0] ?? null,
};
for (const [i, name] of NAMES.entries()) {
  functions[`v${i}`] = async (ids: readonly string[]) => (await null, ids.map((id) => `${id}:${i}`));
  functions[`shared${i}`] = sharedOf(name);
}

type PlanStore = { get(key: string): string | null; set(key: string, text: string): void };

function planned(partialPlanning: boolean, planStore?: PlanStore): GraphQLSchema {
  const typePlans: Record<string, Record<string, ($x: any) => Step>> = {};
  for (const [i, name] of NAMES.entries()) {
    typePlans[name] = {
      [`v${i}`]: ($x) => loadOne($x.get("id"), functions[`v${i}`] as any),
      kids: ($x) => $x.get("kids"),
      one: ($x) => $x.get("one"),
      shared: ($x) => lambda($x.get("shared"), functions[`shared${i}`] as any),
    };
  }
  return makeSchema({
    typeDefs,
    partialPlanning,
    functions,
    limits: { maxCost: 1e12 }, // nested lists of unknown length estimate far above the default
    ...(planStore ? { planStore, onPlanWarning: (warning: unknown) => assert.unreachable(`plan warning: ${String(warning)}`) } : {}),
    plans: {
      Query: {
        items: () => loadOne(constant("all"), functions.items as any),
        node: () => loadOne(constant("node"), functions.node as any),
        first: () => lambda(constant(0), functions.first as any),
      },
      U: { __planType: ($x: any) => $x.get("type") },
      Node: { __planType: ($x: any) => $x.get("type") },
      ...typePlans,
    } as any,
  });
}

/** The same schema with graphql-js resolvers over the same data. */
function reference(): { schema: GraphQLSchema; rootValue: Record<string, () => unknown> } {
  const schema = buildSchema(typeDefs);
  for (const [i, name] of NAMES.entries()) {
    const fields = (schema.getType(name) as GraphQLObjectType).getFields();
    fields[`v${i}`]!.resolve = (x: Thing) => `${x.id}:${i}`;
    fields.shared!.resolve = (x: Thing) => sharedOf(name)(x.shared);
  }
  for (const abstract of ["U", "Node"]) (schema.getType(abstract) as unknown as { resolveType: (x: Thing) => string }).resolveType = (x) => x.type;
  return { schema, rootValue: { items: () => items, node: () => node, first: () => items[0] ?? null } };
}

function generator(seed: number) {
  const random = prng(seed);
  const { int, pick } = draws(random);
  const onNode = (depth: number): string => `id ${int(2) ? `... on ${pick(NAMES)} { ${onType(depth)} }` : ""} ${int(3) === 0 ? "__typename" : ""}`;
  const onType = (depth: number): string =>
    Array.from({ length: 1 + int(3) }, () => {
      const r = int(7);
      if (r === 0 && depth < 3) return `kids { ${onUnion(depth + 1)} }`;
      if (r === 1 && depth < 3) return `${int(2) ? "o: " : ""}one { ${onNode(depth + 1)} }`;
      if (r === 2) return "nn";
      return pick(["id", "shared", "__typename"]);
    }).join(" ");
  const onUnion = (depth: number): string => {
    const parts = Array.from({ length: 1 + int(3) }, () =>
      int(6) === 0
        ? `... on Node { id ${depth < 3 && int(2) ? `one { ${onNode(depth + 1)} }` : ""} }`
        : `... on ${pick(NAMES)}${int(4) === 0 ? " @include(if: $inc)" : ""} { ${onType(depth)} }`,
    );
    if (int(3) === 0) parts.unshift("__typename");
    if (int(4) === 0) parts.push(`...F${int(2)}`);
    return parts.join(" ");
  };
  const document = (): DocumentNode => {
    const roots = [`items { ${onUnion(1)} }`];
    if (int(2)) roots.push(`node { ${onNode(1)} }`);
    if (int(3) === 0) roots.push(`first { ${onUnion(1)} }`);
    let source = `query Q($inc: Boolean!) { ${roots.join(" ")} }`;
    if (source.includes("...F0")) source += " fragment F0 on U { ... on T1 { shared } }";
    if (source.includes("...F1")) source += " fragment F1 on Node { id ... on T2 { nn } }";
    return parse(source);
  };
  /** A thing of one of `types` (null when there are none), with kids and a Node of the same types. */
  const thing = (types: readonly string[], depth: number): Thing | null => {
    if (types.length === 0) return null;
    const type = pick(types);
    const nodeTypes = types.filter((t) => NODES.includes(t));
    return {
      type,
      id: `${type}-${int(1000)}`,
      shared: int(5) === 0 ? null : `sh${int(9)}`,
      nn: int(9) === 0 ? null : "nn",
      kids: depth < 2 && int(2) ? (Array.from({ length: int(3) }, () => thing(types, depth + 1)) as Thing[]) : null,
      one: depth < 2 && int(2) ? thing(nodeTypes, depth + 1) : null,
    };
  };
  const variables = () => ({ inc: int(2) === 0 });
  return { int, pick, document, thing, variables };
}

const text = (result: unknown) => JSON.stringify(result);

test("seeded rounds: partial planning, with types arriving over time, equals full planning and graphql-js", async () => {
  const ref = reference();
  const tally = { checks: 0, branchesPlanned: 0, plansImported: 0, exported: 0 };
  for (const seed of [1, 2, 3, 4, 5]) {
    const { int, pick, document, thing, variables } = generator(seed);
    for (let round = 0; round < 5; round++) {
      const stored = new Map<string, string>();
      const planStore: PlanStore = { get: (key) => stored.get(key) ?? null, set: (key, value) => void stored.set(key, value) };
      const partial = planned(true, planStore);
      const full = planned(false);
      const batched = createBatchedExecute({ schema: partial, windowMs: 1 });
      const documents = Array.from({ length: 1 + int(3) }, document);
      let arrived: string[] = [];
      for (let phase = 0; phase < 4; phase++) {
        arrived = [...new Set([...arrived, ...Array.from({ length: 1 + int(2) }, () => pick(NAMES))])];
        items = Array.from({ length: int(5) }, () => thing(arrived, 0)!);
        node = int(2) ? thing(arrived.filter((t) => NODES.includes(t)), 1) : null;
        for (const doc of documents) {
          const where = `seed ${seed} round ${round} phase ${phase}: ${doc.loc!.source.body}`;
          // graphql-js's result for each value of $inc.
          const expected = new Map<boolean, string>();
          for (const inc of [false, true]) {
            expected.set(inc, text(await graphqlJsExecute({ schema: ref.schema, document: doc, rootValue: ref.rootValue, variableValues: { inc } })));
          }
          const other = planned(true, planStore); // another process, reading the plans the first one stored
          // Concurrent requests, each with its own $inc: a branch planned for one must decide as it would for the other.
          const runs = [full, partial, ...Array.from({ length: 1 + int(8) }, (_, j) => [partial, batched, other][j % 3]!)].map((engine, k) => {
            const variableValues = variables();
            let result: Promise<unknown>;
            if (engine === batched) result = batched({ schema: partial, document: doc, variableValues });
            else if (k === 1) result = Promise.resolve(executeToJSON({ schema: partial, document: doc, variableValues }));
            else result = Promise.resolve(execute({ schema: engine as GraphQLSchema, document: doc, variableValues }));
            return { inc: variableValues.inc, result };
          });
          for (const [k, run] of runs.entries()) {
            const result = await run.result;
            tally.checks++;
            assert.is(typeof result === "string" ? result : text(result), expected.get(run.inc), `${where} (run ${k}, $inc ${run.inc})`);
          }
          tally.plansImported += getPlanCacheStats(other).plansImported;
          if (int(3) === 0) {
            const fresh = planned(true);
            const variableValues = variables();
            assert.ok(importPlan(fresh, doc, exportPlan(partial, doc, undefined, variableValues), undefined, variableValues), where);
            assert.is(text(await execute({ schema: fresh, document: doc, variableValues })), expected.get(variableValues.inc), `${where} (imported)`);
            tally.exported++;
          }
        }
      }
      tally.branchesPlanned += getPlanCacheStats(partial).branchesPlanned;
    }
  }
  // The rounds exercised what they are for: branches planned as types arrived, plans read from the store, exports.
  assert.ok(tally.branchesPlanned > 50, `branches planned: ${tally.branchesPlanned}`);
  assert.ok(tally.plansImported > 50, `plans imported: ${tally.plansImported}`);
  assert.ok(tally.exported > 10, `plans exported: ${tally.exported}`);
});

test.run();
