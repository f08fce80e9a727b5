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
import { deliverStreams, runTasks, type RunHost } from "./runTasks.js";
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
 * spec: SubsequentResults — the later payloads. Work that completes without waiting joins the payload being
 * gathered (graphql-js delivers everything ready at once); each run that waits goes on while the rest is
 * delivered, and what it completes goes out once the completions of the same moment are in (SealAfterWait).
 */
function subsequentResults(request: RequestState, queue: IncrementalQueue, mask: (result: ExecutionResult) => ExecutionResult): AsyncGenerator<SubsequentResult, void, void> {
  const delivery = new Delivery(request, queue, mask);
  return delivery.results();
}

/** How many microtask turns a payload stays open after a run that waited completed (SealAfterWait). */
const SEAL_TURNS = 8;

/** The driver of one request's later payloads: runs what is ready, counts what waits, hands out sealed payloads. */
class Delivery implements RunHost {
  private readonly sealed: SubsequentResult[] = [];
  private open = 0;
  /** Runs that waited and are completing now (their promises settled): a payload is not sealed under them. */
  private completingRuns = 0;
  private sealing = false;
  private error: { readonly error: unknown } | null = null;
  private wake: (() => void) | null = null;
  stopped = false;

  constructor(
    private readonly request: RequestState,
    readonly queue: IncrementalQueue,
    private readonly mask: (result: ExecutionResult) => ExecutionResult,
  ) {}

  async *results(): AsyncGenerator<SubsequentResult, void, void> {
    try {
      this.runReady();
      this.seal();
      for (;;) {
        const payload = this.sealed.shift();
        if (payload !== undefined) {
          yield payload;
          if (!payload.hasNext) return;
          continue;
        }
        if (this.error !== null) throw this.error.error;
        // Nothing waits and nothing is left to send: the work ended without completing every record.
        if (this.open === 0 && !this.sealing) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.stopped = true;
    }
  }

  /** spec: RunReady — the tasks and streams ready now, until none is; stream items go in the next payload. */
  private runReady(): void {
    const queue = this.queue;
    while (!this.stopped && this.error === null && (queue.ready.length > 0 || queue.readyStreams.length > 0)) {
      const tasks = queue.ready.splice(0);
      if (tasks.length > 0) runTasks(this.request, tasks, this);
      if (queue.ready.length > 0 || queue.readyStreams.length === 0) continue;
      // graphql-js reads stream items a tick later: they come in the payload after the one gathered so far.
      this.seal();
      deliverStreams(this.request, queue.readyStreams.splice(0), this);
    }
  }

  /** The payload gathered so far goes out (when it holds anything). */
  seal(): void {
    if (!this.queue.hasPayload) return;
    this.sealed.push(maskPayload(this.queue.takePayload(), this.mask));
    this.notify();
  }

  waiting(): void {
    this.open++;
  }

  /** A run that waited is done: what became ready runs, then SealAfterWait. */
  settled(): void {
    this.open--;
    this.completingRuns--;
    try {
      this.runReady();
    } catch (error) {
      return this.failed(error);
    }
    this.sealAfterWait();
  }

  completing(): void {
    this.completingRuns++;
  }

  /** spec: SealAfterWait — the payload goes out a few microtask turns later, once no run is completing. */
  private sealAfterWait(): void {
    if (this.sealing) return;
    this.sealing = true;
    let turns = SEAL_TURNS;
    const turn = (): void => {
      if (--turns > 0) return queueMicrotask(turn);
      this.sealing = false;
      // A run still completing seals when it is done (its own settled).
      if (this.completingRuns > 0) return;
      this.seal();
      this.notify();
    };
    queueMicrotask(turn);
  }

  failed(error: unknown): void {
    this.error ??= { error };
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** A later payload with the internal errors of its entries masked. */
function maskPayload(payload: SubsequentResult, mask: (result: ExecutionResult) => ExecutionResult): SubsequentResult {
  for (const entry of payload.incremental ?? []) if (entry.errors !== undefined) entry.errors = mask({ errors: entry.errors as GraphQLError[] }).errors;
  for (const entry of payload.completed ?? []) if (entry.errors !== undefined) entry.errors = mask({ errors: entry.errors as GraphQLError[] }).errors;
  return payload;
}
