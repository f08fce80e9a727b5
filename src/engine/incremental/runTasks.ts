// RunTasks: one wave of deferred work — every task started since the last wave, grouped by deferred layer
// and the bucket above it, each group run as one bucket (its steps once for all the group's entries, like
// any layer), then each task's fields completed from that bucket in the order the tasks started. The
// streams ready at once are delivered the same way (DeliverStreams): their items' layer opens one bucket
// per parent bucket for all of them.

import type { GraphQLError } from "graphql";
import { itemCountOf } from "../flags.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { entryPaths, newBucket, type Bucket, type RequestState } from "../execution/bucket.js";
import { openBucket } from "../execution/createBucket.js";
import { executeLayer } from "../execution/executeLayer.js";
import { completeListItems, executeFields } from "../output/completeValue.js";
import { newOutputContext } from "../output/context.js";
import type { Layer } from "../planning/layer.js";
import type { Path } from "../planning/resolveInfo.js";
import { discoverStreamItems, discoverWork, noWork, takeStreamErrors, type ItemStream, type Task } from "./discoverWork.js";
import type { IncrementalQueue, TaskOutcome } from "./workQueue.js";

/** Where a task's entry is: the bucket its deferred layer ran in, and the entry there. */
interface Placed {
  readonly bucket: Bucket;
  readonly entry: number;
}

/**
 * spec: RunWave — the started tasks' deferred layers, one bucket per (layer, parent bucket) holding every
 * task's entry there; then each task completed and handed to the queue, in start order.
 */
export function runWave(request: RequestState, tasks: readonly Task[], queue: IncrementalQueue): PromiseOrValue<void> {
  const byParent = new Map<Bucket, Map<Layer, Task[]>>();
  for (const task of tasks) {
    let byLayer = byParent.get(task.bucket);
    if (byLayer === undefined) byParent.set(task.bucket, (byLayer = new Map()));
    const list = byLayer.get(task.deferred.layer);
    if (list === undefined) byLayer.set(task.deferred.layer, [task]);
    else list.push(task);
  }
  const placed = new Map<Task, Placed>();
  let waits: Promise<void>[] | null = null;
  for (const [parent, byLayer] of byParent) {
    for (const [layer, list] of byLayer) {
      const bucket = deferredBucket(parent, layer, list);
      for (const task of list) placed.set(task, { bucket, entry: bucket.entryOfParent![task.entry]! });
      const r = executeLayer(request, bucket);
      if (r !== undefined) (waits ??= []).push(r);
    }
  }
  const complete = (): PromiseOrValue<void> => completeTasks(request, tasks, placed, queue, 0);
  return waits === null ? complete() : Promise.all(waits).then(complete);
}

/** The deferred layer's bucket below `parent`: the entries of the given tasks (in entry order). */
function deferredBucket(parent: Bucket, layer: Layer, tasks: readonly Task[]): Bucket {
  const entryOfParent = new Int32Array(parent.count).fill(-1);
  for (const task of tasks) entryOfParent[task.entry] = 0;
  let count = 0;
  for (let p = 0; p < parent.count; p++) if (entryOfParent[p] === 0) entryOfParent[p] = count++;
  const parentIndex = new Int32Array(count);
  for (let p = 0; p < parent.count; p++) if (entryOfParent[p]! >= 0) parentIndex[entryOfParent[p]!] = p;
  return newBucket(layer, parent, { count, parentIndex, childStart: null, entryOfParent, items: null, lists: null });
}

/** The tasks from `from` on, completed one after another (a completion waiting on a promise holds the rest). */
function completeTasks(request: RequestState, tasks: readonly Task[], placed: ReadonlyMap<Task, Placed>, queue: IncrementalQueue, from: number): PromiseOrValue<void> {
  for (let t = from; t < tasks.length; t++) {
    const task = tasks[t]!;
    const outcome = completeTask(request, task, placed.get(task)!);
    if (isPromiseLike(outcome)) {
      return outcome.then((o) => {
        queue.taskDone(task, o);
        return completeTasks(request, tasks, placed, queue, t + 1);
      });
    }
    queue.taskDone(task, outcome);
  }
}

/** spec: CompleteTask — a task's fields as graphql-js's executeExecutionGroup gives them, and the work they reach. */
function completeTask(request: RequestState, task: Task, at: Placed): PromiseOrValue<TaskOutcome> {
  const ctx = newOutputContext(request, true);
  const selection = task.deferred.selection;
  const finish = (data: Record<string, unknown>): TaskOutcome => {
    const work = noWork(request);
    discoverWork(selection, at.bucket, at.entry, data, task.path, task.pathArray, task.groupMap, work);
    return { ok: true, data, errors: takeStreamErrors(ctx.errors.errors, work.streams), work };
  };
  let data: PromiseOrValue<Record<string, unknown>>;
  try {
    data = executeFields(ctx, selection, at.bucket, at.entry, task.path);
  } catch (error) {
    return { ok: false, error: error as GraphQLError };
  }
  if (!isPromiseLike(data)) return finish(data);
  return data.then(finish, (error: unknown) => ({ ok: false, error: error as GraphQLError }));
}

/** Where a stream's items were opened: their bucket, the entry of the first, and the items as opened. */
interface PlacedStream extends Placed {
  readonly items: readonly unknown[];
}

/**
 * spec: DeliverStreams — the streams ready at once: a list of objects' later items open one bucket of the
 * items' layer per parent bucket, holding the items of every such stream there, run once (ExecuteLayer);
 * then each stream's items are completed one after another, in the order the streams were announced.
 */
export function deliverStreams(request: RequestState, streams: readonly ItemStream[], queue: IncrementalQueue): PromiseOrValue<void> {
  const byParent = new Map<Bucket, Map<Layer, ItemStream[]>>();
  for (const stream of streams) {
    if (stream.value.kind !== "list") continue;
    let byLayer = byParent.get(stream.bucket);
    if (byLayer === undefined) byParent.set(stream.bucket, (byLayer = new Map()));
    const list = byLayer.get(stream.value.layer);
    if (list === undefined) byLayer.set(stream.value.layer, [stream]);
    else list.push(stream);
  }
  const placed = new Map<ItemStream, PlacedStream>();
  let waits: Array<PromiseLike<unknown>> | null = null;
  for (const [parent, byLayer] of byParent) {
    for (const [layer, list] of byLayer) {
      const opened = streamBucket(request, parent, layer, list, placed);
      const run = (bucket: Bucket): PromiseOrValue<void> => executeLayer(request, bucket);
      const r = isPromiseLike(opened) ? opened.then(run) : run(opened);
      if (r !== undefined) (waits ??= []).push(r);
    }
  }
  const complete = (): PromiseOrValue<void> => completeStreams(request, streams, placed, queue, 0);
  return waits === null ? complete() : Promise.all(waits).then(complete);
}

/** The items' layer's bucket below `parent`: each stream's items from initialCount on, with their own paths. */
function streamBucket(request: RequestState, parent: Bucket, layer: Layer, streams: readonly ItemStream[], placed: Map<ItemStream, PlacedStream>): PromiseOrValue<Bucket> {
  const byEntry = new Array<ItemStream | undefined>(parent.count);
  for (const stream of streams) byEntry[stream.entry] = stream;
  const childStart = new Int32Array(parent.count + 1);
  const lists = new Array<unknown[] | null>(parent.count).fill(null);
  let count = 0;
  for (let p = 0; p < parent.count; p++) {
    childStart[p] = count;
    const stream = byEntry[p];
    if (stream === undefined) continue;
    const items = stream.list!.slice(stream.initialCount, itemCountOf(stream.list!));
    lists[p] = items;
    count += items.length;
  }
  childStart[parent.count] = count;
  const parentIndex = new Int32Array(count);
  const items = new Array<unknown>(count);
  for (let p = 0; p < parent.count; p++) {
    const list = lists[p];
    if (list === null) continue;
    for (let k = 0; k < list.length; k++) {
      items[childStart[p]! + k] = list[k];
      parentIndex[childStart[p]! + k] = p;
    }
  }
  const withPaths = (bucket: Bucket): Bucket => {
    // Each item's path keeps its index in the whole list (the layer's own paths count from its first entry).
    const above = entryPaths(parent);
    const paths = new Array<Path | undefined>(count);
    for (let i = 0; i < count; i++) {
      const p = parentIndex[i]!;
      paths[i] = layer.reason.entryPath(above[p], i, childStart[p]! - byEntry[p]!.initialCount, layer.pathTypename);
    }
    bucket.paths = paths;
    for (const stream of streams) placed.set(stream, { bucket, entry: childStart[stream.entry]!, items: lists[stream.entry]! });
    return bucket;
  };
  const opened = openBucket(request, parent, layer, { count, parentIndex, childStart, entryOfParent: null, items, lists });
  return isPromiseLike(opened) ? opened.then(withPaths) : withPaths(opened);
}

/** The streams from `from` on, completed one after another (a completion waiting on a promise holds the rest). */
function completeStreams(request: RequestState, streams: readonly ItemStream[], placed: ReadonlyMap<ItemStream, PlacedStream>, queue: IncrementalQueue, from: number): PromiseOrValue<void> {
  for (let s = from; s < streams.length; s++) {
    const stream = streams[s]!;
    const done = completeStream(request, stream, placed.get(stream), queue);
    if (isPromiseLike(done)) return done.then(() => completeStreams(request, streams, placed, queue, s + 1));
  }
}

/**
 * spec: CompleteStream — a stream's items as graphql-js's completeStreamItem gives them, one after another:
 * an item failing at a non-null position fails the stream (the items before it are still delivered), with
 * the errors and work of the items before it; then StreamDone. A list of leaves was completed already.
 */
function completeStream(request: RequestState, stream: ItemStream, at: PlacedStream | undefined, queue: IncrementalQueue): PromiseOrValue<void> {
  if (stream.value.kind !== "list" || at === undefined) {
    const work = noWork(request);
    queue.streamDone(stream, stream.items, takeStreamErrors(stream.errors, work.streams), work, undefined);
    return;
  }
  const value = stream.value;
  const count = at.items.length;
  const ctx = newOutputContext(request, true);
  const items: unknown[] = [];
  const finish = (failure: GraphQLError | undefined): void => {
    const work = noWork(request);
    discoverStreamItems(stream, items, at.bucket, at.entry, work);
    queue.streamDone(stream, items, takeStreamErrors(ctx.errors.errors, work.streams), work, failure);
  };
  const next = (k: number): PromiseOrValue<void> => {
    for (; k < count; k++) {
      const errorsBefore = ctx.errors.errors.length;
      const failed = (error: unknown): GraphQLError => {
        ctx.errors.errors.length = errorsBefore;
        return error as GraphQLError;
      };
      let item: PromiseOrValue<unknown[]>;
      try {
        item = completeListItems(ctx, stream.field, value, at.bucket, at.entry + k, at.items, stream.initialCount, stream.initialCount + k, stream.initialCount + k + 1, stream.enginePath);
      } catch (error) {
        return finish(failed(error));
      }
      if (isPromiseLike(item)) {
        const k1 = k;
        return item.then(
          (done) => {
            items.push(done[0]);
            return next(k1 + 1);
          },
          (error: unknown) => finish(failed(error)),
        );
      }
      items.push(item[0]);
    }
    finish(undefined);
  };
  return next(0);
}
