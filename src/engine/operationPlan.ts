// OperationPlan: turns one operation into a DAG of steps in layers plus an output plan. Plan resolvers
// run here, once per operation (never per request); then the plan is deduplicated, tree-shaken,
// optimized, its global steps hoisted, and finalized. Implements spec/planning.md.

import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getDirectiveValues,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  typeFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLAbstractType,
  type GraphQLField,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { EngineValueStep, Step, withLayer } from "./step.js";
import { Layer } from "./layer.js";
import { FieldArgs } from "./fieldArgs.js";
import { ItemStep, IsTypeOfStep, PlanningErrorStep, ResolveTypeStep, ResolverStep, RuntimeTypeStep, type FieldContext } from "./resolverSteps.js";
import { inspect } from "./inspect.js";
import { EachStep } from "../../steps/each.js";
import { RootValueStep } from "../../steps/rootValue.js";

/** What a plan resolver receives as its third argument: plan-time facts about the field. */
export interface PlanInfo {
  readonly fieldName: string;
  readonly fieldNodes: ReadonlyArray<FieldNode>;
  readonly parentType: GraphQLObjectType;
  readonly returnType: GraphQLOutputType;
  readonly schema: GraphQLSchema;
  readonly fragments: { readonly [name: string]: FragmentDefinitionNode };
  readonly operation: OperationDefinitionNode;
  /** Response keys from the root to this field (list indices are not known at planning). */
  readonly path: readonly string[];
}

export type PlanResolver = ($parent: any, args: FieldArgs, info: PlanInfo) => Step;
export type TypePlanner = ($value: any) => Step;

/** What graphscale reads from a field's or type's `extensions.graphscale`. */
export interface GraphscaleFieldExtensions {
  plan?: PlanResolver;
  /** Subscription root fields: the step whose value is the source event stream. */
  subscribePlan?: PlanResolver;
}
export interface GraphscaleTypeExtensions {
  /** For interfaces and unions: a step giving each entry's concrete type name. */
  planType?: TypePlanner;
}

export function fieldPlanOf(fieldDef: GraphQLField<unknown, unknown>): PlanResolver | undefined {
  return (fieldDef.extensions?.graphscale as GraphscaleFieldExtensions | undefined)?.plan;
}

/** How a leaf or a list of leaves is completed; no layer, no step of its own. */
export type LeafShape =
  | { readonly kind: "leaf"; readonly nonNull: boolean; readonly type: GraphQLLeafType }
  | { readonly kind: "leafList"; readonly nonNull: boolean; readonly item: LeafShape };

/** How the value at one position of the response is completed from layer results. */
export type OutputValue =
  | { readonly kind: "leaf"; readonly nonNull: boolean; step: Step; readonly type: GraphQLLeafType }
  | { readonly kind: "leafList"; readonly nonNull: boolean; step: Step; readonly item: LeafShape }
  | { readonly kind: "list"; readonly nonNull: boolean; step: Step; readonly layer: Layer; readonly item: OutputValue }
  | { readonly kind: "object"; readonly nonNull: boolean; step: Step; readonly layer: Layer; readonly selection: OutputSelection }
  | {
      readonly kind: "abstract";
      readonly nonNull: boolean;
      step: Step;
      typeStep: Step;
      readonly byType: ReadonlyMap<string, { readonly layer: Layer; readonly selection: OutputSelection }>;
    };

export interface OutputField {
  readonly responseKey: string;
  readonly field: FieldContext;
  /** null for `__typename`, which is the selection's type name. */
  readonly value: OutputValue | null;
  /** Resolver fields follow graphql-js in treating an Error value (also inside lists) as a field error. */
  readonly errorValuesAreErrors: boolean;
}

export interface OutputSelection {
  readonly type: GraphQLObjectType;
  readonly fields: readonly OutputField[];
}

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
  readonly root: OutputSelection;
  readonly rootType: GraphQLObjectType;
  /** Subscription source plans: the step whose value is the event stream (see subscribe.ts). */
  sourceStep: Step | null = null;
  private readonly constraintNames = new Set<string>();
  private globalMemo = new Map<Step, boolean>();

  constructor(
    readonly schema: GraphQLSchema,
    readonly operation: OperationDefinitionNode,
    readonly fragments: { readonly [name: string]: FragmentDefinitionNode },
    private readonly variableValues: { readonly [name: string]: unknown },
    /** A plan for the response (the default), or for a subscription root field's `subscribePlan`. */
    readonly purpose: "response" | "subscriptionSource" = "response",
  ) {
    const rootType = schema.getRootType(operation.operation);
    if (rootType == null) {
      throw new GraphQLError(`Schema is not configured to execute ${operation.operation} operation.`, { nodes: operation });
    }
    this.rootType = rootType;
    this.rootLayer = new Layer(this, { type: "root" }, null);
    this.root = this.planOperation(rootType);
    this.finishPlanning();
  }

  /** Called by the Step constructor: registers the step in its layer. */
  addStep(step: Step): number {
    this.globalMemo.clear();
    step.layer.steps.push(step);
    this.steps.push(step);
    return this.steps.length - 1;
  }

  /** Whether a step depends only on global values and has no side effects (so it can run once). */
  canBeGlobal(step: Step): boolean {
    let known = this.globalMemo.get(step);
    if (known === undefined) {
      known = !(step instanceof EngineValueStep) && !step.hasSideEffects && step.dependencies.every((d) => this.canBeGlobal(d));
      this.globalMemo.set(step, known);
    }
    return known;
  }

  /** A step may only depend on steps of its own layer, an enclosing layer, or global ones. */
  assertReachable(dependent: Step, dependency: Step): void {
    if (dependent.layer.hasAncestorOrSelf(dependency.layer) || this.canBeGlobal(dependency)) return;
    throw new Error(
      `graphscale: ${dependent} (${dependent.layer}) cannot depend on ${dependency} (${dependency.layer}); a step can only use steps of its own layer, an enclosing layer, or global steps.`,
    );
  }

  // ---- Planning: operation → fields → values -------------------------------------------------------

  /** spec: PlanOperation */
  private planOperation(rootType: GraphQLObjectType): OutputSelection {
    const $root = withLayer(this.rootLayer, () => new RootValueStep());
    const fields = this.collectFields(rootType, this.operation.selectionSet, new Map(), new Set());
    if (this.purpose === "subscriptionSource") {
      this.sourceStep = this.planSubscriptionSource(rootType, $root, fields);
      return { type: rootType, fields: [] };
    }
    if (this.operation.operation !== "mutation") {
      return this.planSelectionSet(this.rootLayer, rootType, $root, fields, []);
    }
    // Each root mutation field runs in its own layer, after the previous one has finished.
    const out: OutputField[] = [];
    for (const [responseKey, fieldNodes] of fields) {
      const layer = new Layer(this, { type: "mutationField", responseKey }, this.rootLayer);
      const field = this.planField(layer, rootType, $root, responseKey, fieldNodes, []);
      if (field) out.push(field);
    }
    return { type: rootType, fields: out };
  }

  /** spec: PlanSubscriptionSource — the first root field's `subscribePlan`, run once per subscription. */
  private planSubscriptionSource(rootType: GraphQLObjectType, $root: Step, fields: Map<string, FieldNode[]>): Step {
    const [responseKey, fieldNodes] = fields.entries().next().value as [string, FieldNode[]];
    const fieldDef = this.getFieldDef(rootType, fieldNodes[0]!.name.value)!;
    const subscribePlan = (fieldDef.extensions?.graphscale as GraphscaleFieldExtensions | undefined)?.subscribePlan;
    if (!subscribePlan) throw new Error(`graphscale: ${rootType.name}.${fieldDef.name} has no subscribePlan.`);
    const info: PlanInfo = {
      fieldName: fieldDef.name,
      fieldNodes,
      parentType: rootType,
      returnType: fieldDef.type,
      schema: this.schema,
      fragments: this.fragments,
      operation: this.operation,
      path: [responseKey],
    };
    return withLayer(this.rootLayer, () => {
      const $source: unknown = subscribePlan($root, new FieldArgs(fieldDef, fieldNodes[0]!), info);
      if ($source instanceof Step) return $source;
      return new PlanningErrorStep(new Error(`The subscribePlan of ${rootType.name}.${fieldDef.name} returned ${inspect($source)}; it must return a step.`));
    });
  }

  /** spec: CollectFields — graphql-js's algorithm, recording variable-driven @skip/@include as constraints. */
  collectFields(
    type: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    fields: Map<string, FieldNode[]>,
    visitedFragments: Set<string>,
  ): Map<string, FieldNode[]> {
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD: {
          if (!this.shouldIncludeNode(selection)) continue;
          const key = selection.alias ? selection.alias.value : selection.name.value;
          const existing = fields.get(key);
          if (existing) existing.push(selection);
          else fields.set(key, [selection]);
          break;
        }
        case Kind.INLINE_FRAGMENT: {
          if (!this.shouldIncludeNode(selection) || !this.doesFragmentConditionMatch(selection, type)) continue;
          this.collectFields(type, selection.selectionSet, fields, visitedFragments);
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          if (visitedFragments.has(name) || !this.shouldIncludeNode(selection)) continue;
          visitedFragments.add(name);
          const fragment = this.fragments[name];
          if (!fragment || !this.doesFragmentConditionMatch(fragment, type)) continue;
          this.collectFields(type, fragment.selectionSet, fields, visitedFragments);
          break;
        }
      }
    }
    return fields;
  }

  private collectSubfields(type: GraphQLObjectType, fieldNodes: ReadonlyArray<FieldNode>): Map<string, FieldNode[]> {
    const fields = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    for (const node of fieldNodes) if (node.selectionSet) this.collectFields(type, node.selectionSet, fields, visited);
    return fields;
  }

  private shouldIncludeNode(node: FieldNode | InlineFragmentNode | FragmentSpreadNode): boolean {
    if (!node.directives || node.directives.length === 0) return true;
    for (const directive of node.directives) {
      const name = directive.name.value;
      if (name !== "skip" && name !== "include") continue;
      for (const arg of directive.arguments ?? []) {
        if (arg.value.kind === Kind.VARIABLE) this.recordConstraint(arg.value.name.value);
      }
    }
    const skip = getDirectiveValues(GraphQLSkipDirective, node, this.variableValues);
    if (skip?.if === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, this.variableValues);
    if (include?.if === false) return false;
    return true;
  }

  private recordConstraint(name: string): void {
    if (this.constraintNames.has(name)) return;
    this.constraintNames.add(name);
    this.constraints.push({ name, value: this.variableValues[name] });
  }

  private doesFragmentConditionMatch(fragment: FragmentDefinitionNode | InlineFragmentNode, type: GraphQLObjectType): boolean {
    const condition = fragment.typeCondition;
    if (!condition) return true;
    const conditionalType = typeFromAST(this.schema, condition);
    if (conditionalType === type) return true;
    if (conditionalType && isAbstractType(conditionalType)) return this.schema.isSubType(conditionalType, type);
    return false;
  }

  /** spec: PlanSelectionSet */
  private planSelectionSet(
    layer: Layer,
    type: GraphQLObjectType,
    $parent: Step,
    fields: Map<string, FieldNode[]>,
    path: readonly string[],
  ): OutputSelection {
    const out: OutputField[] = [];
    for (const [responseKey, fieldNodes] of fields) {
      const field = this.planField(layer, type, $parent, responseKey, fieldNodes, path);
      if (field) out.push(field);
    }
    return { type, fields: out };
  }

  private getFieldDef(parentType: GraphQLObjectType, fieldName: string): GraphQLField<unknown, unknown> | undefined {
    if (fieldName === SchemaMetaFieldDef.name && this.schema.getQueryType() === parentType) return SchemaMetaFieldDef;
    if (fieldName === TypeMetaFieldDef.name && this.schema.getQueryType() === parentType) return TypeMetaFieldDef;
    if (fieldName === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
    return parentType.getFields()[fieldName];
  }

  /** spec: PlanField — runs the field's plan resolver, or plans resolver emulation for it. */
  private planField(
    layer: Layer,
    parentType: GraphQLObjectType,
    $parent: Step,
    responseKey: string,
    fieldNodes: FieldNode[],
    parentPath: readonly string[],
  ): OutputField | null {
    const fieldName = fieldNodes[0]!.name.value;
    const fieldDef = this.getFieldDef(parentType, fieldName);
    if (!fieldDef) return null; // graphql-js omits a field the schema does not define
    const field: FieldContext = {
      fieldName,
      responseKey,
      fieldNodes,
      returnType: fieldDef.type,
      parentType,
      schema: this.schema,
      fragments: this.fragments,
      operation: this.operation,
    };
    if (fieldDef === TypeNameMetaFieldDef) return { responseKey, field, value: null, errorValuesAreErrors: false };
    const path = [...parentPath, responseKey];
    const plan = fieldPlanOf(fieldDef);
    const $value = withLayer(layer, () => {
      const args = new FieldArgs(fieldDef, fieldNodes[0]!);
      if (!plan) return new ResolverStep($parent, field, fieldDef);
      const info: PlanInfo = {
        fieldName,
        fieldNodes,
        parentType,
        returnType: fieldDef.type,
        schema: this.schema,
        fragments: this.fragments,
        operation: this.operation,
        path,
      };
      try {
        const $step: unknown = plan($parent, args, info);
        if ($step instanceof Step) return $step;
        return new PlanningErrorStep(
          new Error(`The plan resolver of ${parentType.name}.${fieldName} returned ${inspect($step)}; a plan resolver must return a step.`),
        );
      } catch (error) {
        return new PlanningErrorStep(error);
      }
    });
    const value = this.planValue(layer, fieldDef.type, $value, field, responseKey, path, !plan);
    return { responseKey, field, value, errorValuesAreErrors: !plan };
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
      $value = withLayer(layer, () => new PlanningErrorStep(new Error(`each() was returned for ${field.parentType.name}.${field.fieldName}, which is not a list.`)));
    }
    if (isListType(named)) {
      const itemType = named.ofType as GraphQLOutputType;
      if (!($value instanceof EachStep) && isLeafOnly(itemType)) {
        return { kind: "leafList", nonNull, step: $value, item: leafShape(itemType) };
      }
      const $list = $value instanceof EachStep ? $value.$list : $value;
      const listLayer = new Layer(this, { type: "listItem", listStep: $list, responseKey }, layer);
      listLayer.pathTypename = field.parentType.name;
      listLayer.errorValuesAreErrors = resolverSemantics;
      const $item = withLayer(listLayer, () => new ItemStep());
      listLayer.itemStep = $item;
      let $itemValue: Step = $item;
      if ($value instanceof EachStep) {
        const callback = $value.callback;
        $itemValue = withLayer(listLayer, () => {
          try {
            const $mapped: unknown = callback($item);
            if ($mapped instanceof Step) return $mapped;
            return new PlanningErrorStep(new Error(`The each() callback of ${field.parentType.name}.${field.fieldName} returned ${inspect($mapped)}; it must return a step.`));
          } catch (error) {
            return new PlanningErrorStep(error);
          }
        });
      }
      const item = this.planValue(listLayer, itemType, $itemValue, field, null, path, resolverSemantics);
      return { kind: "list", nonNull, step: $list, layer: listLayer, item };
    }
    if (isLeafType(named)) return { kind: "leaf", nonNull, step: $value, type: named };
    if (isObjectType(named)) {
      const $checked = named.isTypeOf ? withLayer(layer, () => new IsTypeOfStep($value, named, valueField(field, responseKey))) : $value;
      const child = new Layer(this, { type: "nullableBoundary", parentStep: $checked, responseKey: responseKey ?? "" }, layer);
      child.pathTypename = field.parentType.name;
      const selection = this.planSelectionSet(child, named, $checked, this.collectSubfields(named, field.fieldNodes), path);
      return { kind: "object", nonNull, step: $checked, layer: child, selection };
    }
    const abstractType = named as GraphQLAbstractType;
    const $type = withLayer(layer, () => this.planType(abstractType, $value, valueField(field, responseKey)));
    const byType = new Map<string, { layer: Layer; selection: OutputSelection }>();
    for (const objectType of this.schema.getPossibleTypes(abstractType)) {
      const child = new Layer(
        this,
        { type: "polymorphic", parentStep: $value, typeStep: $type, typeName: objectType.name, responseKey: responseKey ?? "" },
        layer,
      );
      child.pathTypename = field.parentType.name;
      const selection = this.planSelectionSet(child, objectType, $value, this.collectSubfields(objectType, field.fieldNodes), path);
      byType.set(objectType.name, { layer: child, selection });
    }
    return { kind: "abstract", nonNull, step: $value, typeStep: $type, byType };
  }

  /** The step telling each entry's concrete type: a type name checked as graphql-js checks resolveType's. */
  private planType(abstractType: GraphQLAbstractType, $value: Step, field: FieldContext): Step {
    return new RuntimeTypeStep($value, this.planTypeName(abstractType, $value, field), abstractType, field);
  }

  /** The step naming each entry's concrete type: the type's `planType`, else resolver emulation. */
  private planTypeName(abstractType: GraphQLAbstractType, $value: Step, field: FieldContext): Step {
    const planType = (abstractType.extensions?.graphscale as GraphscaleTypeExtensions | undefined)?.planType;
    if (!planType) return new ResolveTypeStep($value, abstractType, field);
    try {
      const $type: unknown = planType($value);
      if ($type instanceof Step) return $type;
      return new PlanningErrorStep(new Error(`planType of ${abstractType.name} returned ${inspect($type)}; it must return a step.`));
    } catch (error) {
      return new PlanningErrorStep(error);
    }
  }

  // ---- After planning: deduplicate, tree-shake, optimize, hoist, order, finalize -------------------

  private finishPlanning(): void {
    this.deduplicateSteps();
    this.treeShake();
    this.optimizeSteps();
    this.treeShake();
    this.hoistGlobalSteps();
    this.orderSteps();
    for (const step of this.liveSteps()) step.finalize();
  }

  liveSteps(): Step[] {
    return this.steps.filter((s): s is Step => s !== null);
  }

  /** spec: DeduplicateSteps — same class, same dependencies, same layer (or both global), equal options. */
  private deduplicateSteps(): void {
    const replacements = new Map<Step, Step>();
    const groups = new Map<string, Step[]>();
    for (const step of this.liveSteps()) {
      rewriteDependencies(step, replacements);
      if (step.hasSideEffects || step instanceof EngineValueStep) continue;
      const where = this.canBeGlobal(step) ? `g${step.layer.hoistTarget().id}` : `l${step.layer.id}`;
      const key = `${step.constructor.name}|${where}|${step.dependencies.map((d, i) => `${d.id}:${step.dependencyIsGlobal[i] ? 1 : 0}:${step.dependencyAcceptFlags[i]}`).join(",")}`;
      const peers = groups.get(key);
      if (peers) {
        const same = step.deduplicate(peers);
        if (same.length > 0) {
          replacements.set(step, same[0]!);
          continue;
        }
        peers.push(step);
      } else {
        groups.set(key, [step]);
      }
    }
    this.applyReplacements(replacements);
  }

  /** spec: OptimizeSteps — from the leaves back to the root; a step may return a replacement. */
  private optimizeSteps(): void {
    const replacements = new Map<Step, Step>();
    const snapshot = this.liveSteps();
    for (let i = snapshot.length - 1; i >= 0; i--) {
      const step = snapshot[i]!;
      if (this.steps[step.id] === null) continue;
      rewriteDependencies(step, replacements);
      const replacement = withLayer(step.layer, () => step.optimize());
      if (replacement !== step) {
        if (!(replacement instanceof Step)) throw new Error(`graphscale: ${step}.optimize() returned a non-step.`);
        replacements.set(step, replacement);
      }
    }
    for (const step of this.liveSteps()) rewriteDependencies(step, replacements);
    this.applyReplacements(replacements);
  }

  /** Points layers and the output plan at replacement steps and rewrites every dependency list. */
  private applyReplacements(replacements: Map<Step, Step>): void {
    if (replacements.size === 0) return;
    const resolve = (s: Step): Step => {
      let r = s;
      for (let next = replacements.get(r); next !== undefined; next = replacements.get(r)) r = next;
      return r;
    };
    for (const step of this.liveSteps()) rewriteDependencies(step, replacements);
    for (const layer of this.layers) {
      const reason = layer.reason;
      if (reason.type === "listItem") reason.listStep = resolve(reason.listStep);
      else if (reason.type === "nullableBoundary") reason.parentStep = resolve(reason.parentStep);
      else if (reason.type === "polymorphic") {
        reason.parentStep = resolve(reason.parentStep);
        reason.typeStep = resolve(reason.typeStep);
      }
    }
    visitOutput(this.root, (value) => {
      value.step = resolve(value.step);
      if (value.kind === "abstract") value.typeStep = resolve(value.typeStep);
    });
    if (this.sourceStep) this.sourceStep = resolve(this.sourceStep);
    this.globalMemo.clear();
  }

  /** spec: TreeShake — drops steps nothing in the output (or a side effect) needs. */
  private treeShake(): void {
    const live = new Set<Step>();
    const mark = (s: Step): void => {
      if (live.has(s)) return;
      live.add(s);
      for (const d of s.dependencies) mark(d);
    };
    visitOutput(this.root, (value) => {
      mark(value.step);
      if (value.kind === "abstract") mark(value.typeStep);
    });
    if (this.sourceStep) mark(this.sourceStep);
    for (const layer of this.layers) {
      const reason = layer.reason;
      if (reason.type === "listItem") mark(reason.listStep);
      else if (reason.type === "nullableBoundary") mark(reason.parentStep);
      else if (reason.type === "polymorphic") {
        mark(reason.parentStep);
        mark(reason.typeStep);
      }
      if (layer.itemStep) mark(layer.itemStep);
    }
    for (const step of this.liveSteps()) {
      if (step.hasSideEffects && !(step instanceof ResolverStep)) mark(step);
    }
    for (const step of this.liveSteps()) {
      if (!live.has(step)) this.steps[step.id] = null;
    }
    for (const layer of this.layers) layer.steps = layer.steps.filter((s) => this.steps[s.id] === s);
    this.globalMemo.clear();
  }

  /** spec: HoistGlobalSteps — a step whose inputs are all global runs once per request, in the root layer
   * (or, under a mutation, in that mutation field's layer so it observes the earlier fields' writes). */
  private hoistGlobalSteps(): void {
    for (const step of this.liveSteps()) {
      step.isGlobal = this.canBeGlobal(step);
      if (!step.isGlobal) continue;
      const target = step.layer.hoistTarget();
      if (target !== step.layer) {
        step.layer.steps = step.layer.steps.filter((s) => s !== step);
        step.layer = target;
        target.steps.push(step);
      }
    }
  }

  /** Orders each layer's steps so every step comes after the dependencies it shares the layer with. */
  private orderSteps(): void {
    for (const layer of this.layers) {
      const ordered: Step[] = [];
      const state = new Map<Step, number>();
      const visit = (s: Step): void => {
        const st = state.get(s);
        if (st === 2) return;
        if (st === 1) throw new Error(`graphscale: dependency cycle through ${s}.`);
        state.set(s, 1);
        for (const d of s.dependencies) if (d.layer === layer) visit(d);
        state.set(s, 2);
        ordered.push(s);
      };
      for (const s of layer.steps) visit(s);
      layer.steps = ordered;
    }
  }
}

function rewriteDependencies(step: Step, replacements: Map<Step, Step>): void {
  if (replacements.size === 0) return;
  const deps = step.dependencies;
  for (let i = 0; i < deps.length; i++) {
    let r = deps[i]!;
    for (let next = replacements.get(r); next !== undefined; next = replacements.get(r)) r = next;
    deps[i] = r;
  }
}

/** Calls `fn` for every value position of the output plan. */
export function visitOutput(selection: OutputSelection, fn: (value: OutputValue) => void): void {
  for (const field of selection.fields) if (field.value) visitValue(field.value, fn);
}

function visitValue(value: OutputValue, fn: (value: OutputValue) => void): void {
  fn(value);
  if (value.kind === "list") visitValue(value.item, fn);
  else if (value.kind === "object") visitOutput(value.selection, fn);
  else if (value.kind === "abstract") for (const { selection } of value.byType.values()) visitOutput(selection, fn);
}

/** The field as seen by the checks of one value: a list item's checks get the list field's own `info`. */
function valueField(field: FieldContext, responseKey: string | null): FieldContext {
  return responseKey === null ? { ...field, atListItem: true } : field;
}

function isLeafOnly(type: GraphQLOutputType): boolean {
  const named = isNonNullType(type) ? type.ofType : type;
  if (isListType(named)) return isLeafOnly(named.ofType as GraphQLOutputType);
  return isLeafType(named);
}

function leafShape(type: GraphQLOutputType): LeafShape {
  const nonNull = isNonNullType(type);
  const named = nonNull ? type.ofType : type;
  if (isListType(named)) return { kind: "leafList", nonNull, item: leafShape(named.ofType as GraphQLOutputType) };
  return { kind: "leaf", nonNull, type: named as GraphQLLeafType };
}
