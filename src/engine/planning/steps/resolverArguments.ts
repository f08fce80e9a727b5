// SharedArguments: a resolver field's `args` coerced once — per plan when its arguments use no variables,
// else once per batch of entries — and copied for each call, when the copy is exactly what graphql-js's
// per-call coercion gives: every argument is a variable (graphql-js hands the variable's coerced value to
// every call as it is), left to its default (graphql-js hands the default value object itself), or a literal
// of a built-in scalar or enum (graphql-js's own parseLiteral gives a primitive or the enum's value itself).
// Otherwise (an input object or list literal, a custom scalar's literal: new objects or user code per call)
// graphql-js's getArgumentValues runs for each call (spec/resolver-emulation.md, SharedArguments).

import { Kind, isEnumType, isNonNullType, specifiedScalarTypes, type FieldNode, type GraphQLField, type GraphQLNamedType } from "graphql";
import type { RequestInfo } from "../../step.js";
import { argumentValues, GRAPHQL_MAJOR } from "../graphqlAdapter.js";
import { fastArguments } from "../fastArguments.js";

/** graphql 17's getArgumentValues builds null-prototype objects (16's, plain ones, as FastArguments does). */
const FAST_ARGUMENTS_FIT = GRAPHQL_MAJOR < 17;

export type ArgumentsMode = "none" | "constant" | "variables" | "perCall";

/** How a field's arguments are coerced for its resolver calls, decided once per field node. */
export function argumentsModeOf(fieldDef: GraphQLField<unknown, unknown>, node: FieldNode): ArgumentsMode {
  if (fieldDef.args.length === 0) return "none";
  let variables = false;
  for (const given of node.arguments ?? []) {
    if (given.value.kind === Kind.VARIABLE) {
      variables = true;
      continue;
    }
    const argDef = fieldDef.args.find((a) => a.name === given.name.value);
    if (argDef === undefined) continue; // graphql-js ignores an argument the field does not define
    const type = isNonNullType(argDef.type) ? argDef.type.ofType : argDef.type;
    if (!isBuiltInLeaf(type as GraphQLNamedType)) return "perCall";
    const kind = given.value.kind;
    if (kind === Kind.LIST || kind === Kind.OBJECT) return "perCall";
  }
  return variables ? "variables" : "constant";
}

function isBuiltInLeaf(type: GraphQLNamedType): boolean {
  return isEnumType(type) || (specifiedScalarTypes as readonly GraphQLNamedType[]).includes(type);
}

/** Per field definition and node: the arguments coerced once for every request (constant mode), or null when that threw. */
const constantArguments = new WeakMap<FieldNode, WeakMap<GraphQLField<unknown, unknown>, Readonly<Record<string, unknown>> | null>>();

/**
 * spec: SharedArguments — the coerced arguments every call of this batch copies, or undefined when each call
 * coerces its own (perCall mode, or coercion threw: each call then throws graphql-js's error itself).
 */
export function sharedArguments(mode: ArgumentsMode, fieldDef: GraphQLField<unknown, unknown>, node: FieldNode, request: RequestInfo): Readonly<Record<string, unknown>> | undefined {
  if (mode === "constant") {
    let byDef = constantArguments.get(node);
    if (byDef === undefined) constantArguments.set(node, (byDef = new WeakMap()));
    let known = byDef.get(fieldDef);
    if (known === undefined) {
      try {
        known = argumentValues(fieldDef, node, request.variableValues as Record<string, unknown>);
      } catch {
        known = null;
      }
      byDef.set(fieldDef, known);
    }
    return known ?? undefined;
  }
  if (mode !== "variables") return undefined;
  const variables = request.variableValues as Record<string, unknown>;
  try {
    return (FAST_ARGUMENTS_FIT ? fastArguments(fieldDef, node, variables) : null) ?? argumentValues(fieldDef, node, variables);
  } catch {
    return undefined;
  }
}

/**
 * One call's `args`: a copy of the shared arguments (with their prototype: graphql 17's are null-prototype
 * objects), or graphql-js's coercion for this call alone.
 */
export function argumentsForCall(shared: Readonly<Record<string, unknown>> | undefined, fieldDef: GraphQLField<unknown, unknown>, node: FieldNode, request: RequestInfo): Record<string, unknown> {
  if (shared === undefined) return argumentValues(fieldDef, node, request.variableValues as Record<string, unknown>);
  return Object.getPrototypeOf(shared) === null ? Object.assign(Object.create(null) as Record<string, unknown>, shared) : { ...shared };
}
