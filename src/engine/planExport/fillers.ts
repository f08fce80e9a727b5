// Generated field setters for imported objects: per key layout of a shape (its keys, which of them the
// shape fixes, and whether each fixed value is plain data), a function that sets an object's fields with
// named stores in key order — monomorphic, where a loop over the keys is a keyed store per field. Made
// once per layout and kept for the process (step kinds repeat across plans); the values themselves are
// arguments, never code. Keys go through JSON.stringify; nothing else from a plan reaches the code.

import type { Encoded } from "./encoded.js";

/** What a filler decodes written and fixed values with. */
export interface ValueDecoder {
  decodeValue(value: Encoded): unknown;
  /** Throws the bad-plan error for a one-element list holding more than a scalar. */
  notScalar(): never;
  /** Throws the bad-plan error for a string index that is not one of the body's strings. */
  notText(): never;
}

/**
 * Sets `target`'s fields from `values[at...]` (the written ones), `fixed[k]` (the shape's, by key index)
 * and `strings` (the body's, for strings written by index).
 */
export type Filler = (
  target: object,
  values: readonly Encoded[],
  at: number,
  fixed: ReadonlyArray<unknown>,
  strings: readonly string[],
  decoder: ValueDecoder,
) => void;

/**
 * How a fixed value is set: as it is (plain scalar), decoded, or — a plain array (tag 0) of at most
 * MAX_LITERAL scalars — copied by an array literal of its elements: the number is its length.
 */
export type FixedKind = "scalar" | "decode" | number;

/** Plain arrays up to this long are copied by a literal (no call); longer ones are decoded. */
const MAX_LITERAL = 8;

export function fixedKind(value: Encoded): FixedKind {
  if (value === null || typeof value !== "object") return "scalar";
  if (value[0] !== 0) return "decode";
  for (let i = 1; i < value.length; i++) if (value[i] !== null && typeof value[i] === "object") return "decode";
  return value.length - 1 <= MAX_LITERAL ? value.length - 1 : "decode";
}

/** Setters made by this process (what tests count: a first import makes none). */
export const generatedStats = { fillers: 0 };

/** Layouts seen by this process are few (a handful per step kind); beyond this many, no more are made. */
const MAX_FILLERS = 2000;
const fillers = new Map<string, Filler>();

function signatureOf(keys: readonly string[], kinds: ReadonlyArray<FixedKind | "written" | "single" | "singleText">): string {
  return `${JSON.stringify(keys)}\u0001${kinds.join(",")}`; // a join could make two key lists one
}

/**
 * The filler this process already made for a key layout (FillerFor), or null: nothing is generated. A
 * shape's first import uses it (TierUp): made for another shape list of the same layout, it costs nothing.
 */
export function madeFiller(keys: readonly string[], kinds: ReadonlyArray<FixedKind | "written" | "single" | "singleText">): Filler | null {
  return fillers.size === 0 ? null : (fillers.get(signatureOf(keys, kinds)) ?? null);
}

/**
 * spec: FillerFor — the filler of a key layout: `keys`, and per key the fixed value's kind (a plain array's
 * by its length), "written", "single" (written as the one scalar of a plain array) or "singleText" (the
 * one string of a plain array, written by its index in the body's strings).
 * Null when the process has made MAX_FILLERS already (the caller sets fields in a loop instead).
 */
export function fillerFor(keys: readonly string[], kinds: ReadonlyArray<FixedKind | "written" | "single" | "singleText">): Filler | null {
  const signature = signatureOf(keys, kinds);
  let filler = fillers.get(signature);
  if (filler !== undefined) return filler;
  if (fillers.size >= MAX_FILLERS) return null;
  const lines: string[] = ["var x;"];
  let next = 0;
  for (let k = 0; k < keys.length; k++) {
    const target = `o[${JSON.stringify(keys[k])}]`;
    switch (kinds[k]) {
      case "written":
        lines.push(`x = v[at + ${next++}]; ${target} = x !== null && typeof x === "object" ? d.decodeValue(x) : x;`);
        break;
      case "single":
        lines.push(`x = v[at + ${next++}]; if (x !== null && typeof x === "object") d.notScalar(); ${target} = [x];`);
        break;
      case "singleText":
        lines.push(`x = v[at + ${next++}]; x = typeof x === "number" ? s[x] : undefined; if (x === undefined) d.notText(); ${target} = [x];`);
        break;
      case "scalar":
        lines.push(`${target} = f[${k}];`);
        break;
      case "decode":
        lines.push(`${target} = d.decodeValue(f[${k}]);`);
        break;
      default: {
        const items: string[] = [];
        for (let i = 1; i <= (kinds[k] as number); i++) items.push(`f[${k}][${i}]`);
        lines.push(`${target} = [${items.join(", ")}];`);
      }
    }
  }
  try {
    filler = new Function("o", "v", "at", "f", "s", "d", lines.join("\n")) as Filler;
  } catch {
    return null; // the runtime refuses code made from strings: the caller sets fields in a loop
  }
  fillers.set(signature, filler);
  generatedStats.fillers++;
  return filler;
}
