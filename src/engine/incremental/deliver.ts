// incremental/deliver.ts: the incremental delivery of a plan with an active @defer/@stream (spec/incremental.md).
// Loaded by experimentalExecuteIncrementally's dynamic import() the first time such a plan runs: an
// operation without either directive never loads this module or the rest of the work queue.

import type { ExecutionResult, GraphQLError } from "graphql";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { newRootBucket, type Bucket, type RequestState, type ResponseData } from "../execution/bucket.js";
import { executeLayer } from "../execution/executeLayer.js";
import { buildResponse } from "../output/buildResponse.js";
import { executeFieldsSerially } from "../request/executeRequest.js";
import { toGraphQLError } from "../request/maskErrors.js";
import { discoverWork, noWork, takeStreamErrors } from "./discoverWork.js";
import { IncrementalQueue, type SubsequentResult } from "./workQueue.js";
import { deliverStreams, runWave } from "./runTasks.js";
import type { ExperimentalIncrementalExecutionResults } from "./results.js";

/**
 * spec: DeliverIncrementally — the root layer without the deferred ones (a mutation's root fields one after
 * another, as `execute` runs them), then the initial payload.
 */
export function deliverIncrementally(request: RequestState, mask: (result: ExecutionResult) => ExecutionResult): PromiseOrValue<ExecutionResult | ExperimentalIncrementalExecutionResults> {
  try {
    const root = newRootBucket(request);
    if (request.plan.operation.operation === "mutation") {
      const built = executeFieldsSerially(request, root) as PromiseOrValue<ResponseData>;
      return isPromiseLike(built) ? built.then((b) => initialResult(request, root, b, mask), failed) : initialResult(request, root, built, mask);
    }
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
  const work = noWork(request);
  const selection = request.plan.root;
  if (request.plan.operation.operation !== "mutation") discoverWork(selection, root, 0, data, undefined, [], new Map(), work);
  else {
    // Each root mutation field's value is in its own layer's bucket.
    for (const field of selection.fields) {
      const layer = request.plan.rootLayer.children.find((l) => l.reason.runsSerially && l.reason.responseKey === field.responseKey);
      const bucket = layer === undefined ? undefined : root.children.get(layer.id);
      if (bucket !== undefined) discoverWork({ type: selection.type, fields: [field] }, bucket, 0, data, undefined, [], new Map(), work);
    }
    // Root fields met only in deferred fragments.
    if (selection.deferred !== undefined) discoverWork({ type: selection.type, fields: [], newDefers: selection.newDefers, deferred: selection.deferred }, root, 0, data, undefined, [], new Map(), work);
  }
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
      const delivered = deliverStreams(request, queue.readyStreams.splice(0), queue);
      if (isPromiseLike(delivered)) await delivered;
      queue.completeFailedStreams(false);
      if (queue.hasFailedAfterItems) {
        yield take();
        queue.completeFailedStreams(true);
      }
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
