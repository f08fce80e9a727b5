// A live query sends a result only when its `{ data, errors }` differs from the last one sent as JSON text;
// with a state kept it compares the two trees without writing them out (spec/reactivity.md, "The last
// result sent"). sameJSON must agree with comparing JSON texts, and never call equal what differs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLError } from "graphql";
import { sameJSON } from "../../src/engine/live/live.js";

const cases: Array<[string, unknown, unknown]> = [
  ["equal trees", { a: [1, { b: "x" }], c: null }, { a: [1, { b: "x" }], c: null }],
  ["a changed leaf", { a: [1, { b: "x" }] }, { a: [1, { b: "y" }] }],
  ["members in another order", { a: 1, b: 2 }, { b: 2, a: 1 }],
  ["a list one longer", { a: [1, 2] }, { a: [1, 2, 3] }],
  ["a missing member", { a: 1 }, { a: 1, b: undefined }],
  ["null against an object", { a: null }, { a: {} }],
  ["a number against its text", { a: 1 }, { a: "1" }],
  ["NaN and null (both null in JSON)", { a: Number.NaN }, { a: null }],
  ["-0 and 0", { a: -0 }, { a: 0 }],
  ["a date against its JSON", { a: new Date(0) }, { a: new Date(0).toJSON() }],
  ["errors against their JSON", { errors: [new GraphQLError("boom", { path: ["a"] })] }, JSON.parse(JSON.stringify({ errors: [new GraphQLError("boom", { path: ["a"] })] }))],
  ["errors with other messages", { errors: [new GraphQLError("boom")] }, { errors: [new GraphQLError("bang")] }],
  ["an object without a prototype", Object.assign(Object.create(null), { a: 1 }), { a: 1 }],
];

for (const [name, a, b] of cases) {
  test(`sameJSON: ${name} — as their JSON texts compare`, () => {
    assert.is(sameJSON(a, b), JSON.stringify(a) === JSON.stringify(b));
    assert.is(sameJSON(b, a), JSON.stringify(a) === JSON.stringify(b));
  });
}

test("sameJSON: a tree sharing all but one rebuilt list walks only that list and finds its change", () => {
  const items = Array.from({ length: 5 }, (_, i) => ({ text: `item ${i}` }));
  const lists = Array.from({ length: 5 }, (_, i) => ({ name: `list ${i}`, todoItems: items.map((x) => ({ ...x })) }));
  const last = { data: { todoUser: { name: "u", todoLists: lists } } };
  const rebuilt = { ...lists[2]!, todoItems: lists[2]!.todoItems.map((x, i) => (i === 3 ? { text: "changed" } : x)) };
  const next = { data: { todoUser: { name: "u", todoLists: lists.map((l, i) => (i === 2 ? rebuilt : l)) } } };
  assert.is(sameJSON(next, last), false);
  const same = { data: { todoUser: { name: "u", todoLists: lists.map((l, i) => (i === 2 ? { ...l, todoItems: l.todoItems.map((x) => ({ ...x })) } : l)) } } };
  assert.is(sameJSON(same, last), true);
});

test.run();
