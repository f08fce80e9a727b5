// Plan → JSON: the one place explain reads a plan's internals. Each kind is read by one small function —
// layerToJSON (a layer), stepToJSON (a step), valueToJSON (an output value) — and all else reads the JSON.
// Reads a finished plan only: never changes it, never runs a step, never plans.

import { FLAG_ERROR, FLAG_INHIBITED, FLAG_NULL } from "../flags.js";
import { stepNameOf, type Step } from "../step.js";
import type { Layer } from "../planning/layer.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import type { OutputSelection, OutputValue } from "../planning/outputPlan.js";
import type { PartialAbstractValue } from "../planning/partialPlanning.js";
import type { ExportBlockerJSON, FlagName, LayerJSON, OutputSelectionJSON, OutputValueJSON, PlanJSON, StepJSON } from "./planJSON.js";
import { collapseSteps } from "./collapseSteps.js";
import { exportBlocker } from "../planExport/index.js";

/** A step may describe itself for explain in more detail than `toStringMeta()` (edge, index, type). */
interface ExplainableStep {
  explainMeta(): string | null;
}

/** spec: PlanToJSON */
export function planToJSON(plan: OperationPlan): PlanJSON {
  const output = selectionToJSON(plan.root);
  const paths = layerPaths(output);
  const layers = plan.layers.map((layer) => layerToJSON(layer, paths));
  const steps = plan.liveSteps().map(stepToJSON);
  return {
    operation: { type: plan.operation.operation, name: plan.operation.name?.value ?? null },
    constraints: plan.constraints.map((c) => ({ name: c.name, value: c.value })),
    layers,
    steps,
    collapsed: collapseSteps(steps, layers),
    output,
    ...explainExportBlocker(plan),
  };
}

/** spec: ExplainExportBlocker — whether the plan can be exported, and if not, exportBlocker's text and the step it names. */
function explainExportBlocker(plan: OperationPlan): { exportable: true } | { exportable: false; exportBlocker: ExportBlockerJSON } {
  const message = exportBlocker(plan);
  if (message === null) return { exportable: true };
  // The text opens with the step's name, `Class[id<meta>]`, when a step holds what cannot be written.
  const id = /^[A-Za-z_$][\w$]*\[(\d+)/.exec(message)?.[1];
  const step = id === undefined ? null : (plan.steps[Number(id)] ?? null);
  return { exportable: false, exportBlocker: { message, step: step === null ? null : step.id } };
}

/** The class name without "Step"; a bundler's renames of a class (`_LoadStep`, `LoadStep2`) are undone. */
function className(step: Step): string {
  return stepNameOf(step);
}

function shortName(step: Step): string {
  return `${className(step)}[${step.id}]`;
}

function metaOf(step: Step): string | null {
  const explainMeta = (step as Partial<ExplainableStep>).explainMeta;
  return typeof explainMeta === "function" ? explainMeta.call(step) : step.toStringMeta();
}

function flagNames(flags: number): FlagName[] {
  const out: FlagName[] = [];
  if (flags & FLAG_NULL) out.push("null");
  if (flags & FLAG_ERROR) out.push("error");
  if (flags & FLAG_INHIBITED) out.push("inhibited");
  return out;
}

function stepToJSON(step: Step): StepJSON {
  return {
    id: step.id,
    class: className(step),
    meta: metaOf(step),
    layer: step.layerId,
    dependencies: step.dependencies.map((d, i) => ({
      step: d.id,
      global: step.dependencyIsGlobal[i]!,
      acceptFlags: flagNames(step.dependencyAcceptFlags[i]!),
    })),
    global: step.isGlobal,
    async: step.isAsync,
    sideEffects: step.hasSideEffects,
    optimizations: [...step.optimizations],
  };
}

/** `paths`: the response path of each layer's entries by layer id, as `layerPaths` found them. */
function layerToJSON(layer: Layer, paths: ReadonlyMap<number, string>): LayerJSON {
  const r = layer.reason;
  // A mutation field's layer holds the field's own entry, which no output value opens.
  const path = paths.get(layer.id) ?? (r.type === "mutationField" ? r.responseKey : "");
  const at = path === "" ? "" : ` at ${path}`;
  const base = { id: layer.id, reason: r.type, parent: layer.parent?.id ?? null, path, steps: layer.steps.map((s) => s.id) };
  switch (r.type) {
    case "root":
      return { ...base, title: `Layer ${layer.id}: root`, responseKey: null };
    case "listItem":
      return {
        ...base,
        title: `Layer ${layer.id}: list items of ${shortName(r.listStep)}${at}`,
        responseKey: r.responseKey,
        listStep: r.listStep.id,
        ...(layer.itemStep ? { itemStep: layer.itemStep.id } : {}),
      };
    case "nullableBoundary":
      return {
        ...base,
        title: `Layer ${layer.id}: non-null ${shortName(r.parentStep)}${at}`,
        responseKey: r.responseKey || null,
        parentStep: r.parentStep.id,
      };
    case "polymorphic":
      return {
        ...base,
        title: `Layer ${layer.id}: type ${r.typeName} by ${shortName(r.typeStep)}${at}`,
        responseKey: r.responseKey || null,
        parentStep: r.parentStep.id,
        typeStep: r.typeStep.id,
        typeName: r.typeName,
      };
    case "mutationField":
      return { ...base, title: `Layer ${layer.id}: mutation field ${r.responseKey}`, responseKey: r.responseKey };
    case "deferred":
      return { ...base, title: `Layer ${layer.id}: deferred fields${at}`, responseKey: null };
  }
}

function selectionToJSON(selection: OutputSelection): OutputSelectionJSON {
  const fields: Record<string, OutputValueJSON> = {};
  for (const field of selection.fields) {
    const value: OutputValueJSON = field.value ? valueToJSON(field.value) : { kind: "typename" };
    // An own key even for an alias named __proto__ (an assignment would set the object's prototype).
    Object.defineProperty(fields, field.responseKey, { value, enumerable: true, writable: true, configurable: true });
  }
  return { type: selection.type.name, fields };
}

function valueToJSON(value: OutputValue): OutputValueJSON {
  const { nonNull } = value;
  const step = value.step.id;
  switch (value.kind) {
    case "leaf":
      return { kind: "leaf", step, nonNull, type: value.type.name };
    case "leafList":
      return { kind: "leafList", step, nonNull };
    case "list":
      return { kind: "list", step, nonNull, layer: value.layer.id, item: valueToJSON(value.item) };
    case "object":
      return { kind: "object", step, nonNull, layer: value.layer.id, selection: selectionToJSON(value.selection) };
    case "abstract": {
      const types: Record<string, { layer: number; selection: OutputSelectionJSON }> = {};
      for (const [typeName, { layer, selection }] of value.byType) types[typeName] = { layer: layer.id, selection: selectionToJSON(selection) };
      const unplanned = (value as PartialAbstractValue).branches?.unplanned;
      return unplanned === undefined
        ? { kind: "abstract", step, nonNull, typeStep: value.typeStep.id, types }
        : { kind: "abstract", step, nonNull, typeStep: value.typeStep.id, types, unplanned: [...unplanned] };
    }
  }
}

/** The response path of each layer's entries by layer id, found by walking the output's JSON. */
function layerPaths(output: OutputSelectionJSON): Map<number, string> {
  const paths = new Map<number, string>();
  const walkSelection = (selection: OutputSelectionJSON, prefix: string): void => {
    for (const [responseKey, value] of Object.entries(selection.fields)) {
      walkValue(value, prefix === "" ? responseKey : `${prefix}.${responseKey}`);
    }
  };
  const walkValue = (value: OutputValueJSON, path: string): void => {
    switch (value.kind) {
      case "list":
        paths.set(value.layer, `${path}[]`);
        walkValue(value.item, `${path}[]`);
        break;
      case "object":
        paths.set(value.layer, path);
        walkSelection(value.selection, path);
        break;
      case "abstract":
        for (const { layer, selection } of Object.values(value.types)) {
          paths.set(layer, path);
          walkSelection(selection, path);
        }
        break;
      default:
        break;
    }
  };
  walkSelection(output, "");
  return paths;
}
