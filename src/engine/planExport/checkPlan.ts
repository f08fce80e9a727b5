// The structure of an imported plan, checked before it is used. A body that passed its checksum may still
// have been written by something other than this engine (a forger recomputes a checksum as easily as the
// writer): every reference must be in range and of the right kind, each step must find its dependencies
// done before it runs, the layers must agree with their steps and with the output plan, and each step's
// own fields must be what its class's steps hold. Anything else is a BadPlan: the operation is planned again.

import { EngineValueStep, Step } from "../step.js";
import type { Layer } from "../planning/layer.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { checkOutputPlan } from "./checkOutput.js";
import { bad, followsOf, layoutsOf, named, reachable } from "./checks.js";
import { checkFollowerData, checkStepData, followerChecks } from "./stepFields.js";
import { planContextOf } from "../planning/planResolver.js";
import { ResolverStep } from "../planning/steps/resolver.js";

/** The Step class's own fields besides id, layerId, ownerPlan and dependencies, as every step holds them. */

/** The own fields of each kind of layer reason and what each holds. */
const REASON_FIELDS: { readonly [type: string]: ReadonlyArray<readonly [key: string, kind: "type" | "step" | "key" | "key?" | "null" | "name"]> } = {
  root: [
    ["type", "type"],
    ["responseKey", "null"],
  ],
  mutationField: [
    ["type", "type"],
    ["responseKey", "key"],
  ],
  listItem: [
    ["type", "type"],
    ["listStep", "step"],
    ["responseKey", "key?"],
  ],
  nullableBoundary: [
    ["type", "type"],
    ["parentStep", "step"],
    ["responseKey", "key"],
  ],
  polymorphic: [
    ["type", "type"],
    ["parentStep", "step"],
    ["typeStep", "step"],
    ["typeName", "name"],
    ["responseKey", "key"],
  ],
};

/**
 * spec: CheckImportedPlan — the decoded plan's structure, before it joins the plan cache: each step's Step
 * fields and its class's own fields (CheckStepData), its dependencies (steps of the plan, reachable from its
 * layer, earlier in the layer's order when they share it; a dependency handed over as a bare value is
 * global; a global step depends on global steps only and is global exactly when it can be), each layer's
 * reason, parent, step lists and item step, the steps read inline, the output plan (CheckOutputPlan), the
 * constraints and the subscription source. BadPlan on the first thing out of place.
 */
export function checkImportedPlan(plan: OperationPlan): void {
  const { steps, layers } = plan;
  if (layers.length === 0 || layers[0]!.reason.type !== "root") bad("its first layer is not the root layer");
  const position: number[] = []; // each live step's index in its layer's step list
  for (let i = 0; i < steps.length; i++) position.push(-1);
  for (const layer of layers) checkLayer(plan, layer, position);
  // What validatePlan is given, as the planner gives it.
  const validation = { schema: plan.schema, planContext: planContextOf(plan.schema) };
  const layouts = layoutsOf(plan);
  const follows = followsOf(plan);
  reached.step = null;
  reached.layer = null;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (!step) continue;
    if (position[i]! < 0) bad(`${named(step)} is in no layer's step list`);
    // A step read under its predecessor's stream header (FollowerChecks) has that step's class, layer,
    // dependencies and every field the shape fixes: what it writes of its own is checked, and its place.
    const written = follows[i] === true && steps[i - 1] != null ? followerChecks(step, layouts[i]) : null;
    if (written !== null) {
      checkStats.followers++;
      checkFollower(step, position);
      checkFollowerData(plan, step, validation, written);
    } else {
      checkStep(plan, step, position);
      checkStepData(plan, step, validation, layouts[i]);
    }
  }
  reached.step = null; // holds no step of this plan past its check
  reached.layer = null;
  checkOutputPlan(plan);
  if ((plan.purpose === "subscriptionSource") !== (plan.sourceStep !== null)) bad("its subscription source does not fit its purpose");
  if (plan.sourceStep !== null && (plan.sourceStep.inlined !== null || !reachable(plan, plan.sourceStep, layers[0]!))) bad("its subscription source is not a step of the root layer");
  const definitions = plan.operation.variableDefinitions ?? [];
  for (const { name } of plan.constraints) {
    if (typeof name !== "string" || !definitions.some((d) => d.variable.name.value === name)) bad(`a constraint names $${String(name)}, which the operation does not declare`);
  }
}

function checkLayer(plan: OperationPlan, layer: Layer, position: number[]): void {
  const reason = layer.reason as unknown as Record<string, unknown>;
  const fields = REASON_FIELDS[reason.type as string];
  if (fields === undefined) bad(`layer ${layer.id} has no reason of a known kind`);
  // As many own keys as the kind has fields, each of them one: exactly its fields (loops, not closures: a
  // fresh process's first import runs this in the interpreter).
  const keyCount = Object.keys(reason).length;
  let own = keyCount === fields.length;
  for (let f = 0; own && f < fields.length; f++) own = Object.hasOwn(reason, fields[f]![0]);
  if (!own) bad(`the reason of layer ${layer.id} has the fields ${Object.keys(reason).join(", ")}`);
  const parent = layer.parent;
  if ((layer.id === 0) !== (parent === null) || (reason.type === "root") !== (layer.id === 0)) bad(`layer ${layer.id} is misplaced`);
  if (reason.type === "mutationField" && (parent !== plan.layers[0] || plan.operation.operation !== "mutation")) bad(`layer ${layer.id} is a mutation field outside a mutation's root`);
  for (let f = 0; f < fields.length; f++) {
    const key = fields[f]![0];
    const kind = fields[f]![1];
    const value = reason[key];
    const fits =
      kind === "type"
        ? true
        : kind === "step"
          ? value instanceof Step && plan.steps[value.id] === value && value.inlined === null && reachable(plan, value, parent!)
          : kind === "null"
            ? value === null
            : kind === "key?"
              ? value === null || typeof value === "string"
              : typeof value === "string";
    if (!fits) bad(`the ${key} of layer ${layer.id} does not fit it`);
  }
  if (layer.pathTypename !== undefined && typeof layer.pathTypename !== "string") bad(`the path type name of layer ${layer.id} is not a name`);
  const isList = reason.type === "listItem";
  const item = layer.itemStep;
  if (isList ? !(item instanceof EngineValueStep) || item.layerId !== layer.id : item !== null) bad(`the item step of layer ${layer.id} does not fit it`);
  const executable: Step[] = [];
  for (let p = 0; p < layer.steps.length; p++) {
    const step = layer.steps[p]!;
    if (step.layerId !== layer.id || position[step.id]! >= 0) bad(`${named(step)} is listed in layer ${layer.id}, or twice`);
    position[step.id] = p;
    // Only the item step gets its values from the engine; every other step runs unless it is read inline.
    if (step instanceof EngineValueStep) {
      if (step !== item) bad(`${named(step)} gets no values in layer ${layer.id}`);
    } else if (step.inlined === null) executable.push(step);
  }
  const listed = layer.executableSteps;
  let same = listed.length === executable.length;
  for (let k = 0; same && k < listed.length; k++) same = listed[k] === executable[k];
  if (!same) bad(`the executable steps of layer ${layer.id} are not its steps that run`);
}

/** Steps CheckImportedPlan checked as a run's later steps (FollowerChecks), in this process: for tests. */
export const checkStats = { followers: 0 };

/** The last dependency found reachable from a layer (CheckImportedPlan resets it for each plan). */
const reached: { step: Step | null; layer: Layer | null } = { step: null, layer: null };

function checkStep(plan: OperationPlan, step: Step, position: readonly number[]): void {
  // The Step class's own fields are checked by their types below (a missing one reads undefined and fails);
  // CheckStepData counts a bundled kind's own keys, so none is extra either.
  const fields = step as unknown as Record<string, unknown>;
  const deps = step.dependencies;
  const asGlobal = fields.dependencyIsGlobal;
  const accepts = fields.dependencyAcceptFlags;
  if (!Array.isArray(asGlobal) || asGlobal.length !== deps.length || !Array.isArray(accepts) || accepts.length !== deps.length) bad(`the dependency lists of ${named(step)} do not fit its dependencies`);
  for (let k = 0; k < deps.length; k++) if (typeof asGlobal[k] !== "boolean" || !isFlags(accepts[k])) bad(`the dependency lists of ${named(step)} do not fit its dependencies`);
  if (typeof step.hasSideEffects !== "boolean" || typeof step.isGlobal !== "boolean" || typeof step.isAsync !== "boolean") bad(`the flags of ${named(step)} are not booleans`);
  const labels = fields.optimizations;
  if (!Array.isArray(labels)) bad(`the optimizations of ${named(step)} are not labels`);
  for (let k = 0; k < labels.length; k++) if (typeof labels[k] !== "string") bad(`the optimizations of ${named(step)} are not labels`);
  const capable = fields.globalCapable;
  if (capable !== undefined && typeof capable !== "boolean") bad(`the globalCapable of ${named(step)} is not a boolean`);
  const layer = plan.layers[step.layerId]!;
  for (let k = 0; k < deps.length; k++) {
    const d = deps[k]!;
    if (d === step) bad(`${named(step)} depends on itself`);
    // A step the output reads inline is never executed: no step may take its values.
    if (d.inlined !== null) bad(`${named(step)} depends on ${named(d)}, which is read inline and never runs`);
    // The field reads of one object share their dependency and layer: reachability is worked out once for them.
    if ((d !== reached.step || layer !== reached.layer) && !reachable(plan, d, layer)) bad(`${named(step)} (layer ${layer.id}) depends on ${named(d)}, which it cannot reach`);
    if (d.layerId === step.layerId && position[d.id]! >= position[step.id]!) bad(`${named(step)} comes before its dependency ${named(d)} in layer ${layer.id}`);
    if (asGlobal[k] === true && !d.isGlobal) bad(`${named(step)} takes ${named(d)} as a global value, but it is not global`);
    reached.step = d;
    reached.layer = layer;
  }
  // isGlobal is what canBeGlobal() gives once planning is done; a class may define canBeGlobal itself.
  const global = globalCapable(step);
  if (step.isGlobal && (global === false || !allGlobal(deps))) bad(`${named(step)} is global but depends on per-entry values or has side effects`);
  if (global !== null && (step.isGlobal !== global || (capable !== undefined && capable !== global))) bad(`${named(step)} is marked ${step.isGlobal ? "" : "not "}global`);
  if (step.inlined !== null) {
    const path = step.inlined as unknown;
    if (!isPath(path) || deps.length !== 1 || (step.hasSideEffects && !(step instanceof ResolverStep)) || step instanceof EngineValueStep) bad(`${named(step)} is read inline but is not a plain property read`);
  }
}

/**
 * CheckStep for a step that repeats the header of the (checked) step before it: the same class, layer and
 * dependencies, and the same value of every Step field (none of them is written per step, followerChecks).
 * Left to check: its dependencies come before it in its layer, and the path it reads inline (worked out
 * from fields it writes).
 */
function checkFollower(step: Step, position: readonly number[]): void {
  const deps = step.dependencies;
  for (let k = 0; k < deps.length; k++) {
    const d = deps[k]!;
    if (d.layerId === step.layerId && position[d.id]! >= position[step.id]!) bad(`${named(step)} comes before its dependency ${named(d)} in layer ${step.layerId}`);
  }
  if (step.inlined !== null && !isPath(step.inlined as unknown)) bad(`${named(step)} is read inline but is not a plain property read`);
}

/** canBeGlobal() worked out afresh (not from the stored memo), or null when the step's class defines its own. */
function globalCapable(step: Step): boolean | null {
  if (step.canBeGlobal !== Step.prototype.canBeGlobal) return null;
  if (step instanceof EngineValueStep || step.hasSideEffects) return false;
  // Each dependency's own answer is its isGlobal, checked when that step is (the layers' order rules out cycles).
  return allGlobal(step.dependencies);
}

function allGlobal(steps: readonly Step[]): boolean {
  for (let i = 0; i < steps.length; i++) if (!steps[i]!.isGlobal) return false;
  return true;
}

/** A property path: strings and numbers. */
export function isPath(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let k = 0; k < value.length; k++) if (typeof value[k] !== "string" && typeof value[k] !== "number") return false;
  return true;
}

function isFlags(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 7; // FLAG_NULL | FLAG_ERROR | FLAG_INHIBITED
}
