// Explain: an operation plan as JSON (layers, steps, output plan) and as a Mermaid flowchart, for the
// `explain` execution option, the example server's page and tests. Implements spec/explain.md.
// Reads a finished plan only: never changes it, never runs a step, and never plans a second time.

import { GraphQLError, getVariableValues, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import { FLAG_ERROR, FLAG_INHIBITED, FLAG_NULL, type Step } from "./step.js";
import type { Layer } from "./layer.js";
import type { OperationPlan, OutputSelection, OutputValue } from "./operationPlan.js";
import { planCacheFor } from "./planCache.js";
import { getOperation } from "./getOperation.js";

/** What `explain` yields: the plan as JSON, and the same plan as Mermaid flowchart text. */
export interface ExplainedPlan {
  readonly json: PlanJSON;
  readonly mermaid: string;
}

/** The `explain` execution option: both forms (true), or only one of them. */
export type ExplainOption = boolean | "json" | "mermaid";

export interface PlanJSON {
  readonly operation: { readonly type: "query" | "mutation" | "subscription"; readonly name: string | null };
  /** Decisions taken from variable values (@skip/@include); the plan serves only requests where they hold. */
  readonly constraints: ReadonlyArray<{ readonly name: string; readonly value: unknown }>;
  readonly layers: readonly LayerJSON[];
  /** Live steps by ascending id; ids are the plan's own, so they have gaps where steps were removed. */
  readonly steps: readonly StepJSON[];
  /** Steps the diagram draws as one node (see spec/explain.md, CollapseSteps). */
  readonly collapsed: readonly CollapsedNodeJSON[];
  readonly output: OutputSelectionJSON;
}

export type LayerReasonType = "root" | "listItem" | "nullableBoundary" | "polymorphic" | "mutationField" | "subscriptionEvent";

export interface LayerJSON {
  readonly id: number;
  readonly reason: LayerReasonType;
  /** "Layer 2: list items of Load[9] at user.lists[]" — the Mermaid subgraph title. */
  readonly title: string;
  readonly parent: number | null;
  readonly responseKey: string | null;
  /** Response path of this layer's entries, `[]` marking list items ("" for the root layer). */
  readonly path: string;
  /** listItem: the list step; nullableBoundary and polymorphic: the parent step. */
  readonly listStep?: number;
  readonly parentStep?: number;
  /** polymorphic: the step naming each entry's type, and the type this layer holds. */
  readonly typeStep?: number;
  readonly typeName?: string;
  /** listItem: the step whose values are the items. */
  readonly itemStep?: number;
  /** Step ids in execution order (dependencies first). */
  readonly steps: readonly number[];
}

export type FlagName = "null" | "error" | "inhibited";

export interface DependencyJSON {
  readonly step: number;
  /** Handed over as a bare value rather than a list. */
  readonly global: boolean;
  /** Flags this dependency lets through to `execute` (the default is ["null"]). */
  readonly acceptFlags: readonly FlagName[];
}

export interface StepJSON {
  readonly id: number;
  /** The class name without "Step": "Load", "Access". */
  readonly class: string;
  /** `explainMeta()` if the step has one, else `toStringMeta()`. */
  readonly meta: string | null;
  readonly layer: number;
  readonly dependencies: readonly DependencyJSON[];
  readonly global: boolean;
  readonly async: boolean;
  readonly sideEffects: boolean;
  readonly optimizations: readonly string[];
}

export interface CollapsedNodeJSON {
  /** The Mermaid node id. */
  readonly node: string;
  readonly class: string;
  readonly layer: number;
  readonly steps: readonly number[];
  /** "Access ×3 (id, text, done)" */
  readonly label: string;
}

export interface OutputSelectionJSON {
  readonly type: string;
  readonly fields: { readonly [responseKey: string]: OutputValueJSON };
}

export type OutputValueJSON =
  | { readonly kind: "typename" }
  | { readonly kind: "leaf"; readonly step: number; readonly nonNull: boolean; readonly type: string }
  | { readonly kind: "leafList"; readonly step: number; readonly nonNull: boolean }
  | { readonly kind: "list"; readonly step: number; readonly nonNull: boolean; readonly layer: number; readonly item: OutputValueJSON }
  | { readonly kind: "object"; readonly step: number; readonly nonNull: boolean; readonly layer: number; readonly selection: OutputSelectionJSON }
  | {
      readonly kind: "abstract";
      readonly step: number;
      readonly nonNull: boolean;
      readonly typeStep: number;
      readonly types: { readonly [typeName: string]: { readonly layer: number; readonly selection: OutputSelectionJSON } };
    };

/** A step may describe itself for explain in more detail than `toStringMeta()` (edge, index, type). */
interface ExplainableStep {
  explainMeta(): string | null;
}

/** Groups smaller than this stay separate nodes: two siblings read fine, dozens do not. */
const MIN_COLLAPSED = 3;
/** How many member metas a collapsed node's label lists before "…". */
const LABEL_METAS = 5;

/**
 * spec: ExplainPlan — explains the plan `execute` would use for this document, taken from the plan
 * cache (building it if needed). Variables matter only where the plan depends on them (@skip/@include);
 * values that do not coerce are used as given, so a query can be explained without its variables.
 */
export function explainPlan(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variableValues?: { readonly [name: string]: unknown } | null,
): ExplainedPlan {
  const chosen = getOperation(document, operationName);
  if (chosen instanceof GraphQLError) throw chosen;
  const { operation, fragments } = chosen;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variableValues ?? {});
  const values = coerced.coerced ?? variableValues ?? {};
  const plan = planCacheFor(schema).getPlan(schema, document, operationName, operation, fragments, values);
  return explainOperationPlan(plan);
}

const explained = new WeakMap<OperationPlan, ExplainedPlan>();

/** spec: ExplainOperationPlan — a finished plan never changes, so it is explained once and the result is frozen. */
export function explainOperationPlan(plan: OperationPlan): ExplainedPlan {
  let out = explained.get(plan);
  if (out === undefined) {
    const json = deepFreeze(planToJSON(plan));
    out = Object.freeze({ json, mermaid: planToMermaid(json) });
    explained.set(plan, out);
  }
  return out;
}

/** spec: AddExplain — adds `extensions.explain` to a result, as the `explain` execution option asks. */
export function addExplain(result: ExecutionResult, plan: OperationPlan, option: ExplainOption | undefined): ExecutionResult {
  if (!option) return result;
  const { json, mermaid } = explainOperationPlan(plan);
  const explain = option === "json" ? { json } : option === "mermaid" ? { mermaid } : { json, mermaid };
  return { ...result, extensions: { ...result.extensions, explain } };
}

// ---- JSON ---------------------------------------------------------------------------------------

/** spec: PlanToJSON */
export function planToJSON(plan: OperationPlan): PlanJSON {
  const live = plan.liveSteps();
  const paths = layerPaths(plan);
  const layers = plan.layers.map((layer) => layerToJSON(layer, paths.get(layer) ?? ""));
  const steps = live.map(stepToJSON);
  return {
    operation: { type: plan.operation.operation, name: plan.operation.name?.value ?? null },
    constraints: plan.constraints.map((c) => ({ name: c.name, value: c.value })),
    layers,
    steps,
    collapsed: collapseSteps(steps, layers, structuralSteps(plan)),
    output: selectionToJSON(plan.root),
  };
}

/** The class name without "Step"; a bundler's renames of a class (`_LoadStep`, `LoadStep2`) are undone. */
function className(step: Step): string {
  return step.constructor.name.replace(/^_+/, "").replace(/Step\d*$/, "");
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
    layer: step.layer.id,
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

function layerToJSON(layer: Layer, path: string): LayerJSON {
  const r = layer.reason;
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
    case "subscriptionEvent":
      return { ...base, title: `Layer ${layer.id}: subscription event`, responseKey: null };
  }
}

/** The response path of each layer's entries, found by walking the output plan. */
function layerPaths(plan: OperationPlan): Map<Layer, string> {
  const paths = new Map<Layer, string>();
  const walkSelection = (selection: OutputSelection, prefix: string): void => {
    for (const field of selection.fields) {
      if (field.value) walkValue(field.value, prefix === "" ? field.responseKey : `${prefix}.${field.responseKey}`);
    }
  };
  const walkValue = (value: OutputValue, path: string): void => {
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
        for (const { layer, selection } of value.byType.values()) {
          paths.set(layer, path);
          walkSelection(selection, path);
        }
        break;
      default:
        break;
    }
  };
  for (const layer of plan.layers) if (layer.reason.type === "mutationField") paths.set(layer, layer.reason.responseKey);
  walkSelection(plan.root, "");
  return paths;
}

function selectionToJSON(selection: OutputSelection): OutputSelectionJSON {
  const fields: Record<string, OutputValueJSON> = {};
  for (const field of selection.fields) fields[field.responseKey] = field.value ? valueToJSON(field.value) : { kind: "typename" };
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
      return { kind: "abstract", step, nonNull, typeStep: value.typeStep.id, types };
    }
  }
}

/** Steps a layer or the output hangs on (list, parent, type and item steps): always drawn on their own. */
function structuralSteps(plan: OperationPlan): Set<number> {
  const out = new Set<number>();
  for (const layer of plan.layers) {
    const r = layer.reason;
    if (r.type === "listItem") out.add(r.listStep.id);
    else if (r.type === "nullableBoundary") out.add(r.parentStep.id);
    else if (r.type === "polymorphic") {
      out.add(r.parentStep.id);
      out.add(r.typeStep.id);
    }
    if (layer.itemStep) out.add(layer.itemStep.id);
  }
  return out;
}

/**
 * spec: CollapseSteps — steps of the same class, layer and kind (global, async, side effects) whose
 * dependencies and dependents fall in the same groups are one node when there are at least
 * MIN_COLLAPSED of them: 37 leaf accesses of one parent become "Access ×37 (name, id, …)". Computed
 * by partition refinement (start from the coarsest grouping, split until every group is consistent).
 */
function collapseSteps(steps: readonly StepJSON[], layers: readonly LayerJSON[], structural: Set<number>): CollapsedNodeJSON[] {
  const byId = new Map<number, StepJSON>();
  for (const s of steps) byId.set(s.id, s);
  const dependents = new Map<number, number[]>();
  for (const s of steps) dependents.set(s.id, []);
  for (const s of steps) for (const d of s.dependencies) dependents.get(d.step)?.push(s.id);

  // Steps forced to stay alone: structural ones, and members of groups found too small.
  const alone = new Set<number>(structural);
  let groups: number[][];
  for (;;) {
    let block = new Map<number, string>();
    for (const s of steps) {
      block.set(s.id, alone.has(s.id) ? `#${s.id}` : `${s.layer}|${s.class}|${s.global}|${s.async}|${s.sideEffects}`);
    }
    let count = new Set(block.values()).size;
    for (;;) {
      const next = new Map<number, string>();
      const ids = new Map<string, string>();
      for (const s of steps) {
        const deps = [...new Set(s.dependencies.map((d) => `${block.get(d.step)}:${d.global}:${d.acceptFlags.join("+")}`))].sort();
        const users = [...new Set(dependents.get(s.id)!.map((id) => block.get(id)!))].sort();
        const signature = `${block.get(s.id)}(${deps.join(",")})(${users.join(",")})`;
        let id = ids.get(signature);
        if (id === undefined) ids.set(signature, (id = `b${ids.size}`));
        next.set(s.id, id);
      }
      block = next;
      if (ids.size === count) break;
      count = ids.size;
    }
    const members = new Map<string, number[]>();
    for (const s of steps) {
      const b = block.get(s.id)!;
      const list = members.get(b);
      if (list) list.push(s.id);
      else members.set(b, [s.id]);
    }
    let changed = false;
    groups = [];
    for (const list of members.values()) {
      if (list.length >= MIN_COLLAPSED) groups.push(list);
      else if (list.length > 1) {
        for (const id of list) alone.add(id);
        changed = true;
      }
    }
    if (!changed) break;
  }

  const layerOrder = new Map<number, number>();
  for (const layer of layers) layer.steps.forEach((id, i) => layerOrder.set(id, i));
  const out: CollapsedNodeJSON[] = [];
  for (const ids of groups) {
    ids.sort((a, b) => (layerOrder.get(a) ?? 0) - (layerOrder.get(b) ?? 0) || a - b);
    const first = byId.get(ids[0]!)!;
    const metas = ids.map((id) => byId.get(id)!.meta).filter((m): m is string => m !== null);
    const listed = metas.slice(0, LABEL_METAS).join(", ") + (metas.length > LABEL_METAS ? ", …" : "");
    out.push({
      node: `g${Math.min(...ids)}`,
      class: first.class,
      layer: first.layer,
      steps: ids,
      label: `${first.class} ×${ids.length}${listed ? ` (${listed})` : ""}`,
    });
  }
  out.sort((a, b) => a.steps[0]! - b.steps[0]!);
  return out;
}

// ---- Mermaid ------------------------------------------------------------------------------------

/** Label text for a quoted Mermaid label: entity codes for the characters Mermaid or HTML would eat. */
function mermaidText(text: string): string {
  return text.replace(/#/g, "#35;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

/**
 * spec: PlanToMermaid — a `flowchart TD`: one subgraph per layer that has steps (title = the layer's
 * reason), one node per step or collapsed group, edges from dependency to dependent (dotted for a
 * global dependency, labelled when the accepted flags are not the default), and a thick edge from each
 * list step to the item step of the layer it opens.
 */
export function planToMermaid(json: PlanJSON): string {
  const nodeOf = new Map<number, string>();
  const groupOf = new Map<string, CollapsedNodeJSON>();
  for (const group of json.collapsed) {
    groupOf.set(group.node, group);
    for (const id of group.steps) nodeOf.set(id, group.node);
  }
  const stepById = new Map<number, StepJSON>();
  for (const s of json.steps) {
    stepById.set(s.id, s);
    if (!nodeOf.has(s.id)) nodeOf.set(s.id, `s${s.id}`);
  }

  const lines: string[] = ["flowchart TD"];
  lines.push("  classDef global fill:#e8f0fe,stroke:#3367d6,stroke-dasharray:4 3");
  lines.push("  classDef collapsed fill:#f3f3f3,stroke:#777");
  lines.push("  classDef sideEffects stroke:#c5221f,stroke-width:2px");
  const globalNodes: string[] = [];
  const collapsedNodes: string[] = [];
  const effectNodes: string[] = [];
  for (const layer of json.layers) {
    if (layer.steps.length === 0) {
      lines.push(`  %% ${layer.title}: no steps`);
      continue;
    }
    lines.push(`  subgraph L${layer.id}["${mermaidText(layer.title)}"]`);
    const drawn = new Set<string>();
    for (const id of layer.steps) {
      const node = nodeOf.get(id)!;
      if (drawn.has(node)) continue;
      drawn.add(node);
      const step = stepById.get(id)!;
      const group = groupOf.get(node);
      const notes = [...(step.global ? ["global"] : []), ...(group ? [] : step.optimizations)];
      const name = group ? group.label : `${step.class}[${step.id}${step.meta ? `<${step.meta}>` : ""}]`;
      const label = mermaidText(notes.length > 0 ? `${name} (${notes.join(", ")})` : name);
      lines.push(step.async ? `    ${node}(["${label}"])` : `    ${node}["${label}"]`);
      if (step.global) globalNodes.push(node);
      if (group) collapsedNodes.push(node);
      if (step.sideEffects) effectNodes.push(node);
    }
    lines.push("  end");
  }

  const edges = new Set<string>();
  // A list layer's items come from its list step: a thick edge, so the item layer is drawn below it.
  for (const layer of json.layers) {
    if (layer.listStep === undefined || layer.itemStep === undefined) continue;
    const from = nodeOf.get(layer.listStep);
    const to = nodeOf.get(layer.itemStep);
    if (from !== undefined && to !== undefined) lines.push(`  ${from} ==> ${to}`);
  }
  for (const s of json.steps) {
    const to = nodeOf.get(s.id)!;
    for (const d of s.dependencies) {
      const from = nodeOf.get(d.step);
      if (from === undefined || from === to) continue;
      const flags = d.acceptFlags.join(", ");
      const label = flags === "null" ? "" : `|"accepts ${flags || "no flags"}"|`;
      const edge = `  ${from} ${d.global ? "-.->" : "-->"}${label} ${to}`;
      if (!edges.has(edge)) {
        edges.add(edge);
        lines.push(edge);
      }
    }
  }
  if (globalNodes.length > 0) lines.push(`  class ${globalNodes.join(",")} global`);
  if (collapsedNodes.length > 0) lines.push(`  class ${collapsedNodes.join(",")} collapsed`);
  if (effectNodes.length > 0) lines.push(`  class ${effectNodes.join(",")} sideEffects`);
  return lines.join("\n") + "\n";
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
