// lambda($x, fn): applies a synchronous pure function to each entry's value. With a list of steps,
// fn receives a tuple. Global when its inputs are global, so `lambda(constant(2), double)` runs once.
// A throw fails only the entry it was thrown for.

import { Step, type ExecutionDetails, registerStepClass } from "../src/index.js";
import { describeArgument } from "./describeArgument.js";
import { list } from "./list.js";
import { callPerEntry } from "./perEntry.js";

export class LambdaStep<I, O> extends Step<O> {
  static override readonly stepName = "Lambda";
  static {
    registerStepClass(this);
  }
  constructor(
    $input: Step,
    readonly fn: (value: I) => O,
  ) {
    super();
    this.addDependency($input);
  }

  execute({ count, values: [inputs] }: ExecutionDetails<[readonly I[]]>) {
    return callPerEntry(this.fn, inputs, count) as O[]; // a throw is that entry's error only
  }

  /** One entry (ExecuteOne): fn of its value, with no lists around it; a throw is that entry's error. */
  override executeOne(input: unknown): O {
    return this.fn(input as I);
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof LambdaStep && p.fn === this.fn);
  }

  override toStringMeta(): string {
    return this.fn.name || "fn";
  }
}

export function lambda<I, O>($input: Step | readonly Step[], fn: (value: I) => O): LambdaStep<I, O> {
  if (typeof fn !== "function") throw new TypeError(`graphscale: lambda($input, fn): fn must be a function, got ${describeArgument(fn)}.`);
  return new LambdaStep(Array.isArray($input) ? list($input as readonly Step[]) : ($input as Step), fn);
}
