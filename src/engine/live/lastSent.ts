// What a live query keeps of the last result it sent, and how a run's result is compared with it
// (spec/reactivity.md, RetainLiveState): the result itself, its JSON text (KeepAsText) or, keeping keys
// only, a digest of that text (KeysOnlyDigest).

import { createHash } from "node:crypto";

/** What a live query compares a run's result with: the last sent `{ data, errors }`. */
export interface LastSent {
  readonly data?: unknown;
  readonly errors?: unknown;
}

/**
 * Whether two results are equal as JSON text (members in the same order), without writing either out: a
 * subtree re-run shares every unchanged object with the last result, so this walks only what changed.
 * Anything but plain objects, arrays and primitives (errors, a scalar's own class) is compared as its JSON.
 */
export function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    // Two different strings or booleans differ; anything else (NaN and null, a date and its text) as JSON.
    return typeof a === typeof b && typeof a !== "number" && typeof a !== "object" ? false : JSON.stringify(a) === JSON.stringify(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJSON(a[i], b[i])) return false;
    return true;
  }
  if (!isPlain(a) || !isPlain(b)) return JSON.stringify(a) === JSON.stringify(b);
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return JSON.stringify(a) === JSON.stringify(b);
  for (let i = 0; i < ak.length; i++) {
    const k = ak[i]!;
    if (k !== bk[i]) return JSON.stringify(a) === JSON.stringify(b);
    const av = (a as Record<string, unknown>)[k];
    const bv = (b as Record<string, unknown>)[k];
    if (av === undefined || bv === undefined || typeof av === "function" || typeof bv === "function") {
      if (av !== bv) return JSON.stringify(a) === JSON.stringify(b);
    } else if (!sameJSON(av, bv)) return false;
  }
  return true;
}

/**
 * spec: KeysOnlyDigest — a live query keeping keys only keeps the last result sent as `#` and the base64 of
 * its JSON text's SHA-256 (45 characters instead of the text): a result is sent unless its text's digest is
 * that one. JSON text never starts with `#`, so a digest and a text (KeepAsText) are told apart.
 */
export function keysOnlyDigest(text: string): string {
  return `#${createHash("sha256").update(text).digest("base64")}`;
}

export function isDigest(last: LastSent | string): boolean {
  return typeof last === "string" && last.charCodeAt(0) === 35;
}

/** Whether a result's JSON text is the last one sent, kept as text or as its digest. */
export function sameText(last: string, text: string): boolean {
  return isDigest(last) ? keysOnlyDigest(text) === last : text === last;
}

/**
 * Whether a value's JSON text gives it back as it is: strings, booleans, finite numbers (not -0), null, and
 * plain objects and arrays of those (no undefined member, no `toJSON`).
 */
export function isPlainJSON(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== "object") return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJSON(value[i])) return false;
    return true;
  }
  if (!isPlain(value)) return false;
  for (const key in value) if (!isPlainJSON((value as Record<string, unknown>)[key])) return false;
  return true;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== "function";
}
