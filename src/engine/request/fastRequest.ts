// FastRequest: a request whose plan FastRun can run (spec/execution.md, FastRequest) skips the request edge's
// general preparation and the layer machinery: what a document's plan needs is remembered once per document
// (its operation, plan, limits and compiled output), and a request is its globals, its steps and one call of
// the compiled output. Whatever that does not finish goes to the general executor with the globals computed
// so far, so no step ever runs twice. Never used for a request with options of its own (limits, signal,
// explain, deps), tracing, variables, a mutation or JSON text.

import type { DocumentNode, ExecutionResult, GraphQLSchema } from "graphql";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import type { RequestState } from "../execution/bucket.js";
import { decidedFastPlan, fastPlanOf, FastRun, type FastPlan } from "../execution/fastRun.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { planCacheFor, type PlanCacheStats } from "../planning/planCache.js";
import { compiledOutputOf, type CompiledOutput } from "../output/compileOutput.js";
import { resolveLimits, type Limits } from "../limits.js";
import { attachedTrace } from "../tracing/tracing.js";
import { newFastRequestState, seedConstants, type ConstantSeed, type GraphscaleExecutionArgs } from "./prepareRequest.js";
import { executeRequest, RequestRun, type RequestFinish } from "./executeRequest.js";

/** What a document's requests need, remembered by its first request that FastPlanOf admits. */
interface FastEntry {
  readonly schema: GraphQLSchema;
  readonly operationName: string | null;
  readonly plan: OperationPlan;
  readonly fast: FastPlan;
  readonly output: CompiledOutput;
  /** The schema's limits (resolveLimits with none of the request's own): the plan was checked against them. */
  readonly limits: Limits;
  /** The schema's graphscale options (makeSchema's) the entry was made under: limits, deps, compileOutput. */
  readonly options: unknown;
  readonly stats: PlanCacheStats;
  /** The plan's constants every request starts with (SeedConstants). */
  readonly seed: ConstantSeed | null;
}

/** How many requests took the fast path, and how many of them the general executor finished (a test reads them). */
export const fastRequestCounts = { runs: 0, fellBack: 0 };

/** Whether requests may take the fast path at all (a test turns it off to compare with the general path). */
export const fastRequests = { enabled: true };

/** Per document: its entry, or null when its plan is not one FastRun runs. */
const remembered = new WeakMap<DocumentNode, FastEntry | null>();

/** The caller's finish for a request: what execute makes of a result or an internal error. */
export type FinishOf = (plan: OperationPlan, args: GraphscaleExecutionArgs) => RequestFinish<ExecutionResult>;

/**
 * spec: FastRequest — the response of a request for a document remembered for the fast path (from its
 * second request on), or undefined: the request edge then prepares it as always (and may run it by
 * ExecuteFast).
 */
export function fastRequest(args: GraphscaleExecutionArgs, finishOf: FinishOf): PromiseOrValue<ExecutionResult> | undefined {
  const entry = remembered.get(args.document);
  if (entry == null || !fastRequests.enabled) return undefined;
  const schema = args.schema;
  if (entry.schema !== schema || entry.operationName !== (args.operationName ?? null) || !plainArgs(args)) return undefined;
  // The schema's options are the ones the entry was made under: no dependencies recorded, the compiled output
  // allowed, the limits the plan was checked against.
  if (schema.extensions?.graphscale !== entry.options) return undefined;
  entry.stats.hits++;
  const request = newFastRequestState(args, entry.plan, entry.limits, entry.seed);
  return runFast(request, entry.fast, entry.output, null, finishOf, args);
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
 * the finish is made only when something else needs it.
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
  const run = new FastRequestRun(request, fast, output, finish, finishOf, args);
  try {
    if (run.start()) return run.bound();
  } catch (error) {
    return run.finish().failed(error);
  }
  const result = fastOutput(request, fast, output);
  if (result === null) return general(request, run.finish());
  return finish === null ? result : finish.done(result);
}

/**
 * Remembers a document for the fast path after a request prepared it the general way: its plan when
 * FastPlanOf admits it and nothing of the request asks for the general path, else null (once per document).
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
  if ((plan.operation.variableDefinitions?.length ?? 0) > 0) return null;
  const output = compiledOutputOf(plan);
  if (output === undefined) return undefined;
  const fast = fastPlanOf(plan, output !== null);
  if (fast === null || request.limits !== resolveLimits(args.schema, undefined)) return null;
  const stats = planCacheFor(args.schema).stats;
  const options = args.schema.extensions?.graphscale;
  return { schema: args.schema, operationName: args.operationName ?? null, plan, fast, output: output!, limits: request.limits, options, stats, seed: seedConstants(plan) };
}

/** No option of the request's own that the general path must see (its variables are not read: none are declared). */
function plainArgs(args: GraphscaleExecutionArgs): boolean {
  const variables = args.variableValues;
  return (
    args.limits === undefined &&
    args.signal == null &&
    !args.explain &&
    args.deps === undefined &&
    args.compileOutput === undefined &&
    (variables == null || typeof variables === "object") &&
    attachedTrace(args) === undefined
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
  try {
    return executeRequest(request, finish);
  } catch (error) {
    return finish.failed(error);
  }
}

/**
 * A fast request's run: its steps by FastRun and, once some went asynchronous, its bounds (a RequestRun:
 * the timeout and the caller's signal end it as they end any request). It is the RequestRun's finish too:
 * a clean response of a request with no option of its own (FastRequest) is the result as it is, and the
 * caller's finish is made only when something else needs it.
 */
class FastRequestRun extends FastRun implements RequestFinish<ExecutionResult> {
  // Declared and assigned in the constructor, not class fields: one run is made per request.
  declare private requestRun: RequestRun<ExecutionResult> | null;
  declare private readonly output: CompiledOutput;
  declare private made: RequestFinish<ExecutionResult> | null;
  declare private readonly finishOf: FinishOf | null;
  declare private readonly args: GraphscaleExecutionArgs | null;

  constructor(
    request: RequestState,
    fast: FastPlan,
    output: CompiledOutput,
    made: RequestFinish<ExecutionResult> | null,
    finishOf: FinishOf | null,
    args: GraphscaleExecutionArgs | null,
  ) {
    super(request, fast);
    this.requestRun = null;
    this.output = output;
    this.made = made;
    this.finishOf = finishOf;
    this.args = args;
  }

  finish(): RequestFinish<ExecutionResult> {
    return (this.made ??= this.finishOf!(this.request.plan, this.args!));
  }

  done(result: ExecutionResult): ExecutionResult {
    return this.made === null && result.errors === undefined ? result : this.finish().done(result);
  }

  failed(error: unknown): ExecutionResult {
    return this.finish().failed(error);
  }

  /** The request's promise, bounded as any asynchronous request is. */
  bound(): Promise<ExecutionResult> {
    const run = (this.requestRun = new RequestRun(this.request, null, this));
    return run.start();
  }

  stepsDone(): void {
    const run = this.requestRun!;
    const request = this.request;
    if (request.abortedBy !== null) return;
    const result = fastOutput(request, this.fast, this.output);
    if (result !== null) return run.end(result);
    // The general executor's own result, finished by this run (its bounds are already watched here).
    fastRequestCounts.fellBack++;
    let out: PromiseOrValue<ExecutionResult>;
    try {
      out = executeRequest(request);
    } catch (error) {
      return run.layerFailed(error);
    }
    if (!isPromiseLike(out)) return run.end(out);
    (out as Promise<ExecutionResult>).then(
      (r) => run.end(r),
      (error: unknown) => run.layerFailed(error),
    );
  }

  stepsFailed(error: unknown): void {
    this.requestRun!.layerFailed(error);
  }
}
