// Differential harness for graphql-js parity: runs graphql-js's `execute` (the oracle) and graphscale's
// `execute` on the same parsed document and asserts the same result — JSON, errors, prototypes, sync-ness
// and resolver call counts. It never holds expectations of its own: whatever graphql-js answers is right.
// GRAPHSCALE_PARITY_EXECUTOR picks how graphscale runs: unset, plain `execute`; "batched", through
// createBatchedExecute one request at a time; "batched-concurrent", through createBatchedExecute with many
// requests at once (every case of a registerCases call, several copies each, in one window); "imported",
// each request's plan built by a copy of the schema, exported by exportPlan and read back by importPlan into
// the schema itself, which never plans (its plansBuilt must stay 0) — through execute and through graphql()
// alike (graphql() finds the plan by the source text; a source that does not parse or validate never plans).
// Under plain `execute`, each request through execute() runs twice more: through executeToJSON, whose text
// must be exactly JSON.stringify of graphql-js's result, and with `deps: true` and `explain: true`, whose
// result must be graphql-js's plus `extensions` (none when the request failed before it ran); then twice more
// through execute, so that the plan's later requests (its compiled output, and the fast path where the plan
// admits it: ExecuteFast, then FastRequest) give graphql-js's result and calls too.

import {
  GraphQLError,
  execute as jsExecute,
  validate,
  validateSchema,
  graphql as jsGraphql,
  parse,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  GraphQLSchema,
  type GraphQLTypeResolver,
  versionInfo,
} from "graphql";
import * as assert from "uvu/assert";
import { createBatchedExecute, execute, executeToJSON, exportPlan, getPlanCacheStats, graphql, importPlan, type BatchedExecute } from "../../src/index.js";
import { fastRequestCounts } from "../../src/engine/request/fastRequest.js";

/** The installed graphql-js major: the oracle's, whose behaviour (16 or 17) every comparison takes as right. */
export const GRAPHQL_MAJOR: number = versionInfo.major;

/**
 * graphql 17 also fails an object at once while some of its fields are pending (graphqlAdapter,
 * OBJECT_FAILS_WITHOUT_WAITING), where 16 waited for them: the cases where that lets graphql-js return
 * synchronously show the "sync-abort" difference on 17 only (spec/graphql-versions.md).
 */
export const syncAbortOn17: Pick<CompareOptions, "knownDifference"> = GRAPHQL_MAJOR >= 17 ? { knownDifference: "sync-abort" } : {};

/** How graphscale runs in this process (see the header). */
export const executor: "execute" | "batched" | "batched-concurrent" | "imported" = executorFromEnvironment();

function executorFromEnvironment(): "execute" | "batched" | "batched-concurrent" | "imported" {
  const value = process.env.GRAPHSCALE_PARITY_EXECUTOR ?? "execute";
  if (value === "execute" || value === "batched" || value === "batched-concurrent" || value === "imported") return value;
  throw new Error(`GRAPHSCALE_PARITY_EXECUTOR=${value}: expected execute, batched, batched-concurrent or imported`);
}

/** Per schema, a copy that plans (and exports) in its place: the schema itself only ever imports. */
const planningCopies = new WeakMap<GraphQLSchema, GraphQLSchema>();

/**
 * Documents whose plan the schema imported ("imported"), whose request error `execute` reports ("request
 * error"), or whose plan holds a custom step or closure that is not registered ("not exportable": the
 * planning copy runs it).
 */
const importedDocuments = new WeakMap<DocumentNode, "imported" | "request error" | "not exportable">();

/** What "imported" did in this process; printed at exit for the runner (parity/imported.test.ts). */
const importCounts = { imported: 0, viaGraphql: 0, "not exportable": 0 };
if (executor === "imported") process.on("exit", () => console.log(`imported plans: ${importCounts.imported} (through graphql(): ${importCounts.viaGraphql}), not exportable: ${importCounts["not exportable"]}`));

/**
 * "imported": the plan `execute` would build — built by a copy of the schema, exported as text — is imported
 * into the schema itself, which therefore never plans (its plansBuilt stays 0) and resolvers still see it as
 * `info.schema`. Done before a run's resolver calls are counted (runSide), since exporting and importing
 * coerce the variables as a request does. A request error (no such operation, bad variables) is left to
 * `execute`, which reports it.
 */
function prepareImported(args: Parameters<typeof jsExecute>[0]): "imported" | "request error" | "not exportable" {
  const { schema, document, operationName, variableValues } = args;
  const known = importedDocuments.get(document);
  if (known !== undefined) return known;
  let copy = planningCopies.get(schema);
  if (copy === undefined) planningCopies.set(schema, (copy = new GraphQLSchema(schema.toConfig())));
  let text: string;
  try {
    text = exportPlan(copy, document, operationName, variableValues ?? {});
  } catch (error) {
    const outcome = error instanceof Error && error.message.startsWith("graphscale: this plan cannot be exported") ? "not exportable" : "request error";
    importedDocuments.set(document, outcome);
    if (outcome === "not exportable") importCounts[outcome]++;
    return outcome;
  }
  assert.ok(importPlan(schema, document, text, operationName, variableValues ?? {}), "the exported plan was not imported");
  importedDocuments.set(document, "imported");
  importCounts.imported++;
  return "imported";
}

/** A graphql() request's source as graphql() will run it (parsed, validated), or null when it never plans. */
function validDocument(schema: GraphQLSchema, source: string): DocumentNode | null {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch {
    return null;
  }
  return validateSchema(schema).length > 0 || validate(schema, document).length > 0 ? null : document;
}

/** The schema runs the request on the plan it imported, and must never have planned. */
function executeImported(args: Parameters<typeof jsExecute>[0]): ReturnType<typeof jsExecute> {
  prepareImported(args);
  const result = importedDocuments.get(args.document) === "not exportable" ? execute({ ...args, schema: planningCopies.get(args.schema)! }) : execute(args);
  assert.is(getPlanCacheStats(args.schema).plansBuilt, 0, "the schema planned instead of running an imported plan");
  return result;
}

/** Copies of each request run at once under "batched-concurrent", so requests of one plan share calls. */
export const COPIES = executor === "batched-concurrent" ? 4 : 1;

/**
 * Requests the harness ran again after a comparison (plain `execute` only: the plan's later requests), and
 * how many of them the fast path ran (ExecuteFast or FastRequest: fastRequestCounts.runs); a test reads them.
 */
export const parityLaterRequests = { requests: 0, fast: 0 };

/** One batching executor per schema, kept for the whole file, as a server keeps one. */
const batchedExecutors = new WeakMap<GraphQLSchema, BatchedExecute>();

export function batchedExecuteFor(schema: GraphQLSchema): BatchedExecute {
  let batched = batchedExecutors.get(schema);
  if (batched === undefined) batchedExecutors.set(schema, (batched = createBatchedExecute({ schema, windowMs: 1 })));
  return batched;
}

/** graphscale's `execute` as this process runs it: plain, or through the schema's batching executor. */
export const graphscaleExecute = ((args: Parameters<typeof jsExecute>[0]) =>
  executor === "execute" ? execute(args) : executor === "imported" ? executeImported(args) : batchedExecuteFor(args.schema)(args)) as typeof jsExecute;

/** graphscale's `graphql`: under batching, what a server does with an execute function (parse, validate, execute). */
const graphscaleGraphql = ((args: Parameters<typeof jsGraphql>[0]) => {
  if (executor === "execute" || executor === "imported") return graphql(args);
  const { schema, source, ...rest } = args;
  const schemaErrors = validateSchema(schema);
  if (schemaErrors.length > 0) return Promise.resolve({ errors: schemaErrors });
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (error) {
    return Promise.resolve({ errors: [error as GraphQLError] });
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return Promise.resolve({ errors });
  return Promise.resolve(graphscaleExecute({ ...rest, schema, document }));
}) as typeof jsGraphql;

/**
 * A suite's own graphscale request: under "batched-concurrent", COPIES of it at once, which must all give
 * the same JSON; the first is returned for the suite's assertions.
 */
export async function runGraphscale(args: Parameters<typeof jsExecute>[0]): Promise<ExecutionResult> {
  const results = await Promise.all(Array.from({ length: COPIES }, () => graphscaleExecute(args)));
  for (let i = 1; i < results.length; i++) assert.is(JSON.stringify(results[i]), JSON.stringify(results[0]), `copy ${i} of ${COPIES}`);
  return results[0]!;
}

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
  const text = jsonTexts.get(actual);
  if (text !== undefined) return assert.is(text, JSON.stringify(expected), "executeToJSON's text");
  assert.is(JSON.stringify(actual, null, 2), JSON.stringify(expected, null, 2));
  assert.equal(Object.keys(actual), Object.keys(expected), "result keys");
  assert.equal((actual.errors ?? []).map(errorShape), (expected.errors ?? []).map(errorShape), "errors");
  if ("data" in expected) assertSamePrototypes(expected.data, actual.data, "data");
}

/** One request to run: a parsed document through execute, or source text through graphql(). */
interface Request {
  readonly schema: GraphQLSchema;
  readonly query: string | DocumentNode;
  readonly viaGraphql: boolean;
  readonly options: CompareOptions;
}

/** Requests started (not yet settled): their promises or values, and the context each one got. */
interface Started {
  readonly returned: Array<ExecutionResult | PromiseLike<ExecutionResult>>;
  readonly contexts: unknown[];
}

/** The sides a request runs on: graphql-js, graphscale as this process runs it, its executeToJSON, and it with extensions. */
type Side = "graphql-js" | "graphscale" | "executeToJSON" | "extensions";

/**
 * execute with `deps: true` and `explain: true`, the result without its extensions: `explain` and `deps`,
 * both there when the request ran, neither when it failed before (nothing was planned or read).
 */
function executeWithExtensions(args: Parameters<typeof jsExecute>[0]): ExecutionResult | Promise<ExecutionResult> {
  const withoutExtensions = (result: ExecutionResult): ExecutionResult => {
    const { extensions, ...rest } = result;
    if ("data" in rest && rest.data !== null) assert.equal(Object.keys(extensions ?? {}).sort(), ["deps", "explain"], "the extensions asked for");
    else if (extensions !== undefined) assert.ok(Object.keys(extensions).every((key) => key === "deps" || key === "explain"), "extensions not asked for");
    return rest;
  };
  const result = execute({ ...args, deps: true, explain: true });
  return isPromiseLike(result) ? Promise.resolve(result).then(withoutExtensions) : withoutExtensions(result);
}

/** executeToJSON's text, parsed, and the text it was parsed from (for assertSameResult to compare as text). */
const jsonTexts = new WeakMap<ExecutionResult, string>();

function executeAsJSON(args: Parameters<typeof jsExecute>[0]): ExecutionResult | Promise<ExecutionResult> {
  const parsed = (text: string): ExecutionResult => {
    const result = JSON.parse(text) as ExecutionResult;
    jsonTexts.set(result, text);
    return result;
  };
  const text = executeToJSON(args);
  return typeof text === "string" ? parsed(text) : text.then(parsed);
}

/** Starts `copies` copies of a request, each with its own fresh state when the case has one. */
function start(side: Side, request: Request, copies: number, into: Started): void {
  const { schema, query, viaGraphql, options } = request;
  for (let i = 0; i < copies; i++) {
    const state = options.fresh?.() ?? {};
    const contextValue = "contextValue" in state ? state.contextValue : options.contextValue;
    const shared = {
      schema,
      rootValue: "rootValue" in state ? state.rootValue : options.rootValue,
      contextValue,
      variableValues: options.variableValues,
      operationName: options.operationName,
      fieldResolver: options.fieldResolver,
      typeResolver: options.typeResolver,
    };
    const document = typeof query === "string" && !viaGraphql ? parse(query) : (query as DocumentNode);
    into.returned.push(
      viaGraphql
        ? (side === "graphql-js" ? jsGraphql : graphscaleGraphql)({ ...shared, source: query as string })
        : { "graphql-js": jsExecute, graphscale: graphscaleExecute, executeToJSON: executeAsJSON, extensions: executeWithExtensions }[side]({ ...shared, document }),
    );
    into.contexts.push(contextValue);
  }
}

async function settle(label: string, returned: ExecutionResult | PromiseLike<ExecutionResult>): Promise<ExecutionResult> {
  try {
    return await returned;
  } catch (error) {
    throw new Error(`${label} rejected instead of returning a result: ${(error as Error)?.stack ?? String(error)}`);
  }
}

/** What the resolvers observed, over the distinct contexts the copies got. */
function observedIn(options: CompareOptions, contexts: readonly unknown[]): string[] | null {
  if (!options.observe) return null;
  return [...new Set(contexts)].flatMap((context) => [...options.observe!(context)]).sort();
}

function times<T>(list: readonly T[], n: number): T[] {
  return Array.from({ length: n }, () => list).flat();
}

function timesCounts(counts: Record<string, number>, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(counts)) out[key] = counts[key]! * n;
  return out;
}

interface Outcome {
  readonly results: ExecutionResult[];
  readonly sync: boolean;
  readonly calls: Record<string, number> | null;
  readonly observed: string[] | null;
}

/** Runs one request (`copies` copies at once on graphscale's side) and collects what the harness compares. */
async function runSide(side: Side, request: Request, copies: number): Promise<Outcome> {
  const importing = side === "graphscale" && executor === "imported" ? request.schema : null;
  if (importing !== null) {
    // Through graphql(), the plan is imported for a parse of the same source: graphql() finds it by the text.
    const document = request.viaGraphql ? validDocument(importing, request.query as string) : typeof request.query === "string" ? parse(request.query) : request.query;
    if (!request.viaGraphql) request = { ...request, query: document! };
    const { operationName, variableValues } = request.options;
    const outcome = document === null ? null : prepareImported({ schema: importing, document, operationName, variableValues });
    if (request.viaGraphql && outcome === "imported") importCounts.viaGraphql++;
    if (request.viaGraphql && outcome === "not exportable") request = { ...request, schema: planningCopies.get(importing)! };
  }
  request.options.calls?.reset();
  const started: Started = { returned: [], contexts: [] };
  start(side, request, copies, started);
  const sync = started.returned.every((r) => !isPromiseLike(r));
  const results: ExecutionResult[] = [];
  for (const returned of started.returned) results.push(await settle(`${side} ${request.viaGraphql ? "graphql" : "execute"}`, returned));
  const calls = request.options.calls ? request.options.calls.snapshot() : null;
  if (importing !== null) assert.is(getPlanCacheStats(importing).plansBuilt, 0, "the schema planned instead of running an imported plan");
  return { results, sync, calls, observed: observedIn(request.options, started.contexts) };
}

/** Runs graphql-js, then graphscale, on one request and asserts identical results. */
async function compareRequest(request: Request): Promise<Compared> {
  const js = await runSide("graphql-js", request, 1);
  await nextMacrotask();
  unhandled.length = 0;
  const gs = await runSide("graphscale", request, COPIES);
  await nextMacrotask();
  assert.equal(unhandled.map(String), [], "graphscale left rejected promises unhandled");
  const strict = request.options.knownDifference === undefined;
  // The batching executor always answers with a promise, even when nothing waited for its window.
  if (js.sync && strict && executor === "execute" && !request.viaGraphql) assert.ok(gs.sync, "graphql-js returned synchronously, graphscale returned a promise");
  for (const result of gs.results) assertSameResult(js.results[0]!, result);
  if (js.calls !== null && strict) assert.equal(gs.calls, timesCounts(js.calls, COPIES), "resolver call counts");
  if (js.observed !== null) assert.equal(gs.observed, times(js.observed, COPIES).sort(), "what resolvers observed");
  if (executor === "execute" && !request.viaGraphql) {
    for (const side of ["executeToJSON", "extensions"] as const) {
      const other = await runSide(side, request, 1);
      await nextMacrotask();
      assert.equal(unhandled.map(String), [], `${side} left rejected promises unhandled`);
      assertSameResult(js.results[0]!, other.results[0]!);
    }
    // The plan's later requests: its output compiled (spec/output.md, CompiledOutputOf) and, where FastPlanOf
    // admits the plan, the fast path (ExecuteFast, then FastRequest: spec/execution.md).
    for (let i = 0; i < 2; i++) {
      const before = fastRequestCounts.runs;
      unhandled.length = 0;
      const again = await runSide("graphscale", request, 1);
      await nextMacrotask();
      assert.equal(unhandled.map(String), [], "a later request left rejected promises unhandled");
      assertSameResult(js.results[0]!, again.results[0]!);
      if (js.calls !== null && strict) assert.equal(again.calls, js.calls, "resolver call counts on a later request");
      if (js.sync && strict) assert.ok(again.sync, "graphql-js returned synchronously, a later request returned a promise");
      parityLaterRequests.requests++;
      parityLaterRequests.fast += fastRequestCounts.runs - before;
    }
  }
  return { expected: js.results[0]!, actual: gs.results[0]!, expectedCalls: js.calls, actualCalls: gs.calls };
}

/** Runs graphql-js and graphscale on one parsed document and asserts identical results. */
export async function compare(schema: GraphQLSchema, query: string | DocumentNode, options: CompareOptions = {}): Promise<Compared> {
  return compareRequest({ schema, query: typeof query === "string" ? parse(query) : query, viaGraphql: false, options });
}

/** The same through `graphql()` (parse, validate, execute): for syntax and validation errors. */
export async function compareGraphql(schema: GraphQLSchema, source: string, options: CompareOptions = {}): Promise<Compared> {
  return compareRequest({ schema, query: source, viaGraphql: true, options });
}

/** One parity case: a query and how to run it. */
export interface ParityCase extends CompareOptions {
  readonly name: string;
  readonly query: string;
  /** Run through graphql() instead of execute() (parse and validation errors). */
  readonly viaGraphql?: boolean;
}

/**
 * Registers one uvu test per case, named after it. Under "batched-concurrent", the cases (but those with
 * a known difference whose calls are counted, which run on their own) run all at once — COPIES of each, in one window of the
 * schema's batching executor — and each case's test compares its copies with graphql-js's result; one
 * more test compares the resolver calls of the whole run with graphql-js's, summed over the cases.
 */
export function registerCases(
  test: (name: string, fn: () => Promise<void>) => void,
  schema: GraphQLSchema,
  cases: readonly ParityCase[],
  defaults: CompareOptions = {},
): void {
  const seen = new Set<string>();
  const together: Request[] = [];
  for (const c of cases) {
    if (seen.has(c.name)) throw new Error(`duplicate parity case name: ${c.name}`);
    seen.add(c.name);
    const request: Request = { schema, query: c.query, viaGraphql: c.viaGraphql === true, options: { ...defaults, ...c } };
    // A known difference may change resolver call counts: such a case runs apart when its calls are counted.
    if (executor === "batched-concurrent" && (c.knownDifference === undefined || request.options.calls === undefined)) {
      const index = together.push(request) - 1;
      test(c.name, async () => {
        const { expected, actual } = await allAtOnce();
        for (let k = 0; k < COPIES; k++) assertSameResult(expected[index]!.results[0]!, actual[index * COPIES + k]!);
        const observed = expected[index]!.observed;
        if (observed !== null) assert.equal(observedIn(request.options, actual.contexts.slice(index * COPIES, (index + 1) * COPIES)), times(observed, COPIES).sort());
      });
    } else {
      test(c.name, async () => void (await compareRequest(request)));
    }
  }
  if (together.length === 0) return;
  let running: Promise<AllAtOnce> | null = null;
  const allAtOnce = (): Promise<AllAtOnce> => (running ??= runAllAtOnce(together));
  test(`all at once: ${together.length} cases × ${COPIES} through one batching window, resolver calls as graphql-js's summed`, async () => {
    const { expected, calls } = await allAtOnce();
    if (executor !== "execute") assert.ok(batchedExecuteFor(schema).stats.aloneCalls + batchedExecuteFor(schema).stats.joinedParts > 0, "the batching executor ran no step");
    for (const [counter, counted] of calls) {
      const sum: Record<string, number> = {};
      for (let i = 0; i < together.length; i++) {
        if (together[i]!.options.calls !== counter) continue;
        for (const [key, n] of Object.entries(expected[i]!.calls ?? {})) sum[key] = (sum[key] ?? 0) + n * COPIES;
      }
      assert.equal(counted, Object.fromEntries(Object.keys(sum).sort().map((k) => [k, sum[k]!])), "resolver calls of the whole run");
    }
  });
}

interface AllAtOnce {
  /** graphql-js's outcome per case, run one at a time. */
  readonly expected: Outcome[];
  /** graphscale's results, COPIES per case in case order, and the context each got. */
  readonly actual: ExecutionResult[] & { contexts: unknown[] };
  /** Each call counter's count over the whole concurrent run. */
  readonly calls: Map<CallCounter, Record<string, number>>;
}

/** graphql-js one case at a time; then every case's copies started in one synchronous pass through graphscale. */
async function runAllAtOnce(requests: readonly Request[]): Promise<AllAtOnce> {
  const expected: Outcome[] = [];
  for (const request of requests) expected.push(await runSide("graphql-js", request, 1));
  await nextMacrotask();
  unhandled.length = 0;
  const counters = new Set<CallCounter>();
  for (const request of requests) if (request.options.calls) counters.add(request.options.calls);
  for (const counter of counters) counter.reset();
  const started: Started = { returned: [], contexts: [] };
  for (const request of requests) start("graphscale", request, COPIES, started);
  const settled = await Promise.all(started.returned.map((r, i) => settle(`graphscale request ${i}`, r)));
  await nextMacrotask();
  assert.equal(unhandled.map(String), [], "graphscale left rejected promises unhandled");
  const calls = new Map<CallCounter, Record<string, number>>();
  for (const counter of counters) calls.set(counter, counter.snapshot());
  return { expected, actual: Object.assign(settled, { contexts: started.contexts }), calls };
}
