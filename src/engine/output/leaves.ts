// Lists of leaves: completed straight from the list value, with no layer and no step of their own. Each
// item is serialized by its type; an item's path is made only when it fails or is awaited.

import { itemCountOf } from "../flags.js";
import { promisedItemsOf, recordPromisedItems } from "../promisedItems.js";
import { responseEntriesError } from "../limits.js";
import type { Path } from "../planning/resolveInfo.js";
import type { LeafShape, OutputField } from "../planning/outputPlan.js";
import { isIterableObject, isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import {
  abandon,
  addPath,
  cannotReturnNull,
  completeLeafValue,
  completePromisedValue,
  handleFieldError,
  locatedAt,
  locatedInPlace,
  notIterable,
  promisedItems,
  throwIfError,
  throwIfFailed,
  type OutputContext,
} from "./context.js";

/** A list value as an array for the output: an iterable is read into a new array (nothing is written back). */
export function listOf(value: unknown): unknown[] | null {
  return Array.isArray(value) ? value : isIterableObject(value) ? Array.from(value) : null;
}

/**
 * spec: CompleteLeafListValue — a `@stream` list (`cutAt`: its initialCount) completes its first items only;
 * the rest (and an iteration error after them) follow raw, for the stream to complete one by one
 * (spec/incremental.md, CompleteStream).
 */
export function completeLeafListValue(
  ctx: OutputContext,
  field: OutputField,
  item: LeafShape,
  list: readonly unknown[],
  path: Path | undefined,
  cutAt?: number,
): PromiseOrValue<unknown[]> {
  if (cutAt !== undefined && list.length > cutAt) return completeCutLeafList(ctx, field, item, list, path, cutAt);
  // A resolver's iterable that threw: its items are completed, then the list fails (ListIterationError).
  const n = itemCountOf(list);
  // Its items are entries of the response as a list layer's are (RefuseItems): past the limit, the list fails.
  const request = ctx.request;
  if ((ctx.leafEntries += n) > request.limits.maxResponseEntries - request.entries) throw responseEntriesError(request.limits.maxResponseEntries);
  if (!ctx.awaitPromised) {
    const out = new Array<unknown>(n);
    for (let k = 0; k < n; k++) {
      ctx.stack.push(k);
      try {
        out[k] = completeLeafItem(ctx, field, item, undefined, list[k]);
      } catch (rawError) {
        out[k] = handleFieldError(ctx, locatedInPlace(ctx, rawError, field), item.nonNull, undefined);
      } finally {
        ctx.stack.pop();
      }
    }
    if (n < list.length) throwIfFailed(list[n]);
    return out;
  }
  const promisedList = promisedItems(ctx, list);
  const out = new Array<unknown>(n);
  let containsPromise = false;
  for (let k = 0; k < n; k++) {
    const promised = promisedList?.[k] === 1;
    // A leaf item needs its path only when it fails or is awaited; a nested list always does.
    let itemPath: Path | null = promised || item.kind === "leafList" ? addPath(path, k, undefined) : null;
    try {
      const raw = list[k];
      if (promised) {
        const p = itemPath!;
        containsPromise = true;
        out[k] = completePromisedValue(
          raw,
          (resolved) => completeLeafItem(ctx, field, item, p, resolved),
          (rawError) => handleFieldError(ctx, locatedAt(rawError, field, p), item.nonNull, p),
        );
        continue;
      }
      const completed = completeLeafItem(ctx, field, item, itemPath ?? undefined, raw);
      if (isPromiseLike(completed)) {
        containsPromise = true;
        const p = itemPath!;
        out[k] = completed.then(undefined, (rawError: unknown) => handleFieldError(ctx, locatedAt(rawError, field, p), item.nonNull, p));
      } else {
        out[k] = completed;
      }
    } catch (rawError) {
      itemPath ??= addPath(path, k, undefined);
      try {
        out[k] = handleFieldError(ctx, locatedAt(rawError, field, itemPath), item.nonNull, itemPath);
      } catch (error) {
        if (containsPromise) abandon(out, k);
        throw error;
      }
    }
  }
  if (n < list.length) {
    if (containsPromise) abandon(out, n);
    throwIfFailed(list[n]);
  }
  return containsPromise ? Promise.all(out) : out;
}

/** A streamed list of leaves: its first `cutAt` items completed, the rest raw (with their promised marks). */
function completeCutLeafList(ctx: OutputContext, field: OutputField, item: LeafShape, list: readonly unknown[], path: Path | undefined, cutAt: number): PromiseOrValue<unknown[]> {
  const promised = promisedItemsOf(list);
  const head = list.slice(0, cutAt);
  if (promised !== undefined) recordPromisedItems(head, promised.subarray(0, cutAt));
  const withTail = (completed: unknown[]): unknown[] => {
    const out = completed.concat(list.slice(cutAt));
    if (promised !== undefined) recordPromisedItems(out, promised);
    return out;
  };
  const done = completeLeafListValue(ctx, field, item, head, path);
  return isPromiseLike(done) ? done.then(withTail) : withTail(done);
}

/**
 * spec: CompleteLeafStreamItem — one streamed item of a list of leaves, as graphql-js's completeStreamItem
 * gives it (`promised`: the resolver gave it as a promise): a failure at a non-null item throws.
 */
export function completeLeafStreamItem(ctx: OutputContext, field: OutputField, item: LeafShape, raw: unknown, promised: boolean, path: Path): PromiseOrValue<unknown> {
  const handle = (rawError: unknown): null => handleFieldError(ctx, locatedAt(rawError, field, path), item.nonNull, path);
  if (promised) return completePromisedValue(raw, (resolved) => completeLeafItem(ctx, field, item, path, resolved), handle);
  try {
    const completed = completeLeafItem(ctx, field, item, path, raw);
    return isPromiseLike(completed) ? completed.then(undefined, handle) : completed;
  } catch (rawError) {
    return handle(rawError);
  }
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
  const list = listOf(result);
  if (list === null) throw notIterable(field);
  return completeLeafListValue(ctx, field, shape.item, list, path);
}
