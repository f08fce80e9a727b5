// What planning already knows is not run per request: property reads only the output needs are read by the
// output (InlinePropertyReads, spec/planning.md) — on global values as on per-entry ones —, a literal
// argument is a constant, and constants start every request done (SeedConstants, spec/plan-cache.md). Same
// results as graphql-js, and the same through an exported and imported plan.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLSchema, parse } from "graphql";
import { execute, exportPlan, explainPlan, importPlan, makeSchema, type Step } from "../../src/index.js";
import { constant, lambda, loadOne } from "../../steps/index.js";
import { planBody } from "../plans/planText.js";

const books = new Map([["b1", { id: "b1", title: "A Wizard of Earthsea", year: 1968, authorId: "a1" }]]);
const authors = new Map([["a1", { id: "a1", name: "Ursula K. Le Guin" }]]);
let authorCalls = 0;
const authorsById = async (ids: readonly string[]) => {
  authorCalls++;
  return ids.map((id) => authors.get(id) ?? null);
};
const bookById = (id: string) => books.get(id) ?? null;

const schema = makeSchema({
  typeDefs: `type Query { book(id: ID!): Book } type Book { id: ID! title: String! year: Int! author: Author } type Author { id: ID! name: String! }`,
  functions: { bookById, authorsById },
  plans: {
    Query: { book: (_$root: Step, args) => lambda(args.get("id"), bookById) },
    Book: { author: ($book: Step) => loadOne($book.get("authorId"), authorsById) },
  },
});
const source = `{ book(id: "b1") { id title year author { id name } } }`;

test("inline reads: the fields of a root field's object (global values) are read by the output, not run as steps", () => {
  const { json } = explainPlan(schema, parse(source));
  const reads = json.steps.filter((s) => s.class === "Access" && s.optimizations.includes("read inline by the output"));
  // id, title, year of the book and id, name of the author; `authorId` feeds loadOne and runs. The literal
  // argument `id` is no read at all: FieldArgs gives its value as a constant.
  assert.equal(reads.map((s) => [s.meta, s.global]).sort(), [["id", true], ["id", true], ["name", true], ["title", true], ["year", true]]);
  const run = json.steps.filter((s) => s.class === "Access" && !s.optimizations.includes("read inline by the output"));
  assert.equal(run.map((s) => s.meta), ["authorId"]);
  assert.ok(json.steps.some((s) => s.class === "Constant" && s.meta === '"b1"'));
});

test("inline reads: a missing object and a found one give graphql-js's results", async () => {
  assert.equal(await execute({ schema, document: parse(source) }), {
    data: { book: { id: "b1", title: "A Wizard of Earthsea", year: 1968, author: { id: "a1", name: "Ursula K. Le Guin" } } },
  });
  assert.equal(await execute({ schema, document: parse(`{ book(id: "nope") { id title author { name } } }`) }), { data: { book: null } });
});

/**
 * Each step of an exported plan text as [id, kind, its `inlined` field]: a small reader of the body's step
 * stream (spec/plan-export.md, EncodePlan) — a header (kind, layer, dependency count and ids, shape), the
 * fields the shape does not fix, and `-2, n` for n more steps under the same header; `-1` a removed step.
 */
function exportedInlined(text: string): Array<[id: number, kind: string, inlined: unknown]> {
  const body = planBody<{ kinds: string[]; shapes: string; steps: unknown[] }>(text);
  const shapes = JSON.parse(body.shapes) as Array<[keys: string[], fixedAt?: number[], fixed?: unknown[]]>;
  const stream = body.steps;
  const out: Array<[number, string, unknown]> = [];
  for (let i = 0, id = 0; i < stream.length; ) {
    if (stream[i] === -1) {
      i++;
      id++;
      continue;
    }
    const kind = body.kinds[stream[i] as number]!;
    const dependencies = stream[i + 2] as number;
    const [keys, fixedAt = [], fixed = []] = shapes[stream[i + 3 + dependencies] as number]!;
    const written = keys.filter((_, k) => !fixedAt.includes(k));
    const fixedInlined = fixedAt.indexOf(keys.indexOf("inlined"));
    i += 4 + dependencies;
    const readStep = () => {
      out.push([id++, kind, fixedInlined >= 0 ? fixed[fixedInlined] : stream[i + written.indexOf("inlined")]]);
      i += written.length;
    };
    readStep();
    if (stream[i] === -2) {
      const more = stream[i + 1] as number;
      i += 2;
      for (let k = 0; k < more; k++) readStep();
    }
  }
  return out;
}

test("inline reads: an exported plan says `true` for each inline read and imports the same paths and labels", async () => {
  const text = exportPlan(schema, parse(source));
  const steps = explainPlan(schema, parse(source)).json.steps;
  const inline = steps.filter((s) => s.optimizations.includes("read inline by the output")).map((s) => s.id);
  assert.is(inline.length, 5);
  const exported = exportedInlined(text);
  // The reader is in step with the stream: every live step is there under its own kind.
  assert.equal(steps.map((s) => [s.id, s.class]), steps.map((s) => [s.id, exported.find(([id]) => id === s.id)?.[1]]));
  // `true` for exactly the inline reads, nothing (null) for every other step, the `authorId` read included.
  assert.equal(exported.filter(([, , inlined]) => inlined !== null).map(([id, kind, inlined]) => [id, kind, inlined]), inline.map((id) => [id, "Access", true]));
  assert.ok(exported.some(([, kind, inlined]) => kind === "Access" && inlined === null));
  const fresh = new GraphQLSchema(schema.toConfig());
  assert.ok(importPlan(fresh, parse(source), text));
  const before = authorCalls;
  assert.equal(JSON.parse(JSON.stringify(await execute({ schema: fresh, document: parse(source) }))), {
    data: { book: { id: "b1", title: "A Wizard of Earthsea", year: 1968, author: { id: "a1", name: "Ursula K. Le Guin" } } },
  });
  assert.is(authorCalls, before + 1);
  assert.equal(explainPlan(fresh, parse(source)).json.steps, explainPlan(schema, parse(source)).json.steps);
});

test("constants: a plan's constant steps never run; their values reach the steps that read them", async () => {
  const proto = Object.getPrototypeOf(constant(0)) as { execute: (...args: unknown[]) => unknown };
  const original = proto.execute;
  let runs = 0;
  proto.execute = function (this: unknown, ...args: unknown[]) {
    runs++;
    return original.apply(this, args);
  };
  try {
    const suffixes = makeSchema({
      typeDefs: `type Query { greeting(name: String!): String }`,
      plans: { Query: { greeting: (_$root: Step, args) => lambda([args.get("name"), constant("!")], ([name, mark]: [string, string]) => `Hello, ${name}${mark}`) } },
    });
    const document = parse(`{ a: greeting(name: "Ged") b: greeting(name: "Tenar") }`);
    for (let i = 0; i < 3; i++) assert.equal(await execute({ schema: suffixes, document }), { data: { a: "Hello, Ged!", b: "Hello, Tenar!" } });
    assert.is(runs, 0);
  } finally {
    proto.execute = original;
  }
});

test.run();
