// Parity: a root mutation field failing at a non-null position while items below it are still pending.
// graphql-js nulls the response a fixed number of microtasks after the failure (through promiseReduce and
// one `then` per later field), and drops the errors of those items that arrive after that, keeping the
// ones that arrive before. Every combination of the fields before (none, sync, async), the failure (sync,
// async), how late the pending error arrives, and the fields after. No timers: every promise is settled.

import { test } from "uvu";
import { buildSchema } from "graphql";
import { registerCases, syncAbortOn17, type ParityCase } from "./harness.js";

const schema = buildSchema(`
  type Query {
    x: String
  }

  type Mutation {
    a(async: Boolean!): String
    l(async: Boolean!, late: Int!): [O!]!
    o(async: Boolean!, late: Int!): O!
  }

  type O {
    sub: [O]
    b: Boolean!
    strict: O!
    c: String
  }
`);

/** A value that is a promise `depth` times over (0: the value itself). */
function promised<T>(value: T, depth: number): unknown {
  let out: unknown = value;
  for (let i = 0; i < depth; i++) out = Promise.resolve(out);
  return out;
}

/** An object whose `b` fails `late` promise levels deep, under a list item that is itself a promise. */
function failingLater(late: number): Record<string, unknown> {
  return {
    sub: () => [promised({ b: () => (late === 0 ? failNow() : promised(Promise.reject(new Error(`b rejected, ${late} deep`)), late - 1)) }, 1), { b: false }],
  };
}

function failNow(): never {
  throw new Error("b threw");
}

const rootValue = {
  a: ({ async }: { async: boolean }) => (async ? Promise.resolve("A") : "A"),
  // Item 1 is null at a non-null item: the list fails as soon as it is completed.
  l: ({ async, late }: { async: boolean; late: number }) => promised([failingLater(late), null, { sub: () => [] }], async ? 1 : 0),
  // `strict` is null at a non-null field after `sub`'s pending item: the object fails.
  o: ({ async, late }: { async: boolean; late: number }) => promised({ ...failingLater(late), strict: () => null }, async ? 1 : 0),
};

const before = { none: "", sync: "a0: a(async: false)", async: "a0: a(async: true)" };
const after = { none: "", one: "a1: a(async: false)", two: "a1: a(async: true) a2: a(async: false)" };

const cases: ParityCase[] = [];
for (const [beforeName, beforeText] of Object.entries(before)) {
  for (const [afterName, afterText] of Object.entries(after)) {
    for (const async of [false, true]) {
      for (const late of [0, 1, 2, 3]) {
        const tag = `before: ${beforeName}, after: ${afterName}, ${async ? "async" : "sync"} failure, error ${late} deep`;
        // A list failing synchronously before any promise: graphql-js returns at once, not waiting for its items.
        const syncAbort: Partial<ParityCase> = !async && beforeName !== "async" ? { knownDifference: "sync-abort" } : {};
        // The same for the object on graphql 17, which does not wait for the object's pending field either.
        const objectSyncAbort: Partial<ParityCase> = !async && beforeName !== "async" ? syncAbortOn17 : {};
        cases.push(
          { name: `a list failing at a null item, ${tag}`, query: `mutation { ${beforeText} l(async: ${async}, late: ${late}) { sub { b } } ${afterText} }`, ...syncAbort },
          { name: `an object failing at a null field, ${tag}`, query: `mutation { ${beforeText} o(async: ${async}, late: ${late}) { sub { b } strict { c } } ${afterText} }`, ...objectSyncAbort },
        );
      }
    }
  }
}

registerCases(test, schema, cases, { rootValue });

test.run();
