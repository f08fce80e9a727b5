// FastVariables and FastArguments (src/engine/request/fastVariables.ts, src/engine/planning/fastArguments.ts)
// against graphql-js's own coercion: seeded values of every kind for variables of built-in scalars, lists,
// enums, input objects and custom scalars, given, missing, null or undefined. Whenever the fast path
// answers, its answer is exactly graphql-js's (same keys in the same order, same values); where it must not
// (a value graphql-js converts or refuses), it declines. Execution through execute then gives graphql-js's
// results and errors either way.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, graphql, parse, type FieldNode, type OperationDefinitionNode } from "graphql";
import { fastArguments } from "../../src/engine/planning/fastArguments.js";
import { fastVariables } from "../../src/engine/request/fastVariables.js";
import { argumentValues, coerceVariableValues } from "../../src/engine/planning/graphqlAdapter.js";
import { execute, makeSchema } from "../../src/index.js";
import { lambda } from "../../steps/index.js";
import { draws, prng } from "../safety/fuzz.js";

const sdl = `
  scalar Custom
  enum Color { RED GREEN }
  input Point { x: Int!, y: Int }
  type Query {
    f(s: String, id: ID!, i: Int, fl: Float, b: Boolean!, c: Custom, color: Color, p: Point, l: [Int!], d: Int = 7, e: String = "dflt"): String
  }
`;
const schema = buildSchema(sdl);

const VALUES: unknown[] = ["x", "", "123", 0, 1, -5, 2147483647, 2147483648, -2147483649, 1.5, Number.NaN, Infinity, true, false, null, undefined, [1, 2], { x: 1 }, "RED", 12n];
/** Values of each type's own kind (and its edges). */
const OWN: Record<string, unknown[]> = {
  String: ["x", "", "RED"],
  ID: ["1", "abc", 7],
  Int: [0, -3, 2147483647, -2147483648, 2147483648],
  Float: [0, 1.5, -2.25, Number.NaN],
  Boolean: [true, false],
};
const TYPES = ["String", "String!", "ID", "ID!", "Int", "Int!", "Float", "Float!", "Boolean", "Boolean!", "Custom", "Color", "Point", "[Int!]"];

test("fastVariables: whenever it answers, graphql-js gives the same coerced values; it declines what graphql-js converts or refuses", () => {
  const random = prng(11);
  const { int, pick } = draws(random);
  let answered = 0;
  let declined = 0;
  for (let round = 0; round < 3000; round++) {
    const count = 1 + int(3);
    const names = ["a", "b", "c"].slice(0, count);
    const types = names.map(() => pick(TYPES));
    const withDefault = names.map(() => int(6) === 0);
    const header = names.map((n, k) => `$${n}: ${types[k]}${withDefault[k] && !types[k]!.endsWith("!") && !["Point", "[Int!]", "Color", "Custom"].includes(types[k]!) ? ` = ${types[k]!.startsWith("String") || types[k]!.startsWith("ID") ? '"d"' : types[k]!.startsWith("Boolean") ? "true" : "1"}` : ""}`);
    const operation = parse(`query Q(${header.join(", ")}) { __typename }`).definitions[0] as OperationDefinitionNode;
    const inputs: Record<string, unknown> = {};
    // Mostly a value of the variable's own kind, so the fast path has something to answer.
    for (let k = 0; k < count; k++) if (int(5) !== 0) inputs[names[k]!] = int(3) === 0 ? pick(VALUES) : pick(OWN[types[k]!.replace("!", "")] ?? VALUES);
    const fast = fastVariables(schema, operation.variableDefinitions!, inputs);
    const reference = coerceVariableValues(schema, operation.variableDefinitions!, inputs);
    if (fast === null) {
      declined++;
      continue;
    }
    answered++;
    assert.ok(reference.coerced !== undefined, `round ${round}: graphql-js refused ${JSON.stringify(inputs)} for ${header.join(", ")}`);
    assert.equal(Object.keys(fast), Object.keys(reference.coerced!), `round ${round}: keys`);
    for (const key of Object.keys(fast)) assert.ok(Object.is(fast[key], reference.coerced![key]), `round ${round}: ${key}`);
  }
  assert.ok(answered > 300 && declined > 300, `answered ${answered}, declined ${declined}`);
});

test("fastVariables declines inputs that are not an object, and variables of types it does not read", () => {
  const operation = parse(`query Q($a: String) { __typename }`).definitions[0] as OperationDefinitionNode;
  assert.is(fastVariables(schema, operation.variableDefinitions!, null), null);
  assert.is(fastVariables(schema, operation.variableDefinitions!, "a"), null);
  assert.equal(fastVariables(schema, operation.variableDefinitions!, { a: "x", other: 1 }), { a: "x" });
  // Inherited properties are not given, as graphql-js reads them (own properties only).
  assert.is(fastVariables(schema, operation.variableDefinitions!, Object.create({ a: "x" })), null);
});

test("fastArguments: whenever it answers, graphql-js's getArgumentValues gives the same object", () => {
  const random = prng(12);
  const { int, pick } = draws(random);
  const field = schema.getQueryType()!.getFields()["f"]!;
  const argNames = field.args.map((a) => a.name);
  let answered = 0;
  let declined = 0;
  for (let round = 0; round < 3000; round++) {
    // id and b are non-null without defaults: most rounds give them, so the fast path has something to answer.
    const used = argNames.filter((name) => (name === "id" || name === "b" ? int(8) !== 0 : int(3) === 0));
    const args = used.map((name) => (int(8) === 0 ? `${name}: ${pick(['"lit"', "1", "true", "null", "RED"])}` : `${name}: $${name}`));
    const document = parse(`{ f${args.length ? `(${args.join(", ")})` : ""} }`);
    const node = (document.definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
    const variables: Record<string, unknown> = {};
    for (const name of used) if (int(6) !== 0) variables[name] = int(10) === 0 ? null : pick(VALUES.filter((v) => v != null));
    let reference: Record<string, unknown> | Error;
    try {
      reference = argumentValues(field, node, variables);
    } catch (error) {
      reference = error as Error;
    }
    const fast = fastArguments(field, node, variables);
    if (fast === null) {
      declined++;
      continue;
    }
    answered++;
    assert.ok(!(reference instanceof Error), `round ${round}: graphql-js threw ${reference instanceof Error ? reference.message : "nothing"} where the fast path answered`);
    assert.equal(Object.keys(fast), Object.keys(reference), `round ${round}: keys`);
    for (const key of Object.keys(fast)) assert.ok(Object.is(fast[key], (reference as Record<string, unknown>)[key]), `round ${round}: ${key}`);
  }
  assert.ok(answered > 300 && declined > 300, `answered ${answered}, declined ${declined}`);
});

test("execute with the fast paths gives graphql-js's results and errors for given, missing, null and wrong variables", async () => {
  const typeDefs = `type Query { echo(s: String, id: ID!, n: Int = 3): String }`;
  const plans = makeSchema({ typeDefs, plans: { Query: { echo: (_r: unknown, a: any) => lambda(a.getAll(), (args: unknown) => JSON.stringify(args)) } } as any });
  const resolvers = buildSchema(typeDefs);
  const rootValue = { echo: (args: unknown) => JSON.stringify(args) };
  const source = `query Q($s: String, $id: ID!, $n: Int) { echo(s: $s, id: $id, n: $n) }`;
  const document = parse(source);
  const cases: Array<Record<string, unknown>> = [{ s: "a", id: "1", n: 2 }, { id: "1" }, { id: 5 }, { id: null }, { s: 1, id: "x" }, { id: "x", n: 1.5 }, { id: "x", n: null }, {}];
  for (const variableValues of cases) {
    const ours = JSON.stringify(await execute({ schema: plans, document, variableValues }));
    const theirs = JSON.stringify(await graphql({ schema: resolvers, source, variableValues, rootValue }));
    assert.is(ours, theirs, JSON.stringify(variableValues));
  }
});

test.run();
