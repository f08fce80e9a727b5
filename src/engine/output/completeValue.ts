// The output's recursive core: graphql-js's executeFields / executeField / completeValue run over values
// the layers already computed. An entry whose value arrived as a promise is completed as graphql-js
// completes a settled promise (when the context awaits promised entries), so errors come out in graphql-js's
// order and under its null propagation. Reads buckets only; never writes one, never runs a step.

import { INHIBITED_AS_EMPTY_LIST, itemCountOf } from "../flags.js";
import type { Step } from "../step.js";
import type { Path } from "../planning/resolveInfo.js";
import type { OutputField, OutputSelection, OutputValue } from "../planning/outputPlan.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { inspect } from "../inspect.js";
import { OBJECT_FAILS_WITHOUT_WAITING } from "../planning/graphqlAdapter.js";
import type { Bucket } from "../execution/bucket.js";
import {
  abandon,
  addPath,
  cannotReturnNull,
  completeLeafValue,
  completePromisedValue,
  handleFieldError,
  isPromised,
  locatedAt,
  locatedInPlace,
  newResponseObject,
  notIterable,
  outputValueAt,
  promisedItems,
  settledPromise,
  throwIfError,
  throwIfFailed,
  type OutputContext,
} from "./context.js";
import { completeLeafListValue, listOf } from "./leaves.js";

/** graphql-js's promiseForObject: the object once every field's promise has settled. */
function promiseForObject(ctx: OutputContext, object: Record<string, unknown>): Promise<Record<string, unknown>> {
  return Promise.all(Object.values(object)).then((resolvedValues) => {
    const resolvedObject = newResponseObject(ctx);
    const keys = Object.keys(object);
    for (let i = 0; i < keys.length; i++) resolvedObject[keys[i]!] = resolvedValues[i];
    return resolvedObject;
  });
}

/**
 * spec: ExecuteFields — one object of the response. A field failing synchronously at a non-null position
 * stops the object there, as in graphql-js; fields already pending are awaited before it fails.
 */
export function executeFields(ctx: OutputContext, selection: OutputSelection, bucket: Bucket, entry: number, path: Path | undefined): PromiseOrValue<Record<string, unknown>> {
  const results = newResponseObject(ctx);
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
    if (containsPromise && OBJECT_FAILS_WITHOUT_WAITING) abandon(Object.values(results), fields.length);
    else if (containsPromise) {
      return promiseForObject(ctx, results).finally(() => {
        throw error;
      });
    }
    throw error;
  }
  return containsPromise ? promiseForObject(ctx, results) : results;
}

/** The step holding a position's value as the field produced it (before an isTypeOf check). */
function resolvedStepOf(value: OutputValue): Step {
  return value.kind === "object" ? value.valueStep : value.step;
}

/** spec: ExecuteField */
export function executeField(
  ctx: OutputContext,
  field: OutputField,
  bucket: Bucket,
  entry: number,
  parentPath: Path | undefined,
  parentTypename: string,
): PromiseOrValue<unknown> {
  const value = field.value!;
  const step = resolvedStepOf(value);
  const raw = outputValueAt(ctx, step, bucket, entry);
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
  return executePathField(ctx, field, value, step, bucket, entry, addPath(parentPath, field.responseKey, parentTypename), raw);
}

/**
 * ExecuteField where promises may be: the position has its Path. Apart from executeField so that the
 * closures here capture their own function's variables: a function whose variables a closure captures makes
 * their context on every call, even on a path that makes no closure (the in-place path above runs for every
 * field of a first response).
 */
function executePathField(ctx: OutputContext, field: OutputField, value: OutputValue, step: Step, bucket: Bucket, entry: number, path: Path, raw: unknown): PromiseOrValue<unknown> {
  if (isPromised(ctx, bucket, step, entry, raw)) {
    return completePromisedValue(
      raw,
      (resolved) => completeValue(ctx, field, value, bucket, entry, path, resolved),
      (rawError) => handleFieldError(ctx, locatedAt(rawError, field, path), value.nonNull, path),
    );
  }
  try {
    const completed = completeValue(ctx, field, value, bucket, entry, path, raw);
    if (isPromiseLike(completed)) {
      return completed.then(undefined, (rawError: unknown) => handleFieldError(ctx, locatedAt(rawError, field, path), value.nonNull, path));
    }
    return completed;
  } catch (rawError) {
    return handleFieldError(ctx, locatedAt(rawError, field, path), value.nonNull, path);
  }
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
      const list = listOf(result);
      if (list === null) throw notIterable(field);
      return completeLeafListValue(ctx, field, value.item, list, path, value.stream?.initialCount);
    }
    case "list":
      return completeListValue(ctx, field, value, bucket, entry, path, result);
    case "object":
      return completeObjectValue(ctx, value, bucket, entry, path);
    case "abstract":
      return completeAbstractValue(ctx, value, bucket, entry, path);
  }
}

type ListValue = Extract<OutputValue, { kind: "list" }>;

/** spec: CompleteListValue — the items of a list field, from the list layer's bucket. */
function completeListValue(
  ctx: OutputContext,
  field: OutputField,
  value: ListValue,
  bucket: Bucket,
  entry: number,
  path: Path | undefined,
  result: unknown,
): PromiseOrValue<unknown[]> {
  // The executor read every list of this position into an array when it opened the items' layer.
  if (!Array.isArray(result)) throw notIterable(field);
  const child = bucket.children.get(value.layer.id)!;
  const start = child.childStart![entry]!;
  // A resolver's iterable that threw: its items are completed, then the list fails (ListIterationError).
  let n = itemCountOf(result);
  // A `@stream` list: its items from initialCount on (and an iteration error after them) are delivered
  // later (spec/incremental.md, DeliverStreams).
  const cut = value.stream !== undefined && result.length > value.stream.initialCount;
  if (cut) n = value.stream!.initialCount;
  if (!ctx.awaitPromised) return completeListInPlace(ctx, field, value, child, start, n, result, cut);
  const out = completeListItems(ctx, field, value, child, start, result, 0, 0, n, path);
  if (n < result.length && !cut) {
    if (isPromiseLike(out)) abandon([out], 1);
    throwIfFailed(result[n]);
  }
  return out;
}

/**
 * The items `from` .. `to`-1 of a list (`list`: the layer's items, whose promised ones were recorded, from
 * item `listFrom` on; `start`: the entry of item `from` in `child`). An item failing at a non-null position
 * fails them all.
 */
export function completeListItems(
  ctx: OutputContext,
  field: OutputField,
  value: ListValue,
  child: Bucket,
  start: number,
  list: readonly unknown[],
  listFrom: number,
  from: number,
  to: number,
  path: Path | undefined,
): PromiseOrValue<unknown[]> {
  const item = value.item;
  const itemStep = resolvedStepOf(item);
  const promised = promisedItems(ctx, list);
  const out = new Array<unknown>(to - from);
  let containsPromise = false;
  for (let k = from; k < to; k++) {
    const at = start + k - from;
    const o = k - from;
    const itemPath = addPath(path, k, undefined);
    try {
      const raw = outputValueAt(ctx, itemStep, child, at);
      if (promised?.[k - listFrom] === 1 || isPromised(ctx, child, itemStep, at, raw)) {
        containsPromise = true;
        out[o] = completePromisedValue(
          raw,
          (resolved) => completeValue(ctx, field, item, child, at, itemPath, resolved),
          (rawError) => handleFieldError(ctx, locatedAt(rawError, field, itemPath), item.nonNull, itemPath),
        );
        continue;
      }
      const completed = completeValue(ctx, field, item, child, at, itemPath, raw);
      if (isPromiseLike(completed)) {
        containsPromise = true;
        out[o] = completed.then(undefined, (rawError: unknown) => handleFieldError(ctx, locatedAt(rawError, field, itemPath), item.nonNull, itemPath));
      } else {
        out[o] = completed;
      }
    } catch (rawError) {
      try {
        out[o] = handleFieldError(ctx, locatedAt(rawError, field, itemPath), item.nonNull, itemPath);
      } catch (error) {
        if (containsPromise) abandon(out, o);
        throw error;
      }
    }
  }
  return containsPromise ? Promise.all(out) : out;
}

/** CompleteListValue in place: nothing is a promise; each item's path is the stack. */
function completeListInPlace(
  ctx: OutputContext,
  field: OutputField,
  value: ListValue,
  child: Bucket,
  start: number,
  length: number,
  list: readonly unknown[],
  cut: boolean,
): unknown[] {
  const item = value.item;
  const itemStep = resolvedStepOf(item);
  const out = new Array<unknown>(length);
  for (let k = 0; k < length; k++) {
    ctx.stack.push(k);
    try {
      out[k] = completeValue(ctx, field, item, child, start + k, undefined, outputValueAt(ctx, itemStep, child, start + k));
    } catch (rawError) {
      out[k] = handleFieldError(ctx, locatedInPlace(ctx, rawError, field), item.nonNull, undefined);
    } finally {
      ctx.stack.pop();
    }
  }
  if (length < list.length && !cut) throwIfFailed(list[length]);
  return out;
}

type ObjectValue = Extract<OutputValue, { kind: "object" }>;

/** spec: CompleteObjectValue — the type's isTypeOf (already run) decides, then the sub-selection. */
function completeObjectValue(ctx: OutputContext, value: ObjectValue, bucket: Bucket, entry: number, path: Path | undefined): PromiseOrValue<unknown> {
  const checkStep = value.step;
  if (checkStep !== value.valueStep) {
    const checked = outputValueAt(ctx, checkStep, bucket, entry);
    if (isPromised(ctx, bucket, checkStep, entry)) return objectFieldsAfter(checked, ctx, value, bucket, entry, path);
    throwIfFailed(checked);
  }
  return executeObjectFields(ctx, value, bucket, entry, path);
}

/** The sub-selection once the type check settles (a closure of its own function: see executePathField). */
function objectFieldsAfter(checked: unknown, ctx: OutputContext, value: ObjectValue, bucket: Bucket, entry: number, path: Path | undefined): Promise<unknown> {
  return settledPromise(checked).then(() => executeObjectFields(ctx, value, bucket, entry, path));
}

function executeObjectFields(ctx: OutputContext, value: ObjectValue, bucket: Bucket, entry: number, path: Path | undefined): PromiseOrValue<Record<string, unknown>> {
  const child = bucket.children.get(value.layer.id)!;
  return executeFields(ctx, value.selection, child, child.entryOfParent![entry]!, path);
}

type AbstractValue = Extract<OutputValue, { kind: "abstract" }>;

/**
 * spec: CompleteAbstractValue — the name resolveType gave (a promise completes as graphql-js awaits it;
 * the default type resolver's own Promise.all takes one step more), then the checked runtime type.
 */
function completeAbstractValue(ctx: OutputContext, value: AbstractValue, bucket: Bucket, entry: number, path: Path | undefined): PromiseOrValue<unknown> {
  const nameStep = value.typeNameStep;
  const name = outputValueAt(ctx, nameStep, bucket, entry);
  if (isPromised(ctx, bucket, nameStep, entry)) return runtimeObjectAfter(name, ctx, value, bucket, entry, path);
  throwIfFailed(name);
  return completeRuntimeObjectValue(ctx, value, bucket, entry, path);
}

/** The runtime type once resolveType's promise settles (a closure of its own function: see executePathField). */
function runtimeObjectAfter(name: unknown, ctx: OutputContext, value: AbstractValue, bucket: Bucket, entry: number, path: Path | undefined): Promise<unknown> {
  let resolved = settledPromise(name);
  if (value.defaultTypeResolver && ctx.request.typeResolver == null) resolved = Promise.all([resolved]).then((names) => names[0]);
  return resolved.then(() => completeRuntimeObjectValue(ctx, value, bucket, entry, path));
}

/** The runtime type's checks (already run): its isTypeOf may have been a promise. */
function completeRuntimeObjectValue(ctx: OutputContext, value: AbstractValue, bucket: Bucket, entry: number, path: Path | undefined): PromiseOrValue<unknown> {
  const typeName = outputValueAt(ctx, value.typeStep, bucket, entry);
  if (isPromised(ctx, bucket, value.typeStep, entry)) return runtimeTypeFieldsAfter(typeName, ctx, value, bucket, entry, path);
  return executeRuntimeTypeFields(ctx, value, bucket, entry, path, typeName);
}

/** The runtime type's fields once its isTypeOf settles (a closure of its own function: see executePathField). */
function runtimeTypeFieldsAfter(typeName: unknown, ctx: OutputContext, value: AbstractValue, bucket: Bucket, entry: number, path: Path | undefined): Promise<unknown> {
  return settledPromise(typeName).then((name) => executeRuntimeTypeFields(ctx, value, bucket, entry, path, name));
}

function executeRuntimeTypeFields(
  ctx: OutputContext,
  value: AbstractValue,
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
