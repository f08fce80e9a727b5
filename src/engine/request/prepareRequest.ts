// PrepareRequest: the request edge's one pass before anything runs — graphql-js's argument checks, the
// operation chosen, the variables coerced, the limits in force, then the plan (the plan cache, and on a miss
// its store tier), each once and in that order. Request errors are exactly graphql-js's. Never runs a step.

import { GraphQLError, locatedError, type DocumentNode, type ExecutionArgs, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { generatedCodeAllowed } from "../planning/generatedCode.js";
import { takeFastVariables, variablePlan } from "./fastVariables.js";
import { assertExecutionArguments, coerceVariableValues, thrownWhileCoercing } from "../planning/graphqlAdapter.js";
import { planCacheFor, type CachedOperation } from "../planning/planCache.js";
import { checkRequestLimits } from "../planning/measureOperation.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { ConstantStep } from "../planning/steps/constant.js";
import { loadPlanFromStore } from "../planExport/store.js";
import type { RequestState, StepCaller } from "../execution/bucket.js";
import type { ExplainOption } from "../explain/index.js";
import type { PromiseOrValue } from "../promiseOrValue.js";
import { RequestDeps } from "../deps.js";
import { limitError, resolveLimits, type Limits } from "../limits.js";
import type { ErrorMaskingOptions } from "./maskErrors.js";
import { requestTraceOf, type RequestTrace } from "../tracing/tracing.js";

/** graphql-js's execution arguments plus graphscale's own options. */
export interface GraphscaleExecutionArgs extends ExecutionArgs {
  /** Put the plan in `extensions.explain` (see spec/explain.md). */
  explain?: ExplainOption;
  /** Limits for this request, over the schema's (`makeSchema({ limits })`) and the defaults (spec/limits.md). */
  limits?: Partial<Limits>;
  /** Aborts the request: no new step starts, calls in flight are abandoned, the result is an error. */
  signal?: AbortSignal;
  /** Development only: internal errors (marked by data sources) reach clients as raised. See spec/errors.md. */
  exposeInternalErrors?: boolean;
  /** Receives each masked internal error with the id the client saw (default: console.error). */
  onInternalError?: ErrorMaskingOptions["onInternalError"];
  /** false: build responses with the interpretive output only (no `new Function`); default: the schema's, else true. */
  compileOutput?: boolean;
  /** Put the response's dependencies, per subtree, in `extensions.deps` (default: the schema's `deps`, else false). */
  deps?: boolean;
}

/** How the request runs: its step caller (cross-request batching), JSON text output (executeToJSON). */
export interface PrepareHow {
  readonly callStep?: StepCaller | null;
  readonly jsonText?: boolean;
}

/** A prepared request, or the request errors graphql-js would give (with `data: null` where it gives that). */
export type Prepared = { request: RequestState } | { errors: readonly GraphQLError[]; data?: null };

/** What the request edge has read before it asks for a plan: the operation, its variables, the limits. */
interface Started {
  readonly entry: CachedOperation;
  readonly variableValues: { [name: string]: unknown };
  readonly limits: Limits;
}

/** graphql-js's assertions on the arguments themselves (thrown, not returned, as graphql-js does): graphqlAdapter's. */
export const assertValidExecutionArguments = assertExecutionArguments;

/** spec: PrepareRequest — the plan and coerced variables, or the request errors graphql-js would give. */
export function prepareRequest(args: GraphscaleExecutionArgs, how: PrepareHow = {}): Prepared {
  const started = startRequest(args);
  return "errors" in started ? started : planRequest(args, how, started);
}

/**
 * PrepareRequest with the plan store tier (spec/plan-export.md, LoadPlanFromStore): on a plan-cache miss the
 * store is asked before planning, and the request waits for that within its own bounds (its `timeoutMs` and
 * its signal; a request that ended while waiting answers as BoundRequest ends one). A promise only then.
 * `untilLoaded` (a live query's full run): the wait has no bound of its own but the load's, and then the
 * request is prepared whatever happened meanwhile.
 */
export function prepareRequestWithStore(args: GraphscaleExecutionArgs, how: PrepareHow = {}, untilLoaded = false): PromiseOrValue<Prepared> {
  const started = startRequest(args);
  if ("errors" in started) return started;
  const signal = args.signal ?? null;
  // A signal that aborted before the request started reads nothing: planRequest answers it.
  const loading = signal?.aborted ? null : loadPlanFromStore(args.schema, args.document, started.entry, started.variableValues, started.limits);
  if (loading === null) return planRequest(args, how, started);
  if (untilLoaded) return loading.then(() => planRequest(args, how, started));
  return waitWithinBounds(loading, started.limits.timeoutMs, signal).then((ended) => ended ?? planRequest(args, how, started));
}

/** How many requests PrepareRequest started (a test reads it: a remembered request is not prepared again). */
export const prepareCounts = { prepared: 0 };

/** PrepareRequest's steps 1–3 and the limits: the arguments checked, the operation chosen, the variables coerced. */
function startRequest(args: GraphscaleExecutionArgs): Started | { errors: readonly GraphQLError[] } {
  prepareCounts.prepared++;
  const { schema, document, operationName } = args;
  assertValidExecutionArguments(schema, document, args.variableValues);
  const entry = planCacheFor(schema).operationEntry(document, operationName);
  if (entry instanceof GraphQLError) return { errors: [entry] };
  const operation = entry.chosen!.operation;
  let variableValues: { [name: string]: unknown };
  const definitions = operation.variableDefinitions;
  if (definitions === undefined || definitions.length === 0) {
    // No variables declared: graphql-js coerces to an empty object whatever was passed.
    variableValues = {};
  } else {
    // Built-in scalars given as values of their own type: read as they are (FastVariables); else graphql-js.
    const fast = takeFastVariables(schema, definitions, variablePlan(schema, definitions), args.variableValues ?? {});
    if (fast !== null) variableValues = fast;
    else {
      const coerced = coerceVariableValues(schema, definitions, args.variableValues ?? {}, {
        maxErrors: args.options?.maxCoercionErrors ?? 50,
        hideSuggestions: args.hideSuggestions ?? false,
      });
      if (coerced.errors) return { errors: coerced.errors.map((error) => variableError(error, operation)) };
      variableValues = coerced.coerced;
    }
  }
  return { entry, variableValues, limits: resolveLimits(schema, args.limits) };
}

/** PrepareRequest's steps 4–5: the plan from the plan cache (GetOperationPlan), checked, and the request. */
function planRequest(args: GraphscaleExecutionArgs, how: PrepareHow, started: Started): Prepared {
  const { schema } = args;
  const { entry, variableValues, limits } = started;
  const { operation, fragments } = entry.chosen!;
  let plan: OperationPlan;
  const trace = requestTraceOf(args);
  try {
    const cache = planCacheFor(schema);
    plan =
      trace === null
        ? cache.planIn(entry, schema, operation, fragments, variableValues, limits)
        : trace.tracePlanning(cache.stats, () => cache.planIn(entry, schema, operation, fragments, variableValues, limits), unplannedBranches);
    checkRequestLimits(plan.shape, variableValues, limits, operation);
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === "LIMIT_EXCEEDED") return { errors: [error] };
    // graphql-js reports an operation its schema cannot run as a field-less failure with data null.
    if (error instanceof GraphQLError) return { errors: [error], data: null };
    if (error instanceof RangeError) return { errors: [limitError("The query is nested too deeply to plan; lower its depth.", operation)] };
    // A plan that cannot be built (a step from another operation's plan, a dependency on a sibling layer, a
    // hook returning what it must not): the request fails with that error, as graphql-js fails an operation.
    if (error instanceof Error) return { errors: [locatedError(error, [operation])], data: null };
    throw error;
  }
  if (args.signal?.aborted) return { errors: [new GraphQLError("request aborted", { extensions: { code: "REQUEST_ABORTED" } })], data: null };
  return { request: newRequestState(args, how, plan, variableValues, limits, trace) };
}

/** A request's state as the executor carries it: the plan, the coerced variables, the limits, fresh globals. */
export function newRequestState(
  args: GraphscaleExecutionArgs,
  how: PrepareHow,
  plan: OperationPlan,
  variableValues: { [name: string]: unknown },
  limits: Limits,
  trace: RequestTrace | null,
): RequestState {
  const callStep = how.callStep ?? null;
  const deps = depsWanted(args) ? new RequestDeps() : null;
  const compileOutput = args.compileOutput ?? generatedCodeAllowed(args.schema);
  const seed = seedConstants(plan);
  const globals = seed === null ? new Array(plan.steps.length) : seed.globals.slice();
  return requestState(args, plan, variableValues, limits, globals, seed === null ? [] : seed.done.slice(), compileOutput, deps, how.jsonText ?? false, callStep, trace);
}

/**
 * The state of a request FastRequest runs: its variables coerced by FastVariables (a fresh empty object when
 * none are declared), no dependencies recorded, the compiled output allowed, objects as the result, no step
 * caller, no trace; its globals and their done marks already made (seeded with the plan's constants).
 */
export function newFastRequestState(args: GraphscaleExecutionArgs, plan: OperationPlan, variableValues: { [name: string]: unknown }, limits: Limits, globals: unknown[], globalDone: boolean[]): RequestState {
  return requestState(args, plan, variableValues, limits, globals, globalDone, true, null, false, null, null);
}

/**
 * The one object literal every request state is made by: every request has one object shape, so the
 * executor's reads and writes of it stay monomorphic (a spread copy with a field added made a second).
 */
function requestState(
  args: GraphscaleExecutionArgs,
  plan: OperationPlan,
  variableValues: { [name: string]: unknown },
  limits: Limits,
  globals: unknown[],
  globalDone: boolean[],
  compileOutput: boolean,
  deps: RequestDeps | null,
  jsonText: boolean,
  callStep: StepCaller | null,
  trace: RequestTrace | null,
): RequestState {
  return {
    plan,
    contextValue: args.contextValue,
    rootValue: args.rootValue,
    variableValues,
    limits,
    fieldResolver: args.fieldResolver ?? null,
    typeResolver: args.typeResolver ?? null,
    globals,
    globalDone,
    controller: null,
    callerSignal: args.signal ?? null,
    abortedBy: null,
    entries: 0,
    compileOutput,
    deps,
    // Every field a request may get is there from the start.
    jsonText,
    callStep,
    promisedEntries: undefined,
    walkedLists: undefined,
    batch: callStep === null ? null : { root: null, finisher: null, adoptable: true, running: 0, merged: null },
    merged: null,
    trace,
  };
}

/**
 * The wait for a plan store load, within the request's bounds: null once the load is done, or the errors a
 * timed-out or aborted request gives (as BoundRequest ends a request) when it ends first. The load goes on.
 */
function waitWithinBounds(loading: Promise<unknown>, timeoutMs: number | null, signal: AbortSignal | null): Promise<Prepared | null> {
  if (timeoutMs === null && !signal) return loading.then(() => null);
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const settle = (ended: Prepared | null): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(ended);
    };
    const onAbort = (): void => settle(endedResult("request aborted", "REQUEST_ABORTED"));
    if (timeoutMs !== null) timer = setTimeout(() => settle(endedResult(`timed out after ${timeoutMs} ms`, "REQUEST_TIMEOUT")), timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    loading.then(() => settle(null));
  });
}

/** What a request that ended while it waited for the store answers: as BoundRequest ends a request. */
function endedResult(message: string, code: string): Prepared {
  return { errors: [new GraphQLError(message, { extensions: { code } })], data: null };
}

/**
 * A variable coercion error as the client gets it: graphql-js's own GraphQLErrors unchanged; what its
 * recursion threw (a RangeError for a value nested too deeply) as an error with a message, never `{}`.
 */
function variableError(coercionError: GraphQLError, operation: OperationDefinitionNode): GraphQLError {
  const error = thrownWhileCoercing(coercionError);
  if (error instanceof GraphQLError) return error;
  if ((error as unknown) instanceof RangeError) return limitError("A variable's value is nested too deeply to read; lower its depth.", operation);
  return new GraphQLError(`The variables could not be read: ${String((error as Error | undefined)?.message ?? error)}`, { nodes: operation });
}

/** A plan's constants as a request starts with them: values in place and marked done. */
export interface ConstantSeed {
  readonly globals: unknown[];
  readonly done: boolean[];
}

const constantSeeds = new WeakMap<OperationPlan, ConstantSeed | null>();

/**
 * spec: SeedConstants — the values of a plan's global constant steps are known when planning: every request
 * starts with them in its globals, done, so no request runs them (a branch planned later runs its own).
 */
export function seedConstants(plan: OperationPlan): ConstantSeed | null {
  let seed = constantSeeds.get(plan);
  if (seed !== undefined) return seed;
  const globals = new Array<unknown>(plan.steps.length);
  const done: boolean[] = [];
  let any = false;
  for (const step of plan.steps) {
    if (!(step instanceof ConstantStep) || !step.isGlobal) continue;
    globals[step.id] = step.value;
    done[step.id] = true;
    any = true;
  }
  seed = any ? { globals, done } : null;
  constantSeeds.set(plan, seed);
  return seed;
}

export function depsWanted(args: GraphscaleExecutionArgs): boolean {
  return args.deps ?? (args.schema.extensions?.graphscale as { deps?: boolean } | undefined)?.deps ?? false;
}

/** How many concrete-type branches of abstract positions a plan leaves to be planned as their types arrive. */
function unplannedBranches(plan: OperationPlan): number {
  let count = 0;
  for (const layer of plan.layers) for (const value of plan.unplannedBranchesIn(layer) ?? []) count += value.branches?.unplanned.length ?? 0;
  return count;
}
