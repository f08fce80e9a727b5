// Object and edge data: checks that a value is a JSON object bag before any I/O and turns it into the
// JSON text that every backend stores, so stored state never shares memory with a caller's objects.
// Never accepts a value that JSON would silently change (functions, undefined in arrays, NaN, BigInt, cycles).

import { KvetchError, describeValue } from "./errors.js";

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

/** checkJsonValue: throws unless `value` is a JSON value (used for queried index values). */
export function checkJsonValue(value: unknown, where: string): void {
  checkValue(value, where, []);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkObject(value: Record<string, unknown>, path: string, stack: object[], topLevel: boolean): void {
  if (stack.includes(value)) {
    throw new KvetchError("BAD_DATA", `${path} refers back to one of its own ancestors (a cycle); JSON cannot hold it`);
  }
  stack.push(value);
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (child === undefined && topLevel) continue;
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
        stack.push(value);
        for (let i = 0; i < value.length; i++) checkValue(value[i], `${path}[${i}]`, stack);
        stack.pop();
        return;
      }
      if (!isPlainObject(value)) {
        const kind = (value as object).constructor?.name ?? "object";
        throw new KvetchError(
          "BAD_DATA",
          `${path} is a ${kind}; only plain objects, arrays, strings, finite numbers, booleans and null can be stored ` +
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
