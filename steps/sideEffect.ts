// sideEffect($input, fn): calls `fn` for each entry, for plan resolvers that write (mutations). It is never
// deduplicated, hoisted or made global, and runs even if nothing reads its result.

import { Step, type ExecutionDetails, registerStepClass } from "../src/index.js";

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
    const out = new Array<O | PromiseLike<O>>(count);
    for (let i = 0; i < count; i++) out[i] = fn(inputs[i] as I);
    return out;
  }

  override toStringMeta(): string {
    return this.fn.name || "fn";
  }
}

export function sideEffect<I, O>($input: Step, fn: (value: I) => O | PromiseLike<O>): SideEffectStep<I, O> {
  return new SideEffectStep($input, fn);
}
