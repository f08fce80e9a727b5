// DiscoverWork: after a payload is completed, the deferred work its data reaches — a delivery group for each
// `@defer` fragment that starts at a delivered object, a task for each group of deferred fields there, a
// stream for each `@stream` list — found by walking the output plan, the buckets and the completed data
// together. Positions the data holds as null (nulled by an error) are never walked. Runs no step.

import type { DeferredFields, OutputField, OutputSelection, OutputValue } from "../planning/outputPlan.js";
import type { DeferUsage, StreamUsage } from "../planning/deferUsage.js";
import type { Path } from "../planning/resolveInfo.js";
import { listAt, type Bucket, type RequestState } from "../execution/bucket.js";
import { itemCountOf } from "../flags.js";
import { promisedItemsOf, recordPromisedItems } from "../promisedItems.js";
import type { GraphQLError } from "graphql";

/** A `@defer` fragment at one delivered object: pending until its tasks are done (graphql-js's DeliveryGroup). */
export interface DeliveryGroup {
  readonly path: ReadonlyArray<string | number>;
  readonly label: string | undefined;
  readonly parent: DeliveryGroup | undefined;
}

/** One group of deferred fields at one delivered object: run with every task of its layer at once. */
export interface Task {
  readonly groups: readonly DeliveryGroup[];
  readonly deferred: DeferredFields;
  /** The object's bucket and entry (the deferred layer's parent). */
  readonly bucket: Bucket;
  readonly entry: number;
  readonly path: Path | undefined;
  readonly pathArray: ReadonlyArray<string | number>;
  /** The delivery groups in scope at the object (its own new ones included). */
  readonly groupMap: ReadonlyMap<DeferUsage, DeliveryGroup>;
}

/**
 * A `@stream` list at one delivered position. A list of objects: its items from `initialCount` on were
 * not opened with the payload that holds the list (ListItemReason.streamedFrom); DeliverStreams opens
 * them in a bucket of their own. A list of leaves: its items from `initialCount` on were left raw by that
 * payload's completion and cut from it; CompleteStream completes them.
 */
export interface ItemStream {
  readonly path: ReadonlyArray<string | number>;
  readonly label: string | undefined;
  readonly field: OutputField;
  readonly value: Extract<OutputValue, { kind: "list" | "leafList" }>;
  readonly initialCount: number;
  /** Lists of objects: the list as its step gave it; the stream delivers its items from `initialCount` on. */
  readonly list: readonly unknown[] | null;
  /** Lists of leaves: the raw items from `initialCount` on (CompleteStream completes them). */
  readonly items: unknown[];
  /** The bucket and entry that hold the list's position (the items' layer opens below it). */
  readonly bucket: Bucket;
  readonly entry: number;
  readonly enginePath: Path;
  /** The errors raised below the cut items (lists of leaves: taken from the payload that completed them). */
  readonly errors: GraphQLError[];
}

/** What one payload's data makes pending, in graphql-js's order (groups after the fields below them). */
export interface Work {
  readonly request: RequestState;
  readonly groups: DeliveryGroup[];
  readonly tasks: Task[];
  readonly streams: ItemStream[];
}

export function noWork(request: RequestState): Work {
  return { request, groups: [], tasks: [], streams: [] };
}

/** spec: DiscoverWork — the deferred work below one completed object of the response. */
export function discoverWork(
  selection: OutputSelection,
  bucket: Bucket,
  entry: number,
  data: Record<string, unknown>,
  path: Path | undefined,
  pathArray: ReadonlyArray<string | number>,
  groupMap: ReadonlyMap<DeferUsage, DeliveryGroup>,
  work: Work,
): void {
  let map = groupMap;
  const created: DeliveryGroup[] = [];
  if (selection.newDefers !== undefined && selection.newDefers.length > 0) {
    const own = new Map(groupMap);
    for (const usage of selection.newDefers) {
      const group: DeliveryGroup = { path: pathArray, label: usage.label, parent: usage.parent === undefined ? undefined : own.get(usage.parent) };
      created.push(group);
      own.set(usage, group);
    }
    map = own;
  }
  for (const field of selection.fields) {
    const value = field.value;
    if (value === null) continue;
    const d = data[field.responseKey];
    if (d == null) continue;
    const fieldPath: Path = { prev: path, key: field.responseKey, typename: undefined };
    discoverValue(field, value, bucket, entry, d, fieldPath, [...pathArray, field.responseKey], map, work);
  }
  work.groups.push(...created);
  if (selection.deferred === undefined) return;
  for (const deferred of selection.deferred) {
    const groups = deferred.usages.map((usage) => map.get(usage)!);
    work.tasks.push({ groups, deferred, bucket, entry, path, pathArray, groupMap: map });
  }
}

/** The stream of a completed list: a list of leaves has its items from `initialCount` on cut from the data. */
function newStream(
  field: OutputField,
  value: Extract<OutputValue, { kind: "list" | "leafList" }>,
  usage: StreamUsage,
  data: unknown[],
  list: readonly unknown[] | null,
  bucket: Bucket,
  entry: number,
  path: Path,
  pathArray: ReadonlyArray<string | number>,
): ItemStream {
  const items = list === null ? cutItems(data, usage.initialCount) : [];
  return { path: pathArray, label: usage.label, field, value, initialCount: usage.initialCount, list, items, bucket, entry, enginePath: path, errors: [] };
}

/** A list of leaves' raw items from `initialCount` on (CompleteLeafListValue left them raw), with their promised marks. */
function cutItems(data: unknown[], initialCount: number): unknown[] {
  const promised = promisedItemsOf(data);
  const items = data.splice(initialCount);
  if (promised !== undefined) recordPromisedItems(items, promised.subarray(initialCount));
  return items;
}

/**
 * spec: TakeStreamErrors — the errors of a payload raised below the items its streams cut move to those
 * streams; returns the payload's own.
 */
export function takeStreamErrors(errors: readonly GraphQLError[], streams: readonly ItemStream[]): GraphQLError[] {
  if (streams.length === 0) return errors as GraphQLError[];
  const own: GraphQLError[] = [];
  for (const error of errors) {
    const path = error.path;
    const stream = path === undefined ? undefined : streams.find((s) => isBelowCut(path, s));
    if (stream === undefined) own.push(error);
    else stream.errors.push(error);
  }
  return own;
}

function isBelowCut(path: ReadonlyArray<string | number>, stream: ItemStream): boolean {
  const n = stream.path.length;
  if (path.length <= n) return false;
  for (let i = 0; i < n; i++) if (path[i] !== stream.path[i]) return false;
  const index = path[n];
  return typeof index === "number" && index >= stream.initialCount;
}

const NO_GROUPS: ReadonlyMap<DeferUsage, DeliveryGroup> = new Map();

/**
 * spec: DiscoverStreamItems — the work below a run of a stream's delivered items (`bucket`: the items'
 * bucket, `start`: the entry of the first, `offset`: its index past initialCount), as their payload makes
 * it pending.
 */
export function discoverStreamItems(stream: ItemStream, items: readonly unknown[], bucket: Bucket, start: number, offset: number, work: Work): void {
  if (stream.value.kind !== "list") return;
  const item = stream.value.item;
  for (let i = 0; i < items.length; i++) {
    const data = items[i];
    if (data == null) continue;
    const index = stream.initialCount + offset + i;
    // graphql-js completes a streamed item with no delivery group in scope: a `@defer` below it opens a root group.
    discoverValue(stream.field, item, bucket, start + i, data, { prev: stream.enginePath, key: index, typename: undefined }, [...stream.path, index], NO_GROUPS, work);
  }
}

function discoverValue(
  field: OutputField,
  value: OutputValue,
  bucket: Bucket,
  entry: number,
  data: unknown,
  path: Path,
  pathArray: ReadonlyArray<string | number>,
  map: ReadonlyMap<DeferUsage, DeliveryGroup>,
  work: Work,
): void {
  switch (value.kind) {
    case "leaf":
      return;
    case "leafList":
      if (value.stream !== undefined && Array.isArray(data) && data.length >= value.stream.initialCount) work.streams.push(newStream(field, value, value.stream, data, null, bucket, entry, path, pathArray));
      return;
    case "object": {
      const child = bucket.children.get(value.layer.id);
      const k = child?.entryOfParent?.[entry] ?? -1;
      if (child === undefined || k < 0) return;
      discoverWork(value.selection, child, k, data as Record<string, unknown>, path, pathArray, map, work);
      return;
    }
    case "abstract": {
      for (const { layer, selection } of value.byType.values()) {
        const child = bucket.children.get(layer.id);
        const k = child?.entryOfParent?.[entry] ?? -1;
        if (child === undefined || k < 0) continue;
        discoverWork(selection, child, k, data as Record<string, unknown>, path, pathArray, map, work);
        return;
      }
      return;
    }
    case "list": {
      const child = bucket.children.get(value.layer.id);
      if (child === undefined || !Array.isArray(data)) return;
      const start = child.childStart![entry]!;
      const stream = value.stream !== undefined ? streamOf(field, value, value.stream, data, bucket, entry, path, pathArray, work.request) : null;
      for (let i = 0; i < data.length; i++) {
        if (data[i] == null) continue;
        discoverValue(field, value.item, child, start + i, data[i], { prev: path, key: i, typename: undefined }, [...pathArray, i], map, work);
      }
      if (stream !== null) work.streams.push(stream);
      return;
    }
  }
}

/** A list of objects' stream: its list as the list step gave it, when it has `initialCount` items or more (graphql-js then announces a stream, which may end with no items). */
function streamOf(
  field: OutputField,
  value: Extract<OutputValue, { kind: "list" }>,
  usage: StreamUsage,
  data: unknown[],
  bucket: Bucket,
  entry: number,
  path: Path,
  pathArray: ReadonlyArray<string | number>,
  request: RequestState,
): ItemStream | null {
  const list = listAt(request, bucket, value.step, entry);
  if (list === null || itemCountOf(list) < usage.initialCount) return null;
  return newStream(field, value, usage, data, list, bucket, entry, path, pathArray);
}
