// sideEffect($input, fn): calls `fn` for each entry, for plan resolvers that write (mutations). It is never
// deduplicated, hoisted or made global, and runs even if nothing reads its result.

import { Step, type ExecutionDetails, registerStepClass } from "../src/index.js";
import { describeArgument } from "./describeArgument.js";
import { callPerEntry } from "./perEntry.js";

export class SideEffectStep<I, O> extends Step<O> {
  static override readonly stepName = "SideEffect";
  static {
    registerStepClass(this);
  }
  override hasSideEffects = true;
  override isAsync = true;

  constructor(
    $input: Step,
    readonly fn: (value: I) => O | PromiseLike<O>,
  ) {
    super();
    this.addDependency($input);
  }

  execute({ count, values: [inputs] }: ExecutionDetails<[readonly I[]]>) {
    return callPerEntry(this.fn, inputs, count) as Array<O | PromiseLike<O>>; // a throw is that entry's error only
  }

  override toStringMeta(): string {
    return this.fn.name || "fn";
  }
}

export function sideEffect<I, O>($input: Step, fn: (value: I) => O | PromiseLike<O>): SideEffectStep<I, O> {
  if (typeof fn !== "function") throw new TypeError(`graphscale: sideEffect($input, fn): fn must be a function, got ${describeArgument(fn)}.`);
  return new SideEffectStep($input, fn);
}
