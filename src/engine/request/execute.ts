// request/: the request edge: operation, variables, limits, plan, run, errors masked (spec/plan-cache.md).
// execute / graphql: graphql-js's entry points with graphql-js's argument objects and result shapes, so
// graphscale drops into anything that accepts an `execute` function. Request errors (bad document,
// unknown operation, variable coercion) are exactly graphql-js's; fields run through the cached plan.

import { generatedCodeAllowed } from "../planning/generatedCode.js";
import { fastVariables } from "../planning/fastCoercion.js";
import {
  GraphQLError,
  assertValidSchema,
  getVariableValues,
  locatedError,
  isSchema,
  parse,
  validate,
  validateSchema,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLArgs,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { LRUCache } from "lru-cache";
import { planCacheFor } from "../planning/planCache.js";
import { loadPlanFromStore } from "../planExport/store.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import type { RequestState, StepCaller } from "../execution/bucket.js";
import { executeRequest, type RequestFinish } from "./executeRequest.js";
import { RawJSON } from "../output/buildResponse.js";
import { addExplain, type ExplainOption } from "../explain/index.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { ConstantStep } from "../planning/steps/constant.js";
import { maskErrors, toGraphQLError, type ErrorMaskingOptions } from "./maskErrors.js";
import { RequestDeps, attachToContext, detachFromContext } from "../deps.js";
import { limitError, resolveLimits, type Limits } from "../limits.js";
import { checkRequestLimits } from "../planning/measureOperation.js";
import { sourceDepth } from "./sourceDepth.js";

/** graphql-js's assertions on the arguments themselves (thrown, not returned, as graphql-js does). */
function assertValidExecutionArguments(schema: GraphQLSchema, document: DocumentNode, variableValues: unknown): void {
  if (!document) throw new Error("Must provide document.");
  assertValidSchema(schema);
  // Object-like, as graphql-js asks: an array passes (its named variables are simply not given).
  if (variableValues != null && typeof variableValues !== "object") {
    throw new Error(
      "Variables must be provided as an Object where each property is a variable value. Perhaps look to see if an unparsed JSON string was provided.",
    );
  }
}

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

/** Whether responses are built by compiled output unless a request says otherwise (see generatedCode.ts). */
function compileOutputDefault(schema: GraphQLSchema): boolean {
  return generatedCodeAllowed(schema);
}

/** spec: PrepareRequest — the plan and coerced variables, or the request errors graphql-js would give. */
export function prepareRequest(
  args: GraphscaleExecutionArgs,
  /** How the request runs: its step caller (cross-request batching), JSON text output (executeToJSON). */
  how: { readonly callStep?: StepCaller | null; readonly jsonText?: boolean } = {},
): { request: RequestState } | { errors: readonly GraphQLError[]; data?: null } {
  const { schema, document, operationName, rootValue, contextValue, fieldResolver, typeResolver } = args;
  assertValidExecutionArguments(schema, document, args.variableValues);
  const cache = planCacheFor(schema);
  const entry = cache.operationEntry(document, operationName);
  if (entry instanceof GraphQLError) return { errors: [entry] };
  const { operation, fragments } = entry.chosen!;
  let variableValues: { [name: string]: unknown };
  const definitions = operation.variableDefinitions;
  if (definitions === undefined || definitions.length === 0) {
    // No variables declared: graphql-js coerces to an empty object whatever was passed.
    variableValues = {};
  } else {
    // Built-in scalars given as values of their own type: read as they are (FastVariables); else graphql-js.
    const fast = fastVariables(schema, definitions, args.variableValues ?? {});
    if (fast !== null) {
      variableValues = fast;
    } else {
      const coerced = getVariableValues(schema, definitions, args.variableValues ?? {}, {
        maxErrors: args.options?.maxCoercionErrors ?? 50,
        hideSuggestions: args.hideSuggestions ?? false,
      } as { maxErrors: number });
      if (coerced.errors) return { errors: coerced.errors.map((error) => variableError(error, operation)) };
      variableValues = coerced.coerced;
    }
  }
  const limits = resolveLimits(schema, args.limits);
  let plan: OperationPlan;
  try {
    plan = cache.planIn(entry, schema, operation, fragments, variableValues, limits);
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
  const signal = args.signal ?? null;
  const seed = seedConstants(plan);
  if (signal?.aborted) return { errors: [new GraphQLError("request aborted", { extensions: { code: "REQUEST_ABORTED" } })], data: null };
  return {
    request: {
      plan,
      contextValue,
      rootValue,
      variableValues,
      limits,
      fieldResolver: fieldResolver ?? null,
      typeResolver: typeResolver ?? null,
      globals: seed === null ? new Array(plan.steps.length) : seed.globals.slice(),
      globalDone: seed === null ? [] : seed.done.slice(),
      controller: null,
      callerSignal: signal,
      abortedBy: null,
      entries: 0,
      compileOutput: args.compileOutput ?? compileOutputDefault(schema),
      deps: depsWanted(args) ? new RequestDeps() : null,
      // Every field a request may get is there from the start: every request has one object shape, so the
      // executor's reads and writes of them stay monomorphic (a spread copy with a field added made a second).
      jsonText: how.jsonText ?? false,
      callStep: how.callStep ?? null,
      promisedEntries: undefined,
      walkedLists: undefined,
      batch: how.callStep == null ? null : { root: null, finisher: null, adoptable: true, running: 0, merged: null },
      merged: null,
    },
  };
}

/**
 * A variable coercion error as the client gets it: graphql-js's own GraphQLErrors unchanged; what its
 * recursion threw (a RangeError for a value nested too deeply) as an error with a message, never `{}`.
 */
function variableError(error: GraphQLError, operation: OperationDefinitionNode): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if ((error as unknown) instanceof RangeError) return limitError("A variable's value is nested too deeply to read; lower its depth.", operation);
  return new GraphQLError(`The variables could not be read: ${String((error as Error | undefined)?.message ?? error)}`, { nodes: operation });
}

/** A plan's constants as a request starts with them: values in place and marked done. */
interface ConstantSeed {
  readonly globals: unknown[];
  readonly done: boolean[];
}

const constantSeeds = new WeakMap<OperationPlan, ConstantSeed | null>();

/**
 * spec: SeedConstants — the values of a plan's global constant steps are known when planning: every request
 * starts with them in its globals, done, so no request runs them (a branch planned later runs its own).
 */
function seedConstants(plan: OperationPlan): ConstantSeed | null {
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

function depsWanted(args: GraphscaleExecutionArgs): boolean {
  return args.deps ?? (args.schema.extensions?.graphscale as { deps?: boolean } | undefined)?.deps ?? false;
}

/**
 * Executes an operation as graphql-js's `execute` does: same arguments, same result shape. Returns a
 * plain result (not a promise) when no step of the plan was asynchronous.
 */
export function execute(args: GraphscaleExecutionArgs): PromiseOrValue<ExecutionResult> {
  // Arguments graphql-js refuses are refused with its messages before anything reads the schema.
  if (!isSchema(args.schema) || !args.document) assertValidExecutionArguments(args.schema, args.document, args.variableValues);
  // With a plan store, a plan-cache miss first asks the store (asynchronously); the request then hits the cache.
  // The wait is bounded by the request's timeout and signal; a request that ended while waiting answers as such.
  const loading = loadPlanFromStore(args.schema, args.document, args.operationName, args.variableValues, args.limits, args.signal);
  if (loading !== null) return loading.then((ended) => ended ?? executePrepared(args));
  return executePrepared(args);
}

/**
 * execute with a step caller: the cross-request batching executor's entry (src/engine/batching/). The
 * request runs exactly as execute runs it, except that each step's `execute` goes through `callStep`.
 */
export function executeWithStepCaller(args: GraphscaleExecutionArgs, callStep: StepCaller): PromiseOrValue<ExecutionResult> {
  const loading = loadPlanFromStore(args.schema, args.document, args.operationName, args.variableValues, args.limits, args.signal);
  if (loading !== null) return loading.then((ended) => ended ?? executePrepared(args, callStep));
  return executePrepared(args, callStep);
}

function executePrepared(args: GraphscaleExecutionArgs, callStep: StepCaller | null = null): PromiseOrValue<ExecutionResult> {
  const prepared = prepareRequest(args, { callStep });
  if ("errors" in prepared) return prepared.data === null ? { errors: prepared.errors, data: null } : { errors: prepared.errors };
  const request = prepared.request;
  const deps = request.deps ?? null;
  if (deps !== null) return executeWithDeps(request, deps, args);
  const finish = new ResultFinish(request.plan, args);
  try {
    return executeRequest(request, finish);
  } catch (error) {
    // Thrown before the run went asynchronous (a branch planned as its type arrives and failing): an error result.
    return finish.failed(error);
  }
}

/**
 * The result as the client gets it, made in the callback that completes the request (no hop of its own):
 * a failed run becomes an error result, and either is finished the same way.
 */
export class ResultFinish implements RequestFinish<ExecutionResult> {
  constructor(
    private readonly plan: OperationPlan,
    private readonly args: GraphscaleExecutionArgs,
  ) {}

  done(result: ExecutionResult): ExecutionResult {
    return finishResult(result, this.plan, this.args);
  }

  failed(error: unknown): ExecutionResult {
    return finishResult({ errors: [toGraphQLError(error)], data: null }, this.plan, this.args);
  }
}

/** execute with deps: the result gets `extensions.deps` once the versions read beside the data are in. */
function executeWithDeps(request: RequestState, deps: RequestDeps, args: GraphscaleExecutionArgs): PromiseOrValue<ExecutionResult> {
  attachToContext(request.contextValue, deps);
  const finish = new DepsFinish(request, deps, args);
  try {
    return executeRequest<PromiseOrValue<ExecutionResult>>(request, finish) as PromiseOrValue<ExecutionResult>;
  } catch (error) {
    return finish.failed(error);
  }
}

/**
 * A deps request's result, made in the callback that completes it (no hop of its own, like ResultFinish):
 * the context is let go, and the result finished with `extensions.deps` at once when every version is
 * in (always, on the memory backend), else when they are.
 */
class DepsFinish implements RequestFinish<PromiseOrValue<ExecutionResult>> {
  constructor(
    private readonly request: RequestState,
    private readonly deps: RequestDeps,
    private readonly args: GraphscaleExecutionArgs,
  ) {}

  done(result: ExecutionResult): PromiseOrValue<ExecutionResult> {
    detachFromContext(this.request.contextValue, this.deps);
    const settled = this.deps.settled();
    return settled === null ? this.withDeps(result) : settled.then(() => this.withDeps(result));
  }

  failed(error: unknown): PromiseOrValue<ExecutionResult> {
    return this.done({ errors: [toGraphQLError(error)], data: null });
  }

  private withDeps(result: ExecutionResult): ExecutionResult {
    const finished = finishResult(result, this.request.plan, this.args);
    return { ...finished, extensions: { ...finished.extensions, deps: this.deps.toJSON() } };
  }
}

/** The result as the client gets it: internal errors masked, and the plan when `explain` asks for it. */
function finishResult(result: ExecutionResult, plan: OperationPlan, args: GraphscaleExecutionArgs): ExecutionResult {
  const masked = result.errors === undefined ? result : maskErrors(result, args);
  // `explain: true` adds the plan as `extensions.explain` ({ json, mermaid }); see spec/explain.md.
  return args.explain ? addExplain(masked, plan, args.explain) : masked;
}

/**
 * spec: ExecuteToJSON — like execute, but the result as JSON text (what `JSON.stringify(result)` gives), for
 * servers that send text anyway: a clean response is written straight from the layers by the compiled
 * output, with no object tree in between; anything else is built as objects and stringified.
 */
export function executeToJSON(args: GraphscaleExecutionArgs): PromiseOrValue<string> {
  if (!isSchema(args.schema) || !args.document) assertValidExecutionArguments(args.schema, args.document, args.variableValues);
  // The plan store is asked on a plan-cache miss, as under execute.
  const loading = loadPlanFromStore(args.schema, args.document, args.operationName, args.variableValues, args.limits, args.signal);
  if (loading !== null) return loading.then((ended) => (ended !== null ? JSON.stringify(ended) : executePreparedToJSON(args)));
  return executePreparedToJSON(args);
}

function executePreparedToJSON(args: GraphscaleExecutionArgs): PromiseOrValue<string> {
  const prepared = prepareRequest(args, { jsonText: true });
  if ("errors" in prepared) return JSON.stringify(prepared.data === null ? { errors: prepared.errors, data: null } : { errors: prepared.errors });
  const request = prepared.request;
  const deps = request.deps ?? null;
  if (deps !== null) {
    // The result with extensions.deps, as execute gives it, as text.
    const result = executeWithDeps(request, deps, args);
    return isPromiseLike(result) ? result.then(jsonOf) : jsonOf(result);
  }
  const finish: RequestFinish<string> = {
    done: (result) => resultText(result, request.plan, args),
    failed: (error) => JSON.stringify(finishResult({ errors: [toGraphQLError(error)], data: null }, request.plan, args)),
  };
  try {
    return executeRequest(request, finish);
  } catch (error) {
    return finish.failed(error);
  }
}

/** A finished result as JSON text: data the compiled output wrote as text is read back into it. */
function jsonOf(result: ExecutionResult): string {
  const data = result.data as unknown;
  return JSON.stringify(data instanceof RawJSON ? { ...result, data: JSON.parse(data.text) as Record<string, unknown> } : result);
}

function resultText(result: ExecutionResult, plan: OperationPlan, args: GraphscaleExecutionArgs): string {
  const data = result.data as unknown;
  if (data instanceof RawJSON && result.errors === undefined && !args.explain) return `{"data":${data.text}}`;
  if (data instanceof RawJSON) result = { ...result, data: JSON.parse(data.text) as Record<string, unknown> };
  return JSON.stringify(finishResult(result, plan, args));
}

/** Like graphql-js's executeSync: throws if execution did not complete synchronously. */
export function executeSync(args: GraphscaleExecutionArgs): ExecutionResult {
  const result = execute(args);
  if (isPromiseLike(result)) throw new Error("GraphQL execution failed to complete synchronously.");
  return result;
}

/** Parsed and validated documents per schema, by source text: a repeated query skips both. */
const documents = new WeakMap<GraphQLSchema, LRUCache<string, { document: DocumentNode } | { errors: readonly GraphQLError[] }>>();

function parseAndValidate(
  schema: GraphQLSchema,
  source: GraphQLArgs["source"],
  hideSuggestions: boolean,
  maxSourceDepth: number,
): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
  const text = typeof source === "string" ? source : null;
  let cache = documents.get(schema);
  if (text !== null && cache !== undefined) {
    const hit = cache.get(text);
    // A copy of a cached error list: callers may add to or filter the errors they get, as graphql-js's are theirs.
    if (hit !== undefined && !hideSuggestions) return "errors" in hit ? { errors: hit.errors.slice() } : hit;
  }
  let outcome: { document: DocumentNode } | { errors: readonly GraphQLError[] };
  // Anything but text or a Source reaches graphql-js's parser, whose error is the result (as under graphql-js).
  const body: unknown = typeof source === "string" ? source : (source as { body?: unknown } | null | undefined)?.body;
  const depth = typeof body === "string" ? sourceDepth(body) : 0;
  if (depth > maxSourceDepth) {
    return { errors: [limitError(`The query text is nested ${depth} levels deep; the limit is ${maxSourceDepth} (raise maxDepth to allow more).`)] };
  }
  // graphql-js's parser and validation recurse: text nested past the stack is a limit error, with a message.
  const tooDeep = (): { errors: readonly GraphQLError[] } => ({ errors: [limitError("The query is nested too deeply to parse; lower its depth.")] });
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (error) {
    return error instanceof RangeError ? tooDeep() : { errors: [error as GraphQLError] };
  }
  try {
    const errors = validate(schema, document, undefined, { hideSuggestions } as never);
    outcome = errors.length > 0 ? { errors } : { document };
  } catch (error) {
    // Anything else a validation rule throws is thrown, as graphql-js's `graphql` lets it through.
    if (error instanceof RangeError) return tooDeep();
    throw error;
  }
  if (text !== null && !hideSuggestions) {
    if (cache === undefined) documents.set(schema, (cache = new LRUCache({ max: 500 })));
    cache.set(text, outcome);
  }
  return outcome;
}

/** graphql-js's `graphql` arguments plus graphscale's own options (limits, signal, explain). */
export type GraphscaleArgs = GraphQLArgs & Pick<GraphscaleExecutionArgs, "limits" | "signal" | "explain" | "exposeInternalErrors" | "onInternalError" | "compileOutput" | "deps">;

function graphqlImpl(args: GraphscaleArgs): PromiseOrValue<ExecutionResult> {
  const { schema, source, rootValue, contextValue, variableValues, operationName, fieldResolver, typeResolver, limits, signal, explain } = args;
  const { exposeInternalErrors, onInternalError, compileOutput, deps } = args;
  const schemaErrors = validateSchema(schema);
  if (schemaErrors.length > 0) return { errors: schemaErrors };
  // Text nested past twice the depth limit (arguments and lists nest too) never reaches the recursive parser.
  const maxSourceDepth = Math.max(2 * resolveLimits(schema, limits).maxDepth, 64);
  const parsed = parseAndValidate(schema, source, Boolean((args as { hideSuggestions?: boolean }).hideSuggestions), maxSourceDepth);
  if ("errors" in parsed) return { errors: parsed.errors };
  return execute({
    schema,
    document: parsed.document,
    rootValue,
    contextValue,
    variableValues,
    operationName,
    fieldResolver,
    typeResolver,
    limits,
    signal,
    explain,
    exposeInternalErrors,
    onInternalError,
    compileOutput,
    deps,
    hideSuggestions: (args as { hideSuggestions?: boolean }).hideSuggestions,
  } as GraphscaleExecutionArgs);
}

/** graphql-js's `graphql`: parse, validate and execute; always a promise, as graphql-js's is. */
export function graphql(args: GraphscaleArgs): Promise<ExecutionResult> {
  return new Promise((resolve) => resolve(graphqlImpl(args)));
}

/** graphql-js's `graphqlSync`: throws if execution did not complete synchronously. */
export function graphqlSync(args: GraphscaleArgs): ExecutionResult {
  const result = graphqlImpl(args);
  if (isPromiseLike(result)) throw new Error("GraphQL execution failed to complete synchronously.");
  return result;
}
