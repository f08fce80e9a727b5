// Limits at their edges: maxPlannedFields counts fields after merging (repeated nodes of one response key and
// the inline fragments holding them count once), a block string's escaped `\"""` does not end it for the
// pre-parse depth count, and a variable value nested too deeply is a limit error with a message, not `{}`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, executeToJSON, graphql, makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { lambda } from "../../steps/index.js";

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

test("maxResponseEntries counts the items of lists of leaves, nested ones at every level, with the objects' entries", async () => {
  const lists = makeSchema({
    typeDefs: `type O { i: Int tags: [String] } type Query { xs(n: Int!): [Int] m(n: Int!): [[Int!]] os(n: Int!): [O!] }`,
    plans: {
      Query: {
        xs: (_$root: Step, args: FieldArgs) => lambda(args.get("n"), (n: number) => Array.from({ length: n }, (_, i) => i)),
        m: (_$root: Step, args: FieldArgs) => lambda(args.get("n"), (n: number) => Array.from({ length: n }, () => Array.from({ length: n }, (_, i) => i))),
        os: (_$root: Step, args: FieldArgs) => lambda(args.get("n"), (n: number) => Array.from({ length: n }, (_, i) => ({ i, tags: ["a", "b"] }))),
      },
    },
  });
  const refused = "The response would hold more than 10 entries (maxResponseEntries); ask for smaller pages.";
  for (const compileOutput of [true, false]) {
    const run = async (query: string) => {
      const args = { schema: lists, document: parse(query), limits: { maxResponseEntries: 10 }, compileOutput };
      const first = plain(await execute(args));
      // Later requests of the cached plan go through the compiled outputs (object and JSON text).
      assert.equal(plain(await execute(args)), first, query);
      assert.equal(JSON.parse(await executeToJSON(args)), first, query);
      return first;
    };
    assert.equal(await run("{ xs(n: 10) }"), { data: { xs: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } });
    const over = await run("{ a: xs(n: 6) b: xs(n: 5) }");
    assert.equal(over.data, { a: [0, 1, 2, 3, 4, 5], b: null }, "the list that crosses the limit fails");
    assert.equal(over.errors?.map((e) => [e.message, e.path]), [[refused, ["b"]]]);
    // 3 outer items and 3 × 3 inner: 12 entries, the third inner list crosses 10.
    assert.equal((await run("{ m(n: 3) }")).errors?.map((e) => e.path), [["m", 2]]);
    // 3 objects, then their tags (2 each): 9 entries fit; 4 objects and 8 tags do not.
    assert.equal((await run("{ os(n: 3) { i tags } }")).errors, undefined);
    assert.equal((await run("{ os(n: 4) { tags } }")).errors?.map((e) => e.path), [["os", 3, "tags"]]);
  }
});

test.run();
