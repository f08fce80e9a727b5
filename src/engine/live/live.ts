// live/: live queries (subtree re-runs, JSON Patch) and subscriptions, over the request edge (spec/reactivity.md).
// Live queries: a query marked @live, run through `subscribe`, gives an async iterator of results. Each run
// records where it read each dependency; when an invalidation touches some, only the subtrees they reach
// run again and are spliced into the last result (a full run when the root's own data moved or the source
// may have missed one), and a result is sent only when it differs from the last sent — whole, or as a JSON
// Patch. Store-agnostic: invalidations come from a LiveSource. Never reports "unchanged" what may have changed.

import { AsyncResource } from "node:async_hooks";
import { GraphQLDirective, DirectiveLocation, GraphQLError, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode } from "graphql";
import type { GraphscaleExecutionArgs } from "../request/prepareRequest.js";
import { diffJSON, type JsonPatchOperation } from "./jsonPatch.js";
import { rerunSubtrees, runLiveQueryInFull, type LiveRunOutcome } from "./liveRerun.js";
import type { LiveState } from "./liveState.js";
import type { KeyList } from "./packedKeys.js";
import { isDigest, isPlainJSON, sameJSON, sameText, keysOnlyDigest, type LastSent } from "./lastSent.js";
import { keptText, textDictionary, textOf } from "./keptValues.js";

export { sameJSON } from "./lastSent.js";
import { liveTraceFor } from "../tracing/liveTrace.js";
import { keysTouchedBy, liveRouterOf, multiplexReruns, releaseLiveQuery, type LiveChange, type LiveRouter, type LiveSource, type LiveSubscriber } from "./liveRouter.js";

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
  return new LiveQueryIterator(args, live) as unknown as AsyncGenerator<ExecutionResult, void, void>;
}

/**
 * One live query: the router's subscriber and the consumer's async iterator in one object whose methods
 * are shared by every live query (RetainLiveState: no closure per live query but the waits in flight).
 */
const NO_KEYS: KeyList = [];

class LiveQueryIterator implements LiveSubscriber {
  private readonly queue: ExecutionResult[] = [];
  private waiting: ((r: IteratorResult<ExecutionResult, void>) => void) | null = null;
  private closed = false;
  private state: LiveState | null = null;
  /** The last run's keys when it kept no state (RetainLiveState: past the budget). */
  private keptKeys: KeyList = NO_KEYS;
  private running = false;
  /** Changes heard while a run was in flight (null when none). */
  private heard: LiveChange[] | null = null;
  /** Keys touched since the last run started (null when none). */
  private touchedKeys: Set<string> | null = null;
  private missedOne = false;
  /** A run (and its send) is in flight, or a throttle wait before one. */
  private busy = false;
  /** Resolves the parked wait of an idle live query (null while a run is in flight or none is parked). */
  private parked = false;
  /** The live query's own async context (made where it was subscribed): a parked loop goes on in it. */
  private readonly scope = new AsyncResource("graphscale.liveQuery");
  private runs = 0;
  /**
   * The last result sent, as `{ data, errors }`: with patches its JSON document (the diff's base); with a
   * state kept, the result itself (the state holds the same tree, so it costs nothing more); otherwise its
   * JSON text (RetainLiveState: keys only); while idle with a state kept, that text's bytes (KeepAsText).
   */
  private last: LastSent | string | Uint8Array | null = null;
  private readonly trace: ReturnType<typeof liveTraceFor>;
  // Changes come through the source's router (RouteInvalidation): only those touching this query's keys.
  private readonly router: LiveRouter;

  constructor(
    private readonly args: ExecutionArgs,
    private readonly live: LiveOptions,
  ) {
    this.trace = liveTraceFor(args.schema);
    this.router = liveRouterOf(live.source);
    this.router.add(this);
    this.startRun();
  }

  // Each change is heard while the write announcing it is the active span: that span is what the next run links to.
  touched(keys: readonly string[]): void {
    this.trace?.heard();
    this.touch(keys);
    this.resume();
  }

  heardWhileRunning(change: LiveChange): void {
    this.trace?.heard();
    (this.heard ??= []).push(change);
  }

  missed(): void {
    this.trace?.heard();
    if (this.running) return void (this.heard ??= []).push(null);
    this.missedOne = true;
    this.resume();
  }

  // When the source ends (spec/reactivity.md): one error result saying why, then the iterator ends (a run in
  // flight is not sent).
  ended(reason: Error): void {
    if (this.closed) return;
    const message = `The live query ended: ${reason instanceof Error ? reason.message : String(reason)}`;
    this.deliver({ errors: [new GraphQLError(message, { extensions: { code: "LIVE_SOURCE_CLOSED" } })] });
    this.finish();
  }

  next(): Promise<IteratorResult<ExecutionResult, void>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift()!;
      if (this.queue.length === 0) this.resume();
      return Promise.resolve({ done: false, value });
    }
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<IteratorResult<ExecutionResult, void>> {
    this.stop();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult, void>> {
    this.stop();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  private touch(keys: Iterable<string>): void {
    const touched = (this.touchedKeys ??= new Set());
    for (const key of keys) touched.add(key);
  }

  private note(change: LiveChange): void {
    if (change === null) this.missedOne = true;
    else for (const key of this.state?.keys() ?? this.keptKeys) if (change.touches(key)) this.touch([key]);
  }

  private deliver(result: ExecutionResult): void {
    if (this.waiting !== null) {
      const w = this.waiting;
      this.waiting = null;
      w({ done: false, value: result });
    } else this.queue.push(result);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.router.remove(this);
    releaseLiveQuery();
    this.resume();
    if (this.waiting !== null) this.waiting({ done: true, value: undefined });
    this.waiting = null;
  }

  // The consumer's own return() (or throw()) ends it with nothing more: a result still queued is dropped.
  private stop(): void {
    this.queue.length = 0;
    this.finish();
  }

  private async run(): Promise<LiveRunOutcome & { reason?: string }> {
    const keys = this.touchedKeys === null ? [] : [...this.touchedKeys];
    this.touchedKeys = null;
    const live = this.live;
    let reason: string | null = null;
    if (this.runs === 0) reason = "the first run";
    else if (this.missedOne) reason = "an invalidation may have been missed";
    else if (live.subtrees === false) reason = "subtree re-runs are off";
    else if (this.state === null) reason = "the last run kept nothing to re-run";
    this.missedOne = false;
    if (reason === null) {
      const outcome = await rerunSubtrees(this.state!, keys);
      if (!("full" in outcome)) return outcome;
      reason = outcome.full;
    }
    const callStep = live.multiplex === false ? null : multiplexReruns(live.source);
    return { ...(await runLiveQueryInFull(this.args as GraphscaleExecutionArgs, callStep, live.deps === true)), reason };
  }

  // One run and its send, in a method of its own: nothing of the run stays reachable while the loop waits
  // (only what RetainLiveState keeps).
  private async runAndSend(): Promise<void> {
    const live = this.live;
    // (deflated against the dictionary of the state that kept it: TextDictionary)
    if (this.last instanceof Uint8Array) this.last = textOf(this.last, textDictionary(this.state!.plan, "results"));
    this.running = true;
    this.heard = null;
    this.router.running(this);
    live.beforeRun?.(this.runs + 1);
    const outcome = await (this.trace === null ? this.run() : this.trace.traceLiveRun(this.runs + 1, () => this.run()));
    let state = outcome.state;
    this.keptKeys = NO_KEYS;
    if (state !== null && !retainLiveState(state, live)) {
      this.keptKeys = state.keys();
      state = null;
    }
    this.state = state;
    this.running = false;
    if (!this.closed) this.router.settle(this, state?.keys() ?? this.keptKeys);
    // (read as set by the listeners while the run was in flight, not as narrowed above)
    const heard = this.heard as LiveChange[] | null;
    this.heard = null;
    // Many changes heard during the run: each key's route is checked once against the union of their routes.
    if (heard !== null && heard.length > 1 && heard.every((change) => change !== null && change.routes !== undefined)) {
      const touched = new Set<string>();
      keysTouchedBy(live.source, heard as Exclude<LiveChange, null>[], state?.keys() ?? this.keptKeys, touched);
      if (touched.size > 0) this.touch(touched);
    } else for (const change of heard ?? []) this.note(change);
    const { kind, paths, reason } = outcome;
    const result = live.deps === true ? outcome.result : withoutDeps(outcome.result);
    const shown: LastSent = { data: result.data, errors: result.errors };
    const last = this.last;
    let text: string | null = null;
    const same = last === null ? false : typeof last === "string" ? sameText(last, (text = JSON.stringify(shown))) : sameJSON(shown, last);
    // A run that ends after the iterator closed (return(), the source ended) sends nothing.
    const sent = !this.closed && !same;
    let value: ExecutionResult | LivePatchResult | null = sent ? result : null;
    if (sent && live.patch === true) {
      const document = JSON.parse(text ?? JSON.stringify(shown)) as LastSent;
      if (last !== null) value = { patch: diffJSON(last, document, live.patchKey ?? "id") };
      this.last = document;
    } else if (sent) this.last = state !== null ? shown : keysOnlyDigest(text ?? JSON.stringify(shown));
    else if (same && state !== null && typeof last === "object" && last !== null && live.patch !== true) {
      // Equal to what was sent: the state holds the sent tree, so one tree is kept, not two.
      state.data = (last.data ?? null) as LiveState["data"];
      state.errors = last.errors as LiveState["errors"];
    }
    // Keys only (KeysOnlyDigest): the last result sent as a digest of its JSON text.
    if (state === null && this.last !== null && live.patch !== true && !isDigest(this.last)) this.last = keysOnlyDigest(typeof this.last === "string" ? this.last : JSON.stringify(this.last));
    // KeepAsText: the last result sent and the state's data, as one JSON text while the live query is idle.
    if (state !== null && live.patch !== true && state.errors === undefined && state.extensions === undefined && this.last !== null) {
      const current = typeof this.last !== "string" ? this.last : isDigest(this.last) ? shown : null;
      const kept = current === null ? (this.last as string) : !isPlainJSON(current.data) ? null : current === shown && text !== null ? text : JSON.stringify(current);
      if (kept !== null) state.keepAsText((this.last = keptText(kept, textDictionary(state.plan, "results"))));
    }
    live.onRun?.({ run: ++this.runs, sent, result, value, kind, paths, ...(reason === undefined ? {} : { reason }) });
    if (sent) this.deliver(value as ExecutionResult);
  }

  /**
   * The loop of LiveQuery, step by step: after a run, wait until the consumer has taken the result just sent
   * (a slow consumer holds one, changes meanwhile coalesce), then until some key is touched or a change is null,
   * then `throttleMs`, then run again. An idle live query holds no promise, only its `parked` mark: a wake goes
   * on with the loop in a microtask, inside the live query's own async context (`scope`, an AsyncResource made
   * where it was subscribed), so a run a write wakes runs there (its trace, the store's call records), never
   * in the writer's, as a continuation of an awaiting loop would.
   */
  private resume(): void {
    if (!this.parked) return;
    this.parked = false;
    queueMicrotask(() => this.scope.runInAsyncScope(this.continueLoop, this));
  }

  private park(): void {
    if (this.parked || this.closed) return;
    this.parked = true;
  }

  private continueLoop(): void {
    if (this.closed || this.busy) return;
    if (this.queue.length > 0 || (!this.missedOne && this.touchedKeys === null)) return this.park();
    const throttle = this.live.throttleMs ?? 0;
    if (throttle <= 0) return this.startRun();
    this.busy = true;
    setTimeout(() => {
      this.busy = false;
      this.startRun();
    }, throttle);
  }

  private startRun(): void {
    if (this.closed) return;
    this.busy = true;
    this.runAndSend().then(
      () => {
        this.busy = false;
        this.continueLoop();
      },
      (error: unknown) => {
        this.busy = false;
        if (!this.closed) this.deliver({ errors: [new GraphQLError(error instanceof Error ? error.message : String(error))] });
        this.finish();
      },
    );
  }
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
