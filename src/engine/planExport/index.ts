// planExport/: plans as text another process loads without planning; the plan store tier (spec/plan-export.md).
// exportPlan and importPlan: a plan as JSON text another process can load without planning (see
// spec/plan-export.md); exportBlocker says why a plan cannot be exported. The plan store tier (store.ts)
// uses the same text; these are for callers who move plans themselves (a build step, a deploy). Never
// exports a plan that holds an unnamed closure.

import { GraphQLError, isInputType, typeFromAST, valueFromAST, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { coerceVariableValues } from "../planning/graphqlAdapter.js";
import { getOperation } from "../planning/getOperation.js";
import { planCacheFor } from "../planning/planCache.js";
import { resolveLimits } from "../limits.js";
import { NotExportable, schemaLookups } from "./codec.js";
import { schemaFingerprint } from "./fingerprint.js";
import { exportBlocker } from "./planJson.js";
import { prepareOutputTables } from "./outputJson.js";
import { operationHash, planWarning, readPlan, writePlan } from "./store.js";

export { registerStepClass, type StepClass } from "../stepRegistry.js";
export { PLAN_FORMAT_VERSION, type PlanStore, type PlanWarningHandler } from "./store.js";
// A built plan's blocker, for explain; the public exportBlocker is exportBlockerFor (src/index.ts names it so).
export { exportBlocker } from "./planJson.js";
export { schemaFingerprint } from "./fingerprint.js";

/**
 * spec: PrepareSchemaForImport — what every export and import of a schema's plans reads, worked out once when
 * a schema with a plan store is made (makeSchema), so a fresh process's first import does not: the schema
 * fingerprint, the lookup tables of its fields, types and named functions, the output plan's per-type
 * tables, and the schema's plan cache (which an imported plan goes into). A schema without a plan store
 * works them out on its first export or import.
 */
export function prepareSchemaForImport(schema: GraphQLSchema): void {
  schemaFingerprint(schema);
  schemaLookups(schema);
  prepareOutputTables(schema);
  planCacheFor(schema);
}

/**
 * The operation and the variable values to plan it with. Without values (a plan depends on them only where
 * `@skip`/`@include` read one), the operation's defaults stand in; a value planning needs and has not is
 * then a GraphQLError from planning, which planFor completes with what to pass.
 */
function chooseOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variableValues: { readonly [name: string]: unknown } | undefined) {
  const chosen = getOperation(document, operationName);
  if (chosen instanceof GraphQLError) throw chosen;
  const coerced = coerceVariableValues(schema, chosen.operation.variableDefinitions ?? [], variableValues ?? {});
  if (coerced.errors && variableValues !== undefined) throw coerced.errors[0]!;
  return { ...chosen, variables: coerced.errors ? withDefaults(schema, chosen.operation) : coerced.coerced };
}

/** The operation's variable defaults alone: what a plan made without the request's values reads. */
function withDefaults(schema: GraphQLSchema, operation: OperationDefinitionNode): { [name: string]: unknown } {
  const values: { [name: string]: unknown } = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue === undefined) continue;
    const type = typeFromAST(schema, definition.type);
    if (type !== undefined && isInputType(type)) values[definition.variable.name.value] = valueFromAST(definition.defaultValue, type);
  }
  return values;
}

/** The plan `execute` uses for this request: from the plan cache, built if it has none. */
function planFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variableValues: { readonly [name: string]: unknown } | undefined) {
  const { operation, fragments, variables } = chooseOperation(schema, document, operationName, variableValues);
  try {
    return { operation, plan: planCacheFor(schema).getOperationPlan(schema, document, operationName, operation, fragments, variables, resolveLimits(schema, undefined)) };
  } catch (error) {
    if (variableValues !== undefined || !(error instanceof GraphQLError)) throw error;
    throw new GraphQLError(`${error.message} This operation's plan depends on that variable's value (@skip/@include): pass variableValues to choose the plan.`, {
      nodes: error.nodes,
      extensions: error.extensions,
    });
  }
}

/** What exportPlan's error message says before exportBlocker's text. */
const NOT_EXPORTABLE_PREFIX = "graphscale: this plan cannot be exported: ";

/**
 * spec: ExportPlan — the plan `execute` uses for this document (built if the cache has none) as JSON text.
 * Variable values are needed only when the plan depends on one (`@skip`/`@include` with a variable); without
 * them the operation's defaults stand in. Throws, naming the step, when the plan holds a closure or step
 * class without a registered name: the error's message is NOT_EXPORTABLE_PREFIX followed by exportBlocker's text.
 */
export function exportPlan(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variableValues?: { readonly [name: string]: unknown },
): string {
  const { operation, plan } = planFor(schema, document, operationName, variableValues);
  try {
    return writePlan(plan, operationHash(document, operation));
  } catch (error) {
    if (error instanceof NotExportable) throw new Error(NOT_EXPORTABLE_PREFIX + error.message);
    throw error;
  }
}

/**
 * Public as `exportBlocker` (spec/plan-export.md, ExportPlan): why the plan exportPlan would write for
 * these arguments cannot be exported (the step, layer or part of the plan that holds what cannot be
 * written, and what it is), or null when it can. The same text explain shows; exportPlan's error is
 * NOT_EXPORTABLE_PREFIX and this text. Throws what exportPlan throws for a request error.
 */
export function exportBlockerFor(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variableValues?: { readonly [name: string]: unknown },
): string | null {
  return exportBlocker(planFor(schema, document, operationName, variableValues).plan);
}

/**
 * spec: ImportPlan — puts an exported plan into the plan cache for this document, so `execute` reuses it
 * without planning. Returns false (after a warning) when the text does not fit this schema and document.
 * Needs no variable values: the text carries the constraints its plan holds under, and the plan cache
 * serves it to the requests they hold for. `_variableValues` is accepted for callers written when it was
 * asked for, and not read.
 */
export function importPlan(
  schema: GraphQLSchema,
  document: DocumentNode,
  text: string,
  operationName?: string | null,
  _variableValues?: { readonly [name: string]: unknown },
): boolean {
  const chosen = getOperation(document, operationName);
  if (chosen instanceof GraphQLError) throw chosen;
  const { operation, fragments } = chosen;
  try {
    const plan = readPlan(schema, operation, fragments, operationHash(document, operation), text, resolveLimits(schema, undefined));
    const cache = planCacheFor(schema);
    cache.install(document, operationName, plan);
    cache.stats.plansImported++;
    return true;
  } catch (error) {
    planWarning(schema, `${error instanceof Error ? error.message : String(error)}; the plan will be built again`, error);
    return false;
  }
}
