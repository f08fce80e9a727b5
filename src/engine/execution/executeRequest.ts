// ExecuteRequest: runs a plan's layers for one request and builds the response. Queries and subscription
// events run every layer, then complete once; mutations are scheduled here, one root field after another,
// each executed and completed before the next starts (a failed non-null field stops the later ones, as in
// graphql-js). The output never decides what runs.

import { GraphQLError, type ExecutionResult } from "graphql";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import type { OutputField } from "../outputPlan.js";
import { buildResponse, completeMutationField, completeResponse, newMutationOutput } from "../output/buildResponse.js";
import { newRootBucket, type Bucket, type RequestState } from "./bucket.js";
import { executeLayer, executeMutationField } from "./executeLayer.js";

/** spec: ExecuteRequest — runs the plan's layers, then builds the response, within the request's bounds. */
export function executeRequest(request: RequestState): PromiseOrValue<ExecutionResult> {
  const result = runRequest(request);
  return isPromiseLike(result) ? boundRequest(request, result as Promise<ExecutionResult>) : result;
}

/** The request's layers, then its response. */
function runRequest(request: RequestState): PromiseOrValue<ExecutionResult> {
  const root = newRootBucket(request);
  if (request.plan.operation.operation === "mutation") return executeFieldsSerially(request, root) as PromiseOrValue<ExecutionResult>;
  const done = executeLayer(request, root);
  // The response is a promise when some entry's value was one (graphql-js completes those later).
  if (isPromiseLike(done)) return done.then(() => buildResponse(request, root) as PromiseOrValue<ExecutionResult>);
  return buildResponse(request, root) as PromiseOrValue<ExecutionResult>;
}

/**
 * spec: BoundRequest — an asynchronous request ends at its timeout or when its caller aborts, never later:
 * the reason is recorded so no further step starts, steps holding the request's signal see it abort, calls
 * in flight are abandoned, and the result is a GraphQL error. A synchronous request cannot hang.
 */
export function boundRequest(request: RequestState, running: Promise<ExecutionResult>): Promise<ExecutionResult> {
  const timeoutMs = request.limits.timeoutMs;
  const signal = request.callerSignal;
  if (timeoutMs === null && signal === null) return running;
  return new Promise<ExecutionResult>((resolve, reject) => {
    const watched: Watched = { deadline: timeoutMs === null ? Infinity : performance.now() + timeoutMs, timeout: () => stop(new Error(`timed out after ${timeoutMs} ms`), "REQUEST_TIMEOUT") };
    const cleanup = (): void => {
      unwatch(watched);
      signal?.removeEventListener("abort", onAbort);
    };
    const stop = (reason: Error, code: string): void => {
      if (request.abortedBy !== null) return;
      request.abortedBy = reason;
      request.controller?.abort(reason);
      cleanup();
      resolve({ errors: [new GraphQLError(reason.message, { extensions: { code } })], data: null });
    };
    const onAbort = (): void => stop(new Error("request aborted"), "REQUEST_ABORTED");
    if (timeoutMs !== null) watch(watched);
    signal?.addEventListener("abort", onAbort, { once: true });
    running.then(
      (result) => {
        cleanup();
        resolve(result);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

/** A request running with a deadline. */
interface Watched {
  readonly deadline: number;
  readonly timeout: () => void;
}

/**
 * One timer for every request with a deadline, ticking only while some request is running (a timer per
 * request costs more than the small requests it would guard). A timeout fires within one tick of it.
 */
const WATCH_TICK_MS = 10;
const watchedRequests = new Set<Watched>();
let watchdog: ReturnType<typeof setInterval> | null = null;

function watch(watched: Watched): void {
  watchedRequests.add(watched);
  watchdog ??= setInterval(checkDeadlines, WATCH_TICK_MS);
}

function unwatch(watched: Watched): void {
  watchedRequests.delete(watched);
}

/** Times out the requests past their deadline; stops the timer once a tick finds no request running. */
function checkDeadlines(): void {
  if (watchedRequests.size === 0) {
    clearInterval(watchdog!);
    watchdog = null;
    return;
  }
  const now = performance.now();
  for (const watched of watchedRequests) if (watched.deadline <= now) watched.timeout();
}

/**
 * spec: ExecuteFieldsSerially — the root layer's own steps, then each root mutation field's layer executed
 * and completed before the next starts. A failure at a non-null field rejects the chain, so the later
 * fields never run (graphql-js's promiseReduce).
 */
function executeFieldsSerially(request: RequestState, root: Bucket): PromiseOrValue<unknown> {
  const ctx = newMutationOutput(request);
  const layers = request.plan.rootLayer.children;
  const runField = (object: Record<string, unknown>, field: OutputField): PromiseOrValue<Record<string, unknown>> => {
    const key = field.responseKey;
    const layer = field.value === null ? undefined : layers.find((l) => l.reason.runsSerially && l.reason.responseKey === key);
    const complete = (bucket: Bucket): PromiseOrValue<Record<string, unknown>> => {
      const result = completeMutationField(ctx, field, bucket);
      if (!isPromiseLike(result)) {
        object[key] = result;
        return object;
      }
      return (result as Promise<unknown>).then((resolved) => {
        object[key] = resolved;
        return object;
      });
    };
    if (layer === undefined) return complete(root);
    const bucket = executeMutationField(request, root, layer);
    return isPromiseLike(bucket) ? (bucket as Promise<Bucket>).then(complete) : complete(bucket);
  };
  return completeResponse(ctx, () => {
    const started = executeLayer(request, root);
    let results: PromiseOrValue<Record<string, unknown>> = isPromiseLike(started)
      ? (started as Promise<void>).then(() => Object.create(null) as Record<string, unknown>)
      : Object.create(null);
    for (const field of request.plan.root.fields) {
      results = isPromiseLike(results) ? (results as Promise<Record<string, unknown>>).then((o) => runField(o, field)) : runField(results, field);
    }
    return results;
  });
}
