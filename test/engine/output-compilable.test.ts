// OutputCompilable (spec/output.md) decides on a plan's first response whether its output can be compiled,
// without generating code; CompileOutput generates that code on the second. The first response's objects
// (plain, or graphql-js's null-prototype ones: NewResponseObject) follow the decision, so the two must agree:
// held here over outputs of every kind of position, compilable and not.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { makeSchema, type Step } from "../../src/index.js";
import { constant, lambda } from "../../steps/index.js";
import { buildOperationPlan } from "../../src/engine/planning/planner.js";
import { compileOutput, outputCompilable } from "../../src/engine/output/compileOutput.js";

const item = { id: "1", name: "a", tags: ["x"], grid: [[1, 2]], color: "RED", when: "2026", kind: "Book", title: "t", child: { id: "2", name: "b" } };

const schema = makeSchema({
  typeDefs: `
    scalar Date
    enum Color { RED GREEN }
    interface Named { name: String }
    type Book implements Named { name: String title: String }
    type Film implements Named { name: String }
    union Media = Book | Film
    type Item { id: ID! name: String tags: [String!] grid: [[Int!]!] color: Color when: Date dates: [Date] child: Item children: [Item!]! }
    type Query { item: Item items: [Item!]! named: Named media: [Media!]! n: Int }
    type Mutation { touch: Item }`,
  plans: {
    Query: {
      item: () => constant(item),
      items: () => constant([item, item]),
      named: () => constant({ ...item, __typename: "Book" }),
      media: () => constant([{ ...item, __typename: "Book" }]),
      n: () => lambda([], () => 1),
    },
    Item: { children: ($item: Step) => lambda($item, (i) => [i]) },
    Mutation: { touch: () => constant(item) },
  },
});

/** A type with isTypeOf: its object positions are checked by an IsTypeOf step. */
const Checked = new GraphQLObjectType({ name: "Checked", isTypeOf: () => true, fields: { s: { type: GraphQLString } } });
const Stamp = new GraphQLScalarType({ name: "Stamp", serialize: (v) => String(v) });
const resolverSchema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: "Query",
    fields: {
      checked: { type: Checked, resolve: () => ({ s: "a" }) },
      plain: { type: new GraphQLObjectType({ name: "Plain", fields: { s: { type: GraphQLString }, stamp: { type: Stamp } } }), resolve: () => ({ s: "a", stamp: 1 }) },
    },
  }),
});

const cases: Array<[GraphQLSchema, string]> = [
  [schema, "{ item { id name } }"],
  [schema, "{ items { id tags grid color } n }"],
  [schema, "{ item { child { name child { id } } } }"],
  [schema, "{ items { children { name children { id } } } }"],
  [schema, "{ item { when } }"],
  [schema, "{ items { dates } }"],
  [schema, "{ item { __typename name } }"],
  [schema, "{ item { __proto__: name } }"],
  [schema, "{ item { child { __proto__: id } } }"],
  [schema, "{ named { name } }"],
  [schema, "{ media { ... on Book { title } } }"],
  [schema, "{ n item { ...F } } fragment F on Item { id color }"],
  [schema, "mutation { touch { id } }"],
  [resolverSchema, "{ checked { s } }"],
  [resolverSchema, "{ plain { s } }"],
  [resolverSchema, "{ plain { s stamp } }"],
];

test("OutputCompilable agrees with CompileOutput on every kind of output position", () => {
  const seen = { compilable: 0, not: 0 };
  for (const [s, source] of cases) {
    const document = parse(source);
    const operation = document.definitions[0] as OperationDefinitionNode;
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    const plan = buildOperationPlan(s, operation, fragments, {});
    const generated = compileOutput(plan) !== null;
    assert.is(outputCompilable(plan), generated, source);
    seen[generated ? "compilable" : "not"]++;
  }
  // Both answers occur (the cases cover compiled outputs and each reason to give one up).
  assert.equal(seen, { compilable: 7, not: 9 });
});

test.run();
