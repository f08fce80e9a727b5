// kvetchStore(): the step every Kvetch step reads its store from — `contextValue.kvetch` unless the step is
// given `{ store: $step }`. It is global (resolved once per request), so one schema serves many stores.
// Never opens, caches or remembers a store between requests.

import type { Step } from "../../src/engine/step.js";
import type { Kvetch } from "../../src/kvetch/kvetch.js";
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
