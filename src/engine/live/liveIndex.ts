// The live index of a plan: for a live query's subtree re-runs, which position of the response opens each
// layer (a field of an object's selection, or the item of a list) and which positions read each step.
// Built once per plan (again after partial planning adds a branch); plain data, never holds request values.

import type { Layer } from "../planning/layer.js";
import type { Step } from "../step.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { stepsOfValue, type OutputField, type OutputSelection, type OutputValue } from "../planning/outputPlan.js";

type ListValue = Extract<OutputValue, { kind: "list" }>;

/**
 * A position of the response that a subtree re-run rebuilds: a field of the selection completed over the
 * entries of `layer` (an object layer), or the item of a list whose items are the entries of `layer` (a
 * list layer: re-running an item runs the list layer's own steps for it again, then the layers below).
 * `key` names it among its layer's positions: the response key, or "[]" for a list's item.
 */
export type OutputPosition =
  | { readonly kind: "field"; readonly layer: Layer; readonly key: string; readonly field: OutputField; readonly selection: OutputSelection }
  | { readonly kind: "item"; readonly layer: Layer; readonly key: "[]"; readonly list: ListValue };

export interface LiveIndex {
  /** The plan's branch count when the index was built: a branch planned since makes it stale. */
  readonly branchesPlanned: number;
  /** Per layer id (all but the root's): the position of the parent layer that opens the layer. */
  readonly openedBy: Array<OutputPosition | undefined>;
  /** Per list layer id: the position of the list's item, completed over the layer's entries. */
  readonly itemOf: Array<OutputPosition | undefined>;
  /** The positions reading each step, directly or through a property the output reads inline. */
  readonly readers: Map<Step, OutputPosition[]>;
}

const indexes = new WeakMap<OperationPlan, LiveIndex>();

/** The plan's live index, built on first use and again when partial planning added a branch. */
export function liveIndexOf(plan: OperationPlan): LiveIndex {
  let index = indexes.get(plan);
  if (index === undefined || index.branchesPlanned !== plan.branchesPlanned) indexes.set(plan, (index = buildLiveIndex(plan)));
  return index;
}

function buildLiveIndex(plan: OperationPlan): LiveIndex {
  const index: LiveIndex = { branchesPlanned: plan.branchesPlanned, openedBy: [], itemOf: [], readers: new Map() };
  visitSelection(index, plan.root, plan.rootLayer);
  return index;
}

function visitSelection(index: LiveIndex, selection: OutputSelection, layer: Layer): void {
  for (const field of selection.fields) {
    if (field.value !== null) visitValue(index, field.value, { kind: "field", layer, key: field.responseKey, field, selection });
  }
}

function visitValue(index: LiveIndex, value: OutputValue, position: OutputPosition): void {
  for (const step of stepsOfValue(value)) {
    addReader(index, step, position);
    // A step the output reads inline is never executed: the output reads its dependency.
    if (step.inlined !== null) addReader(index, step.dependencies[0]!, position);
  }
  switch (value.kind) {
    case "list": {
      index.openedBy[value.layer.id] = position;
      const item: OutputPosition = { kind: "item", layer: value.layer, key: "[]", list: value };
      index.itemOf[value.layer.id] = item;
      visitValue(index, value.item, item);
      return;
    }
    case "object":
      index.openedBy[value.layer.id] = position;
      visitSelection(index, value.selection, value.layer);
      return;
    case "abstract":
      for (const { layer, selection } of value.byType.values()) {
        index.openedBy[layer.id] = position;
        visitSelection(index, selection, layer);
      }
      return;
    default:
      return;
  }
}

function addReader(index: LiveIndex, step: Step, position: OutputPosition): void {
  const readers = index.readers.get(step);
  if (readers === undefined) index.readers.set(step, [position]);
  else if (!readers.includes(position)) readers.push(position);
}

/** Whether a subtree re-run can rebuild the position on its own: any field, and a list's plain object items. */
export function canRebuild(position: OutputPosition): boolean {
  if (position.kind === "field") return true;
  const item = position.list.item;
  return item.kind === "object" && item.step === item.valueStep;
}

/** The child layers a position opens (an abstract value's concrete types as planned so far). */
export function layersOpenedBy(position: OutputPosition): Layer[] {
  const value = position.kind === "field" ? position.field.value! : position.list.item;
  switch (value.kind) {
    case "list":
    case "object":
      return [value.layer];
    case "abstract":
      return [...value.byType.values()].map((branch) => branch.layer);
    default:
      return [];
  }
}
