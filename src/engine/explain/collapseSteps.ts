// CollapseSteps: which steps the Mermaid diagram draws as one node, so a 200-field selection stays readable.
// Works on plan JSON alone: never reads a plan, never drops a step (each is drawn alone or in one group),
// and never groups a step a layer hangs on.

import type { CollapsedNodeJSON, LayerJSON, StepJSON } from "./planJSON.js";

/** Groups smaller than this stay separate nodes: two siblings read fine, dozens do not. */
const MIN_COLLAPSED = 3;
/** How many member metas a collapsed node's label lists before "…". */
const LABEL_METAS = 5;

/**
 * spec: CollapseSteps — steps of the same class, layer and kind (global, async, side effects) whose
 * dependencies and dependents fall in the same groups are one node when there are at least
 * MIN_COLLAPSED of them: 37 leaf accesses of one parent become "Access ×37 (name, id, …)". Computed
 * by partition refinement (start from the coarsest grouping, split until every group is consistent).
 */
export function collapseSteps(steps: readonly StepJSON[], layers: readonly LayerJSON[]): CollapsedNodeJSON[] {
  const byId = new Map<number, StepJSON>();
  for (const s of steps) byId.set(s.id, s);
  const layerOrder = new Map<number, number>();
  for (const layer of layers) layer.steps.forEach((id, i) => layerOrder.set(id, i));
  const out: CollapsedNodeJSON[] = [];
  for (const ids of interchangeableGroups(steps, structuralSteps(layers))) {
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

/** Steps a layer hangs on (its list, parent, type and item steps): always drawn on their own. */
function structuralSteps(layers: readonly LayerJSON[]): Set<number> {
  const out = new Set<number>();
  for (const layer of layers) {
    for (const id of [layer.listStep, layer.parentStep, layer.typeStep, layer.itemStep]) if (id !== undefined) out.add(id);
  }
  return out;
}

/**
 * The groups of at least MIN_COLLAPSED interchangeable steps. `alone` holds the steps kept out of every
 * group; it grows by the members of each group found too small, and the refinement runs again.
 */
function interchangeableGroups(steps: readonly StepJSON[], alone: Set<number>): number[][] {
  const dependents = new Map<number, number[]>();
  for (const s of steps) dependents.set(s.id, []);
  for (const s of steps) for (const d of s.dependencies) dependents.get(d.step)?.push(s.id);
  for (;;) {
    const block = refine(steps, dependents, alone);
    const members = new Map<string, number[]>();
    for (const s of steps) {
      const b = block.get(s.id)!;
      const list = members.get(b);
      if (list) list.push(s.id);
      else members.set(b, [s.id]);
    }
    let changed = false;
    const groups: number[][] = [];
    for (const list of members.values()) {
      if (list.length >= MIN_COLLAPSED) groups.push(list);
      else if (list.length > 1) {
        for (const id of list) alone.add(id);
        changed = true;
      }
    }
    if (!changed) return groups;
  }
}

/**
 * Partition refinement: each step's group, starting from (layer, class, global, async, sideEffects) and
 * split by its dependencies' and dependents' groups until the number of groups stops changing.
 */
function refine(steps: readonly StepJSON[], dependents: ReadonlyMap<number, readonly number[]>, alone: ReadonlySet<number>): Map<number, string> {
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
    if (ids.size === count) return block;
    count = ids.size;
  }
}
