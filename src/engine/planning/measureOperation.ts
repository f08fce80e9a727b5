// Measuring an operation against the planning-time limits (depth, fields per selection set, fields planned,
// cost), by one iterative walk before anything runs, so a request over them is a request error and never
// touches a data source. Never recursive: a query nested 100,000 deep is measured with a work stack.

import {
  GraphQLError,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isIntrospectionType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  isUnionType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
import { limitError, depthMessage, type Limits } from "../limits.js";
import { defaultValueOf } from "./graphqlAdapter.js";

/**
 * A size the cost multiplies by, known per request: the page size variable `name` gives, or `fallback` when
 * the request's value is missing, null or negative — a number (the argument's declared default, or a
 * negative literal's), or null for the request's own `defaultListSize`. The name DEFAULT_LIST_SIZE (no
 * variable can have it) stands for a list with no page size at all: always the request's `defaultListSize`.
 */
export interface CostVariable {
  readonly name: string;
  readonly fallback: number | null;
}

/** The CostVariable name of a list counted at the request's `defaultListSize`. */
const DEFAULT_LIST_SIZE = "";

/**
 * The cost of an operation as a function of its variables and of the request's `defaultListSize`: a sum of
 * terms, each a constant times the sizes its variables give (`first: $n` inside `first: $m` is the term c·n·m).
 */
export interface OperationCost {
  readonly terms: ReadonlyArray<{ readonly factor: number; readonly variables: readonly CostVariable[] }>;
}

/** What one walk of the operation found: its shape, checked against the planning-time limits. */
export interface OperationShape {
  readonly depth: number;
  /** The most fields (aliases included) in one selection set. */
  readonly widest: number;
  readonly fields: number;
  readonly cost: OperationCost;
}

interface WorkItem {
  readonly selectionSet: SelectionSetNode;
  readonly type: GraphQLNamedType;
  readonly depth: number;
  /** The list sizes above this selection: constants multiplied, variables listed. */
  readonly factor: number;
  readonly variables: readonly CostVariable[];
  /** A page size from a `first`/`last` above that no list has used yet (connections: the edges list). */
  readonly pendingSize: number | CostVariable | null;
}

/**
 * spec: MeasureOperation — one iterative walk over the operation with fragments expanded: depth, fields per
 * selection set, total fields and the cost expression. Throws a limit error as soon as a limit is crossed,
 * so an enormous operation costs at most the limit's worth of work.
 */
export function measureOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: { readonly [name: string]: FragmentDefinitionNode },
  limits: Limits,
): OperationShape {
  const rootType = schema.getRootType(operation.operation);
  if (rootType == null) return { depth: 0, widest: 0, fields: 0, cost: { terms: [] } };
  const terms = new Map<string, { factor: number; variables: readonly CostVariable[] }>();
  const stack: WorkItem[] = [{ selectionSet: operation.selectionSet, type: rootType, depth: 1, factor: 1, variables: [], pendingSize: null }];
  let fields = 0;
  let maxDepth = 0;
  let widest = 0;
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.depth > limits.maxDepth) {
      throw limitError(depthMessage(limits.maxDepth), operation);
    }
    if (item.depth > maxDepth) maxDepth = item.depth;
    const selected = collectNodes(schema, item.selectionSet, item.type, fragments, limits.maxPlannedFields - fields, () => limitError(plannedFieldsMessage(limits.maxPlannedFields), operation));
    if (selected.size > limits.maxFieldsPerSelection) {
      throw limitError(
        `A selection set of ${item.type.name} has ${selected.size} fields or aliases; the limit is ${limits.maxFieldsPerSelection} (maxFieldsPerSelection).`,
        operation,
      );
    }
    if (selected.size > widest) widest = selected.size;
    for (const nodes of selected.values()) {
      fields += 1;
      if (fields > limits.maxPlannedFields) {
        throw limitError(plannedFieldsMessage(limits.maxPlannedFields), operation);
      }
      // Terms merge only when their variables count the same way: same names, same fallbacks.
      const key = item.variables.map((v) => `${v.name}:${v.fallback ?? ""}`).join(",");
      const term = terms.get(key);
      if (term === undefined) terms.set(key, { factor: item.factor, variables: item.variables });
      else term.factor += item.factor;
      // Each node under its own type condition: the same response key may name different fields (and pages)
      // in different fragments. An unknown field is left to validation, which reports it.
      for (const { node, type } of nodes) {
        if (!node.selectionSet) continue;
        const fieldDef = fieldDefOf(schema, type, node.name.value);
        if (fieldDef !== undefined) stack.push({ ...childWork(schema, item, type, node, fieldDef), selectionSet: node.selectionSet });
      }
    }
  }
  return { depth: maxDepth, widest, fields, cost: { terms: [...terms.values()] } };
}

/** A selected field node and the type it is selected on (its fragment's type condition, if any). */
interface Selected {
  readonly node: FieldNode;
  readonly type: GraphQLNamedType;
}

/**
 * The fields of a selection set by response key, fragments expanded (every type condition: an upper bound);
 * `tooMany()` is thrown as soon as it has more keys than `room` (the fields the query may still select).
 */
function collectNodes(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  type: GraphQLNamedType,
  fragments: { readonly [name: string]: FragmentDefinitionNode },
  room: number,
  tooMany: () => GraphQLError,
): Map<string, Selected[]> {
  const out = new Map<string, Selected[]>();
  const sets: Array<{ readonly set: SelectionSetNode; readonly type: GraphQLNamedType }> = [{ set: selectionSet, type }];
  const visited = new Set<string>();
  while (sets.length > 0) {
    const { set, type: on } = sets.pop()!;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias ? selection.alias.value : selection.name.value;
        const list = out.get(key);
        if (list) list.push({ node: selection, type: on });
        else {
          // Fields merged under one response key count once (the walk's work is bounded by the document).
          if (out.size >= room) throw tooMany();
          out.set(key, [{ node: selection, type: on }]);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        sets.push({ set: selection.selectionSet, type: conditionType(schema, selection.typeCondition?.name.value, on) });
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments[selection.name.value];
        if (fragment) sets.push({ set: fragment.selectionSet, type: conditionType(schema, fragment.typeCondition.name.value, on) });
      }
    }
  }
  return out;
}

function plannedFieldsMessage(max: number): string {
  return `The query selects more than ${max} fields with its fragments expanded (maxPlannedFields).`;
}

/** The type a fragment's fields are looked up on: its type condition (an unknown one is validation's to report). */
function conditionType(schema: GraphQLSchema, name: string | undefined, enclosing: GraphQLNamedType): GraphQLNamedType {
  return (name === undefined ? undefined : schema.getType(name)) ?? enclosing;
}

/** A field as graphql-js finds it: `__schema`/`__type` on the query type, `__typename` anywhere. */
function fieldDefOf(schema: GraphQLSchema, type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (type === schema.getQueryType() && name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
  if (type === schema.getQueryType() && name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  if (isObjectType(type) || isInterfaceType(type)) return type.getFields()[name];
  return undefined;
}

/**
 * The work item for a field's selection: deeper, and multiplied by the field's list sizes, one per list level
 * of its type — the page size (or the request's `defaultListSize`) for the outermost, `defaultListSize` for each
 * one inside it. An introspection list counts the schema's own largest such list instead.
 */
function childWork(
  schema: GraphQLSchema,
  item: WorkItem,
  parentType: GraphQLNamedType,
  node: FieldNode,
  fieldDef: GraphQLField<unknown, unknown>,
): Omit<WorkItem, "selectionSet"> {
  const base = { type: getNamedType(fieldDef.type), depth: item.depth + 1 };
  const size = pageSizeOf(node, fieldDef) ?? item.pendingSize;
  let levels = listLevels(fieldDef.type);
  if (levels === 0) return { ...base, factor: item.factor, variables: item.variables, pendingSize: size };
  let factor = item.factor;
  const variables = [...item.variables];
  const introspected = isIntrospectionType(parentType) ? introspectionSizes(schema).get(`${parentType.name}.${fieldDef.name}`) : undefined;
  for (let listSize = introspected ?? size ?? UNSIZED_LIST; levels > 0; levels--, listSize = UNSIZED_LIST) {
    if (typeof listSize === "number") factor *= listSize;
    else variables.push(listSize);
  }
  return { ...base, factor, variables, pendingSize: null };
}

/** A list without a page size: counted at each request's `defaultListSize`. */
const UNSIZED_LIST: CostVariable = { name: DEFAULT_LIST_SIZE, fallback: null };

/** How many lists a field's type nests: `[[O]]` is 2, `O!` is 0. */
function listLevels(type: GraphQLOutputType): number {
  let levels = 0;
  for (let t: GraphQLOutputType = type; !isNamedOutput(t); t = t.ofType) if (isListType(t)) levels++;
  return levels;
}

function isNamedOutput(type: GraphQLOutputType): type is GraphQLNamedType & GraphQLOutputType {
  return !isListType(type) && !isNonNullType(type);
}

const introspectionSizesCache = new WeakMap<GraphQLSchema, Map<string, number>>();

/**
 * The longest list each introspection field can give in this schema (types, a type's fields, a field's
 * arguments, …): what an introspection query's lists count, as the schema bounds them. Made once per schema.
 */
function introspectionSizes(schema: GraphQLSchema): Map<string, number> {
  let sizes = introspectionSizesCache.get(schema);
  if (sizes !== undefined) return sizes;
  sizes = new Map();
  const most = (key: string, n: number) => sizes!.set(key, Math.max(sizes!.get(key) ?? 0, n));
  const types = Object.values(schema.getTypeMap());
  most("__Schema.types", types.length);
  most("__Schema.directives", schema.getDirectives().length);
  for (const type of types) {
    if (isObjectType(type) || isInterfaceType(type)) {
      const typeFields = Object.values(type.getFields());
      most("__Type.fields", typeFields.length);
      most("__Type.interfaces", type.getInterfaces().length);
      for (const field of typeFields) most("__Field.args", field.args.length);
    }
    if (isInterfaceType(type) || isUnionType(type)) most("__Type.possibleTypes", schema.getPossibleTypes(type).length);
    if (isEnumType(type)) most("__Type.enumValues", type.getValues().length);
    if (isInputObjectType(type)) most("__Type.inputFields", Object.keys(type.getFields()).length);
  }
  for (const directive of schema.getDirectives()) {
    most("__Directive.args", directive.args.length);
    most("__Directive.locations", directive.locations.length);
  }
  introspectionSizesCache.set(schema, sizes);
  return sizes;
}

/**
 * A field's `first` or `last` argument: a number, a variable, or null. A variable's fallback (what a missing,
 * null or negative value counts as) and a negative literal's count are the argument's default, or the
 * request's `defaultListSize` when it has none: never 0, or a query could page by an omitted variable uncounted.
 */
function pageSizeOf(node: FieldNode, fieldDef: GraphQLField<unknown, unknown>): number | CostVariable | null {
  for (const name of ["first", "last"]) {
    const argDef = fieldDef.args.find((a) => a.name === name);
    if (argDef === undefined) continue;
    const defaultValue = defaultValueOf(argDef);
    const declared = typeof defaultValue === "number" && defaultValue >= 0 ? defaultValue : null;
    const arg = node.arguments?.find((a) => a.name.value === name);
    if (arg === undefined) {
      if (declared !== null) return declared;
      continue;
    }
    const value: ValueNode = arg.value;
    if (value.kind === Kind.INT) {
      const n = Number(value.value);
      return n >= 0 ? n : (declared ?? UNSIZED_LIST);
    }
    if (value.kind === Kind.VARIABLE) return { name: value.name.value, fallback: declared };
  }
  return null;
}

/**
 * spec: OperationCostFor — the cost of an operation for one request's variables (a missing, null or
 * negative value counts as its fallback).
 */
export function operationCostFor(cost: OperationCost, variableValues: { readonly [name: string]: unknown }, defaultListSize: number): number {
  const terms = cost.terms;
  let total = 0;
  for (let t = 0; t < terms.length; t++) {
    const term = terms[t]!;
    let value = term.factor;
    for (let k = 0; k < term.variables.length; k++) {
      const v = term.variables[k]!;
      const given = v.name === DEFAULT_LIST_SIZE ? undefined : variableValues[v.name];
      value *= typeof given === "number" && given >= 0 ? given : (v.fallback ?? defaultListSize);
    }
    total += value;
  }
  return total;
}

/**
 * spec: CheckRequestLimits — a cached plan's shape against this request's limits (they may be lower than
 * the limits it was planned under), and its cost under this request's variables.
 */
export function checkRequestLimits(shape: OperationShape, variableValues: { readonly [name: string]: unknown }, limits: Limits, operation: OperationDefinitionNode): void {
  if (shape.depth > limits.maxDepth) {
    throw limitError(depthMessage(limits.maxDepth), operation);
  }
  if (shape.widest > limits.maxFieldsPerSelection) {
    throw limitError(`A selection set has ${shape.widest} fields or aliases; the limit is ${limits.maxFieldsPerSelection} (maxFieldsPerSelection).`, operation);
  }
  if (shape.fields > limits.maxPlannedFields) {
    throw limitError(`The query selects ${shape.fields} fields with its fragments expanded; the limit is ${limits.maxPlannedFields} (maxPlannedFields).`, operation);
  }
  const cost = operationCostFor(shape.cost, variableValues, limits.defaultListSize);
  if (cost > limits.maxCost) {
    throw limitError(
      `The query's estimated cost is ${formatCost(cost)} field resolutions; the limit is ${formatCost(limits.maxCost)} (maxCost). Ask for smaller pages (first/last).`,
      operation,
    );
  }
}

function formatCost(n: number): string {
  return n >= 1e15 ? n.toExponential(2) : Math.round(n).toLocaleString("en-US");
}
