// The plan store never holds a request past its timeout or its signal (spec/plan-export.md, ReadStore,
// WriteStore, LoadPlanFromStore): a `get` that never answers ends a request with `timeoutMs` as a timed-out
// request ends (REQUEST_TIMEOUT), one whose signal aborts as an aborted one (REQUEST_ABORTED), each request
// waiting on a shared read by its own bounds; the read itself is given up after the store's `timeoutMs` and
// the operation planned without it, so later requests are served. No request waits for `set`: one that
// never finishes, or fails, is reported through onPlanWarning. Results and counts only: a guard turns a
// request that never answers into a failed assertion instead of a hung run.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, getPlanCacheStats, makeSchema, type PlanStore } from "../../src/index.js";
import type { Limits } from "../../src/engine/limits.js";

const never = <T>(): Promise<T> => new Promise<T>(() => {});

/** A guard, not a measurement: a request that has not answered after this long has hung. */
const HUNG_AFTER_MS = 10_000;

async function answered(result: Promise<ExecutionResult> | ExecutionResult): Promise<ExecutionResult | "no answer"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"no answer">((resolve) => (timer = setTimeout(() => resolve("no answer"), HUNG_AFTER_MS)));
  try {
    return await Promise.race([Promise.resolve(result), hung]);
  } finally {
    clearTimeout(timer);
  }
}

interface Probe {
  readonly counts: { gets: number; sets: number };
  readonly warnings: string[];
}

function schemaWith(store: Omit<PlanStore, "get" | "set"> & { get: () => unknown; set: () => unknown }): { schema: ReturnType<typeof makeSchema> } & Probe {
  const counts = { gets: 0, sets: 0 };
  const warnings: string[] = [];
  const schema = makeSchema({
    typeDefs: "type Query { greeting: String }",
    resolvers: { Query: { greeting: () => "hello" } },
    planStore: {
      ...store,
      get: () => {
        counts.gets++;
        return store.get() as never;
      },
      set: () => {
        counts.sets++;
        return store.set();
      },
    },
    onPlanWarning: (message) => void warnings.push(message),
  });
  return { schema, counts, warnings };
}

const document = parse("{ greeting }");

function run(schema: ReturnType<typeof makeSchema>, limits?: Partial<Limits>, signal?: AbortSignal): Promise<ExecutionResult | "no answer"> {
  return answered(execute({ schema, document, limits, signal }));
}

function codeOf(result: ExecutionResult | "no answer"): unknown {
  return result === "no answer" ? result : [result.data, result.errors?.map((e) => e.extensions.code)];
}

/** Waits (within the guard) until `ok` holds: for what happens after a request has answered. */
async function until(ok: () => boolean): Promise<void> {
  for (let waited = 0; !ok() && waited < HUNG_AFTER_MS; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}

test("a get that never answers: a request with timeoutMs ends as a timed-out request (REQUEST_TIMEOUT)", async () => {
  const { schema, counts } = schemaWith({ get: never, set: () => undefined, timeoutMs: 500 });
  const result = await run(schema, { timeoutMs: 50 });
  assert.equal(codeOf(result), [null, ["REQUEST_TIMEOUT"]]);
  assert.match((result as ExecutionResult).errors![0]!.message, /^timed out after 50 ms$/);
  assert.is(counts.gets, 1);
});

test("a get that never answers: a request whose signal aborts ends as an aborted request (REQUEST_ABORTED)", async () => {
  const { schema } = schemaWith({ get: never, set: () => undefined, timeoutMs: 500 });
  const controller = new AbortController();
  const pending = run(schema, { timeoutMs: null }, controller.signal);
  setTimeout(() => controller.abort(), 20);
  assert.equal(codeOf(await pending), [null, ["REQUEST_ABORTED"]]);
});

test("requests sharing a read that never answers: each ends by its own timeout or signal, one read in all", async () => {
  const { schema, counts } = schemaWith({ get: never, set: () => undefined, timeoutMs: 500 });
  const controller = new AbortController();
  const pending = [run(schema, { timeoutMs: 30 }), run(schema, { timeoutMs: 80 }), run(schema, { timeoutMs: null }, controller.signal)];
  setTimeout(() => controller.abort(), 20);
  const results = await Promise.all(pending);
  assert.equal(results.map(codeOf), [
    [null, ["REQUEST_TIMEOUT"]],
    [null, ["REQUEST_TIMEOUT"]],
    [null, ["REQUEST_ABORTED"]],
  ]);
  assert.is(counts.gets, 1);
});

test("a get that never answers is given up after the store's timeoutMs: the operation is planned, later requests are served", async () => {
  const { schema, counts, warnings } = schemaWith({ get: never, set: () => undefined, timeoutMs: 30 });
  const results = await Promise.all([run(schema), run(schema, { timeoutMs: null })]);
  assert.equal(results, [{ data: { greeting: "hello" } }, { data: { greeting: "hello" } }]);
  assert.equal(await run(schema, { timeoutMs: 50 }), { data: { greeting: "hello" } });
  assert.is(counts.gets, 1);
  assert.is(counts.sets, 1);
  assert.is(getPlanCacheStats(schema).plansBuilt, 1);
  assert.equal(warnings, ["the plan store's get gave no answer within 30 ms; planning without it"]);
});

test("a request that timed out waiting leaves the read going: once the store answers, the next request is served from it", async () => {
  let answer: (text: string | null) => void = () => {};
  const { schema, counts } = schemaWith({ get: () => new Promise((resolve) => (answer = resolve)), set: () => undefined, timeoutMs: 500 });
  assert.equal(codeOf(await run(schema, { timeoutMs: 20 })), [null, ["REQUEST_TIMEOUT"]]);
  answer(null); // nothing stored: planned and written
  assert.equal(await run(schema, { timeoutMs: 1000 }), { data: { greeting: "hello" } });
  assert.equal(counts, { gets: 1, sets: 1 });
});

test("a set that never finishes: no request waits for it (concurrent ones included); it is reported as slow", async () => {
  const { schema, counts, warnings } = schemaWith({ get: () => Promise.resolve(null), set: never, timeoutMs: 30 });
  const results = await Promise.all([run(schema, { timeoutMs: 200 }), run(schema, { timeoutMs: 200 }), run(schema, { timeoutMs: 200 })]);
  assert.equal(results, [{ data: { greeting: "hello" } }, { data: { greeting: "hello" } }, { data: { greeting: "hello" } }]);
  assert.equal(counts, { gets: 1, sets: 1 });
  await until(() => warnings.length > 0);
  assert.equal(warnings, ["the plan store's set has not finished within 30 ms"]);
});

test("a set that fails once the request has answered is a warning, not the request's error", async () => {
  let fail: (error: Error) => void = () => {};
  const { schema, warnings } = schemaWith({ get: () => null, set: () => new Promise((_, reject) => (fail = reject)), timeoutMs: 500 });
  assert.equal(await run(schema, { timeoutMs: 200 }), { data: { greeting: "hello" } });
  assert.equal(warnings, []);
  fail(new Error("store down"));
  await until(() => warnings.length > 0);
  assert.equal(warnings, ["the plan store's set failed"]);
});

test.run();
