// An operation plan to JSON and back. A step is written as (kind, layer, dependencies, shape, values): its
// class's registered kind and its own fields through the codec, against a key list shared by every step of
// that kind; layers as (parent, reason, steps); the output plan through the codec. Reading never runs
// planning code and never trusts a field it cannot place: anything unexpected is a BadPlan and the caller
// plans again.

import type { FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode } from "graphql";
import { READ_INLINE, type Step } from "../step.js";
import { Layer, reasonPrototypeOf, type AnyLayerReason } from "../planning/layer.js";
import { OperationPlan } from "../planning/operationPlan.js";
import type { Limits } from "../limits.js";
import { measureOperation, type CostVariable, type OperationShape } from "../planning/measureOperation.js";
import { runSetter, RUN_SETTER_AT, shapeTableOf, shapesKeyOf, type ShapePlan } from "./shapes.js";
import { BadPlan, NotExportable, PlanDecoder, PlanEncoder, type Encoded, type Shape } from "./codec.js";
import { generatedCodeAllowed } from "../planning/generatedCode.js";
import { decodeOutputPlan, encodeOutputPlan } from "./outputJson.js";
import { stepClassOf, stepKindOf, type StepClass } from "../stepRegistry.js";
import { checkImportedPlan } from "./checkPlan.js";
import { decodedBy } from "./checks.js";

/** Step fields the plan JSON writes on their own (the rest are written against the step's shape), in the Step class's order. */
const STEP_OWN_KEYS = ["id", "layerId", "ownerPlan", "dependencies"];
const STEP_OWN = new Set(STEP_OWN_KEYS);

/**
 * The body of an exported plan. Steps: [kind index, layer, dependency ids, shape, ...field values] or null
 * for a removed step. Layers: one flat stream (see `layers`).
 */
export interface PlanBody {
  readonly purpose: OperationPlan["purpose"];
  readonly kinds: readonly string[];
  /** The shapes as JSON text: the same few lists in every plan, so the importing process parses each once. */
  readonly shapes: string;
  /** The key the importing process keeps the parsed shapes under (shapesKeyOf the text). */
  readonly shapesKey: string;
  /** Strings that single fields write by index (the paths of field reads), each once. */
  readonly strings: readonly string[];
  readonly constraints: ReadonlyArray<readonly [name: string, value: Encoded]>;
  /**
   * Every layer in id order as one flat stream: parent id, reason shape, the reason's values, then its step
   * ids (a count, then the ids as encodeIds writes them), its executable step ids (SAME_STEPS when they are
   * its steps, else a count and the ids), item step id (-1 for none), path typename, whether Error values are
   * errors. No array per layer or per list: the body parses in fewer allocations.
   */
  readonly layers: readonly Encoded[];
  /**
   * Every step in id order as one flat stream: -1 for a removed step, else its header — kind index, layer,
   * dependency count, the dependency ids, shape — then the shape's values; a header followed by `-2, n`
   * holds n more steps, each only its values. One array, not three per step, and a run of like steps (the
   * field reads of one object) writes its header once: the body parses in far fewer allocations.
   */
  readonly steps: readonly Encoded[];
  readonly root: Encoded;
  readonly source: number;
  /**
   * The operation's measured shape (MeasureOperation), flat: depth, widest selection, fields, then each cost
   * term as its factor, its variable count and each variable's name and fallback.
   */
  readonly shape: readonly Encoded[];
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
  if (plan.incremental) {
    throw new NotExportable("the operation defers or streams (@defer/@stream): its deferred layers are not written to plan text yet (spec/incremental.md)");
  }
  const layerOfReason = new Map<object, number>();
  for (const layer of plan.layers) layerOfReason.set(layer.reason, layer.id);
  const encoder = new PlanEncoder({ schema: plan.schema, operation: plan.operation, fragments: plan.fragments, layerOfReason });
  const kinds: string[] = [];
  const kindIds = new Map<string, number>();
  const steps = plan.steps.map((step) => {
    if (step === null) return null;
    const kind = stepKindOf(step);
    if (kind === null) throw new NotExportable(`${step}: its class ${step.constructor.name} is not registered (registerStepClass, or a name in makeSchema({ functions }))`);
    let kindId = kindIds.get(kind);
    if (kindId === undefined) kindIds.set(kind, (kindId = kinds.push(kind) - 1));
    const keys = Object.keys(step).filter((key) => !STEP_OWN.has(key));
    // A step read inline by the output reads what its inlineRead() gives: written as `true`, and its
    // READ_INLINE label left out; both are derived on import.
    const view = step.inlined === null ? step : { ...step, inlined: true, optimizations: step.optimizations.filter((o) => o !== READ_INLINE) };
    const fields = within(`${step}`, () => encoder.encodeFields(view as unknown as Record<string, unknown>, keys, kind));
    return encoder.written(fields[0] as number, [kindId, step.layerId, step.dependencies.map((d) => d.id), ...fields]);
  });
  // Layer reasons are few and their `type` is read before decoding: their own shapes, never with fixed fields.
  const layers: Encoded[] = [];
  for (const layer of plan.layers) {
    const reason = within(`${layer}`, () => encoder.encodeFields(layer.reason as unknown as Record<string, unknown>, Object.keys(layer.reason), "reason"));
    const ids = encodeIds(layer.steps);
    const executable = sameSteps(layer.executableSteps, layer.steps) ? null : encodeIds(layer.executableSteps);
    layers.push(layer.parent?.id ?? -1, ...reason, ids.length, ...ids);
    if (executable === null) layers.push(SAME_STEPS);
    else layers.push(executable.length, ...executable);
    layers.push(layer.itemStep?.id ?? -1, encoder.encodeValue(layer.pathTypename), layer.errorValuesAreErrors);
  }
  const constraints = plan.constraints.map((c) => [c.name, within(`the constraint on $${c.name}`, () => encoder.encodeValue(c.value))] as const);
  const root = within("the output plan", () => encodeOutputPlan(encoder, plan.root));
  const { depth, widest, fields, cost } = plan.shape;
  const shape: Encoded[] = [depth, widest, fields];
  for (const t of cost.terms) {
    shape.push(t.factor, t.variables.length);
    for (const v of t.variables) shape.push(v.name, v.fallback);
  }
  const shapes = encoder.shapes(); // takes each shape's fixed fields out of the steps' values: before flattening
  const stream: Encoded[] = [];
  for (let i = 0; i < steps.length; ) {
    const s = steps[i];
    if (s === null) {
      stream.push(-1);
      i++;
      continue;
    }
    const header: Encoded[] = [s[0]!, s[1]!, (s[2] as number[]).length, ...(s[2] as number[]), s[3]!];
    stream.push(...header, ...s.slice(4));
    // The steps right after it with the same header (the field reads of one object): `-2, n`, then their values.
    let next = i + 1;
    if (s.length > 4) while (next < steps.length && steps[next] !== null && sameHeader(steps[next]!, header)) next++;
    if (next > i + 1) {
      stream.push(SAME_HEADER, next - i - 1);
      for (let k = i + 1; k < next; k++) stream.push(...steps[k]!.slice(4));
    }
    i = next;
  }
  const shapesText = JSON.stringify(shapes);
  return { purpose: plan.purpose, kinds, shapes: shapesText, shapesKey: shapesKeyOf(shapesText), strings: encoder.strings, constraints, layers, steps: stream, root, source: plan.sourceStep?.id ?? -1, shape };
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
 * spec: DecodePlan — a plan for `operation` from its JSON body; BadPlan on anything it cannot place. Two
 * passes over the flat step stream: the steps' objects, then their fields from each shape's key list.
 */
export function decodePlan(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: { readonly [name: string]: FragmentDefinitionNode },
  body: PlanBody,
  limits: Limits,
): OperationPlan {
  if (body === null || typeof body !== "object") throw new BadPlan("the plan body is not an object");
  const { kinds, layers: bodyLayers, steps: bodySteps } = body;
  if (!Array.isArray(kinds) || !Array.isArray(bodySteps) || !Array.isArray(body.constraints)) {
    throw new BadPlan("the plan body is missing a part");
  }
  if (!Array.isArray(bodyLayers) || bodyLayers.length === 0) throw new BadPlan("the plan has no layers");
  const plan = new OperationPlan(schema, operation, fragments, body.purpose === "subscriptionSource" ? "subscriptionSource" : "response");
  plan.shape = shapeOf(body.shape, limits) ?? measureOperation(schema, operation, fragments, limits);
  const classes: StepClass[] = kinds.map((kind) => {
    const stepClass = stepClassOf(kind);
    if (stepClass === undefined) throw new BadPlan(`no step class is registered as "${kind}"`);
    return stepClass;
  });
  // First pass: where each step starts in the stream, and its object (steps name steps of any id).
  const steps = plan.steps; // empty: the plan's steps are decoded into it
  const layers: Layer[] = [];
  const generateCode = generatedCodeAllowed(schema);
  const { shapes, shapePlans } = shapeTableOf(body.shapes, body.shapesKey, generateCode);
  const { strings } = body;
  if (!Array.isArray(strings) || !strings.every((text) => typeof text === "string")) throw new BadPlan("the plan's strings are malformed");
  const decoder = new PlanDecoder({ schema, generateCode, operation, fragments, shapes, strings, shapePlans, steps, layers });
  const headers: number[] = [];
  const starts: number[] = [];
  let header = -1;
  let count = 0; // values per step of the current header
  let stepClass: StepClass | undefined;
  let headerShape: ShapePlan | null = null;
  let at = 0;
  while (at < bodySteps.length) {
    const token = bodySteps[at];
    if (token === -1) {
      steps.push(null);
      headers.push(-1);
      starts.push(-1);
      header = -1;
      at++;
      continue;
    }
    if (token === SAME_HEADER) {
      // A run of steps under the previous step's header: each is as many values as its shape writes (at
      // least one, so the run's length is bounded by the stream's).
      const run = bodySteps[at + 1];
      if (header < 0 || count === 0 || typeof run !== "number" || !Number.isInteger(run) || run < 1 || at + 2 + run * count > bodySteps.length) {
        throw new BadPlan(`step ${steps.length} repeats a header it does not follow, or runs past the plan's end`);
      }
      at += 2;
      // A long run fills enough objects to pay for its setter on this very import (TierUp, RUN_SETTER_AT).
      if (run + 1 >= RUN_SETTER_AT) runSetter(headerShape!, generateCode);
      for (let r = 0; r < run; r++) {
        decoder.stepFollows[steps.length] = true;
        steps.push(stepObject(stepClass!));
        headers.push(header);
        starts.push(at);
        at += count;
      }
      continue;
    }
    header = at;
    const deps = bodySteps[at + 2];
    stepClass = typeof token === "number" ? classes[token] : undefined;
    if (stepClass === undefined || typeof deps !== "number" || !(deps >= 0)) throw new BadPlan(`step ${steps.length} is malformed`);
    const shape = (headerShape = decoder.shapePlan(bodySteps[at + 3 + deps]));
    count = shape.written;
    at += 4 + deps;
    steps.push(stepObject(stepClass));
    headers.push(header);
    starts.push(at);
    at += count;
  }
  if (at !== bodySteps.length) throw new BadPlan("the plan's last step is cut short");
  // Layers: their objects first (a reason names layers of any id), then each reason's fields and step lists.
  const layerStarts: number[] = [];
  at = 0;
  while (at < bodyLayers.length) {
    const i = layers.length;
    const parent = bodyLayers[at] as number;
    const shape = shapes[bodyLayers[at + 1] as number];
    const typeAt = !Array.isArray(shape) || shape.length !== 1 || !Array.isArray(shape[0]) ? -1 : shape[0].indexOf("type");
    const proto = typeAt < 0 ? undefined : reasonPrototypeOf(bodyLayers[at + 2 + typeAt]);
    if (proto === undefined || !(parent < i) || (i === 0) !== (parent === -1)) throw new BadPlan(`layer ${i} is malformed`);
    layers.push(new Layer(i, Object.create(proto) as AnyLayerReason, parent < 0 ? null : layers[parent]!));
    layerStarts.push(at);
    at = skipIds(bodyLayers, at + 2 + (shape as Shape)[0].length, i); // the steps
    if (bodyLayers[at] === SAME_STEPS) at++;
    else at = skipIds(bodyLayers, at, i); // the executable steps
    at += 3;
  }
  if (at !== bodyLayers.length) throw new BadPlan("the plan's last layer is cut short");
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    at = layerStarts[i]! + 1;
    decoder.fillFields(bodyLayers[at], bodyLayers, at + 1, layer.reason);
    at += 1 + decoder.shapePlan(bodyLayers[at]).written;
    layer.steps = decodeIds(bodyLayers, at, steps);
    at += 1 + (bodyLayers[at] as number);
    if (bodyLayers[at] === SAME_STEPS) {
      layer.executableSteps = layer.steps.slice();
      at++;
    } else {
      layer.executableSteps = decodeIds(bodyLayers, at, steps);
      at += 1 + (bodyLayers[at] as number);
    }
    const item = bodyLayers[at] as number;
    layer.itemStep = item < 0 ? null : stepAt(steps, item);
    layer.pathTypename = decoder.decodeValue(bodyLayers[at + 1]!) as string | undefined;
    layer.errorValuesAreErrors = bodyLayers[at + 2] === true;
  }
  // Second pass: each step's own fields (in the order the Step class declares them), then its shape's. A
  // run of steps under one header (the field reads of one object) looks its layer, dependencies and shape
  // up once.
  let layerId = -1;
  let dependencies: Step[] = [];
  let shapeId: Encoded | undefined;
  let shape: ShapePlan | null = null;
  header = -1;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (!step) continue;
    if (headers[i] !== header) {
      header = headers[i]!;
      layerId = bodySteps[header + 1] as number;
      if (typeof layerId !== "number" || !layers[layerId]) throw new BadPlan(`step ${i} names layer ${String(layerId)}`);
      const deps = bodySteps[header + 2] as number;
      dependencies = [];
      for (let d = 0; d < deps; d++) dependencies.push(stepAt(steps, bodySteps[header + 3 + d] as number));
      shapeId = bodySteps[header + 3 + deps];
      shape = decoder.shapePlan(shapeId);
    }
    decoder.stepLayouts[i] = shape!;
    const target = step as unknown as Record<string, unknown>;
    target.id = i;
    target.layerId = layerId;
    target.ownerPlan = plan;
    target.dependencies = copyOf(dependencies);
    // The first pass placed every step's values inside the stream: no bounds to check here.
    if (shape!.fill !== null) shape!.fill(target, bodySteps, starts[i]!, shape!.fixed, strings, decoder);
    else decoder.fillFields(shapeId, bodySteps, starts[i]!, target);
    if (target.inlined === true) {
      const path = step.inlineRead();
      if (path === null) throw new BadPlan(`step ${i} is read inline but reads no property`);
      target.inlined = path;
      // A new array rather than a push: growing the decoded (empty) array costs more than making one.
      const labels = target.optimizations as string[];
      target.optimizations = labels.length === 0 ? [READ_INLINE] : [...labels, READ_INLINE];
    }
  }
  const mutable = plan as { -readonly [K in keyof OperationPlan]: OperationPlan[K] };
  plan.layers.length = 0;
  plan.layers.push(...layers);
  mutable.rootLayer = layers[0]!;
  for (const [name, value] of body.constraints) plan.recordConstraint(name, decoder.decodeValue(value));
  mutable.root = decodeOutputPlan({ decoder, schema, steps, layers }, body.root);
  plan.sourceStep = body.source < 0 ? null : stepAt(steps, body.source);
  decodedBy(plan, decoder);
  try {
    checkImportedPlan(plan);
  } finally {
    decodedBy(plan, null);
  }
  return plan;
}

/**
 * The shape the plan was measured with, when it is well-formed and within these limits (the plan was made for
 * this very operation text: the header checked that). Otherwise null: the operation is measured here, as
 * planning measures it, so a limit it crosses is reported exactly as planning reports it.
 */
function shapeOf(written: PlanBody["shape"] | undefined, limits: Limits): OperationShape | null {
  if (!Array.isArray(written)) return null;
  const [depth, widest, fields] = written;
  if (!isCount(depth) || !isCount(widest) || !isCount(fields)) return null;
  if (depth > limits.maxDepth || widest > limits.maxFieldsPerSelection || fields > limits.maxPlannedFields) return null;
  const cost: { factor: number; variables: CostVariable[] }[] = [];
  for (let at = 3; at < written.length; ) {
    // A cost is a sum of products of sizes: a negative or non-finite number in it could take cost off.
    const factor = written[at];
    const count = written[at + 1];
    if (!isSize(factor) || !isCount(count) || at + 2 + 2 * count > written.length) return null;
    const variables: CostVariable[] = [];
    for (let v = at + 2; v < at + 2 + 2 * count; v += 2) {
      const name = written[v];
      const fallback = written[v + 1];
      if (typeof name !== "string" || (fallback !== null && !isSize(fallback))) return null;
      variables.push({ name, fallback });
    }
    cost.push({ factor, variables });
    at += 2 + 2 * count;
  }
  return { depth, widest, fields, cost: { terms: cost } };
}

function isSize(n: unknown): n is number {
  return typeof n === "number" && Number.isFinite(n) && n >= 0;
}

function isCount(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0;
}

/** In the step stream, followed by a count n: the next n steps have the previous step's header. */
const SAME_HEADER = -2;

/** Whether an encoded step ([kind, layer, dependency ids, shape, ...]) has this stream header. */
function sameHeader(step: readonly Encoded[], header: readonly Encoded[]): boolean {
  const deps = step[2] as number[];
  if (step[0] !== header[0] || step[1] !== header[1] || deps.length !== header[2] || step[3] !== header[3 + deps.length]) return false;
  for (let d = 0; d < deps.length; d++) if (deps[d] !== header[3 + d]) return false;
  return true;
}

/** Step ids, each run of consecutive ids after its first written as minus its length: [4, 5, 6, 9] → [4, -2, 9]. */
function encodeIds(list: readonly Step[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < list.length; ) {
    const first = list[i]!.id;
    let run = 1;
    while (i + run < list.length && list[i + run]!.id === first + run) run++;
    out.push(first);
    if (run > 1) out.push(-(run - 1));
    i += run;
  }
  return out;
}

/** In the layer stream, in place of an executable step list: the layer's executable steps are its steps. */
const SAME_STEPS = -1;

/** Past a step id list of the layer stream (a count, then the ids) at `at`; BadPlan when it runs past the end. */
function skipIds(stream: readonly Encoded[], at: number, layer: number): number {
  const count = stream[at];
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || at + 1 + count > stream.length) throw new BadPlan(`layer ${layer}'s step list is malformed`);
  return at + 1 + count;
}

/** The steps of the id list at `at` of the layer stream (its count checked by skipIds). */
function decodeIds(stream: readonly Encoded[], at: number, steps: ReadonlyArray<Step | null>): Step[] {
  const out: Step[] = [];
  const end = at + 1 + (stream[at] as number);
  for (let i = at + 1; i < end; i++) {
    const id = stream[i] as number;
    if (id >= 0) out.push(stepAt(steps, id));
    else {
      const from = stream[i - 1] as number;
      if (!(i > at + 1 && from >= 0 && Number.isInteger(id))) throw new BadPlan("a layer's step list is malformed");
      for (let k = 1; k <= -id; k++) out.push(stepAt(steps, from + k));
    }
  }
  return out;
}

/**
 * spec: StepObject — an imported step's object before its fields are set: an object of the step's class's
 * prototype (`Object.create`), made by no constructor — neither the class's (reading runs no step code) nor
 * one generated per layout (a fresh process's first import used to make and compile one per step class and
 * key list). DecodePlan then sets its fields in the order the planned step got them.
 */
function stepObject(stepClass: StepClass): Step {
  return Object.create(stepClass.prototype as object) as Step;
}

/** A fresh copy of a short list (no two steps share their dependency list). */
function copyOf<T>(list: readonly T[]): T[] {
  switch (list.length) {
    case 0:
      return [];
    case 1:
      return [list[0]!];
    case 2:
      return [list[0]!, list[1]!];
    default:
      return list.slice();
  }
}

function sameSteps(a: readonly Step[], b: readonly Step[]): boolean {
  return a.length === b.length && a.every((step, i) => step === b[i]);
}

function stepAt(steps: ReadonlyArray<Step | null>, id: number): Step {
  const step = typeof id === "number" ? steps[id] : undefined;
  if (!step) throw new BadPlan(`the plan names step ${String(id)}, which it does not hold`);
  return step;
}
