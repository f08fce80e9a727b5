// Explain's entry points: explainPlan (a document), explainOperationPlan (a plan, explained once) and
// addExplain (the `explain` execution option). Never plans a second time, never runs a step, and never
// imports execute.ts, which imports this.

import { GraphQLError, getVariableValues, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import type { OperationPlan } from "../operationPlan.js";
import { planCacheFor } from "../planCache.js";
import { getOperation } from "../getOperation.js";
import { resolveLimits } from "../limits.js";
import type { PlanJSON } from "./planJSON.js";
import { planToJSON } from "./planToJSON.js";
import { planToMermaid } from "./planToMermaid.js";

export type {
  PlanJSON,
  LayerJSON,
  LayerReasonType,
  StepJSON,
  DependencyJSON,
  FlagName,
  CollapsedNodeJSON,
  OutputSelectionJSON,
  OutputValueJSON,
} from "./planJSON.js";

/** What `explain` yields: the plan as JSON, and the same plan as Mermaid flowchart text. */
export interface ExplainedPlan {
  readonly json: PlanJSON;
  readonly mermaid: string;
}

/** The `explain` execution option: both forms (true), or only one of them. */
export type ExplainOption = boolean | "json" | "mermaid";

/**
 * spec: ExplainPlan — explains the plan `execute` would use for this document, taken from the plan
 * cache (building it if needed). Variables matter only where the plan depends on them (@skip/@include);
 * values that do not coerce are used as given, so a query can be explained without its variables.
 */
export function explainPlan(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variableValues?: { readonly [name: string]: unknown } | null,
): ExplainedPlan {
  const chosen = getOperation(document, operationName);
  if (chosen instanceof GraphQLError) throw chosen;
  const { operation, fragments } = chosen;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variableValues ?? {});
  const values = coerced.coerced ?? variableValues ?? {};
  const limits = resolveLimits(schema, undefined);
  const plan = planCacheFor(schema).getOperationPlan(schema, document, operationName, operation, fragments, values, limits);
  return explainOperationPlan(plan);
}

const explained = new WeakMap<OperationPlan, ExplainedPlan>();

/** spec: ExplainOperationPlan — a finished plan never changes, so it is explained once and the result is frozen. */
function explainOperationPlan(plan: OperationPlan): ExplainedPlan {
  let out = explained.get(plan);
  if (out === undefined) {
    const json = deepFreeze(planToJSON(plan));
    out = Object.freeze({ json, mermaid: planToMermaid(json) });
    explained.set(plan, out);
  }
  return out;
}

/** spec: AddExplain — adds `extensions.explain` to a result, as the `explain` execution option asks. */
export function addExplain(result: ExecutionResult, plan: OperationPlan, option: ExplainOption | undefined): ExecutionResult {
  if (!option) return result;
  const { json, mermaid } = explainOperationPlan(plan);
  const explain = option === "json" ? { json } : option === "mermaid" ? { mermaid } : { json, mermaid };
  return { ...result, extensions: { ...result.extensions, explain } };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
