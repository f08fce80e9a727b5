// StepBatcher: joins the calls of one step made by concurrent requests into one `execute` call over all
// their entries, then hands each request its own slice of the results (spec/cross-request-batching.md).
// Each request keeps its own buckets, flags and early exit; only the step call is shared. A failure of
// the joint call is never shown to a request it does not belong to. Allocates per call, never per entry.

import { isPromiseLike } from "../promiseOrValue.js";
import { MappedResults } from "../mappedResults.js";
import { FlaggedValue } from "../flags.js";
import type { Step } from "../step.js";
import { sameLimits, type Limits } from "../limits.js";
import type { StepDependencies } from "../deps.js";
import type { Path, ResolverExecutionDetails } from "../planning/resolveInfo.js";
import { signalOf, type RequestState, type StepCaller } from "../execution/bucket.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { adoptWindow, crossRequestOf, mayAdopt, type AdoptedRequest, type AdoptionStats } from "./adoptWindow.js";

/** One request's call of a step, waiting for the joint call. */
interface Part {
  readonly request: RequestState;
  readonly details: ResolverExecutionDetails;
  settle: (results: unknown) => void;
  reject: (error: unknown) => void;
}

/** Calls of one step that may share an `execute` call: equal global values and limits. */
interface Group {
  readonly step: Step;
  /** The values of the step's global (bare-value) dependencies, by dependency index; undefined elsewhere. */
  readonly shared: unknown[];
  readonly limits: Limits;
  readonly parts: Part[];
}

/** Thrown by a joint call's `details.request`: the step reads the request, so it runs per request. */
class RequestRead extends Error {
  constructor(step: Step) {
    super(`graphscale: ${step} reads details.request; it runs per request, never across requests.`);
  }
}

/** Counts of what the batcher did, for tests and benchmarks. */
export interface StepBatcherStats extends AdoptionStats {
  /** `execute` calls made for several requests at once. */
  jointCalls: number;
  /** Request calls that ran in a joint call. */
  joinedParts: number;
  /** `execute` calls made for one request alone (not eligible, alone in its group, or isolating a failure). */
  aloneCalls: number;
}

export class StepBatcher {
  private pending = new Map<Step, Group[]>();
  private scheduled = false;
  /** Steps seen reading `details.request` in a joint call: they run per request from then on. */
  private readonly readsRequest = new WeakSet<Step>();
  readonly stats: StepBatcherStats = { jointCalls: 0, joinedParts: 0, aloneCalls: 0, windowRuns: 0, adoptedRequests: 0, fallbacks: 0 };

  /** `adopt`: requests waiting only in their root layer are run on as one bucket at a flush (AdoptWindow). */
  constructor(private readonly adopt = true) {}

  /** The executor's StepCaller: `request`'s call of `step`, joined to other requests' calls when it may be. */
  readonly callStep = (request: RequestState, step: Step, details: ResolverExecutionDetails): unknown => this.join(request, step, details, null);

  /**
   * spec: HoldWindow — a StepCaller for the requests of a window that is still open: their joining calls
   * wait, grouped, until `release()` (the window's end), which flushes them with whatever else is pending.
   * Calls made after the release join as `callStep`'s do.
   */
  holdWindow(): { readonly callStep: StepCaller; release(): void } {
    let held: Map<Step, Group[]> | null = new Map();
    return {
      callStep: (request, step, details) => this.join(request, step, details, held),
      release: () => {
        const holding = held;
        held = null;
        if (holding === null || holding.size === 0) return;
        for (const [step, groups] of holding) {
          for (const group of groups) {
            for (const part of group.parts) groupFor(this.pending, part.request, step, part.details).parts.push(part);
          }
        }
        this.flushJointCalls();
      },
    };
  }

  /** `request`'s call of `step`: at once when it may not join; else a part of a group in `held` (or pending). */
  private join(request: RequestState, step: Step, details: ResolverExecutionDetails, held: Map<Step, Group[]> | null): unknown {
    if (!this.mayJoinRequests(request, step)) {
      this.stats.aloneCalls++;
      const result = step.execute(details);
      // A call of its own still running: no window may take the request over (MayAdopt).
      if (request.batch != null && result != null && typeof (result as { then?: unknown }).then === "function") request.batch.adoptable = false;
      return result;
    }
    const group = groupFor(held ?? this.pending, request, step, details);
    return new Promise<unknown>((settle, reject) => {
      group.parts.push({ request, details, settle, reject });
      if (held === null) this.schedule();
    });
  }

  /**
   * spec: MayJoinRequests — whether a step call may join other requests' calls: an asynchronous step
   * without side effects that depends on something, not opted out, not known to read the request, in a
   * query (one recording its dependencies too: the joint call hands each record to its request's own).
   */
  private mayJoinRequests(request: RequestState, step: Step): boolean {
    return (
      step.isAsync &&
      !step.hasSideEffects &&
      step.dependencies.length > 0 &&
      crossRequestOf(step) !== false &&
      !this.readsRequest.has(step) &&
      request.plan.operation.operation === "query"
    );
  }

  /** The joint calls start once every request that can reach them has: after the microtasks run out. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flushJointCalls());
  }

  /** spec: FlushJointCalls — one `execute` call per pending group, over its live requests' entries. */
  private flushJointCalls(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = new Map();
    // Requests a window run takes over: their parked calls are never made (the merged run makes them).
    const adopted = this.adopt ? this.adoptWindows(pending) : null;
    for (const groups of pending.values()) {
      for (const group of groups) {
        // A request aborted or timed out while waiting: its entries are dropped from the joint call.
        const live = group.parts.filter((part) => part.request.abortedBy === null && (adopted === null || !adopted.has(part.request)));
        for (const part of group.parts) if (part.request.abortedBy !== null) part.reject(part.request.abortedBy);
        for (const part of live) if (part.request.batch != null) part.request.batch.running++;
        if (live.length > 0) this.runJointCall(group, live);
      }
    }
  }

  /**
   * spec: AdoptWindows — the pending requests that wait only for calls of their root layer's steps (MayAdopt),
   * grouped by plan, limit values and resolvers; each group of two or more runs as one bucket (AdoptWindow).
   * Returns the requests adopted, or null.
   */
  private adoptWindows(pending: Map<Step, Group[]>): Set<RequestState> | null {
    const inRoot = new Map<RequestState, boolean>();
    for (const [step, groups] of pending) {
      for (const group of groups) {
        for (const part of group.parts) {
          const request = part.request;
          inRoot.set(request, (inRoot.get(request) ?? true) && step.layerId === request.plan.rootLayer.id);
        }
      }
    }
    if (inRoot.size < 2) return null;
    const byPlan = new Map<OperationPlan, AdoptedRequest[][]>();
    for (const [request, parked] of inRoot) {
      if (request.batch == null || request.batch.running !== 0 || !mayAdopt(request, parked)) continue;
      let groups = byPlan.get(request.plan);
      if (groups === undefined) byPlan.set(request.plan, (groups = []));
      const same = groups.find((g) => sameLimits(g[0]!.limits, request.limits) && g[0]!.fieldResolver === request.fieldResolver && g[0]!.typeResolver === request.typeResolver);
      if (same === undefined) groups.push([request]);
      else same.push(request);
    }
    let adopted: Set<RequestState> | null = null;
    for (const groups of byPlan.values()) {
      for (const group of groups) {
        if (group.length < 2 || !adoptWindow(group, this.stats)) continue;
        adopted ??= new Set();
        for (const request of group) adopted.add(request);
      }
    }
    return adopted;
  }

  /** spec: RunJointCall — one call for `parts`; any failure of the whole call is isolated by RetryApart. */
  private runJointCall(group: Group, parts: Part[]): void {
    if (parts.length === 1) return this.runAlone(group.step, parts[0]!);
    const step = group.step;
    const { details, total } = jointDetails(group, parts);
    this.stats.jointCalls++;
    this.stats.joinedParts += parts.length;
    let result: unknown;
    try {
      result = step.execute(details);
    } catch (error) {
      return this.retryApart(group, parts, error);
    }
    if (result instanceof MappedResults) result = result.toPromise();
    if (!isPromiseLike(result)) return this.split(group, parts, result, total);
    Promise.resolve(result).then(
      (list) => this.split(group, parts, list, total),
      (error: unknown) => this.retryApart(group, parts, error),
    );
  }

  /** Each request's slice of a joint call's results; a malformed list is isolated like a thrown error. */
  private split(group: Group, parts: Part[], list: unknown, total: number): void {
    if (!Array.isArray(list) || list.length !== total) return this.retryApart(group, parts, null);
    const results = list as unknown[];
    let promised = false;
    for (let i = 0; i < total; i++) {
      const item = results[i];
      if (item instanceof FlaggedValue) {
        if (item.error instanceof RequestRead) return this.retryApart(group, parts, item.error);
      } else if (!promised && isEntryPromise(item)) promised = true;
    }
    let offset = 0;
    for (const part of parts) {
      const count = part.details.count;
      const slice = results.slice(offset, offset + count);
      offset += count;
      if (promised) this.settleChecked(group.step, part, slice);
      else settlePart(part, slice);
    }
  }

  /**
   * A slice holding per-entry promises is handed over once its own promises have settled (ExecuteStep
   * awaits them all before storing anyway, and no other request's entries are waited for); if one of them
   * read `details.request` (rejected, or gave an entry's error), the part runs alone and the step is remembered.
   */
  private settleChecked(step: Step, part: Part, slice: unknown[]): void {
    let pending: Array<Promise<boolean>> | null = null;
    for (let i = 0; i < slice.length; i++) {
      const item = slice[i];
      if (isEntryPromise(item)) (pending ??= []).push(Promise.resolve(item).then(isRequestReadEntry, isRequestRead));
    }
    if (pending === null) return settlePart(part, slice);
    void Promise.all(pending).then((read) => {
      if (!read.includes(true)) return settlePart(part, slice);
      this.readsRequest.add(step);
      if (part.request.abortedBy !== null) return rejectPart(part, part.request.abortedBy);
      this.runAlone(step, part);
    });
  }

  /**
   * spec: RetryApart — a joint call that threw, rejected or returned a malformed list is not any one
   * request's failure: the requests are split in halves and each half called again, down to single
   * requests, whose own call's outcome is theirs alone. A step that read `details.request` runs per request.
   */
  private retryApart(group: Group, parts: Part[], error: unknown): void {
    if (error instanceof RequestRead) {
      this.readsRequest.add(group.step);
      for (const part of parts) this.runAlone(group.step, part);
      return;
    }
    const half = parts.length >> 1;
    this.runJointCall(group, parts.slice(0, half));
    this.runJointCall(group, parts.slice(half));
  }

  /** A request's own call, exactly as without batching. */
  private runAlone(step: Step, part: Part): void {
    this.stats.aloneCalls++;
    let result: unknown;
    try {
      result = step.execute(part.details);
    } catch (error) {
      return rejectPart(part, error);
    }
    settlePart(part, result instanceof MappedResults ? result.toPromise() : result);
  }
}

/** A flushed part's results reach its request: the call no longer runs for it. */
function settlePart(part: Part, results: unknown): void {
  if (part.request.batch != null) part.request.batch.running--;
  part.settle(results);
}

function rejectPart(part: Part, error: unknown): void {
  if (part.request.batch != null) part.request.batch.running--;
  part.reject(error);
}

/** Only an object or a function can be a promise: a scalar result skips the `then` lookup. */
function isEntryPromise(item: unknown): item is PromiseLike<unknown> {
  return (typeof item === "object" || typeof item === "function") && item !== null && isPromiseLike(item);
}

function isRequestRead(error: unknown): boolean {
  return error instanceof RequestRead;
}

function isRequestReadEntry(value: unknown): boolean {
  return value instanceof FlaggedValue && value.error instanceof RequestRead;
}

/** The group in `groups` with the same step, global values (by identity) and limit values; a new one if none. */
function groupFor(groups: Map<Step, Group[]>, request: RequestState, step: Step, details: ResolverExecutionDetails): Group {
  const asGlobal = step.dependencyIsGlobal;
  const values = details.values as unknown[];
  let same = groups.get(step);
  if (same === undefined) groups.set(step, (same = []));
  for (let g = 0; g < same.length; g++) {
    const group = same[g]!;
    if (!sameLimits(group.limits, request.limits)) continue;
    let equal = true;
    for (let k = 0; equal && k < asGlobal.length; k++) if (asGlobal[k] && !Object.is(group.shared[k], values[k])) equal = false;
    if (equal) return group;
  }
  const shared = new Array<unknown>(asGlobal.length);
  for (let k = 0; k < asGlobal.length; k++) if (asGlobal[k]) shared[k] = values[k];
  const group: Group = { step, shared, limits: request.limits, parts: [] };
  same.push(group);
  return group;
}

/** The joint call's details: the parts' lists end to end, the shared global values, a request that only gives its limits. */
function jointDetails(group: Group, parts: Part[]): { details: ResolverExecutionDetails; total: number } {
  const step = group.step;
  let total = 0;
  for (const part of parts) total += part.details.count;
  const asGlobal = step.dependencyIsGlobal;
  const values = new Array<unknown>(asGlobal.length);
  for (let k = 0; k < asGlobal.length; k++) {
    if (asGlobal[k]) {
      values[k] = group.shared[k];
      continue;
    }
    const list = new Array<unknown>(total);
    let at = 0;
    for (const part of parts) {
      const own = (part.details.values as unknown[])[k] as unknown[];
      for (let i = 0; i < own.length; i++) list[at++] = own[i];
    }
    values[k] = list;
  }
  return { details: new JointDetails(total, values, group, parts), total };
}

/** What a joint call's `execute` is given: the signal aborts only when every request in it has. */
class JointDetails implements ResolverExecutionDetails {
  readonly request: RequestState;
  private controller: AbortController | null = null;

  constructor(
    readonly count: number,
    readonly values: unknown[],
    group: Group,
    private readonly parts: Part[],
  ) {
    // Context, root value and variables are per request: a step reading them cannot share a call.
    const limits = group.limits;
    this.request = new Proxy({} as RequestState, {
      get(_target, key) {
        if (key === "limits") return limits;
        throw new RequestRead(group.step);
      },
    });
  }

  get signal(): AbortSignal {
    if (this.controller !== null) return this.controller.signal;
    const controller = (this.controller = new AbortController());
    let open = this.parts.length;
    for (const part of this.parts) {
      const signal = signalOf(part.request);
      const onAbort = (): void => {
        if (--open === 0) controller.abort(signal.reason);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    }
    return controller.signal;
  }

  /** Each entry's record goes to its own request's dependencies (null when no request in the call records them). */
  get deps(): StepDependencies | null {
    const own = this.parts.map((part) => part.details.deps);
    if (own.every((deps) => deps === null)) return null;
    // The joint call's entries are the parts' entries end to end: entry → part, found once per call.
    const starts: number[] = [];
    let at = 0;
    for (const part of this.parts) (starts.push(at), (at += part.details.count));
    return {
      record(entry: number, key: string, version: number | null): void {
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid]! <= entry) lo = mid;
          else hi = mid - 1;
        }
        own[lo]?.record(entry - starts[lo]!, key, version);
      },
      // Versions are read when some part's request keeps them.
      versions: own.some((deps) => deps != null && deps.versions !== false),
    };
  }

  entryPaths(): ReadonlyArray<Path | undefined> {
    const out: Array<Path | undefined> = [];
    for (const part of this.parts) {
      const own = part.details.entryPaths();
      for (let i = 0; i < own.length; i++) out.push(own[i]);
    }
    return out;
  }
}
