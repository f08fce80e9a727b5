// DiscoverWork: after a payload is completed, the deferred work its data reaches — a delivery group for each
// `@defer` fragment that starts at a delivered object, a task for each group of deferred fields there, a
// stream for each `@stream` list — found by walking the output plan, the buckets and the completed data
// together. Positions the data holds as null (nulled by an error) are never walked. Runs no step.

import type { DeferredFields, OutputSelection, OutputValue } from "../planning/outputPlan.js";
import type { DeferUsage, StreamUsage } from "../planning/deferUsage.js";
import type { Path } from "../planning/resolveInfo.js";
import type { Bucket } from "../execution/bucket.js";
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
 * A `@stream` list at one delivered position: the items after `initialCount`, completed with the payload
 * that holds the list and cut from it, delivered later (with the errors raised below them).
 */
export interface ItemStream {
  readonly path: ReadonlyArray<string | number>;
  readonly label: string | undefined;
  readonly value: Extract<OutputValue, { kind: "list" | "leafList" }>;
  readonly initialCount: number;
  /** The completed items from `initialCount` on. */
  readonly items: unknown[];
  /** The list layer's bucket and the entry of the first item (null for a list of leaves). */
  readonly bucket: Bucket | null;
  readonly start: number;
  readonly enginePath: Path;
  readonly groupMap: ReadonlyMap<DeferUsage, DeliveryGroup>;
  /** The errors raised below the cut items (taken from the payload that completed them). */
  readonly errors: GraphQLError[];
}

/** What one payload's data makes pending, in graphql-js's order (groups after the fields below them). */
export interface Work {
  readonly groups: DeliveryGroup[];
  readonly tasks: Task[];
  readonly streams: ItemStream[];
}

export function noWork(): Work {
  return { groups: [], tasks: [], streams: [] };
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
    discoverValue(value, bucket, entry, d, fieldPath, [...pathArray, field.responseKey], map, work);
  }
  work.groups.push(...created);
  if (selection.deferred === undefined) return;
  for (const deferred of selection.deferred) {
    const groups = deferred.usages.map((usage) => map.get(usage)!);
    work.tasks.push({ groups, deferred, bucket, entry, path, pathArray, groupMap: map });
  }
}

/** The stream of a completed list: its items from `initialCount` on are cut from the list. */
function cutStream(
  value: Extract<OutputValue, { kind: "list" | "leafList" }>,
  usage: StreamUsage,
  data: unknown[],
  bucket: Bucket | null,
  start: number,
  path: Path,
  pathArray: ReadonlyArray<string | number>,
  map: ReadonlyMap<DeferUsage, DeliveryGroup>,
): ItemStream {
  const items = data.splice(usage.initialCount);
  return { path: pathArray, label: usage.label, value, initialCount: usage.initialCount, items, bucket, start: start + usage.initialCount, enginePath: path, groupMap: map, errors: [] };
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

/** spec: DiscoverStreamItems — the work below streamed items, as their payload makes it pending. */
export function discoverStreamItems(stream: ItemStream, work: Work): void {
  if (stream.value.kind !== "list" || stream.bucket === null) return;
  const item = stream.value.item;
  for (let i = 0; i < stream.items.length; i++) {
    const data = stream.items[i];
    if (data == null) continue;
    const index = stream.initialCount + i;
    discoverValue(item, stream.bucket, stream.start + i, data, { prev: stream.enginePath, key: index, typename: undefined }, [...stream.path, index], stream.groupMap, work);
  }
}

function discoverValue(
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
      if (value.stream !== undefined && Array.isArray(data) && data.length >= value.stream.initialCount) work.streams.push(cutStream(value, value.stream, data, null, 0, path, pathArray, map));
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
      const stream = value.stream !== undefined && data.length >= value.stream.initialCount ? cutStream(value, value.stream, data, child, start, path, pathArray, map) : null;
      for (let i = 0; i < data.length; i++) {
        if (data[i] == null) continue;
        discoverValue(value.item, child, start + i, data[i], { prev: path, key: i, typename: undefined }, [...pathArray, i], map, work);
      }
      if (stream !== null) work.streams.push(stream);
      return;
    }
  }
}
