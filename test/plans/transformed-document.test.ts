// A document transformed after parsing (graphql's visit keeps `loc`, so its source text is still the
// original's — what server plugins adding __typename or rewriting persisted queries do) gets a plan made
// from an AST equal to it: never the cached or stored plan of the text it was parsed from, in either order.
// Equal documents still share plans: a new parse of a known text, and a transformed copy made again.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLSchema, Kind, parse, visit, type DocumentNode, type SelectionSetNode } from "graphql";
import { execute, exportPlan, getPlanCacheStats, importPlan, makeSchema } from "../../src/index.js";
import { constant } from "../../steps/index.js";

function schemaWith(extra: { planStore?: { get(k: string): string | undefined; set(k: string, v: string): void }; onPlanWarning?: (m: string) => void } = {}): GraphQLSchema {
  return makeSchema({
    typeDefs: `type Query { a: String b: String me: User } type User { name: String secret: String }`,
    ...extra,
    plans: { Query: { a: () => constant("A"), b: () => constant("B"), me: () => constant({ name: "Ann", secret: "s3cr3t" }) } },
  });
}

/** A copy with the field `name` added to each selection set for which `where` holds (visit keeps every `loc`). */
function withField(document: DocumentNode, name: string, where: (node: SelectionSetNode) => boolean = () => true): DocumentNode {
  return visit(document, {
    SelectionSet(node) {
      if (!where(node)) return undefined;
      return { ...node, selections: [...node.selections, { kind: Kind.FIELD, name: { kind: Kind.NAME, value: name } }] };
    },
  });
}

/** A copy without the fields named `name`. */
function withoutField(document: DocumentNode, name: string): DocumentNode {
  return visit(document, { Field: (node) => (node.name.value === name ? null : undefined) });
}

test("execute: a visit()-transformed copy with a field added, after its original, runs with that field", async () => {
  const schema = schemaWith();
  assert.equal(await execute({ schema, document: parse("{ a }") }), { data: { a: "A" } });
  const transformed = withField(parse("{ a }"), "b");
  assert.is(transformed.loc?.source.body, "{ a }");
  assert.equal(await execute({ schema, document: transformed }), { data: { a: "A", b: "B" } });
  assert.is(getPlanCacheStats(schema).plansBuilt, 2);
  // Equal documents share: a new parse of the text, and the same transform of another parse of it.
  assert.equal(await execute({ schema, document: parse("{ a }") }), { data: { a: "A" } });
  assert.equal(await execute({ schema, document: withField(parse("{ a }"), "b") }), { data: { a: "A", b: "B" } });
  assert.equal(await execute({ schema, document: transformed }), { data: { a: "A", b: "B" } });
  assert.is(getPlanCacheStats(schema).plansBuilt, 2);
  assert.is(getPlanCacheStats(schema).hits, 3);
});

test("execute: a copy with a field removed, after its original, runs without it", async () => {
  const schema = schemaWith();
  assert.equal(await execute({ schema, document: parse("{ a b }") }), { data: { a: "A", b: "B" } });
  assert.equal(await execute({ schema, document: withoutField(parse("{ a b }"), "b") }), { data: { a: "A" } });
  assert.is(getPlanCacheStats(schema).plansBuilt, 2);
});

test("execute: the original after its transformed copy runs as written (either order)", async () => {
  const schema = schemaWith();
  assert.equal(await execute({ schema, document: withField(parse("{ a }"), "b") }), { data: { a: "A", b: "B" } });
  assert.equal(await execute({ schema, document: parse("{ a }") }), { data: { a: "A" } });
  assert.equal(await execute({ schema, document: withoutField(parse("{ a b }"), "b") }), { data: { a: "A" } });
  assert.equal(await execute({ schema, document: parse("{ a b }") }), { data: { a: "A", b: "B" } });
  assert.is(getPlanCacheStats(schema).plansBuilt, 4);
});

test("execute: a copy whose change is an alias or an argument-free directive is not the original either", async () => {
  const schema = schemaWith();
  assert.equal(await execute({ schema, document: parse("{ a }") }), { data: { a: "A" } });
  const aliased = visit(parse("{ a }"), { Field: (node) => ({ ...node, alias: { kind: Kind.NAME, value: "x" } }) });
  assert.equal(await execute({ schema, document: aliased }), { data: { x: "A" } });
  const skipped = visit(parse("{ a }"), {
    Field: (node) => ({ ...node, directives: [{ kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: "skip" }, arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: "if" }, value: { kind: Kind.BOOLEAN, value: true } }] }] }),
  });
  assert.equal(await execute({ schema, document: skipped }), { data: {} });
  assert.is(getPlanCacheStats(schema).plansBuilt, 3);
});

/** Two "processes" sharing one in-memory plan store. */
function sharedStore() {
  const texts = new Map<string, string>();
  const warnings: string[] = [];
  const planStore = { get: (k: string) => texts.get(k), set: (k: string, v: string) => void texts.set(k, v) };
  return { texts, warnings, process: () => schemaWith({ planStore, onPlanWarning: (m) => void warnings.push(m) }) };
}

const addSecret = (document: DocumentNode): DocumentNode =>
  withField(document, "secret", (node) => !node.selections.some((s) => s.kind === Kind.FIELD && s.name.value === "me"));

test("plan store: a transformed copy does not import the plan stored for its original's text", async () => {
  const { texts, warnings, process } = sharedStore();
  const text = "{ me { name } }";
  assert.equal(await execute({ schema: process(), document: parse(text) }), { data: { me: { name: "Ann" } } });
  assert.is(texts.size, 1);
  const b = process();
  assert.equal(await execute({ schema: b, document: addSecret(parse(text)) }), { data: { me: { name: "Ann", secret: "s3cr3t" } } });
  assert.is(getPlanCacheStats(b).plansImported, 0);
  assert.is(getPlanCacheStats(b).plansBuilt, 1);
  assert.is(texts.size, 2, "the copy's plan is stored under its own key");
  // Each kind is imported by a process that has planned neither.
  const c = process();
  assert.equal(await execute({ schema: c, document: addSecret(parse(text)) }), { data: { me: { name: "Ann", secret: "s3cr3t" } } });
  assert.equal(await execute({ schema: c, document: parse(text) }), { data: { me: { name: "Ann" } } });
  assert.is(getPlanCacheStats(c).plansImported, 2);
  assert.is(getPlanCacheStats(c).plansBuilt, 0);
  // The hash is of the printed document: a text laid out otherwise reads the same stored plan.
  const d = process();
  assert.equal(await execute({ schema: d, document: parse("{\n  me {\n    name\n  }\n}") }), { data: { me: { name: "Ann" } } });
  assert.is(getPlanCacheStats(d).plansImported, 1);
  assert.equal(warnings, []);
});

test("plan store: the original does not read the plan its transformed copy stored (no refusal, no warning)", async () => {
  const { texts, warnings, process } = sharedStore();
  const text = "{ me { name } }";
  assert.equal(await execute({ schema: process(), document: addSecret(parse(text)) }), { data: { me: { name: "Ann", secret: "s3cr3t" } } });
  assert.is(texts.size, 1);
  const b = process();
  assert.equal(await execute({ schema: b, document: parse(text) }), { data: { me: { name: "Ann" } } });
  assert.is(getPlanCacheStats(b).plansImported, 0);
  assert.is(getPlanCacheStats(b).plansBuilt, 1);
  assert.equal(warnings, []);
  assert.is(texts.size, 2);
});

test("importPlan: the original's exported plan is refused for a transformed copy, with a warning", () => {
  const warnings: string[] = [];
  const text = exportPlan(schemaWith(), parse("{ me { name } }"));
  const schema = schemaWith({ onPlanWarning: (m) => void warnings.push(m) });
  assert.is(importPlan(schema, addSecret(parse("{ me { name } }")), text), false);
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!, /made for another operation/);
  assert.is(importPlan(schema, parse("{ me { name } }"), text), true);
});

test.run();
