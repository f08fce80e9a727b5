// An imported plan's abstract positions must plan or leave unplanned (partial planning) each possible type
// exactly once: a body whose unplanned list lost a type, was emptied or repeats a name is refused with a
// warning and planned again, so no entry of a lost type meets a position with no branch for it.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { planBody, withBody } from "./planText.js";
import { GraphQLSchema, parse } from "graphql";
import { execute, exportPlan, getPlanCacheStats, importPlan } from "../../src/index.js";
import { polymorphicSchema } from "./polymorphicSchema.js";

const document = parse(`{ search(text: "") { __typename name ... on Dog { barks } ... on Cat { lives } } }`);

/** The plan text with its body edited and its checksum recomputed, as whoever rewrites a stored plan would. */
function forged(text: string, edit: (body: unknown) => number): string {
  const body = planBody<unknown>(text);
  assert.is(edit(body), 1, "the body has one unplanned list");
  return withBody(text, JSON.stringify(body));
}

/** Rewrites the body's lists of the search position's possible type names (its unplanned list); how many. */
function editUnplanned(body: unknown, edit: (names: string[]) => string[]): number {
  let edited = 0;
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        const v: unknown = x[i];
        if (Array.isArray(v) && v.length === 3 && [...v].sort().join() === "Cat,Dog,Person") {
          x[i] = edit(v as string[]);
          edited++;
        } else walk(v);
      }
    } else if (x !== null && typeof x === "object") for (const v of Object.values(x)) walk(v);
  };
  walk(body);
  return edited;
}

function withWarnings(schema: GraphQLSchema, warnings: string[]): GraphQLSchema {
  const graphscale = (schema.extensions as { graphscale: object }).graphscale;
  return new GraphQLSchema({ ...schema.toConfig(), extensions: { graphscale: { ...graphscale, onPlanWarning: (m: string) => void warnings.push(m) } } });
}

const edits: Array<[string, (names: string[]) => string[]]> = [
  ["a type dropped", (names) => names.filter((n) => n !== "Cat")],
  ["emptied", () => []],
  ["a name repeated", (names) => [...names, names[0]!]],
];

for (const [what, edit] of edits) {
  test(`import: an unplanned list with ${what} is refused with a warning, and the request plans again`, async () => {
    const expected = await execute({ schema: polymorphicSchema(), document });
    assert.equal((expected.data as { search: unknown[] }).search.length, 4);
    const text = exportPlan(polymorphicSchema(), document);
    const warnings: string[] = [];
    const schema = withWarnings(polymorphicSchema(), warnings);
    assert.is(importPlan(schema, document, forged(text, (body) => editUnplanned(body, edit))), false);
    assert.is(warnings.length, 1);
    assert.match(warnings[0]!, /the abstract position search does not plan or leave unplanned each possible type of Named exactly once/);
    assert.equal(await execute({ schema, document }), expected);
    assert.is(getPlanCacheStats(schema).plansImported, 0);
    assert.is(getPlanCacheStats(schema).plansBuilt, 1);
  });
}

test("import: the unedited plan, with every type unplanned, is taken and gives the same result", async () => {
  const expected = await execute({ schema: polymorphicSchema(), document });
  const text = exportPlan(polymorphicSchema(), document);
  const warnings: string[] = [];
  const schema = withWarnings(polymorphicSchema(), warnings);
  assert.is(importPlan(schema, document, forged(text, (body) => editUnplanned(body, (names) => names))), true);
  assert.equal(await execute({ schema, document }), expected);
  assert.equal(warnings, []);
  assert.is(getPlanCacheStats(schema).plansBuilt, 0);
});

test.run();
