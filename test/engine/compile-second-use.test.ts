// CompiledOutputOf (spec/output.md): a plan's first response makes no code — OutputCompilable tells whether
// its output can be compiled — and is built by the interpretive output, with plain objects as the compiled
// output builds them (NewResponseObject), or graphql-js's null-prototype objects when it has errors; the code
// is generated and compiled on the plan's second response, once. A plan whose output cannot be compiled
// generates nothing and keeps null-prototype objects.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, makeSchema } from "../../src/index.js";
import { lambda } from "../../steps/index.js";
import { compiledOutputCounts } from "../../src/engine/output/compileOutput.js";

const schema = makeSchema({
  typeDefs: `type Query { items: [Item!]! bad: Item } type Item { id: ID! name: String! }`,
  plans: {
    Query: {
      items: () => lambda([], () => [{ id: "1", name: "a" }, { id: "2", name: "b" }]),
      bad: () => lambda([], () => ({ id: "3", name: null })),
    },
  },
});

function run(document: ReturnType<typeof parse>, compileOutput?: boolean): ExecutionResult {
  return execute({ schema, document, compileOutput }) as ExecutionResult;
}

function counts(): { generated: number; compiled: number } {
  return { ...compiledOutputCounts };
}

test("first response: no code, plain objects; second: generated and compiled once; later: neither", () => {
  const document = parse(`{ items { id name } }`);
  const before = counts();
  const first = run(document);
  assert.equal(counts(), before, "first response: no code made");
  assert.equal(first, { data: { items: [{ id: "1", name: "a" }, { id: "2", name: "b" }] } }, "plain objects, as a literal");
  assert.is(Object.getPrototypeOf((first.data as { items: object[] }).items[1]), Object.prototype);
  const second = run(document);
  assert.equal(counts(), { generated: before.generated + 1, compiled: before.compiled + 1 }, "second response: generated and compiled");
  assert.equal(second, first);
  run(document);
  assert.equal(counts(), { generated: before.generated + 1, compiled: before.compiled + 1 }, "nothing more");
});

test("first response with an error: null-prototype objects, as the interpretive output builds them", () => {
  const document = parse(`{ bad { id name } items { id } }`);
  const first = run(document);
  assert.equal(first.errors!.map((e) => e.message), ["Cannot return null for non-nullable field Item.name."]);
  assert.is(Object.getPrototypeOf(first.data), null);
  assert.is(Object.getPrototypeOf((first.data as { items: object[] }).items[0]), null);
  const second = run(document);
  assert.is(JSON.stringify(second), JSON.stringify(first));
  assert.is(Object.getPrototypeOf(second.data), null, "the compiled output gave up");
});

test("an output that cannot be compiled, and compileOutput: false, generate nothing and keep null-prototype objects", () => {
  const before = counts();
  const proto = parse(`{ items { __proto__: id } }`);
  for (let i = 0; i < 2; i++) assert.is(Object.getPrototypeOf(run(proto).data), null);
  const off = parse(`{ items { name } }`);
  for (let i = 0; i < 2; i++) assert.is(Object.getPrototypeOf(run(off, false).data), null);
  assert.equal(counts(), before);
});

test.run();
