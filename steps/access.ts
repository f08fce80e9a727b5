// access($step, path): reads a property (or a path of properties) of each entry; what `$step.get(key)` builds.
// The step class lives in the engine (every step's `get` makes one); this is its public factory.

import { AccessStep, type Step } from "../src/index.js";

export { AccessStep };

export function access<T = any>($step: Step, path: string | number | ReadonlyArray<string | number>): AccessStep<T> {
  return new AccessStep<T>($step, typeof path === "object" ? path : [path]);
}
