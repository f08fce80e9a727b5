// inhibitOnNull($x): a null entry becomes "inhibited", so every step that depends on it skips that entry
// (its data source is never called for it) and the field it feeds answers null.

import { FLAG_NULL, INHIBITED, Step, type ExecutionDetails, registerStepClass } from "../src/index.js";

export class InhibitOnNullStep<T> extends Step<T> {
  static override readonly stepName = "InhibitOnNull";
  static {
    registerStepClass(this);
  }
  constructor($value: Step) {
    super();
    this.addDependency($value, { acceptFlags: FLAG_NULL });
  }

  execute({ count, values: [items] }: ExecutionDetails<[readonly T[]]>) {
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) {
      const v = items[i];
      out[i] = v == null ? INHIBITED : v;
    }
    return out as T[];
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof InhibitOnNullStep);
  }
}

export function inhibitOnNull<T = any>($value: Step<T>): InhibitOnNullStep<T> {
  return new InhibitOnNullStep<T>($value);
}
