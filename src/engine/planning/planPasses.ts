// The passes after planning: deduplicate, tree-shake, optimize, hoist global steps, order each layer's
// steps, finalize. Each pass works on the plan's own records (steps, layers, output plan); a step only
// ever rewrites itself, through the OptimizeContext (optimizeSteps.ts). Implements spec/planning.md.

import { EngineValueStep, READ_INLINE, type Step } from "../step.js";
import type { OperationPlan } from "./operationPlan.js";
import type { Layer } from "./layer.js";
import { stepsOfValue, visitOutput } from "./outputPlan.js";
import { optimizeSteps } from "./optimizeSteps.js";
import { ResolverStep } from "./steps/resolver.js";

/** spec: FinishPlanning */
export function finishPlanning(plan: OperationPlan): void {
  deduplicateSteps(plan);
  treeShake(plan);
  optimizeSteps(plan);
  treeShake(plan);
  hoistGlobalSteps(plan);
  inlinePropertyReads(plan);
  orderSteps(plan);
  for (const step of plan.liveSteps()) step.finalize();
  for (const layer of plan.layers) layer.executableSteps = layer.steps.filter((s) => !(s instanceof EngineValueStep) && s.inlined === null);
}

/**
 * spec: FinishBranch — the passes of FinishPlanning for a branch planned while the plan is in use: only the
 * steps from `firstStep` and the layers from `firstLayer` (all of the branch) are deduplicated, shaken,
 * optimized, ordered and finalized; the branch's global steps stay in the branch's layer, since the layers
 * above it may already have run for the request that met the type.
 */
export function finishBranch(plan: OperationPlan, firstStep: number, firstLayer: number): void {
  const branchLayer = plan.layers[firstLayer]!;
  // The global steps of the layers above have run for every request that reaches the branch: reusable —
  // except reads the output does inline, which never execute and so hold no value to share.
  const globalsAbove = plan.liveSteps().filter((s) => s.id < firstStep && s.isGlobal && s.inlined === null && branchLayer.hasAncestorOrSelf(plan.layerOf(s)));
  deduplicateSteps(plan, firstStep, globalsAbove);
  treeShake(plan, firstStep);
  optimizeSteps(plan, firstStep);
  treeShake(plan, firstStep);
  const moved = new Set<Step>();
  for (const step of newSteps(plan, firstStep)) {
    step.isGlobal = step.canBeGlobal();
    if (!step.isGlobal || step.layerId === branchLayer.id) continue;
    moved.add(step);
    step.layerId = branchLayer.id;
    branchLayer.steps.push(step);
  }
  const layers = plan.layers.slice(firstLayer);
  if (moved.size > 0) for (const layer of layers) layer.steps = layer.steps.filter((s) => s.layerId === layer.id);
  inlinePropertyReads(plan, firstStep);
  for (const layer of layers) orderLayer(layer);
  for (const step of newSteps(plan, firstStep)) step.finalize();
  for (const layer of layers) layer.executableSteps = layer.steps.filter((s) => !(s instanceof EngineValueStep) && s.inlined === null);
}

/** The live steps from `firstStep` on. */
function newSteps(plan: OperationPlan, firstStep: number): Step[] {
  const out: Step[] = [];
  for (let i = firstStep; i < plan.steps.length; i++) if (plan.steps[i]) out.push(plan.steps[i]!);
  return out;
}

/** A small number per step class, so deduplication keys compare classes, not their (bundler-mangled) names. */
const classIds = new WeakMap<Function, number>();
let nextClassId = 0;
function classIdOf(step: Step): number {
  let id = classIds.get(step.constructor);
  if (id === undefined) classIds.set(step.constructor, (id = nextClassId++));
  return id;
}

/** Numbers for the values steps give as deduplication keys (objects by identity, primitives by value). */
function keyIdOf(keys: Map<unknown, number>, value: unknown): number {
  let id = keys.get(value);
  if (id === undefined) keys.set(value, (id = keys.size));
  return id;
}

/** spec: DeduplicateSteps — same class, same dependencies, same layer (or both global), equal options. */
function deduplicateSteps(plan: OperationPlan, firstStep = 0, peersAbove: readonly Step[] = []): void {
  const replacements = new Map<Step, Step>();
  const groups = new Map<string, Step[]>();
  const keys = new Map<unknown, number>();
  for (const step of [...peersAbove, ...newSteps(plan, firstStep)]) {
    const deps = step.dependencies;
    for (let i = 0; i < deps.length; i++) deps[i] = replacements.get(deps[i]!) ?? deps[i]!;
    if (step.hasSideEffects || step instanceof EngineValueStep) continue;
    const where = step.canBeGlobal() ? `g${plan.layerOf(step).hoistTarget().id}` : `l${step.layerId}`;
    const own = step.deduplicationKey();
    let key = `${classIdOf(step)}|${where}|${own === undefined ? "" : keyIdOf(keys, own)}`;
    for (let i = 0; i < deps.length; i++) key += `|${deps[i]!.id}:${step.dependencyIsGlobal[i] ? 1 : 0}:${step.dependencyAcceptFlags[i]}`;
    const peers = groups.get(key);
    if (peers === undefined) {
      groups.set(key, [step]);
      continue;
    }
    plan.work += peers.length;
    const same = step.deduplicate(peers);
    if (same.length === 0) {
      peers.push(step);
      continue;
    }
    // Anything but one of the peers (the step itself, a new step) would leave the plan a cycle or a hole.
    if (!peers.includes(same[0]!)) throw new Error(`graphscale: ${step}.deduplicate() returned ${String(same[0])}, which is not one of the peers it was given.`);
    replacements.set(step, same[0]!);
  }
  plan.applyReplacements(replacements);
}

/** spec: TreeShake — drops steps nothing in the output, a layer boundary or a side effect needs. */
function treeShake(plan: OperationPlan, firstStep = 0): void {
  const live = new Set<Step>();
  const stack: Step[] = [];
  const mark = (s: Step): void => {
    if (!live.has(s)) stack.push(s);
  };
  visitOutput(plan.root, (value) => stepsOfValue(value).forEach(mark));
  if (plan.sourceStep) mark(plan.sourceStep);
  for (const layer of plan.layers) {
    layer.reason.stepsRead().forEach(mark);
    if (layer.itemStep) mark(layer.itemStep);
  }
  // Side effects run even when nothing reads them; resolver emulation runs only where its field is output.
  for (const step of plan.liveSteps()) if (step.hasSideEffects && !(step instanceof ResolverStep)) mark(step);
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (live.has(s)) continue;
    live.add(s);
    for (const d of s.dependencies) if (!live.has(d)) stack.push(d);
  }
  for (const step of newSteps(plan, firstStep)) if (!live.has(step)) plan.removeStep(step);
  for (const layer of plan.layers) layer.steps = layer.steps.filter((s) => plan.steps[s.id] === s);
}

/**
 * spec: HoistGlobalSteps — a step whose inputs are all global runs once per request, in the root layer
 * (or, under a mutation, in that mutation field's layer so it observes the earlier fields' writes).
 */
function hoistGlobalSteps(plan: OperationPlan): void {
  const moved = new Set<Step>();
  for (const step of plan.liveSteps()) {
    step.isGlobal = step.canBeGlobal();
    if (!step.isGlobal) continue;
    const target = plan.layerOf(step).hoistTarget();
    if (target.id === step.layerId) continue;
    moved.add(step);
    step.layerId = target.id;
    target.steps.push(step);
  }
  if (moved.size > 0) for (const layer of plan.layers) layer.steps = layer.steps.filter((s) => s.layerId === layer.id);
}

/**
 * spec: InlinePropertyReads — a step that only reads a property of its dependency (`inlineRead`), read by
 * nothing but leaf positions of the output, is not executed: the output reads the property itself.
 */
function inlinePropertyReads(plan: OperationPlan, firstStep = 0): void {
  const leafReads = new Set<Step>();
  const otherReads = new Set<Step>();
  visitOutput(plan.root, (value) => {
    if (value.kind === "leaf" || value.kind === "leafList") leafReads.add(value.step);
    else for (const s of stepsOfValue(value)) otherReads.add(s);
  });
  for (const layer of plan.layers) for (const s of layer.reason.stepsRead()) otherReads.add(s);
  if (plan.sourceStep) otherReads.add(plan.sourceStep);
  for (const step of plan.liveSteps()) for (const d of step.dependencies) otherReads.add(d);
  for (const step of leafReads) {
    // A Resolver step is read inline as graphql-js's default resolver (InlineDefaultResolver): its calls stay exact.
    if (step.id < firstStep || otherReads.has(step) || (step.hasSideEffects && !(step instanceof ResolverStep)) || step.dependencies.length !== 1) continue;
    const path = step.inlineRead();
    if (path === null) continue;
    step.inlined = path;
    step.optimizations.push(READ_INLINE);
  }
}

/** spec: OrderSteps — each layer's steps after the dependencies they share the layer with. */
function orderSteps(plan: OperationPlan): void {
  for (const layer of plan.layers) orderLayer(layer);
}

function orderLayer(layer: Layer): void {
  const ordered: Step[] = [];
  const state = new Map<Step, number>();
  const visit = (s: Step): void => {
    const st = state.get(s);
    if (st === 2) return;
    if (st === 1) throw new Error(`graphscale: dependency cycle through ${s}.`);
    state.set(s, 1);
    for (const d of s.dependencies) if (d.layerId === layer.id) visit(d);
    state.set(s, 2);
    ordered.push(s);
  };
  for (const s of layer.steps) visit(s);
  layer.steps = ordered;
}
