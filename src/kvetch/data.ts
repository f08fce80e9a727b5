// Object and edge data: checks that a value is a JSON object bag before any I/O and turns it into the
// JSON text that every backend stores, so stored state never shares memory with a caller's objects.
// Never accepts a value that JSON would silently change (functions, undefined in arrays, NaN, BigInt, cycles),
// nor one nested deeper than MAX_DATA_DEPTH; never sets a key by assignment (`__proto__` would be lost).

import { KvetchError, describeValue } from "./errors.js";

/**
 * The deepest nesting of objects and arrays a data bag may have, the bag itself being level 1 — MySQL's own
 * limit for a JSON document (100), so a bag can always be handed to MySQL's JSON functions.
 */
export const MAX_DATA_DEPTH = 100;

/**
 * encodeData: the JSON text of a data bag. The top level must be a plain object; a top-level key whose
 * value is `undefined` is left out (that is how an update patch removes a key). Errors name the path.
 */
export function encodeData(value: unknown, where: string): string {
  if (!isPlainObject(value)) {
    throw new KvetchError("BAD_DATA", `${where} must be a plain JSON object, got ${describeValue(value)}`);
  }
  const stack: object[] = [];
  checkObject(value, where, stack, true);
  return JSON.stringify(value);
}

/**
 * setKey: `target[key] = value` as an own, enumerable data property — also for the key `__proto__`, which an
 * assignment would take as the prototype (dropping the key and changing the object's prototype).
 */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/**
 * applyPatch: a shallow merge of an update patch into a copy of `data` (a key whose value is undefined is
 * removed); every key lands as an own key, `__proto__` included, and no prototype is touched.
 */
export function applyPatch(data: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === undefined) delete out[key];
    else setKey(out, key, value);
  }
  return out;
}

/** checkJsonValue: throws unless `value` is a JSON value (used for queried index values). */
export function checkJsonValue(value: unknown, where: string): void {
  checkValue(value, where, []);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A path for messages: the whole path up to 240 characters, else its start and end around "…". */
function shortPath(path: string): string {
  return path.length <= 240 ? path : `${path.slice(0, 120)}…${path.slice(-100)}`;
}

/** The error for an object or array one level deeper than MAX_DATA_DEPTH allows, naming where it starts. */
function tooDeep(path: string): KvetchError {
  return new KvetchError(
    "BAD_DATA",
    `${shortPath(path)} is nested ${MAX_DATA_DEPTH + 1} levels deep; data can nest objects and arrays at most ` +
      `${MAX_DATA_DEPTH} levels (the data bag itself is level 1); flatten it or store the deep part as a JSON string`,
  );
}

/**
 * checkObject: every value of a plain object; undefined values are allowed only in the bag itself (`top`):
 * left out, or removed by an update patch.
 */
function checkObject(value: Record<string, unknown>, path: string, stack: object[], top: boolean): void {
  if (stack.includes(value)) {
    throw new KvetchError("BAD_DATA", `${path} refers back to one of its own ancestors (a cycle); JSON cannot hold it`);
  }
  if (stack.length >= MAX_DATA_DEPTH) throw tooDeep(path);
  stack.push(value);
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (child === undefined && top) continue;
    checkValue(child, `${path}${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`, stack);
  }
  stack.pop();
}

function checkValue(value: unknown, path: string, stack: object[]): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) {
        throw new KvetchError("BAD_DATA", `${path} is ${value}; JSON numbers must be finite`);
      }
      return;
    case "object":
      if (value === null) return;
      if (Array.isArray(value)) {
        if (stack.includes(value)) {
          throw new KvetchError("BAD_DATA", `${path} refers back to one of its own ancestors (a cycle); JSON cannot hold it`);
        }
        if (stack.length >= MAX_DATA_DEPTH) throw tooDeep(path);
        stack.push(value);
        for (let i = 0; i < value.length; i++) checkValue(value[i], `${path}[${i}]`, stack);
        stack.pop();
        return;
      }
      if (!isPlainObject(value)) {
        const kind = (value as object).constructor?.name ?? "object";
        throw new KvetchError(
          "BAD_DATA",
          `${path} is ${/^[aeiou]/i.test(kind) ? "an" : "a"} ${kind}; only plain objects, arrays, strings, finite numbers, booleans and null can be stored ` +
            `(convert it first, e.g. a Date to its ISO string)`,
        );
      }
      checkObject(value, path, stack, false);
      return;
    case "undefined":
      throw new KvetchError("BAD_DATA", `${path} is undefined; use null, or leave the key out`);
    case "bigint":
      throw new KvetchError("BAD_DATA", `${path} is a BigInt; store it as a string or a number`);
    default:
      throw new KvetchError("BAD_DATA", `${path} is ${describeValue(value)}; JSON cannot hold it`);
  }
}
