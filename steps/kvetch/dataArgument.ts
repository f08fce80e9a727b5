// The data argument of the Kvetch write steps: a step giving each entry's data bag, or an object whose
// values are steps or plain values (`{ listId: $listId, done: false }`), built per entry by object().
// Never reads or writes the store.

import { Step } from "../../src/index.js";
import { constant } from "../../src/index.js";
import { object } from "../object.js";

export type DataArgument = Step | { readonly [key: string]: Step | unknown };

export function dataStep(data: DataArgument): Step {
  if (data instanceof Step) return data;
  const spec: Record<string, Step> = {};
  for (const key of Object.keys(data)) {
    const value = data[key];
    spec[key] = value instanceof Step ? value : constant(value);
  }
  return object(spec);
}
