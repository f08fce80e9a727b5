import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute, makeSchema } from "../../src/index.js";
import { assertNotNull, constant, each, exitIf, inhibitOnNull, lambda, list, loadMany, loadOne, object, sideEffect, trap } from "../../steps/index.js";

// Per-entry throws in lambda, exitIf and sideEffect fail only their own entry; bad factory arguments are the
// field's planning error. Every function counts its calls.
interface Row {
  id: string;
  a: string | null;
}
const rows: Row[] = [
  { id: "r1", a: "x" },
  { id: "r2", a: null },
  { id: "r3", a: "z" },
];
const calls = { upper: 0, hidden: 0, save: 0, names: 0 };
const writes: string[] = [];
const seenKeys: string[][] = [];

function upper(a: string): string {
  calls.upper++;
  return a.toUpperCase();
}
function hidden(row: Row): boolean {
  calls.hidden++;
  if (row.id === "r2") throw new Error("cannot judge r2");
  return row.id === "r3";
}
function save(name: string): string {
  calls.save++;
  if (name === "bad") throw new Error("cannot save bad");
  writes.push(name);
  return `saved ${name}`;
}
function names(ids: readonly string[]): string[] {
  calls.names++;
  seenKeys.push([...ids]);
  return ids.map((id) => `name of ${id}`);
}
function shout(): string {
  throw new Error("no shouting");
}

const bad: Record<string, () => unknown> = {
  lambdaFn: () => lambda(constant(1), "nope" as never),
  loadOneCallback: () => loadOne(constant("k"), "nope" as never),
  loadManyCallback: () => loadMany(constant("k"), undefined as never),
  exitIfPredicate: () => exitIf(constant(1), "nope" as never, "null"),
  sideEffectFn: () => sideEffect(constant(1), null as never),
  trapOption: () => trap(inhibitOnNull(constant(null)), { inhibited: "empty" as never }),
  trapOptions: () => trap(inhibitOnNull(constant(null)), "emptyList" as never),
  objectNumber: () => object(5 as never),
  objectNull: () => object(null as never),
  listStep: () => list(constant(1) as never),
  assertNotNullMessage: () => assertNotNull(constant(1), undefined as never),
};

const schema = makeSchema({
  typeDefs: /* GraphQL */ `
    type Query { rows: [Row] shouted: String ok: String ${Object.keys(bad).map((k) => `${k}: String`).join(" ")} }
    type Mutation { saveAll(names: [String]!): [String] }
    type Row { id: ID upper: String visibleName: String }
  `,
  plans: {
    Query: {
      rows: () => each(constant(rows), ($row) => $row),
      shouted: () => lambda(constant("hi"), shout),
      ok: () => constant("fine"),
      ...bad,
    } as never,
    Mutation: {
      saveAll: (_$r, args) => each(args.get("names"), ($name) => sideEffect($name, save)),
    },
    Row: {
      upper: ($row) => lambda($row.get("a"), upper),
      visibleName: ($row) => loadOne(exitIf($row, hidden, "null").get("id"), names),
    },
  },
});

async function run(query: string) {
  calls.upper = calls.hidden = calls.save = calls.names = 0;
  writes.length = 0;
  seenKeys.length = 0;
  return JSON.parse(JSON.stringify(await execute({ schema, document: parse(query) })));
}

test("lambda: a throw for one entry fails that entry only, at its path", async () => {
  const result = await run(`{ rows { upper } }`);
  assert.equal(result.data, { rows: [{ upper: "X" }, { upper: null }, { upper: "Z" }] });
  assert.equal(result.errors, [{ message: "Cannot read properties of null (reading 'toUpperCase')", locations: [{ line: 1, column: 10 }], path: ["rows", 1, "upper"] }]);
  assert.is(calls.upper, 3);
});

test("lambda: a throw for a global (single) entry is the field's error", async () => {
  const result = await run(`{ shouted ok }`);
  assert.equal(result.data, { shouted: null, ok: "fine" });
  assert.equal(result.errors, [{ message: "no shouting", locations: [{ line: 1, column: 3 }], path: ["shouted"] }]);
});

test("exitIf: a throwing predicate fails that entry only, and dependents skip it", async () => {
  const result = await run(`{ rows { visibleName } }`);
  assert.equal(result.data, { rows: [{ visibleName: "name of r1" }, { visibleName: null }, { visibleName: null }] });
  assert.equal(result.errors, [{ message: "cannot judge r2", locations: [{ line: 1, column: 10 }], path: ["rows", 1, "visibleName"] }]);
  assert.is(calls.hidden, 3);
  assert.is(calls.names, 1);
  assert.equal(seenKeys, [["r1"]]);
});

test("sideEffect: a throw fails its own entry; earlier writes are reported and later entries still run", async () => {
  const result = await run(`mutation { saveAll(names: ["a", "bad", "c"]) }`);
  assert.equal(result.data, { saveAll: ["saved a", null, "saved c"] });
  assert.equal(result.errors, [{ message: "cannot save bad", locations: [{ line: 1, column: 12 }], path: ["saveAll", 1] }]);
  assert.is(calls.save, 3);
  assert.equal(writes, ["a", "c"]);
});

const planningErrors: Record<string, string> = {
  lambdaFn: `graphscale: lambda($input, fn): fn must be a function, got "nope" (string).`,
  loadOneCallback: `graphscale: loadOne($key, callback, params?): callback must be a function, got "nope" (string).`,
  loadManyCallback: "graphscale: loadMany($key, callback, params?): callback must be a function, got undefined.",
  exitIfPredicate: `graphscale: exitIf($value, predicate, outcome): predicate must be a function, got "nope" (string).`,
  sideEffectFn: "graphscale: sideEffect($input, fn): fn must be a function, got null.",
  trapOption: `graphscale: trap($value, options): options.inhibited must be "null", "emptyList" or "pass", got "empty" (string).`,
  trapOptions: `graphscale: trap($value, options): options must be an object ({ inhibited, error }), got "emptyList" (string).`,
  objectNumber: "graphscale: object(spec): spec must be an object of steps ({ key: $step }), got 5 (number).",
  objectNull: "graphscale: object(spec): spec must be an object of steps ({ key: $step }), got null.",
  assertNotNullMessage: "graphscale: assertNotNull($value, message): message must be a string, got undefined.",
  listStep: /^graphscale: list\(\$items\): \$items must be an array of steps, got the step Constant\[.*\]\.$/.source,
};

for (const [field, message] of Object.entries(planningErrors)) {
  test(`bad argument (${field}): a planning error naming the factory and the argument, at the field's path`, async () => {
    const result = await run(`{ ${field} ok }`);
    assert.equal(result.data, { [field]: null, ok: "fine" });
    assert.is(result.errors.length, 1);
    const error = result.errors[0];
    assert.equal(error.path, [field]);
    if (message.startsWith("^")) assert.match(error.message, new RegExp(message));
    else assert.is(error.message, message);
  });
}

test("good arguments are still accepted", async () => {
  assert.not.throws(() => trap(inhibitOnNull(constant(null)), { inhibited: "pass", error: "emptyList" }));
  assert.not.throws(() => trap(inhibitOnNull(constant(null))));
  assert.not.throws(() => object({}));
  assert.not.throws(() => list([]));
});

test.run();
