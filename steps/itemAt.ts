// ItemAtStep: what first() and last() share — one item of each entry's list, picked by position (null for an
// empty or null list). One plain loop per batch; never copies a list.

import { Step, type ExecutionDetails } from "../src/index.js";

export abstract class ItemAtStep<T = unknown> extends Step<T | null> {
  constructor($list: Step) {
    super();
    this.addDependency($list);
  }

  /** The position of the item to take in a non-empty list of `length` items. */
  protected abstract indexIn(length: number): number;

  execute({ count, values: [lists] }: ExecutionDetails<[ReadonlyArray<readonly T[] | null | undefined>]>): ReadonlyArray<T | null> {
    const out = new Array<T | null>(count);
    for (let i = 0; i < count; i++) {
      const l = lists[i];
      out[i] = l != null && l.length > 0 ? l[this.indexIn(l.length)]! : null;
    }
    return out;
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p.constructor === this.constructor);
  }
}
