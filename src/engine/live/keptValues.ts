// What a live query's kept buckets hold between runs, as text (spec/reactivity.md, "Retention",
// KeepValuesAsText): the value arrays a re-run may read (ThinBucket keeps them) are written out as one JSON
// text while the live query is idle, and read back into their buckets when a subtree re-run starts. A row
// read from a store is a handful of objects and strings per entry; its text is one string for all of them.

import { Buffer } from "node:buffer";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { Bucket } from "../execution/bucket.js";
import { isPlainJSON } from "./lastSent.js";

/**
 * A live state's kept values while it is idle: one JSON text of triples `[holder, slot, value]` — a global
 * value (holder -1, slot: its index in the state's SparseGlobals array) or a kept bucket's value array
 * (holder: the bucket's index in `buckets`, slot: the step id) — and what the text's values go back into.
 * A bucket's array whose every entry is an entry of a global array in the text (a list's items are its
 * global list's entries) is written as those entries' places, `[holder, slot, null, [global, index, ...]]`:
 * read back, they are the same objects again.
 */
export interface FrozenValues {
  /** The JSON text's bytes (KeptText), deflated against `dictionary`. */
  readonly text: Uint8Array;
  readonly dictionary: TextDictionary;
  readonly buckets: readonly Bucket[];
  /** The SparseGlobals array's values JSON would not give back (the request's context, the store), as index, value pairs; null when none. */
  readonly globals: readonly unknown[] | null;
}

type Triple = [number, number, unknown, number[]?];

/**
 * spec: KeepValuesAsText — the objects among a state's global values and its kept buckets' value arrays
 * whose JSON text gives them back as they are (isPlainJSON: no error, promise, class instance, undefined
 * entry) are moved into one text; what would not come back the same, and strings and numbers, stay in place.
 * Null when nothing was moved.
 */
export function keepValuesAsText(buckets: readonly Bucket[], globals: unknown[], dictionary: TextDictionary): FrozenValues | null {
  const triples: Triple[] = [];
  const places = new Map<unknown, number>();
  for (let i = 1; i < globals.length; i += 3) {
    const value = globals[i];
    if (value === null || typeof value !== "object" || !isPlainJSON(value)) continue;
    if (Array.isArray(value)) for (let j = 0; j < Math.min(value.length, 65536); j++) if (typeof value[j] === "object" && value[j] !== null) places.set(value[j], i * 65536 + j);
    triples.push([-1, i, value]);
    globals[i] = IN_TEXT;
  }
  const holders: Bucket[] = [];
  for (const bucket of buckets) {
    const values = bucket.values;
    let at = -1;
    let rest: Array<unknown[] | undefined> | null = null;
    for (let id = 0; id < values.length; id++) {
      const array = values[id];
      if (array === undefined) continue;
      const refs = placesOf(array, places);
      if (refs === null && !isPlainJSON(array)) {
        (rest ??= [])[id] = array;
        continue;
      }
      if (at < 0) at = holders.push(bucket) - 1;
      triples.push(refs === null ? [at, id, array] : [at, id, null, refs]);
    }
    if (at >= 0) (bucket as { values: Array<unknown[] | undefined> }).values = rest ?? FROZEN;
  }
  if (triples.length === 0) return null;
  // The whole SparseGlobals array in the text (first, as `[-2, 0, values, places of undefined]`: the global
  // values' triples are then written into it), but for what JSON would not give back (an object that is no
  // plain JSON: the request's context, the store), kept beside it as index, value pairs.
  let kept: unknown[] | null = null;
  for (let i = 0; i < globals.length; i++) if (globals[i] !== IN_TEXT && !isScalar(globals[i])) (kept ??= []).push(i, globals[i]);
  const values = globals.map((v) => (v === IN_TEXT || v === undefined || !isScalar(v) ? 0 : v));
  triples.unshift([-2, 0, values, globals.flatMap((v, i) => (v === undefined ? [i] : []))]);
  return { text: keptText(JSON.stringify(triples), dictionary), dictionary, buckets: holders.slice(), globals: kept };
}

/** The global array entries a bucket's value array consists of, as `[global slot, index]` pairs; null when not all are. */
function placesOf(array: readonly unknown[], places: ReadonlyMap<unknown, number>): number[] | null {
  if (places.size === 0 || array.length === 0) return null;
  const refs: number[] = [];
  for (const value of array) {
    const place = places.get(value);
    if (place === undefined) return null;
    refs.push(Math.floor(place / 65536), place % 65536);
  }
  return refs;
}

/** A value JSON gives back as it is, which is no object: a string, a boolean, null, a finite number but -0, or undefined (written apart). */
function isScalar(v: unknown): boolean {
  return v === undefined || v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v) && !Object.is(v, -0));
}

/** KeepValuesAsText: the values put back where they were (each bucket's a new array, as a run left it); returns the SparseGlobals array. */
export function thawValues(frozen: FrozenValues): unknown[] {
  const triples = JSON.parse(textOf(frozen.text, frozen.dictionary)) as Triple[];
  let globals: unknown[] = [];
  for (const [at, slot, value, refs] of triples) {
    if (at === -2) {
      globals = value as unknown[];
      for (const i of refs!) globals[i] = undefined;
      const kept = frozen.globals;
      for (let k = 0; kept !== null && k < kept.length; k += 2) globals[kept[k] as number] = kept[k + 1];
      continue;
    }
    if (at < 0) {
      globals[slot] = value;
      continue;
    }
    const bucket = frozen.buckets[at]! as { values: Array<unknown[] | undefined> };
    if (bucket.values === FROZEN) bucket.values = [];
    if (refs === undefined) bucket.values[slot] = value as unknown[];
    else {
      const array = new Array<unknown>(refs.length / 2);
      for (let j = 0; j < array.length; j++) array[j] = (globals[refs[2 * j]!] as unknown[])[refs[2 * j + 1]!];
      bucket.values[slot] = array;
    }
  }
  return globals;
}

/** Value arrays of a bucket whose every array is in the text: one shared empty array (never written to). */
const FROZEN: Array<unknown[] | undefined> = Object.freeze([]) as unknown as Array<unknown[] | undefined>;

/** A global value in the text, in its place in the SparseGlobals array while the text holds it. */
const IN_TEXT: unknown = Object.freeze({ inText: true });

/** What a live state keeps, in counts (LiveState.retained: tests hold RetainLiveState to them). */
export interface KeptCounts {
  records: number;
  paths: number;
  buckets: number;
  entries: number;
  /** Value arrays of the kept buckets, in them or in the frozen text. */
  valueArrays: number;
  layersWithValues: number[];
}

export function keptCounts(kept: ReadonlyArray<readonly Bucket[] | undefined>, frozen: FrozenValues | null, records: number, paths: number): KeptCounts {
  const inText = frozen === null ? [] : (JSON.parse(textOf(frozen.text, frozen.dictionary)) as Triple[]).flatMap(([at]) => (at < 0 ? [] : [frozen.buckets[at]!]));
  let [buckets, entries, valueArrays] = [0, 0, 0];
  const layersWithValues = new Set<number>();
  for (const list of kept) {
    for (const b of list ?? []) {
      buckets++;
      entries += b.count;
      for (const values of b.values) if (values !== undefined) (valueArrays++, layersWithValues.add(b.layer.id));
      for (const holder of inText) if (holder === b) (valueArrays++, layersWithValues.add(b.layer.id));
    }
  }
  return { records, paths, buckets, entries, valueArrays, layersWithValues: [...layersWithValues].sort((a, b) => a - b) };
}

/** The `extensions.deps` value of a live state's records: path → key → version, paths in the order first recorded. */
export function depsOf(paths: readonly string[], versions: ReadonlyArray<number | null>, keyOf: (record: number) => string): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (let i = 0; i < paths.length; i++) {
    const keys = (out[paths[i]!] ??= {});
    const key = keyOf(i);
    if (!(key in keys) || keys[key] === null) keys[key] = versions[i]!;
  }
  return out;
}

/**
 * spec: KeptText — a JSON text a live query keeps while idle (KeepAsText, KeepValuesAsText), as its UTF-8
 * bytes deflated (raw DEFLATE) against its kind's TextDictionary, outside the V8 heap, in slabs of their own
 * (TextSlab): small texts are cut from 8 KB slabs that hold nothing else, so they are packed together
 * instead of lying in half-filled heap pages or keeping alive a shared pool's slab of short-lived buffers. A
 * JSON text is well-formed (JSON.stringify escapes lone surrogates), so its bytes give it back as it was.
 */
export function keptText(text: string, dictionary: TextDictionary): Uint8Array {
  const raw = Buffer.from(text, "utf8");
  if (dictionary.bytes === null) {
    // (a copy of its own: a small Buffer.from shares Node's pool)
    const tail = raw.subarray(Math.max(0, raw.length - DICTIONARY_BYTES));
    dictionary.bytes = Buffer.allocUnsafeSlow(tail.length);
    tail.copy(dictionary.bytes);
  }
  const packed = deflateRawSync(raw, { dictionary: dictionary.bytes });
  const bytes = textSlab(packed.length);
  packed.copy(bytes);
  return bytes;
}

/** What a live query's kept texts of one kind are deflated against (TextDictionary): set once, never changed. */
export interface TextDictionary {
  bytes: Buffer | null;
}

/**
 * spec: TextDictionary — what a live query's kept texts of one kind (the last result sent, the kept values)
 * are deflated against: the first such text a live query of the same plan kept (its last 32 KB, DEFLATE's
 * window), learned once and never changed; a plan's two are made on first use and held as long as the plan.
 * Live queries of one operation keep texts that differ in their values, not in their shape (members, type
 * names, the rows' own fields): those are found in the dictionary, and only what differs is written.
 */
export function textDictionary(plan: object, kind: "results" | "values"): TextDictionary {
  let pair = DICTIONARIES.get(plan);
  if (pair === undefined) DICTIONARIES.set(plan, (pair = { results: { bytes: null }, values: { bytes: null } }));
  return pair[kind];
}

const DICTIONARIES = new WeakMap<object, { readonly results: TextDictionary; readonly values: TextDictionary }>();
const DICTIONARY_BYTES = 32 * 1024;

/**
 * spec: TextSlab — `length` bytes (8-aligned) cut from the current slab of `slab` (a slab is freed once
 * nothing cut from it is held); more than half a slab gets its own buffer. Kept texts and packed keys are cut
 * from slabs of their own kinds: a text is replaced by each run, keys outlive the state that made them (a
 * live query keeping keys only), so keys never keep a slab of dead texts alive.
 */
export function textSlab(length: number, slab: Slab = TEXTS): Buffer {
  if (length > SLAB_BYTES / 2) return Buffer.allocUnsafeSlow(length);
  if (slab.buffer === null || slab.at + length > SLAB_BYTES) (slab.buffer = Buffer.allocUnsafeSlow(SLAB_BYTES)), (slab.at = 0);
  const start = slab.at;
  slab.at = (start + length + 7) & ~7;
  return slab.buffer.subarray(start, start + length);
}

/** TextSlab: the slab bytes are cut from now, and where. */
export interface Slab {
  buffer: Buffer | null;
  at: number;
}

const SLAB_BYTES = 8192;
const TEXTS: Slab = { buffer: null, at: 0 };
/** The slabs PackedKeys' units are cut from. */
export const KEY_SLAB: Slab = { buffer: null, at: 0 };

/** KeptText: the text again. */
export function textOf(bytes: Uint8Array, dictionary: TextDictionary): string {
  return inflateRawSync(bytes, { dictionary: dictionary.bytes! }).toString("utf8");
}
