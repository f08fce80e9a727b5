// Fast coercion: the common shapes of variables and field arguments coerced without graphql-js's general
// walk — variables of the built-in scalars given as values of their own type, and arguments that are all
// plain variables. Anything else (a missing or null value, a list, an input object, an enum, a custom scalar,
// a literal argument, a value that needs converting) returns null, and the caller runs graphql-js's own
// coercion, so results and errors are always graphql-js's (spec/plan-cache.md, FastVariables, FastArguments).

import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLString,
  Kind,
  typeFromAST,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from "graphql";

/** A built-in scalar's check: whether graphql-js's parseValue returns `value` itself. */
type TakesAsIs = (value: unknown) => boolean;

const MAX_INT = 2147483647;
const MIN_INT = -2147483648;

const AS_IS = new Map<unknown, TakesAsIs>([
  [GraphQLString, (v) => typeof v === "string"],
  [GraphQLID, (v) => typeof v === "string"],
  [GraphQLBoolean, (v) => typeof v === "boolean"],
  [GraphQLInt, (v) => typeof v === "number" && Number.isInteger(v) && v <= MAX_INT && v >= MIN_INT],
  [GraphQLFloat, (v) => typeof v === "number" && Number.isFinite(v)],
]);

/** How one variable is read: its name and the check of its scalar (non-null or not, a non-null value is checked alike). */
interface FastVariable {
  readonly name: string;
  readonly takesAsIs: TakesAsIs;
}

/** Per schema and list of variable definitions: the fast reading, or null when some variable needs graphql-js. */
const variablePlans = new WeakMap<GraphQLSchema, WeakMap<readonly VariableDefinitionNode[], readonly FastVariable[] | null>>();

function variablePlan(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[]): readonly FastVariable[] | null {
  let bySchema = variablePlans.get(schema);
  if (bySchema === undefined) variablePlans.set(schema, (bySchema = new WeakMap()));
  let plan = bySchema.get(definitions);
  if (plan !== undefined) return plan;
  const fast: FastVariable[] = [];
  for (const definition of definitions) {
    const type = typeFromAST(schema, definition.type);
    const named = type instanceof GraphQLNonNull ? type.ofType : type;
    const takesAsIs = AS_IS.get(named);
    if (takesAsIs === undefined) {
      fast.length = 0;
      break;
    }
    fast.push({ name: definition.variable.name.value, takesAsIs });
  }
  plan = fast.length === definitions.length ? fast : null;
  bySchema.set(definitions, plan);
  return plan;
}

/**
 * spec: FastVariables — the coerced variables when every variable is a built-in scalar given (own property,
 * not null) as a value graphql-js's parseValue returns unchanged; else null (graphql-js coerces them).
 */
export function fastVariables(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[], inputs: unknown): { [name: string]: unknown } | null {
  if (inputs === null || typeof inputs !== "object") return null;
  const plan = variablePlan(schema, definitions);
  if (plan === null) return null;
  const given = inputs as Record<string, unknown>;
  const coerced: { [name: string]: unknown } = {};
  for (let v = 0; v < plan.length; v++) {
    const { name, takesAsIs } = plan[v]!;
    if (!Object.hasOwn(given, name)) return null;
    const value = given[name];
    if (value == null || !takesAsIs(value)) return null;
    coerced[name] = value;
  }
  return coerced;
}

/** One argument as FastArguments reads it: from a variable, or its default (`variable` null). */
interface FastArgument {
  readonly name: string;
  readonly variable: string | null;
  readonly defaultValue: unknown;
}

/** Per field definition and field node (one document may run against several schemas). */
const argumentPlans = new WeakMap<GraphQLField<unknown, unknown>, WeakMap<FieldNode, readonly FastArgument[] | null>>();

function argumentPlan(fieldDef: GraphQLField<unknown, unknown>, node: FieldNode): readonly FastArgument[] | null {
  let byNode = argumentPlans.get(fieldDef);
  if (byNode === undefined) argumentPlans.set(fieldDef, (byNode = new WeakMap()));
  const known = byNode.get(node);
  if (known !== undefined) return known;
  let plan: FastArgument[] | null = [];
  const nodes = node.arguments ?? [];
  for (const arg of fieldDef.args) {
    const given = nodes.find((n) => n.name.value === arg.name);
    if (given === undefined) {
      // No argument: its default, or nothing (a missing non-null argument is graphql-js's error to give).
      if (arg.defaultValue !== undefined) plan.push({ name: arg.name, variable: null, defaultValue: arg.defaultValue });
      else if (arg.type instanceof GraphQLNonNull) {
        plan = null;
        break;
      }
      continue;
    }
    if (given.value.kind !== Kind.VARIABLE) {
      plan = null;
      break;
    }
    plan.push({ name: arg.name, variable: given.value.name.value, defaultValue: undefined });
  }
  byNode.set(node, plan);
  return plan;
}

/**
 * spec: FastArguments — a field's coerced arguments when every argument given is a plain variable whose
 * value is there and not null (graphql-js then takes the variable's coerced value as it is) and the others
 * have defaults or are left out; else null (graphql-js's getArgumentValues runs).
 */
export function fastArguments(fieldDef: GraphQLField<unknown, unknown>, node: FieldNode, variableValues: { readonly [name: string]: unknown }): Record<string, unknown> | null {
  const plan = argumentPlan(fieldDef, node);
  if (plan === null) return null;
  const coerced: Record<string, unknown> = {};
  for (let a = 0; a < plan.length; a++) {
    const { name, variable, defaultValue } = plan[a]!;
    if (variable === null) {
      coerced[name] = defaultValue;
      continue;
    }
    if (!Object.hasOwn(variableValues, variable)) return null;
    const value = variableValues[variable];
    if (value == null) return null;
    coerced[name] = value;
  }
  return coerced;
}
