// RunTasks: the deferred work started at once — the tasks grouped by deferred layer and the bucket above
// it, each group run as one bucket (its steps once for all the group's entries, like any layer), then each
// task's fields completed from that bucket: at once for the runs that did not wait, and when its own run is
// done for each run that waits (a group goes out as soon as its steps are done). The streams ready at once
// are delivered the same way (DeliverStreams): their items' layer opens one bucket per parent bucket.

import type { GraphQLError } from "graphql";
import { itemCountOf, type ListIterationError } from "../flags.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { entryPaths, newBucket, type Bucket, type RequestState } from "../execution/bucket.js";
import { openBucket } from "../execution/createBucket.js";
import { executeLayer } from "../execution/executeLayer.js";
import { completeListItems, executeFields } from "../output/completeValue.js";
import { locatedAt, newOutputContext } from "../output/context.js";
import { completeLeafStreamItem } from "../output/leaves.js";
import { promisedItemsOf } from "../promisedItems.js";
import type { Layer } from "../planning/layer.js";
import type { Path } from "../planning/resolveInfo.js";
import { callsPerEntry, failsAtOnce, itemCompletesAtOnce, type Placed } from "./taskChecks.js";
import { discoverStreamItems, discoverWork, noWork, takeStreamErrors, type ItemStream, type Task } from "./discoverWork.js";
import type { IncrementalQueue, TaskOutcome } from "./workQueue.js";

/**
 * What a run tells the delivery (deliver.ts): work that waits is counted from `waiting` until `settled`
 * (its tasks or streams handed to the queue by then), and `seal` ends the payload being gathered.
 */
export interface RunHost {
  readonly queue: IncrementalQueue;
  /** Whether the consumer stopped: work that was waiting hands nothing more to the queue. */
  readonly stopped: boolean;
  waiting(): void;
  /** A run that waited is done waiting: its completion (promises already settled) runs until `settled`. */
  completing(): void;
  settled(): void;
  failed(error: unknown): void;
  seal(): void;
}

/**
 * spec: RunTasks — the started tasks' deferred layers, one bucket per (layer, parent bucket) holding every
 * task's entry there (one batch per step). The tasks of the runs that finish at once are completed and
 * handed to the queue now, in start order; each run that waits completes its own tasks when it is done,
 * whatever the other runs still wait for (graphql-js delivers each group as soon as it completes).
 */
export function runTasks(request: RequestState, tasks: readonly Task[], host: RunHost): void {
  const byParent = new Map<Bucket, Map<Layer, Task[]>>();
  const single: Task[][] = [];
  for (const task of tasks) {
    // A layer of resolver calls only runs per entry anyway: each task its own run, so each goes out when its own resolvers settle.
    if (callsPerEntry(task.deferred.layer)) {
      single.push([task]);
      continue;
    }
    let byLayer = byParent.get(task.bucket);
    if (byLayer === undefined) byParent.set(task.bucket, (byLayer = new Map()));
    const list = byLayer.get(task.deferred.layer);
    if (list === undefined) byLayer.set(task.deferred.layer, [task]);
    else list.push(task);
  }
  const runs: Array<[Bucket, Layer, Task[]]> = [];
  for (const [parent, byLayer] of byParent) for (const [layer, list] of byLayer) runs.push([parent, layer, list]);
  for (const list of single) runs.push([list[0]!.bucket, list[0]!.deferred.layer, list]);
  const placed = new Map<Task, Placed>();
  const waited = new Set<Task>();
  for (const [parent, layer, list] of runs) {
    const bucket = deferredBucket(parent, layer, list);
    for (const task of list) placed.set(task, { bucket, entry: bucket.entryOfParent![task.entry]! });
    let run: PromiseOrValue<void>;
    try {
      run = executeLayer(request, bucket);
    } catch (error) {
      host.failed(error);
      return;
    }
    if (run === undefined) continue;
    for (const task of list) waited.add(task);
    // graphql-js fails a task at once at a non-null field that failed without waiting (FailsAtOnce).
    const later = list.filter((task) => {
      const error = failsAtOnce(request, task, placed.get(task)!);
      if (error !== null) host.queue.taskDone(task, { ok: false, error });
      return error === null;
    });
    host.waiting();
    run.then(() => finishRun(request, later, placed, host), (error: unknown) => host.failed(error));
  }
  if (waited.size === tasks.length) return;
  const now = waited.size === 0 ? tasks : tasks.filter((task) => !waited.has(task));
  const done = completeTasks(request, now, placed, host.queue, 0);
  if (isPromiseLike(done)) {
    host.waiting();
    host.completing();
    done.then(() => host.settled(), (error: unknown) => host.failed(error));
  }
}

/** A run that waited is done: its tasks are completed and handed to the queue. */
function finishRun(request: RequestState, tasks: readonly Task[], placed: ReadonlyMap<Task, Placed>, host: RunHost): void {
  host.completing();
  if (host.stopped) return host.settled();
  try {
    const done = completeTasks(request, tasks, placed, host.queue, 0);
    if (isPromiseLike(done)) done.then(() => host.settled(), (error: unknown) => host.failed(error));
    else host.settled();
  } catch (error) {
    host.failed(error);
  }
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

/** Where a stream's items were opened: their bucket, the entry of the first, the items as opened, and whether their run waited. */
interface PlacedStream extends Placed {
  readonly items: readonly unknown[];
  waited: boolean;
}

/**
 * spec: DeliverStreams — the streams ready at once: a list of objects' later items open one bucket of the
 * items' layer per parent bucket, holding the items of every such stream there, run once (ExecuteLayer);
 * then each stream's items are completed one after another, in the order the streams were announced, and
 * the failed streams complete (CompleteFailedStreams).
 */
export function deliverStreams(request: RequestState, streams: readonly ItemStream[], host: RunHost): void {
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
  /** The streams whose runs wait, by run: completed when their own run is done. */
  const later = new Map<ItemStream, PromiseLike<unknown>>();
  try {
    for (const [parent, byLayer] of byParent) {
      for (const [layer, list] of byLayer) {
        const opened = streamBucket(request, parent, layer, list, placed);
        const run = (bucket: Bucket): PromiseOrValue<void> => executeLayer(request, bucket);
        const r = isPromiseLike(opened) ? opened.then(run) : run(opened);
        if (r !== undefined) for (const stream of list) later.set(stream, r);
      }
    }
  } catch (error) {
    host.failed(error);
    return;
  }
  const queue = host.queue;
  const finish = (): void => {
    queue.completeFailedStreams(false);
    if (queue.hasFailedAfterItems) {
      host.seal();
      queue.completeFailedStreams(true);
    }
  };
  const complete = (list: readonly ItemStream[]): PromiseOrValue<void> => {
    const done = completeStreams(request, list, placed, host);
    return isPromiseLike(done) ? done.then(finish) : finish();
  };
  // The streams whose items are ready now are completed now, in the order they were announced; each run
  // that waits completes its streams when it is done (graphql-js's streams run side by side).
  const now = later.size === 0 ? streams : streams.filter((stream) => !later.has(stream));
  if (now.length > 0) {
    const done = complete(now);
    if (isPromiseLike(done)) {
      host.waiting();
      host.completing();
      done.then(() => host.settled(), (error: unknown) => host.failed(error));
    }
  }
  const runs = new Map<PromiseLike<unknown>, ItemStream[]>();
  for (const [stream, run] of later) {
    const list = runs.get(run);
    if (list === undefined) runs.set(run, [stream]);
    else list.push(stream);
  }
  for (const [run, list] of runs) {
    host.waiting();
    run.then(
      () => {
        host.completing();
        if (host.stopped) return host.settled();
        // The items of a run that waited each waited, as graphql-js's items completed one after another do.
        for (const stream of list) placed.get(stream)!.waited = true;
        let done: PromiseOrValue<void>;
        try {
          done = complete(list);
        } catch (error) {
          return host.failed(error);
        }
        if (isPromiseLike(done)) done.then(() => host.settled(), (error: unknown) => host.failed(error));
        else host.settled();
      },
      (error: unknown) => host.failed(error),
    );
  }
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
    for (const stream of streams) placed.set(stream, { bucket, entry: childStart[stream.entry]!, items: lists[stream.entry]!, waited: false });
    return bucket;
  };
  const opened = openBucket(request, parent, layer, { count, parentIndex, childStart, entryOfParent: null, items, lists });
  return isPromiseLike(opened) ? opened.then(withPaths) : withPaths(opened);
}

/**
 * spec: CompleteStreams — the streams delivered together, completed side by side in rounds, as graphql-js's
 * streams run side by side: in each round every stream completes its items until one waits (a promised
 * item; in a run that waited, every item), then the payload is sealed; the next round starts once those
 * waits are over (their values are settled already: they take a few microtask turns).
 */
function completeStreams(request: RequestState, streams: readonly ItemStream[], placed: ReadonlyMap<ItemStream, PlacedStream>, host: RunHost): PromiseOrValue<void> {
  let active: StreamCursor[] = [];
  for (const stream of streams) {
    const cursor = completeStream(request, stream, placed.get(stream), host.queue);
    if (cursor !== null) active.push(cursor);
  }
  const queue = host.queue;
  /** Per round: how many streams had failed after items by its end; and how many of those this call completed. */
  const failedBy: number[] = [];
  const startedWith = queue.failedAfterItemsCount;
  let completedFailures = 0;
  const round = (): PromiseOrValue<void> => {
    // A stream that failed after items completes two rounds after them (graphql-js's failed stream takes two
    // more turns of its queue), before the items of that round.
    const r = failedBy.length;
    if (r >= 2) {
      const due = failedBy[r - 2]! - startedWith - completedFailures;
      if (due > 0) {
        queue.completeEarliestFailed(due);
        completedFailures += due;
      }
    }
    const waits: Array<PromiseLike<void>> = [];
    const next: StreamCursor[] = [];
    for (const cursor of active) {
      const wait = cursor.advance();
      if (wait === null) continue;
      waits.push(wait);
      next.push(cursor);
    }
    active = next;
    failedBy.push(queue.failedAfterItemsCount);
    if (waits.length === 0) return;
    host.seal();
    return Promise.all(waits).then(round);
  };
  return round();
}

/** One stream's completion, resumed round after round: `advance` returns the wait that ends its round, or null once it is done. */
interface StreamCursor {
  advance(): PromiseLike<void> | null;
}

const NEXT_ROUND: PromiseLike<void> = Promise.resolve();

/**
 * spec: CompleteStream — a stream's items as graphql-js's completeStreamItem gives them, one after another.
 * An item that waited (its run waited, or its completion awaits a promise) starts a new run of items, in the
 * next round (CompleteStreams): graphql-js completes stream items one after another and sends those ready
 * at once together. Each run goes to the queue (StreamItems). An item failing at a non-null position fails
 * the stream (the items before it are still delivered), then StreamDone.
 */
function completeStream(request: RequestState, stream: ItemStream, at: PlacedStream | undefined, queue: IncrementalQueue): StreamCursor | null {
  const value = stream.value;
  const ctx = newOutputContext(request, true);
  let completeItem: (k: number) => PromiseOrValue<unknown>;
  let count: number;
  let waited: boolean;
  // The list's iterator threw after its items (ListIterationError): the stream fails after them, at the list's path.
  const whole = value.kind === "list" ? stream.list : stream.items;
  const broke = whole !== null && whole.length > itemCountOf(whole) ? (whole[whole.length - 1] as ListIterationError) : undefined;
  if (value.kind === "list") {
    if (at === undefined) {
      queue.streamDone(stream, undefined, false);
      return null;
    }
    count = at.items.length;
    waited = at.waited;
    completeItem = (k) => {
      const i = stream.initialCount + k;
      const done = completeListItems(ctx, stream.field, value, at.bucket, at.entry + k, at.items, stream.initialCount, i, i + 1, stream.enginePath);
      return isPromiseLike(done) ? done.then((items) => items[0]) : done[0];
    };
  } else {
    // A list of leaves: its raw items, completed here (a non-null item that fails fails only the stream).
    const raw = stream.items;
    const promised = promisedItemsOf(raw);
    count = itemCountOf(raw);
    waited = false;
    completeItem = (k) => completeLeafStreamItem(ctx, stream.field, value.item, raw[k], promised?.[k] === 1, { prev: stream.enginePath, key: stream.initialCount + k, typename: undefined });
  }
  let items: unknown[] = [];
  /** Index (from 0 at initialCount) of the first item of the run being gathered. */
  let first = 0;
  let k = 0;
  let delivered = false;
  let done = false;
  /** The run's items and the errors raised before `upTo` go to the queue. */
  const flush = (upTo: number): void => {
    if (items.length === 0) return;
    const work = noWork(request);
    if (at !== undefined) discoverStreamItems(stream, items, at.bucket, at.entry + first, first, work);
    queue.streamItems(stream, items, takeStreamErrors(ctx.errors.errors.splice(0, upTo), work.streams), work);
    delivered = true;
    items = [];
  };
  const fail = (error: unknown, errorsBefore: number): void => {
    ctx.errors.errors.length = errorsBefore;
    flush(errorsBefore);
    queue.streamDone(stream, error as GraphQLError, delivered);
    done = true;
  };
  return {
    advance(): PromiseLike<void> | null {
      if (done) return null;
      while (k < count) {
        const errorsBefore = ctx.errors.errors.length;
        let item: PromiseOrValue<unknown>;
        try {
          item = completeItem(k);
        } catch (error) {
          fail(error, errorsBefore);
          return null;
        }
        if (isPromiseLike(item)) {
          // The items before it go now; it opens the next round's run.
          const n = items.length > 0 ? errorsBefore : 0;
          flush(n);
          const base = errorsBefore - n;
          first = k++;
          return (item as Promise<unknown>).then(
            (v) => void items.push(v),
            (error: unknown) => fail(error, base),
          );
        }
        items.push(item);
        k++;
        if (waited && k < count && !itemCompletesAtOnce(request, (value as Extract<typeof value, { kind: "list" }>).item, at!.items[k], at!.bucket, at!.entry + k, { prev: stream.enginePath, key: stream.initialCount + k, typename: undefined })) {
          // A run that waited: each item in a round of its own.
          flush(ctx.errors.errors.length);
          first = k;
          return NEXT_ROUND;
        }
      }
      flush(ctx.errors.errors.length);
      queue.streamDone(stream, broke === undefined ? undefined : locatedAt(broke.error, stream.field, stream.enginePath), delivered);
      done = true;
      return null;
    },
  };
}
