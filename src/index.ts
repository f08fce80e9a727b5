// graphscale: plan-based GraphQL execution. The public API of the engine; everything else is internal.

export { makeSchema, type MakeSchemaConfig, type TypePlans, type TypeResolvers, type FieldPlanSpec } from "./engine/makeSchema.js";
export { execute, executeSync, executeToJSON, graphql, graphqlSync, type GraphscaleExecutionArgs, type GraphscaleArgs } from "./engine/execute.js";
export { createBatchedExecute, type BatchedExecute, type BatchedExecuteOptions, type BatchedExecutionArgs } from "./engine/batching/createBatchedExecute.js";
export type { StepBatcherStats } from "./engine/batching/stepBatcher.js";
export { DEFAULT_LIMITS, type Limits } from "./engine/limits.js";
export { INTERNAL_ERROR, isInternalError, type InternalErrorReport, type ErrorMaskingOptions } from "./engine/maskErrors.js";
export { subscribe } from "./engine/subscribe.js";
export { GraphQLLiveDirective, type LiveSource, type LiveOptions, type LiveRunInfo, type LivePatchResult } from "./engine/live.js";
export type { JsonPatchOperation } from "./engine/jsonPatch.js";
export { recordDependency, dependenciesOf, type StepDependencies } from "./engine/deps.js";
export { getPlanCacheStats, type PlanCacheStats } from "./engine/planCache.js";
export {
  exportPlan,
  importPlan,
  exportBlockerFor as exportBlocker,
  schemaFingerprint,
  registerStepClass,
  PLAN_FORMAT_VERSION,
  type StepClass,
  type PlanStore,
  type PlanWarningHandler,
} from "./engine/planExport/index.js";
export {
  explainPlan,
  type ExplainedPlan,
  type ExplainOption,
  type PlanJSON,
  type ExportBlockerJSON,
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
  AccessStep,
  type ExecutionDetails,
  type ExecutionResults,
  type DependencyOptions,
  type RequestInfo,
  type OptimizeContext,
  type PlanValidationContext,
  type StepKey,
  type StepValue,
} from "./engine/step.js";
export {
  fail,
  isFlagged,
  INHIBITED,
  INHIBITED_AS_EMPTY_LIST,
  FLAG_NULL,
  FLAG_ERROR,
  FLAG_INHIBITED,
  FLAGS_NONE,
  FLAGS_ALL,
  FlaggedValue,
} from "./engine/flags.js";
// The steps the engine itself plans with; graphscale/steps re-exports them beside the rest of the library.
export { isPromiseLike, type PromiseOrValue } from "./engine/promiseOrValue.js";
export { mapResults, MappedResults } from "./engine/mappedResults.js";
export { constant, ConstantStep } from "./engine/steps/constant.js";
export { rootValue, RootValueStep } from "./engine/steps/rootValue.js";
export { each, EachStep } from "./engine/steps/each.js";
export type { FieldArgs, ArgName } from "./engine/fieldArgs.js";
export type { PlanInfo, PlanResolver, TypePlanner, GraphscaleFieldExtensions, GraphscaleTypeExtensions } from "./engine/planResolver.js";
