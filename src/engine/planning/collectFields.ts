// CollectFields: graphql-js's algorithm for the fields of a selection set, recording every variable a
// @skip/@include reads as a constraint of the plan (the plan is reused only where those values hold); and
// whether collecting an object's sub-fields fails, as graphql-js finds out when it completes the object.
// Reads the document only; never plans a field.

import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  isAbstractType,
  typeFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { directiveValues } from "./graphqlAdapter.js";
import { DEFER_REFUSED_IN_SUBSCRIPTION, deferUsageOf, fieldDeferAt, incrementalVariablesOf, newDefersOf, recordFieldDefer, recordNewDefer, type DeferUsage } from "./deferUsage.js";

/** What collecting fields reads, and where it records the variables it decided on. */
export interface CollectContext {
  readonly schema: GraphQLSchema;
  readonly fragments: { readonly [name: string]: FragmentDefinitionNode };
  readonly variableValues: { readonly [name: string]: unknown };
  recordConstraint(name: string, value: unknown): void;
  /** Set for an operation using `@defer`/`@stream`: each field node's deferred fragment is recorded (spec/incremental.md). */
  readonly deferring?: boolean;
}

/** spec: CollectFields */
export function collectFields(
  ctx: CollectContext,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  fields: Map<string, FieldNode[]> = new Map(),
  visitedFragments: Set<string> = new Set(),
  defer?: DeferUsage,
): Map<string, FieldNode[]> {
  const deferring = ctx.deferring === true;
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD: {
        if (!shouldIncludeNode(ctx, selection)) continue;
        const key = selection.alias ? selection.alias.value : selection.name.value;
        const existing = fields.get(key);
        if (existing) existing.push(selection);
        else fields.set(key, [selection]);
        if (deferring) recordFieldDefer(existing ?? fields.get(key)!, defer);
        break;
      }
      case Kind.INLINE_FRAGMENT: {
        if (!shouldIncludeNode(ctx, selection) || !doesFragmentConditionMatch(ctx, selection, type)) continue;
        collectFields(ctx, type, selection.selectionSet, fields, visitedFragments, deferring ? deferredFragment(ctx, selection, fields, defer) : defer);
        break;
      }
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        if (visitedFragments.has(name) || !shouldIncludeNode(ctx, selection)) continue;
        visitedFragments.add(name);
        const fragment = ctx.fragments[name];
        if (!fragment || !doesFragmentConditionMatch(ctx, fragment, type)) continue;
        collectFields(ctx, type, fragment.selectionSet, fields, visitedFragments, deferring ? deferredFragment(ctx, selection, fields, defer) : defer);
        break;
      }
    }
  }
  return fields;
}

/** The sub-fields of a field's nodes (merged selection sets); each node's sub-fields inherit its deferred fragment. */
export function collectSubfields(ctx: CollectContext, type: GraphQLObjectType, fieldNodes: ReadonlyArray<FieldNode>): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const visited = new Set<string>();
  const deferring = ctx.deferring === true;
  for (let i = 0; i < fieldNodes.length; i++) {
    const node = fieldNodes[i]!;
    if (node.selectionSet) collectFields(ctx, type, node.selectionSet, fields, visited, deferring ? fieldDeferAt(fieldNodes, i) : undefined);
  }
  return fields;
}

/** A fragment's active `@defer` (a new DeferUsage, recorded as starting at `fields`), else the enclosing one. */
function deferredFragment(ctx: CollectContext, node: InlineFragmentNode | FragmentSpreadNode, fields: Map<string, FieldNode[]>, defer: DeferUsage | undefined): DeferUsage | undefined {
  for (const name of incrementalVariablesOf(node)) ctx.recordConstraint(name, ctx.variableValues[name]);
  const usage = deferUsageOf(node, ctx.variableValues, defer);
  if (usage === undefined) return defer;
  recordNewDefer(fields, usage);
  return usage;
}

/**
 * spec: SelectionErrorOf — what graphql-js meets collecting the sub-fields of `fieldNodes` for an object of
 * `type` (as it does for every object value it completes): null, or the error it raises — a
 * `@skip`/`@include` whose `if` cannot be read (a variable given as null for `Boolean!`). Records no
 * constraint: the plan holding the position recorded them when it planned it.
 */
export function selectionErrorOf(
  field: { readonly schema: GraphQLSchema; readonly fragments: CollectContext["fragments"]; readonly fieldNodes: ReadonlyArray<FieldNode>; readonly operation?: OperationDefinitionNode },
  type: GraphQLObjectType,
  variableValues: CollectContext["variableValues"],
): { readonly error: unknown } | null {
  // A subscription's object whose sub-fields open a `@defer` is refused there (RefusedInSubscription).
  const deferring = field.operation?.operation === "subscription";
  const ctx: CollectContext = { schema: field.schema, fragments: field.fragments, variableValues, recordConstraint: () => undefined, deferring };
  try {
    const fields = collectSubfields(ctx, type, field.fieldNodes);
    if (deferring && newDefersOf(fields).length > 0) return { error: new Error(DEFER_REFUSED_IN_SUBSCRIPTION) };
    return null;
  } catch (error) {
    return { error };
  }
}

/** Per position (the step checking it), SelectionErrorOf by type name. */
const selectionErrors = new WeakMap<object, Map<string, { readonly error: unknown } | null>>();

/**
 * `selectionErrorOf`, once per position and type: the plan holding the position records the variables its
 * directives read as constraints, so every request running that plan gets the same answer.
 */
export function selectionErrorAt(
  position: object,
  field: Parameters<typeof selectionErrorOf>[0],
  type: GraphQLObjectType,
  variableValues: CollectContext["variableValues"],
): { readonly error: unknown } | null {
  let byType = selectionErrors.get(position);
  if (byType === undefined) selectionErrors.set(position, (byType = new Map()));
  let found = byType.get(type.name);
  if (found === undefined) byType.set(type.name, (found = selectionErrorOf(field, type, variableValues)));
  return found;
}

function shouldIncludeNode(ctx: CollectContext, node: FieldNode | InlineFragmentNode | FragmentSpreadNode): boolean {
  if (!node.directives || node.directives.length === 0) return true;
  for (const directive of node.directives) {
    const name = directive.name.value;
    if (name !== "skip" && name !== "include") continue;
    for (const arg of directive.arguments ?? []) {
      if (arg.value.kind === Kind.VARIABLE) ctx.recordConstraint(arg.value.name.value, ctx.variableValues[arg.value.name.value]);
    }
  }
  const skip = directiveValues(GraphQLSkipDirective, node, ctx.variableValues);
  if (skip?.if === true) return false;
  const include = directiveValues(GraphQLIncludeDirective, node, ctx.variableValues);
  if (include?.if === false) return false;
  return true;
}

function doesFragmentConditionMatch(ctx: CollectContext, fragment: FragmentDefinitionNode | InlineFragmentNode, type: GraphQLObjectType): boolean {
  const condition = fragment.typeCondition;
  if (!condition) return true;
  const conditionalType = typeFromAST(ctx.schema, condition);
  if (conditionalType === type) return true;
  if (conditionalType && isAbstractType(conditionalType)) return ctx.schema.isSubType(conditionalType, type);
  return false;
}
