// Differential harness for graphql-js parity: runs graphql-js's `execute` (the oracle) and graphscale's
// `execute` on the same parsed document and asserts the same result — JSON, errors, prototypes, sync-ness
// and resolver call counts. It never holds expectations of its own: whatever graphql-js answers is right.

import {
  GraphQLError,
  execute as jsExecute,
  graphql as jsGraphql,
  parse,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from "graphql";
import * as assert from "uvu/assert";
import { execute, graphql } from "../../src/index.js";

/** Counts resolver calls by name; a schema that counts shares one with the harness. */
export class CallCounter {
  private counts = new Map<string, number>();

  hit(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  reset(): void {
    this.counts.clear();
  }

  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of [...this.counts.keys()].sort()) out[key] = this.counts.get(key)!;
    return out;
  }
}

export interface CompareOptions {
  rootValue?: unknown;
  contextValue?: unknown;
  variableValues?: Record<string, unknown> | null;
  operationName?: string | null;
  fieldResolver?: GraphQLFieldResolver<any, any>;
  typeResolver?: GraphQLTypeResolver<any, any>;
  /** Fresh root and context values for each run, for resolvers that change state (mutations). */
  fresh?: () => { rootValue?: unknown; contextValue?: unknown };
  /** The schema's call counter: reset before each run, and both runs must count the same. */
  calls?: CallCounter;
  /**
   * What the resolvers observed during a run (read from that run's context): compared as a sorted list,
   * since graphscale calls resolvers breadth-first and graphql-js depth-first.
   */
  observe?: (contextValue: unknown) => readonly string[];
  /**
   * A documented difference (spec/resolver-emulation.md, "Known differences") that this case shows:
   * "sync-abort" — a non-null position failed synchronously, so graphql-js never called the resolvers of
   * the fields and items after it (and did not wait for those already pending), while graphscale had
   * called them in the same batch. The results must still be identical; call counts and sync-ness may differ.
   */
  knownDifference?: "sync-abort";
}

export interface Compared {
  readonly expected: ExecutionResult;
  readonly actual: ExecutionResult;
  readonly expectedCalls: Record<string, number> | null;
  readonly actualCalls: Record<string, number> | null;
}

// graphql-js 16 can leave a rejected promise unhandled (a list that stops at a non-null item abandons the
// items already pending); graphscale must never do so. Rejections are collected per run and checked.
const unhandled: unknown[] = [];
process.on("unhandledRejection", (reason) => void unhandled.push(reason));

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value != null && typeof (value as { then?: unknown }).then === "function";
}

/** What of an error must match: what clients see, plus the original error's message. */
function errorShape(error: GraphQLError): unknown {
  assert.ok(error instanceof GraphQLError, `expected a GraphQLError, got ${String(error)}`);
  return {
    message: error.message,
    path: error.path ?? null,
    locations: error.locations ?? null,
    originalMessage: error.originalError?.message ?? null,
    extensions: error.extensions,
  };
}

/**
 * Objects of the response must have graphql-js's prototypes (it builds them with Object.create(null)) —
 * except that compiled output (on unless GRAPHSCALE_COMPILE_OUTPUT=off) builds plain object literals, the
 * one documented difference (spec/output.md, CompileOutput): the JSON is the same either way.
 */
const plainObjectsAllowed = process.env.GRAPHSCALE_COMPILE_OUTPUT !== "off";

function assertSamePrototypes(expected: unknown, actual: unknown, at: string): void {
  if (expected === null || typeof expected !== "object") return;
  assert.ok(actual !== null && typeof actual === "object", `${at}: expected an object or list, got ${JSON.stringify(actual)}`);
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${at}: expected a list`);
    for (let i = 0; i < expected.length; i++) assertSamePrototypes(expected[i], (actual as unknown[])[i], `${at}[${i}]`);
    return;
  }
  const prototype = Object.getPrototypeOf(actual);
  if (!(plainObjectsAllowed && prototype === Object.prototype)) {
    assert.is(prototype, Object.getPrototypeOf(expected), `${at}: prototype differs from graphql-js's`);
  }
  for (const key of Object.keys(expected)) {
    assertSamePrototypes((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], `${at}.${key}`);
  }
}

/** Asserts two results are the same in every way a client or a test of graphql-js could observe. */
export function assertSameResult(expected: ExecutionResult, actual: ExecutionResult): void {
  assert.is(JSON.stringify(actual, null, 2), JSON.stringify(expected, null, 2));
  assert.equal(Object.keys(actual), Object.keys(expected), "result keys");
  assert.equal((actual.errors ?? []).map(errorShape), (expected.errors ?? []).map(errorShape), "errors");
  if ("data" in expected) assertSamePrototypes(expected.data, actual.data, "data");
}

async function run(
  label: string,
  fn: (args: Parameters<typeof jsExecute>[0]) => ReturnType<typeof jsExecute>,
  schema: GraphQLSchema,
  document: DocumentNode,
  options: CompareOptions,
): Promise<{ result: ExecutionResult; sync: boolean; calls: Record<string, number> | null; observed: string[] | null }> {
  const state = options.fresh?.() ?? {};
  options.calls?.reset();
  const contextValue = "contextValue" in state ? state.contextValue : options.contextValue;
  const returned = fn({
    schema,
    document,
    rootValue: "rootValue" in state ? state.rootValue : options.rootValue,
    contextValue,
    variableValues: options.variableValues,
    operationName: options.operationName,
    fieldResolver: options.fieldResolver,
    typeResolver: options.typeResolver,
  });
  const sync = !isPromiseLike(returned);
  let result: ExecutionResult;
  try {
    result = await returned;
  } catch (error) {
    throw new Error(`${label} rejected instead of returning a result: ${(error as Error)?.stack ?? String(error)}`);
  }
  const observed = options.observe ? [...options.observe(contextValue)].sort() : null;
  return { result, sync, calls: options.calls ? options.calls.snapshot() : null, observed };
}

/** Runs graphql-js and graphscale on one parsed document and asserts identical results. */
export async function compare(schema: GraphQLSchema, query: string | DocumentNode, options: CompareOptions = {}): Promise<Compared> {
  const document = typeof query === "string" ? parse(query) : query;
  const js = await run("graphql-js execute", jsExecute, schema, document, options);
  await nextMacrotask();
  unhandled.length = 0;
  const gs = await run("graphscale execute", execute as typeof jsExecute, schema, document, options);
  await nextMacrotask();
  assert.equal(unhandled.map(String), [], "graphscale left rejected promises unhandled");
  const strict = options.knownDifference === undefined;
  if (js.sync && strict) assert.ok(gs.sync, "graphql-js returned synchronously, graphscale returned a promise");
  assertSameResult(js.result, gs.result);
  if (js.calls !== null && strict) assert.equal(gs.calls, js.calls, "resolver call counts");
  if (js.observed !== null) assert.equal(gs.observed, js.observed, "what resolvers observed");
  return { expected: js.result, actual: gs.result, expectedCalls: js.calls, actualCalls: gs.calls };
}

/** The same through `graphql()` (parse, validate, execute): for syntax and validation errors. */
export async function compareGraphql(schema: GraphQLSchema, source: string, options: CompareOptions = {}): Promise<Compared> {
  const runOne = async (fn: typeof jsGraphql) => {
    const state = options.fresh?.() ?? {};
    options.calls?.reset();
    const result = await fn({
      schema,
      source,
      rootValue: "rootValue" in state ? state.rootValue : options.rootValue,
      contextValue: "contextValue" in state ? state.contextValue : options.contextValue,
      variableValues: options.variableValues,
      operationName: options.operationName,
      fieldResolver: options.fieldResolver,
      typeResolver: options.typeResolver,
    });
    return { result, calls: options.calls ? options.calls.snapshot() : null };
  };
  const js = await runOne(jsGraphql);
  await nextMacrotask();
  unhandled.length = 0;
  const gs = await runOne(graphql as typeof jsGraphql);
  await nextMacrotask();
  assert.equal(unhandled.map(String), [], "graphscale left rejected promises unhandled");
  assertSameResult(js.result, gs.result);
  if (js.calls !== null && options.knownDifference === undefined) assert.equal(gs.calls, js.calls, "resolver call counts");
  return { expected: js.result, actual: gs.result, expectedCalls: js.calls, actualCalls: gs.calls };
}

/** One parity case: a query and how to run it. */
export interface ParityCase extends CompareOptions {
  readonly name: string;
  readonly query: string;
  /** Run through graphql() instead of execute() (parse and validation errors). */
  readonly viaGraphql?: boolean;
}

/** Registers one uvu test per case, named after it. */
export function registerCases(
  test: (name: string, fn: () => Promise<void>) => void,
  schema: GraphQLSchema,
  cases: readonly ParityCase[],
  defaults: CompareOptions = {},
): void {
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.name)) throw new Error(`duplicate parity case name: ${c.name}`);
    seen.add(c.name);
    test(c.name, async () => {
      const options: CompareOptions = { ...defaults, ...c };
      if (c.viaGraphql) await compareGraphql(schema, c.query, options);
      else await compare(schema, c.query, options);
    });
  }
}
