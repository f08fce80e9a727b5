// Request limits: what bounds every request (by default), as the schema and the request configure them, and
// the errors a limit raises. Part of the Step API: a step reads its request's limits (RequestInfo). The
// planning-time measure of an operation against them is planning/measureOperation.ts; never walks a query.

import { GraphQLError, type FieldNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";

/** What a request may cost; each is configurable per request (`limits` on execute) and per schema. */
export interface Limits {
  /** Deepest field nesting of a selection (the root fields are depth 1). */
  readonly maxDepth: number;
  /** Fields (aliases included) in one selection set, after fragments are merged. */
  readonly maxFieldsPerSelection: number;
  /** Fields in the whole operation with every fragment expanded: what the planner would plan. */
  readonly maxPlannedFields: number;
  /** Estimated field resolutions: each field counts once per item of every list above it. */
  readonly maxCost: number;
  /** The item count assumed for a list without a `first`/`last` argument. */
  readonly defaultListSize: number;
  /** The largest page a list step may read (`first`/`last`); above it is a field error, never a silent cap. */
  readonly maxPageSize: number;
  /** Entries (list items, objects) the whole response may produce. */
  readonly maxResponseEntries: number;
  /** Time a request may run, in milliseconds (null: no timeout). */
  readonly timeoutMs: number | null;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxDepth: 64,
  maxFieldsPerSelection: 1_000,
  maxPlannedFields: 20_000,
  maxCost: 10_000_000,
  defaultListSize: 100,
  maxPageSize: 1_000,
  maxResponseEntries: 1_000_000,
  timeoutMs: 30_000,
});

/** Each schema's limits merged over the defaults, made once per `limits` object the schema holds. */
const schemaLimitsCache = new WeakMap<GraphQLSchema, { readonly given: Partial<Limits>; readonly limits: Limits }>();

/** `base` with the keys `over` gives a value (`undefined` gives none: the key stays as it was). */
function overlay(base: Limits, over: Partial<Limits>): Limits {
  const out: Record<string, unknown> = { ...base };
  for (const key of Object.keys(over) as Array<keyof Limits>) {
    const value = over[key];
    if (value === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) throw new TypeError(`graphscale: limits.${key} is not a limit; the limits are ${Object.keys(DEFAULT_LIMITS).join(", ")}.`);
    const allowed = key === "timeoutMs" ? value === null || (typeof value === "number" && Number.isFinite(value) && value >= 0) : Number.isSafeInteger(value) && (value as number) >= 0;
    if (!allowed) {
      const want = key === "timeoutMs" ? "a finite number of milliseconds, 0 or more, or null (no timeout)" : "an integer, 0 or more";
      throw new TypeError(`graphscale: limits.${key} must be ${want}; got ${typeof value === "number" ? value : JSON.stringify(value) ?? typeof value}.`);
    }
    out[key] = value;
  }
  return Object.freeze(out) as unknown as Limits;
}

/**
 * The limits in force: the request's own over the schema's (`makeSchema({ limits })`) over the defaults, a
 * key given as `undefined` counting as absent. A request without its own limits gets the schema's object, the
 * same one every time.
 */
export function resolveLimits(schema: GraphQLSchema, requestLimits: Partial<Limits> | undefined): Limits {
  const schemaLimits = (schema.extensions?.graphscale as { limits?: Partial<Limits> } | undefined)?.limits;
  let base = DEFAULT_LIMITS;
  if (schemaLimits !== undefined) {
    let cached = schemaLimitsCache.get(schema);
    if (cached === undefined || cached.given !== schemaLimits) schemaLimitsCache.set(schema, (cached = { given: schemaLimits, limits: overlay(DEFAULT_LIMITS, schemaLimits) }));
    base = cached.limits;
  }
  return requestLimits === undefined ? base : overlay(base, requestLimits);
}

/** Whether two limits objects hold the same value for every limit. */
export function sameLimits(a: Limits, b: Limits): boolean {
  if (a === b) return true;
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof Limits>) if (!Object.is(a[key], b[key])) return false;
  return true;
}

/** A request error for a limit, naming the limit, the value found and where. */
export function limitError(message: string, node?: FieldNode | OperationDefinitionNode): GraphQLError {
  return new GraphQLError(message, { nodes: node, extensions: { code: "LIMIT_EXCEEDED" } });
}

/** The maxResponseEntries field error: a list (of objects or of leaves) that would take the response past it. */
export function responseEntriesError(max: number): GraphQLError {
  return limitError(`The response would hold more than ${max} entries (maxResponseEntries); ask for smaller pages.`);
}

/** The maxDepth message, the same whether the walk or a cached plan's shape finds the depth over the limit. */
export function depthMessage(maxDepth: number): string {
  return `The query is nested deeper than the limit of ${maxDepth} levels (maxDepth).`;
}
