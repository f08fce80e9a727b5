// Distinct keys: the one place a batch's keys (ids, list keys, pairs) are made distinct, so each is read or
// written once, and the one place results for the distinct keys are spread back over the input positions.
// Allocates per batch, never per entry; never changes a key (callers canonicalize ids first: checkIds).

/** Keys per part a KeyTable aims at: each part's Map stays well below 4,096 entries. */
const KEYS_PER_PART = 1024;
/** The most parts a KeyTable splits into (a batch of a million keys still has about 4,000 keys a part). */
const MAX_PARTS = 256;

/**
 * KeyTable: string keys → values for one batch, held in several small Maps, the part chosen from a key's
 * last three characters. V8 keeps a Map's hash table in one block: past 4,096 entries that block is a large
 * object, mapped fresh from the system on every growth and unmapped when collected, and its page faults cost
 * several times the lookups (a 12,000-id batch took about 280 ns a key in one Map, 75 ns in parts). Equal
 * keys always land in the same part; keys that share their last characters only crowd one part, which is one
 * Map as before.
 */
export class KeyTable<T> {
  private readonly parts: Map<string, T>[];
  private readonly shift: number;

  /** `expected`: about how many keys the batch holds (the number of parts follows from it). */
  constructor(expected: number) {
    let bits = 0;
    while (1 << bits < MAX_PARTS && KEYS_PER_PART << bits < expected) bits++;
    this.shift = 32 - bits;
    this.parts = new Array<Map<string, T>>(1 << bits);
    for (let p = 0; p < this.parts.length; p++) this.parts[p] = new Map();
  }

  /** The part of `key`: a multiplicative hash of its last three character codes (part 0 when unsplit). */
  private partOf(key: string): Map<string, T> {
    if (this.shift === 32) return this.parts[0]!;
    const n = key.length;
    const mixed = (key.charCodeAt(n - 1) | 0) + 31 * ((key.charCodeAt(n - 2) | 0) + 31 * (key.charCodeAt(n - 3) | 0));
    return this.parts[Math.imul(mixed, 0x9e3779b1) >>> this.shift]!;
  }

  get(key: string): T | undefined {
    return this.partOf(key).get(key);
  }

  set(key: string, value: T): void {
    this.partOf(key).set(key, value);
  }

  /** How many keys each part holds (for tests). */
  partSizes(): number[] {
    return this.parts.map((part) => part.size);
  }
}

/** A batch's keys without repeats, in first-seen order, and the slot of each input position among them. */
export interface DistinctKeys {
  keys: string[];
  /** slotOf[i]: the index in `keys` of input position i. */
  slotOf: Int32Array;
  /** firstOf[k]: the first input position holding keys[k]. */
  firstOf: number[];
}

/** distinctKeys: each key once, in the order it first appears. */
export function distinctKeys(input: readonly string[]): DistinctKeys {
  const keys: string[] = [];
  const firstOf: number[] = [];
  const slotOf = new Int32Array(input.length);
  const slotByKey = new KeyTable<number>(input.length);
  for (let i = 0; i < input.length; i++) {
    const key = input[i]!;
    let slot = slotByKey.get(key);
    if (slot === undefined) {
      slot = keys.length;
      keys.push(key);
      firstOf.push(i);
      slotByKey.set(key, slot);
    }
    slotOf[i] = slot;
  }
  return { keys, slotOf, firstOf };
}

/** spread: the value of each input position, from one value per distinct key. */
export function spread<T>(values: readonly T[], slotOf: Int32Array): T[] {
  const out = new Array<T>(slotOf.length);
  for (let i = 0; i < slotOf.length; i++) out[i] = values[slotOf[i]!]!;
  return out;
}

/** byKey: distinct keys → their values, for lookups by key (e.g. targets of a batch of derived rows). */
export function byKey<T>(keys: readonly string[], values: readonly T[]): KeyTable<T> {
  const table = new KeyTable<T>(keys.length);
  for (let k = 0; k < keys.length; k++) table.set(keys[k]!, values[k]!);
  return table;
}
