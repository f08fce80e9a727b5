// A live state's distinct dependency keys, packed (spec/reactivity.md, PackedKeys): an object key
// (`object:` and a lowercase UUID, the form a Kvetch records) as the UUID's 16 bytes in 8 UTF-16 code units
// of one string, any other key as itself. A key is written out again when asked (routing a change, a run's
// keys, a re-run's records): a live query holds its keys between runs, and reads them seldom.

/** What the router and a live query read of a key list: a plain array, or packed keys. */
export type KeyList = readonly string[] | PackedKeys;

const OBJECT_KEY = /^object:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PREFIX = "object:".length;
/** Where the UUID's dashes go, counted in hex digits. */
const DASHES = [8, 12, 16, 20];

/** Whether PackedKeys packs a key (an object key with a lowercase UUID). */
export function isPackable(key: string): boolean {
  return OBJECT_KEY.test(key);
}

/**
 * spec: PackedKeys — distinct keys, the object keys first (their UUIDs packed), then the others in the order
 * given; `at(i)` writes key i out.
 */
export class PackedKeys implements Iterable<string> {
  /** 8 code units per object key: its UUID's 32 hex digits, 4 to a unit. */
  private readonly ids: string;
  private readonly others: readonly string[];

  constructor(keys: Iterable<string>) {
    const ids: string[] = [];
    const others: string[] = [];
    const units: number[] = new Array(8);
    for (const key of keys) {
      if (!isPackable(key)) {
        others.push(key);
        continue;
      }
      const hex = key.slice(PREFIX).replaceAll("-", "");
      for (let u = 0; u < 8; u++) units[u] = Number.parseInt(hex.slice(4 * u, 4 * u + 4), 16);
      ids.push(String.fromCharCode(...units));
    }
    // One flat string (join writes it out; concatenating would keep a tree of parts), the others at their length.
    this.ids = ids.join("");
    this.others = others.slice();
  }

  get length(): number {
    return (this.ids.length >> 3) + this.others.length;
  }

  at(i: number): string {
    const objects = this.ids.length >> 3;
    if (i >= objects) return this.others[i - objects]!;
    let hex = "";
    for (let u = 0; u < 8; u++) {
      hex += this.ids.charCodeAt(8 * i + u).toString(16).padStart(4, "0");
      if (DASHES.includes(4 * u + 4)) hex += "-";
    }
    return `object:${hex}`;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
}

export const NO_KEYS = new PackedKeys([]);

/** Records' keys as PackedKeys (each once, object keys first) and each key's index in it. */
export function distinctKeys(keys: readonly string[]): { list: PackedKeys; index: Map<string, number> } {
  const index = new Map<string, number>();
  const distinct: string[] = [];
  for (const packable of [true, false]) {
    for (const key of keys) if (isPackable(key) === packable && !index.has(key)) index.set(key, distinct.push(key) - 1);
  }
  return { list: distinct.length === 0 ? NO_KEYS : new PackedKeys(distinct), index };
}
