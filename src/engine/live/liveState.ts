// What a live query keeps of its runs so the next one re-runs only what a change reaches: the buckets
// (every run's, each entry's current holder), where each key was read (its records: parallel arrays, no
// object per site; paths and versions only for `live: { deps: true }`), and the last result. A
// subtree re-run never writes into a kept bucket: it slices the entries it re-runs and records the slice
// as their holder, so the entries below the old holder stop being live. Never holds a run in progress.

import type { GraphQLError } from "graphql";
import type { Step } from "../step.js";
import type { Layer } from "../planning/layer.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { entryPaths, type Bucket, type RequestState } from "../execution/bucket.js";
import { canRebuild, liveIndexOf, type OutputPosition } from "./liveIndex.js";
import { PositionSet, type PositionAt } from "./livePositions.js";
import { NO_KEYS, type PackedKeys } from "./packedKeys.js";
import { depsOf, keepValuesAsText, keptCounts, textDictionary, textOf, thawValues, type FrozenValues, type KeptCounts } from "./keptValues.js";
import { dormantBuckets, wakeBuckets, type DormantBuckets } from "./dormantBuckets.js";
import { extensionsWithoutDeps, globalsAfter, packRecords, sparseGlobalArrays, sparseGlobalDone, type LiveSite, keptLayers as addKeptLayers, NO_LAYERS, packEntryMaps, sharedLayerSet, sparseGlobals, thinBucket, keptRequest } from "./liveRetain.js";
export { liveSites } from "./liveRetain.js";
export type { LiveSite } from "./liveRetain.js";
export type { PositionAt } from "./livePositions.js";

/** What a change reaches: a full run (and why), or the global steps and positions to run again. */
export type Affected = { readonly full: string } | { readonly globals: Step[]; readonly positions: PositionAt[] };

/** Where a slice's entries come from. */
interface SliceOf {
  readonly bucket: Bucket;
  readonly entries: readonly number[];
}

export class LiveState {
  /** The last result's data: a tree, or while the live query is idle its JSON text (KeepAsText). */
  private tree: Record<string, unknown> | null = null;
  private text: Uint8Array | null = null;
  errors: readonly GraphQLError[] | undefined;
  extensions: Record<string, unknown> | undefined;
  /** List entries opened so far: the last full run's, plus every subtree re-run's (maxResponseEntries). */
  entries: number;
  /** The last run's request without its deps record and global values (KeptRequest; `globalArrays` gives a re-run its own). */
  request: RequestState;
  /** The last run's global values: step id, value, done, for each step set (SparseGlobals). */
  private keptGlobals: unknown[];
  /** One record per site (AddRecord), four numbers each (PackRecords: indexes in `siteBuckets`, `siteSteps`, the entry, `keyList`); paths and versions only `withDeps`. */
  private recordSites: Int32Array | Int16Array = NO_SITES;
  private siteBuckets: Bucket[] = [];
  private siteSteps: readonly Step[] = [];
  /** The records being added (AddRecord), until trimKept packs them. */
  private adding: { keys: string[]; buckets: Array<Bucket | null>; steps: Array<Step | null>; entries: number[] } | null = { keys: [], buckets: [], steps: [], entries: [] };
  private recordPaths: string[] | null;
  private recordVersions: Array<number | null> | null;
  /** The layers whose kept buckets keep their own steps' values (KeptLayers). */
  private keptLayers: ReadonlySet<number> = NO_LAYERS;
  /** Of those, the layers keeping every own value (the others keep their list's item only: ItemOnlyLayer). */
  private allValueLayers: ReadonlySet<number> = NO_LAYERS;
  /** Every kept bucket that is not a slice, per layer id. */
  private buckets: Array<Bucket[] | undefined> = [];
  /** The kept buckets as numbers while the live query is idle (DormantBuckets; null when awake). */
  private dormant: DormantBuckets | null = null;
  /** Made by the first adopted re-run (most live queries never have one). */
  private slices: WeakMap<Bucket, SliceOf> | null = null;
  /** Per kept bucket: `${entry}|${position key}` → the slice entry holding that position's layers now (made with `slices`). */
  private holders: WeakMap<Bucket, Map<string, { readonly bucket: Bucket; readonly index: number }>> | null = null;
  /** The kept buckets' values as text while idle (KeepValuesAsText), or the buckets holding them while a re-run reads them. */
  private frozen: FrozenValues | null = null;
  private valueHolders: readonly Bucket[] = NO_BUCKETS;

  constructor(
    readonly plan: OperationPlan,
    request: RequestState,
    /** The last full run's root bucket (null when it failed before its buckets were built). */
    private rootBucket: Bucket | null,
    result: { data?: Record<string, unknown> | null; errors?: readonly GraphQLError[]; extensions?: Record<string, unknown> },
    sites: readonly LiveSite[],
    /** Whether results carry `extensions.deps` (`live: { deps: true }`): the records then keep paths and versions. */
    readonly withDeps: boolean,
  ) {
    this.tree = result.data ?? null;
    this.errors = result.errors;
    this.extensions = withDeps ? result.extensions : extensionsWithoutDeps(result.extensions);
    this.request = keptRequest(request);
    this.keptGlobals = sparseGlobals(request);
    this.entries = request.entries;
    this.recordPaths = withDeps ? [] : null;
    this.recordVersions = withDeps ? [] : null;
    for (const site of sites) this.addRecord(site);
    this.trimKept();
    this.keepLayers(0);
    if (rootBucket !== null) packEntryMaps((this.valueHolders = this.register(rootBucket, [])));
    this.freezeValues();
  }

  get root(): Bucket | null {
    this.wake();
    return this.rootBucket;
  }

  /** DormantBuckets: an idle state's buckets as numbers (not once a re-run was adopted: its slices stay objects). */
  private sleep(): void {
    if (this.slices !== null || this.dormant !== null || this.rootBucket === null) return;
    const frozen = this.frozen;
    if ((this.dormant = dormantBuckets(this.rootBucket, [this.siteBuckets, frozen?.buckets ?? NO_BUCKETS])) === null) return;
    (this.rootBucket = null), (this.buckets = NO_KEPT), (this.siteBuckets = NO_BUCKETS as Bucket[]);
    if (frozen !== null) this.frozen = { ...frozen, buckets: NO_BUCKETS };
  }

  /** DormantBuckets: the buckets made again (a change reached the live query, or its counts are asked). */
  private wake(): void {
    if (this.dormant === null) return;
    const awake = wakeBuckets(this.plan, this.dormant);
    (this.dormant = null), (this.rootBucket = awake.root), (this.buckets = awake.byLayer), (this.siteBuckets = awake.picked[0]!);
    if (this.frozen !== null) this.frozen = { ...this.frozen, buckets: awake.picked[1]! };
  }

  /** KeepValuesAsText: the kept values written out as one text, and the buckets as numbers (the live query is idle). */
  freezeValues(): void {
    if (this.frozen !== null) return;
    this.frozen = keepValuesAsText(this.valueHolders.filter((b) => b.values.length > 0), this.keptGlobals, textDictionary(this.plan, "values"));
    if (this.frozen !== null) this.keptGlobals = GLOBALS_IN_TEXT;
    this.valueHolders = NO_BUCKETS;
    this.sleep();
  }

  /** KeepValuesAsText: the kept values read back into their buckets (a subtree re-run reads them). */
  thawValues(): void {
    this.wake();
    if (this.frozen !== null) (this.keptGlobals = thawValues(this.frozen)), (this.valueHolders = this.frozen.buckets), (this.frozen = null);
  }

  /** Whether the last run ran a global step (its done mark). */
  globalDone(id: number): boolean {
    if (this.keptGlobals === GLOBALS_IN_TEXT) this.thawValues();
    return sparseGlobalDone(this.keptGlobals, id);
  }

  /** A re-run's own global values and done marks, as the last run left them (indexed by step id). */
  globalArrays(): { globals: unknown[]; globalDone: boolean[] } {
    if (this.frozen === null) return sparseGlobalArrays(this.keptGlobals);
    this.thawValues();
    const arrays = sparseGlobalArrays(this.keptGlobals);
    return this.freezeValues(), arrays;
  }

  /** The distinct keys of the records, packed (PackedKeys; the router's entry holds this same list). */
  private keyList: PackedKeys = NO_KEYS;

  get data(): Record<string, unknown> | null {
    if (this.text !== null) (this.tree = (JSON.parse(textOf(this.text, textDictionary(this.plan, "results"))) as { data: Record<string, unknown> }).data), (this.text = null);
    return this.tree;
  }

  set data(data: Record<string, unknown> | null) {
    this.tree = data;
    this.text = null;
  }

  /** spec: KeepAsText — keeps the data as the text of the last result sent, `{"data":…}` (the tree is made again when read). */
  keepAsText(text: Uint8Array): void {
    this.text = text;
    this.tree = null;
  }

  /** Every key some live site read, each once: one list, shared with the router (RouteInvalidation). */
  keys(): PackedKeys {
    return this.keyList;
  }

  private get records(): number {
    return this.recordSites.length >> 2;
  }

  /** What the live query keeps, in counts (tests hold RetainLiveState to them). */
  retained(): KeptCounts {
    this.wake();
    return keptCounts(this.buckets, this.frozen, this.records, this.recordPaths?.length ?? 0);
  }

  /** The `extensions.deps` value of the live sites: path → key → version, paths in the order first recorded (needs `withDeps`). */
  depsJSON(): Record<string, Record<string, number | null>> {
    return depsOf(this.recordPaths ?? [], this.recordVersions!, (i) => this.recordKey(i));
  }

  /** The key entry of a kept bucket or a slice: a slice's entry is the kept bucket's entry it copies. */
  canonical(bucket: Bucket, entry: number): [Bucket, number] {
    const slice = this.slices?.get(bucket);
    return slice === undefined ? [bucket, entry] : [slice.bucket, slice.entries[entry]!];
  }

  /**
   * spec: IsLiveEntry — whether an entry of a kept bucket or a slice is part of the current result: going up
   * to the root, each position passed through must still be held by the bucket entry the walk came from.
   */
  isLiveEntry(bucket: Bucket, entry: number): boolean {
    const openedBy = liveIndexOf(this.plan).openedBy;
    let b = bucket;
    let e = entry;
    let via: string | null = null;
    for (;;) {
      const [cb, ce] = this.canonical(b, e);
      if (via !== null && !this.holds(cb, ce, via, b, e)) return false;
      if (cb.parent === null) return cb === this.root;
      via = openedBy[cb.layer.id]!.key;
      b = cb.parent;
      e = cb.parentIndex![ce]!;
    }
  }

  /**
   * spec: AffectedPositions — what the keys a change touched reach. A key read at an entry below the root:
   * a list entry's item, else the position opening the entry's layer (a field, or a list's item), going up
   * past items that cannot be rebuilt on their own. A key of a global step: the step and the global steps
   * after it run again, and every live entry reading them is reached — steps of a layer (as above), a
   * layer's boundary (the position opening that layer), positions of the output. A field of the root's own
   * entry, a resolver's record for the whole response, a failed last run or one with errors make a full run;
   * positions inside other positions are left out.
   */
  affectedPositions(keys: Iterable<string>): Affected {
    if (this.root === null) return { full: "the last run failed" };
    if (this.errors !== undefined) return { full: "the last result has errors" };
    const found = new PositionSet(this);
    const changedGlobals = new Set<Step>();
    const globalKeys: string[] = [];
    const changed = new Set(keys);
    // Each distinct key written out once, not once per record.
    const hit = new Uint8Array(this.keyList.length);
    for (let k = 0; k < hit.length; k++) if (changed.has(this.keyList.at(k))) hit[k] = 1;
    for (let i = 0; i < this.records; i++) {
      if (hit[this.recordSites[4 * i + 3]!] !== 1) continue;
      const key = this.recordKey(i);
      const bucket = this.recordBucket(i);
      const step = this.recordStep(i)!;
      if (bucket === null) return { full: `${key} is a dependency of the whole response` };
      if (step.isGlobal) {
        changedGlobals.add(step);
        if (!globalKeys.includes(key)) globalKeys.push(key);
      } else if (!found.add(this.containing(bucket, this.recordEntry(i)))) return { full: `${key} was read at the root` };
    }
    const globals = changedGlobals.size === 0 ? [] : globalsAfter(this.plan, changedGlobals);
    if (globals.length > 0 && !this.addReadersOf(found, new Set(globals))) {
      return { full: `${globalKeys.join(", ")} reached the root (read by a global step the root reads)` };
    }
    return { globals: globals.filter((s) => this.globalDone(s.id)), positions: found.outermost() };
  }

  /** The position to rebuild for an entry's steps to run again: its list item if rebuildable, else what opens its layer; null at the root. */
  containing(bucket: Bucket, entry: number): PositionAt | null {
    const index = liveIndexOf(this.plan);
    let [b, e] = this.canonical(bucket, entry);
    for (;;) {
      if (b.parent === null) return null;
      const item = index.itemOf[b.layer.id];
      if (item !== undefined && canRebuild(item)) return { bucket: b, entry: e, position: item };
      const position = index.openedBy[b.layer.id]!;
      [b, e] = this.canonical(b.parent, b.parentIndex![e]!);
      if (position.kind === "field") return b.parent === null ? null : { bucket: b, entry: e, position };
    }
  }

  /** A position at a kept entry, or the one re-running it when it cannot be rebuilt on its own; null at the root. */
  private positionAt(bucket: Bucket, entry: number, position: OutputPosition): PositionAt | null {
    if (position.kind === "item") return this.containing(bucket, entry);
    return bucket.parent === null ? null : { bucket, entry, position };
  }

  /** Adds every live position reading one of `globals`; false when one is the root's own. */
  private addReadersOf(found: PositionSet, globals: ReadonlySet<Step>): boolean {
    const plan = this.plan;
    const index = liveIndexOf(plan);
    const reads = (step: Step): boolean => step.dependencies.some((d) => globals.has(d));
    for (const step of plan.liveSteps()) {
      if (step.isGlobal || step.inlined !== null || !reads(step)) continue;
      for (const [b, e] of this.liveEntries(plan.layerOf(step))) if (!found.add(this.containing(b, e))) return false;
    }
    for (const layer of plan.layers) {
      if (layer.parent === null || !layer.reason.stepsRead().some((s) => globals.has(s))) continue;
      const position = index.openedBy[layer.id];
      if (position === undefined) continue;
      for (const [b, e] of this.liveEntries(layer.parent)) if (!found.add(this.positionAt(b, e, position))) return false;
    }
    for (const step of globals) {
      for (const position of index.readers.get(step) ?? []) {
        for (const [b, e] of this.liveEntries(position.layer)) if (!found.add(this.positionAt(b, e, position))) return false;
      }
    }
    return true;
  }

  /** The live entries of a layer, across the kept buckets. */
  private *liveEntries(layer: Layer): Generator<[Bucket, number]> {
    for (const bucket of this.buckets[layer.id] ?? []) {
      for (let e = 0; e < bucket.count; e++) if (this.isLiveEntry(bucket, e)) yield [bucket, e];
    }
  }

  /** The response path of a position at a kept entry, as keys. */
  pathOf(at: PositionAt): Array<string | number> {
    const keys: Array<string | number> = [];
    for (let p = entryPaths(at.bucket)[at.entry]; p !== undefined; p = p.prev) keys.push(p.key);
    keys.reverse();
    if (at.position.kind === "field") keys.push(at.position.key);
    return keys;
  }

  /** After a subtree re-run: slices hold their positions' entries, buckets below them are kept, dead sites dropped, the run's added. */
  adopt(
    request: RequestState,
    groups: ReadonlyArray<{ readonly bucket: Bucket; readonly entries: readonly number[]; readonly position: OutputPosition }>,
    slices: readonly Bucket[],
    rerunGlobals: ReadonlySet<Step>,
    sites: readonly LiveSite[],
  ): void {
    this.request = keptRequest(request);
    this.keptGlobals = sparseGlobals(request);
    this.entries = request.entries;
    const sliceOf = (this.slices ??= new WeakMap());
    const holders = (this.holders ??= new WeakMap());
    for (let g = 0; g < groups.length; g++) {
      const { bucket, entries, position } = groups[g]!;
      const slice = slices[g]!;
      sliceOf.set(slice, { bucket, entries });
      let held = holders.get(bucket);
      if (held === undefined) holders.set(bucket, (held = new Map()));
      for (let j = 0; j < entries.length; j++) held.set(`${entries[j]}|${position.key}`, { bucket: slice, index: j });
    }
    const keep: number[] = [];
    for (let i = 0; i < this.records; i++) {
      const step = this.recordStep(i);
      if (step?.isGlobal ? !rerunGlobals.has(step) : this.isLiveSite(this.recordBucket(i), this.recordEntry(i))) keep.push(i);
    }
    const pick = <T>(list: T[]): T[] => keep.map((i) => list[i]!);
    this.adding = {
      keys: keep.map((i) => this.recordKey(i)),
      buckets: keep.map((i) => this.recordBucket(i)),
      steps: keep.map((i) => this.recordStep(i)),
      entries: keep.map((i) => this.recordEntry(i)),
    };
    if (this.recordPaths !== null) this.recordPaths = pick(this.recordPaths);
    if (this.recordVersions !== null) this.recordVersions = pick(this.recordVersions);
    const added = keep.length;
    for (const site of sites) this.addRecord(site);
    this.trimKept();
    this.keepLayers(added);
    const registered: Bucket[] = [];
    for (const slice of slices) {
      thinBucket(this.plan, slice, true, this.keptLayers, this.allValueLayers);
      registered.push(slice);
      for (const child of slice.children.values()) this.register(child, registered);
    }
    packEntryMaps(registered);
    this.valueHolders = [...this.valueHolders, ...registered].filter((b) => b.values.length > 0 && this.hasLiveEntry(b));
    for (let layerId = 0; layerId < this.buckets.length; layerId++) {
      const buckets = this.buckets[layerId];
      if (buckets === undefined) continue;
      const live = buckets.filter((b) => this.hasLiveEntry(b));
      this.buckets[layerId] = live.length === 0 ? undefined : live;
    }
  }

  /** Whether a site still stands: its entry is live and a list entry's bucket still holds its own values (else its slice re-ran them). */
  private isLiveSite(bucket: Bucket | null, entry: number): boolean {
    if (bucket === null) return true;
    const [cb, ce] = this.canonical(bucket, entry);
    if (liveIndexOf(this.plan).itemOf[cb.layer.id] !== undefined && !this.holds(cb, ce, "[]", bucket, entry)) return false;
    return this.isLiveEntry(bucket, entry);
  }

  /** Whether the position `key` of a kept entry is held by the given bucket entry (by the kept entry itself when never re-run). */
  private holds(kept: Bucket, entry: number, key: string, bucket: Bucket, index: number): boolean {
    const holder = this.holders?.get(kept)?.get(`${entry}|${key}`);
    return holder === undefined ? bucket === kept : holder.bucket === bucket && holder.index === index;
  }

  private hasLiveEntry(bucket: Bucket): boolean {
    for (let e = 0; e < bucket.count; e++) if (this.isLiveEntry(bucket, e)) return true;
    return false;
  }

  /** KeptLayers for the records from index `from` on (the layers kept so far stay kept). */
  private keepLayers(from: number): void {
    const layers = new Set<Layer>();
    const globals = new Set<Step>();
    for (let i = from; i < this.records; i++) {
      const step = this.recordStep(i);
      const bucket = this.recordBucket(i);
      if (step?.isGlobal) globals.add(step);
      else if (bucket !== null) layers.add(bucket.layer);
    }
    const kept = new Set(this.keptLayers);
    const all = new Set(this.allValueLayers);
    addKeptLayers(this.plan, layers, globals, kept, all);
    this.keptLayers = sharedLayerSet(this.plan, kept);
    this.allValueLayers = sharedLayerSet(this.plan, all);
  }

  /** Keeps a bucket and those below it (thinned: ThinBucket), adding them to `into`; returns `into`. */
  private register(bucket: Bucket, into: Bucket[]): Bucket[] {
    thinBucket(this.plan, bucket, false, this.keptLayers, this.allValueLayers);
    into.push(bucket);
    const list = this.buckets[bucket.layer.id];
    if (list === undefined) this.buckets[bucket.layer.id] = [bucket];
    else list.push(bucket);
    for (const child of bucket.children.values()) this.register(child, into);
    return into;
  }

  /** spec: TrimKept — the records packed at their length (PackRecords, PackedKeys; the request: keptRequest). */
  private trimKept(): void {
    const packed = packRecords(this.plan, this.adding!);
    this.adding = null;
    (this.keyList = packed.keys), (this.recordSites = packed.sites), (this.siteBuckets = packed.buckets), (this.siteSteps = packed.steps);
  }

  private recordKey(i: number): string {
    return this.keyList.at(this.recordSites[4 * i + 3]!);
  }

  private recordBucket(i: number): Bucket | null {
    const at = this.recordSites[4 * i]!;
    return at < 0 ? null : this.siteBuckets[at]!;
  }

  private recordStep(i: number): Step | null {
    const at = this.recordSites[4 * i + 1]!;
    return at < 0 ? null : this.siteSteps[at]!;
  }

  private recordEntry(i: number): number {
    return this.recordSites[4 * i + 2]!;
  }

  /** spec: AddRecord — a site kept as one record: its key, bucket, step and entry (path and version only with deps). */
  private addRecord(site: LiveSite): void {
    this.adding!.keys.push(site.key);
    this.adding!.buckets.push(site.bucket);
    this.adding!.steps.push(site.step);
    this.adding!.entries.push(site.entry);
    this.recordPaths?.push(site.path);
    this.recordVersions?.push(site.version);
  }
}

const NO_SITES = new Int32Array(0);
const NO_BUCKETS: readonly Bucket[] = Object.freeze([]);
/** The SparseGlobals array while the kept values' text holds all of it (KeepValuesAsText). */
const GLOBALS_IN_TEXT: unknown[] = Object.freeze([]) as unknown as unknown[];
/** A dormant state's per-layer lists (DormantBuckets): one shared empty array, replaced when woken. */
const NO_KEPT: Array<Bucket[] | undefined> = Object.freeze([]) as unknown as Array<Bucket[] | undefined>;



