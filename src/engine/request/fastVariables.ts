// FastVariables: the common shape of variables coerced without graphql-js's general walk — variables of the
// built-in scalars given as values of their own type. Anything else (a missing or null value, a list, an
// input object, an enum, a custom scalar, a value that needs converting) returns null, and the request edge
// runs graphql-js's own coercion, so results and errors are always graphql-js's (spec/plan-cache.md).

import { GraphQLBoolean, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLNonNull, GraphQLString, typeFromAST, type GraphQLSchema, type VariableDefinitionNode } from "graphql";
import { rememberVariableInputs } from "../planning/graphqlAdapter.js";

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

/**
 * How a list of variable definitions is read: each variable, and an object with their names as keys in
 * order (the result starts as its copy, so that each name is set on a key it has: no new key per variable).
 */
export interface VariablePlan {
  readonly variables: readonly FastVariable[];
  readonly template: { readonly [name: string]: unknown };
}

/** Per schema and list of variable definitions: the fast reading, or null when some variable needs graphql-js. */
const variablePlans = new WeakMap<GraphQLSchema, WeakMap<readonly VariableDefinitionNode[], VariablePlan | null>>();

export function variablePlan(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[]): VariablePlan | null {
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
  if (fast.length === definitions.length) {
    const template: { [name: string]: unknown } = {};
    for (const variable of fast) template[variable.name] = undefined;
    plan = { variables: fast, template };
  } else plan = null;
  bySchema.set(definitions, plan);
  return plan;
}

/**
 * spec: FastVariables — the coerced variables when every variable is a built-in scalar given (own property,
 * not null) as a value graphql-js's parseValue returns unchanged; else null (graphql-js coerces them).
 */
export function fastVariables(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[], inputs: unknown): { [name: string]: unknown } | null {
  const plan = variablePlan(schema, definitions);
  return plan === null ? null : readVariables(plan, inputs);
}

/**
 * FastVariables as a request takes them, by the definitions' plan (null: none read fast): the coerced
 * variables, remembered with their inputs for graphql 17's resolver info (rememberVariableInputs), or null.
 * PrepareRequest looks the plan up; a remembered document holds it (FastRequest).
 */
export function takeFastVariables(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[], plan: VariablePlan | null, inputs: unknown): { [name: string]: unknown } | null {
  const coerced = plan === null ? null : readVariables(plan, inputs);
  if (coerced !== null) rememberVariableInputs(coerced, schema, definitions, inputs as { [name: string]: unknown });
  return coerced;
}

function readVariables(plan: VariablePlan, inputs: unknown): { [name: string]: unknown } | null {
  if (inputs === null || typeof inputs !== "object") return null;
  const given = inputs as Record<string, unknown>;
  const variables = plan.variables;
  const coerced: { [name: string]: unknown } = { ...plan.template };
  for (let v = 0; v < variables.length; v++) {
    const { name, takesAsIs } = variables[v]!;
    if (!Object.hasOwn(given, name)) return null;
    const value = given[name];
    if (value == null || !takesAsIs(value)) return null;
    coerced[name] = value;
  }
  return coerced;
}
