// Partial planning (spec/planning.md, "Partial planning"): a union of 40 object types with a fragment on
// each, data holding 2 of them. Only the branches of the types that arrive are planned; the result equals
// full planning's (makeSchema({ partialPlanning: false })); a type arriving later is planned once even
// when 50 requests meet it at the same time.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, explainPlan, getPlanCacheStats, makeSchema, type PlanJSON } from "../../src/index.js";
import { constant, lambda, loadMany, loadOne } from "../../steps/index.js";

const TYPES = 40;
const names = Array.from({ length: TYPES }, (_, i) => `T${i}`);
const typeDefs = /* GraphQL */ `
  type Query { items: [Thing!]! }
  type Detail { label: String! }
  union Thing = ${names.join(" | ")}
  ${names.map((n) => `type ${n} { id: ID! value: String! detail: Detail }`).join("\n")}
`;
const query = parse(`{ items { __typename ${names.map((n) => `... on ${n} { id value detail { label } }`).join(" ")} } }`);

/** What the items field returns: changed by the tests to make types arrive. */
let current: Array<{ id: string; type: string; value: string }> = [];
const detailCalls: Record<string, number> = {};

function schema(partialPlanning: boolean) {
  const typePlans: Record<string, Record<string, unknown>> = {};
  for (const name of names) {
    typePlans[name] = {
      detail: ($t: any) =>
        loadMany($t.get("id"), ((ids: readonly string[]) => {
          detailCalls[name] = (detailCalls[name] ?? 0) + 1;
          return ids.map((id) => ({ label: `${name}:${id}` }));
        }) as any),
    };
  }
  return makeSchema({
    typeDefs,
    partialPlanning,
    plans: {
      Query: {
        // Async, so concurrent requests all hold their items before any of them opens the branches.
        items: () => loadOne(constant("all"), async (keys: readonly string[]) => {
          await new Promise((r) => setTimeout(r, 5));
          return keys.map(() => current);
        }),
      },
      Thing: { __planType: ($x: any) => $x.get("type") },
      ...typePlans,
    } as any,
  });
}

const items = (types: string[]) => types.flatMap((type, t) => [0, 1].map((k) => ({ id: `${type}-${t}${k}`, type, value: `v${t}${k}` })));

async function run(s: ReturnType<typeof schema>): Promise<{ result: string; json: PlanJSON }> {
  const out = (await execute({ schema: s, document: query, explain: "json" })) as any;
  const json = out.extensions.explain.json as PlanJSON;
  delete out.extensions;
  return { result: JSON.stringify(out), json };
}

/** Steps in each polymorphic layer and the layers below it, by the type the layer holds. */
function stepsByType(json: PlanJSON): Map<string, number> {
  const typeOf = new Map<number, string>();
  for (const layer of json.layers) {
    const own = layer.reason === "polymorphic" ? (layer as any).typeName : layer.parent === null ? undefined : typeOf.get(layer.parent);
    if (own !== undefined) typeOf.set(layer.id, own);
  }
  const counts = new Map<string, number>();
  for (const step of json.steps) {
    const type = typeOf.get(step.layer);
    if (type !== undefined) counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

const partial = schema(true);
const full = schema(false);

test("partial planning: 40 types with fragments, 2 in the data — only the 2 types' steps are planned, result equals full planning", async () => {
  current = items(["T3", "T17"]);
  const reference = await run(full);
  const actual = await run(partial);
  assert.is(actual.result, reference.result);
  assert.ok(actual.result.includes('"label":"T17:T17-11"'));

  const fullByType = stepsByType(reference.json);
  const partialByType = stepsByType(actual.json);
  assert.is(fullByType.size, TYPES);
  assert.equal([...partialByType.keys()].sort(), ["T17", "T3"]);
  const perType = fullByType.get("T0")!;
  assert.ok(perType >= 4, `each branch has its own steps (${perType})`);
  assert.is(partialByType.get("T3"), perType);
  assert.is(partialByType.get("T17"), perType);
  assert.is(reference.json.steps.length - actual.json.steps.length, (TYPES - 2) * perType, "2 types' steps planned instead of 40");
  const output = (actual.json.output.fields.items as any).item;
  assert.is(output.kind, "abstract");
  assert.equal(Object.keys(output.types).sort(), ["T17", "T3"]);
  assert.is(output.unplanned.length, TYPES - 2);
  assert.is((reference.json.output.fields.items as any).item.unplanned, undefined);
  assert.equal(getPlanCacheStats(partial).branchesPlanned, 2);
  assert.equal(getPlanCacheStats(partial).plansBuilt, 1);
  assert.is(detailCalls.T3, 2, "one detail load per type per request (full, then partial)");
});

test("partial planning: a third type arriving in 50 concurrent requests is planned once; the plan is reused", async () => {
  current = items(["T3", "T17", "T25"]);
  const before = { ...getPlanCacheStats(partial) };
  const results = await Promise.all(Array.from({ length: 50 }, () => execute({ schema: partial, document: query })));
  const after = getPlanCacheStats(partial);
  assert.is(after.branchesPlanned - before.branchesPlanned, 1);
  assert.is(after.plansBuilt - before.plansBuilt, 0);
  assert.is(after.hits - before.hits, 50);
  const reference = JSON.stringify(await execute({ schema: full, document: query }));
  for (const r of results) assert.is(JSON.stringify(r), reference);
  const again = await run(partial);
  assert.equal(Object.keys((again.json.output.fields.items as any).item.types).sort(), ["T17", "T25", "T3"]);
  assert.is(getPlanCacheStats(partial).branchesPlanned - before.branchesPlanned, 1, "known types plan nothing more");
});

test("partial planning: explainPlan shows the whole plan, as full planning makes it", () => {
  const shown = explainPlan(partial, query).json;
  assert.is(stepsByType(shown).size, TYPES);
  assert.is((shown.output.fields.items as any).item.unplanned, undefined);
});

test("partial planning: a branch's step equal to a property read the output reads inline above it is computed, not taken from it", async () => {
  // `oneA { id }` makes Access(id) of the shared load a read the output does inline (never executed); the
  // A branch planned later asks for the same read under `k`: it must run its own, as full planning does.
  const objects: Record<string, { __t: string; id: string }> = { a1: { __t: "A", id: "a1" } };
  const byId = async (ids: readonly string[]) => ids.map((id) => objects[id] ?? null);
  const make = (partialPlanning: boolean) =>
    makeSchema({
      partialPlanning,
      typeDefs: `interface Node { id: ID! } type A implements Node { id: ID! k: String } type B implements Node { id: ID! }
                 type Query { one: Node oneA: A }`,
      plans: {
        Query: { one: () => loadOne(constant("a1"), byId), oneA: () => loadOne(constant("a1"), byId) },
        Node: { __planType: ($node: any) => $node.get("__t") },
        A: { id: ($a: any) => $a.get("id"), k: ($a: any) => lambda($a.get("id"), (id: string) => `k:${id}`) },
        B: { id: ($b: any) => $b.get("id") },
      } as any,
    });
  const document = parse(`{ oneA { id } one { id ... on A { k } } }`);
  const expected = JSON.stringify({ data: { oneA: { id: "a1" }, one: { id: "a1", k: "k:a1" } } });
  assert.is(JSON.stringify(await execute({ schema: make(false), document })), expected);
  const partial = make(true);
  assert.is(JSON.stringify(await execute({ schema: partial, document })), expected, "the request that plans the branch");
  assert.is(JSON.stringify(await execute({ schema: partial, document })), expected, "a later request on the grown plan");
});

test.run();
