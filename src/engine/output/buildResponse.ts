// output/: the response built from the layers' results in one read-only pass (spec/output.md).
// BuildResponse: the GraphQL response from the layers' results, in one completion pass. Entries that were
// promises are completed as graphql-js completes them only when the request had such entries and the
// compiled output gave up (the order of completion shows only through errors, on which it gives up). Mutation fields are completed one at a time as the request's
// scheduler runs them (request/executeRequest.ts). Reads buckets only; runs no step, except the property
// reads of list layers the executor left for the compiled output to walk, when it does not build the
// response after all (OpenWalkedLists).

import type { GraphQLError } from "graphql";
import type { OutputField } from "../planning/outputPlan.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import type { Bucket, RequestState, ResponseData } from "../execution/bucket.js";
import { newOutputContext, response, type OutputContext } from "./context.js";
import { executeField, executeFields } from "./completeValue.js";
import { compiledOutputOf, firstOutputUse } from "./compileOutput.js";
import { compiledJSONOutputOf } from "./compileJSON.js";
import { openWalkedLists } from "../execution/openWalkedLists.js";

/** `data` already written as JSON text by the compiled output (executeToJSON only). */
export class RawJSON {
  constructor(readonly text: string) {}
}

/**
 * spec: BuildResponse — completes the query or subscription event's response from the root bucket (at
 * `entry`: a request a window adopted has its root entry in the window's merged root bucket).
 */
export function buildResponse(request: RequestState, rootBucket: Bucket, entry = 0): PromiseOrValue<ResponseData> {
  // A request's fieldResolver replaces the default resolver that Resolver steps read inline: the interpretive output calls it.
  const compileOutput = request.compileOutput && request.fieldResolver === null;
  if (compileOutput && request.jsonText === true) {
    const compiled = compiledJSONOutputOf(request.plan);
    if (compiled !== null) {
      try {
        return { data: new RawJSON(compiled(rootBucket, request.globals, request.limits.maxResponseEntries - request.entries, entry)) as unknown as Record<string, unknown> };
      } catch {
        // As below: the interpretive output builds the response.
      }
    }
  }
  let plainObjects = false;
  if (compileOutput) {
    const compiled = compiledOutputOf(request.plan);
    // The plan's first response: its code is generated, compiled on its second (CompiledOutputOf).
    if (compiled === undefined) plainObjects = firstOutputUse(request.plan);
    else if (compiled !== null) {
      try {
        return { data: compiled(rootBucket, request.globals, request.limits.maxResponseEntries - request.entries, entry) };
      } catch {
        // Something the compiled output does not handle (an error, a null at a non-null position, an odd
        // value): the interpretive output builds the response, errors and all.
      }
    }
  }
  if (request.walkedLists === "left") {
    // The interpretive output reads buckets: the list layers left for the compiled output are opened first
    // (below a window's merged root, by the merged run, for all its entries: AdoptWindow).
    const opened = openWalkedLists(request.batch?.merged ?? request, rootBucket);
    if (opened !== undefined) return opened.then(() => completeInterpretively(request, rootBucket, entry, false, plainObjects));
  }
  return completeInterpretively(request, rootBucket, entry, false, plainObjects);
}

function completeInterpretively(request: RequestState, rootBucket: Bucket, entry: number, settled = false, plainObjects = false): PromiseOrValue<ResponseData> {
  const awaitPromised = settled || request.promisedEntries === true;
  const ctx = newOutputContext(request, awaitPromised);
  // Plain objects as the compiled output would build them (NewResponseObject).
  if (plainObjects) ctx.plainObjects = [];
  const response = completeResponse(ctx, () => executeFields(ctx, request.plan.root, rootBucket, entry, undefined));
  // A resolver read inline was called and gave promises: once they settle (as its step would have awaited
  // them), complete again, awaiting them (this pass's result is dropped; its calls are kept).
  if (!settled && (ctx.inlineCalls !== null || (awaitPromised && isPromiseLike(response)))) {
    // Calls are made as positions are reached, some of them after promises: the pass is done first.
    const again = (): PromiseOrValue<ResponseData> => {
      const calls = ctx.inlineCalls;
      if (calls === null) return response;
      return Promise.all(calls.map((p) => Promise.resolve(p).catch(() => undefined))).then(() => completeInterpretively(request, rootBucket, entry, true, plainObjects));
    };
    return isPromiseLike(response) ? Promise.resolve(response).then(again) : again();
  }
  if (!ctx.promisedRead) return response;
  // A property read inline gave a promise: complete again, awaiting it (this pass's result is dropped).
  const awaiting = newOutputContext(request, true);
  if (plainObjects) awaiting.plainObjects = [];
  return completeResponse(awaiting, () => executeFields(awaiting, request.plan.root, rootBucket, entry, undefined));
}

/** A completion of mutation fields: they always await promised entries, since later fields wait for them. */
export function newMutationOutput(request: RequestState): OutputContext {
  return newOutputContext(request, true);
}

/** spec: CompleteResponse — `data`, or null with the error when completing the root fails. */
export function completeResponse(ctx: OutputContext, complete: () => PromiseOrValue<Record<string, unknown>>): PromiseOrValue<ResponseData> {
  let data: PromiseOrValue<Record<string, unknown>>;
  try {
    data = complete();
  } catch (error) {
    ctx.errors.add(error as GraphQLError, undefined);
    return response(null, ctx);
  }
  if (!isPromiseLike(data)) return response(data, ctx);
  return data.then(
    (resolved) => response(resolved, ctx),
    (error: unknown) => {
      ctx.errors.add(error as GraphQLError, undefined);
      return response(null, ctx);
    },
  );
}

/** spec: CompleteMutationField — one root mutation field's value from its layer's bucket; throws (or rejects) to null the response. */
export function completeMutationField(ctx: OutputContext, field: OutputField, bucket: Bucket): PromiseOrValue<unknown> {
  if (field.value === null) return ctx.request.plan.root.type.name;
  return executeField(ctx, field, bucket, 0, undefined, ctx.request.plan.root.type.name);
}
