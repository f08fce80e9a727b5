// What a plan import costs once per schema and per document (spec/plan-export.md, SchemaText, DocumentText):
// the schema fingerprint is computed once per schema however many plans it exports and imports; the operation
// hash reads what the document holds (layout apart), never its source text; the schema text changes with
// anything a plan reads (a field, an argument's default, a type's interfaces).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, visit } from "graphql";
import { exportPlan, importPlan, makeSchema, type Step } from "../../src/index.js";
import { lambda } from "../../steps/index.js";
import { fingerprintStats, schemaFingerprint, schemaText } from "../../src/engine/planExport/fingerprint.js";
import { documentText } from "../../src/engine/planExport/documentText.js";
import { operationHash } from "../../src/engine/planExport/store.js";

const double = (n: number) => n * 2;
const schemaOf = (typeDefs: string) =>
  makeSchema({ typeDefs, functions: { double }, plans: { Query: { n: (_$root: Step, args) => lambda(args.get("x"), double) } } });
const typeDefs = "type Query { n(x: Int = 1): Int a: A } interface I { id: ID } type A implements I { id: ID name: String }";

test("plan export: the schema fingerprint is computed once per schema, for any number of exports and imports", () => {
  const schema = schemaOf(typeDefs);
  const before = fingerprintStats.computed;
  for (const source of ["{ n }", "{ n(x: 3) }", "query Q { n a { id name } }", "{ a { id } }"]) {
    const document = parse(source);
    assert.ok(importPlan(schema, document, exportPlan(schema, document)), source);
  }
  assert.is(fingerprintStats.computed - before, 1);
  assert.is(schemaFingerprint(schemaOf(typeDefs)), schemaFingerprint(schema), "the same code, the same fingerprint");
  assert.is(fingerprintStats.computed - before, 2);
});

test("plan export: the schema text changes with a field, an argument's default and a type's interfaces", () => {
  const base = schemaText(schemaOf(typeDefs));
  assert.is(schemaText(schemaOf(typeDefs)), base);
  assert.is.not(schemaText(schemaOf(typeDefs.replace("x: Int = 1", "x: Int = 2"))), base);
  assert.is.not(schemaText(schemaOf(typeDefs.replace("name: String }", "name: String other: Int }"))), base);
  assert.is.not(schemaText(schemaOf(typeDefs.replace("type A implements I {", "type A {"))), base);
  assert.is.not(schemaText(schemaOf(typeDefs.replace("name: String", "name: String!"))), base);
  // Descriptions are not read by any plan: the same text.
  assert.is(schemaText(schemaOf(`"""The root""" ${typeDefs}`)), base);
});

test("plan export: the operation hash reads the document, not its layout or source text", () => {
  const a = parse("query Q($v: Int = 2) { n(x: $v) a { ...F } } fragment F on A { id name }");
  const b = parse("query Q( $v : Int = 2 )\n{\n  n( x : $v )\n  a { ... F }\n}\n\nfragment F on A { id, name }");
  const op = (d: ReturnType<typeof parse>) => d.definitions[0] as never;
  assert.is(operationHash(b, op(b)), operationHash(a, op(a)));
  assert.is(documentText(a), "query Q($v:Int=2){n(x:$v) a{...F}}\nfragment F on A{id name}\n");
  // What differs in value differs in hash: a string "1" and an int 1, an alias, a directive, a default.
  const hashOf = (source: string) => {
    const d = parse(source);
    return operationHash(d, op(d));
  };
  const variants = ['{ n(x: "1") }', "{ n(x: 1) }", "{ m: n(x: 1) }", "{ n(x: 1) @skip(if: false) }", "query ($v: Int = 1) { n(x: $v) }", "query ($v: Int = 3) { n(x: $v) }", "{ a { ... on A { id } } }", "{ a { ... on I { id } } }"];
  assert.is(new Set(variants.map(hashOf)).size, variants.length);
  // A document transformed after parsing keeps its original's source text; its hash is of what it holds.
  const transformed = visit(a, { Field: (node) => (node.name.value === "name" ? null : undefined) });
  assert.is(transformed.loc?.source.body, a.loc?.source.body);
  assert.is.not(operationHash(transformed, op(transformed)), operationHash(a, op(a)));
});

test.run();
