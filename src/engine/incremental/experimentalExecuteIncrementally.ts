// incremental/: @defer and @stream delivered as graphql-js 17 delivers them (spec/incremental.md).
// experimentalExecuteIncrementally: graphql-js 17's entry of that name, over the plan. The initial payload
// is built without the deferred layers (they never run beside their siblings); then each wave of deferred
// tasks runs its layers for all entries at once. An operation without either directive runs as `execute`
// runs it: nothing here is reached per request.

import { GraphQLError, type ExecutionResult } from "graphql";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { GRAPHQL_MAJOR } from "../planning/graphqlAdapter.js";
import { newRootBucket, type Bucket, type RequestState, type ResponseData } from "../execution/bucket.js";
import { executeLayer } from "../execution/executeLayer.js";
import { buildResponse } from "../output/buildResponse.js";
import { prepareRequestWithStore, type GraphscaleExecutionArgs, type Prepared } from "../request/prepareRequest.js";
import { executeRequest } from "../request/executeRequest.js";
import { maskErrors, toGraphQLError } from "../request/maskErrors.js";
import { discoverWork, noWork, takeStreamErrors } from "./discoverWork.js";
import { IncrementalQueue, type PendingResult, type SubsequentResult } from "./workQueue.js";
import { deliverStream, runWave } from "./runTasks.js";

/** graphql-js 17's initial payload of an operation that delivers incrementally. */
export interface InitialIncrementalExecutionResult {
  data: Record<string, unknown>;
  errors?: readonly GraphQLError[];
  pending: readonly PendingResult[];
  hasNext: true;
}

/** graphql-js 17's result of an operation that delivers incrementally. */
export interface ExperimentalIncrementalExecutionResults {
  initialResult: InitialIncrementalExecutionResult;
  subsequentResults: AsyncGenerator<SubsequentResult, void, void>;
}

/**
 * spec: ExperimentalExecuteIncrementally — graphql-js 17's `experimentalExecuteIncrementally`: a plain
 * result when nothing is deferred or streamed (or the directives' `if:` is false), else the initial
 * payload with what is pending, and the later payloads.
 */
export function experimentalExecuteIncrementally(
  args: GraphscaleExecutionArgs,
): PromiseOrValue<ExecutionResult | ExperimentalIncrementalExecutionResults> {
  if (GRAPHQL_MAJOR < 17) {
    throw new Error("graphscale: experimentalExecuteIncrementally needs graphql 17 (graphql 16 has no @defer or @stream); use execute.");
  }
  // The interpretive output: incremental delivery reads every bucket on the way to a deferred fragment.
  const prepared = prepareRequestWithStore({ ...args, compileOutput: false });
  return isPromiseLike(prepared) ? prepared.then((p) => runPrepared(p, args)) : runPrepared(prepared, args);
}

function runPrepared(prepared: Prepared, args: GraphscaleExecutionArgs): PromiseOrValue<ExecutionResult | ExperimentalIncrementalExecutionResults> {
  if ("errors" in prepared) return prepared.data === null ? { errors: prepared.errors, data: null } : { errors: prepared.errors };
  const request = prepared.request;
  // Internal errors reach the client masked, in every payload, as execute masks them (spec/errors.md).
  const mask = (result: ExecutionResult): ExecutionResult => (result.errors === undefined ? result : maskErrors(result, args));
  if (!request.plan.incremental) {
    const result = executeRequest(request);
    return isPromiseLike(result) ? result.then(mask, failed) : mask(result);
  }
  if (request.plan.operation.operation !== "query") {
    const message = `graphscale: @defer and @stream are delivered for queries only; this ${request.plan.operation.operation} uses them (set their if: argument to false).`;
    return { errors: [new GraphQLError(message)], data: null };
  }
  try {
    const root = newRootBucket(request);
    const done = executeLayer(request, root);
    const build = (): PromiseOrValue<ExecutionResult | ExperimentalIncrementalExecutionResults> => {
      const built = buildResponse(request, root);
      return isPromiseLike(built) ? built.then((b) => initialResult(request, root, b, mask)) : initialResult(request, root, built, mask);
    };
    if (done === undefined) return build();
    return done.then(build, failed);
  } catch (error) {
    return failed(error);
  }
}

function failed(error: unknown): ExecutionResult {
  return { errors: [toGraphQLError(error)], data: null };
}

/** spec: InitialResult — the initial payload: the data without deferred fields and cut streams, and what is pending. */
function initialResult(request: RequestState, root: Bucket, built: ResponseData, mask: (result: ExecutionResult) => ExecutionResult): ExecutionResult | ExperimentalIncrementalExecutionResults {
  const data = built.data as Record<string, unknown> | null;
  if (data == null) return mask(built as ExecutionResult);
  const work = noWork();
  discoverWork(request.plan.root, root, 0, data, undefined, [], new Map(), work);
  const errors = mask({ errors: takeStreamErrors(built.errors ?? [], work.streams) }).errors!;
  const queue = new IncrementalQueue();
  const pending = queue.start(work);
  if (pending.length === 0) return errors.length > 0 ? { errors, data } : { data };
  const initial = errors.length > 0 ? { errors, data, pending, hasNext: true as const } : { data, pending, hasNext: true as const };
  return { initialResult: initial, subsequentResults: subsequentResults(request, queue, mask) };
}

/**
 * spec: SubsequentResults — waves of deferred work until none is left. Work that completes without waiting
 * joins the payload being gathered (graphql-js delivers everything ready at once); a wave that has to wait
 * first sends what was gathered.
 */
async function* subsequentResults(request: RequestState, queue: IncrementalQueue, mask: (result: ExecutionResult) => ExecutionResult): AsyncGenerator<SubsequentResult, void, void> {
  const take = (): SubsequentResult => maskPayload(queue.takePayload(), mask);
  while (!queue.done) {
    if (queue.ready.length === 0 && queue.readyStreams.length === 0) break;
    while (queue.ready.length > 0 || queue.readyStreams.length > 0) {
      const tasks = queue.ready.splice(0);
      if (tasks.length > 0) {
        const wave = runWave(request, tasks, queue);
        if (isPromiseLike(wave)) {
          if (queue.hasPayload) yield take();
          await wave;
        }
      }
      if (queue.readyStreams.length === 0) continue;
      // graphql-js reads stream items after a tick: they come in the payload after the one gathered so far.
      if (queue.hasPayload) yield take();
      for (const stream of queue.readyStreams.splice(0)) deliverStream(stream, queue);
    }
    yield take();
  }
}

/** A later payload with the internal errors of its entries masked. */
function maskPayload(payload: SubsequentResult, mask: (result: ExecutionResult) => ExecutionResult): SubsequentResult {
  for (const entry of payload.incremental ?? []) if (entry.errors !== undefined) entry.errors = mask({ errors: entry.errors as GraphQLError[] }).errors;
  for (const entry of payload.completed ?? []) if (entry.errors !== undefined) entry.errors = mask({ errors: entry.errors as GraphQLError[] }).errors;
  return payload;
}
