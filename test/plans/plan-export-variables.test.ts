// exportPlan and importPlan without variable values (spec/plan-export.md, ExportPlan, ImportPlan): a plan
// does not depend on the values its variables flow into, so an operation with a required variable exports
// and imports without them, and the imported plan serves requests with any value, planning nothing. Only a
// plan that reads a value (@skip/@include) needs one: the operation's default stands in, and without a
// default the error says to pass variableValues.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLError, parse, versionInfo } from "graphql";
import { execute, exportPlan, getPlanCacheStats, importPlan, makeSchema } from "../../src/index.js";
import { constant } from "../../steps/index.js";
import type { Step } from "../../src/index.js";

function schemaOf() {
  return makeSchema({
    typeDefs: "type Query { echo(text: String!): String a: String b: String }",
    plans: { Query: { echo: (_$root: Step, args) => args.get("text"), a: () => constant("A"), b: () => constant("B") } },
  });
}

test("exportPlan/importPlan: an operation with a required variable moves without its value and serves any value", async () => {
  const source = "query Echo($text: String!) { echo(text: $text) }";
  const text = exportPlan(schemaOf(), parse(source));
  const fresh = schemaOf();
  assert.is(importPlan(fresh, parse(source), text), true);
  assert.equal(await execute({ schema: fresh, document: parse(source), variableValues: { text: "one" } }), { data: { echo: "one" } });
  assert.equal(await execute({ schema: fresh, document: parse(source), variableValues: { text: "two" } }), { data: { echo: "two" } });
  const stats = getPlanCacheStats(fresh);
  assert.equal([stats.plansBuilt, stats.plansImported, stats.hits], [0, 1, 2]);
});

test("exportPlan: without values a variable's default decides @include, and the plan holds under that value only", async () => {
  const source = "query Q($v: Boolean = true) { a @include(if: $v) b }";
  const text = exportPlan(schemaOf(), parse(source));
  const fresh = schemaOf();
  assert.is(importPlan(fresh, parse(source), text), true);
  assert.equal(await execute({ schema: fresh, document: parse(source) }), { data: { a: "A", b: "B" } });
  assert.is(getPlanCacheStats(fresh).plansBuilt, 0);
  assert.equal(await execute({ schema: fresh, document: parse(source), variableValues: { v: false } }), { data: { b: "B" } });
  assert.is(getPlanCacheStats(fresh).plansBuilt, 1);
});

test("exportPlan: a plan that reads a required variable's value without it says to pass variableValues", () => {
  const source = "query Q($v: Boolean!) { a @skip(if: $v) b }";
  assert.throws(
    () => exportPlan(schemaOf(), parse(source)),
    (error: unknown) => error instanceof GraphQLError && /"\$v"/.test(error.message) && /pass variableValues to choose the plan/.test(error.message),
  );
  assert.ok(exportPlan(schemaOf(), parse(source), undefined, { v: true }).startsWith("graphscale-plan "));
});

test("exportPlan: variables given are still coerced, and their errors thrown as execute reports them", () => {
  const source = "query Echo($text: String!) { echo(text: $text) }";
  assert.throws(
    () => exportPlan(schemaOf(), parse(source), undefined, {}),
    // graphql-js's own message, as the installed major words it
    (error: unknown) =>
      error instanceof GraphQLError &&
      error.message === (versionInfo.major === 16 ? 'Variable "$text" of required type "String!" was not provided.' : 'Variable "$text" has invalid value: Expected a value of non-null type "String!" to be provided.'),
  );
});

test.run();
