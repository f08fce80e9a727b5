// Executes an operation plan for one request, layer by layer. A Bucket holds one layer's entries for the
// request; each step runs once per bucket with a tuple of lists. Allocation is per batch (one list per
// dependency), never per entry; promises are created per step, never per entry (unless a step itself
// returns per-entry promises, which are awaited together). Implements spec/execution.md.

import { isFlagged, fail, flagOf, EngineValueStep, FlaggedValue, FLAG_ERROR, FLAG_INHIBITED, FLAG_NULL, type Step } from "./step.js";
import type { Layer } from "./layer.js";
import type { OperationPlan } from "./operationPlan.js";
import { isItemSettlement, recordPromisedItems, type EngineRequest, type Path, type ResolverExecutionDetails } from "./resolverSteps.js";

/** One layer's entries for one request. */
export interface Bucket {
  readonly layer: Layer;
  readonly count: number;
  readonly parent: Bucket | null;
  /** Entry i of this bucket is entry parentIndex[i] of the parent bucket. */
  readonly parentIndex: Int32Array | null;
  /** List layers: the items of parent entry p are entries childStart[p] .. childStart[p+1]-1. */
  readonly childStart: Int32Array | null;
  /** Other layers: the entry for parent entry p, or -1 when p has none (null, error, other type). */
  readonly entryOfParent: Int32Array | null;
  /** Values per step id for this bucket's entries: results of its own steps, or an ancestor's mapped here. */
  readonly values: Array<unknown[] | undefined>;
  /** The flags present in values[step.id] (an OR of FLAG_*), so clean batches skip the early-exit scan. */
  readonly flags: number[];
  /** Per step id: which entries the step returned as promises (absent when none), for the output's order. */
  readonly promised: Array<Uint8Array | undefined>;
  readonly children: Map<number, Bucket>;
  paths: Array<Path | undefined> | null;
}

/** A request being executed: graphql-js's arguments plus the plan and the global steps' values. */
export interface RequestState extends EngineRequest {
  readonly plan: OperationPlan;
  readonly globals: unknown[];
  readonly globalDone: Uint8Array;
  /** Set when some step returned a promise for an entry (or a list item): see output.md, BuildResponse. */
  promisedEntries?: boolean;
}

type PromiseOrValue<T> = T | Promise<T>;

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value != null && typeof (value as { then?: unknown }).then === "function";
}

function newBucket(
  layer: Layer,
  count: number,
  parent: Bucket | null,
  parentIndex: Int32Array | null,
  childStart: Int32Array | null,
  entryOfParent: Int32Array | null,
): Bucket {
  return { layer, count, parent, parentIndex, childStart, entryOfParent, values: [], flags: [], promised: [], children: new Map(), paths: null };
}

export function newRootBucket(request: RequestState): Bucket {
  return newBucket(request.plan.rootLayer, 1, null, null, null, null);
}

/** The value of a global step (executed once per request). */
export function globalValue(request: RequestState, step: Step): unknown {
  return request.globals[step.id];
}

/** spec: BatchValues — a step's values for every entry of `bucket`, following parent-index maps upward. */
export function batchValues(request: RequestState, bucket: Bucket, step: Step): unknown[] {
  if (step.isGlobal) return new Array(bucket.count).fill(request.globals[step.id]);
  const own = bucket.values[step.id];
  if (own !== undefined) return own;
  if (step.layer === bucket.layer || bucket.parent === null) {
    throw new Error(`graphscale: internal error: ${step} has no values in ${bucket.layer} yet.`);
  }
  const above = batchValues(request, bucket.parent, step);
  const index = bucket.parentIndex!;
  const count = bucket.count;
  const out = new Array<unknown>(count);
  for (let i = 0; i < count; i++) out[i] = above[index[i]!];
  bucket.values[step.id] = out;
  bucket.flags[step.id] = bucket.parent.flags[step.id] ?? 0;
  return out;
}

function flagsPresent(bucket: Bucket, step: Step): number {
  return bucket.flags[step.id] ?? 0;
}

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

/** spec: ExecuteStep — early exit, then one call to execute with the compacted batch. */
function executeStep(request: RequestState, bucket: Bucket, step: Step): PromiseOrValue<void> {
  const count = step.isGlobal ? 1 : bucket.count;
  const deps = step.dependencies;
  const accepts = step.dependencyAcceptFlags;
  const asGlobal = step.dependencyIsGlobal;
  const values = new Array<unknown>(deps.length);
  let filter: number[] | null = null; // dependency indices whose lists hold unaccepted flags
  for (let k = 0; k < deps.length; k++) {
    const dep = deps[k]!;
    if (dep.isGlobal) {
      const value = request.globals[dep.id];
      if (flagOf(value) & ~accepts[k]!) {
        // A global dependency exits the whole batch at once; execute is not called.
        return storeResults(request, bucket, step, new Array(count).fill(outcomeOf(value)));
      }
      values[k] = asGlobal[k] ? value : new Array(count).fill(value);
    } else {
      values[k] = batchValues(request, bucket, dep);
      if (flagsPresent(bucket, dep) & ~accepts[k]!) (filter ??= []).push(k);
    }
  }
  if (filter === null) return callExecute(request, bucket, step, count, values, null, null);

  // Early exit: drop the entries carrying an unaccepted flag and compact every batch list.
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
  if (kept === 0) return storeResults(request, bucket, step, outcomes);
  if (kept === count) return callExecute(request, bucket, step, count, values, null, null);
  for (let k = 0; k < deps.length; k++) {
    if (deps[k]!.isGlobal && asGlobal[k]) continue;
    const full = values[k] as unknown[];
    const compact = new Array<unknown>(kept);
    for (let j = 0; j < kept; j++) compact[j] = full[keep[j]!];
    values[k] = compact;
  }
  return callExecute(request, bucket, step, kept, values, keep.subarray(0, kept), outcomes);
}

function callExecute(
  request: RequestState,
  bucket: Bucket,
  step: Step,
  count: number,
  values: unknown[],
  keep: Int32Array | null,
  outcomes: unknown[] | null,
): PromiseOrValue<void> {
  const details: ResolverExecutionDetails = {
    count,
    values,
    request,
    entryPaths: () => {
      const all = entryPaths(bucket);
      if (step.isGlobal) return [all[0]];
      if (keep === null) return all;
      const out = new Array<Path | undefined>(keep.length);
      for (let j = 0; j < keep.length; j++) out[j] = all[keep[j]!];
      return out;
    },
  };
  let result: unknown;
  try {
    result = step.execute(details);
  } catch (error) {
    return storeResults(request, bucket, step, expand(new Array(count).fill(fail(error)), keep, outcomes));
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(
      (list) => settleResults(request, bucket, step, list, count, keep, outcomes),
      (error: unknown) => storeResults(request, bucket, step, expand(new Array(count).fill(fail(error)), keep, outcomes)),
    );
  }
  return settleResults(request, bucket, step, result, count, keep, outcomes);
}

/** Checks the result list, awaits any per-entry promises in it, and stores it. */
function settleResults(
  request: RequestState,
  bucket: Bucket,
  step: Step,
  list: unknown,
  count: number,
  keep: Int32Array | null,
  outcomes: unknown[] | null,
): PromiseOrValue<void> {
  if (!Array.isArray(list) || list.length !== count) {
    const got = Array.isArray(list) ? `a list of ${(list as unknown[]).length} results` : `${list === null ? "null" : typeof list}`;
    const error = new Error(`graphscale: ${step} returned ${got} for a batch of ${count} entries; execute must return exactly one result per entry.`);
    return storeResults(request, bucket, step, expand(new Array(count).fill(fail(error)), keep, outcomes));
  }
  let pending: Promise<unknown>[] | null = null;
  let promised: Uint8Array | null = null;
  for (let i = 0; i < count; i++) {
    const item: unknown = (list as unknown[])[i];
    if (isPromiseLike(item)) {
      if (pending === null) {
        pending = [];
        list = (list as unknown[]).slice(); // never write into a list the step may still hold
        if (!step.isGlobal) promised = new Uint8Array(bucket.count);
        request.promisedEntries = true;
      }
      if (promised !== null && !isItemSettlement(item)) promised[keep === null ? i : keep[i]!] = 1;
      const at = i;
      const out = list as unknown[];
      pending.push(
        Promise.resolve(item).then(
          (v) => void (out[at] = v),
          (e: unknown) => void (out[at] = fail(e)),
        ),
      );
    }
  }
  if (pending !== null) {
    const out = list as unknown[];
    return Promise.all(pending).then(() => {
      storeResults(request, bucket, step, expand(out, keep, outcomes));
      if (promised !== null) bucket.promised[step.id] = promised;
    });
  }
  return storeResults(request, bucket, step, expand(list as unknown[], keep, outcomes));
}

/** Puts the results of a compacted batch back at their entries, beside the dropped entries' outcomes. */
function expand(results: unknown[], keep: Int32Array | null, outcomes: unknown[] | null): unknown[] {
  if (keep === null) return results;
  const full = outcomes!;
  for (let j = 0; j < keep.length; j++) full[keep[j]!] = results[j];
  return full;
}

function storeResults(request: RequestState, bucket: Bucket, step: Step, results: unknown[]): void {
  if (step.isGlobal) {
    request.globals[step.id] = results[0];
    request.globalDone[step.id] = 1;
    return;
  }
  let flags = 0;
  for (let i = 0; i < results.length; i++) {
    const v = results[i];
    if (v == null) flags |= FLAG_NULL;
    else if (v instanceof FlaggedValue) flags |= v.flag;
  }
  bucket.values[step.id] = results;
  bucket.flags[step.id] = flags;
}

/** spec: ExecuteLayer — the bucket's steps in dependency order, independent ones concurrently, then its child layers. */
export function executeBucket(request: RequestState, bucket: Bucket): PromiseOrValue<void> {
  if (bucket.count === 0) return;
  let pending: Map<Step, Promise<void>> | null = null;
  for (const step of bucket.layer.steps) {
    if (step instanceof EngineValueStep) continue;
    if (step.isGlobal && request.globalDone[step.id] === 1) continue;
    let waits: Promise<void>[] | null = null;
    if (pending !== null) {
      for (const dep of step.dependencies) {
        const p = pending.get(dep);
        if (p !== undefined) (waits ??= []).push(p);
      }
    }
    if (waits === null) {
      const r = executeStep(request, bucket, step);
      if (r !== undefined) (pending ??= new Map()).set(step, r);
    } else {
      pending!.set(
        step,
        Promise.all(waits).then(() => executeStep(request, bucket, step)),
      );
    }
  }
  if (pending !== null) return Promise.all(pending.values()).then(() => executeChildren(request, bucket));
  return executeChildren(request, bucket);
}

/**
 * Child layers start once their parent's steps are done; siblings run concurrently. Mutation field layers
 * are not started here: the output runs them one after another (ExecuteFieldsSerially), each completed
 * before the next starts, so a failed non-null mutation field stops the later ones as in graphql-js.
 */
function executeChildren(request: RequestState, bucket: Bucket): PromiseOrValue<void> {
  let waits: Promise<void>[] | null = null;
  for (const layer of bucket.layer.children) {
    if (layer.reason.type === "mutationField") continue;
    const r = startChild(request, bucket, layer);
    if (r !== undefined) (waits ??= []).push(r);
  }
  if (waits === null) return;
  return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
}

/** spec: ExecuteMutationField — one root mutation field's layer (and the layers below it), for the output. */
export function executeMutationField(request: RequestState, rootBucket: Bucket, layer: Layer): PromiseOrValue<Bucket> {
  const done = startChild(request, rootBucket, layer);
  if (done === undefined) return rootBucket.children.get(layer.id)!;
  return done.then(() => rootBucket.children.get(layer.id)!);
}

function startChild(request: RequestState, parent: Bucket, layer: Layer): Promise<void> | undefined {
  const child = createBucket(request, parent, layer);
  if (isPromiseLike(child)) {
    return (child as Promise<Bucket>).then((b) => {
      parent.children.set(layer.id, b);
      return executeBucket(request, b);
    });
  }
  parent.children.set(layer.id, child);
  const r = executeBucket(request, child);
  return r === undefined ? undefined : r;
}

/** spec: CreateBucket — the entries of a child layer, from its parent's results. */
function createBucket(request: RequestState, parent: Bucket, layer: Layer): PromiseOrValue<Bucket> {
  const reason = layer.reason;
  switch (reason.type) {
    case "nullableBoundary":
    case "polymorphic": {
      const values = batchValues(request, parent, reason.parentStep);
      const types = reason.type === "polymorphic" ? batchValues(request, parent, reason.typeStep) : null;
      const typeName = reason.type === "polymorphic" ? reason.typeName : null;
      const entryOfParent = new Int32Array(parent.count);
      const index = new Int32Array(parent.count);
      let count = 0;
      for (let p = 0; p < parent.count; p++) {
        const v = values[p];
        if (v == null || v instanceof FlaggedValue || (types !== null && types[p] !== typeName)) {
          entryOfParent[p] = -1;
          continue;
        }
        entryOfParent[p] = count;
        index[count++] = p;
      }
      return newBucket(layer, count, parent, index.subarray(0, count), null, entryOfParent);
    }
    case "listItem":
      return createListBucket(request, parent, layer, reason.listStep);
    case "mutationField":
    case "subscriptionEvent":
    case "root":
      return newBucket(layer, 1, parent, Int32Array.of(0), null, Int32Array.of(0));
  }
}

function isIterableObject(value: unknown): value is Iterable<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

/**
 * A list value as an array; any other iterable is read once and written back (a generator can only be read
 * once, and the output must see the same items). Returns null for a value that is not a list.
 */
export function listAt(request: RequestState, bucket: Bucket, step: Step, entry: number): unknown[] | null {
  if (step.isGlobal) {
    const v = request.globals[step.id];
    if (Array.isArray(v)) return v;
    if (!isIterableObject(v)) return null;
    const arr = Array.from(v);
    request.globals[step.id] = arr;
    return arr;
  }
  const values = batchValues(request, bucket, step);
  const v = values[entry];
  if (Array.isArray(v)) return v;
  if (!isIterableObject(v)) return null;
  const arr = Array.from(v);
  values[entry] = arr;
  return arr;
}

function createListBucket(request: RequestState, parent: Bucket, layer: Layer, listStep: Step): PromiseOrValue<Bucket> {
  const parentCount = parent.count;
  const childStart = new Int32Array(parentCount + 1);
  let total = 0;
  const lists = new Array<unknown[] | null>(parentCount);
  for (let p = 0; p < parentCount; p++) {
    childStart[p] = total;
    const l = listAt(request, parent, listStep, p);
    lists[p] = l;
    if (l !== null) total += l.length;
  }
  childStart[parentCount] = total;
  const index = new Int32Array(total);
  const items = new Array<unknown>(total);
  const errorItems = layer.errorValuesAreErrors;
  let promises: Promise<unknown>[] | null = null;
  let at = 0;
  for (let p = 0; p < parentCount; p++) {
    const l = lists[p];
    if (l === null) continue;
    let promised: Uint8Array | null = null;
    for (let k = 0; k < l.length; k++) {
      let item = l[k];
      if (errorItems && item instanceof Error) item = fail(item);
      else if (isPromiseLike(item)) {
        (promised ??= new Uint8Array(l.length))[k] = 1;
        request.promisedEntries = true;
        const slot = at;
        (promises ??= []).push(
          Promise.resolve(item).then(
            (v) => void (items[slot] = errorItems && v instanceof Error ? fail(v) : v),
            (e: unknown) => void (items[slot] = fail(e)),
          ),
        );
      }
      items[at] = item;
      index[at++] = p;
    }
    if (promised !== null) recordPromisedItems(l, promised); // the output completes these items as promises
  }
  const finish = (): Bucket => {
    const bucket = newBucket(layer, total, parent, index, childStart, null);
    const itemStep = layer.itemStep!;
    let flags = 0;
    for (let i = 0; i < total; i++) {
      const v = items[i];
      if (v == null) flags |= FLAG_NULL;
      else if (v instanceof FlaggedValue) flags |= v.flag;
    }
    bucket.values[itemStep.id] = items;
    bucket.flags[itemStep.id] = flags;
    return bucket;
  };
  if (promises !== null) return Promise.all(promises).then(finish);
  return finish();
}

/** spec: EntryPaths — each entry's response path, built only for the steps that need `info.path`. */
export function entryPaths(bucket: Bucket): Array<Path | undefined> {
  if (bucket.paths !== null) return bucket.paths;
  const layer = bucket.layer;
  const reason = layer.reason;
  let paths: Array<Path | undefined>;
  if (bucket.parent === null || reason.type === "mutationField" || reason.type === "subscriptionEvent" || reason.type === "root") {
    paths = new Array(bucket.count).fill(undefined);
  } else {
    const above = entryPaths(bucket.parent);
    const index = bucket.parentIndex!;
    paths = new Array(bucket.count);
    if (reason.type === "listItem") {
      const start = bucket.childStart!;
      for (let i = 0; i < bucket.count; i++) {
        const p = index[i]!;
        const listPath: Path | undefined =
          reason.responseKey === null ? above[p] : { prev: above[p], key: reason.responseKey, typename: layer.pathTypename };
        paths[i] = { prev: listPath, key: i - start[p]!, typename: undefined };
      }
    } else {
      const key = reason.responseKey;
      for (let i = 0; i < bucket.count; i++) {
        const p = index[i]!;
        paths[i] = key === "" ? above[p] : { prev: above[p], key, typename: layer.pathTypename };
      }
    }
  }
  bucket.paths = paths;
  return paths;
}

export { isFlagged };
