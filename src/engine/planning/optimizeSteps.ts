// OptimizeSteps and the OptimizeContext it hands each step: the consumers of a step, whether the output
// reads it, which list an item step belongs to, and replaceStep — so a step rewrites itself (or asks the
// plan to replace a peer) without scanning the plan or writing another step's fields. Replacements are
// recorded and applied once at the end; queries made in between already see them, and so do the choices
// steps leave for the end of the pass (afterOptimize).

import { Step, type OptimizeContext } from "../step.js";
import type { OperationPlan } from "./operationPlan.js";
import { stepsOfValue, visitOutput } from "./outputPlan.js";
import { ItemStep } from "./steps/item.js";

/** spec: OptimizeSteps — from the leaves back to the root; a step may return a replacement. */
export function optimizeSteps(plan: OperationPlan, firstStep = 0): void {
  const context = new PlanOptimizer(plan, firstStep);
  const snapshot = plan.liveSteps();
  for (let i = snapshot.length - 1; i >= 0; i--) {
    const step = snapshot[i]!;
    if (step.id < firstStep) break;
    if (context.isReplaced(step)) continue;
    context.resolveDependencies(step);
    const replacement: unknown = step.optimize(context);
    if (replacement === step) continue;
    if (!(replacement instanceof Step)) throw new Error(`graphscale: ${step}.optimize() returned a non-step.`);
    context.replaceStep(step, replacement);
  }
  for (let i = 0; i < context.finishers.length; i++) context.finishers[i]!();
  plan.applyReplacements(context.replacements);
}

class PlanOptimizer implements OptimizeContext {
  readonly replacements = new Map<Step, Step>();
  /** Live steps by the steps they depend on (kept current as steps are replaced). */
  private readonly consumers = new Map<Step, Set<Step>>();
  /** Steps the output plan, a layer boundary or the subscription source reads. */
  private readonly readByOutput = new Set<Step>();
  /** Of those, the steps the output plan or the subscription source reads as values. */
  private readonly outputValues = new Set<Step>();
  /** The item steps of the plan's list layers (optimize never makes new ones). */
  private readonly itemSteps: ItemStep[] = [];
  /** What steps asked to run once the pass is over (afterOptimize), in order. */
  readonly finishers: Array<() => void> = [];

  /** Steps below this id belong to a plan in use (a branch is being planned): they are never rewritten. */
  constructor(
    private readonly plan: OperationPlan,
    private readonly firstStep: number,
  ) {
    for (const step of plan.liveSteps()) {
      this.indexConsumer(step);
      if (step instanceof ItemStep) this.itemSteps.push(step);
    }
    visitOutput(plan.root, (value) => {
      for (const s of stepsOfValue(value)) {
        this.readByOutput.add(s);
        if (value.kind !== "list") this.outputValues.add(s); // a list position reads its items' positions, not the values
      }
    });
    for (const layer of plan.layers) for (const s of layer.reason.stepsRead()) this.readByOutput.add(s);
    if (plan.sourceStep) {
      this.readByOutput.add(plan.sourceStep);
      this.outputValues.add(plan.sourceStep);
    }
  }

  private indexConsumer(step: Step): void {
    for (const d of step.dependencies) {
      let set = this.consumers.get(d);
      if (set === undefined) this.consumers.set(d, (set = new Set()));
      set.add(step);
    }
  }

  isReplaced(step: Step): boolean {
    return this.replacements.has(step);
  }

  current($step: Step): Step {
    return this.resolve($step);
  }

  resolve(step: Step): Step {
    let r = step;
    for (let next = this.replacements.get(r); next !== undefined; next = this.replacements.get(r)) r = next;
    return r;
  }

  /** Points `step`'s dependencies at their replacements before it optimizes. */
  resolveDependencies(step: Step): void {
    const deps = step.dependencies;
    for (let i = 0; i < deps.length; i++) deps[i] = this.resolve(deps[i]!);
  }

  consumersOf($step: Step): readonly Step[] {
    const set = this.consumers.get(this.resolve($step));
    if (set === undefined) return [];
    const out: Step[] = [];
    for (const s of set) if (!this.replacements.has(s)) out.push(s);
    return out;
  }

  isReadByOutput($step: Step): boolean {
    return this.readByOutput.has(this.resolve($step));
  }

  isOutputValue($step: Step): boolean {
    return this.outputValues.has(this.resolve($step));
  }

  replaceStep($old: Step, $new: Step): void {
    const old = this.resolve($old);
    if (old === $new) return;
    if (old.id < this.firstStep) throw new Error(`graphscale: ${$new} would replace ${old}, which requests are already using; a branch planned later may only rewrite its own steps.`);
    this.plan.adoptStep($new, this.plan.layerOf(old));
    this.resolveDependencies($new);
    this.indexConsumer($new);
    this.replacements.set(old, $new);
    const consumers = this.consumers.get(old);
    if (consumers !== undefined) {
      let set = this.consumers.get($new);
      if (set === undefined) this.consumers.set($new, (set = new Set()));
      for (const c of consumers) if (c !== $new) set.add(c);
    }
    if (this.readByOutput.has(old)) this.readByOutput.add($new);
    if (this.outputValues.has(old)) this.outputValues.add($new);
  }

  listOfItem($step: Step): Step | null {
    return $step instanceof ItemStep ? this.resolve($step.listReason.listStep) : null;
  }

  itemsOf($list: Step): readonly Step[] {
    const list = this.resolve($list);
    const out: Step[] = [];
    for (const step of this.itemSteps) {
      if (!this.replacements.has(step) && this.resolve(step.listReason.listStep) === list) out.push(step);
    }
    return out;
  }

  branchesMayFollow(): boolean {
    return this.plan.hasUnplannedBranches();
  }

  /** spec: AfterOptimize — `callback` runs once every step of the pass has optimized, before the replacements are applied. */
  afterOptimize(callback: () => void): void {
    this.finishers.push(callback);
  }

  /** spec: AdoptBeside — a new step placed in `$anchor`'s layer; replaceStep leaves a step already placed where it is. */
  adoptBeside($step: Step, $anchor: Step): Step {
    const anchor = this.resolve($anchor);
    if (anchor.id < this.firstStep) throw new Error(`graphscale: ${$step} cannot be placed beside ${anchor}, which requests are already using.`);
    return this.plan.adoptStep($step, this.plan.layerOf(anchor));
  }

  sameEntries($a: Step, $b: Step): boolean {
    if ($a.id < this.firstStep || $b.id < this.firstStep) return false;
    const a = this.plan.layerOf($a);
    if ($a.layerId === $b.layerId) return true;
    const r = a.reason;
    return a.parent !== null && a.parent.id === $b.layerId && r.type === "nullableBoundary" && this.resolve(r.parentStep) === this.resolve($b);
  }
}
