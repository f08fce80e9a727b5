// loadMany($key, callback, params?): a list of records per key, loaded for the whole layer with one callback call.

import type { Step } from "../src/index.js";
import { LoadStep, paramsStep, type LoadCallback } from "./loadStep.js";
import { describeArgument } from "./describeArgument.js";

/** A list of records per key: the callback returns, per distinct key, a list. */
export function loadMany<K, V, P = undefined>($key: Step<K>, callback: LoadCallback<K, readonly V[], P>, params?: Step | P): LoadStep<K, readonly V[], P> {
  if (typeof callback !== "function") {
    throw new TypeError(`graphscale: loadMany($key, callback, params?): callback must be a function, got ${describeArgument(callback)}.`);
  }
  return new LoadStep<K, readonly V[], P>($key, callback, paramsStep(params), true);
}
