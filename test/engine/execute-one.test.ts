// ExecuteOne (spec: src/engine/step.ts, spec/execution.md CompileFastRun): a global step of a FastRun whose class
// defines executeOne beside execute is answered by executeOne — the entry's value, with no details object and no
// lists — and gives what execute gives; a subclass that overrides execute alone is still called through execute.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, makeSchema, Step } from "../../src/index.js";
import { lambda, LambdaStep, LoadStep, loadOne } from "../../steps/index.js";
import { fastRequestCounts, fastRequests } from "../../src/engine/request/fastRequest.js";

const typeDefs = `
  type Query { book(id: ID!): Book doubled(id: ID!): String failing: String later: String }
  type Book { id: ID! title: String! author: Author }
  type Author { id: ID! name: String! }
`;
const books = new Map([["b1", { id: "b1", title: "The Dispossessed", authorId: "a1" }], ["b2", { id: "b2", title: "Lathe", authorId: null }]]);
const author = { id: "a1", name: "Ursula K. Le Guin" };

/** Counts the calls of a step class's execute and executeOne (its own methods, wrapped). */
function counting(cls: { prototype: object }): { execute: number; executeOne: number } {
  const counts = { execute: 0, executeOne: 0 };
  const proto = cls.prototype as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ["execute", "executeOne"] as const) {
    const own = proto[name]!;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      counts[name]++;
      return own.apply(this, args);
    };
  }
  return counts;
}
const lambdaCalls = counting(LambdaStep);
const loadCalls = counting(LoadStep);

/** A lambda whose class overrides execute alone: it inherits executeOne, which must not answer for it. */
class DoublingStep extends LambdaStep<string, string> {
  static calls = 0;
  override execute(details: Parameters<LambdaStep<string, string>["execute"]>[0]) {
    DoublingStep.calls++;
    return (super.execute(details) as string[]).map((v) => `${v}${v}`);
  }
}

const schema = makeSchema({
  typeDefs,
  plans: {
    Query: {
      book: (_$root: Step, args) => lambda(args.get("id"), (id: string) => books.get(id) ?? null),
      doubled: (_$root: Step, args) => new DoublingStep(args.get("id"), (id: string) => id),
      failing: (_$root: Step) => lambda(_$root, () => {
        throw new Error("no such thing");
      }),
      later: (_$root: Step) => lambda(_$root, () => Promise.resolve("later")),
    },
    Book: { author: ($book: Step) => loadOne($book.get("authorId"), async (ids: readonly string[]) => ids.map(() => author)) },
  },
});

async function both(source: string): Promise<{ fast: ExecutionResult; general: ExecutionResult }> {
  const document = parse(source);
  await execute({ schema, document });
  await execute({ schema, document });
  const fast = await execute({ schema, document });
  fastRequests.enabled = false;
  try {
    return { fast, general: await execute({ schema, document }) };
  } finally {
    fastRequests.enabled = true;
  }
}

test("a fast request answers its lambda and loadOne steps by executeOne, never execute", async () => {
  const document = parse(`{ book(id: "b1") { id title author { id name } } }`);
  await execute({ schema, document });
  await execute({ schema, document });
  const before = { ...fastRequestCounts };
  const counts = [lambdaCalls, loadCalls].map((c) => ({ ...c }));
  const result = await execute({ schema, document });
  assert.equal(result, { data: { book: { id: "b1", title: "The Dispossessed", author } } });
  assert.is(fastRequestCounts.runs - before.runs, 1);
  assert.is(fastRequestCounts.fellBack - before.fellBack, 0);
  const calls = [lambdaCalls, loadCalls].map((c, i) => ({ execute: c.execute - counts[i]!.execute, executeOne: c.executeOne - counts[i]!.executeOne }));
  assert.equal(calls, [
    { execute: 0, executeOne: 1 },
    { execute: 0, executeOne: 1 },
  ]);
});

test("executeOne gives what execute gives: a null key, a throw, a promise of the entry", async () => {
  for (const source of [`{ book(id: "b2") { id author { id } } }`, `{ book(id: "nope") { id } }`, `{ failing }`, `{ later }`, `{ book(id: "b1") { title } later failing }`]) {
    const { fast, general } = await both(source);
    assert.equal(JSON.parse(JSON.stringify(fast)), JSON.parse(JSON.stringify(general)), source);
  }
  const { fast } = await both(`{ failing later }`);
  assert.is(fast.data?.later, "later");
  assert.is(fast.errors?.[0]?.message, "no such thing");
});

test("a subclass overriding execute alone is called through execute on the fast path", async () => {
  const { fast, general } = await both(`{ doubled(id: "x") }`);
  assert.equal(fast, { data: { doubled: "xx" } });
  assert.equal(general, { data: { doubled: "xx" } });
  const before = DoublingStep.calls;
  await execute({ schema, document: parse(`{ doubled(id: "y") }`) });
  await execute({ schema, document: parse(`{ doubled(id: "y") }`) });
  assert.is(DoublingStep.calls - before, 2);
});

test.run();
