// incremental/: @defer and @stream delivered as graphql-js 17 delivers them (spec/incremental.md).
// experimentalExecuteIncrementally: graphql-js 17's entry of that name, over the plan. The initial payload
// is built without the deferred layers (they never run beside their siblings); then the deferred
// tasks started at once run their layers for all their entries together. An operation without either directive runs as `execute`
// runs it: this entry is the only module of incremental/ loaded statically; the delivery itself
// (deliver.ts, the work queue) is imported on the first plan with an active @defer/@stream.

import { GraphQLError, type ExecutionResult } from "graphql";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { GRAPHQL_MAJOR } from "../planning/graphqlAdapter.js";
import { prepareRequestWithStore, type GraphscaleExecutionArgs, type Prepared } from "../request/prepareRequest.js";
import { executeRequest } from "../request/executeRequest.js";
import { maskErrors, toGraphQLError } from "../request/maskErrors.js";
import type { ExperimentalIncrementalExecutionResults } from "./results.js";

/**
 * spec: ExperimentalExecuteIncrementally — graphql-js 17's `experimentalExecuteIncrementally`: a plain
 * result when nothing is deferred or streamed (or the directives' `if:` is false), else the initial
 * payload with what is pending, and the later payloads.
 */
export function experimentalExecuteIncrementally(
  args: GraphscaleExecutionArgs,
): PromiseOrValue<ExecutionResult | ExperimentalIncrementalExecutionResults> {
  if (GRAPHQL_MAJOR < 17) {
    throw new Error("graphscale: experimentalExecuteIncrementally needs graphql 17 (graphql 16 has no @defer or @stream); use execute.");
  }
  // The interpretive output: incremental delivery reads every bucket on the way to a deferred fragment.
  const prepared = prepareRequestWithStore({ ...args, compileOutput: false });
  return isPromiseLike(prepared) ? prepared.then((p) => runPrepared(p, args)) : runPrepared(prepared, args);
}

function runPrepared(prepared: Prepared, args: GraphscaleExecutionArgs): PromiseOrValue<ExecutionResult | ExperimentalIncrementalExecutionResults> {
  if ("errors" in prepared) return prepared.data === null ? { errors: prepared.errors, data: null } : { errors: prepared.errors };
  const request = prepared.request;
  // Internal errors reach the client masked, in every payload, as execute masks them (spec/errors.md).
  const mask = (result: ExecutionResult): ExecutionResult => (result.errors === undefined ? result : maskErrors(result, args));
  if (!request.plan.incremental) {
    const result = executeRequest(request);
    return isPromiseLike(result) ? result.then(mask, failed) : mask(result);
  }
  if (request.plan.operation.operation === "subscription") {
    // graphql-js 17's validation refuses @defer/@stream on a subscription's root (DeferStreamDirectiveOnRootField).
    return { errors: [new GraphQLError("graphscale: @defer and @stream are not delivered for a subscription operation; use subscribe.")], data: null };
  }
  if (delivery !== undefined) return delivery.deliverIncrementally(request, mask);
  return loadDelivery().then((loaded) => loaded.deliverIncrementally(request, mask), failed);
}

type Delivery = typeof import("./deliver.js");
/** The delivery module once loaded: later requests run it without waiting for an import. */
let delivery: Delivery | undefined;

/** spec: LoadDelivery — the incremental delivery code, imported on first use. */
async function loadDelivery(): Promise<Delivery> {
  delivery ??= await import("./deliver.js");
  return delivery;
}

function failed(error: unknown): ExecutionResult {
  return { errors: [toGraphQLError(error)], data: null };
}
