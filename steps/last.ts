// last($list): the last item of each entry's list (null for an empty or null list).

import { Step, type ExecutionDetails } from "../src/index.js";

export class LastStep<T = unknown> extends Step<T | null> {
  constructor($list: Step) {
    super();
    this.addDependency($list);
  }

  execute({ count, values: [lists] }: ExecutionDetails<[ReadonlyArray<readonly T[] | null | undefined>]>): ReadonlyArray<T | null> {
    const out = new Array<T | null>(count);
    for (let i = 0; i < count; i++) {
      const l = lists[i];
      out[i] = l != null && l.length > 0 ? l[l.length - 1]! : null;
    }
    return out;
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof LastStep);
  }
}

export function last<T = unknown>($list: Step): LastStep<T> {
  return new LastStep<T>($list);
}
