// Limits at their edges: maxPlannedFields counts fields after merging (repeated nodes of one response key and
// the inline fragments holding them count once), a block string's escaped `\"""` does not end it for the
// pre-parse depth count, and a variable value nested too deeply is a limit error with a message, not `{}`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, graphql, makeSchema } from "../../src/index.js";

const schema = makeSchema({
  typeDefs: `input N { n: N } type Query { user(id: String): User f(x: N): Int } type User { name: String }`,
  resolvers: { Query: { user: (_: unknown, { id }: { id: string }) => ({ name: `user ${id}` }), f: () => 1 } },
});

const plain = (result: unknown): ExecutionResult => JSON.parse(JSON.stringify(result)) as ExecutionResult;

test("maxPlannedFields counts fields after merging: repeated nodes and inline fragments are not fields", async () => {
  const repeated = await execute({ schema, document: parse(`{ u: user(id: "1") { name name name name name } }`), limits: { maxPlannedFields: 2 } });
  assert.equal(plain(repeated), { data: { u: { name: "user 1" } } });
  const fragments = `{ ... on Query { a: user(id: "1") { name } } ... on Query { b: user(id: "2") { name } } }`;
  assert.equal(plain(await execute({ schema, document: parse(fragments), limits: { maxPlannedFields: 4 } })), { data: { a: { name: "user 1" }, b: { name: "user 2" } } });
  // Planned just now: the cached plan's shape gives the count.
  const over = plain(await execute({ schema, document: parse(fragments), limits: { maxPlannedFields: 3 } }));
  assert.equal(over.errors?.map((e) => e.message), ["The query selects 4 fields with its fragments expanded; the limit is 3 (maxPlannedFields)."]);
  // Not planned yet: the walk stops as the fourth field is collected.
  const fresh = plain(await execute({ schema, document: parse(`{ ... on Query { c: user(id: "1") { name } } ... on Query { d: user(id: "2") { name } } }`), limits: { maxPlannedFields: 3 } }));
  assert.equal(fresh.errors?.map((e) => e.message), ["The query selects more than 3 fields with its fragments expanded (maxPlannedFields)."]);
  assert.is(over.data, undefined);
});

test("a block string's escaped triple quote does not end it: braces inside it are not nesting", async () => {
  const braces = "{".repeat(200);
  const source = `{ user(id: """a\\""" ${braces}""") { name } }`;
  const result = plain(await graphql({ schema, source }));
  assert.equal(result, { data: { user: { name: `user a""" ${braces}` } } });
});

test("a variable value nested too deeply is a limit error with a message (graphql-js's bare RangeError serializes as {})", async () => {
  let x: Record<string, unknown> = {};
  for (let i = 0; i < 100_000; i++) x = { n: x };
  const result = plain(await execute({ schema, document: parse("query ($x: N) { f(x: $x) }"), variableValues: { x } }));
  assert.equal(result.errors?.map((e) => [e.message, e.extensions?.code]), [["A variable's value is nested too deeply to read; lower its depth.", "LIMIT_EXCEEDED"]]);
});

test.run();
