// Parity: a @skip/@include whose `if` cannot be read — a variable given as null for `Boolean!` (valid: the
// variable has a default), a literal null or an unset variable (documents that skipped validation). graphql-js
// collects an object's sub-fields as it completes each object value, so the error fails that object only,
// before its isTypeOf; at the root it fails the request. Objects, lists, isTypeOf, interfaces and unions.

import { test } from "uvu";
import { GraphQLSchema, buildSchema, type GraphQLObjectType, type GraphQLInterfaceType } from "graphql";
import { CallCounter, registerCases, type ParityCase } from "./harness.js";

const schema = buildSchema(`
  type Query {
    a: String
    o: O
    asyncO: O
    nullO: O
    os: [O]
    strictOs: [O!]
    no: O!
    t: T
    i: I
    is: [I]
    u: U
    us: [U]
  }

  type O {
    x: String
    y: String
    o: O
  }

  type T {
    x: String
  }

  interface I {
    id: String
  }

  type A implements I {
    id: String
    a: String
  }

  type B implements I {
    id: String
    b: String
  }

  union U = P | Q

  type P {
    p: String
  }

  type Q {
    q: String
  }
`);

const calls = new CallCounter();

(schema.getType("T") as GraphQLObjectType).isTypeOf = () => (calls.hit("T.isTypeOf"), true);
(schema.getType("I") as GraphQLInterfaceType).resolveType = (value: { kind: string }) => (calls.hit("I.resolveType"), value.kind);
// U has no resolveType: graphql-js's default type resolver asks each member's isTypeOf.
(schema.getType("P") as GraphQLObjectType).isTypeOf = (value: { kind: string }) => (calls.hit("P.isTypeOf"), value.kind === "P");
(schema.getType("Q") as GraphQLObjectType).isTypeOf = (value: { kind: string }) => (calls.hit("Q.isTypeOf"), value.kind === "Q");

function o(depth: number): Record<string, unknown> {
  return { x: "X", y: "Y", o: () => (calls.hit("O.o"), depth < 2 ? o(depth + 1) : null) };
}

const rootValue = {
  a: () => (calls.hit("a"), "A"),
  o: () => (calls.hit("o"), o(0)),
  asyncO: () => (calls.hit("asyncO"), Promise.resolve(o(0))),
  nullO: () => (calls.hit("nullO"), null),
  os: () => (calls.hit("os"), [o(0), null, Promise.resolve(o(0))]),
  strictOs: () => (calls.hit("strictOs"), [o(0), o(0)]),
  no: () => (calls.hit("no"), o(0)),
  t: () => (calls.hit("t"), { x: "X" }),
  i: () => (calls.hit("i"), { kind: "A", id: "1", a: "a" }),
  is: () => (calls.hit("is"), [{ kind: "A", id: "1", a: "a" }, { kind: "B", id: "2", b: "b" }, null]),
  u: () => (calls.hit("u"), { kind: "P", p: "p" }),
  us: () => (calls.hit("us"), [{ kind: "Q", q: "q" }, { kind: "P", p: "p" }]),
};

/** A valid document: `$b` has a default, so a null given for it reaches the directive. */
const nullB = (selection: string): Pick<ParityCase, "query" | "variableValues"> => ({
  query: `query ($b: Boolean = false) { ${selection} }`,
  variableValues: { b: null },
});

const cases: ParityCase[] = [
  { name: "a field's @skip in an object's selection: that object fails, its siblings run", ...nullB(`a o { x @skip(if: $b) }`) },
  { name: "the same with the value given: no error", query: `query ($b: Boolean = false) { a o { x @skip(if: $b) } }`, variableValues: { b: true } },
  { name: "an object that arrives as a promise", ...nullB(`asyncO { x @include(if: $b) y } a`) },
  { name: "a null object: nothing is collected, no error", ...nullB(`nullO { x @skip(if: $b) }`) },
  { name: "each object of a list fails, null items stay null", ...nullB(`os { x @include(if: $b) }`) },
  { name: "a list of non-null objects: the first item's error nulls the list", ...nullB(`a strictOs { y x @skip(if: $b) }`) },
  { name: "a non-null object: the error nulls the response", ...nullB(`a no { x @skip(if: $b) }`) },
  { name: "a nested object: the inner object fails, the outer keeps its other fields", ...nullB(`o { y o { o { x } x @skip(if: $b) } }`) },
  { name: "an inline fragment's directive", ...nullB(`o { ... @include(if: $b) { x } y }`) },
  { name: "a fragment spread's directive", query: `query ($b: Boolean = false) { o { ...F @skip(if: $b) } } fragment F on O { x }`, variableValues: { b: null } },
  { name: "a type with isTypeOf: the error comes before isTypeOf, which is not called", ...nullB(`t { x @skip(if: $b) }`) },
  { name: "an interface: only the objects of the type whose selection holds the directive fail", ...nullB(`is { id ... on A { a @skip(if: $b) } }`) },
  { name: "an interface field of that type", ...nullB(`i { id ... on A { a @include(if: $b) } }`) },
  { name: "a directive on a type condition's fragment fails every type", ...nullB(`is { id ... on B @include(if: $b) { b } }`) },
  { name: "a union through the default type resolver: the member's isTypeOf runs once, for the type", ...nullB(`u { ... on P { p @skip(if: $b) } }`) },
  { name: "a list of union members: only the P items fail", ...nullB(`us { ... on P { p @skip(if: $b) } ... on Q { q } }`) },
  { name: "at the root: the request fails", ...nullB(`a @skip(if: $b) o { x }`) },
  { name: "a literal null in a document that skipped validation", query: `{ a o { x @skip(if: null) } }` },
  { name: "an unset variable without a default in a document that skipped validation", query: `query ($c: Boolean) { a o { x @include(if: $c) } }` },
];

registerCases(test, schema, cases, { rootValue, calls });

// The same with every branch of an abstract type planned with the operation (no partial planning).
const fullPlanning = new GraphQLSchema({ ...schema.toConfig(), extensions: { graphscale: { partialPlanning: false } } });
registerCases(test, fullPlanning, cases.map((c) => ({ ...c, name: `${c.name} (full planning)` })), { rootValue, calls });

test.run();
