// Bucket: one layer's entries for one request, and the request state the executor carries. The executor
// fills buckets (values per step, flags, which entries were promises); everything else only reads them.
// A value from an ancestor layer reaches a child's entries through the parent-index map, never by copy
// unless a step asks for the whole batch (batchValues). Allocates per batch, never per entry.

import type { GraphQLError } from "graphql";
import type { Step } from "../step.js";
import type { Layer, EntrySelection, ListWalk, ParentEntries } from "../planning/layer.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import type { EngineRequest, Path, ResolverExecutionDetails } from "../planning/resolveInfo.js";
import { isIterableObject } from "../promiseOrValue.js";
import type { RequestDeps } from "../deps.js";
import type { RequestTrace } from "../tracing/tracing.js";

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
  /** The child layers' buckets by layer id (NO_CHILDREN until the first: setChild). */
  children: ReadonlyMap<number, Bucket>;
  paths: Array<Path | undefined> | null;
  /**
   * -1 for an opened bucket. A list layer left unopened for the compiled output to walk in the data
   * (LeaveForWalk) has no entries, and holds here the entries it reserved for itself and the layers below.
   */
  readonly walkedEntries: number;
}

/** A request being executed: graphql-js's arguments plus the plan and the global steps' values. */
export interface RequestState extends EngineRequest {
  readonly plan: OperationPlan;
  readonly globals: unknown[];
  /** Which global steps have run (by step id; a plain array: cheaper to make than a typed one per request). */
  readonly globalDone: boolean[];
  /** Set when some step returned a promise for an entry (or a list item): see output.md, BuildResponse. */
  promisedEntries?: boolean;
  /** The signal steps see (aborted by the caller's signal or the timeout): made when a step first asks for it. */
  controller: AbortController | null;
  /** The caller's own AbortSignal, if any. */
  readonly callerSignal: AbortSignal | null;
  /** Set when the request was aborted or timed out: no step starts after it. */
  abortedBy: Error | null;
  /** Entries the request's list layers have produced so far (maxResponseEntries). */
  entries: number;
  /** Whether the response may be built by the plan's compiled output (spec/output.md, CompileOutput). */
  readonly compileOutput: boolean;
  /** executeToJSON: the compiled output may write `data` as JSON text (a RawJSON) instead of objects. */
  readonly jsonText?: boolean;
  /** Set when the request records its dependencies (`execute({ deps: true })`, spec/reactivity.md). */
  readonly deps?: RequestDeps | null;
  /** Set by a cross-request batching executor: calls a step's `execute` for this request (spec/cross-request-batching.md). */
  readonly callStep?: StepCaller | null;
  /**
   * "left" once some list layer was left unopened for the compiled output (LeaveForWalk), or some object
   * layer it reads from globals was left without a bucket (IsGlobalObject); "opening" while the output
   * opens them after all (OpenWalkedLists), when no layer is left unopened any more.
   */
  walkedLists?: "left" | "opening";
  /** Set by a cross-request batching executor: what it tracks of the request to run it in a window (spec/cross-request-batching.md). */
  readonly batch?: BatchState | null;
  /** Set only for a window's merged run: which global steps vary between its requests (AdoptWindow). */
  readonly merged?: MergedState | null;
  /** Set when the request is traced (spec/tracing.md): each phase's spans; null or absent, tracing is off. */
  readonly trace?: RequestTrace | null;
}

/**
 * What a batching executor tracks of one of its requests, so that a window may adopt it (AdoptWindow): its
 * root bucket and the run waiting for it, once started, and whether it may still be adopted.
 */
export interface BatchState {
  root: Bucket | null;
  finisher: RequestFinisher | null;
  /** False once the request made an asynchronous call no window can take over, or its window run fell back. */
  adoptable: boolean;
  /** The request's calls in joint calls not settled yet: a request with some is not adopted. */
  running: number;
  /** The merged run whose root entry the request's response is built from, once a window adopted it. */
  merged: RequestState | null;
}

/** The run waiting for a request's root layer: told the layer is done, here or at entry `entry` of another root bucket. */
export interface RequestFinisher {
  layerDone(): void;
  layerFailed(error: unknown): void;
  /** The request's root entry is entry `entry` of `root` (a window's merged root bucket): its response is built from there. */
  rootDone(root: Bucket, entry: number): void;
}

/**
 * A window's merged run (AdoptWindow): one root entry per adopted request. A global step marked in `varying`
 * has one value per root entry (different requests, different values): it is held in the buckets as a
 * non-global step's values are, and a step that runs with such a dependency runs once for every entry.
 */
export interface MergedState {
  readonly varying: Uint8Array;
  /** Set when a step call failed as a whole, or read what belongs to one request: the run is not used. */
  failed: boolean;
  /** Per unopened bucket (LeaveForWalk): the entries each parent entry's list would open, for each request's share. */
  readonly walked: Map<Bucket, Int32Array>;
}

/** Whether `step` has one value for the whole request here: a global step, unless it varies in a merged run. */
export function isGlobalIn(request: RequestState, step: Step): boolean {
  if (!step.isGlobal) return false;
  const merged = request.merged;
  return merged == null || merged.varying[step.id] !== 1;
}

/** Calls `step.execute(details)`, or joins the call to other requests' calls of the same step. */
export type StepCaller = (request: RequestState, step: Step, details: ResolverExecutionDetails) => unknown;

/** What the output returns: graphql-js's result without extensions. */
export interface ResponseData {
  errors?: GraphQLError[];
  data: Record<string, unknown> | null;
}

/**
 * A bucket's child layer buckets by layer id: the first two in fields, any more in pairs in an array, read
 * by a scan (a bucket has one child per child layer, rarely more than two; a Map weighs some hundred bytes
 * and costs more to make).
 */
class ChildBuckets implements ReadonlyMap<number, Bucket> {
  private id0: number;
  private child0: Bucket;
  private id1 = -1;
  private child1: Bucket | undefined = undefined;
  /** The children after the first two: layer id and bucket, in pairs, in the order they were set. */
  private more: Array<number | Bucket> | null = null;

  constructor(layerId: number, child: Bucket) {
    this.id0 = layerId;
    this.child0 = child;
  }

  get size(): number {
    return this.id1 < 0 ? 1 : 2 + (this.more === null ? 0 : this.more.length >> 1);
  }

  get(layerId: number): Bucket | undefined {
    if (layerId === this.id0) return this.child0;
    if (layerId === this.id1) return this.child1;
    const more = this.more;
    if (more !== null) for (let i = 0; i < more.length; i += 2) if (more[i] === layerId) return more[i + 1] as Bucket;
    return undefined;
  }

  has(layerId: number): boolean {
    return this.get(layerId) !== undefined;
  }

  /** Sets (or replaces) the bucket of layer `layerId`. */
  set(layerId: number, child: Bucket): void {
    if (layerId === this.id0) this.child0 = child;
    else if (layerId === this.id1) this.child1 = child;
    else if (this.id1 < 0) {
      this.id1 = layerId;
      this.child1 = child;
    } else {
      const more = (this.more ??= []);
      for (let i = 0; i < more.length; i += 2) {
        if (more[i] === layerId) {
          more[i + 1] = child;
          return;
        }
      }
      more.push(layerId, child);
    }
  }

  forEach(callback: (value: Bucket, key: number, map: ReadonlyMap<number, Bucket>) => void): void {
    for (const [id, child] of this.entries()) callback(child, id, this);
  }

  *entries(): MapIterator<[number, Bucket]> {
    yield [this.id0, this.child0];
    if (this.id1 < 0) return;
    yield [this.id1, this.child1!];
    const more = this.more;
    if (more !== null) for (let i = 0; i < more.length; i += 2) yield [more[i] as number, more[i + 1] as Bucket];
  }

  *keys(): MapIterator<number> {
    for (const [id] of this.entries()) yield id;
  }

  *values(): MapIterator<Bucket> {
    for (const [, child] of this.entries()) yield child;
  }

  [Symbol.iterator](): MapIterator<[number, Bucket]> {
    return this.entries();
  }
}

/** The children of a bucket that has none yet: shared, never written (most buckets are leaves). */
const NO_CHILDREN: ReadonlyMap<number, Bucket> = new Map();

/** Records a child layer's bucket among its parent's children (replacing the layer's bucket there, if any). */
export function setChild(parent: Bucket, layerId: number, child: Bucket): void {
  const children = parent.children;
  if (children instanceof ChildBuckets) children.set(layerId, child);
  else if (children === NO_CHILDREN) parent.children = new ChildBuckets(layerId, child);
  else (children as Map<number, Bucket>).set(layerId, child);
}

/** A symbol key on a layer (out of what plan export encodes): the length its buckets' value lists start with. */
const SLOTS: unique symbol = Symbol("bucket slots");

/**
 * A bucket's list by step id, made long enough for its layer's own steps: written at a step's id, an empty
 * list would grow to half as much again (a later planned branch's steps only grow it, as before).
 */
export function slotsFor<T>(layer: Layer): T[] {
  const holder = layer as unknown as { [SLOTS]?: number };
  let slots = holder[SLOTS];
  if (slots === undefined) {
    slots = 0;
    for (const step of layer.steps) if (step.id >= slots) slots = step.id + 1;
    holder[SLOTS] = slots;
  }
  return slots === 0 ? [] : new Array<T>(slots);
}

export function newBucket(layer: Layer, parent: Bucket | null, selection: EntrySelection, walkedEntries = -1): Bucket {
  return {
    layer,
    count: selection.count,
    parent,
    parentIndex: parent === null ? null : selection.parentIndex,
    childStart: selection.childStart,
    entryOfParent: parent === null ? null : selection.entryOfParent,
    values: slotsFor(layer),
    flags: slotsFor(layer),
    promised: [],
    children: NO_CHILDREN,
    paths: null,
    walkedEntries,
  };
}

/** What the root layer selects its one entry from: nothing, shared by every request. */
const NO_PARENT: ParentEntries = { count: 0, values: () => [], listAt: () => null };

const NO_ENTRIES: EntrySelection = { count: 0, parentIndex: new Int32Array(0), childStart: null, entryOfParent: null, items: null, lists: null };

/**
 * spec: LeaveForWalk — a list layer the compiled output can walk in the data (`layer.walk`, spec/output.md,
 * "Walked lists") is not opened when the compiled output will build the response: its lists and everything
 * below them are plain arrays and objects (no promise, no other iterable) and the entries they would open
 * fit under maxResponseEntries. Those entries are counted now, as opening the layers would count them, and
 * the layer gets an unopened bucket (no entries: nothing below it runs). Null: open the layer as usual.
 */
export function leaveForWalk(request: RequestState, parent: Bucket, layer: Layer, walk: ListWalk): Bucket | null {
  if (!mayLeaveLayers(request) || layer.reason.type !== "listItem") return null;
  const merged = request.merged;
  const perParent = merged == null ? null : new Int32Array(parent.count);
  const entries = entriesBelow(request, parent, layer.reason.listStep, walk, perParent);
  if (entries < 0 || request.entries + entries > request.limits.maxResponseEntries) return null;
  request.entries += entries;
  request.walkedLists = "left";
  const unopened = newBucket(layer, parent, NO_ENTRIES, entries);
  if (perParent !== null) merged!.walked.set(unopened, perParent);
  return unopened;
}

/**
 * Whether the executor may leave layers unopened for the compiled output (LeaveForWalk): the response will
 * most likely be built by it, and nothing else reads those buckets. Recorded dependencies do not need them
 * (nothing below a walked layer records), but a live query keeps every bucket its sites may re-run.
 */
function mayLeaveLayers(request: RequestState): boolean {
  return (
    request.compileOutput &&
    (request.deps == null || request.deps.sites === null) &&
    request.walkedLists !== "opening"
  );
}

/**
 * LeaveForWalk, for an object position the compiled output reads without a bucket (`layer.globalObject`,
 * IsGlobalObject): true when the layer is left unopened (it has no bucket at all).
 */
export function leaveGlobalObject(request: RequestState, layer: Layer): boolean {
  if (!layer.globalObject || !mayLeaveLayers(request)) return false;
  request.walkedLists = "left";
  return true;
}

/**
 * The entries a walked layer would open below every entry of `parent`, or -1 (see ListWalk); `perParent`,
 * when given, gets each parent entry's (a window's merged run counts each request's share: AdoptWindow).
 */
function entriesBelow(request: RequestState, parent: Bucket, listStep: Step, walk: ListWalk, perParent: Int32Array | null): number {
  try {
    if (isGlobalIn(request, listStep)) {
      const n = walk.countEntries(request.globals[listStep.id]);
      if (perParent !== null && n > 0) perParent.fill(n);
      return n < 0 ? n : n * parent.count;
    }
    const lists = batchValues(request, parent, listStep);
    let entries = 0;
    for (let p = 0; p < parent.count; p++) {
      const n = walk.countEntries(lists[p]);
      if (n < 0) return n;
      if (perParent !== null) perParent[p] = n;
      entries += n;
    }
    return entries;
  } catch {
    // A property read threw (a getter): opening the layer as usual makes it the step's error.
    return -1;
  }
}

export function newRootBucket(request: RequestState): Bucket {
  const root = request.plan.rootLayer;
  return newBucket(root, null, root.reason.selectEntries(NO_PARENT));
}

/** The bucket of `step`'s own layer above `bucket`, and the entry there that `entry` descends from. */
function ownerOf(bucket: Bucket, step: Step, entry: number): { bucket: Bucket; entry: number } {
  let b = bucket;
  let e = entry;
  const layerId = step.layerId;
  while (b.layer.id !== layerId) {
    if (b.parent === null) throw new Error(`graphscale: internal error: ${step} has no values above ${bucket.layer}.`);
    e = b.parentIndex![e]!;
    b = b.parent;
  }
  return { bucket: b, entry: e };
}

/** spec: ValueAt — one entry's value of `step`, read through the parent-index maps; never writes. */
export function valueAt(request: RequestState, bucket: Bucket, step: Step, entry: number): unknown {
  if (isGlobalIn(request, step)) return request.globals[step.id];
  const own = bucket.values[step.id];
  if (own !== undefined) return own[entry];
  const owner = ownerOf(bucket, step, entry);
  return owner.bucket.values[step.id]![owner.entry];
}

/** spec: BatchValues — a step's values for every entry of `bucket`, following parent-index maps upward. */
export function batchValues(request: RequestState, bucket: Bucket, step: Step): unknown[] {
  if (isGlobalIn(request, step)) {
    // The value repeated (a loop: `fill` costs more for the few entries most buckets have).
    const value = request.globals[step.id];
    const out = new Array<unknown>(bucket.count);
    for (let i = 0; i < out.length; i++) out[i] = value;
    return out;
  }
  const own = bucket.values[step.id];
  if (own !== undefined) return own;
  if (step.layerId === bucket.layer.id || bucket.parent === null) {
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

/**
 * A list value as an array, for the executor opening a list layer: any other iterable is read once and
 * written back where the step's values live (a generator can only be read once, and the output must see
 * the same items). Returns null for a value that is not a list.
 */
export function listAt(request: RequestState, bucket: Bucket, step: Step, entry: number): unknown[] | null {
  if (isGlobalIn(request, step)) {
    const v = request.globals[step.id];
    if (Array.isArray(v)) return v;
    if (!isIterableObject(v)) return null;
    const arr = Array.from(v);
    request.globals[step.id] = arr;
    return arr;
  }
  const owner = ownerOf(bucket, step, entry);
  const values = owner.bucket.values[step.id]!;
  const v = values[owner.entry];
  if (Array.isArray(v)) return v;
  if (!isIterableObject(v)) return null;
  const arr = Array.from(v);
  values[owner.entry] = arr;
  const mapped = bucket.values[step.id];
  if (mapped !== undefined && mapped !== values) mapped[entry] = arr;
  return arr;
}

/** The request's abort signal for steps (`details.signal`), made on first use: most requests never need one. */
export function signalOf(request: RequestState): AbortSignal {
  if (request.controller === null) {
    request.controller = new AbortController();
    if (request.abortedBy !== null) request.controller.abort(request.abortedBy);
  }
  return request.controller.signal;
}

/** spec: EntryPaths — each entry's response path, built only for the steps that need `info.path`. */
export function entryPaths(bucket: Bucket): Array<Path | undefined> {
  if (bucket.paths !== null) return bucket.paths;
  const layer = bucket.layer;
  const reason = layer.reason;
  let paths: Array<Path | undefined>;
  if (bucket.parent === null || reason.startsPath) {
    // Every entry's path starts here (a root layer's one entry, most often): no path above it.
    paths = bucket.count === 1 ? [undefined] : new Array<Path | undefined>(bucket.count);
  } else {
    const above = entryPaths(bucket.parent);
    const index = bucket.parentIndex!;
    const start = bucket.childStart;
    paths = new Array(bucket.count);
    for (let i = 0; i < bucket.count; i++) {
      const p = index[i]!;
      paths[i] = reason.entryPath(above[p], i, start === null ? 0 : start[p]!, layer.pathTypename);
    }
  }
  bucket.paths = paths;
  return paths;
}
