// What users attach to a schema to plan it: plan resolvers for fields, type planners for abstract types, and
// the `extensions.graphscale` shapes that carry them. Types and one lookup only; never runs a plan.

import type { FieldNode, FragmentDefinitionNode, GraphQLField, GraphQLObjectType, GraphQLOutputType, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { Step } from "../step.js";
import type { FieldArgs } from "./fieldArgs.js";

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

/**
 * A field's plan: `$parent` is the step of the parent value (typed `Step<TParent>` by `graphscale typegen`,
 * so `$parent.get(key)` checks `key`), `args.get(name)` checks `name` against `TArgs`.
 */
export type PlanResolver<TParent = any, TArgs = any> = ($parent: Step<TParent>, args: FieldArgs<TArgs>, info: PlanInfo) => Step;
export type TypePlanner = ($value: Step) => Step;

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

/** The schema's plan context (`makeSchema({ planContext })`), read by `Step.validatePlan`. */
export function planContextOf(schema: GraphQLSchema): { readonly [key: string]: unknown } {
  return (schema.extensions?.graphscale as { planContext?: { readonly [key: string]: unknown } } | undefined)?.planContext ?? {};
}

export function fieldPlanOf(fieldDef: GraphQLField<unknown, unknown>): PlanResolver | undefined {
  return (fieldDef.extensions?.graphscale as GraphscaleFieldExtensions | undefined)?.plan;
}
