// clientError: a KvetchError a client's request caused on a write (CONFLICT, NOT_FOUND, WRONG_TYPE) as a
// GraphQLError with `extensions.code` (and `currentVersion` on a CONFLICT), so GraphQL servers show it as is.
// Never converts a shard failure or any other error: those keep their internal mark and stay masked.

import { GraphQLError } from "graphql";
import { KvetchError } from "../../src/kvetch/index.js";

const CLIENT_CODES: ReadonlySet<string> = new Set(["CONFLICT", "NOT_FOUND", "WRONG_TYPE"]);

/** The error a client sees for `error`: a GraphQLError with its code for a client-caused KvetchError, else `error` itself. */
export function clientError(error: unknown): unknown {
  if (!(error instanceof KvetchError) || !CLIENT_CODES.has(error.code)) return error;
  const extensions: Record<string, unknown> = { code: error.code };
  if (error.currentVersion !== undefined) extensions.currentVersion = error.currentVersion;
  return new GraphQLError(error.message, { originalError: error, extensions });
}
