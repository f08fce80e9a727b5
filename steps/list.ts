// list([$a, $b, ...]): a tuple of each entry's values from several steps.

import { Step, type ExecutionDetails, registerStepClass } from "../src/index.js";
import { describeArgument } from "./describeArgument.js";

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
