// constant(value): a global step for a fixed value. Executes once per request and reaches dependents
// as a bare value; never copied per entry unless a dependent asks for a batch dependency.

import { Step, type ExecutionDetails } from "../../step.js";
import { registerStepClass } from "../../stepRegistry.js";

export class ConstantStep<T> extends Step<T> {
  static override readonly stepName = "Constant";
  static {
    registerStepClass(this);
  }
  constructor(readonly value: T) {
    super();
  }

  execute({ count }: ExecutionDetails): readonly T[] {
    // Global, so almost always one entry: a literal costs a fraction of `new Array(1).fill`.
    return count === 1 ? [this.value] : new Array<T>(count).fill(this.value);
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof ConstantStep && Object.is(p.value, this.value));
  }

  override deduplicationKey(): unknown {
    return this.value;
  }

  override toStringMeta(): string {
    const v = this.value;
    if (v === undefined) return "undefined";
    const text = typeof v === "string" ? JSON.stringify(v) : typeof v === "object" ? (Array.isArray(v) ? "[…]" : "{…}") : String(v);
    return text.length > 24 ? text.slice(0, 21) + "..." : text;
  }
}

export function constant<T>(value: T): ConstantStep<T> {
  return new ConstantStep(value);
}
