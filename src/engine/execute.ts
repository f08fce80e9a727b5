// execute / graphql: graphql-js's entry points with graphql-js's argument objects and result shapes, so
// graphscale drops into anything that accepts an `execute` function. Request errors (bad document,
// unknown operation, variable coercion) are exactly graphql-js's; fields run through the cached plan.

import {
  GraphQLError,
  assertValidSchema,
  getVariableValues,
  parse,
  validate,
  validateSchema,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLArgs,
  type GraphQLSchema,
} from "graphql";
import { LRUCache } from "lru-cache";
import { planCacheFor } from "./planCache.js";
import { isPromiseLike, type PromiseOrValue } from "./promiseOrValue.js";
import type { RequestState } from "./execution/bucket.js";
import { executeRequest } from "./execution/executeRequest.js";
import { addExplain, type ExplainOption } from "./explain/index.js";
import { getOperation } from "./getOperation.js";
import type { OperationPlan } from "./operationPlan.js";

/** graphql-js's assertions on the arguments themselves (thrown, not returned, as graphql-js does). */
function assertValidExecutionArguments(schema: GraphQLSchema, document: DocumentNode, variableValues: unknown): void {
  if (!document) throw new Error("Must provide document.");
  assertValidSchema(schema);
  if (variableValues != null && (typeof variableValues !== "object" || Array.isArray(variableValues))) {
    throw new Error(
      "Variables must be provided as an Object where each property is a variable value. Perhaps look to see if an unparsed JSON string was provided.",
    );
  }
}

/** spec: PrepareRequest — a request ready to run: the plan and coerced variables, or the request errors graphql-js would give. */
export function prepareRequest(
  args: ExecutionArgs,
): { request: RequestState } | { errors: readonly GraphQLError[]; data?: null } {
  const { schema, document, operationName, rootValue, contextValue, fieldResolver, typeResolver } = args;
  assertValidExecutionArguments(schema, document, args.variableValues);
  const chosen = getOperation(document, operationName);
  if (chosen instanceof GraphQLError) return { errors: [chosen] };
  const { operation, fragments } = chosen;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], args.variableValues ?? {}, {
    maxErrors: args.options?.maxCoercionErrors ?? 50,
    hideSuggestions: args.hideSuggestions ?? false,
  } as { maxErrors: number });
  if (coerced.errors) return { errors: coerced.errors };
  const variableValues = coerced.coerced;
  let plan: OperationPlan;
  try {
    plan = planCacheFor(schema).getOperationPlan(schema, document, operationName, operation, fragments, variableValues);
  } catch (error) {
    // graphql-js reports an operation its schema cannot run as a field-less failure with data null.
    if (error instanceof GraphQLError) return { errors: [error], data: null };
    throw error;
  }
  return {
    request: {
      plan,
      contextValue,
      rootValue,
      variableValues,
      fieldResolver: fieldResolver ?? null,
      typeResolver: typeResolver ?? null,
      globals: new Array(plan.steps.length),
      globalDone: new Uint8Array(plan.steps.length),
    },
  };
}

/**
 * Executes an operation as graphql-js's `execute` does: same arguments, same result shape. Returns a
 * plain result (not a promise) when no step of the plan was asynchronous.
 */
export function execute(args: ExecutionArgs & { explain?: ExplainOption }): PromiseOrValue<ExecutionResult> {
  const prepared = prepareRequest(args);
  if ("errors" in prepared) return prepared.data === null ? { errors: prepared.errors, data: null } : { errors: prepared.errors };
  const result = executeRequest(prepared.request);
  if (isPromiseLike(result)) {
    const settled = result.then(undefined, (error: unknown) => ({ errors: [toGraphQLError(error)], data: null }));
    // `explain: true` adds the plan as `extensions.explain` ({ json, mermaid }); see spec/explain.md.
    return args.explain ? settled.then((r) => addExplain(r, prepared.request.plan, args.explain)) : settled;
  }
  return args.explain ? addExplain(result, prepared.request.plan, args.explain) : result;
}

/** Like graphql-js's executeSync: throws if execution did not complete synchronously. */
export function executeSync(args: ExecutionArgs & { explain?: ExplainOption }): ExecutionResult {
  const result = execute(args);
  if (isPromiseLike(result)) throw new Error("GraphQL execution failed to complete synchronously.");
  return result;
}

function toGraphQLError(error: unknown): GraphQLError {
  return error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined });
}

/** Parsed and validated documents per schema, by source text: a repeated query skips both. */
const documents = new WeakMap<GraphQLSchema, LRUCache<string, { document: DocumentNode } | { errors: readonly GraphQLError[] }>>();

function parseAndValidate(schema: GraphQLSchema, source: GraphQLArgs["source"], hideSuggestions: boolean): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
  const text = typeof source === "string" ? source : null;
  let cache = documents.get(schema);
  if (text !== null && cache !== undefined) {
    const hit = cache.get(text);
    // A copy of a cached error list: callers may add to or filter the errors they get, as graphql-js's are theirs.
    if (hit !== undefined && !hideSuggestions) return "errors" in hit ? { errors: hit.errors.slice() } : hit;
  }
  let outcome: { document: DocumentNode } | { errors: readonly GraphQLError[] };
  try {
    const document = parse(source);
    const errors = validate(schema, document, undefined, { hideSuggestions } as never);
    outcome = errors.length > 0 ? { errors } : { document };
  } catch (syntaxError) {
    return { errors: [syntaxError as GraphQLError] };
  }
  if (text !== null && !hideSuggestions) {
    if (cache === undefined) documents.set(schema, (cache = new LRUCache({ max: 500 })));
    cache.set(text, outcome);
  }
  return outcome;
}

function graphqlImpl(args: GraphQLArgs): PromiseOrValue<ExecutionResult> {
  const { schema, source, rootValue, contextValue, variableValues, operationName, fieldResolver, typeResolver } = args;
  const schemaErrors = validateSchema(schema);
  if (schemaErrors.length > 0) return { errors: schemaErrors };
  const parsed = parseAndValidate(schema, source, Boolean((args as { hideSuggestions?: boolean }).hideSuggestions));
  if ("errors" in parsed) return { errors: parsed.errors };
  return execute({ schema, document: parsed.document, rootValue, contextValue, variableValues, operationName, fieldResolver, typeResolver });
}

/** graphql-js's `graphql`: parse, validate and execute; always a promise, as graphql-js's is. */
export function graphql(args: GraphQLArgs): Promise<ExecutionResult> {
  return new Promise((resolve) => resolve(graphqlImpl(args)));
}

/** graphql-js's `graphqlSync`: throws if execution did not complete synchronously. */
export function graphqlSync(args: GraphQLArgs): ExecutionResult {
  const result = graphqlImpl(args);
  if (isPromiseLike(result)) throw new Error("GraphQL execution failed to complete synchronously.");
  return result;
}
