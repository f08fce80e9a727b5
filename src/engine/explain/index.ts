// explain/: the plan as JSON and as a Mermaid diagram, for explainPlan and `explain` (spec/explain.md).
// Explain's entry points: explainPlan (a document), explainOperationPlan (a plan, explained once) and
// addExplain (the `explain` execution option). Never plans a second time, never runs a step, and never
// imports request/, which imports this.

import { GraphQLError, Kind, visit, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import { coerceVariableValues } from "../planning/graphqlAdapter.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { planCacheFor } from "../planning/planCache.js";
import { buildOperationPlan } from "../planning/planner.js";
import { getOperation } from "../planning/getOperation.js";
import { resolveLimits } from "../limits.js";
import type { PlanJSON } from "./planJSON.js";
import { planToJSON } from "./planToJSON.js";
import { planToMermaid } from "./planToMermaid.js";

export type {
  PlanJSON,
  ExportBlockerJSON,
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
  const coerced = coerceVariableValues(schema, operation.variableDefinitions ?? [], variableValues ?? {});
  const values = coerced.coerced ?? withConditionsShown(document, variableValues ?? {});
  const limits = resolveLimits(schema, undefined);
  const plan = planCacheFor(schema).getOperationPlan(schema, document, operationName, operation, fragments, values, limits);
  if (!plan.hasUnplannedBranches()) return explainOperationPlan(plan);
  // Read without a request, a plan with unplanned branches (partial planning) is shown whole, as full planning makes it.
  let whole = wholePlans.get(plan);
  if (whole === undefined) wholePlans.set(plan, (whole = buildOperationPlan(schema, operation, fragments, values, "response", limits, false)));
  return explainOperationPlan(whole);
}

/**
 * The values as given, with each @skip/@include variable that is not a boolean set so that its fields are
 * shown (@include's true, @skip's false; true when one variable is used by both): a plan needs a value there.
 */
function withConditionsShown(document: DocumentNode, given: { readonly [name: string]: unknown }): { [name: string]: unknown } {
  const values: { [name: string]: unknown } = { ...given };
  const included = new Map<string, boolean>(); // variable → whether some @include uses it
  visit(document, {
    Directive(node) {
      if (node.name.value !== "skip" && node.name.value !== "include") return;
      const condition = node.arguments?.find((argument) => argument.name.value === "if")?.value;
      if (condition?.kind !== Kind.VARIABLE) return;
      const name = condition.name.value;
      included.set(name, included.get(name) === true || node.name.value === "include");
    },
  });
  for (const [name, include] of included) if (typeof (Object.hasOwn(given, name) ? given[name] : undefined) !== "boolean") values[name] = include;
  return values;
}

const wholePlans = new WeakMap<OperationPlan, OperationPlan>();
const explained = new WeakMap<OperationPlan, { readonly branches: number; readonly out: ExplainedPlan }>();

/**
 * spec: ExplainOperationPlan — a finished plan changes only when partial planning adds a branch, so it is
 * explained once per set of branches and the result is frozen.
 */
function explainOperationPlan(plan: OperationPlan): ExplainedPlan {
  const known = explained.get(plan);
  if (known !== undefined && known.branches === plan.branchesPlanned) return known.out;
  const json = deepFreeze(planToJSON(plan));
  const out = Object.freeze({ json, mermaid: planToMermaid(json) });
  explained.set(plan, { branches: plan.branchesPlanned, out });
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
