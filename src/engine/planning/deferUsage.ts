// DeferUsage: what planning records of `@defer` and `@stream` (spec/incremental.md). Collecting fields
// notes, for each field node, the deferred fragment it was met in; the planner groups a selection's fields
// by those fragments (DeferUsageSetOf) and plans each group in its own deferred layer. Plain plan-time
// data: never holds request values, and an operation without either directive never reaches this module's
// per-field records.

import { Kind, type DirectiveNode, type FieldNode, type FragmentSpreadNode, type InlineFragmentNode, type OperationDefinitionNode, type FragmentDefinitionNode } from "graphql";
import { DEFER_DIRECTIVE, STREAM_DIRECTIVE, directiveValues } from "./graphqlAdapter.js";

/** graphql 17's `execute` error for an operation with an active `@defer` or `@stream`. */
export const UNEXPECTED_MULTIPLE_PAYLOADS = "Executing this GraphQL operation would unexpectedly produce multiple payloads (due to @defer or @stream directive)";

/** One active `@defer` of the operation, at one place it was collected; `parent`: the deferred fragment it is nested in. */
export interface DeferUsage {
  readonly label: string | undefined;
  readonly parent: DeferUsage | undefined;
}

/** An active `@stream` on a list field. */
export interface StreamUsage {
  readonly label: string | undefined;
  readonly initialCount: number;
}

/** Per collected field's node list: the deferred fragment each node was met in (undefined: none). */
const fieldDefers = new WeakMap<readonly FieldNode[], Array<DeferUsage | undefined>>();
/** Per collected selection (the fields map): the deferred fragments that start there, in document order. */
const newDefers = new WeakMap<Map<string, FieldNode[]>, DeferUsage[]>();

export function recordFieldDefer(nodes: readonly FieldNode[], defer: DeferUsage | undefined): void {
  let list = fieldDefers.get(nodes);
  if (list === undefined) fieldDefers.set(nodes, (list = []));
  list.push(defer);
}

/** The deferred fragment node `i` of a collected field was met in. */
export function fieldDeferAt(nodes: readonly FieldNode[], i: number): DeferUsage | undefined {
  return fieldDefers.get(nodes)?.[i];
}

export function recordNewDefer(fields: Map<string, FieldNode[]>, defer: DeferUsage): void {
  let list = newDefers.get(fields);
  if (list === undefined) newDefers.set(fields, (list = []));
  list.push(defer);
}

export function newDefersOf(fields: Map<string, FieldNode[]>): readonly DeferUsage[] {
  return newDefers.get(fields) ?? [];
}

/**
 * spec: DeferUsageOf — the DeferUsage a fragment opens: none when it has no `@defer`, or `if:` is false
 * (the variable it reads is recorded as a constraint of the plan by the caller).
 */
export function deferUsageOf(
  node: InlineFragmentNode | FragmentSpreadNode,
  variables: { readonly [name: string]: unknown },
  parent: DeferUsage | undefined,
): DeferUsage | undefined {
  const directive = DEFER_DIRECTIVE;
  if (directive === null || !hasDirective(node.directives, "defer")) return undefined;
  const values = directiveValues(directive, node, variables);
  if (values === undefined || values.if === false) return undefined;
  return { label: values.label as string | undefined, parent };
}

/** spec: StreamUsageOf — a field's active `@stream`, or null (absent, or `if:` false). */
export function streamUsageOf(node: FieldNode, variables: { readonly [name: string]: unknown }): StreamUsage | null {
  const directive = STREAM_DIRECTIVE;
  if (directive === null || !hasDirective(node.directives, "stream")) return null;
  const values = directiveValues(directive, node, variables);
  if (values === undefined || values.if === false) return null;
  return { label: values.label as string | undefined, initialCount: (values.initialCount as number | undefined) ?? 0 };
}

/** The variables a `@defer`/`@stream` of `node` reads (recorded as plan constraints). */
export function incrementalVariablesOf(node: { readonly directives?: readonly DirectiveNode[] }): string[] {
  const names: string[] = [];
  for (const directive of node.directives ?? []) {
    if (directive.name.value !== "defer" && directive.name.value !== "stream") continue;
    for (const arg of directive.arguments ?? []) if (arg.value.kind === Kind.VARIABLE) names.push(arg.value.name.value);
  }
  return names;
}

function hasDirective(directives: readonly DirectiveNode[] | undefined, name: string): boolean {
  if (directives === undefined) return false;
  for (const d of directives) if (d.name.value === name) return true;
  return false;
}

/**
 * spec: DeferUsageSetOf — graphql-js's filtered defer usage set of a field: empty when some node of it is
 * not deferred; else its nodes' deferred fragments, without those nested in another of the set.
 */
export function deferUsageSetOf(nodes: readonly FieldNode[]): DeferUsage[] {
  const defers = fieldDefers.get(nodes);
  if (defers === undefined) return [];
  const set: DeferUsage[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const d = defers[i];
    if (d === undefined) return [];
    if (!set.includes(d)) set.push(d);
  }
  return set.filter((d) => {
    for (let p = d.parent; p !== undefined; p = p.parent) if (set.includes(p)) return false;
    return true;
  });
}

export function sameDeferSet(a: readonly DeferUsage[], b: readonly DeferUsage[]): boolean {
  return a.length === b.length && a.every((d) => b.includes(d));
}

/** spec: UsesIncrementalDelivery — whether the operation (or a fragment it may spread) carries `@defer` or `@stream`. */
export function usesIncrementalDelivery(
  operation: OperationDefinitionNode,
  fragments: { readonly [name: string]: FragmentDefinitionNode },
): boolean {
  if (DEFER_DIRECTIVE === null) return false;
  const seen = new Set<unknown>();
  const stack: unknown[] = [operation, ...Object.values(fragments)];
  while (stack.length > 0) {
    const node = stack.pop() as { kind?: string; directives?: readonly DirectiveNode[]; selectionSet?: { selections: readonly unknown[] } };
    if (seen.has(node)) continue;
    seen.add(node);
    if (node.directives !== undefined && (hasDirective(node.directives, "defer") || hasDirective(node.directives, "stream"))) return true;
    if (node.selectionSet) for (const s of node.selectionSet.selections) stack.push(s);
  }
  return false;
}


/** graphql-js 17.1's message for an active `@defer` met completing an object of a subscription's event. */
export const DEFER_REFUSED_IN_SUBSCRIPTION = "`@defer` directive not supported on subscription operations. Disable `@defer` by setting the `if` argument to `false`.";

/**
 * A subscription's object whose sub-fields open an active `@defer` is refused at each value
 * (RefusedInSubscription): throws graphql-js's error, which the planner plans as the position's selection
 * error (PlanSelectionError); other sub-fields pass through.
 */
export function refuseDeferInSubscription(ctx: { readonly deferring?: boolean; readonly plan: { readonly operation: OperationDefinitionNode } }, fields: Map<string, FieldNode[]>): Map<string, FieldNode[]> {
  if (ctx.deferring === true && ctx.plan.operation.operation === "subscription" && newDefersOf(fields).length > 0) throw new Error(DEFER_REFUSED_IN_SUBSCRIPTION);
  return fields;
}

/**
 * spec: RefusedInSubscription — graphql-js 17.1's answer to an active `@stream` on a subscription's field:
 * the message of the field error its subscribe gives at that field, for every event (its validation refuses
 * the operation); else null. An active `@defer` is refused at each object whose sub-fields open it
 * (SelectionErrorOf), not at the field.
 */
export function refusedInSubscription(nodes: readonly FieldNode[], variables: { readonly [name: string]: unknown }): string | null {
  for (const node of nodes) if (streamUsageOf(node, variables) !== null) return "`@stream` directive not supported on subscription operations. Disable `@stream` by setting the `if` argument to `false`.";
  return null;
}
