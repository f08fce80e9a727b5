// subscribe(args): graphql-js's `subscribe` for plans. The root field's source is a graphql-js `subscribe`
// resolver or a `subscribePlan` step yielding an async iterable; each event runs the operation's cached
// plan with the event as root value. Never plans per event.

import {
  GraphQLError,
  defaultFieldResolver,
  locatedError,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
} from "graphql";
import type { GraphscaleFieldExtensions } from "../planning/planResolver.js";
import { buildOperationPlan } from "../planning/planner.js";
import { collectFields } from "../planning/collectFields.js";
import { fieldDefOf } from "../planning/outputPlan.js";
import { ResultFinish } from "../request/execute.js";
import { prepareRequest, type GraphscaleExecutionArgs } from "../request/prepareRequest.js";
import { executeRequest, type RequestFinish } from "../request/executeRequest.js";
import { maskErrors } from "../request/maskErrors.js";
import { newRootBucket, type RequestState } from "../execution/bucket.js";
import { executeLayer } from "../execution/executeLayer.js";
import { FlaggedValue } from "../flags.js";
import type { PromiseOrValue } from "../promiseOrValue.js";
import { inspect } from "../inspect.js";
import { getOperation } from "../planning/getOperation.js";
import { SOURCE_NOT_A_STREAM_IS_FIELD_ERROR, SUBSCRIPTION_STREAM_IS_ASYNC_GENERATOR, argumentValues, mapEvents17, assertSubscriptionOperation, resolveInfoExtras, variableValuesFor } from "../planning/graphqlAdapter.js";
import { isLiveOperation, liveOperationError, liveQuery, type LiveOptions } from "./live.js";
import { admitLiveQuery } from "./liveRouter.js";

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === "function";
}

/**
 * spec: MapEvents — maps each event of `source` through `fn`, as graphql-js's stream does: the source's own
 * `next`, `return` and `throw` results pass through (a done result unchanged, with its value), a failing
 * `fn` or a `throw` the source cannot take closes the source first (its own failure to close is ignored),
 * and every method answers with a promise, even when the source's method throws or returns a plain result.
 */
function mapEvents<T, U>(source: AsyncIterable<T>, fn: (value: T) => U | Promise<U>): AsyncGenerator<U, void, void> {
  if (SUBSCRIPTION_STREAM_IS_ASYNC_GENERATOR) return mapEvents17(source, fn); // graphql 17's stream (graphqlAdapter)
  const iterator = source[Symbol.asyncIterator]();
  const close = async (): Promise<void> => {
    if (typeof iterator.return !== "function") return;
    try {
      await iterator.return();
    } catch {
      // The error that made us close is the one to report.
    }
  };
  async function mapResult(result: IteratorResult<T>): Promise<IteratorResult<U, void>> {
    if (result.done) return result as IteratorResult<U, void>;
    let value: U;
    try {
      value = await fn(result.value);
    } catch (error) {
      await close();
      throw error;
    }
    return { value, done: false };
  }
  const mapped = {
    next: async () => mapResult(await iterator.next()),
    return: async () => (typeof iterator.return === "function" ? mapResult(await iterator.return()) : { value: undefined, done: true as const }),
    throw: async (error?: unknown) => {
      if (typeof iterator.throw === "function") return mapResult(await iterator.throw(error));
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
    // `await using`: closes the source like an early `return()`.
    [Symbol.asyncDispose]: async () => {
      await mapped.return();
    },
  };
  return mapped as AsyncGenerator<U, void, void>;
}

/** spec: CreateSourceEventStream — the root field's event stream, or graphql-js's errors. */
async function createSourceEventStream(
  args: ExecutionArgs,
  request: RequestState,
): Promise<AsyncIterable<unknown> | ExecutionResult> {
  const plan = request.plan;
  // As graphql-js: the schema's subscription type, whatever the operation (input that skipped validation).
  const rootType = args.schema.getSubscriptionType();
  if (rootType == null) {
    return { errors: [new GraphQLError("Schema is not configured to execute subscription operation.", { nodes: plan.operation })] };
  }
  const fields = collectFields(
    { schema: plan.schema, fragments: plan.fragments, variableValues: request.variableValues, recordConstraint: () => undefined },
    rootType,
    plan.operation.selectionSet,
  );
  const first = fields.entries().next().value as [string, FieldNode[]] | undefined;
  if (!first) return { errors: [new GraphQLError("Must provide an operation.")] };
  const [responseKey, fieldNodes] = first;
  const fieldName = fieldNodes[0]!.name.value;
  // graphql-js's getFieldDef: meta fields too (`__typename` then has no stream, and rejects below).
  const fieldDef = fieldDefOf(args.schema, rootType, fieldName);
  if (!fieldDef) {
    return { errors: [new GraphQLError(`The subscription field "${fieldName}" is not defined.`, { nodes: fieldNodes })] };
  }
  const path = [responseKey];
  let eventStream: unknown;
  try {
    const ext = fieldDef.extensions?.graphscale as GraphscaleFieldExtensions | undefined;
    // The source plan is planned on the operation's root type, so only a subscription operation has one.
    if (ext?.subscribePlan && plan.operation.operation === "subscription") {
      // The source plan is built per subscription (not per event) and run once with the real root value.
      const sourcePlan = buildOperationPlan(args.schema, plan.operation, plan.fragments, request.variableValues, "subscriptionSource");
      const sourceRequest: RequestState = { ...request, plan: sourcePlan, globals: new Array(sourcePlan.steps.length), globalDone: [] };
      const root = newRootBucket(sourceRequest);
      await executeLayer(sourceRequest, root);
      const $source = sourcePlan.sourceStep!;
      eventStream = $source.isGlobal ? sourceRequest.globals[$source.id] : root.values[$source.id]?.[0];
      if (eventStream instanceof FlaggedValue) throw eventStream.error;
    } else {
      const resolve: GraphQLFieldResolver<unknown, unknown> =
        fieldDef.subscribe ?? (args.subscribeFieldResolver as GraphQLFieldResolver<unknown, unknown> | undefined) ?? defaultFieldResolver;
      const info: GraphQLResolveInfo = {
        ...resolveInfoExtras(request),
        fieldName,
        fieldNodes,
        returnType: fieldDef.type,
        parentType: rootType,
        path: { prev: undefined, key: responseKey, typename: rootType.name },
        schema: args.schema,
        fragments: plan.fragments as GraphQLResolveInfo["fragments"],
        rootValue: args.rootValue,
        operation: plan.operation,
        variableValues: variableValuesFor(request.variableValues),
      } as unknown as GraphQLResolveInfo; // 17's getAbortSignal/getAsyncHelpers come from resolveInfoExtras
      const fieldArgs = argumentValues(fieldDef, fieldNodes[0]!, request.variableValues);
      eventStream = await resolve(args.rootValue, fieldArgs, args.contextValue, info);
    }
    if (eventStream instanceof Error) throw eventStream;
    if (SOURCE_NOT_A_STREAM_IS_FIELD_ERROR && !isAsyncIterable(eventStream)) throw new GraphQLError(notAStream(eventStream));
  } catch (error) {
    return { errors: [locatedError(error, fieldNodes, path)] };
  }
  // As in graphql-js: a source that is not a stream is a programming error, so the promise rejects.
  if (!isAsyncIterable(eventStream)) throw new Error(notAStream(eventStream));
  return eventStream;
}

const notAStream = (value: unknown) => `Subscription field must return Async Iterable. Received: ${inspect(value)}.`;

/**
 * graphql-js's `subscribe`: a promise of an async iterator of results (one per event), or of a result with
 * errors when the subscription cannot start.
 */
export async function subscribe(
  args: GraphscaleExecutionArgs & { live?: LiveOptions },
): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> {
  const chosen = args.document ? getOperation(args.document, args.operationName) : null;
  if (chosen !== null && !(chosen instanceof GraphQLError) && isLiveOperation(chosen.operation)) {
    const error = liveOperationError(chosen.operation, args.live);
    if (error !== null) return { errors: [error] };
    const prepared = prepareRequest(args);
    if ("errors" in prepared) return { errors: prepared.errors };
    const refused = admitLiveQuery(args.live!.maxLiveQueries);
    if (refused !== null) return { errors: [refused] };
    return liveQuery(args, args.live!);
  }
  const prepared = prepareRequest(args);
  if ("errors" in prepared) return { errors: prepared.errors };
  const { request } = prepared;
  assertSubscriptionOperation(request.plan.operation);
  const source = await createSourceEventStream(args, request);
  if (!isAsyncIterable(source)) return maskErrors(source, args);
  // Each event's result is finished as execute finishes a request's: internal errors masked (spec/errors.md),
  // and a run that failed inside is an error result, not a rejected `next()` carrying the raw error.
  const finish = new ResultFinish(request.plan, args);
  return mapEvents(source, (payload) => mapSourceToResponse(request, payload, finish));
}

/** spec: MapSourceToResponse — each event runs the cached plan with the event as the root value. */
function mapSourceToResponse(request: RequestState, payload: unknown, finish: RequestFinish<ExecutionResult>): PromiseOrValue<ExecutionResult> {
  const globals = new Array(request.plan.steps.length);
  return executeRequest({ ...request, rootValue: payload, globals, globalDone: [] }, finish);
}
