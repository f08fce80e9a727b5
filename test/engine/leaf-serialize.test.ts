// CompleteLeafValue (spec/output.md): a specified scalar given a value it serializes to itself is that value
// without a serialize call (the compiled output's fastLeafTest, now the interpretive output's too); any other
// value, and every custom scalar's, goes through serialize as graphql-js calls it, errors included.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLBoolean, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLString, parse, type ExecutionResult, type GraphQLScalarType } from "graphql";
import { execute, makeSchema } from "../../src/index.js";
import { lambda } from "../../steps/index.js";

const ROW = { s: "a", id: "7", i: -3, f: 1.5, b: true, numberAsString: 12, bigInt: 2 ** 40, nan: Number.NaN, stringAsInt: "5", custom: "c" };

const calls = { custom: 0 };
const schema = makeSchema({
  typeDefs: `scalar Custom
    type Query { row: Row }
    type Row { s: String id: ID i: Int f: Float b: Boolean numberAsString: String bigInt: Int nan: Float stringAsInt: Int custom: Custom }`,
  resolvers: { Custom: { serialize: (value: unknown) => (calls.custom++, `<${String(value)}>`) } } as never,
  plans: { Query: { row: () => lambda([], () => ROW) } },
});

/** Counts each specified scalar's serialize calls while `run` runs (the scalars are graphql's own objects). */
function countingSerialize<T>(run: () => T): { result: T; counts: Record<string, number> } {
  const scalars: GraphQLScalarType[] = [GraphQLString, GraphQLID, GraphQLInt, GraphQLFloat, GraphQLBoolean];
  const counts: Record<string, number> = {};
  const originals = scalars.map((s) => s.serialize);
  scalars.forEach((scalar, k) => {
    counts[scalar.name] = 0;
    scalar.serialize = (value: unknown) => {
      counts[scalar.name]!++;
      return originals[k]!.call(scalar, value);
    };
  });
  try {
    return { result: run(), counts };
  } finally {
    scalars.forEach((scalar, k) => (scalar.serialize = originals[k]!));
  }
}

test("the interpretive output calls no built-in serialize for values of their own kind, and every other one", () => {
  const document = parse("{ row { s id i f b numberAsString bigInt nan stringAsInt custom } }");
  // compileOutput: false — every response through the interpretive output (as a plan's first response is).
  const before = calls.custom;
  const { result, counts } = countingSerialize(() => execute({ schema, document, compileOutput: false }) as ExecutionResult);
  // Called: a number for String, numbers out of Int's and Float's range, a string for Int; not called: the
  // rest. Without the fast path every one of the nine leaves is a call.
  assert.equal(counts, { String: 1, ID: 0, Int: 2, Float: 1, Boolean: 0 });
  assert.is(calls.custom - before, 1, "a custom scalar's serialize is called for its leaf");
  const row = (result.data as { row: Record<string, unknown> }).row;
  assert.equal({ ...row }, { s: "a", id: "7", i: -3, f: 1.5, b: true, numberAsString: "12", bigInt: null, nan: null, stringAsInt: 5, custom: "<c>" });
  assert.equal(
    result.errors!.map((e) => `${e.path!.join(".")}: ${e.message}`),
    ["row.bigInt: Int cannot represent non 32-bit signed integer value: 1099511627776", "row.nan: Float cannot represent non numeric value: NaN"],
  );
});

test("the first response (interpretive) and the compiled ones agree on every leaf", () => {
  const document = parse("{ row { s id i f b numberAsString stringAsInt custom } }");
  const responses = [0, 1, 2].map(() => JSON.stringify(execute({ schema, document })));
  assert.is(responses[1], responses[0]);
  assert.is(responses[2], responses[0]);
  assert.is(responses[0], JSON.stringify({ data: { row: { s: "a", id: "7", i: -3, f: 1.5, b: true, numberAsString: "12", stringAsInt: 5, custom: "<c>" } } }));
});

test.run();
