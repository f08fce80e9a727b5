// exitIf($x, predicate, outcome): entries whose value satisfies `predicate` exit early — every step that
// depends on them skips them (no data source call), and the field answers `null`, `[]`, or the error.

import { FLAG_NULL, INHIBITED, INHIBITED_AS_EMPTY_LIST, Step, fail, type ExecutionDetails, registerStepClass } from "../src/index.js";
import { describeArgument } from "./describeArgument.js";

export type ExitOutcome = "null" | "emptyList" | Error;

export class ExitIfStep<T> extends Step<T> {
  static override readonly stepName = "ExitIf";
  static {
    registerStepClass(this);
  }
  constructor(
    $value: Step,
    readonly predicate: (value: T) => boolean,
    readonly outcome: ExitOutcome,
  ) {
    super();
    this.addDependency($value, { acceptFlags: FLAG_NULL });
  }

  execute({ count, values: [items] }: ExecutionDetails<[readonly T[]]>) {
    const predicate = this.predicate;
    const exited = this.outcome === "null" ? INHIBITED : this.outcome === "emptyList" ? INHIBITED_AS_EMPTY_LIST : fail(this.outcome);
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) {
      const v = items[i] as T;
      // A throwing predicate fails that entry only.
      try {
        out[i] = predicate(v) ? exited : v;
      } catch (error) {
        out[i] = fail(error);
      }
    }
    return out as T[];
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof ExitIfStep && p.predicate === this.predicate && p.outcome === this.outcome);
  }

  override toStringMeta(): string {
    return typeof this.outcome === "string" ? this.outcome : "error";
  }
}

export function exitIf<T = any>($value: Step<T>, predicate: (value: NoInfer<T>) => boolean, outcome: ExitOutcome): ExitIfStep<T> {
  if (typeof predicate !== "function") {
    throw new TypeError(`graphscale: exitIf($value, predicate, outcome): predicate must be a function, got ${describeArgument(predicate)}.`);
  }
  if (outcome !== "null" && outcome !== "emptyList" && !(outcome instanceof Error)) {
    throw new Error(`graphscale: exitIf outcome must be "null", "emptyList" or an Error, not ${String(outcome)}.`);
  }
  return new ExitIfStep<T>($value, predicate, outcome);
}
