// kvetchStore(): the step every Kvetch step reads its store from — `contextValue.kvetch` unless the step is
// given `{ store: $step }`. It is global (resolved once per request), so one schema serves many stores.
// Never opens, caches or remembers a store between requests.

import type { PlanValidationContext, Step } from "../../src/index.js";
import type { Kvetch, KvetchSchema } from "../../src/kvetch/index.js";
import { isUuid, withRequest } from "../../src/kvetch/index.js";
import { context } from "../context.js";

/** Options every Kvetch step takes. */
export interface KvetchStepOptions {
  /** The store to use; default `context().get("kvetch")`. Must be a global step (context, constant, …). */
  store?: Step;
}

/** The store step: `contextValue.kvetch` by default. */
export function kvetchStore(options?: KvetchStepOptions): Step {
  return options?.store ?? context().get("kvetch");
}

/**
 * asRequest: runs a step's store calls as its request's work (withRequest with the request's signal): at a
 * busy shard they wait in the request's own lane, served in turn with other requests', and stop waiting when
 * the request ends. Writes are not wrapped: a committed write's derived rows must outlive its request.
 */
export function asRequest<T>(details: { readonly signal: AbortSignal | undefined }, read: () => T): T {
  return withRequest(details, read);
}

/** The key of the Kvetch schema in `makeSchema({ planContext })`: `{ kvetchSchema: defineSchema(...) }`. */
export const KVETCH_SCHEMA_KEY = "kvetchSchema";

/**
 * The Kvetch schema the GraphQL schema was built for (its plan context's `kvetchSchema`), or null when none
 * was given: the steps then check their names against the store's schema when they execute.
 */
export function plannedKvetchSchema(context: PlanValidationContext): KvetchSchema | null {
  const schema = context.planContext[KVETCH_SCHEMA_KEY] as KvetchSchema | undefined;
  if (schema == null) return null;
  if (typeof schema.objectType !== "function") {
    throw new Error(`graphscale: planContext.${KVETCH_SCHEMA_KEY} must be the result of defineSchema(), got ${typeof schema}.`);
  }
  return schema;
}

/** The store a step was handed, or an error saying how to provide one. */
export function requireStore(value: unknown, step: Step): Kvetch {
  if (value !== null && typeof value === "object" && typeof (value as { getObjects?: unknown }).getObjects === "function") {
    return value as Kvetch;
  }
  throw new Error(
    `graphscale: ${step} needs a Kvetch store, but its store step gave ${value === null || value === undefined ? String(value) : typeof value}. ` +
      `Pass contextValue: { kvetch } to execute(), or give the step { store: $step }.`,
  );
}

/**
 * The distinct canonical (lower-case) ids of a batch, and for each entry the index of its id in that list
 * (-1 when the entry needs no store read). A null entry's result is set to null; any other value that is
 * not a UUID gets `notAnId(value)`. One pass, no per-entry allocation beyond the map of distinct ids.
 */
export function distinctIds<R>(
  ids: readonly unknown[],
  count: number,
  out: Array<R | null>,
  notAnId: (value: unknown) => R | null,
): { distinct: string[]; slot: Int32Array } {
  const distinct: string[] = [];
  const slot = new Int32Array(count);
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const id = ids[i];
    slot[i] = -1;
    if (id == null) out[i] = null;
    else if (!isUuid(id)) out[i] = notAnId(id);
    else {
      const key = id.toLowerCase();
      let at = seen.get(key);
      if (at === undefined) {
        at = distinct.length;
        seen.set(key, at);
        distinct.push(key);
      }
      slot[i] = at;
    }
  }
  return { distinct, slot };
}
