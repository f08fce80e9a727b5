// Parity: what reaches resolvers and what stops a request before them — arguments with defaults, input
// objects, @oneOf inputs, custom scalars (parse and serialize, serialize throwing), enums with internal
// values, variable coercion errors, operation selection errors, and parse/validation errors via graphql().

import { test } from "uvu";
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLError,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  Kind,
} from "graphql";
import * as assert from "uvu/assert";
import { buildSchema, execute as jsExecute, executeSync as jsExecuteSync, graphql as jsGraphql, graphqlSync as jsGraphqlSync, parse } from "graphql";
import { execute, executeSync, graphql, graphqlSync } from "../../src/index.js";
import { CallCounter, GRAPHQL_MAJOR, assertSameResult, registerCases, type ParityCase } from "./harness.js";

const calls = new CallCounter();

/** Arguments as the resolver saw them, with prototypes, so both engines must pass the same objects. */
function describe(value: unknown): unknown {
  if (value === undefined) return "<undefined>";
  if (value instanceof Date) return `Date(${value.toISOString()})`;
  if (Array.isArray(value)) return value.map(describe);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = { "<proto>": Object.getPrototypeOf(value) === null ? "null" : "Object" };
    for (const key of Object.keys(value)) out[key] = describe((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

const dateScalar = new GraphQLScalarType<Date, string>({
  name: "Date",
  serialize(value) {
    calls.hit("Date.serialize");
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new GraphQLError(`Date cannot represent ${String(value)}`);
    return value.toISOString().slice(0, 10);
  },
  parseValue(value) {
    calls.hit("Date.parseValue");
    if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new TypeError(`Date must be YYYY-MM-DD, got ${JSON.stringify(value)}`);
    return new Date(`${value}T00:00:00Z`);
  },
  parseLiteral(ast) {
    calls.hit("Date.parseLiteral");
    if (ast.kind !== Kind.STRING || !/^\d{4}-\d{2}-\d{2}$/.test(ast.value)) throw new TypeError("Date literals are strings YYYY-MM-DD");
    return new Date(`${ast.value}T00:00:00Z`);
  },
});

/** A scalar whose serialize returns null for some values (graphql-js reports it). */
const oddScalar = new GraphQLScalarType({
  name: "Odd",
  serialize: (value) => (typeof value === "number" && value % 2 === 1 ? value : null),
});

const colorEnum = new GraphQLEnumType({
  name: "Color",
  values: { RED: { value: "#f00" }, GREEN: { value: "#0f0" }, BLUE: { value: 3 }, OLD: { value: "old", deprecationReason: "gone" } },
});

const pointInput = new GraphQLInputObjectType({
  name: "Point",
  fields: {
    x: { type: new GraphQLNonNull(GraphQLFloat) },
    y: { type: GraphQLFloat, defaultValue: 0 },
    label: { type: GraphQLString },
    color: { type: colorEnum, defaultValue: "#0f0" },
    when: { type: dateScalar },
  },
});

const lookupInput = new GraphQLInputObjectType({
  name: "Lookup",
  isOneOf: true,
  fields: { id: { type: GraphQLID }, email: { type: GraphQLString }, point: { type: pointInput } },
});

const nestedInput: GraphQLInputObjectType = new GraphQLInputObjectType({
  name: "Nested",
  fields: () => ({ value: { type: GraphQLInt, defaultValue: 7 }, next: { type: nestedInput }, tags: { type: new GraphQLList(GraphQLString) } }),
});

const echo = (name: string) => ({
  type: GraphQLString,
  resolve(_source: unknown, args: unknown) {
    calls.hit(name);
    return JSON.stringify(describe(args));
  },
});

const queryType = new GraphQLObjectType({
  name: "Query",
  fields: {
    scalars: {
      ...echo("scalars"),
      args: {
        int: { type: GraphQLInt, defaultValue: 1 },
        float: { type: GraphQLFloat },
        string: { type: GraphQLString, defaultValue: "hello" },
        bool: { type: GraphQLBoolean },
        id: { type: GraphQLID },
        required: { type: new GraphQLNonNull(GraphQLInt), defaultValue: 42 },
      },
    },
    point: { ...echo("point"), args: { p: { type: pointInput }, ps: { type: new GraphQLList(new GraphQLNonNull(pointInput)) } } },
    lookup: { ...echo("lookup"), args: { by: { type: new GraphQLNonNull(lookupInput) } } },
    nested: { ...echo("nested"), args: { n: { type: nestedInput, defaultValue: { next: { value: 1 } } } } },
    color: {
      type: colorEnum,
      args: { c: { type: colorEnum }, raw: { type: GraphQLString } },
      resolve: (_s, { c, raw }) => (raw !== undefined ? (raw === "three" ? 3 : raw) : c),
    },
    colors: { type: new GraphQLList(colorEnum), resolve: () => ["#f00", 3, "purple", "old"] },
    date: {
      type: dateScalar,
      args: { d: { type: dateScalar }, bad: { type: GraphQLBoolean, defaultValue: false } },
      resolve: (_s, { d, bad }) => (bad ? "not a date" : d),
    },
    dates: { type: new GraphQLList(new GraphQLNonNull(dateScalar)), resolve: () => [new Date("2020-01-02"), "nope", new Date("2021-03-04")] },
    odd: { type: new GraphQLList(oddScalar), resolve: () => [1, 2, 3] },
    needs: { ...echo("needs"), args: { x: { type: new GraphQLNonNull(GraphQLInt) } } },
    strictOdd: { type: new GraphQLNonNull(oddScalar), resolve: () => 4 },
    int: { type: GraphQLInt, args: { v: { type: GraphQLString } }, resolve: (_s, { v }) => (v === "big" ? 2 ** 40 : v === "float" ? 1.5 : v) },
    string: { type: GraphQLString, resolve: () => ({ toString: () => "not serializable" }) },
    bool: { type: GraphQLBoolean, resolve: () => "yes" },
    float: { type: GraphQLFloat, resolve: () => "NaN" },
    id: { type: GraphQLID, resolve: () => 123 },
  },
});

/** Each call of `bump` mutates its args: graphql-js gives every call its own args object. */
const counterType = new GraphQLObjectType({
  name: "Counter",
  fields: {
    bump: {
      type: GraphQLInt,
      args: { by: { type: GraphQLInt, defaultValue: 1 }, p: { type: pointInput, defaultValue: { x: 1 } } },
      resolve(_s, args) {
        // Only the top-level object is the call's own: nested defaults are shared (graphql-js too).
        args.by += 1;
        args.p = { x: args.p.x + 1 };
        return args.by * 100 + args.p.x;
      },
    },
  },
});

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: "Query",
    fields: () => ({
      ...queryType.toConfig().fields,
      counters: { type: new GraphQLList(counterType), resolve: () => [1, 2, 3] },
    }),
  }),
});

const cases: ParityCase[] = [
  { name: "argument defaults apply", query: `{ scalars }` },
  { name: "literal arguments of every scalar", query: `{ scalars(int: 5, float: 1.5, string: "s", bool: true, id: 7, required: 1) }` },
  { name: "explicit null arguments", query: `{ scalars(int: null, float: null, string: null) }` },
  {
    name: "variables with defaults and without values",
    query: `query ($i: Int = 9, $f: Float, $s: String = "dv", $b: Boolean) { scalars(int: $i, float: $f, string: $s, bool: $b) }`,
  },
  {
    name: "variables given values",
    query: `query ($i: Int, $f: Float, $s: String, $b: Boolean, $id: ID) { scalars(int: $i, float: $f, string: $s, bool: $b, id: $id) }`,
    variableValues: { i: 3, f: 2, s: "x", b: false, id: 12 },
  },
  { name: "variable explicitly null overrides the argument default", query: `query ($i: Int) { scalars(int: $i) }`, variableValues: { i: null } },
  { name: "unset variable leaves the argument default", query: `query ($i: Int) { scalars(int: $i) }`, variableValues: {} },
  { name: "input object literal with field defaults", query: `{ point(p: { x: 1 }) }` },
  { name: "input object from a variable", query: `query ($p: Point) { point(p: $p) }`, variableValues: { p: { x: 2, label: "two", color: "RED" } } },
  { name: "input object with a variable inside a literal", query: `query ($x: Float!) { point(p: { x: $x, y: $x }) }`, variableValues: { x: 3 } },
  { name: "list of input objects, single value coerced to a list", query: `query ($p: Point!) { point(ps: $p) }`, variableValues: { p: { x: 4 } } },
  { name: "list of input objects literal", query: `{ point(ps: [{ x: 1 }, { x: 2, y: 3, when: "2020-02-02" }]) }` },
  { name: "nested input default with nested field defaults", query: `{ nested }` },
  { name: "nested input from a variable", query: `query ($n: Nested) { nested(n: $n) }`, variableValues: { n: { next: { next: {} }, tags: "solo" } } },
  { name: "oneOf with one field", query: `{ lookup(by: { id: "4" }) }` },
  { name: "oneOf from a variable", query: `query ($by: Lookup!) { lookup(by: $by) }`, variableValues: { by: { email: "a@b.c" } } },
  { name: "oneOf variable with two fields is a coercion error", query: `query ($by: Lookup!) { lookup(by: $by) }`, variableValues: { by: { id: "1", email: "e" } } },
  { name: "oneOf variable with a null field is a coercion error", query: `query ($by: Lookup!) { lookup(by: $by) }`, variableValues: { by: { id: null } } },
  { name: "oneOf literal with a variable field", query: `query ($id: ID!) { lookup(by: { id: $id }) }`, variableValues: { id: "9" } },
  { name: "custom scalar literal argument", query: `{ date(d: "2021-05-06") }` },
  { name: "custom scalar variable", query: `query ($d: Date) { date(d: $d) }`, variableValues: { d: "1999-12-31" } },
  { name: "custom scalar variable that does not parse", query: `query ($d: Date) { date(d: $d) }`, variableValues: { d: "31/12/1999" } },
  { name: "custom scalar serialize throws", query: `{ date(bad: true) }` },
  { name: "custom scalar serialize throws inside a non-null list", query: `{ dates }` },
  { name: "custom scalar serialize returning null", query: `{ odd strictOdd }` },
  { name: "enum argument literal maps to the internal value", query: `{ a: color(c: RED) b: color(c: BLUE) c: color(c: OLD) }` },
  { name: "enum from a variable", query: `query ($c: Color) { color(c: $c) }`, variableValues: { c: "GREEN" } },
  { name: "enum variable with an unknown name", query: `query ($c: Color) { color(c: $c) }`, variableValues: { c: "PINK" } },
  { name: "enum variable given the internal value", query: `query ($c: Color) { color(c: $c) }`, variableValues: { c: "#f00" } },
  { name: "enum serialize of unknown internal values", query: `{ x: color(raw: "#00f") y: color(raw: "three") colors }` },
  { name: "built-in scalars serializing bad values", query: `{ big: int(v: "big") fl: int(v: "float") s: int(v: "12") string bool float id }` },
  { name: "variable of the wrong type", query: `query ($i: Int) { scalars(int: $i) }`, variableValues: { i: "three" } },
  { name: "missing non-null variable", query: `query ($i: Int!) { scalars(int: $i) }` },
  { name: "non-null variable given null", query: `query ($i: Int!) { scalars(int: $i) }`, variableValues: { i: null } },
  {
    name: "several variable coercion errors are all reported",
    query: `query ($a: Int!, $b: Float, $c: Point!, $d: [Int!]) { scalars(int: $a, float: $b) point(p: $c) }`,
    variableValues: { b: "x", c: { y: 1, z: 2 }, d: [1, null] },
  },
  { name: "unknown operation name", query: `query A { scalars } query B { scalars }`, operationName: "C" },
  { name: "multiple operations without a name", query: `query A { scalars } query B { scalars }` },
  { name: "no operation at all", query: `fragment F on Query { scalars }` },
  { name: "operation type the schema lacks", query: `mutation { scalars }` },
  { name: "unvalidated: an invalid literal argument is a field error", query: `{ scalars(int: "str") a: scalars }` },
  { name: "unvalidated: a missing required argument is a field error", query: `{ needs b: scalars }` },
  { name: "unvalidated: a nullable variable left unset for a required argument", query: `query ($v: Int) { needs(x: $v) }` },
  { name: "unvalidated: an unknown enum literal", query: `{ color(c: PURPLE) }` },
  { name: "unvalidated: an invalid oneOf literal", query: `{ lookup(by: { id: "1", email: "e" }) }` },
  { name: "unvalidated: unknown fields are left out", query: `{ nope scalars alsoNope { x } }` },
  { name: "an empty operation name is a name", query: `{ scalars }`, operationName: "" },
  { name: "subscription operation on a schema without subscriptions", query: `subscription { scalars }` },
  { name: "resolvers get their own args object each call", query: `{ counters { bump a: bump(by: 10) b: bump(p: { x: 5 }) } }` },
  { name: "graphql(): syntax error", query: `{ scalars(int: ) }`, viaGraphql: true },
  { name: "graphql(): unterminated string", query: `{ scalars(string: "abc) }`, viaGraphql: true },
  { name: "graphql(): validation errors", query: `{ nope scalars(unknown: 1) }`, viaGraphql: true },
  { name: "graphql(): variables and defaults", query: `query ($i: Int = 3) { scalars(int: $i) }`, viaGraphql: true, variableValues: { i: 4 } },
  { name: "graphql(): variable coercion error", query: `query ($i: Int!) { scalars(int: $i) }`, viaGraphql: true },
  { name: "graphql(): unknown operation name", query: `query A { scalars }`, viaGraphql: true, operationName: "B" },
];

registerCases(test, schema, cases, { calls });

test("executeSync: the same result for a synchronous query, the same error for an asynchronous one", () => {
  const document = parse(`{ scalars color(c: RED) }`);
  assertSameResult(jsExecuteSync({ schema, document }), executeSync({ schema, document }));
  const asyncSchema = new GraphQLSchema({ query: new GraphQLObjectType({ name: "Q", fields: { a: { type: GraphQLString, resolve: async () => "a" } } }) });
  const asyncDocument = parse(`{ a }`);
  assert.throws(() => jsExecuteSync({ schema: asyncSchema, document: asyncDocument }), /GraphQL execution failed to complete synchronously\./);
  assert.throws(() => executeSync({ schema: asyncSchema, document: asyncDocument }), /GraphQL execution failed to complete synchronously\./);
});

test("graphqlSync: syntax, validation and coercion errors are synchronous results", () => {
  for (const source of [`{ scalars(`, `{ nope }`, `query ($i: Int!) { scalars(int: $i) }`, `{ scalars }`]) {
    assertSameResult(jsGraphqlSync({ schema, source }), graphqlSync({ schema, source }));
  }
});

test("graphql(): an invalid schema gives graphql-js's schema errors; execute() throws them", async () => {
  const invalid = new GraphQLSchema({ query: new GraphQLObjectType({ name: "Query", fields: {} }) });
  assertSameResult(await jsGraphql({ schema: invalid, source: `{ a }` }), await graphql({ schema: invalid, source: `{ a }` }));
  const document = parse(`{ a }`);
  let expected = "";
  try {
    jsExecute({ schema: invalid, document });
  } catch (error) {
    expected = (error as Error).message;
  }
  assert.throws(() => execute({ schema: invalid, document }), (error: Error) => error.message === expected);
  // Variables that are not object-like: graphql 16 throws; 17 reads them as they are (graphqlAdapter).
  const stringVariables = { schema, document, variableValues: "{}" as never };
  if (GRAPHQL_MAJOR === 16) assert.throws(() => execute(stringVariables), /Variables must be provided as an Object/);
  else assertSameResult(await jsExecute(stringVariables), await execute(stringVariables));
});

test("variableValues as an array is object-like, as graphql-js takes it: its named properties are the variables", async () => {
  const withDefault = parse(`query ($i: Int = 3) { scalars(int: $i) }`);
  const required = parse(`query ($i: Int!) { scalars(int: $i) }`);
  for (const document of [withDefault, required]) {
    for (const variableValues of [[], [7], Object.assign([], { i: 5 })] as never[]) {
      const expected = await jsExecute({ schema, document, variableValues });
      assertSameResult(expected, await execute({ schema, document, variableValues }));
      assertSameResult(expected, await graphql({ schema, source: document.loc!.source.body, variableValues }));
    }
  }
  assert.equal(JSON.parse(JSON.stringify(await execute({ schema, document: required, variableValues: Object.assign([], { i: 5 }) as never }))).data, {
    scalars: JSON.parse(JSON.stringify((await jsExecute({ schema, document: required, variableValues: { i: 5 } })).data)).scalars,
  });
});

test("graphql()/graphqlSync() with hideSuggestions: variable errors carry no suggestion, as graphql-js's", async () => {
  const small = buildSchema(`enum E { RED GREEN } input In { name: String } type Query { a(e: E, i: In): Int }`);
  const source = `query ($e: E, $i: In) { a(e: $e, i: $i) }`;
  const variableValues = { e: "REDD", i: { nam: "x" } };
  for (const hideSuggestions of [true, false]) {
    const args = { schema: small, source, variableValues, hideSuggestions } as never;
    const expected = await jsGraphql(args);
    assert.is(JSON.stringify(expected).includes("Did you mean"), !hideSuggestions);
    assertSameResult(expected, await graphql(args));
    assertSameResult(jsGraphqlSync(args), graphqlSync(args));
  }
});

test("graphql()/graphqlSync(): an error a validation rule throws is thrown, as graphql-js lets it through", async () => {
  const small = buildSchema(`type Query { a: Int } type Subscription { s: Int }`);
  const source = `subscription ($b: Boolean!) { s @include(if: $b) }`;
  // graphql 16's SingleFieldSubscriptions rule reads the unset variable and throws; 17's rule does not read it,
  // so 17 answers with a result — graphscale does what the installed graphql-js does, either way.
  if (GRAPHQL_MAJOR === 16) {
    const message = /was provided the variable "\$b" which was not provided a runtime value/;
    await jsGraphql({ schema: small, source }).then(
      () => assert.unreachable("graphql-js rejects"),
      (error: Error) => assert.match(error.message, message),
    );
    await graphql({ schema: small, source }).then(
      () => assert.unreachable("graphscale rejects"),
      (error: Error) => assert.match(error.message, message),
    );
    assert.throws(() => jsGraphqlSync({ schema: small, source }), message);
    assert.throws(() => graphqlSync({ schema: small, source }), message);
  } else {
    assertSameResult(await jsGraphql({ schema: small, source }), await graphql({ schema: small, source }));
    assertSameResult(jsGraphqlSync({ schema: small, source }), graphqlSync({ schema: small, source }));
  }
});

test("graphql(): each call's errors are its own, as graphql-js's are", async () => {
  const source = `{ nope }`;
  const first = await graphql({ schema, source });
  (first.errors as GraphQLError[]).push(new GraphQLError("added by the caller"));
  const second = await graphql({ schema, source });
  assertSameResult(await jsGraphql({ schema, source }), second);
});

test.run();
