// Exported output plans against the document: every kind of output position — leaves, lists of leaves,
// lists of lists, objects, unions and interfaces, __typename, introspection, aliases, merged fields and
// fragments — is written as field-node references, derived again on import, and the imported plan gives
// the result planning gives, with the planner not running.

import { test } from "uvu";
import { planBody, withBody } from "./planText.js";
import * as assert from "uvu/assert";
import { GraphQLSchema, graphql, parse } from "graphql";
import { execute, exportPlan, getPlanCacheStats, importPlan, makeSchema, type Step } from "../../src/index.js";
import { constant } from "../../steps/index.js";
import { polymorphicSchema } from "./polymorphicSchema.js";

const query = `
  query Shapes($text: String!) {
    __typename
    me { ...Who friends { name alias: name friends { name } } tags matrix pet { __typename ... on Dog { barks } ... on Cat { lives } } }
    me { name pet { ... on Dog { name } } }
    people { name tags }
    search(text: $text) { __typename name ... on Person { friends { name } } ... on Cat { lives } }
    pets { ... on Dog { name barks } ... on Cat { name } }
    __type(name: "Dog") { name fields { name } }
  }
  fragment Who on Person { name who: name }
`;

test("import: every kind of output position derives from the document and gives planning's result, the planner not running", async () => {
  const document = parse(query);
  const variables = { text: "o" };
  const planned = polymorphicSchema(true);
  const text = exportPlan(planned, document, undefined, variables); // before any execution: no branch planned yet
  const expected = await execute({ schema: planned, document, variableValues: variables });
  assert.is(expected.errors, undefined);
  const reference = await graphql({ schema: planned, source: query, variableValues: variables });
  assert.equal(JSON.parse(JSON.stringify(expected)), JSON.parse(JSON.stringify(reference)));

  const body = planBody<{ root: [string, unknown[]] }>(text);
  // No field of this operation needs the full form (-1): all are written against the document.
  assert.not.match(JSON.stringify(body.root), /[,[]-1,/);
  assert.is(body.root[1].length, 6 * 3); // __typename, me (merged), people, search, pets, __type: triples

  const fresh = new GraphQLSchema(planned.toConfig());
  assert.ok(importPlan(fresh, parse(query), text, undefined, variables));
  const imported = await execute({ schema: fresh, document: parse(query), variableValues: variables });
  assert.equal(JSON.parse(JSON.stringify(imported)), JSON.parse(JSON.stringify(expected)));
  const stats = getPlanCacheStats(fresh);
  assert.is(stats.plansBuilt, 0);
  assert.is(stats.plansImported, 1);
  // Abstract positions are imported with their unplanned branches: each type met is planned on arrival,
  // exactly as in the process that built the plan.
  assert.is(stats.branchesPlanned, getPlanCacheStats(planned).branchesPlanned);
  assert.ok(stats.branchesPlanned >= 5, String(stats.branchesPlanned));
});

test("import without generated code (compileOutput: false): fields are set by the decoder's loop, same result, the planner not running", async () => {
  const document = parse(query);
  const variables = { text: "o" };
  const planned = polymorphicSchema(false);
  const text = exportPlan(planned, document, undefined, variables);
  const expected = await execute({ schema: planned, document, variableValues: variables });
  const fresh = new GraphQLSchema(planned.toConfig());
  assert.ok(importPlan(fresh, parse(query), text, undefined, variables));
  const imported = await execute({ schema: fresh, document: parse(query), variableValues: variables });
  assert.equal(JSON.parse(JSON.stringify(imported)), JSON.parse(JSON.stringify(expected)));
  assert.is(getPlanCacheStats(fresh).plansBuilt, 0);
  // The 200-field shape of plan: Access steps' paths are written bare and read back as one-element lists.
  const things = makeSchema({
    compileOutput: false,
    typeDefs: "type Query { a: T b: T } type T { x: String y: String }",
    plans: {
      Query: { a: () => constant({ x: "1", y: "2" }), b: () => constant({ x: "3", y: "4" }) },
      T: { x: ($t: Step) => $t.get("x"), y: ($t: Step) => $t.get("y") },
    },
  });
  const source = "{ a { x y } b { x y } }";
  const thingsText = exportPlan(things, parse(source));
  const shapes = JSON.parse(planBody<{ shapes: string }>(thingsText).shapes) as unknown[][];
  assert.ok(shapes.some((shape) => shape.length === 4), "a shape with one-scalar lists written bare");
  const copy = new GraphQLSchema(things.toConfig());
  assert.ok(importPlan(copy, parse(source), thingsText));
  assert.equal(JSON.parse(JSON.stringify(await execute({ schema: copy, document: parse(source) }))), { data: { a: { x: "1", y: "2" }, b: { x: "3", y: "4" } } });
});

test("import: a body edited behind a recomputed checksum never throws; malformed parts are refused with a warning", () => {
  const document = parse(query);
  const variables = { text: "o" };
  const text = exportPlan(polymorphicSchema(true), document, undefined, variables);
  let seed = 7;
  const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  const replacements = [-1, 0, 1, 99999, "x", null, true, [], ["O"], ["A", 1]];
  let refused = 0;
  for (let round = 0; round < 300; round++) {
    const parsed = planBody(text);
    // Walk to a random array inside a random part of the body and overwrite one of its elements.
    const part = ["root", "steps", "layers", "shapes", "shape"][random(5)]!;
    let at: unknown = parsed[part];
    while (Array.isArray(at) && at.length > 0 && random(3) > 0) {
      const next = at[random(at.length)];
      if (!Array.isArray(next) || next.length === 0) break;
      at = next;
    }
    if (!Array.isArray(at) || at.length === 0) continue;
    at[random(at.length)] = replacements[random(replacements.length)];
    const edited = withBody(text, JSON.stringify(parsed));
    const warnings: string[] = [];
    const planned = polymorphicSchema(true);
    const fresh = new GraphQLSchema({
      ...planned.toConfig(),
      extensions: { graphscale: { ...(planned.extensions as { graphscale: object }).graphscale, onPlanWarning: (m: string) => void warnings.push(m) } },
    });
    const accepted = importPlan(fresh, parse(query), edited, undefined, variables);
    if (!accepted) {
      refused++;
      assert.is(warnings.length, 1);
    }
  }
  assert.ok(refused >= 100, `${refused} of 300 edited plans refused`);
});


/** The arrays and strings JSON.parse makes for an encoded value. */
function parsedParts(value: unknown): { arrays: number; strings: number } {
  const parts = { arrays: 0, strings: 0 };
  const walk = (v: unknown): void => {
    if (typeof v === "string") parts.strings++;
    else if (Array.isArray(v)) {
      parts.arrays++;
      for (const item of v) walk(item);
    }
  };
  walk(value);
  return parts;
}

/** A shop with departments, selected through a fragment per type: its schema, operation and exported plan. */
function shopThroughFragments() {
  const schema = makeSchema({
    typeDefs: "type Query { shop: Shop } type Shop { id: ID! name: String! departments: [Department!]! } type Department { id: ID! name: String! }",
    plans: {
      Query: { shop: () => constant({ id: "s", name: "shop", departments: [{ id: "d", name: "toys" }] }) },
    },
  });
  const source = "query Shop { shop { ...ShopFields departments { ...DepartmentFields name } } } fragment ShopFields on Shop { id name } fragment DepartmentFields on Department { id }";
  const text = exportPlan(schema, parse(source));
  const body = planBody<{ root: [string, unknown[]]; layers: unknown[]; layerSteps?: unknown; shape: unknown[] }>(text);
  return { schema, source, text, body };
}

test("export: a fragment's field is one number in the output plan, as an operation's is (3 fragments' fields: 7 arrays and 4 strings to parse, not 13 and 7)", async () => {
  const { schema, source, text, body } = shopThroughFragments();
  // Query.shop and Shop.departments are the operation's; Shop.id, Shop.name and Department.id the fragments'.
  assert.equal(parsedParts(body.root), { arrays: 7, strings: 4 }); // the root, 3 field lists, 2 objects, 1 list; "Query", "O", "L", "O"
  const fresh = new GraphQLSchema(schema.toConfig());
  assert.ok(importPlan(fresh, parse(source), text));
  const result = await execute({ schema: fresh, document: parse(source) });
  assert.equal(JSON.parse(JSON.stringify(result)), { data: { shop: { id: "s", name: "shop", departments: [{ id: "d", name: "toys" }] } } });
  assert.is(getPlanCacheStats(fresh).plansBuilt, 0);
});

test("export: a plan's layers are one flat stream (4 layers: 5 arrays to parse, not 21 with an array per layer and per step list) and its measured shape one list (not 6)", () => {
  const { body } = shopThroughFragments();
  // The stream, the parent steps of 3 layers' reasons, the root layer's undefined path typename.
  assert.is(parsedParts(body.layers).arrays, 5);
  assert.is(body.layerSteps, undefined);
  // Depth, widest, fields, then 2 cost terms: 4 fields outside the list; 2 per department times the list's size.
  assert.equal(body.shape, [3, 3, 6, 4, 0, 2, 1, "", null]);
});

test.run();
