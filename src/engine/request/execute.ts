// request/: the request edge: operation, variables, limits, plan, run, errors masked (spec/plan-cache.md).
// execute / graphql: graphql-js's entry points with graphql-js's argument objects and result shapes, so
// graphscale drops into anything that accepts an `execute` function. Request errors (bad document,
// unknown operation, variable coercion) are exactly graphql-js's; fields run through the cached plan.

import {
  GraphQLError,
  isSchema,
  parse,
  validate,
  validateSchema,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLArgs,
  type GraphQLSchema,
} from "graphql";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import type { RequestState, StepCaller } from "../execution/bucket.js";
import { RawJSON } from "../output/buildResponse.js";
import { addExplain } from "../explain/index.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { RequestDeps, attachToContext, detachFromContext } from "../deps.js";
import { limitError, resolveLimits } from "../limits.js";
import { prepareRequestWithStore, type GraphscaleExecutionArgs, type Prepared } from "./prepareRequest.js";
import { executeRequest, type RequestFinish } from "./executeRequest.js";
import { executeFast, fastRequest, rememberFast, type FinishOf } from "./fastRequest.js";
import { maskErrors, toGraphQLError } from "./maskErrors.js";
import { sourceDepth } from "./sourceDepth.js";
import { LruMap } from "../planning/lruMap.js";
import { UNEXPECTED_MULTIPLE_PAYLOADS } from "../planning/deferUsage.js";
import { attachedTrace, describeRequest, traceEntry, tracedOperation, tracerFor, withTrace, type RequestTrace } from "../tracing/tracing.js";

/**
 * Executes an operation as graphql-js's `execute` does: same arguments, same result shape. Returns a
 * plain result (not a promise) when no step of the plan was asynchronous.
 */
export function execute(args: GraphscaleExecutionArgs): PromiseOrValue<ExecutionResult> {
  const tracer = attachedTrace(args) === undefined ? tracerFor(args.schema) : null;
  if (tracer !== null) return traceEntry(tracer, args, execute);
  const fast = fastRequest(args, resultFinish);
  if (fast !== undefined) return fast;
  // With a plan store, a plan-cache miss first asks the store (asynchronously) within the request's bounds.
  const prepared = prepareRequestWithStore(args);
  return isPromiseLike(prepared) ? prepared.then((p) => executePrepared(p, args)) : executePrepared(prepared, args);
}

/**
 * execute with a step caller: the cross-request batching executor's entry (src/engine/batching/). The
 * request runs exactly as execute runs it, except that each step's `execute` goes through `callStep`.
 */
export function executeWithStepCaller(args: GraphscaleExecutionArgs, callStep: StepCaller): PromiseOrValue<ExecutionResult> {
  const prepared = prepareRequestWithStore(args, { callStep });
  return isPromiseLike(prepared) ? prepared.then((p) => executePrepared(p, args)) : executePrepared(prepared, args);
}

function executePrepared(prepared: Prepared, args: GraphscaleExecutionArgs): PromiseOrValue<ExecutionResult> {
  if ("errors" in prepared) return prepared.data === null ? { errors: prepared.errors, data: null } : { errors: prepared.errors };
  const request = prepared.request;
  // graphql 17's execute refuses what would be delivered in several payloads (spec/incremental.md).
  if (request.plan.incremental) throw new Error(UNEXPECTED_MULTIPLE_PAYLOADS);
  const deps = request.deps ?? null;
  if (deps !== null) return executeWithDeps(request, deps, args);
  rememberFast(args, request);
  const finish = new ResultFinish(request.plan, args);
  const fast = executeFast(request, finish);
  if (fast !== undefined) return fast;
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

const resultFinish: FinishOf = (plan, args) => new ResultFinish(plan, args);

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
  const tracer = attachedTrace(args) === undefined ? tracerFor(args.schema) : null;
  if (tracer !== null) return traceEntry(tracer, args, executeToJSON);
  // The plan store is asked on a plan-cache miss, as under execute.
  const prepared = prepareRequestWithStore(args, { jsonText: true });
  return isPromiseLike(prepared) ? prepared.then((p) => executePreparedToJSON(p, args)) : executePreparedToJSON(prepared, args);
}

function executePreparedToJSON(prepared: Prepared, args: GraphscaleExecutionArgs): PromiseOrValue<string> {
  if ("errors" in prepared) return JSON.stringify(prepared.data === null ? { errors: prepared.errors, data: null } : { errors: prepared.errors });
  const request = prepared.request;
  // graphql 17's execute refuses what would be delivered in several payloads (spec/incremental.md).
  if (request.plan.incremental) throw new Error(UNEXPECTED_MULTIPLE_PAYLOADS);
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
const documents = new WeakMap<GraphQLSchema, LruMap<string, { document: DocumentNode } | { errors: readonly GraphQLError[] }>>();

function parseAndValidate(
  schema: GraphQLSchema,
  source: GraphQLArgs["source"],
  hideSuggestions: boolean,
  maxSourceDepth: number,
  trace: RequestTrace | undefined,
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
    document = trace === undefined ? parse(source) : trace.phase("graphql.parse", () => parse(source));
  } catch (error) {
    return error instanceof RangeError ? tooDeep() : { errors: [error as GraphQLError] };
  }
  try {
    const check = (): readonly GraphQLError[] => validate(schema, document, undefined, { hideSuggestions } as never);
    const errors = trace === undefined ? check() : trace.phase("graphql.validate", check);
    outcome = errors.length > 0 ? { errors } : { document };
  } catch (error) {
    // Anything else a validation rule throws is thrown, as graphql-js's `graphql` lets it through.
    if (error instanceof RangeError) return tooDeep();
    throw error;
  }
  if (text !== null && !hideSuggestions) {
    if (cache === undefined) documents.set(schema, (cache = new LruMap(500)));
    cache.set(text, outcome);
  }
  return outcome;
}

/** graphql-js's `graphql` arguments plus graphscale's own options (limits, signal, explain). */
export type GraphscaleArgs = GraphQLArgs & Pick<GraphscaleExecutionArgs, "limits" | "signal" | "explain" | "exposeInternalErrors" | "onInternalError" | "compileOutput" | "deps">;

function graphqlImpl(args: GraphscaleArgs): PromiseOrValue<ExecutionResult> {
  const attached = attachedTrace(args);
  const tracer = attached === undefined && isSchema(args.schema) ? tracerFor(args.schema) : null;
  if (tracer !== null) return traceEntry(tracer, args as GraphscaleArgs & { document?: undefined }, graphqlImpl);
  const trace = attached ?? undefined;
  const { schema, source, rootValue, contextValue, variableValues, operationName, fieldResolver, typeResolver, limits, signal, explain } = args;
  const { exposeInternalErrors, onInternalError, compileOutput, deps } = args;
  const schemaErrors = validateSchema(schema);
  if (schemaErrors.length > 0) return { errors: schemaErrors };
  // Text nested past twice the depth limit (arguments and lists nest too) never reaches the recursive parser.
  const maxSourceDepth = Math.max(2 * resolveLimits(schema, limits).maxDepth, 64);
  const parsed = parseAndValidate(schema, source, Boolean((args as { hideSuggestions?: boolean }).hideSuggestions), maxSourceDepth, trace);
  if ("errors" in parsed) return { errors: parsed.errors };
  const operation = trace === undefined ? null : tracedOperation(parsed.document, operationName);
  if (operation !== null) describeRequest(trace!, operation);
  const executeArgs = {
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
  } as GraphscaleExecutionArgs;
  return execute(attached === undefined ? executeArgs : withTrace(executeArgs, attached));
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
