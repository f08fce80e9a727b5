// ChildNeeds: which of a layer's steps each child layer waits for before it opens (StartChildrenEarly in
// executeLayer.ts), worked out once per plan layer from the plan alone (spec/execution.md).

import type { Step } from "../step.js";
import type { Layer } from "../planning/layer.js";

/**
 * spec: ChildNeeds — per child layer of `layer`, the indices (in `steps`, the layer's executable steps) of the
 * steps the child's whole subtree waits for: every one a step or a layer boundary below depends on, and every
 * step with side effects (a write is done before anything below it reads). A child that opens an abstract
 * position's branches, or whose subtree holds none, still starts once the layer's steps are all done: null.
 */
export function childNeeds(layer: Layer, steps: readonly Step[]): { childNeeds: Array<Int32Array | null>; neededBy: Array<Int32Array | null> } {
  const index = new Map<Step, number>();
  for (let i = 0; i < steps.length; i++) index.set(steps[i]!, i);
  const writes: number[] = [];
  for (let i = 0; i < steps.length; i++) if (steps[i]!.hasSideEffects) writes.push(i);
  const neededBy: number[][] = steps.map(() => []);
  const childNeeds = layer.children.map((child, c) => {
    if (child.reason.runsSerially) return null;
    const needs = new Set<number>(writes);
    const note = (s: Step): void => {
      const k = index.get(s);
      if (k !== undefined) needs.add(k);
    };
    for (const stack = [child]; stack.length > 0; ) {
      const below = stack.pop()!;
      for (const s of below.reason.stepsRead()) note(s);
      if (below.itemStep !== null) note(below.itemStep);
      for (const step of below.steps) for (const d of step.dependencies) note(d);
      stack.push(...below.children);
    }
    const list = Int32Array.from(needs);
    for (const k of list) neededBy[k]!.push(c);
    return list;
  });
  return { childNeeds, neededBy: neededBy.map((l) => (l.length === 0 ? null : Int32Array.from(l))) };
}
