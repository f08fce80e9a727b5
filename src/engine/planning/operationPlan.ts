// OperationPlan: the result of planning one operation — its steps, its layers, the output plan and the
// variable constraints under which it may be reused. It adopts the steps plan resolvers create into layers
// and applies replacements; the algorithms that fill it live in planner.ts and planPasses.ts. Holds no
// request data: one plan serves every request of its operation.

import { GraphQLError, type FragmentDefinitionNode, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { Step } from "../step.js";
import { Layer, RootReason, type AnyLayerReason } from "./layer.js";
import { replaceStepsOfValue, visitOutput, type OutputSelection } from "./outputPlan.js";
import type { OperationShape } from "./measureOperation.js";
import type { PartialAbstractValue } from "./partialPlanning.js";

/** A decision taken from a variable's value while planning; the plan is reused only where it holds. */
export interface VariableConstraint {
  readonly name: string;
  readonly value: unknown;
}

export class OperationPlan {
  readonly steps: Array<Step | null> = [];
  readonly layers: Layer[] = [];
  readonly constraints: VariableConstraint[] = [];
  readonly rootLayer: Layer;
  readonly rootType: GraphQLObjectType;
  root: OutputSelection;
  /** Subscription source plans: the step whose value is the event stream (see subscribe.ts). */
  sourceStep: Step | null = null;
  /** What the operation measured before it was planned (depth, widths, fields, cost): checked per request. */
  shape: OperationShape = { depth: 0, widest: 0, fields: 0, cost: { terms: [] } };
  /** Planning work done (steps adopted, dependencies visited, peers compared): tests check it grows linearly. */
  work = 0;
  /** Whether an active @defer/@stream was planned: only incremental delivery runs the plan (spec/incremental.md). */
  incremental = false;
  /** Branches of abstract positions planned after the plan was first built (partial planning). */
  branchesPlanned = 0;
  private readonly constraintNames = new Set<string>();
  /** Abstract positions with unplanned branches, by the id of their value's layer; rebuilt after a branch is planned. */
  private branchSites: Array<PartialAbstractValue[] | undefined> | null = null;

  constructor(
    readonly schema: GraphQLSchema,
    readonly operation: OperationDefinitionNode,
    readonly fragments: { readonly [name: string]: FragmentDefinitionNode },
    /** A plan for the response (the default), or for a subscription root field's `subscribePlan`. */
    readonly purpose: "response" | "subscriptionSource" = "response",
  ) {
    const rootType = schema.getRootType(operation.operation);
    if (rootType == null) {
      throw new GraphQLError(`Schema is not configured to execute ${operation.operation} operation.`, { nodes: operation });
    }
    this.rootType = rootType;
    this.rootLayer = this.newLayer(new RootReason(), null);
    this.root = { type: rootType, fields: [] };
  }

  newLayer(reason: AnyLayerReason, parent: Layer | null): Layer {
    const layer = new Layer(this.layers.length, reason, parent);
    this.layers.push(layer);
    return layer;
  }

  /** The layer a (adopted) step executes in. */
  layerOf(step: Step): Layer {
    return this.layers[step.layerId]!;
  }

  recordConstraint(name: string, value: unknown): void {
    if (this.constraintNames.has(name)) return;
    this.constraintNames.add(name);
    this.constraints.push({ name, value });
  }

  /**
   * spec: AdoptStep — places `step` and every step it depends on that no plan holds yet in `layer`,
   * dependencies first (so they get lower ids), and checks each dependency can be reached from there.
   * Explicit work stack: a long chain of steps never exhausts the JS stack.
   */
  adoptStep(step: Step, layer: Layer): Step {
    if (step.ownerPlan === this) return step;
    const stack: Step[] = [step];
    const expanded = new Set<Step>();
    while (stack.length > 0) {
      const s = stack[stack.length - 1]!;
      if (s.ownerPlan === this) {
        stack.pop();
        continue;
      }
      if (s.ownerPlan !== null) {
        throw new Error(`graphscale: ${s} belongs to another operation's plan; create steps inside plan resolvers, never share them between operations.`);
      }
      if (!expanded.has(s)) {
        expanded.add(s);
        for (let i = s.dependencies.length - 1; i >= 0; i--) {
          const d = s.dependencies[i]!;
          if (d.ownerPlan !== this) stack.push(d);
        }
        continue;
      }
      stack.pop();
      this.work += 1 + s.dependencies.length;
      s.ownerPlan = this;
      s.layerId = layer.id;
      s.id = this.steps.length;
      this.steps.push(s);
      layer.steps.push(s);
      for (const d of s.dependencies) this.assertReachable(s, d);
    }
    return step;
  }

  /** A step may only depend on steps of its own layer, an enclosing layer, or global ones. */
  private assertReachable(dependent: Step, dependency: Step): void {
    if (this.layerOf(dependent).hasAncestorOrSelf(this.layerOf(dependency)) || dependency.canBeGlobal()) return;
    throw new Error(
      `graphscale: ${dependent} (${this.layerOf(dependent)}) cannot depend on ${dependency} (${this.layerOf(dependency)}); a step can only use steps of its own layer, an enclosing layer, or global steps.`,
    );
  }

  /** The abstract positions of `layer` that still have unplanned branches (partial planning), if any. */
  unplannedBranchesIn(layer: Layer): readonly PartialAbstractValue[] | undefined {
    let sites = this.branchSites;
    if (sites === null) {
      sites = this.branchSites = [];
      visitOutput(this.root, (value) => {
        const branches = (value as PartialAbstractValue).branches;
        if (branches !== undefined) (sites![branches.layer.id] ??= []).push(value as PartialAbstractValue);
      });
    }
    return sites[layer.id];
  }

  /** Whether some abstract position still has unplanned branches. */
  hasUnplannedBranches(): boolean {
    for (const layer of this.layers) {
      const sites = this.unplannedBranchesIn(layer);
      if (sites !== undefined && sites.some((value) => value.branches !== undefined)) return true;
    }
    return false;
  }

  /** Forgets the index of unplanned branches: a branch was planned (and may hold abstract positions of its own). */
  branchesChanged(): void {
    this.branchSites = null;
  }

  liveSteps(): Step[] {
    return this.steps.filter((s): s is Step => s !== null);
  }

  /** Removes a step from the plan (tree-shaking). */
  removeStep(step: Step): void {
    this.steps[step.id] = null;
  }

  /** Points every dependency, layer boundary and output position at the replacement steps. */
  applyReplacements(replacements: ReadonlyMap<Step, Step>): void {
    if (replacements.size === 0) return;
    const resolve = (s: Step): Step => {
      let r = s;
      for (let next = replacements.get(r); next !== undefined; next = replacements.get(r)) r = next;
      return r;
    };
    for (const step of this.liveSteps()) {
      const deps = step.dependencies;
      for (let i = 0; i < deps.length; i++) deps[i] = resolve(deps[i]!);
      step.globalCapable = undefined;
    }
    for (const layer of this.layers) layer.reason.replaceSteps(resolve);
    visitOutput(this.root, (value) => replaceStepsOfValue(value, resolve));
    if (this.sourceStep) this.sourceStep = resolve(this.sourceStep);
  }
}
