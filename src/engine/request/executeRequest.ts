// ExecuteRequest: runs a plan's layers for one request and builds the response. Queries and subscription
// events run every layer, then complete once; mutations are scheduled here, one root field after another,
// each executed and completed before the next starts (a failed non-null field stops the later ones, as in
// graphql-js). The output never decides what runs.

import type { ExecutionResult, GraphQLError } from "graphql";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import type { OutputField } from "../planning/outputPlan.js";
import { buildResponse, completeMutationField, completeResponse, newMutationOutput } from "../output/buildResponse.js";
import type { OutputContext } from "../output/context.js";
import { newRootBucket, type Bucket, type RequestFinisher, type RequestState } from "../execution/bucket.js";
import { executeLayer, executeMutationField, runLayer, type LayerWaiter } from "../execution/executeLayer.js";
import { initBounds, settleRun, startBounds, type BoundedRun } from "./boundedRun.js";
import { DirectRun, directPlanOf, directRequest, directRunCounts, replayCalls, UNCLEAN_OUTCOME, type DirectOutcome, type DirectPlan } from "./directRun.js";
import { ResolverStep } from "../planning/steps/resolver.js";

/**
 * What the caller makes of the request's result, applied in the callback that completes the request:
 * an asynchronous request's promise then settles with the caller's own value, one hop after its last step.
 */
export interface RequestFinish<T> {
  /** The response, or the error result of a timeout or an abort. */
  done(result: ExecutionResult): T;
  /** An internal error ended the run (throw to reject the request's promise with it). */
  failed(error: unknown): T;
}

const AS_IS: RequestFinish<ExecutionResult> = {
  done: (result) => result,
  failed: (error) => {
    throw error;
  },
};

/** spec: ExecuteRequest — runs the plan's layers, then builds the response, within the request's bounds. */
export function executeRequest<T = ExecutionResult>(request: RequestState, finish: RequestFinish<T> = AS_IS as RequestFinish<never>): PromiseOrValue<T> {
  if (request.plan.operation.operation === "query" && directRequest(request)) {
    const direct = directPlanOf(request.plan);
    if (direct !== null) return executeDirect(request, direct, finish);
  }
  const root = newRootBucket(request);
  const batch = request.batch;
  if (request.plan.operation.operation === "mutation") {
    const result = executeFieldsSerially(request, root) as PromiseOrValue<ExecutionResult>;
    return isPromiseLike(result) ? finishLater(request, result as Promise<ExecutionResult>, finish) : finish.done(result);
  }
  if (batch != null) batch.root = root;
  const layers = runLayer(request, root, null);
  if (layers !== null) {
    const run = new RequestRun(request, root, finish);
    layers.waiter = run;
    // A batching executor's window may take over the rest of the run (AdoptWindow).
    if (batch != null) batch.finisher = run;
    return run.start();
  }
  // Every step was synchronous. The response is a promise still when some entry's value was one
  // (graphql-js completes those later).
  const built = buildResponse(request, root) as PromiseOrValue<ExecutionResult>;
  return isPromiseLike(built) ? finishLater(request, built as Promise<ExecutionResult>, finish) : finish.done(built);
}

/**
 * spec: ExecuteDirect — a request of a DirectPlan run by DirectRun: its clean response, or, once the run
 * stopped, ExecuteRequest with the run's calls replayed (the request's `callStep` answers Resolver steps
 * from them). An asynchronous run is bounded as any asynchronous request (BoundRequest).
 */
function executeDirect<T>(request: RequestState, plan: DirectPlan, finish: RequestFinish<T>): PromiseOrValue<T> {
  const run = new DirectRun(request, plan);
  const outcome = run.start();
  if (outcome instanceof Promise) {
    const running = outcome.then((result: DirectOutcome) => (result === UNCLEAN_OUTCOME ? handOver(request, run, AS_IS) : answered(result)));
    return finishLater(request, running, finish);
  }
  return outcome === UNCLEAN_OUTCOME ? handOver(request, run, finish) : finish.done(answered(outcome));
}

function answered(result: ExecutionResult): ExecutionResult {
  directRunCounts.answered++;
  return result;
}

/** A stopped run's request, run by ExecuteRequest with its calls replayed (ReplayCalls). */
function handOver<T>(request: RequestState, run: DirectRun, finish: RequestFinish<T>): PromiseOrValue<T> {
  directRunCounts.handedOver++;
  const replay = replayCalls(run);
  (request as { callStep: RequestState["callStep"] }).callStep = (_request, step, details) =>
    step instanceof ResolverStep ? step.runOwnLoop(details, replay(step) as never) : step.execute(details);
  return executeRequest(request, finish);
}

/**
 * spec: BoundRequest — an asynchronous request ends at its timeout or when its caller aborts, never later:
 * the reason is recorded so no further step starts, steps holding the request's signal see it abort, calls
 * in flight are abandoned, and the result is a GraphQL error. A synchronous request cannot hang.
 */
export function boundRequest(request: RequestState, running: Promise<ExecutionResult>): Promise<ExecutionResult> {
  if (request.limits.timeoutMs === null && request.callerSignal === null) return running;
  return finishLater(request, running, AS_IS);
}

/** A running request's result, bounded, then finished. */
function finishLater<T>(request: RequestState, running: Promise<ExecutionResult>, finish: RequestFinish<T>): Promise<T> {
  if (request.limits.timeoutMs === null && request.callerSignal === null) {
    return running.then(
      (result) => finish.done(result),
      (error: unknown) => finish.failed(error),
    );
  }
  const run = new RequestRun(request, null, finish);
  const promise = run.start();
  running.then(
    (result) => run.end(result),
    (error: unknown) => run.layerFailed(error),
  );
  return promise;
}

/**
 * An asynchronous request: told when its root layer is done (it then builds the response), bounded by its
 * timeout and its caller's signal, and settled exactly once (BoundedRun).
 */
export class RequestRun<T> implements LayerWaiter, RequestFinisher, BoundedRun {
  // Declared and assigned in the constructor, not class fields (each defined before it is assigned): one
  // run is made per asynchronous request.
  declare prev: BoundedRun | null;
  declare next: BoundedRun | null;
  declare deadline: number;
  declare timeoutMs: number;
  declare ended: boolean;
  declare onAbort: (() => void) | null;
  declare resolve: ((value: unknown) => void) | null;
  declare reject: ((error: unknown) => void) | null;
  declare readonly request: RequestState;
  /** The bucket whose layer this run waits for; null when the caller hands the result to `end`. */
  declare private readonly root: Bucket | null;
  declare private readonly finish: RequestFinish<T>;

  constructor(request: RequestState, root: Bucket | null, finish: RequestFinish<T>) {
    initBounds(this);
    this.request = request;
    this.root = root;
    this.finish = finish;
  }

  /** The request's promise; its deadline and the caller's signal are watched from now on. */
  start(): Promise<T> {
    return startBounds<T>(this);
  }

  /** The root layer is done: the response is built now. */
  layerDone(): void {
    this.rootDone(this.root!, 0);
  }

  /** The request's root entry is entry `entry` of `root` (its own root bucket's 0, or a window's merged root's): the response is built now. */
  rootDone(root: Bucket, entry: number): void {
    if (this.ended) return;
    let built: PromiseOrValue<ExecutionResult>;
    try {
      built = buildResponse(this.request, root, entry) as PromiseOrValue<ExecutionResult>;
    } catch (error) {
      this.layerFailed(error);
      return;
    }
    // Written out, not isPromiseLike: this site sees only responses and promises of them (see callExecute).
    if (built == null || typeof (built as { then?: unknown }).then !== "function") this.end(built as ExecutionResult);
    else
      (built as Promise<ExecutionResult>).then(
        (result) => this.end(result),
        (error: unknown) => this.layerFailed(error),
      );
  }

  end(result: ExecutionResult): void {
    settleRun(this, result, true);
  }

  layerFailed(error: unknown): void {
    settleRun(this, error, false);
  }

  /** What the caller's finish makes of the response (`ok`) or of the internal error. */
  outcome(outcome: unknown, ok: boolean): T {
    return ok ? this.finish.done(outcome as ExecutionResult) : this.finish.failed(outcome);
  }
}

/**
 * spec: ExecuteFieldsSerially — the root layer's own steps, then each root mutation field's layer executed
 * and completed before the next starts. A failure at a non-null field rejects the chain, so the later
 * fields never run (graphql-js's promiseReduce); the response is nulled when graphql-js nulls it
 * (NullResponseAfter).
 */
export function executeFieldsSerially(request: RequestState, root: Bucket): PromiseOrValue<unknown> {
  const ctx = newMutationOutput(request);
  const fields = request.plan.root.fields;
  const layers = request.plan.rootLayer.children;
  // Whether graphql-js's promiseReduce accumulator is a promise yet: once a field's completion was one.
  let accumulatorIsPromise = false;
  const runField = (object: Record<string, unknown>, field: OutputField, index: number): PromiseOrValue<Record<string, unknown>> => {
    const key = field.responseKey;
    const layer = field.value === null ? undefined : layers.find((l) => l.reason.runsSerially && l.reason.responseKey === key);
    const complete = (bucket: Bucket): PromiseOrValue<Record<string, unknown>> => {
      const later = fields.length - 1 - index;
      const afterPromise = accumulatorIsPromise;
      let result: PromiseOrValue<unknown>;
      try {
        result = completeMutationField(ctx, field, bucket);
      } catch (error) {
        // graphql-js: thrown in promiseReduce's callback, through one `then` per later field and executeImpl's
        // handler — or, before any promise, out of promiseReduce at once.
        nullResponseAfter(ctx, error, afterPromise ? later + 1 : 0);
        throw error;
      }
      if (!isPromiseLike(result)) {
        object[key] = result;
        return object;
      }
      accumulatorIsPromise = true;
      const completed = (result as Promise<unknown>).then((resolved) => {
        object[key] = resolved;
        return object;
      });
      // graphql-js: the callback's `result.then(…)` rejects, is adopted by the accumulator (when it was a
      // promise), then passes one `then` per later field and executeImpl's handler.
      completed.then(undefined, (error: unknown) => nullResponseAfter(ctx, error, afterPromise ? later + 1 : later));
      return completed;
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
    fields.forEach((field, index) => {
      results = isPromiseLike(results) ? (results as Promise<Record<string, unknown>>).then((o) => runField(o, field, index)) : runField(results, field, index);
    });
    return results;
  });
}

/**
 * spec: NullResponseAfter — records the error of a failed mutation field at the root (nulling the
 * response) `turns` microtasks from now: as many as graphql-js's rejection takes to reach executeImpl's
 * handler, whatever promises the executor waited on. Errors of that field's pending items arriving later
 * are then dropped exactly as graphql-js drops them (CompleteResponse, output.md); the chain's own error
 * reaches CompleteResponse later or at the same turn, and is not recorded twice.
 */
function nullResponseAfter(ctx: OutputContext, error: unknown, turns: number): void {
  if (turns === 0) ctx.errors.add(error as GraphQLError, undefined);
  else void Promise.resolve().then(() => nullResponseAfter(ctx, error, turns - 1));
}
