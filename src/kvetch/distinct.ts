// Distinct keys: the one place a batch's keys (ids, list keys, pairs) are made distinct, so each is read or
// written once, and the one place results for the distinct keys are spread back over the input positions.
// Allocates per batch, never per entry; never changes a key (callers canonicalize ids first: checkIds).

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
  const slotByKey = new Map<string, number>();
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
export function byKey<T>(keys: readonly string[], values: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (let k = 0; k < keys.length; k++) map.set(keys[k]!, values[k]!);
  return map;
}
