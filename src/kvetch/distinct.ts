// Distinct keys: the one place a batch's keys (ids, list keys, pairs) are made distinct, so each is read or
// written once, and the one place results for the distinct keys are spread back over the input positions.
// Allocates per batch, never per entry. distinctKeys never changes a key (callers canonicalize ids first:
// checkIds); distinctCheckedIds checks and canonicalizes the ids it is given, in the same pass.

import { idListError, notUuidError, scanId, scannedHash } from "./id.js";
import { FNV_OFFSET, FNV_PRIME, finishKeyHash } from "./shard.js";

/**
 * hashOfKey: a 32-bit hash of every character of `key` (FNV-1a, then a final mix so the low bits, which pick
 * the table position, depend on every character). The whole key is hashed: keys that share a start or an end
 * (pairs, index values) still spread.
 */
function hashOfKey(key: string): number {
  const n = key.length;
  let hash = (FNV_OFFSET ^ n) | 0;
  let i = 1;
  // Two characters a step (the common keys are 36-character ids).
  for (; i < n; i += 2) hash = Math.imul(hash ^ (key.charCodeAt(i - 1) | (key.charCodeAt(i) << 16)), FNV_PRIME);
  if (i === n) hash = Math.imul(hash ^ key.charCodeAt(n - 1), FNV_PRIME);
  return finishKeyHash(hash);
}

/** A table of 2^k positions, at least twice `count` and at least 16. */
function tableFor(count: number): Int32Array {
  let size = 16;
  while (size < 2 * count) size *= 2;
  return new Int32Array(size);
}

/**
 * The position of `key` in `table` (open addressing, linear probing; a position holds 1 + the key's index in
 * `keys`, 0 when free): where the key is, else the free position where it goes.
 */
function positionOf(table: Int32Array, keys: readonly string[], key: string): number {
  return positionAt(table, keys, key, hashOfKey(key));
}

/** positionOf for a key whose hashOfKey is known. */
function positionAt(table: Int32Array, keys: readonly string[], key: string, hash: number): number {
  const mask = table.length - 1;
  let at = hash & mask;
  for (;;) {
    const held = table[at]!;
    if (held === 0 || keys[held - 1] === key) return at;
    at = (at + 1) & mask;
  }
}

/**
 * KeyTable: string keys → values for one batch, in one typed array of positions beside a list of keys and
 * one of values. No Map: a Map's hash table costs about 100 bytes a key once its growth steps are counted,
 * and past 4,096 entries V8 maps it fresh from the system at every growth (a 12,000-id batch took about 280
 * ns a key in one Map); this table costs 8 to 16 bytes a key and allocates once when `expected` is right.
 */
export class KeyTable<T> {
  private table: Int32Array;
  private readonly keys: string[] = [];
  private readonly values: T[] = [];

  /** `expected`: about how many keys the batch holds (more are taken; the table then grows). */
  constructor(expected: number) {
    this.table = tableFor(expected);
  }

  get size(): number {
    return this.keys.length;
  }

  /** How many positions the table has (for tests: twice the keys or more, a power of two). */
  get capacity(): number {
    return this.table.length;
  }

  get(key: string): T | undefined {
    const held = this.table[positionOf(this.table, this.keys, key)]!;
    return held === 0 ? undefined : this.values[held - 1];
  }

  set(key: string, value: T): void {
    const at = positionOf(this.table, this.keys, key);
    const held = this.table[at]!;
    if (held !== 0) {
      this.values[held - 1] = value;
      return;
    }
    this.keys.push(key);
    this.values.push(value);
    this.table[at] = this.keys.length;
    if (2 * this.keys.length > this.table.length) this.grow();
  }

  private grow(): void {
    const table = tableFor(this.keys.length);
    for (let k = 0; k < this.keys.length; k++) table[positionOf(table, this.keys, this.keys[k]!)] = k + 1;
    this.table = table;
  }
}

/** A batch's keys without repeats, in first-seen order, and the slot of each input position among them. */
export interface DistinctKeys {
  keys: string[];
  /** slotOf[i]: the index in `keys` of input position i. */
  slotOf: Int32Array;
  /** firstOf[k]: the first input position holding keys[k]. */
  firstOf: Int32Array;
}

/**
 * The result of distinctKeys or distinctCheckedIds as it is built: each input position's key is added in
 * order with its hashOfKey; the first time a key is seen it gets the next slot. Allocated once per batch.
 */
class DistinctBuilder {
  private readonly keys: string[];
  private readonly firstOf: Int32Array;
  private readonly slotOf: Int32Array;
  private readonly table: Int32Array;
  private count = 0;

  constructor(n: number) {
    this.keys = new Array<string>(n);
    this.firstOf = new Int32Array(n);
    this.slotOf = new Int32Array(n);
    this.table = tableFor(n);
  }

  /** Input position `i` holds `key`, whose hashOfKey is `hash`. */
  add(i: number, key: string, hash: number): void {
    const table = this.table;
    const at = positionAt(table, this.keys, key, hash);
    let slot = table[at]! - 1;
    if (slot < 0) {
      slot = this.count++;
      this.keys[slot] = key;
      this.firstOf[slot] = i;
      table[at] = this.count;
    }
    this.slotOf[i] = slot;
  }

  finish(): DistinctKeys {
    this.keys.length = this.count;
    return { keys: this.keys, slotOf: this.slotOf, firstOf: this.firstOf.subarray(0, this.count) };
  }
}

/**
 * distinctKeys: each key once, in the order it first appears. Allocates the result and one position table
 * (8 to 16 bytes a key), never a Map.
 */
export function distinctKeys(input: readonly string[]): DistinctKeys {
  const distinct = new DistinctBuilder(input.length);
  for (let i = 0; i < input.length; i++) distinct.add(i, input[i]!, hashOfKey(input[i]!));
  return distinct.finish();
}

/**
 * distinctCheckedIds: checkIds and distinctKeys in one pass, for a batch of ids given to a read — each id's
 * characters are read once (scanId: the check, the case, and hashOfKey of the canonical form) instead of once
 * to check them and once more to hash them. The keys are the canonical ids; the first malformed id is
 * reported with its position, exactly as checkIds reports it.
 */
export function distinctCheckedIds(values: readonly unknown[], where: string): DistinctKeys {
  if (!Array.isArray(values)) throw idListError(values, where);
  const distinct = new DistinctBuilder(values.length);
  for (let i = 0; i < values.length; i++) {
    const value: unknown = values[i];
    const kind = scanId(value);
    if (kind === 0) throw notUuidError(value, `${where}[${i}]`);
    distinct.add(i, kind === 1 ? (value as string) : (value as string).toLowerCase(), scannedHash[0]!);
  }
  return distinct.finish();
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
