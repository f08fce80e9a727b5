// A live query's kept buckets while it is idle, as numbers (spec/reactivity.md, "Retention", DormantBuckets):
// an idle live query's bucket tree — each bucket's layer, count, parent, entry maps, flags and children —
// is one Int32Array cut from a slab outside the V8 heap, instead of some twenty objects and typed arrays on
// it per live query; the buckets are made again, as they were, when a change reaches the live query.

import type { Bucket } from "../execution/bucket.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { textSlab } from "./keptValues.js";
import { oneChild } from "./liveRetain.js";

/** An idle live query's kept buckets (DormantBuckets): their numbers, and the root's paths. */
export interface DormantBuckets {
  readonly codes: Int16Array | Int32Array;
  readonly rootPaths: Bucket["paths"];
}

/** What DormantBuckets gives back: the root, the buckets by layer id (in the order they were kept), and the picks. */
export interface AwakeBuckets {
  readonly root: Bucket;
  readonly byLayer: Array<Bucket[] | undefined>;
  readonly picked: Bucket[][];
}

/** The buckets of a root's tree, parents before children (as LiveState keeps them). */
function treeOf(root: Bucket, into: Bucket[] = []): Bucket[] {
  into.push(root);
  for (const child of root.children.values()) treeOf(child, into);
  return into;
}

/**
 * spec: DormantBuckets — the kept buckets (the root's tree, parents before children) as one Int32Array
 * cut from a slab (TextSlab; an Int16Array when every number fits), with each list of `picks` (buckets the state names: its records' buckets, the
 * holders of its kept values) as their indexes; null when some bucket holds what numbers do not give back
 * (a value array, a promise mark, paths below the root, a property of another kind), or a pick is not kept.
 * Arrays every kept bucket shares (its empty values, flags and marks) are named by their index in a table
 * of this module, the root's paths by the returned `rootPaths`.
 */
export function dormantBuckets(root: Bucket, picks: ReadonlyArray<readonly Bucket[]>): DormantBuckets | null {
  const kept = treeOf(root);
  const at = new Map<Bucket, number>();
  for (let i = 0; i < kept.length; i++) at.set(kept[i]!, i);
  const out: number[] = [kept.length, picks.length];
  for (const list of picks) {
    out.push(list.length);
    for (const b of list) {
      const i = at.get(b);
      if (i === undefined) return null;
      out.push(i);
    }
  }
  for (let i = 0; i < kept.length; i++) {
    const b = kept[i]!;
    if (Object.keys(b).length !== BUCKET_KEYS || (b.paths !== null && i > 0) || (b.parent !== null && !at.has(b.parent))) return null;
    const values = sharedIndex(b.values);
    const promised = sharedIndex(b.promised);
    if (values < 0 || promised < 0) return null;
    out.push(b.layer.id, b.count, b.parent === null ? -1 : at.get(b.parent)!, b.walkedEntries, values, promised);
    const flags = b.flags;
    const shared = sharedIndex(flags);
    out.push(shared, flags.length);
    if (shared < 0) for (let id = 0; id < flags.length; id++) out.push(flags[id] === undefined ? FLAG_HOLE : flags[id]!);
    if (b.children.size === 0) {
      if ((emptyChildren ??= b.children) !== b.children) return null;
      out.push(0);
    } else {
      out.push(b.children.size);
      for (const [layerId, child] of b.children) {
        const c = at.get(child);
        if (c === undefined) return null;
        out.push(layerId, c);
      }
    }
    for (const map of [b.parentIndex, b.childStart, b.entryOfParent]) {
      if (map === null) out.push(-1);
      else for (let j = -1; j < map.length; j++) out.push(j < 0 ? map.length : map[j]!);
    }
  }
  // (16-bit when every number fits: the board view's entry maps, counts and indexes do)
  let wide = false;
  for (const n of out) if (n !== FLAG_HOLE && (n < -0x7fff || n > 0x7fff)) wide = true;
  const bytes = textSlab((wide ? 4 : 2) * out.length);
  const codes = wide ? new Int32Array(bytes.buffer, bytes.byteOffset, out.length) : new Int16Array(bytes.buffer, bytes.byteOffset, out.length);
  for (let i = 0; i < out.length; i++) codes[i] = out[i] === FLAG_HOLE ? (wide ? FLAG_HOLE : FLAG_HOLE_16) : out[i]!;
  return { codes, rootPaths: kept[0]?.paths ?? null };
}

/** DormantBuckets: the buckets made again from their numbers (the entry maps as views of one new Int32Array). */
export function wakeBuckets(plan: OperationPlan, { codes, rootPaths }: DormantBuckets): AwakeBuckets {
  let p = 0;
  const count = codes[p++]!;
  const pickLists: number[][] = [];
  for (let lists = codes[p++]!; lists > 0; lists--) {
    const list: number[] = [];
    for (let n = codes[p++]!; n > 0; n--) list.push(codes[p++]!);
    pickLists.push(list);
  }
  const maps = new Int32Array(codes.length);
  let m = 0;
  const map = (): Int32Array | null => {
    const length = codes[p++]!;
    if (length < 0) return null;
    const view = maps.subarray(m, m + length);
    view.set(codes.subarray(p, p + length));
    (m += length), (p += length);
    return view;
  };
  const buckets: Bucket[] = [];
  const childLinks: Array<Array<[number, number]>> = [];
  for (let i = 0; i < count; i++) {
    const [layerId, n, parent, walkedEntries, values, promised, sharedFlags, flagCount] = codes.subarray(p, p + 8);
    p += 8;
    let flags = SHARED[sharedFlags!] as number[];
    if (sharedFlags! < 0) {
      flags = new Array<number>(flagCount!);
      for (let id = 0; id < flagCount!; id++, p++) if (codes[p] !== FLAG_HOLE && codes[p] !== FLAG_HOLE_16) flags[id] = codes[p]!;
    }
    const links: Array<[number, number]> = [];
    for (let c = codes[p++]!; c > 0; c--, p += 2) links.push([codes[p]!, codes[p + 1]!]);
    childLinks.push(links);
    const [parentIndex, childStart, entryOfParent] = [map(), map(), map()];
    // (the properties in newBucket's order: the same shape as a run's buckets)
    buckets.push({
      layer: plan.layers[layerId!]!,
      count: n!,
      parent: parent! < 0 ? null : buckets[parent!]!,
      parentIndex,
      childStart,
      entryOfParent,
      values: SHARED[values!] as Bucket["values"],
      flags,
      promised: SHARED[promised!] as Bucket["promised"],
      children: emptyChildren!,
      paths: i === 0 ? rootPaths : null,
      walkedEntries: walkedEntries!,
    });
  }
  for (let i = 0; i < count; i++) {
    const links = childLinks[i]!;
    if (links.length === 0) continue;
    const children = new Map(links.map(([layerId, c]) => [layerId, buckets[c]!]));
    buckets[i]!.children = links.length === 1 ? oneChild(children) : children;
  }
  const byLayer: Array<Bucket[] | undefined> = [];
  for (const b of buckets) (byLayer[b.layer.id] ??= []).push(b);
  return { root: buckets[0]!, byLayer, picked: pickLists.map((list) => list.map((i) => buckets[i]!)) };
}

/** The properties of a bucket (newBucket's); a bucket with more is not made dormant. */
const BUCKET_KEYS = 12;
/** A flags array's hole (no step value there), and as a 16-bit number. */
const FLAG_HOLE = -0x7fffffff;
const FLAG_HOLE_16 = -0x8000;

/** Frozen empty arrays kept buckets share (ThinBucket's, KeepValuesAsText's), by index. */
const SHARED: unknown[] = [];

/** A shared array's index in SHARED (added on first sight); -1 for an array of a bucket's own. */
function sharedIndex(array: readonly unknown[]): number {
  if (array.length > 0 || !Object.isFrozen(array)) return -1;
  const i = SHARED.indexOf(array);
  return i >= 0 ? i : SHARED.push(array) - 1;
}

/** The children map every leaf bucket shares (the executor's), as seen on the first leaf made dormant. */
let emptyChildren: Bucket["children"] | null = null;
