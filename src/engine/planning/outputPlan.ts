// The output plan: how each position of the response is completed from layer results — which step holds
// the value, which layer holds the entries below it, and which shape (leaf, list, object, abstract). Built
// by the planner, read by the output; plain data, never holds request values.

import {
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  isLeafType,
  isListType,
  isNonNullType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import type { Step } from "../step.js";
import type { Layer } from "./layer.js";
import type { FieldContext } from "./resolveInfo.js";
import type { DeferUsage, StreamUsage } from "./deferUsage.js";

/** How a leaf or a list of leaves is completed; no layer, no step of its own. */
export type LeafShape =
  | { readonly kind: "leaf"; readonly nonNull: boolean; readonly type: GraphQLLeafType }
  | { readonly kind: "leafList"; readonly nonNull: boolean; readonly item: LeafShape };

/**
 * How the value at one position of the response is completed from layer results. `step` holds the value
 * the field produced; the checks resolver emulation runs on it (isTypeOf, resolveType) are named
 * separately, so the output never has to know which step class made them.
 */
export type OutputValue =
  | { readonly kind: "leaf"; readonly nonNull: boolean; step: Step; readonly type: GraphQLLeafType }
  | { readonly kind: "leafList"; readonly nonNull: boolean; step: Step; readonly item: LeafShape; readonly stream?: StreamUsage }
  | { readonly kind: "list"; readonly nonNull: boolean; step: Step; readonly layer: Layer; readonly item: OutputValue; readonly stream?: StreamUsage }
  | {
      readonly kind: "object";
      readonly nonNull: boolean;
      /** The checked value: the type's isTypeOf check of `valueStep` (the value or an error), or `valueStep` itself. */
      step: Step;
      /** The value the field produced. */
      valueStep: Step;
      readonly layer: Layer;
      readonly selection: OutputSelection;
    }
  | {
      readonly kind: "abstract";
      readonly nonNull: boolean;
      step: Step;
      /** The checked concrete type name of each entry. */
      typeStep: Step;
      /** The type name as resolveType (or a plan) gave it, before the checks. */
      typeNameStep: Step;
      /** Whether the type name comes from graphql-js's default type resolver unless the request gives one. */
      readonly defaultTypeResolver: boolean;
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
  /** `@defer` fragments that start at this selection (spec/incremental.md); absent without any. */
  readonly newDefers?: readonly DeferUsage[];
  /** The fields delivered later, grouped by the deferred fragments they belong to, each in its own layer. */
  readonly deferred?: readonly DeferredFields[];
}

/** One group of deferred fields of a selection: delivered with the first of `usages` to complete. */
export interface DeferredFields {
  readonly usages: readonly DeferUsage[];
  readonly layer: Layer;
  readonly selection: OutputSelection;
}

/** The steps an output position reads. */
export function stepsOfValue(value: OutputValue): Step[] {
  switch (value.kind) {
    case "object":
      return [value.step, value.valueStep];
    case "abstract":
      return [value.step, value.typeStep, value.typeNameStep];
    default:
      return [value.step];
  }
}

/** Points an output position at replacement steps. */
export function replaceStepsOfValue(value: OutputValue, resolve: (step: Step) => Step): void {
  value.step = resolve(value.step);
  if (value.kind === "object") value.valueStep = resolve(value.valueStep);
  if (value.kind === "abstract") {
    value.typeStep = resolve(value.typeStep);
    value.typeNameStep = resolve(value.typeNameStep);
  }
}

/** Calls `fn` for every value position of the output plan. */
export function visitOutput(selection: OutputSelection, fn: (value: OutputValue) => void): void {
  for (const field of selection.fields) if (field.value) visitValue(field.value, fn);
  if (selection.deferred !== undefined) for (const group of selection.deferred) visitOutput(group.selection, fn);
}

function visitValue(value: OutputValue, fn: (value: OutputValue) => void): void {
  fn(value);
  if (value.kind === "list") visitValue(value.item, fn);
  else if (value.kind === "object") visitOutput(value.selection, fn);
  else if (value.kind === "abstract") for (const { selection } of value.byType.values()) visitOutput(selection, fn);
}

/** Whether a type is a leaf or a (nested) list of leaves: completed without a layer. */
export function isLeafOnly(type: GraphQLOutputType): boolean {
  const named = isNonNullType(type) ? type.ofType : type;
  if (isListType(named)) return isLeafOnly(named.ofType as GraphQLOutputType);
  return isLeafType(named);
}

export function leafShape(type: GraphQLOutputType): LeafShape {
  const nonNull = isNonNullType(type);
  const named = nonNull ? type.ofType : type;
  if (isListType(named)) return { kind: "leafList", nonNull, item: leafShape(named.ofType as GraphQLOutputType) };
  return { kind: "leaf", nonNull, type: named as GraphQLLeafType };
}

/** The definition of a selected field as graphql-js finds it: `__schema`/`__type` on the query type, `__typename` anywhere. */
export function fieldDefOf(schema: GraphQLSchema, parentType: GraphQLObjectType, fieldName: string): GraphQLField<unknown, unknown> | undefined {
  if (fieldName === SchemaMetaFieldDef.name && schema.getQueryType() === parentType) return SchemaMetaFieldDef;
  if (fieldName === TypeMetaFieldDef.name && schema.getQueryType() === parentType) return TypeMetaFieldDef;
  if (fieldName === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  return parentType.getFields()[fieldName];
}

/**
 * The FieldContext of a selected field, built in one place for the planner and the plan import: an export
 * checks the imported context has exactly the planned one's keys in order, so both must build it alike.
 */
export function fieldContextOf(
  schema: GraphQLSchema,
  parentType: GraphQLObjectType,
  fieldDef: GraphQLField<unknown, unknown>,
  fieldNodes: FieldNode[],
  responseKey: string,
  fragments: { readonly [name: string]: FragmentDefinitionNode },
  operation: OperationDefinitionNode,
): FieldContext {
  return { fieldName: fieldDef.name, responseKey, fieldNodes, returnType: fieldDef.type, parentType, schema, fragments, operation };
}
