// ExecuteLayer: runs one layer's steps for one bucket — in dependency order, independent ones concurrently —
// then opens and runs its child layers (siblings concurrently). Mutation field layers are never started
// here: the request schedules them one after another (executeRequest.ts). Never completes output.

import type { Step } from "../step.js";
import { fail, flagsOf, FLAG_ERROR } from "../flags.js";
import type { EntrySelection, Layer, ParentEntries } from "../layer.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { recordPromisedItems } from "../promisedItems.js";
import { batchValues, leaveForWalk, listAt, newBucket, type Bucket, type RequestState } from "./bucket.js";
import { executeStep } from "./executeStep.js";
import { planArrivingBranch } from "../planner.js";
import { planCacheFor } from "../planCache.js";
import type { PartialAbstractValue } from "../partialPlanning.js";

/** spec: ExecuteLayer — the bucket's steps in dependency order, independent ones concurrently, then its child layers. */
export function executeLayer(request: RequestState, bucket: Bucket): PromiseOrValue<void> {
  if (bucket.count === 0) return;
  let pending: Map<Step, Promise<void>> | null = null;
  const steps = bucket.layer.executableSteps;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.isGlobal && request.globalDone[step.id] === true) continue;
    let waits: Promise<void>[] | null = null;
    if (pending !== null) {
      for (const dep of step.dependencies) {
        const p = pending.get(dep);
        if (p !== undefined) (waits ??= []).push(p);
      }
    }
    if (waits === null) {
      const r = executeStep(request, bucket, step);
      if (r !== undefined) (pending ??= new Map()).set(step, r);
    } else {
      pending!.set(
        step,
        Promise.all(waits).then(() => executeStep(request, bucket, step)),
      );
    }
  }
  if (pending === null) return executeChildren(request, bucket);
  const done = pending.size === 1 ? pending.values().next().value! : Promise.all(pending.values());
  return done.then(() => executeChildren(request, bucket));
}

/** Child layers start once their parent's steps are done; siblings run concurrently; serial ones wait to be scheduled. */
function executeChildren(request: RequestState, bucket: Bucket): PromiseOrValue<void> {
  const sites = request.plan.unplannedBranchesIn(bucket.layer);
  if (sites !== undefined) planArrivingBranches(request, bucket, sites);
  let waits: Promise<void>[] | null = null;
  for (const layer of bucket.layer.children) {
    if (layer.reason.runsSerially) continue;
    const r = startChild(request, bucket, layer);
    if (r !== undefined) (waits ??= []).push(r);
  }
  if (waits === null) return;
  return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
}

/**
 * spec: PlanArrivingBranches — before a bucket's child layers open: every concrete type its entries name at an
 * abstract position whose branch is not planned yet is planned now, synchronously (see PlanArrivingBranch).
 * One pass over the type step's values per position; no allocation per entry.
 */
function planArrivingBranches(request: RequestState, bucket: Bucket, sites: readonly PartialAbstractValue[]): void {
  const plan = request.plan;
  for (let s = 0; s < sites.length; s++) {
    const value = sites[s]!;
    if (value.branches === undefined) continue;
    const types = batchValues(request, bucket, value.typeStep);
    const count = value.typeStep.isGlobal ? 1 : bucket.count;
    for (let p = 0; p < count && value.branches !== undefined; p++) {
      const typeName = types[p];
      if (typeof typeName !== "string" || value.byType.has(typeName)) continue;
      const before = plan.branchesPlanned;
      planArrivingBranch(plan, value, typeName, request.variableValues as { readonly [name: string]: unknown });
      if (plan.branchesPlanned !== before) planCacheFor(plan.schema).stats.branchesPlanned++;
    }
  }
}

/**
 * spec: ExecuteChildLayers — a live query's subtree re-run (spec/reactivity.md): the child layers `pick`
 * names (asked after the bucket's arriving branches are planned) opened below `bucket` and run as
 * ExecuteLayer runs its children. The bucket's own steps do not run; ExecuteLayer never calls this.
 */
export function executeChildLayers(request: RequestState, bucket: Bucket, pick: () => readonly Layer[]): PromiseOrValue<void> {
  if (bucket.count === 0) return;
  const sites = request.plan.unplannedBranchesIn(bucket.layer);
  if (sites !== undefined) planArrivingBranches(request, bucket, sites);
  let waits: Promise<void>[] | null = null;
  for (const layer of pick()) {
    const r = startChild(request, bucket, layer);
    if (r !== undefined) (waits ??= []).push(r);
  }
  if (waits === null) return;
  return Promise.all(waits).then(() => undefined);
}

/** spec: ExecuteMutationField — one root mutation field's layer (and the layers below it), when the request schedules it. */
export function executeMutationField(request: RequestState, rootBucket: Bucket, layer: Layer): PromiseOrValue<Bucket> {
  const done = startChild(request, rootBucket, layer);
  if (done === undefined) return rootBucket.children.get(layer.id)!;
  return done.then(() => rootBucket.children.get(layer.id)!);
}

function startChild(request: RequestState, parent: Bucket, layer: Layer): Promise<void> | undefined {
  const child = createBucket(request, parent, layer);
  if (isPromiseLike(child)) {
    return (child as Promise<Bucket>).then((b) => {
      parent.children.set(layer.id, b);
      return executeLayer(request, b);
    });
  }
  parent.children.set(layer.id, child);
  const r = executeLayer(request, child);
  return r === undefined ? undefined : r;
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
  const entries: ParentEntries = {
    count: parent.count,
    values: (step) => batchValues(request, parent, step),
    listAt: (step, entry) => listAt(request, parent, step, entry),
  };
  let selection = layer.reason.selectEntries(entries);
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
 * each parent entry's list becomes a field error at that list's path (the values are the executor's own).
 */
function refuseItems(request: RequestState, parent: Bucket, layer: Layer, selection: EntrySelection): EntrySelection {
  const max = request.limits.maxResponseEntries;
  const error = new Error(`The response would hold more than ${max} entries (maxResponseEntries); ask for smaller pages.`);
  const listStep = layer.reason.stepsRead()[0]!;
  const failed = fail(error);
  if (listStep.isGlobal) {
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
  let promises: Promise<unknown>[] | null = null;
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
        const slot = at;
        (promises ??= []).push(
          Promise.resolve(item).then(
            (v) => void (items[slot] = errorItems && v instanceof Error ? fail(v) : v),
            (e: unknown) => void (items[slot] = fail(e)),
          ),
        );
      }
    }
    // The output completes these items as promises, as graphql-js would.
    if (promised !== null) recordPromisedItems(lists[p]!, promised);
  }
  const itemStep = layer.itemStep!;
  const store = (): void => {
    bucket.values[itemStep.id] = items;
    bucket.flags[itemStep.id] = flagsOf(items);
  };
  if (promises === null) {
    store();
    return undefined;
  }
  return Promise.all(promises).then(store);
}
