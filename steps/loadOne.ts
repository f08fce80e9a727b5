// loadOne($key, callback, params?): one record per key, loaded for the whole layer with one callback call.

import type { Step } from "../src/index.js";
import { LoadStep, paramsStep, type LoadCallback } from "./loadStep.js";
import { describeArgument } from "./describeArgument.js";

/** One record per key: the callback returns, per distinct key, the record or null. */
export function loadOne<K, V, P = undefined>($key: Step<K>, callback: LoadCallback<K, V, P>, params?: Step | P): LoadStep<K, V, P> {
  if (typeof callback !== "function") {
    throw new TypeError(`graphscale: loadOne($key, callback, params?): callback must be a function, got ${describeArgument(callback)}.`);
  }
  return new LoadStep<K, V, P>($key, callback, paramsStep(params), false);
}
