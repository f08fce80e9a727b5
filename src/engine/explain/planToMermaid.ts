// Plan JSON → Mermaid: the plan as `flowchart TD` text, one subgraph per layer, edges from dependency to
// dependent. A function of the plan JSON alone: never reads a plan, and never decides which steps share a
// node (CollapseSteps did).

import type { CollapsedNodeJSON, LayerJSON, PlanJSON, StepJSON } from "./planJSON.js";

/** Label text for a quoted Mermaid label: entity codes for the characters Mermaid or HTML would eat. */
function mermaidText(text: string): string {
  return text.replace(/#/g, "#35;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

/**
 * spec: PlanToMermaid — a `flowchart TD`: one subgraph per layer that has steps (title = the layer's
 * reason), one node per step or collapsed group, edges from dependency to dependent (dotted for a
 * global dependency, labelled when the accepted flags are not the default), a thick edge from each
 * list step to the item step of the layer it opens, and, for a plan that cannot be exported, a comment
 * line with the reason and the blocking step's node marked.
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
  const blocker = json.exportBlocker;
  if (blocker !== undefined) {
    lines.push("  classDef exportBlocker stroke:#b06000,stroke-width:3px,stroke-dasharray:6 3");
    lines.push(`  %% not exportable: ${blocker.message.replace(/\s+/g, " ")}`);
  }
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

  pushEdges(lines, json.layers, json.steps, nodeOf);
  if (globalNodes.length > 0) lines.push(`  class ${globalNodes.join(",")} global`);
  if (collapsedNodes.length > 0) lines.push(`  class ${collapsedNodes.join(",")} collapsed`);
  if (effectNodes.length > 0) lines.push(`  class ${effectNodes.join(",")} sideEffects`);
  // The step that keeps the plan from being exported (plan-export.md), drawn with a dashed orange border.
  const blockingNode = blocker?.step == null ? undefined : nodeOf.get(blocker.step);
  if (blockingNode !== undefined) lines.push(`  class ${blockingNode} exportBlocker`);
  return lines.join("\n") + "\n";
}

/** The edges between nodes: list step ==> item step first, then dependency → dependent, each drawn once. */
function pushEdges(lines: string[], layers: readonly LayerJSON[], steps: readonly StepJSON[], nodeOf: ReadonlyMap<number, string>): void {
  // A list layer's items come from its list step: a thick edge, so the item layer is drawn below it.
  for (const layer of layers) {
    if (layer.listStep === undefined || layer.itemStep === undefined) continue;
    const from = nodeOf.get(layer.listStep);
    const to = nodeOf.get(layer.itemStep);
    if (from !== undefined && to !== undefined) lines.push(`  ${from} ==> ${to}`);
  }
  const edges = new Set<string>();
  for (const s of steps) {
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
}
