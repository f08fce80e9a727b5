// An operation plan to JSON and back. A step is written as (kind, layer, dependencies, shape, values): its
// class's registered kind and its own fields through the codec, against a key list shared by every step of
// that kind; layers as (parent, reason, steps); the output plan through the codec. Reading never runs
// planning code and never trusts a field it cannot place: anything unexpected is a BadPlan and the caller
// plans again.

import type { FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { Step } from "../step.js";
import { Layer, ListItemReason, MutationFieldReason, NullableBoundaryReason, PolymorphicReason, RootReason, type AnyLayerReason } from "../layer.js";
import { OperationPlan } from "../operationPlan.js";
import { measureOperation, type Limits } from "../limits.js";
import type { OutputSelection } from "../outputPlan.js";
import { BadPlan, NotExportable, PlanDecoder, PlanEncoder, documentNodes, type Encoded, type Shape } from "./codec.js";
import { stepClassOf, stepKindOf, type StepClass } from "./registry.js";

/** Step fields the plan JSON writes on their own (the rest are written against the step's shape). */
const STEP_OWN = new Set(["id", "layerId", "ownerPlan", "dependencies"]);

const REASONS: { readonly [type: string]: object } = {
  root: RootReason.prototype,
  mutationField: MutationFieldReason.prototype,
  listItem: ListItemReason.prototype,
  nullableBoundary: NullableBoundaryReason.prototype,
  polymorphic: PolymorphicReason.prototype,
};

/**
 * The body of an exported plan. Steps: [kind index, layer, dependency ids, shape, ...field values] or null
 * for a removed step. Layers: [parent, reason shape, ...reason values] with their step lists in `layerSteps`.
 */
export interface PlanBody {
  readonly purpose: OperationPlan["purpose"];
  readonly kinds: readonly string[];
  readonly shapes: readonly Shape[];
  readonly constraints: ReadonlyArray<readonly [name: string, value: Encoded]>;
  readonly layers: ReadonlyArray<readonly Encoded[]>;
  readonly layerSteps: ReadonlyArray<readonly [steps: readonly number[], executable: readonly number[], item: number, pathTypename: Encoded, errorValuesAreErrors: boolean]>;
  readonly steps: ReadonlyArray<readonly Encoded[] | null>;
  readonly root: Encoded;
  readonly source: number;
}

/** Why a plan cannot be exported (naming the step), or null when it can. */
export function exportBlocker(plan: OperationPlan): string | null {
  try {
    encodePlan(plan);
    return null;
  } catch (error) {
    if (error instanceof NotExportable) return error.message;
    throw error;
  }
}

/** spec: EncodePlan — throws NotExportable naming the step (or layer) that holds what cannot be written. */
export function encodePlan(plan: OperationPlan): PlanBody {
  const layerOfReason = new Map<object, number>();
  for (const layer of plan.layers) layerOfReason.set(layer.reason, layer.id);
  const encoder = new PlanEncoder({ schema: plan.schema, fragments: plan.fragments, layerOfReason }, documentNodes(plan.operation, plan.fragments));
  const kinds: string[] = [];
  const kindIds = new Map<string, number>();
  const steps = plan.steps.map((step) => {
    if (step === null) return null;
    const kind = stepKindOf(step);
    if (kind === null) throw new NotExportable(`${step}: its class ${step.constructor.name} is not registered (registerStepClass, or a name in makeSchema({ functions }))`);
    let kindId = kindIds.get(kind);
    if (kindId === undefined) kindIds.set(kind, (kindId = kinds.push(kind) - 1));
    const keys = Object.keys(step).filter((key) => !STEP_OWN.has(key));
    const fields = within(`${step}`, () => encoder.encodeFields(step as unknown as Record<string, unknown>, keys, kind));
    return encoder.written(fields[0] as number, [kindId, step.layerId, step.dependencies.map((d) => d.id), ...fields]);
  });
  // Layer reasons are few and their `type` is read before decoding: their own shapes, never with fixed fields.
  const layers = plan.layers.map((layer) => [
    layer.parent?.id ?? -1,
    ...within(`${layer}`, () => encoder.encodeFields(layer.reason as unknown as Record<string, unknown>, Object.keys(layer.reason), "reason")),
  ]);
  const layerSteps = plan.layers.map(
    (layer) =>
      [
        layer.steps.map((s) => s.id),
        layer.executableSteps.map((s) => s.id),
        layer.itemStep?.id ?? -1,
        encoder.encodeValue(layer.pathTypename),
        layer.errorValuesAreErrors,
      ] as const,
  );
  const constraints = plan.constraints.map((c) => [c.name, within(`the constraint on $${c.name}`, () => encoder.encodeValue(c.value))] as const);
  const root = within("the output plan", () => encoder.encodeValue(plan.root));
  return { purpose: plan.purpose, kinds, shapes: encoder.shapes(), constraints, layers, layerSteps, steps, root, source: plan.sourceStep?.id ?? -1 };
}

function within<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof NotExportable && !error.message.includes(" holds ")) throw new NotExportable(`${where} holds ${error.message}`);
    throw error;
  }
}

/**
 * spec: DecodePlan — a plan for `operation` from its JSON body; BadPlan on anything it cannot place. One
 * pass over a flat step list: each step's fields are set from its shape's key list, no per-field lookup.
 */
export function decodePlan(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: { readonly [name: string]: FragmentDefinitionNode },
  body: PlanBody,
  limits: Limits,
): OperationPlan {
  if (body === null || typeof body !== "object") throw new BadPlan("the plan body is not an object");
  const { kinds, shapes, layers: bodyLayers, layerSteps, steps: bodySteps } = body;
  if (!Array.isArray(kinds) || !Array.isArray(shapes) || !Array.isArray(bodySteps) || !Array.isArray(layerSteps) || !Array.isArray(body.constraints)) {
    throw new BadPlan("the plan body is missing a part");
  }
  if (!Array.isArray(bodyLayers) || bodyLayers.length === 0 || layerSteps.length !== bodyLayers.length) throw new BadPlan("the plan has no layers");
  const plan = new OperationPlan(schema, operation, fragments, body.purpose === "subscriptionSource" ? "subscriptionSource" : "response");
  // Measured here, as planning measures it: the request limits are checked against the operation itself.
  plan.shape = measureOperation(schema, operation, fragments, limits);
  const classes: StepClass[] = kinds.map((kind) => {
    const stepClass = stepClassOf(kind);
    if (stepClass === undefined) throw new BadPlan(`no step class is registered as "${kind}"`);
    return stepClass;
  });
  const steps: Array<Step | null> = new Array(bodySteps.length);
  for (let i = 0; i < bodySteps.length; i++) {
    const s = bodySteps[i];
    if (s === null) steps[i] = null;
    else if (!Array.isArray(s) || classes[s[0] as number] === undefined) throw new BadPlan(`step ${i} is malformed`);
    else steps[i] = Object.create(classes[s[0] as number]!.prototype) as Step;
  }
  const layers: Layer[] = [];
  for (let i = 0; i < bodyLayers.length; i++) {
    const l = bodyLayers[i]!;
    const parent = l[0] as number;
    const shape = shapes[l[1] as number];
    const typeAt = !Array.isArray(shape) || shape.length !== 1 || !Array.isArray(shape[0]) ? -1 : shape[0].indexOf("type");
    const proto = typeAt < 0 ? undefined : REASONS[l[2 + typeAt] as string];
    if (proto === undefined || !(parent < i) || (i === 0) !== (parent === -1)) throw new BadPlan(`layer ${i} is malformed`);
    layers.push(new Layer(i, Object.create(proto) as AnyLayerReason, parent < 0 ? null : layers[parent]!));
  }
  const decoder = new PlanDecoder({ schema, fragments, nodes: documentNodes(operation, fragments), shapes, steps, layers });
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    decoder.decodeFields(bodyLayers[i]!, 1, layer.reason);
    const [stepIds, executable, item, pathTypename, errorValuesAreErrors] = layerSteps[i]!;
    layer.steps = (stepIds as readonly number[]).map((id) => stepAt(steps, id));
    layer.executableSteps = (executable as readonly number[]).map((id) => stepAt(steps, id));
    layer.itemStep = item < 0 ? null : stepAt(steps, item);
    layer.pathTypename = decoder.decodeValue(pathTypename) as string | undefined;
    layer.errorValuesAreErrors = errorValuesAreErrors === true;
  }
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (!step) continue;
    const s = bodySteps[i]!;
    const layerId = s[1] as number;
    if (!layers[layerId]) throw new BadPlan(`step ${i} names layer ${String(layerId)}`);
    const target = decoder.decodeFields(s, 3, step as unknown as Record<string, unknown>);
    target.id = i;
    target.layerId = layerId;
    target.ownerPlan = plan;
    target.dependencies = (s[2] as number[]).map((id) => stepAt(steps, id));
  }
  const mutable = plan as { -readonly [K in keyof OperationPlan]: OperationPlan[K] };
  plan.layers.length = 0;
  plan.layers.push(...layers);
  mutable.rootLayer = layers[0]!;
  plan.steps.push(...steps);
  for (const [name, value] of body.constraints) plan.recordConstraint(name, decoder.decodeValue(value));
  mutable.root = decoder.decodeValue(body.root) as OutputSelection;
  plan.sourceStep = body.source < 0 ? null : stepAt(steps, body.source);
  return plan;
}

function stepAt(steps: ReadonlyArray<Step | null>, id: number): Step {
  const step = typeof id === "number" ? steps[id] : undefined;
  if (!step) throw new BadPlan(`the plan names step ${String(id)}, which it does not hold`);
  return step;
}
