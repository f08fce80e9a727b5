// trap($x, { inhibited, error }): turns inhibited and/or error entries back into ordinary values — `null`
// or an empty list — so a field can answer "nothing" where an early exit happened upstream.

import { FLAG_ERROR, FLAG_INHIBITED, FLAG_NULL, FlaggedValue, Step, type ExecutionDetails, registerStepClass } from "../src/index.js";
import { describeArgument } from "./describeArgument.js";

export type TrapOutcome = "null" | "emptyList";

export interface TrapOptions {
  /** What an inhibited entry becomes (default "null"); leave out to trap only errors. */
  inhibited?: TrapOutcome | "pass";
  /** What an error entry becomes (default: the error passes through). */
  error?: TrapOutcome | "pass";
}

export class TrapStep<T> extends Step<T | null | never[]> {
  static override readonly stepName = "Trap";
  static {
    registerStepClass(this);
  }
  readonly inhibited: TrapOutcome | "pass";
  readonly error: TrapOutcome | "pass";

  constructor($value: Step, options: TrapOptions = {}) {
    super();
    this.inhibited = options.inhibited ?? "null";
    this.error = options.error ?? "pass";
    let accept = FLAG_NULL;
    if (this.inhibited !== "pass") accept |= FLAG_INHIBITED;
    if (this.error !== "pass") accept |= FLAG_ERROR;
    this.addDependency($value, { acceptFlags: accept });
  }

  execute({ count, values: [items] }: ExecutionDetails<[readonly unknown[]]>) {
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) {
      const v = items[i];
      if (v instanceof FlaggedValue) {
        const outcome = v.flag === FLAG_ERROR ? this.error : this.inhibited;
        out[i] = outcome === "emptyList" ? [] : null;
      } else {
        out[i] = v;
      }
    }
    return out as Array<T | null | never[]>;
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof TrapStep && p.inhibited === this.inhibited && p.error === this.error);
  }

  override toStringMeta(): string {
    return `inhibited:${this.inhibited},error:${this.error}`;
  }
}

export function trap<T = any>($value: Step<T>, options?: TrapOptions): TrapStep<T> {
  if (options !== undefined) {
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      throw new TypeError(`graphscale: trap($value, options): options must be an object ({ inhibited, error }), got ${describeArgument(options)}.`);
    }
    checkTrapOutcome("inhibited", options.inhibited);
    checkTrapOutcome("error", options.error);
  }
  return new TrapStep<T>($value, options);
}

function checkTrapOutcome(option: keyof TrapOptions, value: unknown): void {
  if (value !== undefined && value !== "null" && value !== "emptyList" && value !== "pass") {
    throw new TypeError(`graphscale: trap($value, options): options.${option} must be "null", "emptyList" or "pass", got ${describeArgument(value)}.`);
  }
}
