// FastRequest: a request for a remembered document (spec/execution.md, FastRequest) skips the request edge's
// general preparation: what a document's plan needs is remembered once per document (its operation, plan,
// limits and compiled output). When FastRun can run the plan, a request is its globals, its steps and one call
// of the compiled output, and whatever that does not finish goes to the general executor with the globals
// computed so far, so no step ever runs twice; any other plan (a list layer, resolver emulation's) goes to the
// general executor with a fresh request state. A request's variables are read by FastVariables; any that need
// graphql-js's coercion, select another plan or exceed the cost limit send it to the general preparation.
// Never used for a request with options of its own (limits, signal, explain, deps), tracing, a mutation or
// JSON text.

import type { DocumentNode, ExecutionResult, GraphQLSchema, VariableDefinitionNode } from "graphql";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import type { RequestState } from "../execution/bucket.js";
import { decidedFastPlan, fastPlanOf, FastRun, type FastPlan } from "../execution/fastRun.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { constraintsHold, planCacheFor, type PlanCacheStats } from "../planning/planCache.js";
import { checkRequestLimits } from "../planning/measureOperation.js";
import { takeFastVariables, variablePlan, type VariablePlan } from "./fastVariables.js";
import { compiledOutputOf, type CompiledOutput } from "../output/compileOutput.js";
import { resolveLimits, type Limits } from "../limits.js";
import { attachedTrace } from "../tracing/tracing.js";
import { newFastRequestState, seedConstants, type ConstantSeed, type GraphscaleExecutionArgs } from "./prepareRequest.js";
import { directPlanOf, directRuns } from "./directRun.js";
import { executeRequest, type RequestFinish } from "./executeRequest.js";
import { initBounds, settleRun, startBounds, type BoundedRun } from "./boundedRun.js";

/** What a document's requests need, remembered by its first request that FastPlanOf admits. */
interface FastEntry {
  readonly schema: GraphQLSchema;
  readonly operationName: string | null;
  /** The operation's variable definitions, or null when it declares none. */
  readonly definitions: readonly VariableDefinitionNode[] | null;
  /** How FastVariables reads them (null: some variable needs graphql-js's coercion, or none is declared). */
  readonly variablePlan: VariablePlan | null;
  readonly plan: OperationPlan;
  /** The plan's FastRun, or null: FastPlanOf does not admit it, and its requests run by ExecuteRequest. */
  readonly fast: FastPlan | null;
  readonly output: CompiledOutput | null;
  /** The schema's limits (resolveLimits with none of the request's own): the plan was checked against them. */
  readonly limits: Limits;
  /** The schema's graphscale options (makeSchema's) the entry was made under: limits, deps, compileOutput. */
  readonly options: unknown;
  readonly stats: PlanCacheStats;
  /** A request's globals, with the plan's constants in place (SeedConstants; FreshGlobals). */
  readonly globals: () => unknown[];
  /** A request's done marks, with the plan's constants marked. */
  readonly done: () => boolean[];
}

/** How many requests took the fast path, and how many of them the general executor finished (a test reads them). */
export const fastRequestCounts = { runs: 0, fellBack: 0 };

/** How many remembered requests of a plan FastRun does not run went straight to ExecuteRequest (a test reads it). */
export const rememberedGeneralRuns = { count: 0 };

/** Whether requests may take the fast path at all (a test turns it off to compare with the general path). */
export const fastRequests = { enabled: true };

/** Per document: its entry, or null when its plan is not one FastRun runs. */
const remembered = new WeakMap<DocumentNode, FastEntry | null>();

/**
 * The document of the last fast request and its entry: a document asked again and again (a server's hot
 * query) skips the WeakMap lookup (about 130 instructions). It keeps that one document and its entry alive.
 */
let lastDocument: DocumentNode | null = null;
let lastEntry: FastEntry | null = null;

/** The caller's finish for a request: what execute makes of a result or an internal error. */
export type FinishOf = (plan: OperationPlan, args: GraphscaleExecutionArgs) => RequestFinish<ExecutionResult>;

/**
 * spec: FastRequest — the response of a request for a document remembered for the fast path (from its
 * second request on), or undefined: the request edge then prepares it as always (and may run it by
 * ExecuteFast).
 */
export function fastRequest(args: GraphscaleExecutionArgs, finishOf: FinishOf): PromiseOrValue<ExecutionResult> | undefined {
  const document = args.document;
  let entry: FastEntry | null | undefined;
  if (document === lastDocument) entry = lastEntry;
  else {
    entry = remembered.get(document);
    if (entry == null) return undefined;
    lastDocument = document;
    lastEntry = entry;
  }
  if (entry == null || !fastRequests.enabled) return undefined;
  const schema = args.schema;
  if (entry.schema !== schema || entry.operationName !== (args.operationName ?? null) || !plainArgs(args)) return undefined;
  // The schema's options are the ones the entry was made under: no dependencies recorded, the compiled output
  // allowed, the limits the plan was checked against.
  if (schema.extensions?.graphscale !== entry.options) return undefined;
  // A fresh object, as graphql-js gives each request: resolvers see it as `info.variableValues`.
  const variableValues = entry.definitions === null ? {} : rememberedVariables(entry, args);
  if (variableValues === null) return undefined;
  entry.stats.hits++;
  const request = newFastRequestState(args, entry.plan, variableValues, entry.limits, entry.globals(), entry.done());
  if (entry.fast === null) return rememberedGeneral(request, finishOf(entry.plan, args));
  return runFast(request, entry.fast, entry.output!, null, finishOf, args);
}

/**
 * A remembered request's variables by FastVariables, or null when the general preparation must read them:
 * they need graphql-js's coercion, the entry's plan does not hold for them (its variable constraints), or
 * the operation's cost for them exceeds the limit (PrepareRequest answers with the limit's error).
 */
function rememberedVariables(entry: FastEntry, args: GraphscaleExecutionArgs): { [name: string]: unknown } | null {
  const values = takeFastVariables(entry.schema, entry.definitions!, entry.variablePlan, args.variableValues ?? {});
  if (values === null || !constraintsHold(entry.plan, values)) return null;
  try {
    checkRequestLimits(entry.plan.shape, values, entry.limits, entry.plan.operation);
  } catch {
    return null;
  }
  return values;
}

/** RememberedGeneral: a remembered request of a plan FastRun does not run, prepared already, run by the general executor. */
function rememberedGeneral(request: RequestState, finish: RequestFinish<ExecutionResult>): PromiseOrValue<ExecutionResult> {
  rememberedGeneralRuns.count++;
  return executeGeneral(request, finish);
}

/**
 * spec: ExecuteFast — a prepared request run by FastRun and the compiled output when its plan admits it
 * (FastPlanOf) and the request needs nothing only the general executor does (tracing, dependencies, a
 * batching executor's step caller, JSON text); else undefined.
 */
export function executeFast(request: RequestState, finish: RequestFinish<ExecutionResult>): PromiseOrValue<ExecutionResult> | undefined {
  if (!fastRequests.enabled || request.trace != null || request.deps != null || !request.compileOutput || request.callStep != null || request.jsonText === true) {
    return undefined;
  }
  const plan = request.plan;
  if (decidedFastPlan(plan) === null) return undefined;
  const output = compiledOutputOf(plan);
  if (output === undefined) return undefined; // the plan's first response (CompiledOutputOf)
  const fast = fastPlanOf(plan, output !== null);
  return fast === null ? undefined : runFast(request, fast, output!, finish, null, null);
}

/**
 * The request's steps by FastRun, then its response by the compiled output, or by the general executor.
 * `finish` null (FastRequest): a clean response is the result as it is (no error to mask, no `explain`), and
 * the finish is made only when something else needs it. A request whose steps all finish in the first pass
 * makes no run and no promise.
 */
function runFast(
  request: RequestState,
  fast: FastPlan,
  output: CompiledOutput,
  finish: RequestFinish<ExecutionResult> | null,
  finishOf: FinishOf | null,
  args: GraphscaleExecutionArgs | null,
): PromiseOrValue<ExecutionResult> {
  fastRequestCounts.runs++;
  let run: FastRequestRun | null;
  try {
    run = fast.run(request, null, fast, makeRun);
  } catch (error) {
    return (finish ?? finishOf!(request.plan, args!)).failed(error);
  }
  if (run !== null) {
    run.firstPassDone();
    if (run.pending > 0) return run.bound(output, finish, finishOf, args);
  }
  const result = fastOutput(request, fast, output);
  if (result === null) return general(request, finish ?? finishOf!(request.plan, args!));
  return finish === null ? result : finish.done(result);
}

/** The run of a request some step of which was not a clean result (made by the generated function). */
function makeRun(request: RequestState, fast: FastPlan): FastRequestRun {
  return new FastRequestRun(request, fast);
}

/**
 * Remembers a document after a request prepared it the general way, when nothing of the request asks for
 * the general preparation: its plan and, when FastPlanOf admits it, the plan's FastRun; else null (once per
 * document).
 */
export function rememberFast(args: GraphscaleExecutionArgs, request: RequestState): void {
  const document = args.document;
  if (remembered.has(document) || !plainArgs(args) || request.trace != null || request.deps != null || !request.compileOutput) return;
  const entry = fastEntryOf(args, request);
  if (entry !== undefined) remembered.set(document, entry);
}

/** Undefined before the plan's first response: the document is remembered on a later request (CompiledOutputOf). */
function fastEntryOf(args: GraphscaleExecutionArgs, request: RequestState): FastEntry | null | undefined {
  const plan = request.plan;
  if (plan.operation.operation !== "query") return null;
  const output = compiledOutputOf(plan);
  // A plan DirectRun runs never reaches its compiled output: it is remembered from its first request on.
  const direct = output === undefined && directRuns.enabled && directPlanOf(plan) !== null;
  if (output === undefined && !direct) return undefined;
  if (request.limits !== resolveLimits(args.schema, undefined)) return null;
  const fast = direct ? null : fastPlanOf(plan, output !== null);
  const fresh = freshGlobals(plan.steps.length, seedConstants(plan));
  if (fresh === null) return null;
  const stats = planCacheFor(args.schema).stats;
  const options = args.schema.extensions?.graphscale;
  const definitions = plan.operation.variableDefinitions?.length ? plan.operation.variableDefinitions : null;
  const variables = definitions === null ? null : variablePlan(args.schema, definitions);
  return { schema: args.schema, operationName: args.operationName ?? null, definitions, variablePlan: variables, plan, fast, output: fast === null ? null : output!, limits: request.limits, options, stats, ...fresh };
}

/**
 * spec: FreshGlobals — a request's globals and done marks made by two functions generated once per plan:
 * arrays of the plan's length with its constants written in, so a request copies no seed arrays (a copy of
 * a holey array is a builtin call; these allocate inline). Null when the runtime refuses `new Function`.
 */
function freshGlobals(length: number, seed: ConstantSeed | null): { globals: () => unknown[]; done: () => boolean[] } | null {
  const values: string[] = [];
  const marks: string[] = [];
  if (seed !== null) {
    for (let id = 0; id < length; id++) {
      if (seed.done[id] !== true) continue;
      values.push(` g[${id}] = C[${id}];`);
      marks.push(` d[${id}] = true;`);
    }
  }
  const n = Number(length);
  try {
    const globals = new Function("C", `"use strict"; return function globals() { const g = new Array(${n});${values.join("")} return g; };`)(seed?.globals ?? []);
    const done = new Function(`"use strict"; return function done() { const d = new Array(${n});${marks.join("")} return d; };`)();
    return { globals, done };
  } catch {
    return null;
  }
}

/** No option of the request's own that the general path must see (variables: an object or absent, read by FastVariables). */
function plainArgs(args: GraphscaleExecutionArgs): boolean {
  const variables = args.variableValues;
  return (
    args.limits === undefined &&
    args.signal == null &&
    !args.explain &&
    args.deps === undefined &&
    args.compileOutput === undefined &&
    (variables == null || typeof variables === "object") &&
    // A trace attached as null: the request's sampler dropped it, so it makes no span the fast path would skip.
    attachedTrace(args) == null
  );
}

/** The response by the compiled output from the request's globals, or null when it gives up (or cannot run). */
function fastOutput(request: RequestState, fast: FastPlan, output: CompiledOutput): ExecutionResult | null {
  if (request.promisedEntries === true) return null;
  try {
    return { data: output(fast.root, request.globals, request.limits.maxResponseEntries - request.entries, 0) };
  } catch {
    return null;
  }
}

/** The general executor finishes the request: the steps done stay done (their globals are in), the rest run. */
function general(request: RequestState, finish: RequestFinish<ExecutionResult>): PromiseOrValue<ExecutionResult> {
  fastRequestCounts.fellBack++;
  return executeGeneral(request, finish);
}

/** ExecuteRequest on a request state; an error thrown before the run went asynchronous is an error result (as executePrepared answers it). */
function executeGeneral(request: RequestState, finish: RequestFinish<ExecutionResult>): PromiseOrValue<ExecutionResult> {
  try {
    return executeRequest(request, finish);
  } catch (error) {
    return finish.failed(error);
  }
}

/**
 * A fast request's run: its steps by FastRun and, once some went asynchronous, its promise, bounded and
 * settled as any asynchronous request's run is (BoundedRun, with the run itself in the deadline list). A
 * clean response of a request with no option of its own (FastRequest) is the result as it is, and the
 * caller's finish is made only when something else needs it.
 */
class FastRequestRun extends FastRun implements BoundedRun {
  // Declared and assigned in the constructor, not class fields: one run is made per asynchronous request.
  declare prev: BoundedRun | null;
  declare next: BoundedRun | null;
  declare deadline: number;
  declare timeoutMs: number;
  declare ended: boolean;
  declare onAbort: (() => void) | null;
  declare resolve: ((value: unknown) => void) | null;
  declare reject: ((error: unknown) => void) | null;
  declare private output: CompiledOutput | null;
  declare private made: RequestFinish<ExecutionResult> | null;
  declare private finishOf: FinishOf | null;
  declare private args: GraphscaleExecutionArgs | null;

  constructor(request: RequestState, fast: FastPlan) {
    super(request, fast);
    initBounds(this);
    this.output = null;
    this.made = null;
    this.finishOf = null;
    this.args = null;
  }

  /** The request's promise; its deadline and the caller's signal are watched from now on. */
  bound(output: CompiledOutput, made: RequestFinish<ExecutionResult> | null, finishOf: FinishOf | null, args: GraphscaleExecutionArgs | null): Promise<ExecutionResult> {
    this.output = output;
    this.made = made;
    this.finishOf = finishOf;
    this.args = args;
    return startBounds<ExecutionResult>(this);
  }

  private finish(): RequestFinish<ExecutionResult> {
    return (this.made ??= this.finishOf!(this.request.plan, this.args!));
  }

  stepsDone(): void {
    const request = this.request;
    if (this.ended || request.abortedBy !== null) return;
    const result = fastOutput(request, this.fast, this.output!);
    if (result !== null) return settleRun(this, result, true);
    // The general executor's own result, finished by this run (its bounds are already watched here).
    fastRequestCounts.fellBack++;
    let out: PromiseOrValue<ExecutionResult>;
    try {
      out = executeRequest(request);
    } catch (error) {
      return this.stepsFailed(error);
    }
    if (!isPromiseLike(out)) return settleRun(this, out, true);
    (out as Promise<ExecutionResult>).then(
      (r) => settleRun(this, r, true),
      (error: unknown) => this.stepsFailed(error),
    );
  }

  stepsFailed(error: unknown): void {
    settleRun(this, error, false);
  }

  /** The caller's finish of the response (`ok`) or of the internal error; a clean response as it is while no finish was made. */
  outcome(outcome: unknown, ok: boolean): ExecutionResult {
    if (!ok) return this.finish().failed(outcome);
    return this.made === null && (outcome as ExecutionResult).errors === undefined ? (outcome as ExecutionResult) : this.finish().done(outcome as ExecutionResult);
  }
}
