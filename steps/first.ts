// first($list): the first item of each entry's list (null for an empty or null list).

import type { Step } from "../src/index.js";
import { ItemAtStep } from "./itemAt.js";
import { registerStepClass } from "../src/index.js";

export class FirstStep<T = unknown> extends ItemAtStep<T> {
  static override readonly stepName = "First";
  static {
    registerStepClass(this);
  }
  protected indexIn(): number {
    return 0;
  }
}

export function first<T = any>($list: Step): FirstStep<T> {
  return new FirstStep<T>($list);
}
