// planning/: an operation turned into a plan (steps in layers, an output plan), cached (spec/planning.md).
// The planner: turns one operation into a DAG of steps in layers plus an output plan. Plan resolvers run
// here, once per operation (never per request); every step they return is adopted into the layer being
// planned. The Planner object is the planning context: passed explicitly, never a module global.
// Implements spec/planning.md (PlanOperation … PlanType); the passes after it are in planPasses.ts.

import {
  TypeNameMetaFieldDef,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLAbstractType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { Step, type PlanValidationContext } from "../step.js";
import { DeferredReason, ListItemReason, MutationFieldReason, NullableBoundaryReason, PolymorphicReason, type Layer } from "./layer.js";
import { OperationPlan } from "./operationPlan.js";
import { fieldContextOf, fieldDefOf, isLeafOnly, leafShape, type OutputField, type OutputSelection, type OutputValue } from "./outputPlan.js";
import { collectFields, collectSubfields, type CollectContext } from "./collectFields.js";
import { fieldPlanOf, planContextOf, type GraphscaleFieldExtensions, type GraphscaleTypeExtensions, type PlanInfo, type PlanResolver } from "./planResolver.js";
import { FieldArgs } from "./fieldArgs.js";
import type { FieldContext } from "./resolveInfo.js";
import { inspect } from "../inspect.js";
import { finishBranch, finishPlanning } from "./planPasses.js";
import { DEFAULT_LIMITS, type Limits } from "../limits.js";
import { measureOperation } from "./measureOperation.js";
import { EachStep } from "./steps/each.js";
import { ItemStep } from "./steps/item.js";
import { IsTypeOfStep } from "./steps/isTypeOf.js";
import { PlanningErrorStep } from "./steps/planningError.js";
import { ResolveTypeStep } from "./steps/resolveType.js";
import { ResolverStep } from "./steps/resolver.js";
import { RootValueStep } from "./steps/rootValue.js";
import { RuntimeTypeStep } from "./steps/runtimeType.js";
import { deferUsageSetOf, incrementalVariablesOf, newDefersOf, refusedInSubscription, refuseDeferInSubscription, sameDeferSet, streamUsageOf, usesIncrementalDelivery, type DeferUsage } from "./deferUsage.js";
import { recordBranchConstraints, type PartialAbstractValue, type UnplannedBranches } from "./partialPlanning.js";

/** spec: BuildOperationPlan — plans an operation, then deduplicates, tree-shakes, optimizes and finalizes. */
export function buildOperationPlan(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: { readonly [name: string]: FragmentDefinitionNode },
  variableValues: { readonly [name: string]: unknown },
  purpose: "response" | "subscriptionSource" = "response",
  limits: Limits = DEFAULT_LIMITS,
  partial: boolean = partialPlanningOf(schema),
): OperationPlan {
  // Measured first: an operation over a planning-time limit is refused before any planning work.
  const shape = measureOperation(schema, operation, fragments, limits);
  const plan = new OperationPlan(schema, operation, fragments, purpose);
  plan.shape = shape;
  // An operation with @defer/@stream is planned whole: its deferred layers must exist before the first payload.
  const deferring = purpose === "response" && usesIncrementalDelivery(operation, fragments);
  new Planner(plan, variableValues, partial && purpose === "response" && !deferring, deferring).planOperation();
  finishPlanning(plan);
  return plan;
}

/**
 * spec: PlanArrivingBranch — plans the branch of `typeName` at an abstract position of a plan in use, in one
 * synchronous section (so two requests never plan it twice), and finishes the new steps and layers alone.
 * A planning error leaves the plan as it was and is thrown to the request that met the type.
 */
export function planArrivingBranch(plan: OperationPlan, value: PartialAbstractValue, typeName: string, variableValues: { readonly [name: string]: unknown }): void {
  const branches = value.branches!;
  const at = branches.unplanned.indexOf(typeName);
  if (at < 0) return;
  const objectType = plan.schema.getType(typeName) as GraphQLObjectType;
  const firstStep = plan.steps.length;
  const firstLayer = plan.layers.length;
  try {
    new Planner(plan, variableValues, true).planBranch(value, branches, objectType);
    finishBranch(plan, firstStep, firstLayer);
  } catch (error) {
    for (let i = plan.layers.length - 1; i >= firstLayer; i--) {
      const children = plan.layers[i]!.parent!.children;
      children.splice(children.indexOf(plan.layers[i]!), 1);
    }
    plan.layers.length = firstLayer;
    plan.steps.length = firstStep;
    value.byType.delete(typeName);
    throw error;
  }
  branches.unplanned.splice(at, 1);
  if (branches.unplanned.length === 0) delete value.branches;
  plan.branchesPlanned++;
  plan.branchesChanged();
}

/** Whether the schema plans abstract positions partially (makeSchema({ partialPlanning }), default true). */
function partialPlanningOf(schema: GraphQLSchema): boolean {
  return (schema.extensions?.graphscale as { partialPlanning?: boolean } | undefined)?.partialPlanning !== false;
}

/** The planning context of one operation: the plan being filled and the variables planning may read. */
class Planner implements CollectContext, PlanValidationContext {
  readonly schema: GraphQLSchema;
  readonly fragments: { readonly [name: string]: FragmentDefinitionNode };
  readonly planContext: { readonly [key: string]: unknown };
  /** The deferred fragments whose fields are being planned (empty: the initial payload's). */
  private deferSet: readonly DeferUsage[] = [];
  constructor(
    readonly plan: OperationPlan,
    readonly variableValues: { readonly [name: string]: unknown },
    /** Whether abstract positions leave their branches to be planned as types arrive (makeSchema's partialPlanning). */
    readonly partial: boolean,
    /** Whether the operation uses @defer/@stream (spec/incremental.md): fields are grouped by deferred fragment. */
    readonly deferring = false,
  ) {
    this.schema = plan.schema;
    this.fragments = plan.fragments;
    this.planContext = planContextOf(plan.schema);
  }

  recordConstraint(name: string, value: unknown): void {
    this.plan.recordConstraint(name, value);
  }

  /**
   * Runs user planning code for `layer`: its step is adopted there and every step it created is validated
   * (`Step.validatePlan`); a throw, a rejected step or a non-step is a field error, and a rejected field's
   * new steps are removed so none of them runs.
   */
  private runPlanCode(layer: Layer, run: () => unknown, notAStep: (value: unknown) => string): Step {
    let $step: unknown;
    try {
      $step = run();
    } catch (error) {
      return this.plan.adoptStep(new PlanningErrorStep(error), layer);
    }
    if (!($step instanceof Step)) return this.plan.adoptStep(new PlanningErrorStep(new Error(notAStep($step))), layer);
    const steps = this.plan.steps;
    const firstNew = steps.length;
    this.plan.adoptStep($step, layer);
    try {
      for (let i = firstNew; i < steps.length; i++) steps[i]!.validatePlan(this);
    } catch (error) {
      for (let i = firstNew; i < steps.length; i++) if (steps[i]) this.plan.removeStep(steps[i]!);
      layer.steps = layer.steps.filter((s) => s.id < firstNew);
      return this.plan.adoptStep(new PlanningErrorStep(error), layer);
    }
    return $step;
  }

  /** spec: PlanOperation */
  planOperation(): void {
    const plan = this.plan;
    const rootType = plan.rootType;
    const $root = plan.adoptStep(new RootValueStep(), plan.rootLayer);
    const fields = collectFields(this, rootType, plan.operation.selectionSet);
    if (plan.purpose === "subscriptionSource") {
      plan.sourceStep = this.planSubscriptionSource(rootType, $root, fields);
      return;
    }
    if (plan.operation.operation !== "mutation") {
      plan.root = this.planSelectionSet(plan.rootLayer, rootType, $root, fields, [], false);
      return;
    }
    // Each root mutation field runs in its own layer, after the previous one has finished; one met only in
    // deferred fragments is delivered later (PlanDeferredSelectionSet), as graphql-js does.
    const out: OutputField[] = [];
    const deferred = new Map<string, FieldNode[]>();
    for (const [responseKey, fieldNodes] of fields) {
      if (this.deferring && deferUsageSetOf(fieldNodes).length > 0 && deferred.set(responseKey, fieldNodes)) continue;
      const layer = plan.newLayer(new MutationFieldReason(responseKey), plan.rootLayer);
      const field = this.planField(layer, rootType, $root, responseKey, fieldNodes, [], false);
      if (field) out.push(field);
    }
    plan.root = { type: rootType, fields: out };
    if (deferred.size === 0) return;
    const later = this.planDeferredSelectionSet(plan.rootLayer, rootType, $root, deferred, [], false);
    plan.root = { type: rootType, fields: out, newDefers: newDefersOf(fields), deferred: later.deferred ?? [] };
    plan.incremental ||= plan.root.newDefers!.length > 0;
  }

  /** spec: PlanSubscriptionSource — the first root field's `subscribePlan`, run once per subscription. */
  private planSubscriptionSource(rootType: GraphQLObjectType, $root: Step, fields: Map<string, FieldNode[]>): Step {
    const [responseKey, fieldNodes] = fields.entries().next().value as [string, FieldNode[]];
    const fieldDef = fieldDefOf(this.schema, rootType, fieldNodes[0]!.name.value)!;
    const subscribePlan = (fieldDef.extensions?.graphscale as GraphscaleFieldExtensions | undefined)?.subscribePlan;
    if (!subscribePlan) throw new Error(`graphscale: ${rootType.name}.${fieldDef.name} has no subscribePlan.`);
    const info = this.planInfo(fieldDef, fieldNodes, rootType, [responseKey]);
    return this.runPlanCode(
      this.plan.rootLayer,
      () => subscribePlan($root, new FieldArgs(fieldDef, fieldNodes[0]!), info),
      (v) => `The subscribePlan of ${rootType.name}.${fieldDef.name} returned ${inspect(v)}; it must return a step.`,
    );
  }

  private planInfo(fieldDef: GraphQLField<unknown, unknown>, fieldNodes: FieldNode[], parentType: GraphQLObjectType, path: readonly string[]): PlanInfo {
    return {
      fieldName: fieldDef.name,
      fieldNodes,
      parentType,
      returnType: fieldDef.type,
      schema: this.schema,
      fragments: this.fragments,
      operation: this.plan.operation,
      path,
    };
  }

  /** spec: PlanSelectionSet — `parentPlanned`: whether `$parent` was given by a plan (see DefaultFieldPlan). */
  private planSelectionSet(
    layer: Layer,
    type: GraphQLObjectType,
    $parent: Step,
    fields: Map<string, FieldNode[]>,
    path: readonly string[],
    parentPlanned: boolean,
  ): OutputSelection {
    if (this.deferring) return this.planDeferredSelectionSet(layer, type, $parent, fields, path, parentPlanned);
    const out: OutputField[] = [];
    for (const [responseKey, fieldNodes] of fields) {
      const field = this.planField(layer, type, $parent, responseKey, fieldNodes, path, parentPlanned);
      if (field) out.push(field);
    }
    return { type, fields: out };
  }

  /**
   * spec: PlanDeferredSelectionSet — PlanSelectionSet for an operation using @defer: the fields whose
   * DeferUsageSetOf is the set being planned are planned here; the others, grouped by their set, each in a
   * deferred layer below `layer` (its entries, run after the initial payload), as graphql-js's execution plan
   * groups them.
   */
  private planDeferredSelectionSet(
    layer: Layer,
    type: GraphQLObjectType,
    $parent: Step,
    fields: Map<string, FieldNode[]>,
    path: readonly string[],
    parentPlanned: boolean,
  ): OutputSelection {
    const out: OutputField[] = [];
    const groups: Array<{ usages: DeferUsage[]; fields: Map<string, FieldNode[]> }> = [];
    for (const [responseKey, fieldNodes] of fields) {
      const usages = deferUsageSetOf(fieldNodes);
      if (sameDeferSet(usages, this.deferSet)) {
        const field = this.planField(layer, type, $parent, responseKey, fieldNodes, path, parentPlanned);
        if (field) out.push(field);
        continue;
      }
      let group = groups.find((g) => sameDeferSet(g.usages, usages));
      if (group === undefined) groups.push((group = { usages, fields: new Map() }));
      group.fields.set(responseKey, fieldNodes);
    }
    const deferred = groups.map((group) => {
      const child = this.plan.newLayer(new DeferredReason(), layer);
      child.pathTypename = layer.pathTypename;
      const outer = this.deferSet;
      this.deferSet = group.usages;
      try {
        return { usages: group.usages, layer: child, selection: this.planDeferredSelectionSet(child, type, $parent, group.fields, path, parentPlanned) };
      } finally {
        this.deferSet = outer;
      }
    });
    const newDefers = newDefersOf(fields);
    if (newDefers.length > 0) this.plan.incremental = true;
    return newDefers.length === 0 && deferred.length === 0 ? { type, fields: out } : { type, fields: out, newDefers, deferred };
  }

  /** spec: PlanField — runs the field's plan resolver, plans `$parent.get(name)`, or plans resolver emulation. */
  private planField(
    layer: Layer,
    parentType: GraphQLObjectType,
    $parent: Step,
    responseKey: string,
    fieldNodes: FieldNode[],
    parentPath: readonly string[],
    parentPlanned: boolean,
  ): OutputField | null {
    const fieldName = fieldNodes[0]!.name.value;
    const fieldDef = fieldDefOf(this.schema, parentType, fieldName);
    if (!fieldDef) return null; // graphql-js omits a field the schema does not define
    const field = fieldContextOf(this.schema, parentType, fieldDef, fieldNodes, responseKey, this.fragments, this.plan.operation);
    if (fieldDef === TypeNameMetaFieldDef) return { responseKey, field, value: null, errorValuesAreErrors: false };
    const path = [...parentPath, responseKey];
    const plan = fieldPlanOf(fieldDef) ?? (parentPlanned && !fieldDef.resolve ? defaultFieldPlan : undefined);
    const refused = this.deferring && this.plan.operation.operation === "subscription" ? refusedInSubscription(fieldNodes, this.variableValues) : null;
    const $value = refused !== null ? this.plan.adoptStep(new PlanningErrorStep(new Error(refused)), layer) : plan
      ? this.runPlanCode(
          layer,
          () => plan($parent, new FieldArgs(fieldDef, fieldNodes[0]!), this.planInfo(fieldDef, fieldNodes, parentType, path)),
          (v) => `The plan resolver of ${parentType.name}.${fieldName} returned ${inspect(v)}; a plan resolver must return a step.`,
        )
      : this.plan.adoptStep(new ResolverStep($parent, field, fieldDef), layer);
    const value = this.planValue(layer, fieldDef.type, $value, field, responseKey, path, !plan);
    if (this.deferring && (value.kind === "list" || value.kind === "leafList")) this.planStream(value, fieldNodes[0]!);
    return { responseKey, field, value, errorValuesAreErrors: !plan };
  }

  /** spec: PlanStream — a list field's active `@stream` (its `if:` variable recorded as a constraint) marks its position. */
  private planStream(value: Extract<OutputValue, { kind: "list" | "leafList" }>, node: FieldNode): void {
    for (const name of incrementalVariablesOf(node)) this.recordConstraint(name, this.variableValues[name]);
    const stream = streamUsageOf(node, this.variableValues);
    if (stream === null) return;
    (value as { stream?: typeof stream }).stream = stream;
    // The items from initialCount on are opened by incremental delivery, after the initial payload.
    if (value.kind === "list" && value.layer.reason.type === "listItem") value.layer.reason.streamedFrom = stream.initialCount;
    this.plan.incremental = true;
  }

  /** spec: PlanValue — opens the layers a value's type needs (list items, non-null objects, concrete types). */
  private planValue(
    layer: Layer,
    type: GraphQLOutputType,
    $value: Step,
    field: FieldContext,
    responseKey: string | null,
    path: readonly string[],
    resolverSemantics: boolean,
  ): OutputValue {
    const nonNull = isNonNullType(type);
    const named = nonNull ? type.ofType : type;
    if ($value instanceof EachStep && !isListType(named)) {
      $value = this.plan.adoptStep(new PlanningErrorStep(new Error(`each() was returned for ${field.parentType.name}.${field.fieldName}, which is not a list.`)), layer);
    }
    if (isListType(named)) return this.planListValue(layer, named.ofType as GraphQLOutputType, nonNull, $value, field, responseKey, path, resolverSemantics);
    if (isLeafType(named)) return { kind: "leaf", nonNull, step: $value, type: named };
    const plan = this.plan;
    if (isObjectType(named)) {
      let fields: Map<string, FieldNode[]>;
      try {
        fields = refuseDeferInSubscription(this, collectSubfields(this, named, field.fieldNodes));
      } catch {
        return this.planSelectionError(layer, named, nonNull, $value, field, responseKey);
      }
      const $checked = named.isTypeOf ? plan.adoptStep(new IsTypeOfStep($value, named, valueField(field, responseKey)), layer) : $value;
      const child = plan.newLayer(new NullableBoundaryReason($checked, responseKey ?? ""), layer);
      child.pathTypename = field.parentType.name;
      const selection = this.planSelectionSet(child, named, $checked, fields, path, !resolverSemantics);
      return { kind: "object", nonNull, step: $checked, valueStep: $value, layer: child, selection };
    }
    const abstractType = named as GraphQLAbstractType;
    const $typeName = this.planType(layer, abstractType, $value, valueField(field, responseKey));
    const $type = plan.adoptStep(new RuntimeTypeStep($value, $typeName, abstractType, valueField(field, responseKey)), layer);
    const defaultTypeResolver = $typeName instanceof ResolveTypeStep && abstractType.resolveType == null;
    const value: PartialAbstractValue = { kind: "abstract", nonNull, step: $value, typeStep: $type, typeNameStep: $typeName, defaultTypeResolver, byType: new Map() };
    const possibleTypes = this.schema.getPossibleTypes(abstractType);
    const branches: UnplannedBranches = { layer, field, responseKey, path, resolverSemantics, unplanned: possibleTypes.map((t) => t.name) };
    if (this.partial && possibleTypes.length > 1) {
      // Partial planning: each concrete type's branch is planned when an entry of that type first arrives.
      recordBranchConstraints(this, field.fieldNodes);
      value.branches = branches;
      return value;
    }
    for (const objectType of possibleTypes) this.planBranch(value, branches, objectType);
    return value;
  }

  /**
   * spec: PlanSelectionError — an object position whose sub-fields cannot be collected (a `@skip`/`@include`
   * whose `if` cannot be read): graphql-js raises the error for each object value it completes there,
   * before its `isTypeOf`. The position's check is an `IsTypeOf` step, which raises it; nothing is planned
   * below it.
   */
  private planSelectionError(layer: Layer, type: GraphQLObjectType, nonNull: boolean, $value: Step, field: FieldContext, responseKey: string | null): OutputValue {
    const $checked = this.plan.adoptStep(new IsTypeOfStep($value, type, valueField(field, responseKey)), layer);
    const child = this.plan.newLayer(new NullableBoundaryReason($checked, responseKey ?? ""), layer);
    child.pathTypename = field.parentType.name;
    return { kind: "object", nonNull, step: $checked, valueStep: $value, layer: child, selection: { type, fields: [] } };
  }

  /**
   * spec: PlanBranch — one concrete type's layer of an abstract value, below the value's own layer. A type
   * whose sub-fields cannot be collected gets an empty selection: its `RuntimeType` step fails its entries.
   */
  planBranch(value: PartialAbstractValue, branches: UnplannedBranches, objectType: GraphQLObjectType): void {
    const { field, responseKey } = branches;
    const child = this.plan.newLayer(new PolymorphicReason(value.step, value.typeStep, objectType.name, responseKey ?? ""), branches.layer);
    child.pathTypename = field.parentType.name;
    let fields: Map<string, FieldNode[]> | null;
    try {
      fields = refuseDeferInSubscription(this, collectSubfields(this, objectType, field.fieldNodes));
    } catch {
      fields = null; // the RuntimeType step fails the entries of this type with the error
    }
    const selection: OutputSelection =
      fields === null ? { type: objectType, fields: [] } : this.planSelectionSet(child, objectType, value.step, fields, branches.path, !branches.resolverSemantics);
    value.byType.set(objectType.name, { layer: child, selection });
  }

  /** PlanValue for a list type: a list of leaves needs no layer; any other list opens its items' layer. */
  private planListValue(
    layer: Layer,
    itemType: GraphQLOutputType,
    nonNull: boolean,
    $value: Step,
    field: FieldContext,
    responseKey: string | null,
    path: readonly string[],
    resolverSemantics: boolean,
  ): OutputValue {
    if (!($value instanceof EachStep) && isLeafOnly(itemType)) {
      return { kind: "leafList", nonNull, step: $value, item: leafShape(itemType) };
    }
    const plan = this.plan;
    const $list = $value instanceof EachStep ? $value.$list : $value;
    const reason = new ListItemReason($list, responseKey);
    const listLayer = plan.newLayer(reason, layer);
    listLayer.pathTypename = field.parentType.name;
    listLayer.errorValuesAreErrors = resolverSemantics;
    const $item = plan.adoptStep(new ItemStep(reason), listLayer);
    listLayer.itemStep = $item;
    let $itemValue: Step = $item;
    if ($value instanceof EachStep) {
      const callback = $value.callback;
      $itemValue = this.runPlanCode(
        listLayer,
        () => callback($item),
        (v) => `The each() callback of ${field.parentType.name}.${field.fieldName} returned ${inspect(v)}; it must return a step.`,
      );
    }
    const item = this.planValue(listLayer, itemType, $itemValue, field, null, path, resolverSemantics);
    return { kind: "list", nonNull, step: $list, layer: listLayer, item };
  }

  /** spec: PlanType — the step naming each entry's concrete type: the type's `planType`, else resolver emulation. */
  private planType(layer: Layer, abstractType: GraphQLAbstractType, $value: Step, field: FieldContext): Step {
    const planType = (abstractType.extensions?.graphscale as GraphscaleTypeExtensions | undefined)?.planType;
    if (!planType) return this.plan.adoptStep(new ResolveTypeStep($value, abstractType, field), layer);
    return this.runPlanCode(
      layer,
      () => planType($value),
      (v) => `planType of ${abstractType.name} returned ${inspect(v)}; it must return a step.`,
    );
  }
}

/**
 * spec: DefaultFieldPlan — a field with neither a plan nor a `resolve` under a parent given by a plan reads
 * `$parent.get(fieldName)`: the parent step says what `get` means (a Kvetch object reads its data bag).
 */
function defaultFieldPlan($parent: Step, _args: unknown, info: PlanInfo): Step {
  return $parent.get(info.fieldName);
}

/** The field as seen by the checks of one value: a list item's checks get the list field's own `info`. */
function valueField(field: FieldContext, responseKey: string | null): FieldContext {
  return responseKey === null ? { ...field, atListItem: true } : field;
}
