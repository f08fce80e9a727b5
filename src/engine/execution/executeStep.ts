// ExecuteStep: one call of a step's `execute` for one bucket — early exit first (entries carrying a flag a
// dependency does not accept are dropped and the batch compacted), then the call, then its results checked
// and stored in one pass. Allocation is per batch (one list per dependency), never per entry; promises are
// made per step, never per entry, unless the step itself returned per-entry promises.

import { fail, flagOf, flagsOf, FlaggedValue, FLAG_ERROR, FLAG_INHIBITED, FLAG_NULL } from "../flags.js";
import type { Step } from "../step.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import type { Path, ResolverExecutionDetails } from "../planning/resolveInfo.js";
import { isItemSettlement } from "../promisedItems.js";
import { MappedResults } from "../mappedResults.js";
import { pathKey, type StepDependencies } from "../deps.js";
import { batchValues, entryPaths, isGlobalIn, signalOf, type Bucket, type RequestState } from "./bucket.js";
import { NOT_GROUPED, runResolverGroup, type ResolverGroup } from "./resolverGroup.js";
import { EntryWait } from "./entryWait.js";
import type { StepSpan } from "../tracing/tracing.js";

/** Error beats inhibited beats null when an entry carries several unaccepted flags. */
function stronger(current: unknown, candidate: unknown): unknown {
  if (current === undefined) return candidate;
  const a = flagOf(current);
  const b = flagOf(candidate);
  if (a === FLAG_ERROR) return current;
  if (b === FLAG_ERROR) return candidate;
  if (a === FLAG_INHIBITED) return current;
  return candidate;
}

/** The value a dropped entry gets: the flag's own outcome (null, the error, or inhibited). */
function outcomeOf(value: unknown): unknown {
  return value instanceof FlaggedValue ? value : null;
}

/**
 * `count` copies of `value`. A one-entry batch (every global step, every root field) gets a literal:
 * `new Array(1).fill(value)` costs several times as much, and it is on every request's path.
 */
export function repeated(count: number, value: unknown): unknown[] {
  if (count === 1) return [value];
  const out = new Array<unknown>(count);
  for (let i = 0; i < count; i++) out[i] = value;
  return out;
}

/** The entries of a compacted batch: which entries run, and the outcomes of the dropped ones. */
interface Compaction {
  readonly keep: Int32Array;
  readonly outcomes: unknown[];
}

/**
 * Told when a step that went asynchronous is done (its results stored), in the callback that stored them:
 * a layer's run (executeLayer.ts) then starts what waited for the step without a promise hop of its own.
 */
export interface StepWaiter {
  stepDone(index: number): void;
  stepFailed(error: unknown): void;
}

/**
 * What ExecuteStep reads of a step, copied once into one object shape. A plan's steps are of many classes,
 * so reading these fields from the steps themselves is a megamorphic property read every time.
 */
export class StepFacts {
  readonly id: number;
  readonly isGlobal: boolean;
  readonly dependencies: readonly Step[];
  /** Per dependency: its step id and whether it is global (the step's own lists, by reference, for the rest). */
  readonly depIds: readonly number[];
  readonly depIsGlobal: readonly boolean[];
  /** Per dependency: handed over as a bare value rather than a list. */
  readonly asGlobal: readonly boolean[];
  readonly accepts: readonly number[];
  /** The global property reads of this global step's value, done as it is stored (set by the layer's schedule). */
  reads: readonly EagerRead[] | null = null;
  /** The Resolver steps this one runs with (set by the layer's schedule: GroupResolverSteps), or null. */
  group: ResolverGroup | null = null;

  constructor(readonly step: Step) {
    this.id = step.id;
    this.isGlobal = step.isGlobal;
    this.dependencies = step.dependencies;
    this.depIds = step.dependencies.map((d) => d.id);
    this.depIsGlobal = step.dependencies.map((d) => d.isGlobal);
    this.asGlobal = step.dependencyIsGlobal;
    this.accepts = step.dependencyAcceptFlags;
  }
}

/** A global step that only reads a property path of another global step's value (EagerReads). */
export class EagerRead {
  constructor(
    readonly id: number,
    readonly path: ReadonlyArray<string | number>,
  ) {}
}

/** Facts are taken once the plan is final: a step executes only then, and its fields do not change after. */
const factsByStep = new WeakMap<Step, StepFacts>();

export function factsOf(step: Step): StepFacts {
  let facts = factsByStep.get(step);
  if (facts === undefined) factsByStep.set(step, (facts = new StepFacts(step)));
  return facts;
}

/**
 * spec: ExecuteStep — early exit, then one call to execute with the compacted batch. Returns undefined when
 * the step finished synchronously; otherwise a promise, and `waiter` (if any) is told `index` once it is done.
 */
export function executeStep(request: RequestState, bucket: Bucket, step: Step, waiter: StepWaiter | null = null, index = 0): PromiseOrValue<void> {
  return runStep(request, bucket, factsOf(step), waiter, index);
}

/** ExecuteStep from a step's facts (a layer's schedule holds them). */
export function runStep(request: RequestState, bucket: Bucket, facts: StepFacts, waiter: StepWaiter | null, index: number): PromiseOrValue<void> {
  // A global step already has its value: a constant, or a read done as its dependency's value was stored.
  if (facts.isGlobal && request.globalDone[facts.id] === true) return undefined;
  // In a window's merged run, a global step that varies between its requests runs for every root entry.
  const merged = request.merged;
  const count = isGlobalHere(request, facts) ? 1 : bucket.count;
  // An aborted request starts no step: its entries all fail with the reason.
  if (request.abortedBy !== null) return storeResults(request, bucket, facts, repeated(count, fail(request.abortedBy)));
  if (facts.group !== null) {
    const grouped = runResolverGroup(request, bucket, facts, waiter, index);
    if (grouped !== NOT_GROUPED) return grouped;
  }
  const depIds = facts.depIds;
  const depIsGlobal = facts.depIsGlobal;
  const accepts = facts.accepts;
  const asGlobal = facts.asGlobal;
  const n = depIds.length;
  const values = new Array<unknown>(n);
  let filter: number[] | null = null; // dependency indices whose lists hold unaccepted flags
  for (let k = 0; k < n; k++) {
    const id = depIds[k]!;
    if (depIsGlobal[k] && (merged == null || merged.varying[id] !== 1)) {
      const value = request.globals[id];
      if (flagOf(value) & ~accepts[k]!) {
        // A global dependency exits the whole batch at once; execute is not called.
        return storeResults(request, bucket, facts, repeated(count, outcomeOf(value)));
      }
      values[k] = asGlobal[k] ? value : repeated(count, value);
    } else {
      values[k] = bucket.values[id] ?? batchValues(request, bucket, facts.dependencies[k]!);
      if ((bucket.flags[id] ?? 0) & ~accepts[k]!) (filter ??= []).push(k);
    }
  }
  if (filter === null) return callExecute(request, bucket, facts, count, values, null, waiter, index);
  const compaction = earlyExit(facts, values, filter, count);
  if (compaction === null) return callExecute(request, bucket, facts, count, values, null, waiter, index);
  if (compaction.keep.length === 0) return storeResults(request, bucket, facts, compaction.outcomes);
  return callExecute(request, bucket, facts, compaction.keep.length, values, compaction, waiter, index);
}

/** Whether the step has one value for the whole request here (isGlobalIn, from the step's facts). */
function isGlobalHere(request: RequestState, facts: StepFacts): boolean {
  if (!facts.isGlobal) return false;
  const merged = request.merged;
  return merged == null || merged.varying[facts.id] !== 1;
}

/**
 * A step call failed as a whole (it threw, rejected, or returned a malformed list): in a window's merged
 * run, that is no one request's failure, so the run is not used (AdoptWindow falls back).
 */
function callFailed(request: RequestState): void {
  if (request.merged != null) request.merged.failed = true;
}

/** spec: EarlyExit — drops the entries carrying an unaccepted flag and compacts every batch list in place. */
function earlyExit(facts: StepFacts, values: unknown[], filter: number[], count: number): Compaction | null {
  const accepts = facts.accepts;
  const keep = new Int32Array(count);
  let kept = 0;
  const outcomes = new Array<unknown>(count);
  for (let i = 0; i < count; i++) {
    let dropped: unknown = undefined;
    for (let f = 0; f < filter.length; f++) {
      const k = filter[f]!;
      const v = (values[k] as unknown[])[i];
      if (flagOf(v) & ~accepts[k]!) dropped = stronger(dropped, outcomeOf(v));
    }
    if (dropped === undefined) keep[kept++] = i;
    else outcomes[i] = dropped;
  }
  if (kept === count) return null;
  const depIsGlobal = facts.depIsGlobal;
  for (let k = 0; k < depIsGlobal.length; k++) {
    if (depIsGlobal[k] && facts.asGlobal[k]) continue;
    const full = values[k] as unknown[];
    const list = new Array<unknown>(kept);
    for (let j = 0; j < kept; j++) list[j] = full[keep[j]!];
    values[k] = list;
  }
  return { keep: keep.subarray(0, kept), outcomes };
}

/**
 * What `execute` is given. A class, so the signal and the entry paths are computed only when a step asks
 * (most never do) and a call allocates one small object, not closures.
 */
export class StepExecutionDetails implements ResolverExecutionDetails {
  // Declared, not class fields: a field is defined (as undefined) before the constructor assigns it, and this
  // object is made for every step call.
  declare readonly count: number;
  declare readonly values: unknown[];
  declare readonly request: RequestState;
  declare private readonly bucket: Bucket;
  declare private readonly step: Step;
  declare private readonly keep: Int32Array | null;

  constructor(count: number, values: unknown[], request: RequestState, bucket: Bucket, step: Step, keep: Int32Array | null) {
    this.count = count;
    this.values = values;
    this.request = request;
    this.bucket = bucket;
    this.step = step;
    this.keep = keep;
  }

  get signal(): AbortSignal {
    return signalOf(this.request);
  }

  /** Null unless the request records dependencies: then each entry's subtree gets what `record` is given. */
  get deps(): StepDependencies | null {
    const deps = this.request.deps;
    if (deps === undefined || deps === null) return null;
    const paths = this.entryPaths();
    // Each entry's path is named once, however many keys it records.
    const names = new Array<string | undefined>(paths.length);
    const keep = this.keep;
    return {
      record: (entry, key, version) =>
        deps.record((names[entry] ??= pathKey(paths[entry])), key, version, this.bucket, this.step, keep === null || isGlobalIn(this.request, this.step) ? entry : keep[entry]!),
      versions: deps.versions,
    };
  }

  entryPaths(): ReadonlyArray<Path | undefined> {
    const all = entryPaths(this.bucket);
    if (isGlobalIn(this.request, this.step)) return [all[0]];
    const keep = this.keep;
    if (keep === null) return all;
    const out = new Array<Path | undefined>(keep.length);
    for (let j = 0; j < keep.length; j++) out[j] = all[keep[j]!];
    return out;
  }
}

function callExecute(
  request: RequestState,
  bucket: Bucket,
  facts: StepFacts,
  count: number,
  values: unknown[],
  compaction: Compaction | null,
  waiter: StepWaiter | null,
  index: number,
): PromiseOrValue<void> {
  const step = facts.step;
  const details = new StepExecutionDetails(count, values, request, bucket, step, compaction === null ? null : compaction.keep);
  let result: unknown;
  // TraceStep (spec/tracing.md) — tracing on, the call's span (one per step per bucket, never per entry), ended below when
  // the call's result is in: in the reaction this function registers anyway, so tracing adds none of its own.
  const trace = request.trace;
  let span: StepSpan | null = null;
  try {
    const callStep = request.callStep;
    if (trace != null) {
      span = trace.traceStep(bucket, step, count, compaction === null ? 0 : compaction.outcomes.length - compaction.keep.length);
      result = trace.inStep(span, request, step, details);
    } else result = callStep == null ? step.execute(details) : callStep(request, step, details);
  } catch (error) {
    if (span !== null) trace!.stepEnded(span, error);
    callFailed(request);
    return storeResults(request, bucket, facts, expand(repeated(count, fail(error)), compaction));
  }
  // MapResults: the step's own mapping of its promise's value is applied here, in this callback.
  let map: ((value: unknown) => unknown) | null = null;
  if (result instanceof MappedResults) {
    map = result.map;
    result = result.promise;
  }
  // The `then` check written out here, not through isPromiseLike: this site sees only a step's lists and
  // promises, so its property lookup stays fast, where the shared helper's sees every kind of value.
  if (result != null && typeof (result as { then?: unknown }).then === "function") {
    return awaitResults(request, bucket, facts, count, compaction, waiter, index, trace, span, map, result as PromiseLike<unknown>);
  }
  if (map !== null) {
    try {
      result = map(result);
    } catch (error) {
      if (span !== null) trace!.stepEnded(span, error);
      callFailed(request);
      return storeResults(request, bucket, facts, expand(repeated(count, fail(error)), compaction));
    }
  }
  if (span !== null) trace!.stepEnded(span, undefined);
  const settled = settleResults(request, bucket, facts, result, count, compaction);
  if (settled !== undefined && waiter !== null) tell(waiter, index, settled);
  return settled;
}

/**
 * CallExecute's promise: its results stored once it settles (mapped first by MapResults' function). Apart
 * from callExecute so that its closures capture this function's variables only: a function whose variables
 * a closure captures makes their context on every call, and most step calls return their lists at once.
 */
function awaitResults(
  request: RequestState,
  bucket: Bucket,
  facts: StepFacts,
  count: number,
  compaction: Compaction | null,
  waiter: StepWaiter | null,
  index: number,
  trace: RequestState["trace"],
  span: StepSpan | null,
  map: ((value: unknown) => unknown) | null,
  result: PromiseLike<unknown>,
): Promise<void> {
  const failed = (error: unknown): void => {
    if (span !== null) trace!.stepEnded(span, error);
    callFailed(request);
    storeResults(request, bucket, facts, expand(repeated(count, fail(error)), compaction));
    if (waiter !== null) waiter.stepDone(index);
  };
  return Promise.resolve(result).then((value) => {
    let list = value;
    if (map !== null) {
      try {
        list = map(value);
      } catch (error) {
        return failed(error);
      }
    }
    if (span !== null) trace!.stepEnded(span, undefined);
    if (waiter === null) return settleResults(request, bucket, facts, list, count, compaction);
    try {
      tell(waiter, index, settleResults(request, bucket, facts, list, count, compaction));
    } catch (error) {
      waiter.stepFailed(error);
    }
  }, failed);
}

/** Tells the waiter the step is done: now, or once the per-entry promises its results held have settled. */
function tell(waiter: StepWaiter, index: number, settled: PromiseOrValue<void>): void {
  if (settled === undefined) waiter.stepDone(index);
  else (settled as Promise<void>).then(() => waiter.stepDone(index), (error: unknown) => waiter.stepFailed(error));
}

/** spec: SettleResults — checks the result list, awaits any per-entry promises in it, and stores it. */
export function settleResults(
  request: RequestState,
  bucket: Bucket,
  facts: StepFacts,
  list: unknown,
  count: number,
  compaction: Compaction | null,
): PromiseOrValue<void> {
  if (!Array.isArray(list) || list.length !== count) {
    const got = Array.isArray(list) ? `a list of ${(list as unknown[]).length} results` : `${list === null ? "null" : typeof list}`;
    const error = new Error(`graphscale: ${facts.step} returned ${got} for a batch of ${count} entries; execute must return exactly one result per entry.`);
    callFailed(request);
    return storeResults(request, bucket, facts, expand(repeated(count, fail(error)), compaction));
  }
  const keep = compaction === null ? null : compaction.keep;
  let out = list as unknown[];
  let pending: EntryWait | null = null;
  let promised: Uint8Array | null = null;
  let flags = 0;
  for (let i = 0; i < count; i++) {
    const item: unknown = out[i];
    if (item == null) flags |= FLAG_NULL;
    else if (item instanceof FlaggedValue) flags |= item.flag;
    // Only an object or a function can be a promise: a scalar result skips the `then` lookup.
    else if ((typeof item === "object" || typeof item === "function") && isPromiseLike(item)) {
      if (pending === null) {
        pending = new EntryWait(false);
        out = out.slice(); // never write into a list the step may still hold
        if (!isGlobalHere(request, facts)) promised = new Uint8Array(bucket.count);
        request.promisedEntries = true;
      }
      if (promised !== null && !isItemSettlement(item)) promised[keep === null ? i : keep[i]!] = 1;
      pending.add(item as PromiseLike<unknown>, out, i);
    }
  }
  if (pending !== null) {
    const target = out;
    return pending.ended(() => {
      storeResults(request, bucket, facts, expand(target, compaction));
      if (promised !== null) bucket.promised[facts.id] = promised;
    });
  }
  // The one scan above found every flag: the store needs no second pass, unless dropped entries join in.
  return storeResults(request, bucket, facts, expand(out, compaction), compaction === null ? flags : -1);
}

/** Puts the results of a compacted batch back at their entries, beside the dropped entries' outcomes. */
function expand(results: unknown[], compaction: Compaction | null): unknown[] {
  if (compaction === null) return results;
  const { keep, outcomes } = compaction;
  for (let j = 0; j < keep.length; j++) outcomes[keep[j]!] = results[j];
  return outcomes;
}

/** Stores a step's results for the bucket (or the request, for a global step) with the flags they carry. */
function storeResults(request: RequestState, bucket: Bucket, facts: StepFacts, results: unknown[], knownFlags = -1): void {
  const id = facts.id;
  if (isGlobalHere(request, facts)) {
    const value = results[0];
    request.globals[id] = value;
    request.globalDone[id] = true;
    if (facts.reads !== null && value !== null && typeof value === "object" && !(value instanceof FlaggedValue)) eagerReads(request, facts.reads, value);
    return;
  }
  bucket.values[id] = results;
  bucket.flags[id] = knownFlags < 0 ? flagsOf(results) : knownFlags;
}

/**
 * spec: EagerReads — the global steps that only read a property path of a global value just stored (an
 * object, not a flag) take their values now, and are done: they never run as steps. A read that throws (a
 * getter) or gives a promise is left to its step, which reports or awaits it as usual.
 */
export function eagerReads(request: RequestState, reads: readonly EagerRead[], value: object): void {
  for (let r = 0; r < reads.length; r++) {
    const read = reads[r]!;
    const path = read.path;
    let v: unknown = value;
    try {
      for (let k = 0; k < path.length && v != null; k++) v = (v as Record<string | number, unknown>)[path[k]!];
    } catch {
      continue;
    }
    if ((typeof v === "object" || typeof v === "function") && v !== null && isPromiseLike(v)) continue;
    request.globals[read.id] = v;
    request.globalDone[read.id] = true;
  }
}
