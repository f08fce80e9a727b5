// last($list): the last item of each entry's list (null for an empty or null list).

import type { Step } from "../src/index.js";
import { ItemAtStep } from "./itemAt.js";
import { registerStepClass } from "../src/index.js";

export class LastStep<T = unknown> extends ItemAtStep<T> {
  static override readonly stepName = "Last";
  static {
    registerStepClass(this);
  }
  protected indexIn(length: number): number {
    return length - 1;
  }
}

export function last<T = any>($list: Step): LastStep<T> {
  return new LastStep<T>($list);
}
