// DecodedMemo (spec/kvetch-storage.md §7.7): the cache tier's texts as last decoded, per store. A cache read
// gets each object or list as a fresh string from Redis; decoding it (JSON.parse of its body, a list's rows)
// was most of what Kvetch spent on a warm-cache read. The same text decodes to the same value, so a text read
// again is looked up instead of parsed: per entry (an object's id, a list's tag) the last text decoded and its
// value, used only when the text read is that text, so never stale (a changed object or list is a different
// text). Keyed by the entry, not by the text: a Map keyed by a fresh string hashes all of its characters on
// every lookup, while the entry's key is short and an equal text is confirmed by one comparison. Only texts
// whose data is flat (every value a string, number, boolean or null) are kept, and each read hands out fresh
// objects and fresh data bags copied from the kept ones, so callers never share state with the memo or with one
// another. Bounded: two generations of at most `capacity` entries and `maxChars` characters of text each (the
// newer one filled first; when it is full, the older is dropped and the newer takes its place), and texts longer
// than MAX_TEXT are never kept.

import type { KvetchData, KvetchObject, ListItem } from "./model.js";

/** Texts longer than this are decoded every time (a long list's text would hold memory for little gain). */
export const MAX_TEXT = 16_384;

/** Texts kept per generation (two generations: at most twice this many). */
export const DEFAULT_CAPACITY = 4_096;

/** Characters of text kept per generation: a store's memo holds at most 4 × this (objects and lists, two generations each). */
export const DEFAULT_MAX_CHARS = 1_048_576;

/** Reads served from the memo and texts decoded (a test reads them). */
export const decodedMemoCounts = { hits: 0, decoded: 0 };

/** A cached list as decoded and kept: its first rows, whether that is the whole list, and that its rows are the memo's. */
export interface DecodedList {
  readonly items: readonly ListItem[];
  readonly complete: boolean;
  readonly kept: true;
}

/** A store's memos: objects by id and lists by cache tag. */
export interface DecodedMemo {
  readonly objects: TextMemo<KvetchObject>;
  readonly lists: TextMemo<DecodedList>;
}

export function newDecodedMemo(): DecodedMemo {
  return { objects: new TextMemo(), lists: new TextMemo() };
}

/** A text kept for an entry and what it decodes to. */
interface Kept<T> {
  readonly text: string;
  readonly value: T;
}

/** A two-generation map from an entry's key to the text last decoded for it and its decoded value. */
export class TextMemo<T> {
  private newer = new Map<string, Kept<T>>();
  private older = new Map<string, Kept<T>>();
  /** Characters of the newer generation's texts. */
  private newerChars = 0;

  constructor(
    readonly capacity: number = DEFAULT_CAPACITY,
    readonly maxChars: number = DEFAULT_MAX_CHARS,
  ) {}

  /** The value kept for `key` when its text is `text`, or undefined; a hit in the older generation moves to the newer. */
  get(key: string, text: string): T | undefined {
    let kept = this.newer.get(key);
    if (kept !== undefined) return kept.text === text ? kept.value : undefined;
    kept = this.older.get(key);
    if (kept === undefined || kept.text !== text) return undefined;
    this.older.delete(key);
    this.keep(key, kept);
    return kept.value;
  }

  /** Keeps `value` as what `text` decodes to for `key`, in place of any text kept for it (a text over MAX_TEXT is not kept). */
  set(key: string, text: string, value: T): void {
    if (text.length > MAX_TEXT) return;
    this.older.delete(key);
    this.keep(key, { text, value });
  }

  get size(): number {
    return this.newer.size + this.older.size;
  }

  private keep(key: string, kept: Kept<T>): void {
    const replaced = this.newer.get(key);
    if (replaced !== undefined) {
      this.newer.delete(key);
      this.newerChars -= replaced.text.length;
    }
    if (this.newer.size >= this.capacity || this.newerChars + kept.text.length > this.maxChars) {
      this.older = this.newer;
      this.newer = new Map();
      this.newerChars = 0;
    }
    this.newer.set(key, kept);
    this.newerChars += kept.text.length;
  }
}

/** Whether every value of a data bag is a primitive (or null): a shallow copy of it is then a whole copy. */
export function isFlatData(data: KvetchData | null): boolean {
  if (data === null) return true;
  for (const key in data) {
    const value = data[key];
    if (value !== null && typeof value === "object") return false;
  }
  return true;
}

/** A fresh copy of a flat data bag (null stays null). */
export function copyData<D extends KvetchData | null>(data: D): D {
  return (data === null ? null : { ...data }) as D;
}
