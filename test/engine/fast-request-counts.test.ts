// FastRequest's per-request work, counted (spec/execution.md, CompileFastRun and FastRun): a request whose steps
// all finish synchronously makes no run and no promise; an asynchronous one makes one run, one promise of its
// own and one `then` per asynchronous step (one callback per step, each step called once per request); and a
// first pass that throws after a step went asynchronous answers with the error, the step storing nothing later;
// a request's globals are made by the plan's generated functions (FreshGlobals), not copied from its seed.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHook } from "node:async_hooks";
import { parse, type ExecutionResult } from "graphql";
import { execute, makeSchema, Step, type ExecutionDetails, type ExecutionResults } from "../../src/index.js";
import { constant, lambda, loadOne } from "../../steps/index.js";
import { fastRequestCounts } from "../../src/engine/request/fastRequest.js";
import { fastRunCounts } from "../../src/engine/execution/fastRun.js";
import { LoadStep } from "../../steps/loadStep.js";

const typeDefs = `
  type Query { book(id: ID!): Book metrics: Metrics }
  type Book { id: ID! title: String! author: Author }
  type Author { id: ID! name: String! }
  type Metrics { id: ID! ${Array.from({ length: 20 }, (_, i) => `m${i}: Int`).join(" ")} }
`;
const calls = { book: 0, authors: 0, metrics: 0 };
const bookById = (id: string) => {
  calls.book++;
  return { id, title: "The Dispossessed", authorId: "a1" };
};
const author = { id: "a1", name: "Ursula K. Le Guin" };

function schemaWith(authors: (ids: readonly string[]) => unknown) {
  return makeSchema({
    typeDefs,
    plans: {
      Query: { book: (_$root: Step, args) => lambda(args.get("id"), bookById), metrics: () => constant({ id: "metrics-1" }) },
      Book: { author: ($book: Step) => loadOne($book.get("authorId"), authors as (ids: readonly string[]) => Promise<unknown[]>) },
      Metrics: Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [
          `m${i}`,
          ($m: Step) =>
            loadOne($m.get("id"), async (ids: readonly unknown[]) => {
              calls.metrics++;
              return ids.map(() => i);
            }),
        ]),
      ),
    },
  });
}
const syncSchema = schemaWith((ids) => {
  calls.authors++;
  return ids.map(() => author);
});
const asyncSchema = schemaWith(async (ids) => {
  calls.authors++;
  return ids.map(() => author);
});
const small = parse(`{ book(id: "b1") { id title author { id name } } }`);
const expected = { data: { book: { id: "b1", title: "The Dispossessed", author } } };

/** Promises made while `run` runs synchronously (async_hooks sees every native promise). */
function promisesMadeBy<T>(run: () => T): { value: T; promises: number } {
  let promises = 0;
  const hook = createHook({ init: (_id, type) => void (type === "PROMISE" && promises++) });
  hook.enable();
  try {
    return { value: run(), promises };
  } finally {
    hook.disable();
  }
}

function reset(): void {
  fastRequestCounts.runs = 0;
  fastRequestCounts.fellBack = 0;
  calls.book = calls.authors = calls.metrics = 0;
}

test("a request whose steps all finish synchronously makes no run and no promise", () => {
  execute({ schema: syncSchema, document: small });
  reset();
  const made = fastRunCounts.made;
  for (let i = 0; i < 3; i++) {
    const { value, promises } = promisesMadeBy(() => execute({ schema: syncSchema, document: small }));
    assert.equal(value, expected, "a plain result, not a promise");
    assert.is(promises, 0);
  }
  assert.is(fastRunCounts.made - made, 0, "no run made");
  assert.equal(fastRequestCounts, { runs: 3, fellBack: 0 });
  assert.equal([calls.book, calls.authors], [3, 3], "each step once per request");
});

test("an asynchronous small query: one run, its promise, and one `then` for its one asynchronous step", async () => {
  await execute({ schema: asyncSchema, document: small });
  reset();
  const made = fastRunCounts.made;
  for (let i = 0; i < 3; i++) {
    const { value, promises } = promisesMadeBy(() => execute({ schema: asyncSchema, document: small }));
    // The callback's own promise, the `then` awaiting it, the request's promise.
    assert.is(promises, 3);
    assert.equal(await value, expected);
  }
  assert.is(fastRunCounts.made - made, 3, "one run per request");
  assert.equal(fastRequestCounts, { runs: 3, fellBack: 0 });
  assert.equal([calls.book, calls.authors], [3, 3]);
});

test("twenty asynchronous fields: one `then` per field's step and one promise for the request", async () => {
  const document = parse(`{ metrics { id ${Array.from({ length: 20 }, (_, i) => `m${i}`).join(" ")} } }`);
  await execute({ schema: asyncSchema, document });
  reset();
  const made = fastRunCounts.made;
  const { value, promises } = promisesMadeBy(() => execute({ schema: asyncSchema, document }));
  assert.is(promises, 20 + 20 + 1, "twenty callbacks' promises, twenty `then`s, the request's promise");
  const result = (await value) as ExecutionResult;
  assert.equal((result.data as { metrics: Record<string, unknown> }).metrics.m19, 19);
  assert.is(fastRunCounts.made - made, 1);
  assert.equal(fastRequestCounts, { runs: 1, fellBack: 0 });
  assert.is(calls.metrics, 20, "each step once");
});

test("twenty asynchronous fields: each native promise is awaited as it is, with no Promise.resolve around it", async () => {
  const document = parse(`{ metrics { id ${Array.from({ length: 20 }, (_, i) => `m${i}`).join(" ")} } }`);
  await execute({ schema: asyncSchema, document });
  await execute({ schema: asyncSchema, document });
  reset();
  const resolve = Promise.resolve;
  let resolves = 0;
  Promise.resolve = function (this: PromiseConstructor, value?: unknown) {
    resolves++;
    return resolve.call(this, value);
  } as typeof Promise.resolve;
  let value: unknown;
  try {
    value = execute({ schema: asyncSchema, document });
  } finally {
    Promise.resolve = resolve;
  }
  assert.equal(((await value) as { data: { metrics: Record<string, unknown> } }).data.metrics.m7, 7);
  assert.equal(fastRequestCounts, { runs: 1, fellBack: 0 });
  assert.is(resolves, 0);
});

test("twenty asynchronous fields: each field's entry made of its callback's list by oneEntry, no mapResults per field", async () => {
  const document = parse(`{ metrics { id ${Array.from({ length: 20 }, (_, i) => `m${i}`).join(" ")} } }`);
  await execute({ schema: asyncSchema, document });
  await execute({ schema: asyncSchema, document });
  reset();
  const proto = LoadStep.prototype as unknown as { oneEntry(value: unknown): unknown };
  const oneEntry = proto.oneEntry;
  let entries = 0;
  proto.oneEntry = function (this: unknown, value: unknown) {
    entries++;
    return oneEntry.call(this, value);
  };
  try {
    const result = (await execute({ schema: asyncSchema, document })) as ExecutionResult;
    assert.equal((result.data as { metrics: Record<string, unknown> }).metrics.m19, 19);
  } finally {
    proto.oneEntry = oneEntry;
  }
  assert.equal(fastRequestCounts, { runs: 1, fellBack: 0 });
  assert.is(entries, 20, "one oneEntry per field, on the callback's promised list");
});

test("an asynchronous loadOne callback answering the wrong count fails its field on the fast path, as everywhere", async () => {
  const s = makeSchema({
    typeDefs: `type Query { a: Int b: Int }`,
    plans: {
      Query: {
        a: () => loadOne(constant(1), async function twoForOne(ids: readonly unknown[]) { return [...ids, ...ids]; }),
        b: () => loadOne(constant(2), async (ids: readonly unknown[]) => ids.map(() => 2)),
      },
    },
  });
  const document = parse(`{ a b }`);
  for (let i = 0; i < 2; i++) await execute({ schema: s, document });
  reset();
  const result = (await execute({ schema: s, document })) as ExecutionResult;
  assert.equal(JSON.parse(JSON.stringify(result.data)), { a: null, b: 2 });
  assert.match(result.errors![0]!.message, /twoForOne returned 2 results for 1 keys/);
  assert.is(fastRequestCounts.runs, 1);
});

test("a request's globals are made fresh by the plan's generated functions: no seed array is copied", () => {
  execute({ schema: syncSchema, document: small });
  execute({ schema: syncSchema, document: small });
  reset();
  const slice = Array.prototype.slice;
  let slices = 0;
  Array.prototype.slice = function (this: unknown[], ...args: [number?, number?]) {
    slices++;
    return slice.apply(this, args);
  };
  try {
    for (let i = 0; i < 3; i++) assert.equal(execute({ schema: syncSchema, document: small }), expected);
  } finally {
    Array.prototype.slice = slice;
  }
  assert.equal(fastRequestCounts, { runs: 3, fellBack: 0 });
  assert.is(slices, 0, "the globals and their done marks are not copies of the plan's seed");
});

/**
 * A global step whose result's `length` throws when read (once `broken.on`): the generated pass throws outside
 * `execute`.
 */
const broken = { on: false };
class BrokenListStep extends Step {
  constructor($input: Step) {
    super();
    this.addDependency($input);
  }
  execute(_details: ExecutionDetails): ExecutionResults<unknown> {
    return new Proxy([1], {
      get(target, key) {
        if (key === "length" && broken.on) throw new Error("unreadable list");
        return Reflect.get(target, key);
      },
    }) as unknown as unknown[];
  }
}

test("a first pass that throws after a step went asynchronous answers with the error; the step stores nothing later", async () => {
  let settled = 0;
  const s = makeSchema({
    typeDefs: `type Query { slow: Int broken: Int }`,
    plans: {
      Query: {
        slow: () =>
          loadOne(constant(1), async (ids: readonly unknown[]) => {
            await null;
            settled++;
            return ids.map(() => 1);
          }),
        broken: () => new BrokenListStep(constant(2)),
      },
    },
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    const document = parse(`{ slow broken }`);
    reset();
    // A plan's first response is built by the interpretive output and its second compiles the output code
    // (spec/output.md, CompiledOutputOf): two good requests first, then the fast path meets the broken list.
    for (let i = 0; i < 2; i++) assert.is(((await execute({ schema: s, document })) as ExecutionResult).errors, undefined);
    const before = fastRequestCounts.runs;
    broken.on = true;
    for (let i = 0; i < 2; i++) {
      const result = (await execute({ schema: s, document })) as ExecutionResult;
      assert.ok(result.errors !== undefined && result.errors.length > 0, "the internal error is the result");
    }
    // Let the abandoned steps settle: they store nothing and end nothing.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.is(settled, 4);
    assert.is(fastRequestCounts.runs - before, 2, "both broken requests took the fast path");
    assert.equal(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});

test.run();
