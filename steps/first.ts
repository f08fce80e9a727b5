// first($list): the first item of each entry's list (null for an empty or null list).

import { Step, type ExecutionDetails } from "../src/index.js";

export class FirstStep<T = unknown> extends Step<T | null> {
  constructor($list: Step) {
    super();
    this.addDependency($list);
  }

  execute({ count, values: [lists] }: ExecutionDetails<[ReadonlyArray<readonly T[] | null | undefined>]>): ReadonlyArray<T | null> {
    const out = new Array<T | null>(count);
    for (let i = 0; i < count; i++) {
      const l = lists[i];
      out[i] = l != null && l.length > 0 ? l[0]! : null;
    }
    return out;
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof FirstStep);
  }
}

export function first<T = unknown>($list: Step): FirstStep<T> {
  return new FirstStep<T>($list);
}
