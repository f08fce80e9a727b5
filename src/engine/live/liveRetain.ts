// What a live query's kept buckets hold once a run is over (spec/reactivity.md, "Retention"): only the
// values a subtree re-run may read. A re-run at a position reads the values of the position's layer and
// of the layers above it, never those of the layers below (it opens them again); so a bucket keeps its
// own steps' values only when its layer is, or is above, a layer where a re-run can start for the keys
// the live query holds (KeptLayers). Values a bucket copied from an ancestor's are dropped everywhere.

import type { Step } from "../step.js";
import type { Layer } from "../planning/layer.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import type { Bucket, RequestState } from "../execution/bucket.js";
import type { DependencySite } from "../deps.js";
import { canRebuild, liveIndexOf, type LiveIndex } from "./liveIndex.js";
import { distinctKeys, type PackedKeys } from "./packedKeys.js";
import { textSlab } from "./keptValues.js";

/**
 * The layer of the position a key read in `layer` makes re-run (as LiveState.containing finds it: the
 * layer's rebuildable item, else the position opening it, climbing past items that cannot be rebuilt);
 * null when that is the root's own entry (a full run).
 */
export function rerunLayerOf(index: LiveIndex, layer: Layer): Layer | null {
  return rerunStartOf(index, layer)?.layer ?? null;
}

/** RerunLayerOf with the kind of the position starting there: a list's item, or a field. */
function rerunStartOf(index: LiveIndex, layer: Layer): { readonly layer: Layer; readonly kind: "field" | "item" } | null {
  let l = layer;
  for (;;) {
    const parent = l.parent;
    if (parent === null) return null;
    const item = index.itemOf[l.id];
    if (item !== undefined && canRebuild(item)) return { layer: l, kind: "item" };
    const position = index.openedBy[l.id]!;
    l = parent;
    if (position.kind === "field") return l.parent === null ? null : { layer: l, kind: "field" };
  }
}

/** The changed global steps and every global step depending on them, in an order that runs dependencies first. */
export function globalsAfter(plan: OperationPlan, changed: ReadonlySet<Step>): Step[] {
  const reached = new Set<Step>(changed);
  const steps = plan.liveSteps();
  for (let grew = true; grew; ) {
    grew = false;
    for (const step of steps) {
      if (!step.isGlobal || reached.has(step) || !step.dependencies.some((d) => reached.has(d))) continue;
      reached.add(step);
      grew = true;
    }
  }
  const ordered: Step[] = [];
  const placed = new Set<Step>();
  const place = (step: Step): void => {
    if (placed.has(step)) return;
    placed.add(step);
    for (const dep of step.dependencies) if (reached.has(dep)) place(dep);
    ordered.push(step);
  };
  for (const step of reached) place(step);
  return ordered;
}

/**
 * spec: KeptLayers — adds to `kept` the ids of the layers whose buckets keep their own values: every
 * layer where a re-run can start for the records' keys (a key read in a layer: RerunLayerOf; a key read by
 * a global step: the positions AddReadersOf reaches for it and the global steps after it), and every layer
 * above one. Of those, `all` gets the layers that keep every own value: a layer where a field can start and
 * every layer above a kept one. A layer where only its list's item starts (ItemOnlyLayer) keeps its item's
 * values but not those of its executed steps: an item re-run runs them again (ExecuteSubtree).
 */
export function keptLayers(plan: OperationPlan, recordLayers: Iterable<Layer>, recordedGlobals: ReadonlySet<Step>, kept: Set<number>, all: Set<number>): void {
  const index = liveIndexOf(plan);
  const keep = (start: { readonly layer: Layer; readonly kind: "field" | "item" } | null): void => {
    if (start === null) return;
    kept.add(start.layer.id);
    if (start.kind === "field") all.add(start.layer.id);
    for (let l = start.layer.parent; l !== null && !all.has(l.id); l = l.parent) (kept.add(l.id), all.add(l.id));
  };
  for (const layer of recordLayers) keep(rerunStartOf(index, layer));
  if (recordedGlobals.size === 0) return;
  const globals = new Set(globalsAfter(plan, recordedGlobals));
  const at = (layer: Layer, kind: "field" | "item"): void => keep(kind === "item" ? rerunStartOf(index, layer) : layer.parent === null ? null : { layer, kind });
  for (const step of plan.liveSteps()) {
    if (!step.isGlobal && step.inlined === null && step.dependencies.some((d) => globals.has(d))) keep(rerunStartOf(index, plan.layerOf(step)));
  }
  for (const layer of plan.layers) {
    if (layer.parent === null || !layer.reason.stepsRead().some((s) => globals.has(s))) continue;
    const position = index.openedBy[layer.id];
    if (position !== undefined) at(layer.parent, position.kind);
  }
  for (const step of globals) for (const position of index.readers.get(step) ?? []) at(position.layer, position.kind);
}

export const NO_LAYERS: ReadonlySet<number> = new Set();

/** Layer id sets shared by the live states of one plan (most live queries of an operation keep the same layers). */
const layerSets = new WeakMap<OperationPlan, Map<string, ReadonlySet<number>>>();

/** One set per plan and content, shared by the live states keeping those layers (SharedLayerSets; never written to). */
export function sharedLayerSet(plan: OperationPlan, layers: ReadonlySet<number>): ReadonlySet<number> {
  if (layers.size === 0) return NO_LAYERS;
  let sets = layerSets.get(plan);
  if (sets === undefined) layerSets.set(plan, (sets = new Map()));
  const name = [...layers].sort((a, b) => a - b).join(",");
  let set = sets.get(name);
  if (set === undefined) sets.set(name, (set = layers));
  return set;
}

/**
 * spec: ThinBucket — what a kept bucket drops once its run is over: the values it copied from an ancestor
 * layer (BatchValues maps them down again when a re-run asks), its paths unless it is a slice (EntryPaths
 * builds them again; a slice's are the only copy), and, when its layer is not a kept one (KeptLayers),
 * the values of its own steps: no re-run reads them.
 */
export function thinBucket(plan: OperationPlan, bucket: Bucket, slice: boolean, kept: ReadonlySet<number>, all: ReadonlySet<number>): void {
  const layer = bucket.layer;
  const own = kept.has(layer.id);
  const executed = own ? itemOnlyLayer(layer, all) : null;
  const values = bucket.values as Array<unknown[] | undefined>;
  const flags = bucket.flags as number[];
  const promised = bucket.promised as Array<Uint8Array | undefined>;
  for (let id = 0; id < values.length; id++) {
    if (values[id] === undefined) continue;
    const step = plan.steps[id];
    if (step != null && own && step.layerId === layer.id && (executed === null || step.isGlobal || !executed.includes(step))) continue;
    values[id] = undefined;
    flags[id] = 0;
    promised[id] = undefined;
  }
  // The arrays are as long as the plan has steps: copies cut after the last value kept.
  let end = values.length;
  while (end > 0 && values[end - 1] === undefined) end--;
  let marks = Math.min(promised.length, end);
  while (marks > 0 && promised[marks - 1] === undefined) marks--;
  const b = bucket as { values: unknown; flags: unknown; promised: unknown; children: ReadonlyMap<number, Bucket> };
  b.values = end === 0 ? NO_VALUES : values.slice(0, end);
  b.flags = end === 0 ? NO_VALUES : flags.slice(0, end);
  b.promised = marks === 0 ? NO_VALUES : promised.slice(0, marks);
  if (bucket.children.size === 1) b.children = new OneChild(bucket.children);
  if (!slice && bucket.parent !== null) bucket.paths = null;
}

/**
 * spec: ItemOnlyLayer — for a kept layer where only its list's item re-runs start (not in `all`: KeptLayers),
 * its executed steps, whose values its kept buckets drop (an item re-run runs them again); null otherwise.
 */
function itemOnlyLayer(layer: Layer, all: ReadonlySet<number>): readonly Step[] | null {
  return all.has(layer.id) ? null : layer.executableSteps;
}

/**
 * spec: PackEntryMaps — the entry maps of buckets kept together (a run's, or a re-run's slices and the
 * buckets below them) copied into one buffer: each `Int32Array` a view of it, at its length, instead of an
 * array buffer of its own (an `ArrayBuffer` object and its backing store per map, some hundred bytes each).
 * Kept buckets' maps are only read.
 */
export function packEntryMaps(buckets: readonly Bucket[]): void {
  let total = 0;
  for (const b of buckets) total += (b.parentIndex?.length ?? 0) + (b.childStart?.length ?? 0) + (b.entryOfParent?.length ?? 0);
  if (total === 0) return;
  const buffer = new Int32Array(total);
  let at = 0;
  const copy = (array: Int32Array | null): Int32Array | null => {
    if (array === null) return null;
    const view = buffer.subarray(at, at + array.length);
    view.set(array);
    at += array.length;
    return view;
  };
  for (const b of buckets) {
    const m = b as { parentIndex: Int32Array | null; childStart: Int32Array | null; entryOfParent: Int32Array | null };
    m.parentIndex = copy(b.parentIndex);
    m.childStart = copy(b.childStart);
    m.entryOfParent = copy(b.entryOfParent);
  }
}

/** The value arrays of a kept bucket that keeps none: one shared empty array (kept buckets are never written to). */
const NO_VALUES: readonly never[] = Object.freeze([]);

/** A kept bucket's one child layer bucket, as a map (OneChild). */
export function oneChild(children: ReadonlyMap<number, Bucket>): ReadonlyMap<number, Bucket> {
  return new OneChild(children);
}

/**
 * A kept bucket's one child layer bucket, as a map (a Map of one entry weighs some hundred bytes; kept
 * buckets are read, never given children: a re-run gives its slices theirs).
 */
class OneChild implements ReadonlyMap<number, Bucket> {
  private readonly id: number;
  private readonly child: Bucket;

  constructor(children: ReadonlyMap<number, Bucket>) {
    const [id, child] = children.entries().next().value!;
    this.id = id;
    this.child = child;
  }

  get size(): number {
    return 1;
  }

  get(id: number): Bucket | undefined {
    return id === this.id ? this.child : undefined;
  }

  has(id: number): boolean {
    return id === this.id;
  }

  forEach(callback: (value: Bucket, key: number, map: ReadonlyMap<number, Bucket>) => void): void {
    callback(this.child, this.id, this);
  }

  *entries(): MapIterator<[number, Bucket]> {
    yield [this.id, this.child];
  }

  *keys(): MapIterator<number> {
    yield this.id;
  }

  *values(): MapIterator<Bucket> {
    yield this.child;
  }

  [Symbol.iterator](): MapIterator<[number, Bucket]> {
    return this.entries();
  }
}

/**
 * spec: KeptRequest — a request as a live query keeps it: without its deps record (its sites and versions
 * are in the records), its global values and done marks (kept apart: SparseGlobals), and its abort signal
 * (a re-run makes its own; the run's signal holds an abort listener per joint step call that asked for
 * it, each with its closure).
 */
export function keptRequest(request: RequestState): RequestState {
  return { ...request, deps: null, controller: null, globals: NO_GLOBALS, globalDone: NO_DONE };
}

const NO_GLOBALS: unknown[] = Object.freeze([]) as unknown as unknown[];
const NO_DONE: boolean[] = Object.freeze([]) as unknown as boolean[];

/**
 * spec: SparseGlobals — a request's global values and done marks as a live state keeps them: for each step
 * set, its id, value and done mark, one flat array (the request's arrays are as long as the plan has steps,
 * most of them holes).
 */
export function sparseGlobals(request: RequestState): unknown[] {
  const out: unknown[] = [];
  const { globals, globalDone } = request;
  const end = Math.max(globals.length, globalDone.length);
  for (let id = 0; id < end; id++) if (globals[id] !== undefined || globalDone[id] === true) out.push(id, globals[id], globalDone[id] === true);
  return out;
}

/** Sites as a live query keeps them: each record's site with the version its run read. */
export function liveSites(sites: readonly DependencySite[], byPath: ReadonlyMap<string, ReadonlyMap<string, number | null>>): LiveSite[] {
  return sites.map((s) => ({
    key: s.key,
    path: s.path,
    version: byPath.get(s.path)?.get(s.key) ?? null,
    bucket: s.bucket as Bucket | null,
    step: s.step as Step | null,
    entry: s.entry,
  }));
}

/** A key read by a step at one entry of a bucket (bucket null: a resolver's record for the whole response). */
export interface LiveSite {
  readonly key: string;
  readonly path: string;
  readonly version: number | null;
  readonly bucket: Bucket | null;
  readonly step: Step | null;
  readonly entry: number;
}

/** The index of `item` in `list` (as `seen` has it), added at the end when missing. */
function indexIn<T>(list: T[], seen: Map<T, number>, item: T): number {
  let at = seen.get(item);
  if (at === undefined) seen.set(item, (at = list.push(item) - 1));
  return at;
}

/**
 * spec: PackRecords — a state's records as four numbers each (its bucket's index among the buckets the
 * records name, -1: none; its step's likewise; its entry; its key's index in the distinct keys, PackedKeys),
 * 16-bit when every number fits, cut from a slab (TextSlab); the buckets and steps at their length.
 */
export function packRecords(plan: OperationPlan, adding: { keys: string[]; buckets: Array<Bucket | null>; steps: Array<Step | null>; entries: number[] }): { keys: PackedKeys; sites: Int32Array | Int16Array; buckets: Bucket[]; steps: readonly Step[] } {
  const n = adding.keys.length;
  const { list, index: keyIndex } = distinctKeys(adding.keys);
  const [buckets, steps, seenBuckets, seenSteps] = [[] as Bucket[], [] as Step[], new Map<Bucket, number>(), new Map<Step, number>()];
  const numbers = new Array<number>(4 * n);
  let wide = false;
  for (let i = 0; i < n; i++) {
    const bucket = adding.buckets[i]!;
    const step = adding.steps[i]!;
    numbers[4 * i] = bucket === null ? -1 : indexIn(buckets, seenBuckets, bucket);
    numbers[4 * i + 1] = step === null ? -1 : indexIn(steps, seenSteps, step);
    numbers[4 * i + 2] = adding.entries[i]!;
    numbers[4 * i + 3] = keyIndex.get(adding.keys[i]!)!;
    wide ||= numbers[4 * i + 2]! > 0x7fff || numbers[4 * i + 3]! > 0x7fff || numbers[4 * i]! > 0x7fff || numbers[4 * i + 1]! > 0x7fff;
  }
  let sites: Int32Array | Int16Array = NO_RECORDS;
  if (n > 0) {
    const bytes = textSlab((wide ? 4 : 2) * numbers.length);
    sites = wide ? new Int32Array(bytes.buffer, bytes.byteOffset, numbers.length) : new Int16Array(bytes.buffer, bytes.byteOffset, numbers.length);
    sites.set(numbers);
  }
  // (at their length: arrays grown by push hold spare slots; the steps one list per plan and content)
  return { keys: list, sites, buckets: buckets.slice(), steps: sharedSteps(plan, steps) };
}

const stepLists = new WeakMap<OperationPlan, Map<string, readonly Step[]>>();
/** Step lists a plan's states share, at most this many per plan (most plans' live queries have one). */
const MAX_STEP_LISTS = 64;

/** PackRecords: one frozen step list per plan and content, shared by the live states whose records name those steps. */
function sharedSteps(plan: OperationPlan, steps: readonly Step[]): readonly Step[] {
  if (steps.length === 0) return NO_STEPS;
  let lists = stepLists.get(plan);
  if (lists === undefined) stepLists.set(plan, (lists = new Map()));
  const name = steps.map((s) => s.id).join(",");
  let list = lists.get(name);
  if (list === undefined) {
    list = Object.freeze(steps.slice());
    if (lists.size < MAX_STEP_LISTS) lists.set(name, list);
  }
  return list;
}

const NO_STEPS: readonly Step[] = Object.freeze([]);

const NO_RECORDS = new Int32Array(0);

/** Extensions without `deps` (undefined when nothing else is in them). */
export function extensionsWithoutDeps(extensions: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (extensions === undefined || !("deps" in extensions)) return extensions;
  const { deps: _deps, ...rest } = extensions;
  return Object.keys(rest).length === 0 ? undefined : rest;
}

/** SparseGlobals: whether a step's done mark is set. */
export function sparseGlobalDone(kept: readonly unknown[], id: number): boolean {
  for (let i = 0; i < kept.length; i += 3) if (kept[i] === id) return kept[i + 2] === true;
  return false;
}

/** SparseGlobals: a re-run's own global values and done marks (indexed by step id). */
export function sparseGlobalArrays(kept: readonly unknown[]): { globals: unknown[]; globalDone: boolean[] } {
  const globals: unknown[] = [];
  const globalDone: boolean[] = [];
  for (let i = 0; i < kept.length; i += 3) {
    const id = kept[i] as number;
    if (kept[i + 1] !== undefined) globals[id] = kept[i + 1];
    if (kept[i + 2] === true) globalDone[id] = true;
  }
  return { globals, globalDone };
}
