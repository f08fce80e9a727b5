// BoundedRun: the rules every asynchronous request's run follows (BoundRequest, spec/limits.md), written
// once for the two kinds of run — RequestRun (the general executor's) and FastRequestRun (FastRun's, which
// must extend FastRun). Plain functions over the run's own fields rather than a helper object each run
// would hold: an asynchronous fast request allocates nothing more for its bounds than its run.

import { GraphQLError, type ExecutionResult } from "graphql";
import type { RequestState } from "../execution/bucket.js";

/**
 * A run bounded by its request's timeout and its caller's signal, settled exactly once — by the response,
 * an internal error, the timeout or the abort, whichever comes first. Its fields are the bounds' state
 * (set by `initBounds`, read and written only here); its `outcome` is what the caller gets.
 */
export interface BoundedRun {
  readonly request: RequestState;
  /** The deadline list's neighbours (see `watch`). */
  prev: BoundedRun | null;
  next: BoundedRun | null;
  /** Set by the first tick that sees the run (-1 until then): see `checkDeadlines`. */
  deadline: number;
  timeoutMs: number;
  ended: boolean;
  onAbort: (() => void) | null;
  /** The request's promise's resolving functions (its value is what `outcome` returns). */
  resolve: ((value: unknown) => void) | null;
  reject: ((error: unknown) => void) | null;
  /** What the caller gets for a response (`ok`) or an internal error; a throw rejects the request's promise. */
  outcome(outcome: unknown, ok: boolean): unknown;
}

/** The bounds' fields, assigned in the run's constructor (declared there, not class fields: one run per asynchronous request). */
export function initBounds(run: BoundedRun): void {
  run.prev = null;
  run.next = null;
  run.deadline = -1;
  run.timeoutMs = 0;
  run.ended = false;
  run.onAbort = null;
  run.resolve = null;
  run.reject = null;
}

/** The request's promise; the run's deadline and the caller's signal are watched from now on. */
export function startBounds<T>(run: BoundedRun): Promise<T> {
  // The resolving functions go straight into the run (young): kept in a module-level object, each request
  // paid two write barriers storing young closures into an old object (about 100 instructions).
  const promise = new Promise<T>((resolve, reject) => {
    // The promise's value is the run's `outcome`, of type T for a run whose caller asks for T.
    run.resolve = resolve as (value: unknown) => void;
    run.reject = reject;
  });
  const request = run.request;
  const timeoutMs = request.limits.timeoutMs;
  if (timeoutMs !== null) {
    run.timeoutMs = timeoutMs;
    watch(run);
  }
  const signal = request.callerSignal;
  if (signal !== null) {
    run.onAbort = () => stopRun(run, new Error("request aborted"), "REQUEST_ABORTED");
    signal.addEventListener("abort", run.onAbort, { once: true });
  }
  return promise;
}

/**
 * Once: closes the run (no longer watched) and gives the caller the run's outcome of the response (`ok`)
 * or of the internal error, or that outcome's exception as a rejection.
 */
export function settleRun(run: BoundedRun, outcome: unknown, ok: boolean): void {
  if (run.ended) return;
  run.ended = true;
  unwatch(run);
  if (run.onAbort !== null) run.request.callerSignal!.removeEventListener("abort", run.onAbort);
  let out: unknown;
  try {
    out = run.outcome(outcome, ok);
  } catch (error) {
    run.reject!(error);
    return;
  }
  run.resolve!(out);
}

/**
 * The request stops for `reason` (its timeout or its caller's abort) unless it has ended: the reason is
 * recorded so no further step starts, the request's signal aborts, and the run settles with the error result.
 */
function stopRun(run: BoundedRun, reason: Error, code: string): void {
  const request = run.request;
  if (run.ended || request.abortedBy !== null) return;
  request.abortedBy = reason;
  request.controller?.abort(reason);
  const result: ExecutionResult = { errors: [new GraphQLError(reason.message, { extensions: { code } })], data: null };
  settleRun(run, result, true);
}

/**
 * One timer for every request with a deadline, ticking only while some request is running (a timer per
 * request costs more than the small requests it would guard). A request's deadline is its timeout after the
 * first tick that sees it, which is after it started: a timeout never fires early, and fires within two ticks
 * of it; a request that ends before the next tick never reads the clock. The running requests are a doubly
 * linked list: a request joins and leaves it without hashing or allocation.
 */
const WATCH_TICK_MS = 10;
let watched: BoundedRun | null = null;
let watchdog: ReturnType<typeof setInterval> | null = null;

function watch(entry: BoundedRun): void {
  entry.next = watched;
  if (watched !== null) watched.prev = entry;
  watched = entry;
  watchdog ??= setInterval(checkDeadlines, WATCH_TICK_MS);
}

function unwatch(entry: BoundedRun): void {
  if (entry.prev !== null) entry.prev.next = entry.next;
  else if (watched === entry) watched = entry.next;
  if (entry.next !== null) entry.next.prev = entry.prev;
  entry.prev = null;
  entry.next = null;
}

/** Times out the requests past their deadline; stops the timer once a tick finds no request running. */
function checkDeadlines(): void {
  if (watched === null) {
    clearInterval(watchdog!);
    watchdog = null;
    return;
  }
  const now = performance.now();
  for (let entry: BoundedRun | null = watched; entry !== null; ) {
    const next: BoundedRun | null = entry.next;
    if (entry.deadline < 0) entry.deadline = now + entry.timeoutMs;
    else if (entry.deadline <= now) stopRun(entry, new Error(`timed out after ${entry.request.limits.timeoutMs} ms`), "REQUEST_TIMEOUT");
    entry = next;
  }
}
