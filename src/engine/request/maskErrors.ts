// Masked errors: an error a data source marks as internal (a shard that failed, a driver's text, a cache
// that went away) reaches the client as `Internal error (id …)`; the detail goes to the server's
// `onInternalError` hook with the same id. Errors users mean clients to see — GraphQL errors, graphql-js
// resolvers' own errors, anything not marked — pass through. Never changes `data`.

import { GraphQLError, type ExecutionResult, type GraphQLSchema } from "graphql";
import { randomBytes } from "node:crypto";

/**
 * The mark a data source puts on an internal error: a property under this registered symbol, so a store
 * (which must not import the engine) can set it with `Symbol.for("graphscale.internalError")`.
 */
export const INTERNAL_ERROR = Symbol.for("graphscale.internalError");

/** What the server learns about a masked error. */
export interface InternalErrorReport {
  /** The id the client saw. */
  readonly id: string;
  /** The error as the data source raised it (host, driver text and all). */
  readonly error: unknown;
  readonly path: ReadonlyArray<string | number> | undefined;
}

export interface ErrorMaskingOptions {
  /** Development only: clients see internal errors as raised. */
  exposeInternalErrors?: boolean;
  /** Called once per masked error (default: `console.error` with the id and the error). */
  onInternalError?: (report: InternalErrorReport) => void;
}

/** Whether `error` (or an error it was caused by) carries the internal mark. */
export function isInternalError(error: unknown): boolean {
  for (let e = error, depth = 0; e != null && typeof e === "object" && depth < 8; depth++) {
    if ((e as { [INTERNAL_ERROR]?: unknown })[INTERNAL_ERROR] === true) return true;
    e = e instanceof GraphQLError ? e.originalError : (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The schema's own onInternalError (makeSchema({ onInternalError })), if any. */
function schemaHook(schema: GraphQLSchema | undefined): ErrorMaskingOptions["onInternalError"] {
  return (schema?.extensions?.graphscale as ErrorMaskingOptions | undefined)?.onInternalError;
}

function defaultReport(report: InternalErrorReport): void {
  console.error(`graphscale: internal error ${report.id} at ${report.path?.join(".") ?? "(request)"}:`, report.error);
}

/** spec: MaskErrors — the result with every internal error replaced by its masked form. */
export function maskErrors(result: ExecutionResult, options: ErrorMaskingOptions & { readonly schema?: GraphQLSchema }): ExecutionResult {
  const errors = result.errors;
  if (errors === undefined || options.exposeInternalErrors === true) return result;
  let masked: GraphQLError[] | null = null;
  for (let i = 0; i < errors.length; i++) {
    const error = errors[i]!;
    if (!isInternalError(error)) continue;
    masked ??= errors.slice();
    const id = randomBytes(6).toString("hex");
    (options.onInternalError ?? schemaHook(options.schema) ?? defaultReport)({ id, error: error.originalError ?? error, path: error.path });
    masked[i] = new GraphQLError(`Internal error (id ${id})`, {
      nodes: error.nodes,
      positions: error.positions,
      source: error.source,
      path: error.path,
      extensions: { code: "INTERNAL", errorId: id },
    });
  }
  return masked === null ? result : { ...result, errors: masked };
}

/** A request-level failure as the GraphQL error its error result carries (the original kept for masking). */
export function toGraphQLError(error: unknown): GraphQLError {
  return error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined });
}
