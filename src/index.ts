// graphscale: plan-based GraphQL execution. The public API of the engine; everything else is internal.

export { makeSchema, type MakeSchemaConfig, type TypePlans, type TypeResolvers, type FieldPlanSpec } from "./engine/makeSchema.js";
export { execute, executeSync, graphql, graphqlSync } from "./engine/execute.js";
export { subscribe } from "./engine/subscribe.js";
export { getPlanCacheStats, type PlanCacheStats } from "./engine/planCache.js";
export {
  explainPlan,
  type ExplainedPlan,
  type ExplainOption,
  type PlanJSON,
  type LayerJSON,
  type LayerReasonType,
  type StepJSON,
  type DependencyJSON,
  type FlagName,
  type CollapsedNodeJSON,
  type OutputSelectionJSON,
  type OutputValueJSON,
} from "./engine/explain/index.js";
export {
  Step,
  fail,
  isFlagged,
  INHIBITED,
  INHIBITED_AS_EMPTY_LIST,
  FLAG_NULL,
  FLAG_ERROR,
  FLAG_INHIBITED,
  FLAGS_NONE,
  FLAGS_ALL,
  type ExecutionDetails,
  type ExecutionResults,
  type DependencyOptions,
  type RequestInfo,
  FlaggedValue,
} from "./engine/step.js";
export type { FieldArgs } from "./engine/fieldArgs.js";
export type { PlanInfo, PlanResolver, TypePlanner, GraphscaleFieldExtensions, GraphscaleTypeExtensions } from "./engine/operationPlan.js";
