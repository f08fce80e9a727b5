// The graphql-js version adapter (spec/graphql-versions.md): only src/engine/planning/graphqlAdapter.ts imports the APIs
// graphql 16 and 17 disagree on, and through it a resolver schema with variables — arguments, @skip/@include,
// defaults, omitted nullables, a custom scalar whose literal holds a variable, `info.variableValues` — answers
// exactly what the installed graphql-js's own `execute` answers, on whichever major is installed.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  GraphQLInt,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  buildSchema,
  execute as jsExecute,
  parse,
  versionInfo,
  valueFromASTUntyped,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from "graphql";
import { execute, makeSchema } from "../../src/index.js";
import { lambda } from "../../steps/index.js";
import { root, tsFiles } from "../architecture-graph.js";
import { variableValuesFor, coerceVariableValues } from "../../src/engine/planning/graphqlAdapter.js";

/** The graphql-js APIs whose signature or result differs between 16 and 17. */
const VERSION_SPECIFIC = ["getVariableValues", "getArgumentValues", "getDirectiveValues", "coerceInputLiteral", "versionInfo", "experimentalExecuteIncrementally"];
const ADAPTER = "src/engine/planning/graphqlAdapter.ts";

test("only the adapter imports the graphql-js APIs that differ between 16 and 17", () => {
  const offenders: string[] = [];
  let scanned = 0;
  for (const path of tsFiles("src")) {
    scanned++;
    if (path === ADAPTER) continue;
    const text = readFileSync(join(root, path), "utf8");
    for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"graphql(?:\/[\w/]+)?"/g)) {
      const names = m[1]!.split(",").map((n) => n.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]!);
      for (const name of names) if (VERSION_SPECIFIC.includes(name)) offenders.push(`${path}: imports ${name} from graphql (use ${ADAPTER})`);
    }
    if (/from\s+"graphql\/(?:execution|utilities|jsutils)/.test(text)) offenders.push(`${path}: imports graphql-js internals by path`);
  }
  assert.ok(scanned > 100, `scanned ${scanned} files`);
  assert.equal(offenders, []);
});

// A custom scalar whose literal may hold variables (`{ a: $n }`): graphql 17 reads those through VariableValues'
// sources, so a plain map would lose them.
const Json = new GraphQLScalarType({
  name: "Json",
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (node, variables) => valueFromASTUntyped(node, variables ?? undefined),
});

let resolverCalls = 0;
const echo = (_: unknown, args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
  resolverCalls++;
  return JSON.stringify({ args, variables: info.variableValues });
};
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: "Query",
    fields: {
      greet: { type: GraphQLString, args: { name: { type: GraphQLString }, times: { type: GraphQLInt, defaultValue: 2 } }, resolve: echo },
      json: { type: GraphQLString, args: { value: { type: Json } }, resolve: echo },
      count: { type: GraphQLInt, args: { n: { type: GraphQLInt } }, resolve: (_, args: { n?: number }) => (resolverCalls++, args.n ?? -1) },
    },
  }),
});

const CASES: { name: string; query: string; variables?: Record<string, unknown> }[] = [
  { name: "a variable as an argument", query: `query ($who: String) { greet(name: $who) }`, variables: { who: "ada" } },
  { name: "an omitted nullable variable (the default applies)", query: `query ($who: String, $t: Int) { greet(name: $who, times: $t) }`, variables: { who: "x" } },
  { name: "a variable's own default", query: `query ($t: Int = 7) { greet(times: $t) }` },
  { name: "an explicit null", query: `query ($t: Int) { greet(times: $t) }`, variables: { t: null } },
  { name: "@skip and @include from variables", query: `query ($s: Boolean!, $i: Boolean!) { a: count(n: 1) @skip(if: $s) b: count(n: 2) @include(if: $i) }`, variables: { s: true, i: true } },
  { name: "a variable inside a custom scalar's literal", query: `query ($n: Int) { json(value: { a: $n, b: [1, "x"] }) }`, variables: { n: 5 } },
  { name: "an input that does not coerce", query: `query ($n: Int) { count(n: $n) }`, variables: { n: "five" } },
  { name: "a non-null variable left out", query: `query ($s: Boolean!) { count(n: 1) @skip(if: $s) }`, variables: {} },
  { name: "no variables declared", query: `{ greet(name: "lit") count(n: 3) }` },
];

for (const c of CASES) {
  test(`graphql ${versionInfo.major}: ${c.name} — graphscale answers as graphql-js's execute, with as many resolver calls`, async () => {
    const document = parse(c.query);
    resolverCalls = 0;
    const expected = await jsExecute({ schema, document, variableValues: c.variables });
    const oracleCalls = resolverCalls;
    resolverCalls = 0;
    const actual = await execute({ schema, document, variableValues: c.variables });
    assert.equal(JSON.parse(JSON.stringify(actual)), JSON.parse(JSON.stringify(expected)));
    assert.is(resolverCalls, oracleCalls);
  });
}

test(`graphql ${versionInfo.major}: a plan's arguments by variable take the SDL's defaults for those left out, as graphql-js's execute does`, async () => {
  const typeDefs = `type Query { echo(s: String, n: Int = 3, tag: String = "t", nums: [Int] = [1, 2]): String }`;
  const plans = makeSchema({ typeDefs, plans: { Query: { echo: (_r: unknown, a: any) => lambda(a.getAll(), (args: unknown) => JSON.stringify(args)) } } as any });
  const resolvers = buildSchema(typeDefs);
  const rootValue = { echo: (args: unknown) => JSON.stringify(args) };
  for (const [source, variableValues] of [[`query ($s: String) { echo(s: $s) }`, { s: "a" }], [`query ($n: Int) { echo(n: $n) }`, {}], [`{ echo }`, undefined]] as const) {
    const ours = JSON.stringify(await execute({ schema: plans, document: parse(source), variableValues }));
    const theirs = JSON.stringify(await jsExecute({ schema: resolvers, document: parse(source), variableValues, rootValue }));
    assert.is(ours, theirs, source);
    assert.match(ours, /"n\\":3/);
  }
});

test("variableValuesFor: the coerced map on graphql 16, VariableValues (sources and coerced) on 17", () => {
  const operation = parse(`query ($a: Int = 1, $b: String) { count }`).definitions[0] as OperationDefinitionNode;
  const result = coerceVariableValues(schema, operation.variableDefinitions!, { b: "x" });
  assert.equal({ ...result.coerced }, { a: 1, b: "x" });
  const forGraphql = variableValuesFor(result.coerced!) as unknown as Record<string, unknown>;
  if (versionInfo.major >= 17) {
    assert.equal({ ...(forGraphql.coerced as object) }, { a: 1, b: "x" });
    assert.equal(Object.keys(forGraphql.sources as object).sort(), ["a", "b"]);
  } else {
    assert.is(forGraphql, result.coerced);
  }
});

test.run();
