// Output: builds the GraphQL response from layer results with graphql-js's completion algorithm
// (executeFields, completeValue, completeListValue, ...) run over values the layers already computed. An
// entry whose value arrived as a promise is completed as graphql-js completes a settled promise, so errors
// come out in graphql-js's order and under its null propagation. Never runs a step; creates promises only
// for entries that were promises, and only when the response has errors (without errors, the order of
// completion cannot show); a Path object only for positions that have children or an error.
// Implements spec/output.md.

import { GraphQLError, locatedError, type GraphQLLeafType } from "graphql";
import { FlaggedValue, FLAG_ERROR, INHIBITED_AS_EMPTY_LIST, type Step } from "./step.js";
import type { LeafShape, OutputField, OutputSelection, OutputValue } from "./operationPlan.js";
import { batchValues, executeMutationField, isPromiseLike, listAt, type Bucket, type RequestState } from "./executeBucket.js";
import { IsTypeOfStep, ResolveTypeStep, RuntimeTypeStep, promisedItemsOf, type Path } from "./resolverSteps.js";
import { inspect } from "./inspect.js";

type PromiseOrValue<T> = T | Promise<T>;

export interface ResponseData {
  errors?: GraphQLError[];
  data: Record<string, unknown> | null;
}

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

interface OutputContext {
  readonly request: RequestState;
  readonly errors: CollectedErrors;
  /**
   * Whether entries that were promises are completed as promises (graphql-js's order), with a Path object
   * per position; otherwise everything is completed in place and the position's path is `stack`.
   */
  readonly awaitPromised: boolean;
  readonly stack: Array<string | number>;
}

function addPath(prev: Path | undefined, key: string | number, typename: string | undefined): Path {
  return { prev, key, typename };
}

function pathToArray(path: Path | undefined): Array<string | number> {
  const out: Array<string | number> = [];
  for (let p = path; p !== undefined; p = p.prev) out.push(p.key);
  return out.reverse();
}

function response(data: unknown, ctx: OutputContext): ResponseData {
  const errors = ctx.errors.errors;
  const result = data as Record<string, unknown> | null;
  return errors.length === 0 ? { data: result } : { errors, data: result };
}

/**
 * spec: BuildResponse — completes the response in place, synchronously. Only if that produced errors and
 * some entry was a promise does the order of completion matter: the response is then built again,
 * completing those entries as promises, as graphql-js does. Mutations complete once, awaiting promises,
 * since completing them also executes their fields.
 */
export function buildResponse(request: RequestState, rootBucket: Bucket): PromiseOrValue<ResponseData> {
  if (request.plan.operation.operation === "mutation") return completeResponse(request, rootBucket, true).result;
  const { result, ctx } = completeResponse(request, rootBucket, false);
  if (ctx.errors.errors.length === 0 || request.promisedEntries !== true) return result;
  return completeResponse(request, rootBucket, true).result;
}

/** spec: CompleteResponse — `data`, or null with the error when completing the root fails. */
function completeResponse(
  request: RequestState,
  rootBucket: Bucket,
  awaitPromised: boolean,
): { result: PromiseOrValue<ResponseData>; ctx: OutputContext } {
  const ctx: OutputContext = { request, errors: new CollectedErrors(), awaitPromised, stack: [] };
  let result: PromiseOrValue<ResponseData>;
  try {
    const root = request.plan.root;
    const data =
      request.plan.operation.operation === "mutation" ? executeFieldsSerially(ctx, root, rootBucket) : executeFields(ctx, root, rootBucket, 0, undefined);
    result = isPromiseLike(data)
      ? data.then(
          (resolved) => response(resolved, ctx),
          (error: unknown) => {
            ctx.errors.add(error as GraphQLError, undefined);
            return response(null, ctx);
          },
        )
      : response(data, ctx);
  } catch (error) {
    ctx.errors.add(error as GraphQLError, undefined);
    result = response(null, ctx);
  }
  return { result, ctx };
}

/**
 * spec: ExecuteFieldsSerially — root mutation fields one after another: each field's layer is executed,
 * then completed, before the next one starts. A failure at a non-null field rejects the chain, so the
 * later fields never run (graphql-js's promiseReduce).
 */
function executeFieldsSerially(ctx: OutputContext, selection: OutputSelection, rootBucket: Bucket): PromiseOrValue<Record<string, unknown>> {
  const layers = ctx.request.plan.rootLayer.children;
  const typename = selection.type.name;
  let results: PromiseOrValue<Record<string, unknown>> = Object.create(null);
  for (const field of selection.fields) {
    const completeField = (object: Record<string, unknown>, bucket: Bucket): PromiseOrValue<Record<string, unknown>> => {
      const key = field.responseKey;
      const result = executeField(ctx, field, bucket, 0, undefined, typename);
      if (isPromiseLike(result)) {
        return (result as Promise<unknown>).then((resolved) => {
          object[key] = resolved;
          return object;
        });
      }
      object[key] = result;
      return object;
    };
    const executeAndComplete = (object: Record<string, unknown>): PromiseOrValue<Record<string, unknown>> => {
      if (field.value === null) {
        object[field.responseKey] = typename;
        return object;
      }
      const layer = layers.find((l) => l.reason.type === "mutationField" && l.reason.responseKey === field.responseKey)!;
      const bucket = executeMutationField(ctx.request, rootBucket, layer);
      return isPromiseLike(bucket) ? (bucket as Promise<Bucket>).then((b) => completeField(object, b)) : completeField(object, bucket);
    };
    results = isPromiseLike(results) ? (results as Promise<Record<string, unknown>>).then(executeAndComplete) : executeAndComplete(results);
  }
  return results;
}

/** graphql-js's promiseForObject: the object once every field's promise has settled. */
function promiseForObject(object: Record<string, unknown>): Promise<Record<string, unknown>> {
  return Promise.all(Object.values(object)).then((resolvedValues) => {
    const resolvedObject: Record<string, unknown> = Object.create(null);
    const keys = Object.keys(object);
    for (let i = 0; i < keys.length; i++) resolvedObject[keys[i]!] = resolvedValues[i];
    return resolvedObject;
  });
}

/**
 * spec: ExecuteFields — one object of the response. A field failing synchronously at a non-null position
 * stops the object there, as in graphql-js; fields already pending are awaited before it fails.
 */
function executeFields(
  ctx: OutputContext,
  selection: OutputSelection,
  bucket: Bucket,
  entry: number,
  path: Path | undefined,
): PromiseOrValue<Record<string, unknown>> {
  const results: Record<string, unknown> = Object.create(null);
  const fields = selection.fields;
  const typename = selection.type.name;
  let containsPromise = false;
  try {
    for (let f = 0; f < fields.length; f++) {
      const field = fields[f]!;
      if (field.value === null) {
        results[field.responseKey] = typename;
        continue;
      }
      const result = executeField(ctx, field, bucket, entry, path, typename);
      results[field.responseKey] = result;
      // Only a completion awaiting promised entries makes promises: the in-place one skips the check.
      if (ctx.awaitPromised && isPromiseLike(result)) containsPromise = true;
    }
  } catch (error) {
    if (containsPromise) {
      return promiseForObject(results).finally(() => {
        throw error;
      });
    }
    throw error;
  }
  return containsPromise ? promiseForObject(results) : results;
}

/** The step holding a position's value as the field produced it (before an isTypeOf check). */
function resolvedStepOf(value: OutputValue): Step {
  return value.kind === "object" && value.step instanceof IsTypeOfStep ? value.step.$value : value.step;
}

function valueAt(ctx: OutputContext, step: Step, bucket: Bucket, entry: number): unknown {
  if (step.isGlobal) return ctx.request.globals[step.id];
  const own = bucket.values[step.id];
  return (own !== undefined ? own : batchValues(ctx.request, bucket, step))[entry];
}

/** Whether to complete this entry as a promise: the step returned it as one (recorded by the executor). */
function isPromised(ctx: OutputContext, bucket: Bucket, step: Step, entry: number): boolean {
  if (!ctx.awaitPromised || step.layer !== bucket.layer) return false;
  const promised = bucket.promised[step.id];
  return promised !== undefined && promised[entry] === 1;
}

/** Which items of a list to complete as promises (a resolver returned them as promises). */
function promisedItems(ctx: OutputContext, list: readonly unknown[]): Uint8Array | undefined {
  return ctx.awaitPromised ? promisedItemsOf(list) : undefined;
}

/** The entry's settled value as the settled promise graphql-js would have awaited. */
function settledPromise(value: unknown): Promise<unknown> {
  return value instanceof FlaggedValue && value.flag === FLAG_ERROR ? Promise.reject(value.error) : Promise.resolve(value);
}

/** graphql-js's handleFieldError: a non-null position passes the error up; a nullable one records it. */
function handleFieldError(ctx: OutputContext, error: GraphQLError, nonNull: boolean, path: Path | undefined): null {
  if (nonNull) throw error;
  if (ctx.awaitPromised) ctx.errors.add(error, path);
  else ctx.errors.addInPlace(error);
  return null;
}

/** The located error for a position completed in place: its path is the stack. */
function locatedInPlace(ctx: OutputContext, rawError: unknown, field: OutputField): GraphQLError {
  return locatedError(rawError, field.field.fieldNodes, ctx.stack.slice());
}

/** spec: ExecuteField */
function executeField(
  ctx: OutputContext,
  field: OutputField,
  bucket: Bucket,
  entry: number,
  parentPath: Path | undefined,
  parentTypename: string,
): PromiseOrValue<unknown> {
  const value = field.value!;
  const step = resolvedStepOf(value);
  const raw = valueAt(ctx, step, bucket, entry);
  if (!ctx.awaitPromised) {
    // In place: nothing is a promise, and the position's path is the stack (no Path objects).
    ctx.stack.push(field.responseKey);
    try {
      return completeValue(ctx, field, value, bucket, entry, undefined, raw);
    } catch (rawError) {
      return handleFieldError(ctx, locatedInPlace(ctx, rawError, field), value.nonNull, undefined);
    } finally {
      ctx.stack.pop();
    }
  }
  const nodes = field.field.fieldNodes;
  const promised = isPromised(ctx, bucket, step, entry);
  const path = addPath(parentPath, field.responseKey, parentTypename);
  try {
    const completed = promised
      ? settledPromise(raw).then((resolved) => completeValue(ctx, field, value, bucket, entry, path, resolved))
      : completeValue(ctx, field, value, bucket, entry, path, raw);
    if (isPromiseLike(completed)) {
      return completed.then(undefined, (rawError: unknown) =>
        handleFieldError(ctx, locatedError(rawError, nodes, pathToArray(path)), value.nonNull, path),
      );
    }
    return completed;
  } catch (rawError) {
    return handleFieldError(ctx, locatedError(rawError, nodes, pathToArray(path)), value.nonNull, path);
  }
}

function cannotReturnNull(field: OutputField): Error {
  const f = field.field;
  return new Error(`Cannot return null for non-nullable field ${f.parentType.name}.${f.fieldName}.`);
}

/** An error value throws (an error marker always; an Error object where the field follows graphql-js). */
function throwIfError(field: OutputField, result: unknown): unknown {
  if (result instanceof FlaggedValue) {
    if (result.flag === FLAG_ERROR) throw result.error;
    return null; // inhibited: the position is null
  }
  if (field.errorValuesAreErrors && result instanceof Error) throw result;
  return result;
}

/** spec: CompleteValue */
function completeValue(
  ctx: OutputContext,
  field: OutputField,
  value: OutputValue,
  bucket: Bucket,
  entry: number,
  path: Path | undefined,
  result: unknown,
): PromiseOrValue<unknown> {
  if (result === INHIBITED_AS_EMPTY_LIST && (value.kind === "list" || value.kind === "leafList")) return [];
  result = throwIfError(field, result);
  if (value.nonNull) {
    const completed = completeNullableValue(ctx, field, value, bucket, entry, path, result);
    if (completed === null) throw cannotReturnNull(field);
    return completed;
  }
  return completeNullableValue(ctx, field, value, bucket, entry, path, result);
}

function completeNullableValue(
  ctx: OutputContext,
  field: OutputField,
  value: OutputValue,
  bucket: Bucket,
  entry: number,
  path: Path | undefined,
  result: unknown,
): PromiseOrValue<unknown> {
  if (result == null) return null;
  switch (value.kind) {
    case "leaf":
      return completeLeafValue(value.type, result);
    case "leafList": {
      const list = listAt(ctx.request, bucket, value.step, entry);
      if (list === null) throw notIterable(field);
      return completeLeafListValue(ctx, field, value.item, list, path);
    }
    case "list":
      return completeListValue(ctx, field, value, bucket, entry, path);
    case "object":
      return completeObjectValue(ctx, value, bucket, entry, path);
    case "abstract":
      return completeAbstractValue(ctx, value, bucket, entry, path);
  }
}

function notIterable(field: OutputField): GraphQLError {
  const f = field.field;
  return new GraphQLError(`Expected Iterable, but did not find one for field "${f.parentType.name}.${f.fieldName}".`);
}

/** spec: CompleteLeafValue */
function completeLeafValue(type: GraphQLLeafType, result: unknown): unknown {
  const serialized = type.serialize(result);
  if (serialized == null) {
    throw new Error(`Expected \`${inspect(type)}.serialize(${inspect(result)})\` to return non-nullable value, returned: ${inspect(serialized)}`);
  }
  return serialized;
}

/** Promises already made for the items of a list that stops at a non-null item: nobody awaits them now. */
function abandon(items: unknown[], upTo: number): void {
  for (let k = 0; k < upTo; k++) {
    const item = items[k];
    if (isPromiseLike(item)) item.then(undefined, () => undefined);
  }
}

/** spec: CompleteListValue — the items of a list field, from the list layer's bucket. */
function completeListValue(
  ctx: OutputContext,
  field: OutputField,
  value: Extract<OutputValue, { kind: "list" }>,
  bucket: Bucket,
  entry: number,
  path: Path | undefined,
): PromiseOrValue<unknown[]> {
  const list = listAt(ctx.request, bucket, value.step, entry);
  if (list === null) throw notIterable(field);
  const child = bucket.children.get(value.layer.id)!;
  const start = child.childStart![entry]!;
  const item = value.item;
  const itemStep = resolvedStepOf(item);
  if (!ctx.awaitPromised) {
    const out = new Array<unknown>(list.length);
    for (let k = 0; k < list.length; k++) {
      ctx.stack.push(k);
      try {
        out[k] = completeValue(ctx, field, item, child, start + k, undefined, valueAt(ctx, itemStep, child, start + k));
      } catch (rawError) {
        out[k] = handleFieldError(ctx, locatedInPlace(ctx, rawError, field), item.nonNull, undefined);
      } finally {
        ctx.stack.pop();
      }
    }
    return out;
  }
  const promised = promisedItems(ctx, list);
  const nodes = field.field.fieldNodes;
  const out = new Array<unknown>(list.length);
  let containsPromise = false;
  for (let k = 0; k < list.length; k++) {
    const at = start + k;
    const itemPath = addPath(path, k, undefined);
    try {
      const raw = valueAt(ctx, itemStep, child, at);
      const completed =
        promised?.[k] === 1 || isPromised(ctx, child, itemStep, at)
          ? settledPromise(raw).then((resolved) => completeValue(ctx, field, item, child, at, itemPath, resolved))
          : completeValue(ctx, field, item, child, at, itemPath, raw);
      if (isPromiseLike(completed)) {
        containsPromise = true;
        out[k] = completed.then(undefined, (rawError: unknown) =>
          handleFieldError(ctx, locatedError(rawError, nodes, pathToArray(itemPath)), item.nonNull, itemPath),
        );
      } else {
        out[k] = completed;
      }
    } catch (rawError) {
      try {
        out[k] = handleFieldError(ctx, locatedError(rawError, nodes, pathToArray(itemPath)), item.nonNull, itemPath);
      } catch (error) {
        if (containsPromise) abandon(out, k);
        throw error;
      }
    }
  }
  return containsPromise ? Promise.all(out) : out;
}

/** Lists of leaves need no layer: their items are completed straight from the list value. */
function completeLeafListValue(
  ctx: OutputContext,
  field: OutputField,
  item: LeafShape,
  list: readonly unknown[],
  path: Path | undefined,
): PromiseOrValue<unknown[]> {
  if (!ctx.awaitPromised) {
    const out = new Array<unknown>(list.length);
    for (let k = 0; k < list.length; k++) {
      ctx.stack.push(k);
      try {
        out[k] = completeLeafItem(ctx, field, item, undefined, list[k]);
      } catch (rawError) {
        out[k] = handleFieldError(ctx, locatedInPlace(ctx, rawError, field), item.nonNull, undefined);
      } finally {
        ctx.stack.pop();
      }
    }
    return out;
  }
  const promisedList = promisedItems(ctx, list);
  const nodes = field.field.fieldNodes;
  const out = new Array<unknown>(list.length);
  let containsPromise = false;
  for (let k = 0; k < list.length; k++) {
    const promised = promisedList?.[k] === 1;
    // A leaf item needs its path only when it fails or is awaited; a nested list always does.
    let itemPath: Path | null = promised || item.kind === "leafList" ? addPath(path, k, undefined) : null;
    try {
      const raw = list[k];
      const completed = promised
        ? settledPromise(raw).then((resolved) => completeLeafItem(ctx, field, item, itemPath!, resolved))
        : completeLeafItem(ctx, field, item, itemPath ?? undefined, raw);
      if (isPromiseLike(completed)) {
        containsPromise = true;
        const p = itemPath!;
        out[k] = completed.then(undefined, (rawError: unknown) => handleFieldError(ctx, locatedError(rawError, nodes, pathToArray(p)), item.nonNull, p));
      } else {
        out[k] = completed;
      }
    } catch (rawError) {
      itemPath ??= addPath(path, k, undefined);
      try {
        out[k] = handleFieldError(ctx, locatedError(rawError, nodes, pathToArray(itemPath)), item.nonNull, itemPath);
      } catch (error) {
        if (containsPromise) abandon(out, k);
        throw error;
      }
    }
  }
  return containsPromise ? Promise.all(out) : out;
}

/** CompleteValue for an item of a list of leaves. */
function completeLeafItem(ctx: OutputContext, field: OutputField, shape: LeafShape, path: Path | undefined, result: unknown): PromiseOrValue<unknown> {
  result = throwIfError(field, result);
  const completed = result == null ? null : completeLeafShape(ctx, field, shape, path, result);
  if (completed === null && shape.nonNull) throw cannotReturnNull(field);
  return completed;
}

function completeLeafShape(ctx: OutputContext, field: OutputField, shape: LeafShape, path: Path | undefined, result: unknown): PromiseOrValue<unknown> {
  if (shape.kind === "leaf") return completeLeafValue(shape.type, result);
  const list = Array.isArray(result) ? result : isIterableObject(result) ? Array.from(result) : null;
  if (list === null) throw notIterable(field);
  return completeLeafListValue(ctx, field, shape.item, list, path);
}

function isIterableObject(value: unknown): value is Iterable<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

/** spec: CompleteObjectValue — the type's isTypeOf (already run) decides, then the sub-selection. */
function completeObjectValue(
  ctx: OutputContext,
  value: Extract<OutputValue, { kind: "object" }>,
  bucket: Bucket,
  entry: number,
  path: Path | undefined,
): PromiseOrValue<unknown> {
  const step = value.step;
  if (step instanceof IsTypeOfStep && isPromised(ctx, bucket, step, entry)) {
    return settledPromise(valueAt(ctx, step, bucket, entry)).then(() => executeObjectFields(ctx, value, bucket, entry, path));
  }
  if (step instanceof IsTypeOfStep) {
    const checked = valueAt(ctx, step, bucket, entry);
    if (checked instanceof FlaggedValue && checked.flag === FLAG_ERROR) throw checked.error;
  }
  return executeObjectFields(ctx, value, bucket, entry, path);
}

function executeObjectFields(
  ctx: OutputContext,
  value: Extract<OutputValue, { kind: "object" }>,
  bucket: Bucket,
  entry: number,
  path: Path | undefined,
): PromiseOrValue<Record<string, unknown>> {
  const child = bucket.children.get(value.layer.id)!;
  return executeFields(ctx, value.selection, child, child.entryOfParent![entry]!, path);
}

/**
 * spec: CompleteAbstractValue — the name resolveType gave (a promise completes as graphql-js awaits it;
 * the default type resolver's own Promise.all takes one step more), then the checked runtime type.
 */
function completeAbstractValue(
  ctx: OutputContext,
  value: Extract<OutputValue, { kind: "abstract" }>,
  bucket: Bucket,
  entry: number,
  path: Path | undefined,
): PromiseOrValue<unknown> {
  const typeStep = value.typeStep;
  if (typeStep instanceof RuntimeTypeStep) {
    const nameStep = typeStep.$typeName;
    const name = valueAt(ctx, nameStep, bucket, entry);
    if (isPromised(ctx, bucket, nameStep, entry)) {
      let resolved = settledPromise(name);
      if (nameStep instanceof ResolveTypeStep && nameStep.usesDefaultTypeResolver(ctx.request)) {
        resolved = Promise.all([resolved]).then((names) => names[0]);
      }
      return resolved.then(() => completeRuntimeObjectValue(ctx, value, bucket, entry, path));
    }
    throwIfFailed(name);
  }
  return completeRuntimeObjectValue(ctx, value, bucket, entry, path);
}

function throwIfFailed(value: unknown): void {
  if (value instanceof FlaggedValue && value.flag === FLAG_ERROR) throw value.error;
}

/** The runtime type's checks (already run): its isTypeOf may have been a promise. */
function completeRuntimeObjectValue(
  ctx: OutputContext,
  value: Extract<OutputValue, { kind: "abstract" }>,
  bucket: Bucket,
  entry: number,
  path: Path | undefined,
): PromiseOrValue<unknown> {
  const typeName = valueAt(ctx, value.typeStep, bucket, entry);
  if (isPromised(ctx, bucket, value.typeStep, entry)) {
    return settledPromise(typeName).then((name) => executeRuntimeTypeFields(ctx, value, bucket, entry, path, name));
  }
  return executeRuntimeTypeFields(ctx, value, bucket, entry, path, typeName);
}

function executeRuntimeTypeFields(
  ctx: OutputContext,
  value: Extract<OutputValue, { kind: "abstract" }>,
  bucket: Bucket,
  entry: number,
  path: Path | undefined,
  typeName: unknown,
): PromiseOrValue<Record<string, unknown>> {
  throwIfFailed(typeName);
  const target = typeof typeName === "string" ? value.byType.get(typeName) : undefined;
  if (target === undefined) {
    throw new Error(`graphscale: internal error: the type step of ${value.typeStep} gave ${inspect(typeName)}, which is not a possible type.`);
  }
  const child = bucket.children.get(target.layer.id)!;
  return executeFields(ctx, target.selection, child, child.entryOfParent![entry]!, path);
}
