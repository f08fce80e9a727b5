// ExecuteSubtree: the executor's side of a live query's subtree re-run (spec/reactivity.md). A kept run's
// buckets are only read: the entries a re-run reaches are copied into a slice (same layer, same parents),
// the positions' child layers are opened again below the slice, and the positions are completed from it.
// The executor's own path never comes here; a query run that keeps its root is the same run as executeRequest's.

import type { ExecutionResult } from "graphql";
import type { Step } from "../step.js";
import { FlaggedValue } from "../flags.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { layersOpenedBy, type OutputPosition } from "./liveIndex.js";
import { buildResponse } from "../output/buildResponse.js";
import { executeField, executeFields } from "../output/completeValue.js";
import { outputValueAt, type OutputContext } from "../output/context.js";
import { entryPaths, newBucket, newRootBucket, type Bucket, type RequestState } from "../execution/bucket.js";
import { executeChildLayers, executeLayer } from "../execution/executeLayer.js";
import { executeStep } from "../execution/executeStep.js";
import { boundRequest } from "../request/executeRequest.js";

/** A query run as executeRequest runs it, handing back its root bucket (a live query re-runs parts of it). */
export function executeKeepingRoot(request: RequestState): { root: Bucket; result: PromiseOrValue<ExecutionResult> } {
  const root = newRootBucket(request);
  const done = executeLayer(request, root);
  if (!isPromiseLike(done)) {
    const built = buildResponse(request, root) as PromiseOrValue<ExecutionResult>;
    return { root, result: isPromiseLike(built) ? boundRequest(request, built as Promise<ExecutionResult>) : built };
  }
  const result = done.then(() => buildResponse(request, root) as PromiseOrValue<ExecutionResult>);
  return { root, result: boundRequest(request, result) };
}

/** One position re-run for some entries of one kept (never sliced) bucket. */
export interface SubtreeGroup {
  readonly bucket: Bucket;
  readonly entries: readonly number[];
  readonly position: OutputPosition;
}

/**
 * spec: ExecuteSubtree — the global steps a change reached run again (in dependency order, independent ones
 * concurrently), then each group's entries are sliced from their bucket and the position's child layers
 * open again below the slice, groups concurrently. Returns the slices, in the groups' order.
 */
export function executeSubtree(request: RequestState, root: Bucket, globals: readonly Step[], groups: readonly SubtreeGroup[]): PromiseOrValue<Bucket[]> {
  const slices = groups.map((group) => sliceBucket(group.bucket, group.entries));
  const openAll = (): PromiseOrValue<Bucket[]> => {
    let waits: Promise<void>[] | null = null;
    for (let g = 0; g < groups.length; g++) {
      const position = groups[g]!.position;
      const slice = slices[g]!;
      // A list's item: the list layer's own steps run again for these entries (the items stay), then below.
      const r = position.kind === "item" ? executeLayer(request, forgetOwnValues(slice)) : executeChildLayers(request, slice, () => layersOpenedBy(position));
      if (r !== undefined) (waits ??= []).push(r);
    }
    return waits === null ? slices : Promise.all(waits).then(() => slices);
  };
  const done = executeGlobalSteps(request, root, globals);
  return done === undefined ? openAll() : done.then(openAll);
}

/** The given global steps run again, each once its dependencies among them are done. */
function executeGlobalSteps(request: RequestState, root: Bucket, steps: readonly Step[]): Promise<void> | undefined {
  let pending: Map<Step, Promise<void>> | null = null;
  for (const step of steps) {
    request.globalDone[step.id] = false;
    let waits: Promise<void>[] | null = null;
    if (pending !== null) for (const dep of step.dependencies) if (pending.has(dep)) (waits ??= []).push(pending.get(dep)!);
    const r = waits === null ? executeStep(request, root, step) : Promise.all(waits).then(() => executeStep(request, root, step));
    if (r !== undefined) (pending ??= new Map()).set(step, r);
  }
  return pending === null ? undefined : Promise.all(pending.values()).then(() => undefined);
}

/**
 * A copy of some entries of a bucket: the same layer and parents, each step's values (and flags, and which
 * were promises) for those entries only, and their response paths. The bucket itself is not changed.
 */
function sliceBucket(bucket: Bucket, entries: readonly number[]): Bucket {
  const count = entries.length;
  const parentIndex = new Int32Array(count);
  for (let j = 0; j < count; j++) parentIndex[j] = bucket.parentIndex![entries[j]!]!;
  const slice = newBucket(bucket.layer, bucket.parent, { count, parentIndex, childStart: null, entryOfParent: null, items: null, lists: null });
  for (let id = 0; id < bucket.values.length; id++) {
    const values = bucket.values[id];
    if (values === undefined) continue;
    const out = new Array<unknown>(count);
    for (let j = 0; j < count; j++) out[j] = values[entries[j]!];
    slice.values[id] = out;
    slice.flags[id] = bucket.flags[id] ?? 0;
    const promised = bucket.promised[id];
    if (promised === undefined) continue;
    const marks = new Uint8Array(count);
    for (let j = 0; j < count; j++) marks[j] = promised[entries[j]!]!;
    slice.promised[id] = marks;
  }
  // A list layer's path counts items within each parent's list: the slice takes the bucket's paths.
  const paths = entryPaths(bucket);
  slice.paths = entries.map((e) => paths[e]);
  return slice;
}

/** The slice without the values its layer's executed steps gave (they run again); the items stay. */
function forgetOwnValues(slice: Bucket): Bucket {
  for (const step of slice.layer.executableSteps) {
    if (step.isGlobal) continue;
    slice.values[step.id] = undefined;
    slice.flags[step.id] = 0;
    slice.promised[step.id] = undefined;
  }
  return slice;
}

/** Thrown when a position cannot be completed on its own (its value is now null, or failed): re-run in full. */
export class SubtreeGiveUp extends Error {}

/**
 * spec: CompletePosition — the position's value for entry `j` of its slice, completed in place (the
 * context's stack holds the position's parent path). A field is completed as ExecuteField completes it;
 * a list's object item as CompleteObjectValue does: null where the item is null and may be, else the
 * object's fields; a flagged item, or a null one that may not be, gives up.
 */
export function completePosition(ctx: OutputContext, position: OutputPosition, slice: Bucket, j: number): unknown {
  if (position.kind === "field") return executeField(ctx, position.field, slice, j, undefined, position.selection.type.name);
  const item = position.list.item;
  if (item.kind !== "object") throw new SubtreeGiveUp("not an object item");
  const value = outputValueAt(ctx, item.valueStep, slice, j);
  if (value == null && !item.nonNull) return null;
  if (value == null || value instanceof FlaggedValue) throw new SubtreeGiveUp("the item is now null or failed");
  const child = slice.children.get(item.layer.id)!;
  return executeFields(ctx, item.selection, child, child.entryOfParent![j]!, undefined);
}
