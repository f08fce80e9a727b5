// each($list, callback): plans the items of a list. Returned by a list field's plan resolver, it makes
// the engine open the list's item layer and call `callback($item)` there once, at planning time.

import { Step, type ExecutionDetails } from "../../step.js";
import { registerStepClass } from "../../stepRegistry.js";

export class EachStep extends Step<unknown[]> {
  static override readonly stepName = "Each";
  static {
    registerStepClass(this);
  }
  constructor(
    readonly $list: Step,
    readonly callback: ($item: Step) => Step,
  ) {
    super();
    this.addDependency($list);
  }

  execute(_details: ExecutionDetails): never {
    throw new Error(
      `graphscale: ${this} was used as a dependency of another step; each() only plans the items of a list field (return it from the list field's plan resolver).`,
    );
  }
}

export function each($list: Step, callback: ($item: Step) => Step): EachStep {
  if (typeof callback !== "function") throw new Error("graphscale: each($list, callback) needs a callback returning a step.");
  return new EachStep($list, callback);
}
