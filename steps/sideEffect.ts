// sideEffect($input, fn): calls `fn` for each entry, for plan resolvers that write (mutations). It is never
// deduplicated, hoisted or made global, and runs even if nothing reads its result.

import { Step, fail, type ExecutionDetails, registerStepClass } from "../src/index.js";
import { describeArgument } from "./describeArgument.js";

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
    const fn = this.fn;
    const out = new Array<unknown>(count);
    // Each entry's call is independent: a throw fails that entry, and the later entries are still called.
    for (let i = 0; i < count; i++) {
      try {
        out[i] = fn(inputs[i] as I);
      } catch (error) {
        out[i] = fail(error);
      }
    }
    return out as Array<O | PromiseLike<O>>;
  }

  override toStringMeta(): string {
    return this.fn.name || "fn";
  }
}

export function sideEffect<I, O>($input: Step, fn: (value: I) => O | PromiseLike<O>): SideEffectStep<I, O> {
  if (typeof fn !== "function") throw new TypeError(`graphscale: sideEffect($input, fn): fn must be a function, got ${describeArgument(fn)}.`);
  return new SideEffectStep($input, fn);
}
