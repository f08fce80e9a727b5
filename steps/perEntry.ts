// fn called once per entry, each call on its own: a throw is that entry's error (`fail`), and the entries
// after it are still called. What lambda and sideEffect do with their function.

import { fail } from "../src/index.js";

export function callPerEntry<I, O>(fn: (value: I) => O, inputs: readonly I[], count: number): unknown[] {
  const out = new Array<unknown>(count);
  for (let i = 0; i < count; i++) {
    try {
      out[i] = fn(inputs[i] as I);
    } catch (error) {
      out[i] = fail(error);
    }
  }
  return out;
}
