// KvetchError: the one error class Kvetch throws for anything a caller can get wrong or a shard can fail at.
// Every message says what was wrong, where (call, argument position, shard, type name) and what to do;
// it must never include credentials from a connection URL.

/** Stable codes so callers and tests can branch without parsing messages. */
export type KvetchErrorCode =
  | "BAD_ID"
  | "BAD_CURSOR"
  | "BAD_DATA"
  | "BAD_ARGUMENT"
  | "BAD_SCHEMA"
  | "BAD_CONFIG"
  | "UNKNOWN_NAME"
  | "NOT_FOUND"
  | "DERIVED_EDGE"
  | "CONFLICT"
  | "SHARD_FAILED";

export class KvetchError extends Error {
  readonly code: KvetchErrorCode;

  constructor(code: KvetchErrorCode, message: string, options?: { cause?: unknown }) {
    super(`Kvetch: ${message}`, options);
    this.name = "KvetchError";
    this.code = code;
  }
}

/** Short, printable rendering of a value a caller passed in, for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") {
    const text = JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    return text;
  }
  if (typeof value === "bigint") return `${value}n (bigint)`;
  if (typeof value === "function") return `a function`;
  if (typeof value === "symbol") return `a symbol`;
  if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean") {
    return `${String(value)} (${value === null ? "null" : typeof value})`;
  }
  return Array.isArray(value) ? `an array` : `an object`;
}
