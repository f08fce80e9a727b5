// live/: live queries (subtree re-runs, JSON Patch) and subscriptions, over the request edge (spec/reactivity.md).
// Live queries: a query marked @live, run through `subscribe`, gives an async iterator of results. Each run
// records where it read each dependency; when an invalidation touches some, only the subtrees they reach
// run again and are spliced into the last result (a full run when the root's own data moved or the source
// may have missed one), and a result is sent only when it differs from the last sent — whole, or as a JSON
// Patch. Store-agnostic: invalidations come from a LiveSource. Never reports "unchanged" what may have changed.

import { GraphQLDirective, DirectiveLocation, GraphQLError, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode } from "graphql";
import type { GraphscaleExecutionArgs } from "../request/prepareRequest.js";
import { diffJSON, type JsonPatchOperation } from "./jsonPatch.js";
import { rerunSubtrees, runLiveQueryInFull, type LiveRunOutcome } from "./liveRerun.js";
import type { LiveState } from "./liveState.js";
import { liveTraceFor } from "../tracing/liveTrace.js";
import { keysTouchedBy, liveRouterOf, multiplexReruns, releaseLiveQuery, type LiveChange, type LiveSource, type LiveSubscriber } from "./liveRouter.js";

/** `directive @live on QUERY` — add it to a schema's directives so documents using it validate. */
export const GraphQLLiveDirective = new GraphQLDirective({
  name: "live",
  description: "Keeps the query's result current: a new result is sent whenever data it was built from changes.",
  locations: [DirectiveLocation.QUERY],
});

export type { LiveSource } from "./liveRouter.js";

export interface LiveOptions {
  source: LiveSource;
  /** Wait this long after an invalidation before re-running, coalescing a burst into one run (default 0). */
  throttleMs?: number;
  /** Every result after the first is `{ patch }`: RFC 6902 operations on the last sent `{ data, errors }` (default false). */
  patch?: boolean;
  /** false: every re-run is a full run of the operation (default true: only the subtrees a change reached). */
  subtrees?: boolean;
  /** true: every result sent carries `extensions.deps` (key → version, per path); by default none does. */
  deps?: boolean;
  /** false: this live query's runs never share step calls with other live queries' (MultiplexReruns; default true). */
  multiplex?: boolean;
  /**
   * Most list entries a run may open for the live query to keep its state (RetainLiveState; default
   * 10,000): past it only the run's keys are kept and the next run is a full one. 0: keys only, always.
   */
  retainEntries?: number;
  /** Live queries this process may hold (AdmitLiveQuery; default 20,000): a new one past it gets LIVE_QUERY_LIMIT. */
  maxLiveQueries?: number;
  /** The member naming an object in a list, for patches: list items are diffed by it (default "id"). */
  patchKey?: string;
  /** Told right before every run starts (the example server snapshots the store's counters there). */
  beforeRun?: (run: number) => void;
  /** Told after every run, with its result, sent or not (tests and the example page count re-runs). */
  onRun?: (info: LiveRunInfo) => void;
}

/** What `onRun` is told about one run. */
export interface LiveRunInfo {
  run: number;
  /** Whether a result went out (it differed from the last one sent). */
  sent: boolean;
  /** The run's whole result (also when a patch was sent); `extensions.deps` only with `live: { deps: true }`. */
  result: ExecutionResult;
  /** What went out when `sent`: the result, or with `patch`, after the first, `{ patch }`. */
  value: ExecutionResult | LivePatchResult | null;
  /** "full": the operation ran; "subtree": only the positions at `paths` ran again. */
  kind: "full" | "subtree";
  /** The response paths rebuilt, dot-separated ("" for the whole response). */
  paths: string[];
  /** Why a run was full: the first run, a missed invalidation, or what kept a subtree re-run from standing in. */
  reason?: string;
}

/** A live result after the first with `patch`: RFC 6902 operations turning the last sent `{ data, errors }` into this one's. */
export interface LivePatchResult {
  patch: JsonPatchOperation[];
}

export function isLiveOperation(operation: OperationDefinitionNode): boolean {
  return operation.directives?.some((d) => d.name.value === "live") ?? false;
}

/** A clear error for @live where it cannot work, or null. */
export function liveOperationError(operation: OperationDefinitionNode, live: LiveOptions | undefined): GraphQLError | null {
  if (operation.operation !== "query") {
    return new GraphQLError(`@live works on queries only; this operation is a ${operation.operation}.`, { nodes: operation, extensions: { code: "BAD_LIVE_QUERY" } });
  }
  if (live === undefined || typeof live.source?.onInvalidate !== "function") {
    return new GraphQLError("@live needs a source of invalidations: subscribe({ ..., live: { source: kvetch } }).", { nodes: operation, extensions: { code: "BAD_LIVE_QUERY" } });
  }
  return null;
}


/**
 * spec: LiveQuery — runs the operation with deps, sends the result, and when an invalidation heard since a
 * run started touches keys of the current result, re-runs what they reach (RerunSubtrees, else in full);
 * a lost feed means a full run; a result equal to the last one sent is not sent again.
 */
export function liveQuery(args: ExecutionArgs, live: LiveOptions): AsyncGenerator<ExecutionResult, void, void> {
  // Admitted by the caller (LiveQueryLimit): released when it ends.
  const queue: ExecutionResult[] = [];
  let waiting: ((r: IteratorResult<ExecutionResult, void>) => void) | null = null;
  let closed = false;
  let state: LiveState | null = null;
  /** The last run's keys when it kept no state (RetainLiveState: past the budget). */
  let keptKeys: readonly string[] = [];
  let running = false;
  let heard: LiveChange[] = [];
  const touched = new Set<string>();
  let missed = false;
  let wake: (() => void) | null = null;
  /** Resolved when the consumer takes the queued result (a run waits for that: a slow consumer holds one). */
  let taken: (() => void) | null = null;
  let runs = 0;
  const note = (change: LiveChange): void => {
    if (change === null) missed = true;
    else for (const key of state?.keys() ?? keptKeys) if (change.touches(key)) touched.add(key);
  };
  const deliver = (result: ExecutionResult): void => {
    if (waiting !== null) {
      const w = waiting;
      waiting = null;
      w({ done: false, value: result });
    } else queue.push(result);
  };
  const finish = (): void => {
    if (closed) return;
    closed = true;
    router.remove(subscriber);
    releaseLiveQuery();
    wake?.();
    taken?.();
    if (waiting !== null) waiting({ done: true, value: undefined });
    waiting = null;
  };
  // The consumer's own return() (or throw()) ends it with nothing more: a result still queued is dropped.
  const stop = (): void => {
    queue.length = 0;
    finish();
  };
  // When the source ends (spec/reactivity.md): one error result saying why, then the iterator ends (a run in
  // flight is not sent).
  const ended = (reason: Error): void => {
    if (closed) return;
    const message = `The live query ended: ${reason instanceof Error ? reason.message : String(reason)}`;
    deliver({ errors: [new GraphQLError(message, { extensions: { code: "LIVE_SOURCE_CLOSED" } })] });
    finish();
  };
  const trace = liveTraceFor(args.schema);
  // Changes come through the source's router (RouteInvalidation): only those touching this query's keys.
  // Each is heard while the write announcing it is the active span: that span is what the next run links to.
  const router = liveRouterOf(live.source);
  const subscriber: LiveSubscriber = {
    touched: (keys) => {
      trace?.heard();
      for (const key of keys) touched.add(key);
      wake?.();
    },
    heardWhileRunning: (change) => {
      trace?.heard();
      heard.push(change);
    },
    missed: () => {
      trace?.heard();
      if (running) return void heard.push(null);
      missed = true;
      wake?.();
    },
    ended,
  };
  router.add(subscriber);
  const run = async (): Promise<LiveRunOutcome & { reason?: string }> => {
    const keys = [...touched];
    touched.clear();
    let reason: string | null = null;
    if (runs === 0) reason = "the first run";
    else if (missed) reason = "an invalidation may have been missed";
    else if (live.subtrees === false) reason = "subtree re-runs are off";
    else if (state === null) reason = "the last run kept nothing to re-run";
    missed = false;
    if (reason === null) {
      const outcome = await rerunSubtrees(state!, keys);
      if (!("full" in outcome)) return outcome;
      reason = outcome.full;
    }
    return { ...(await runLiveQueryInFull(args as GraphscaleExecutionArgs, live.multiplex === false ? null : multiplexReruns(live.source))), reason };
  };
  let last: string | null = null;
  let lastDocument: unknown = null;
  // One run and its send, in a function of its own: nothing of the run stays reachable while the loop waits
  // (only what RetainLiveState keeps).
  const runAndSend = async (): Promise<void> => {
    running = true;
    heard = [];
    router.running(subscriber);
    live.beforeRun?.(runs + 1);
    const outcome = await (trace === null ? run() : trace.traceLiveRun(runs + 1, run));
    state = outcome.state;
    keptKeys = [];
    if (state !== null && !retainLiveState(state, live)) {
      keptKeys = [...state.keys()];
      state = null;
    }
    running = false;
    if (!closed) router.settle(subscriber, state?.keys() ?? keptKeys);
    if (heard.length > 1 && heard.every((change) => change !== null && change.routes !== undefined)) {
      keysTouchedBy(live.source, heard as Exclude<LiveChange, null>[], state?.keys() ?? keptKeys, touched);
    } else for (const change of heard) note(change);
    heard = [];
    const { kind, paths, reason } = outcome;
    const result = live.deps === true ? outcome.result : withoutDeps(outcome.result);
    const text = JSON.stringify({ data: result.data, errors: result.errors });
    // A run that ends after the iterator closed (return(), the source ended) sends nothing.
    const sent = !closed && text !== last;
    let value: ExecutionResult | LivePatchResult | null = sent ? result : null;
    if (sent && live.patch === true) {
      const document: unknown = JSON.parse(text);
      if (last !== null) value = { patch: diffJSON(lastDocument, document, live.patchKey ?? "id") };
      lastDocument = document;
    }
    live.onRun?.({ run: ++runs, sent, result, value, kind, paths, ...(reason === undefined ? {} : { reason }) });
    if (sent) {
      last = text;
      deliver(value as ExecutionResult);
    }
  };
  void (async () => {
    while (!closed) {
      await runAndSend();
      // The consumer has not taken the last result: no run until it does, changes meanwhile coalesce.
      while (queue.length > 0 && !closed) await new Promise<void>((resolve) => (taken = resolve));
      taken = null;
      while (!missed && touched.size === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      if ((live.throttleMs ?? 0) > 0 && !closed) await new Promise((resolve) => setTimeout(resolve, live.throttleMs));
    }
  })().catch((error: unknown) => {
    if (!closed) deliver({ errors: [new GraphQLError(error instanceof Error ? error.message : String(error))] });
    finish();
  });
  const iterator: AsyncGenerator<ExecutionResult, void, void> = {
    next: () => {
      if (queue.length > 0) {
        const value = queue.shift()!;
        if (queue.length === 0) taken?.();
        return Promise.resolve({ done: false, value });
      }
      if (closed) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => (waiting = resolve));
    },
    return: async () => {
      stop();
      return { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      stop();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
    [Symbol.asyncDispose]: async () => void stop(),
  } as AsyncGenerator<ExecutionResult, void, void>;
  return iterator;
}

/** A result without `extensions.deps` (sent only with `live: { deps: true }`); `extensions` dropped when nothing else is in it. */
function withoutDeps(result: ExecutionResult): ExecutionResult {
  if (result.extensions === undefined || !("deps" in result.extensions)) return result;
  const { deps: _deps, ...extensions } = result.extensions;
  const { extensions: _all, ...rest } = result;
  return Object.keys(extensions).length === 0 ? rest : { ...rest, extensions };
}

/** Live queries keep their state for subtree re-runs up to this many list entries (RetainLiveState). */
const DEFAULT_RETAIN_ENTRIES = 10_000;

/**
 * spec: RetainLiveState — whether a live query keeps what its run built (buckets, sites, result) for subtree
 * re-runs: not when subtree re-runs are off, nor when the run opened more list entries than
 * `live.retainEntries`; it then keeps only its keys (for routing) and its next run is a full one.
 */
function retainLiveState(state: LiveState, live: LiveOptions): boolean {
  return live.subtrees !== false && state.entries <= (live.retainEntries ?? DEFAULT_RETAIN_ENTRIES);
}
