// Compiled output: a clean response is built by the generated code (plain objects), anything it does not
// handle falls back to the interpretive output (null-prototype objects, graphql-js's errors), and both give
// the same JSON. `compileOutput: false` never uses generated code.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLScalarType, parse, type ExecutionResult } from "graphql";
import { execute, executeToJSON, makeSchema } from "../../src/index.js";
import { lambda } from "../../steps/index.js";

const items = Array.from({ length: 5 }, (_, i) => ({ id: String(i), n: i, price: i + 0.5, ok: i % 2 === 0, color: i % 2 ? "RED" : "BLUE", tags: ["a", "b"] }));
const schema = makeSchema({
  typeDefs: `
    enum Color { RED BLUE }
    type Query { items: [Item!]! one: Item bad: Item strict: Strict }
    type Item { id: ID! n: Int! price: Float ok: Boolean color: Color tags: [String!] name: String! }
    type Strict { n: Int! }
  `,
  plans: {
    Query: {
      items: () => lambda([], () => items.map((i) => ({ ...i, name: `item ${i.id}` }))),
      one: () => lambda([], () => ({ ...items[0]!, name: "one" })),
      bad: () => lambda([], () => ({ ...items[1]!, name: null })),
      strict: () => lambda([], () => ({ n: "not a number" })),
    },
  },
});

function run(query: string, compileOutput?: boolean): ExecutionResult {
  return execute({ schema, document: parse(query), compileOutput }) as ExecutionResult;
}

test("compiled output: a clean response is built by the generated code (plain objects), same JSON as interpreted", () => {
  const query = `{ items { id n price ok color tags name __typename } one { id } }`;
  const compiled = run(query);
  const interpreted = run(query, false);
  assert.is(compiled.errors, undefined);
  assert.is(JSON.stringify(compiled), JSON.stringify(interpreted));
  assert.is(Object.getPrototypeOf(compiled.data), Object.prototype, "built by the generated code");
  assert.is(Object.getPrototypeOf((compiled.data as { items: object[] }).items[0]), Object.prototype);
  assert.is(Object.getPrototypeOf(interpreted.data), null, "the interpretive output builds graphql-js's null-prototype objects");
  assert.equal(Object.keys((compiled.data as { items: object[] }).items[0]!), ["id", "n", "price", "ok", "color", "tags", "name", "__typename"]);
});

test("compiled output: a null at a non-null position gives up; the interpretive output reports it", () => {
  const result = run(`{ bad { id name } one { id } }`);
  assert.is(Object.getPrototypeOf(result.data), null, "built by the interpretive output");
  assert.equal(result.errors!.map((e) => e.message), ["Cannot return null for non-nullable field Item.name."]);
  assert.equal(JSON.parse(JSON.stringify(result.data)), { bad: null, one: { id: "0" } });
});

test("compiled output: a value its scalar rejects gives up; graphql-js's message comes from the interpretive output", () => {
  const result = run(`{ strict { n } }`);
  assert.match(result.errors![0]!.message, /Int cannot represent non-integer value: "not a number"/);
});

test("compiled output: an alias named __proto__ is never written into an object literal", () => {
  const result = run(`{ one { __proto__: id } }`);
  const one = (result.data as { one: Record<string, unknown> }).one;
  assert.ok(Object.hasOwn(one, "__proto__"), "an own key, not the prototype");
  assert.is(JSON.stringify(result.data), `{"one":{"__proto__":"0"}}`);
});

test("compiled output: a custom scalar's serialize (user code) is never compiled", () => {
  let calls = 0;
  const Upper = new GraphQLScalarType({ name: "Upper", serialize: (v) => (calls++, String(v).toUpperCase()) });
  const custom = makeSchema({
    typeDefs: `scalar Upper type Query { word: Upper }`,
    plans: { Query: { word: () => lambda([], () => "hi") } },
  });
  (custom.getType("Upper") as GraphQLScalarType).serialize = Upper.serialize;
  const result = execute({ schema: custom, document: parse(`{ word }`) }) as ExecutionResult;
  assert.equal(JSON.parse(JSON.stringify(result)), { data: { word: "HI" } });
  assert.is(calls, 1);
  assert.is(Object.getPrototypeOf(result.data), null, "interpretive output");
});

test("executeToJSON: the same text as JSON.stringify(execute(...)), clean responses and errors alike", async () => {
  for (const query of [
    `{ items { id n price ok color tags name __typename } one { id } }`,
    `{ bad { id name } one { id } }`,
    `{ strict { n } }`,
    `{ one { __proto__: id } }`,
    `{ nope }`,
  ]) {
    const text = await executeToJSON({ schema, document: parse(query, { noLocation: false }) });
    assert.type(text, "string");
    assert.is(text, JSON.stringify(await execute({ schema, document: parse(query) })), query);
    assert.is(await executeToJSON({ schema, document: parse(query), compileOutput: false }), text, `${query} (interpreted)`);
  }
});

test("executeToJSON: strings are escaped as JSON (quotes, control characters, non-ASCII)", async () => {
  const tricky = makeSchema({
    typeDefs: `type Query { s: String list: [String] }`,
    plans: { Query: { s: () => lambda([], () => 'a "quote" \\ back\nline \u0001 é 😀'), list: () => lambda([], () => ["x\"y", null]) } },
  });
  const text = (await executeToJSON({ schema: tricky, document: parse(`{ s list }`) })) as string;
  assert.equal(JSON.parse(text), { data: { s: 'a "quote" \\ back\nline \u0001 é 😀', list: ['x"y', null] } });
  assert.is(text, JSON.stringify(await execute({ schema: tricky, document: parse(`{ s list }`) })));
});

test.run();
