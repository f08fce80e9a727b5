// The output plan of an imported plan against its layers and its types: each position is of the kind its
// type gives, reads steps its layer can reach, and opens the layer below it that the planner would have
// opened for it (a child of its own layer whose reason reads the position's step).

import {
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLAbstractType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from "graphql";
import { Step } from "../step.js";
import { Layer } from "../planning/layer.js";
import { IsTypeOfStep } from "../planning/steps/isTypeOf.js";
import { ResolveTypeStep } from "../planning/steps/resolveType.js";
import { RuntimeTypeStep } from "../planning/steps/runtimeType.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { isLeafOnly, leafShape, type LeafShape, type OutputField, type OutputSelection, type OutputValue } from "../planning/outputPlan.js";
import type { PartialAbstractValue } from "../planning/partialPlanning.js";
import { bad, isDerivedField, isFieldContext, named as label, reachable } from "./checks.js";

/**
 * spec: CheckOutputPlan — every position of the output plan: a field's context is the document's and the
 * schema's (fields written in full included), a position's kind and leaf shape are its type's, its steps are
 * steps of the plan its layer reaches (a step read inline only by a leaf), and a list, object or concrete
 * type's layer is a child of the position's layer with the reason the planner gives it. The root mutation
 * fields are read from their own layers.
 */
export function checkOutputPlan(plan: OperationPlan): void {
    const root = plan.root as OutputSelection | undefined;
  if (root === undefined || root.type !== plan.rootType) bad("its output plan is not for the operation's root type");
  const rootLayer = plan.layers[0]!;
  const serial = plan.operation.operation === "mutation";
  checkSelection(plan, root, rootLayer, serial);
}

function checkSelection(plan: OperationPlan, selection: OutputSelection, layer: Layer, serial: boolean): void {
  if (!Array.isArray(selection.fields)) bad("an output selection has no field list");
  for (const field of selection.fields) {
    checkField(plan, selection.type, field);
    if (field.value === null) continue;
    // A root mutation field is completed from its own layer's entries (ExecuteFieldsSerially).
    const own = serial ? layer.children.find((l) => l.reason.runsSerially && l.reason.responseKey === field.responseKey) : undefined;
    checkValue(plan, field.value, field.field.returnType, own ?? layer, field);
  }
}

/**
 * A field's own keys and its context: what the planner builds for that field of that parent type. A field
 * the decoder derived from the document has it by construction; one written in full is checked.
 */
function checkField(plan: OperationPlan, parentType: GraphQLObjectType, field: OutputField): void {
  if (field === null || typeof field !== "object" || typeof field.responseKey !== "string" || typeof field.errorValuesAreErrors !== "boolean") bad("an output field is malformed");
  if (isDerivedField(plan, field)) return;
  const context = field.field;
  const fits =
    isFieldContext(plan, context) &&
    context.atListItem === undefined &&
    context.parentType === parentType &&
    context.responseKey === field.responseKey &&
    (field.value === null) === (context.fieldName === "__typename");
  if (!fits) bad(`the output field ${field.responseKey} of ${parentType.name} does not fit the document and the schema`);
}

/** What a position of one output type must be: worked out once per type (a type's facts never change). */
interface PositionFacts {
  readonly nonNull: boolean;
  readonly kind: OutputValue["kind"];
  /** The type without its non-null wrapper. */
  readonly named: GraphQLOutputType;
  /** A list's item type. */
  readonly item: GraphQLOutputType | null;
  /** A list of leaves' item shape. */
  readonly itemShape: LeafShape | null;
}

const factsOfType = new WeakMap<GraphQLOutputType, PositionFacts>();

function positionFacts(type: GraphQLOutputType): PositionFacts {
  let facts = factsOfType.get(type);
  if (facts === undefined) {
    const nonNull = isNonNullType(type);
    const named = nonNull ? type.ofType : type;
    const item = isListType(named) ? (named.ofType as GraphQLOutputType) : null;
    const kind = item !== null ? (isLeafOnly(item) ? "leafList" : "list") : isLeafType(named) ? "leaf" : isObjectType(named) ? "object" : "abstract";
    facts = { nonNull, kind, named, item, itemShape: kind === "leafList" ? leafShape(item!) : null };
    factsOfType.set(type, facts);
  }
  return facts;
}

/** The names of an abstract type's possible types in a schema, worked out once per type. */
const possibleOf = new WeakMap<GraphQLAbstractType, Set<string>>();

function possibleTypes(plan: OperationPlan, type: GraphQLAbstractType): Set<string> {
  let names = possibleOf.get(type);
  if (names === undefined) possibleOf.set(type, (names = new Set(plan.schema.getPossibleTypes(type).map((t) => t.name))));
  return names;
}

/** A step a position reads: a step of the plan its layer reaches, read inline only by a leaf or list of leaves. */
function readsStep(plan: OperationPlan, s: unknown, layer: Layer, field: OutputField, leaf: boolean): void {
  if (!(s instanceof Step) || plan.steps[s.id] !== s || !reachable(plan, s, layer)) bad(`a position of ${field.responseKey} reads a step its layer cannot reach`);
  if (!leaf && s.inlined !== null) bad(`a position of ${field.responseKey} reads ${label(s)}, which is read inline`);
}

function checkValue(plan: OperationPlan, value: OutputValue, type: GraphQLOutputType, layer: Layer, field: OutputField): void {
  if (value === null || typeof value !== "object") bad(`the output field ${field.responseKey} has no value`);
  const facts = positionFacts(type);
  // A list of leaves whose field returned each() opens a list layer like any list.
  const fits = value.kind === facts.kind || (value.kind === "list" && facts.kind === "leafList");
  if (!fits || value.nonNull !== facts.nonNull) bad(`a position of ${field.responseKey} does not fit its type`);
  const named = facts.named;
  switch (value.kind) {
    case "leaf":
      if (value.type !== named) bad(`the leaf ${field.responseKey} does not fit its type`);
      readsStep(plan, value.step, layer, field, true);
      return;
    case "leafList":
      if (!sameLeafShape(value.item, facts.itemShape!)) bad(`the list of leaves ${field.responseKey} does not fit its type`);
      readsStep(plan, value.step, layer, field, true);
      return;
    case "list": {
      readsStep(plan, value.step, layer, field, false);
      const below = childLayer(plan, value.layer, layer, field);
      if (below.reason.type !== "listItem" || below.reason.listStep !== value.step) bad(`the list ${field.responseKey} opens a layer that does not list its items`);
      checkValue(plan, value.item, facts.item!, below, field);
      return;
    }
    case "object": {
      const selection = value.selection as OutputSelection | undefined;
      if (selection?.type !== named) bad(`the object ${field.responseKey} does not fit its type`);
      readsStep(plan, value.step, layer, field, false);
      readsStep(plan, value.valueStep, layer, field, false);
      // The checked value is the value itself, or the type's isTypeOf check of it.
      const checked = value.step === value.valueStep || (value.step instanceof IsTypeOfStep && value.step.dependencies[0] === value.valueStep && value.step.type === named);
      if (!checked) bad(`the object ${field.responseKey} checks its value with a step that does not check it`);
      const below = childLayer(plan, value.layer, layer, field);
      if (below.reason.type !== "nullableBoundary" || below.reason.parentStep !== value.step) bad(`the object ${field.responseKey} opens a layer that does not hold it`);
      checkSelection(plan, selection, below, false);
      return;
    }
    case "abstract":
      checkAbstract(plan, value, named as GraphQLAbstractType, layer, field);
      return;
    default:
      bad(`a position of ${field.responseKey} has no kind`);
  }
}

/**
 * An abstract position (checkValue's rarest kind, kept apart so that checkValue's own code stays small: a
 * fresh process compiles it in its first import).
 */
function checkAbstract(plan: OperationPlan, value: Extract<OutputValue, { kind: "abstract" }>, abstract: GraphQLAbstractType, layer: Layer, field: OutputField): void {
  if (!(value.byType instanceof Map) || typeof value.defaultTypeResolver !== "boolean") bad(`the abstract position ${field.responseKey} does not fit its type`);
  readsStep(plan, value.step, layer, field, false);
  readsStep(plan, value.typeStep, layer, field, false);
  readsStep(plan, value.typeNameStep, layer, field, false);
  // The type step is the RuntimeType check of the type name for this abstract type (the output trusts its names).
  const type = value.typeStep;
  if (!(type instanceof RuntimeTypeStep) || type.dependencies[0] !== value.step || type.dependencies[1] !== value.typeNameStep || type.abstractType !== abstract) {
    bad(`the abstract position ${field.responseKey} names its types by a step that does not check them`);
  }
  if (value.defaultTypeResolver !== (value.typeNameStep instanceof ResolveTypeStep && abstract.resolveType == null)) bad(`the abstract position ${field.responseKey} misstates its type resolver`);
  const possible = possibleTypes(plan, abstract);
  for (const [typeName, branch] of value.byType) {
    const selection = branch?.selection as OutputSelection | undefined;
    if (!possible.has(typeName) || selection?.type !== plan.schema.getType(typeName)) bad(`the abstract position ${field.responseKey} has a branch for ${String(typeName)}`);
    const below = childLayer(plan, branch.layer, layer, field);
    const reason = below.reason;
    if (reason.type !== "polymorphic" || reason.parentStep !== value.step || reason.typeStep !== value.typeStep || reason.typeName !== typeName) {
      bad(`the ${String(typeName)} branch of ${field.responseKey} opens a layer that does not hold it`);
    }
    checkSelection(plan, selection!, below, false);
  }
  const branches = (value as PartialAbstractValue).branches;
  // Every possible type is planned or waits unplanned, once: a type in neither has no branch to run.
  const waiting = branches !== undefined && Array.isArray(branches.unplanned) ? branches.unplanned.length : 0;
  if (value.byType.size + waiting !== possible.size) bad(`the abstract position ${field.responseKey} does not plan or leave unplanned each possible type of ${abstract.name} exactly once`);
  if (branches !== undefined) {
    const { unplanned, path, responseKey } = branches as unknown as { [key: string]: unknown };
    if (
      branches.layer !== layer ||
      typeof branches.resolverSemantics !== "boolean" ||
      !Array.isArray(unplanned) ||
      !unplanned.every((name, i) => possible.has(name) && !value.byType.has(name) && unplanned.indexOf(name) === i) ||
      !Array.isArray(path) ||
      !path.every((key) => typeof key === "string") ||
      (responseKey !== null && typeof responseKey !== "string") ||
      !sameContext(branches.field, field.field)
    ) {
      bad(`the unplanned branches of ${field.responseKey} do not fit its position`);
    }
  }
}

/** The layer a position opens: a layer of the plan whose parent is the position's layer. */
function childLayer(plan: OperationPlan, below: unknown, layer: Layer, field: OutputField): Layer {
  if (!(below instanceof Layer) || plan.layers[below.id] !== below || below.parent !== layer) bad(`the output field ${field.responseKey} opens a layer outside its own`);
  return below;
}

/** The field's context, or a list item's copy of it (`atListItem: true`), as the checks of a value see the field. */
function sameContext(given: unknown, context: OutputField["field"]): boolean {
  if (given === context) return true;
  if (given === null || typeof given !== "object" || (given as { atListItem?: unknown }).atListItem !== true) return false;
  const keys = Object.keys(given);
  return keys.length === Object.keys(context).length + 1 && keys.every((key) => key === "atListItem" || (given as Record<string, unknown>)[key] === (context as unknown as Record<string, unknown>)[key]);
}

function sameLeafShape(a: LeafShape | undefined, b: LeafShape): boolean {
  if (a === null || typeof a !== "object" || a.kind !== b.kind || a.nonNull !== b.nonNull) return false;
  return a.kind === "leaf" ? a.type === (b as typeof a).type : sameLeafShape(a.item, (b as typeof a).item);
}
