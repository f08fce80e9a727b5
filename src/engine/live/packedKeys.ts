// A live state's distinct dependency keys, packed (spec/reactivity.md, PackedKeys): a key ending in a
// lowercase UUID (`object:<id>`, `edges:<edge>:<id>`, the forms a Kvetch records) as its prefix's number in a
// process-wide table and the UUID's 16 bytes, 9 UTF-16 code units of one string; any other key as itself. A
// key is written out again when asked (routing a change, a run's keys, a re-run's records): a live query
// holds its keys between runs, and reads them seldom.

import { KEY_SLAB, textSlab } from "./keptValues.js";

/** What the router and a live query read of a key list: a plain array, or packed keys. */
export type KeyList = readonly string[] | PackedKeys;

const UUID_KEY = /^(.*?)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** Where the UUID's dashes go, counted in hex digits. */
const DASHES = [8, 12, 16, 20];
/** 16-bit units per packed key: the prefix's number, then the UUID's 32 hex digits, 4 to a unit. */
const UNITS = 9;

/** Prefixes of packed keys, by number, and their numbers (a few: one per kind of key; at most MAX_PREFIXES). */
const prefixes: string[] = [];
const prefixNumbers = new Map<string, number>();
const MAX_PREFIXES = 4096;

/** A key's prefix number (added on first use) and UUID; null when the key does not end in a UUID or the table is full. */
function prefixOf(key: string): { number: number; uuid: string } | null {
  const match = UUID_KEY.exec(key);
  if (match === null) return null;
  const prefix = match[1]!;
  let number = prefixNumbers.get(prefix);
  if (number === undefined) {
    if (prefixes.length >= MAX_PREFIXES) return null;
    prefixNumbers.set(prefix, (number = prefixes.push(prefix) - 1));
  }
  return { number, uuid: match[2]! };
}

/** Whether PackedKeys packs a key (one ending in a lowercase UUID, its prefix numbered). */
export function isPackable(key: string): boolean {
  return prefixOf(key) !== null;
}

/**
 * spec: PackedKeys — distinct keys, the packable ones first (9 code units each), then the others in the
 * order given; `at(i)` writes key i out.
 */
export class PackedKeys implements Iterable<string> {
  /** The packed keys' units, cut from the slab kept texts are (TextSlab). */
  private readonly packed: Uint16Array;
  private readonly others: readonly string[];

  constructor(keys: Iterable<string>) {
    const units: number[] = [];
    const others: string[] = [];
    for (const key of keys) {
      const parts = prefixOf(key);
      if (parts === null) {
        others.push(key);
        continue;
      }
      const hex = parts.uuid.replaceAll("-", "");
      units.push(parts.number);
      for (let u = 0; u < 8; u++) units.push(Number.parseInt(hex.slice(4 * u, 4 * u + 4), 16));
    }
    const bytes = textSlab(2 * units.length, KEY_SLAB);
    this.packed = new Uint16Array(bytes.buffer, bytes.byteOffset, units.length);
    this.packed.set(units);
    // The others at their length.
    this.others = others.slice();
  }

  get length(): number {
    return this.packed.length / UNITS + this.others.length;
  }

  at(i: number): string {
    const count = this.packed.length / UNITS;
    if (i >= count) return this.others[i - count]!;
    const at = UNITS * i;
    let hex = "";
    for (let u = 0; u < 8; u++) {
      hex += this.packed[at + 1 + u]!.toString(16).padStart(4, "0");
      if (DASHES.includes(4 * u + 4)) hex += "-";
    }
    return prefixes[this.packed[at]!]! + hex;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
}

export const NO_KEYS = new PackedKeys([]);

/** Records' keys as PackedKeys (each once, packable keys first) and each key's index in it. */
export function distinctKeys(keys: readonly string[]): { list: PackedKeys; index: Map<string, number> } {
  const index = new Map<string, number>();
  const distinct: string[] = [];
  for (const packable of [true, false]) {
    for (const key of keys) if (isPackable(key) === packable && !index.has(key)) index.set(key, distinct.push(key) - 1);
  }
  return { list: distinct.length === 0 ? NO_KEYS : new PackedKeys(distinct), index };
}
