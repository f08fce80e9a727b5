// clientError: a KvetchError a client's request caused (a malformed or wrong-type id, a bad cursor or page
// size, bad data; CONFLICT, NOT_FOUND, WRONG_TYPE, RESTRICTED, UNIQUE_VIOLATION on a write) as a GraphQLError
// with `extensions.code`, so GraphQL servers show it as is. Never converts a shard failure or any other error: those stay masked.

import { GraphQLError } from "graphql";
import { KvetchError } from "../../src/kvetch/index.js";

/** Kvetch codes a client's input causes, and the `extensions.code` each reaches GraphQL with. */
const CLIENT_CODES: ReadonlyMap<string, string> = new Map([
  ["CONFLICT", "CONFLICT"],
  ["NOT_FOUND", "NOT_FOUND"],
  ["WRONG_TYPE", "WRONG_TYPE"],
  ["RESTRICTED", "RESTRICTED"],
  ["CASCADE_LIMIT", "LIMIT_EXCEEDED"],
  ["UNIQUE_VIOLATION", "UNIQUE_VIOLATION"],
  ["BAD_ID", "BAD_USER_INPUT"],
  ["BAD_CURSOR", "BAD_USER_INPUT"],
  ["BAD_DATA", "BAD_USER_INPUT"],
]);

/** The error a client sees for `error`: a GraphQLError with its code for a client-caused KvetchError, else `error` itself. */
export function clientError(error: unknown): unknown {
  if (!(error instanceof KvetchError)) return error;
  const code = CLIENT_CODES.get(error.code);
  if (code === undefined) return error;
  const extensions: Record<string, unknown> = { code };
  if (code !== error.code) extensions.reason = error.code;
  if (error.currentVersion !== undefined) extensions.currentVersion = error.currentVersion;
  // No originalError: GraphQL Yoga masks a GraphQLError whose originalError is not a GraphQLError.
  return new GraphQLError(error.message, { extensions });
}

/** A client's bad argument to a Kvetch step (a page size, a non-id value) as a GraphQLError with code BAD_USER_INPUT. */
export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

/** A short rendering of a value a client passed, for messages (a string quoted, anything else with its kind). */
export function describeInput(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return "a list";
  if (value === null || typeof value !== "object") return `${String(value)} (${value === null ? "null" : typeof value})`;
  return "an object";
}

/**
 * A maxPageSize error: a GraphQLError carrying `extensions.code` LIMIT_EXCEEDED (spec/limits.md), without a
 * path, so the output locates it at each entry's field and keeps the code.
 */
export function pageLimitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "LIMIT_EXCEEDED" } });
}
