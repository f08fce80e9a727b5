// CreateBucket: a child layer's bucket from its parent's — the entries its kind selects, a list layer's items
// settled (error items flagged, promised items awaited) and held to maxResponseEntries — or, for a list the
// compiled output walks, no bucket (LeaveForWalk). Runs no step; ExecuteLayer runs the bucket it returns.

import type { Step } from "../step.js";
import { fail, flagsOf, FLAG_ERROR } from "../flags.js";
import type { EntrySelection, Layer, ParentEntries } from "../planning/layer.js";
import { responseEntriesError } from "../limits.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { recordPromisedItems } from "../promisedItems.js";
import { batchValues, isGlobalIn, leaveForWalk, listAt, newBucket, type Bucket, type RequestState } from "./bucket.js";
import { repeated } from "./executeStep.js";
import { EntryWait } from "./entryWait.js";

/** A parent bucket's entries as a layer kind reads them: one object per child layer, no closures. */
class EntriesOf implements ParentEntries {
  readonly count: number;
  constructor(
    private readonly request: RequestState,
    private readonly parent: Bucket,
  ) {
    this.count = parent.count;
  }

  values(step: Step): readonly unknown[] {
    // A global step's value repeated for the entries (most often the one entry of a root field).
    if (isGlobalIn(this.request, step)) return repeated(this.count, this.request.globals[step.id]);
    return batchValues(this.request, this.parent, step);
  }

  listAt(step: Step, entry: number): unknown[] | null {
    return listAt(this.request, this.parent, step, entry);
  }
}

/**
 * spec: CreateBucket — the entries the layer's kind selects from its parent's, and a list layer's items settled;
 * or a list layer the compiled output walks, left unopened (LeaveForWalk).
 */
export function createBucket(request: RequestState, parent: Bucket, layer: Layer): PromiseOrValue<Bucket> {
  if (layer.walk !== null) {
    const unopened = leaveForWalk(request, parent, layer, layer.walk);
    if (unopened !== null) return unopened;
  }
  return openBucket(request, parent, layer, layer.reason.selectEntries(new EntriesOf(request, parent)));
}

/**
 * The bucket of the entries `selection` chose: a list layer's items counted and settled. Also how
 * incremental delivery opens a `@stream` list's later items (spec/incremental.md, DeliverStreams).
 */
export function openBucket(request: RequestState, parent: Bucket, layer: Layer, selection: EntrySelection): PromiseOrValue<Bucket> {
  const items = selection.items;
  if (items !== null) {
    request.entries += selection.count;
    if (request.entries > request.limits.maxResponseEntries) selection = refuseItems(request, parent, layer, selection);
  }
  const bucket = newBucket(layer, parent, selection);
  if (items === null || selection.items === null) return bucket;
  const settled = settleItems(request, layer, bucket, items, selection.lists!);
  return settled === undefined ? bucket : settled.then(() => bucket);
}

/**
 * spec: RefuseItems — a list layer that would take the response over maxResponseEntries opens no entries:
 * each parent entry's list becomes a field error at that list's path (the values are the executor's own),
 * a GraphQLError with no path whose `extensions.code` (LIMIT_EXCEEDED) the located field error keeps.
 */
function refuseItems(request: RequestState, parent: Bucket, layer: Layer, selection: EntrySelection): EntrySelection {
  const max = request.limits.maxResponseEntries;
  const error = responseEntriesError(max);
  const listStep = layer.reason.stepsRead()[0]!;
  const failed = fail(error);
  if (isGlobalIn(request, listStep)) {
    request.globals[listStep.id] = failed;
  } else {
    const lists = batchValues(request, parent, listStep);
    for (let p = 0; p < parent.count; p++) if (selection.lists![p] != null) lists[p] = failed;
    parent.flags[listStep.id] = (parent.flags[listStep.id] ?? 0) | FLAG_ERROR;
  }
  request.entries -= selection.count;
  return { count: 0, parentIndex: new Int32Array(0), childStart: new Int32Array(parent.count + 1), entryOfParent: null, items: null, lists: null };
}

/**
 * A list layer's items become its item step's values: an Error item of a resolver field is a field error
 * there, and an item that is a promise is awaited (its list records which, for the output's order).
 */
function settleItems(
  request: RequestState,
  layer: Layer,
  bucket: Bucket,
  items: unknown[],
  lists: ReadonlyArray<unknown[] | null>,
): Promise<void> | undefined {
  const errorItems = layer.errorValuesAreErrors;
  const start = bucket.childStart!;
  let wait: EntryWait | null = null;
  for (let p = 0; p < lists.length; p++) {
    const from = start[p]!;
    const to = start[p + 1]!;
    let promised: Uint8Array | null = null;
    for (let at = from; at < to; at++) {
      const item = items[at];
      if (errorItems && item instanceof Error) items[at] = fail(item);
      else if (isPromiseLike(item)) {
        (promised ??= new Uint8Array(to - from))[at - from] = 1;
        request.promisedEntries = true;
        (wait ??= new EntryWait(errorItems)).add(item, items, at);
      }
    }
    // The output completes these items as promises, as graphql-js would.
    if (promised !== null) recordPromisedItems(lists[p]!, promised);
  }
  const itemStep = layer.itemStep!;
  if (wait === null) {
    storeItems(bucket, itemStep, items);
    return undefined;
  }
  return storeItemsWhenSettled(wait, bucket, itemStep, items);
}

/** StoreItems once the awaited items settle: the closure of a function of its own (settleItems captures nothing). */
function storeItemsWhenSettled(wait: EntryWait, bucket: Bucket, itemStep: Step, items: unknown[]): Promise<void> {
  return wait.ended(() => storeItems(bucket, itemStep, items));
}

/** The list layer's items as its item step's values and flags. */
function storeItems(bucket: Bucket, itemStep: Step, items: unknown[]): void {
  bucket.values[itemStep.id] = items;
  bucket.flags[itemStep.id] = flagsOf(items);
}
