// RunTasks: one wave of deferred work — every task started since the last wave, grouped by deferred layer
// and the bucket above it, each group run as one bucket (its steps once for all the group's entries, like
// any layer), then each task's fields completed from that bucket in the order the tasks started. Streams
// were completed with the payload that held their lists: delivering them runs nothing.

import type { GraphQLError } from "graphql";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { newBucket, type Bucket, type RequestState } from "../execution/bucket.js";
import { executeLayer } from "../execution/executeLayer.js";
import { executeFields } from "../output/completeValue.js";
import { newOutputContext } from "../output/context.js";
import type { Layer } from "../planning/layer.js";
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
    const work = noWork();
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

/** spec: DeliverStream — a stream's cut items, their errors and the work below them. */
export function deliverStream(stream: ItemStream, queue: IncrementalQueue): void {
  const work = noWork();
  discoverStreamItems(stream, work);
  const errors = takeStreamErrors(stream.errors, work.streams);
  queue.streamDone(stream, stream.items, errors, work);
}
