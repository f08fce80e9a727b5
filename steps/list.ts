// list([$a, $b, ...]): a tuple of each entry's values from several steps.

import { Step, type ExecutionDetails, registerStepClass } from "../src/index.js";

export class ListStep extends Step<unknown[]> {
  static override readonly stepName = "List";
  static {
    registerStepClass(this);
  }
  constructor($items: readonly Step[]) {
    super();
    for (const $item of $items) this.addDependency($item);
  }

  execute({ count, values }: ExecutionDetails<ReadonlyArray<readonly unknown[]>>): readonly unknown[][] {
    const width = values.length;
    const out = new Array<unknown[]>(count);
    for (let i = 0; i < count; i++) {
      const tuple = new Array<unknown>(width);
      for (let k = 0; k < width; k++) tuple[k] = values[k]![i];
      out[i] = tuple;
    }
    return out;
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof ListStep);
  }
}

export function list($items: readonly Step[]): ListStep {
  if (!Array.isArray($items)) throw new TypeError(`graphscale: list($items): $items must be an array of steps, got ${describeArgument($items)}.`);
  return new ListStep($items);
}

/** Short rendering of a bad argument given to a step factory, for its plan-time error message. */
export function describeArgument(value: unknown): string {
  if (typeof value === "string") return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)} (string)`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return `${String(value)} (${typeof value})`;
  if (typeof value === "function") return "a function";
  if (value instanceof Step) return `the step ${String(value)}`;
  return Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : typeof value;
}
