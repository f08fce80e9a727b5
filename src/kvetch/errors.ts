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
  | "UNIQUE_VIOLATION"
  | "MOVED"
  | "WRONG_TYPE"
  | "RESTRICTED"
  | "CASCADE_LIMIT"
  | "SHARD_FAILED"
  | "SHARD_UNAVAILABLE"
  | "OVERLOADED"
  | "TOPOLOGY_MISMATCH"
  | "TOPOLOGY_CONFLICT";

/** Why a shard call failed without an answer (the words clients see in `shard N is unavailable (…)`). */
export type ShardFailureReason = "timeout" | "no connection" | "overloaded" | "circuit open" | "connection lost" | "failed";

/**
 * The mark the engine masks internal errors by (src/engine/request/maskErrors.ts); set by its registered name, since
 * Kvetch never imports the engine.
 */
const INTERNAL_ERROR = Symbol.for("graphscale.internalError");

export class KvetchError extends Error {
  readonly code: KvetchErrorCode;
  /** On a CONFLICT from an update given `ifVersion`: the version the object has now (retry from it). */
  readonly currentVersion?: number;

  constructor(code: KvetchErrorCode, message: string, options?: { cause?: unknown; currentVersion?: number }) {
    super(`Kvetch: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KvetchError";
    this.code = code;
    if (options?.currentVersion !== undefined) this.currentVersion = options.currentVersion;
  }
}

/**
 * shardError: a shard call that failed, as callers see it — `Kvetch: shard 2 is unavailable (timeout)` or
 * `Kvetch: shard 2 failed in readObjects` — marked internal, so a GraphQL client sees a masked error. Host,
 * port, database and driver text go only into `cause` (the server's onInternalError hook receives it).
 */
export function shardError(shard: number, reason: ShardFailureReason, what: string, cause: unknown): KvetchError {
  const message =
    reason === "failed"
      ? `shard ${shard} failed in ${what}; the server log has the cause`
      : `shard ${shard} is unavailable (${reason}) in ${what}`;
  const error = new KvetchError(reason === "failed" ? "SHARD_FAILED" : "SHARD_UNAVAILABLE", message, { cause });
  (error as KvetchError & { shardFailure?: ShardFailureReason }).shardFailure = reason;
  markInternal(error);
  return error;
}

/** Marks an error as internal (clients see it masked); returns it. */
export function markInternal<E extends object>(error: E): E {
  Object.defineProperty(error, INTERNAL_ERROR, { value: true, enumerable: false });
  return error;
}

/** The reason a shard error carries (null for any other error). */
export function shardFailureOf(error: unknown): ShardFailureReason | null {
  return error instanceof KvetchError ? ((error as { shardFailure?: ShardFailureReason }).shardFailure ?? null) : null;
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
