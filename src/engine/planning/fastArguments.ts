// FastArguments: a field's arguments coerced without graphql-js's general walk when they are all plain
// variables (or left to their defaults). Anything else (a literal argument, a missing or null value) returns
// null, and the planner runs graphql-js's getArgumentValues, so results and errors are always graphql-js's
// (spec/plan-cache.md, FastArguments; the variables themselves are request/fastVariables.ts).

import { GraphQLNonNull, Kind, type FieldNode, type GraphQLField } from "graphql";
import { defaultValueOf } from "./graphqlAdapter.js";

/** One argument as FastArguments reads it: from a variable, or its default (`variable` null). */
interface FastArgument {
  readonly name: string;
  readonly variable: string | null;
  readonly defaultValue: unknown;
}

/**
 * A field's arguments as FastArguments reads them, and an object with their names as keys in order (the
 * result starts as its copy, so that each argument is set on a key it has: no new key per argument).
 */
interface ArgumentPlan {
  readonly args: readonly FastArgument[];
  readonly template: { readonly [name: string]: unknown };
}

/** Per field definition and field node (one document may run against several schemas). */
const argumentPlans = new WeakMap<GraphQLField<unknown, unknown>, WeakMap<FieldNode, ArgumentPlan | null>>();

function argumentPlan(fieldDef: GraphQLField<unknown, unknown>, node: FieldNode): ArgumentPlan | null {
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
      const defaultValue = defaultValueOf(arg);
      if (defaultValue !== undefined) plan.push({ name: arg.name, variable: null, defaultValue });
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
  let made: ArgumentPlan | null = null;
  if (plan !== null) {
    const template: { [name: string]: unknown } = {};
    for (const arg of plan) template[arg.name] = undefined;
    made = { args: plan, template };
  }
  byNode.set(node, made);
  return made;
}

/**
 * spec: FastArguments — a field's coerced arguments when every argument given is a plain variable whose
 * value is there and not null (graphql-js then takes the variable's coerced value as it is) and the others
 * have defaults or are left out; else null (graphql-js's getArgumentValues runs).
 */
export function fastArguments(fieldDef: GraphQLField<unknown, unknown>, node: FieldNode, variableValues: { readonly [name: string]: unknown }): Record<string, unknown> | null {
  const plan = argumentPlan(fieldDef, node);
  if (plan === null) return null;
  const args = plan.args;
  const coerced: Record<string, unknown> = { ...plan.template };
  for (let a = 0; a < args.length; a++) {
    const { name, variable, defaultValue } = args[a]!;
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
