// Engine entry: everything `graphscale` exports, from the phase folders and the Step API (spec/README.md).
// Names only what users write; never re-exports an internal of a phase. makeSchema.ts is the entry's other file.

export { makeSchema, type MakeSchemaConfig, type TypePlans, type TypeResolvers, type FieldPlanSpec } from "./makeSchema.js";
export { execute, executeSync, executeToJSON, graphql, graphqlSync, type GraphscaleArgs } from "./request/execute.js";
export type { GraphscaleExecutionArgs } from "./request/prepareRequest.js";
export { createBatchedExecute, type BatchedExecute, type BatchedExecuteOptions, type BatchedExecutionArgs } from "./batching/createBatchedExecute.js";
export type { StepBatcherStats } from "./batching/stepBatcher.js";
export { DEFAULT_LIMITS, type Limits } from "./limits.js";
export { INTERNAL_ERROR, isInternalError, type InternalErrorReport, type ErrorMaskingOptions } from "./request/maskErrors.js";
export { subscribe } from "./live/subscribe.js";
export { experimentalExecuteIncrementally } from "./incremental/experimentalExecuteIncrementally.js";
export type { ExperimentalIncrementalExecutionResults, InitialIncrementalExecutionResult } from "./incremental/results.js";
export type { PendingResult, SubsequentResult } from "./incremental/workQueue.js";
export { GraphQLLiveDirective, type LiveSource, type LiveOptions, type LiveRunInfo, type LivePatchResult } from "./live/live.js";
export type { JsonPatchOperation } from "./live/jsonPatch.js";
export { recordDependency, dependenciesOf, type StepDependencies } from "./deps.js";
export { getPlanCacheStats, type PlanCacheStats } from "./planning/planCache.js";
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
} from "./planExport/index.js";
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
} from "./explain/index.js";
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
} from "./step.js";
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
} from "./flags.js";
// The steps the engine itself plans with; graphscale/steps re-exports them beside the rest of the library.
export { isPromiseLike, type PromiseOrValue } from "./promiseOrValue.js";
export { mapResults, MappedResults } from "./mappedResults.js";
export { constant, ConstantStep } from "./planning/steps/constant.js";
export { rootValue, RootValueStep } from "./planning/steps/rootValue.js";
export { each, EachStep } from "./planning/steps/each.js";
export type { FieldArgs, ArgName } from "./planning/fieldArgs.js";
export type { PlanInfo, PlanResolver, TypePlanner, GraphscaleFieldExtensions, GraphscaleTypeExtensions } from "./planning/planResolver.js";
