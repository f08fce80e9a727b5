// An operation plan to JSON and back. A step is written as (kind, layer, dependencies, data): its class's
// registered kind and its own fields through the codec; layers as (parent, kind of layer, fields, steps);
// the output plan through the codec. Reading never runs planning code and never trusts a field it cannot
// place: anything unexpected is a BadPlan and the caller plans again.

import type { ASTNode, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { Step } from "../step.js";
import { Layer, ListItemReason, MutationFieldReason, NullableBoundaryReason, PolymorphicReason, RootReason, type AnyLayerReason } from "../layer.js";
import { OperationPlan } from "../operationPlan.js";
import { measureOperation, type Limits } from "../limits.js";
import type { OutputSelection } from "../outputPlan.js";
import { BadPlan, NotExportable, PlanDecoder, PlanEncoder, documentNodes, type Encoded } from "./codec.js";
import { schemaFunctions, stepClassOf, stepKindOf } from "./registry.js";

/** Step fields the plan JSON writes on their own (the rest go in `data`). */
const STEP_OWN = new Set(["id", "layerId", "ownerPlan", "dependencies"]);

const REASONS: { readonly [type: string]: object } = {
  root: RootReason.prototype,
  mutationField: MutationFieldReason.prototype,
  listItem: ListItemReason.prototype,
  nullableBoundary: NullableBoundaryReason.prototype,
  polymorphic: PolymorphicReason.prototype,
};

export interface PlanBody {
  readonly purpose: OperationPlan["purpose"];
  readonly constraints: ReadonlyArray<{ readonly name: string; readonly value: Encoded }>;
  readonly layers: ReadonlyArray<{ parent: number; reason: Encoded; steps: number[]; executable: number[]; item: number; pathTypename: Encoded; errorValuesAreErrors: boolean }>;
  readonly steps: ReadonlyArray<{ kind: string; layer: number; dependencies: number[]; data: { [key: string]: Encoded } } | null>;
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
  const encoder = new PlanEncoder(
    { schema: plan.schema, operation: plan.operation, fragments: plan.fragments, functions: schemaFunctions(plan.schema), layerOfReason },
    documentNodes(plan.operation, plan.fragments),
  );
  const steps = plan.steps.map((step) => (step === null ? null : encodeStep(encoder, step)));
  const layers = plan.layers.map((layer) => {
    const reason: { [key: string]: Encoded } = {};
    for (const key of Object.keys(layer.reason)) reason[key] = within(`${layer}`, () => encoder.encodeValue((layer.reason as unknown as Record<string, unknown>)[key]));
    return {
      parent: layer.parent?.id ?? -1,
      reason,
      steps: layer.steps.map((s) => s.id),
      executable: layer.executableSteps.map((s) => s.id),
      item: layer.itemStep?.id ?? -1,
      pathTypename: encoder.encodeValue(layer.pathTypename),
      errorValuesAreErrors: layer.errorValuesAreErrors,
    };
  });
  const constraints = plan.constraints.map((c) => ({ name: c.name, value: within(`the constraint on $${c.name}`, () => encoder.encodeValue(c.value)) }));
  const root = within("the output plan", () => encoder.encodeValue(plan.root));
  return { purpose: plan.purpose, constraints, layers, steps, root, source: plan.sourceStep?.id ?? -1 };
}

function encodeStep(encoder: PlanEncoder, step: Step): PlanBody["steps"][number] {
  const kind = stepKindOf(step);
  if (kind === null) throw new NotExportable(`${step}: its class ${step.constructor.name} is not registered (registerStepClass, or a name in makeSchema({ functions }))`);
  const data: { [key: string]: Encoded } = {};
  for (const key of Object.keys(step)) {
    if (STEP_OWN.has(key)) continue;
    data[key] = within(`${step}.${key}`, () => encoder.encodeValue((step as unknown as Record<string, unknown>)[key]));
  }
  return { kind, layer: step.layerId, dependencies: step.dependencies.map((d) => d.id), data };
}

function within<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof NotExportable && !error.message.includes(" holds ")) throw new NotExportable(`${where} holds ${error.message}`);
    throw error;
  }
}

/** spec: DecodePlan — a plan for `operation` from its JSON body; BadPlan on anything it cannot place. */
export function decodePlan(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: { readonly [name: string]: FragmentDefinitionNode },
  body: PlanBody,
  limits: Limits,
): OperationPlan {
  const plan = new OperationPlan(schema, operation, fragments, body.purpose === "subscriptionSource" ? "subscriptionSource" : "response");
  // Measured here, as planning measures it: the request limits are checked against the operation itself.
  plan.shape = measureOperation(schema, operation, fragments, limits);
  const steps: Array<Step | null> = body.steps.map((s) => {
    if (s === null) return null;
    const stepClass = stepClassOf(s.kind);
    if (stepClass === undefined) throw new BadPlan(`no step class is registered as "${s.kind}"`);
    return Object.create(stepClass.prototype) as Step;
  });
  if (!Array.isArray(body.layers) || body.layers.length === 0) throw new BadPlan("the plan has no layers");
  const layers: Layer[] = [];
  for (let i = 0; i < body.layers.length; i++) {
    const l = body.layers[i]!;
    const type = ((l.reason as { type?: Encoded }).type ?? null) as string | null;
    const proto = type === null ? undefined : REASONS[type];
    if (proto === undefined || l.parent >= i || (i === 0) !== (l.parent === -1)) throw new BadPlan(`layer ${i} is malformed`);
    layers.push(new Layer(i, Object.create(proto) as AnyLayerReason, l.parent < 0 ? null : layers[l.parent]!));
  }
  const nodes: Map<string, ASTNode[]> = documentNodes(operation, fragments);
  const decoder = new PlanDecoder({ schema, operation, fragments, nodes, functions: schemaFunctions(schema), steps, layers });
  for (let i = 0; i < layers.length; i++) {
    const l = body.layers[i]!;
    const layer = layers[i]!;
    const reason = l.reason as { [key: string]: Encoded };
    for (const key of Object.keys(reason)) (layer.reason as unknown as Record<string, unknown>)[key] = decoder.decodeValue(reason[key]!);
    layer.steps = l.steps.map((id: number) => stepAt(steps, id));
    layer.executableSteps = l.executable.map((id: number) => stepAt(steps, id));
    layer.itemStep = l.item < 0 ? null : stepAt(steps, l.item);
    layer.pathTypename = decoder.decodeValue(l.pathTypename) as string | undefined;
    layer.errorValuesAreErrors = l.errorValuesAreErrors === true;
  }
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (!step) continue;
    const s = body.steps[i]!;
    const target = step as unknown as Record<string, unknown>;
    for (const key of Object.keys(s.data)) target[key] = decoder.decodeValue(s.data[key]!);
    target.id = i;
    if (!layers[s.layer]) throw new BadPlan(`step ${i} names layer ${s.layer}`);
    target.layerId = s.layer;
    target.ownerPlan = plan;
    target.dependencies = s.dependencies.map((id) => stepAt(steps, id));
  }
  const mutable = plan as { -readonly [K in keyof OperationPlan]: OperationPlan[K] };
  plan.layers.length = 0;
  plan.layers.push(...layers);
  mutable.rootLayer = layers[0]!;
  plan.steps.push(...steps);
  for (const c of body.constraints) plan.recordConstraint(c.name, decoder.decodeValue(c.value));
  mutable.root = decoder.decodeValue(body.root) as OutputSelection;
  plan.sourceStep = body.source < 0 ? null : stepAt(steps, body.source);
  return plan;
}

function stepAt(steps: ReadonlyArray<Step | null>, id: number): Step {
  const step = typeof id === "number" ? steps[id] : undefined;
  if (!step) throw new BadPlan(`the plan names step ${String(id)}, which it does not hold`);
  return step;
}
