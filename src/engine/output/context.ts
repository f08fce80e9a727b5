// The output's shared state and small rules: the errors collected while completing, response paths, and
// graphql-js's handling of a field error (a non-null position passes it up, a nullable one records it).
// Reads layer results only; never writes into a bucket, never runs a step.

import { GraphQLBoolean, GraphQLError, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLString, locatedError, type GraphQLLeafType } from "graphql";
import { FlaggedValue, FLAG_ERROR, fail } from "../flags.js";
import type { Step } from "../step.js";
import type { Path } from "../planning/resolveInfo.js";
import type { OutputField } from "../planning/outputPlan.js";
import { promisedItemsOf } from "../promisedItems.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { inspect } from "../inspect.js";
import { entryPaths, valueAt, type Bucket, type RequestState, type ResponseData } from "../execution/bucket.js";
import { ResolverStep, readResolverInline } from "../planning/steps/resolver.js";
import { COMPLETES_PROMISES_IN_ASYNC_FUNCTIONS, OUTPUT_COERCION_NAME } from "../planning/graphqlAdapter.js";

/**
 * graphql-js's CollectedErrors: an error is recorded at the position it nulled; an error arriving under a
 * position that was already nulled (a later, asynchronous one) is dropped, as graphql-js drops it.
 */
class CollectedErrors {
  readonly errors: GraphQLError[] = [];
  private readonly nulledPositions = new Set<Path | undefined>();

  add(error: GraphQLError, path: Path | undefined): void {
    for (let p = path; p !== undefined; p = p.prev) if (this.nulledPositions.has(p)) return;
    if (this.nulledPositions.has(undefined)) return;
    this.nulledPositions.add(path);
    this.errors.push(error);
  }

  /** An error of a completion in place: nothing is pending, so no position above it was nulled before. */
  addInPlace(error: GraphQLError): void {
    this.errors.push(error);
  }
}

export interface OutputContext {
  readonly request: RequestState;
  readonly errors: CollectedErrors;
  /**
   * Whether entries that were promises are completed as promises (graphql-js's order), with a Path object
   * per position; otherwise everything is completed in place and the position's path is `stack`.
   */
  readonly awaitPromised: boolean;
  readonly stack: Array<string | number>;
  /**
   * Set when a property read inline (no step ran it) gave a promise while completing in place: the
   * response is then completed again, awaiting it, as the read's step would have had it awaited.
   */
  promisedRead: boolean;
  /**
   * The promises that calls made while reading Resolver steps inline gave in this pass (ReadResolverInline):
   * the response is completed again once they have settled, as the step would have had them settled.
   */
  inlineCalls: Array<PromiseLike<unknown>> | null;
  /** Items of lists of leaves completed so far: with the request's entries, held to maxResponseEntries. */
  leafEntries: number;
  /**
   * NewResponseObject: on a plan's first response, when its output code was generated (CompiledOutputOf),
   * the objects built so far, plain as the compiled output builds them; null-prototype again if the
   * response has errors (on which the compiled output gives up). Null: graphql-js's null-prototype objects.
   */
  plainObjects: object[] | null;
}

export function newOutputContext(request: RequestState, awaitPromised: boolean): OutputContext {
  return { request, errors: new CollectedErrors(), awaitPromised, stack: [], promisedRead: false, inlineCalls: null, leafEntries: 0, plainObjects: null };
}

export function addPath(prev: Path | undefined, key: string | number, typename: string | undefined): Path {
  return { prev, key, typename };
}

function pathToArray(path: Path | undefined): Array<string | number> {
  const out: Array<string | number> = [];
  for (let p = path; p !== undefined; p = p.prev) out.push(p.key);
  return out.reverse();
}

/** spec: NewResponseObject — an object of the response: plain on a plan's first response with generated code, else null-prototype. */
export function newResponseObject(ctx: OutputContext): Record<string, unknown> {
  const made = ctx.plainObjects;
  if (made === null) return Object.create(null) as Record<string, unknown>;
  const object = {};
  made.push(object);
  return object;
}

export function response(data: unknown, ctx: OutputContext): ResponseData {
  const errors = ctx.errors.errors;
  const made = ctx.plainObjects;
  if (made !== null && errors.length > 0) for (let i = 0; i < made.length; i++) Object.setPrototypeOf(made[i]!, null);
  const result = data as Record<string, unknown> | null;
  return errors.length === 0 ? { data: result } : { errors, data: result };
}

/**
 * A position's value: the step's own, or for a step read inline, the property of its dependency's value —
 * as the step would have given it: a getter that throws is an error at this position, and a promise is
 * awaited (see `promisedRead` and `isPromised`).
 */
export function outputValueAt(ctx: OutputContext, step: Step, bucket: Bucket, entry: number): unknown {
  const path = step.inlined;
  if (path === null) return valueAt(ctx.request, bucket, step, entry);
  let v = valueAt(ctx.request, bucket, step.dependencies[0]!, entry);
  if (v instanceof FlaggedValue) return v;
  try {
    if (step instanceof ResolverStep) v = inlineResolverValue(ctx, step, v, bucket, entry);
    else for (let k = 0; k < path.length && v != null; k++) v = (v as Record<string | number, unknown>)[path[k]!];
  } catch (error) {
    return fail(error);
  }
  if (!ctx.awaitPromised && mayBePromise(v)) ctx.promisedRead = true;
  return v;
}

/**
 * A resolver read inline, with the callbacks it may need: their own function's closures, so that
 * outputValueAt, which every position of the interpretive output reads through, captures nothing (a
 * function whose variables a closure captures makes their context on every call).
 */
function inlineResolverValue(ctx: OutputContext, step: ResolverStep, source: unknown, bucket: Bucket, entry: number): unknown {
  return readResolverInline(step, ctx.request, source, bucket, entry, () => entryPaths(bucket)[entry], (p) => (ctx.inlineCalls ??= []).push(p));
}

/** Whether a leaf's value is a promise: a primitive (nearly every leaf) is told apart without a `then` lookup. */
function mayBePromise(value: unknown): boolean {
  return (typeof value === "object" || typeof value === "function") && value !== null && isPromiseLike(value);
}

/**
 * Whether to complete this entry as a promise: the step returned it as one (recorded by the executor), or
 * the step is read inline and its property (`raw`, from outputValueAt) is a promise.
 */
export function isPromised(ctx: OutputContext, bucket: Bucket, step: Step, entry: number, raw?: unknown): boolean {
  if (!ctx.awaitPromised) return false;
  if (step.inlined !== null) return mayBePromise(raw);
  if (step.layerId !== bucket.layer.id) return false;
  const promised = bucket.promised[step.id];
  return promised !== undefined && promised[entry] === 1;
}

/** Which items of a list to complete as promises (a resolver returned them as promises). */
export function promisedItems(ctx: OutputContext, list: readonly unknown[]): Uint8Array | undefined {
  return ctx.awaitPromised ? promisedItemsOf(list) : undefined;
}

/** The entry's settled value as the settled promise graphql-js would have awaited. */
export function settledPromise(value: unknown): Promise<unknown> {
  return value instanceof FlaggedValue && value.flag === FLAG_ERROR ? Promise.reject(value.error) : Promise.resolve(value);
}

/**
 * spec: CompletePromisedValue — an entry that was a promise, completed as the installed graphql-js completes a
 * resolver's promise (graphqlAdapter): `complete` once it settled, `handle` for what it or `complete` threw.
 */
export function completePromisedValue(raw: unknown, complete: (resolved: unknown) => PromiseOrValue<unknown>, handle: (rawError: unknown) => unknown): Promise<unknown> {
  if (!COMPLETES_PROMISES_IN_ASYNC_FUNCTIONS) return settledPromise(raw).then(complete).then(undefined, handle);
  return completeInAsyncFunction(raw, complete, handle);
}

// graphql 17's completePromisedValue / completePromisedListItemValue, turn for turn.
async function completeInAsyncFunction(raw: unknown, complete: (resolved: unknown) => PromiseOrValue<unknown>, handle: (rawError: unknown) => unknown): Promise<unknown> {
  try {
    const resolved = await settledPromise(raw);
    let completed = complete(resolved);
    if (isPromiseLike(completed)) completed = await completed;
    return completed;
  } catch (rawError) {
    return handle(rawError);
  }
}

/** spec: HandleFieldError — graphql-js's handleFieldError: a non-null position passes the error up; a nullable one records it. */
export function handleFieldError(ctx: OutputContext, error: GraphQLError, nonNull: boolean, path: Path | undefined): null {
  if (nonNull) throw error;
  if (ctx.awaitPromised) ctx.errors.add(error, path);
  else ctx.errors.addInPlace(error);
  return null;
}

/** The located error for a position completed in place: its path is the stack. */
export function locatedInPlace(ctx: OutputContext, rawError: unknown, field: OutputField): GraphQLError {
  return locatedError(rawError, field.field.fieldNodes, ctx.stack.slice());
}

export function locatedAt(rawError: unknown, field: OutputField, path: Path): GraphQLError {
  return locatedError(rawError, field.field.fieldNodes, pathToArray(path));
}

export function cannotReturnNull(field: OutputField): Error {
  const f = field.field;
  return new Error(`Cannot return null for non-nullable field ${f.parentType.name}.${f.fieldName}.`);
}

export function notIterable(field: OutputField): GraphQLError {
  const f = field.field;
  return new GraphQLError(`Expected Iterable, but did not find one for field "${f.parentType.name}.${f.fieldName}".`);
}

/** An error value throws (an error marker always; an Error object where the field follows graphql-js). */
export function throwIfError(field: OutputField, result: unknown): unknown {
  if (result instanceof FlaggedValue) {
    if (result.flag === FLAG_ERROR) throw result.error;
    return null; // inhibited: the position is null
  }
  if (field.errorValuesAreErrors && result instanceof Error) throw result;
  return result;
}

export function throwIfFailed(value: unknown): void {
  if (value instanceof FlaggedValue && value.flag === FLAG_ERROR) throw value.error;
}

/** Promises already made for the items of a list that stops at a non-null item: nobody awaits them now. */
export function abandon(items: unknown[], upTo: number): void {
  for (let k = 0; k < upTo; k++) {
    const item = items[k];
    if (isPromiseLike(item)) item.then(undefined, () => undefined);
  }
}

/** spec: CompleteLeafValue */
export function completeLeafValue(type: GraphQLLeafType, result: unknown): unknown {
  // A built-in scalar (by identity) given a value of its own kind serializes it to itself: no call (the test
  // the compiled output makes, fastLeafTest). A first response and the interpretive output's leaves gain.
  if (typeof result === "string") {
    if (type === GraphQLString || type === GraphQLID) return result;
  } else if (typeof result === "number") {
    if (type === GraphQLInt ? (result | 0) === result : type === GraphQLFloat && result - result === 0) return result;
  } else if (typeof result === "boolean" && type === GraphQLBoolean) return result;
  const serialized = type.serialize(result);
  if (serialized == null) {
    throw new Error(`Expected \`${inspect(type)}.${OUTPUT_COERCION_NAME}(${inspect(result)})\` to return non-nullable value, returned: ${inspect(serialized)}`);
  }
  return serialized;
}
