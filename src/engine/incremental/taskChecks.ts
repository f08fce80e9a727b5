// Checks on the tasks a run holds (runTasks.ts): whether a deferred layer gains anything from one batch for
// all its tasks (CallsPerEntry), and whether a task fails at once while its run waits (FailsAtOnce), as
// graphql-js 17 fails an object at a non-null field that failed without waiting.

import type { GraphQLError } from "graphql";
import { FLAG_ERROR, FlaggedValue } from "../flags.js";
import { valueAt, type Bucket, type RequestState } from "../execution/bucket.js";
import { addPath, cannotReturnNull, locatedAt } from "../output/context.js";
import type { Layer } from "../planning/layer.js";
import type { OutputSelection, OutputValue } from "../planning/outputPlan.js";
import type { Path } from "../planning/resolveInfo.js";
import { ResolverStep } from "../planning/steps/resolver.js";
import type { Task } from "./discoverWork.js";

/** Where a task's entry is: the bucket its deferred layer ran in, and the entry there. */
export interface Placed {
  readonly bucket: Bucket;
  readonly entry: number;
}

/**
 * spec: FailsAtOnce — while a task's run waits: the error of the first field of its deferred selection that
 * is non-null and whose value is already in, without a promise, as an error or null (graphql-js 17 fails the
 * object there without waiting for its other fields); null when there is none.
 */
export function failsAtOnce(request: RequestState, task: Task, at: Placed): GraphQLError | null {
  return failingField(request, task.deferred.selection, at.bucket, at.entry, task.path);
}

/** FailsAtOnce over one object of the response: its selection at `entry` of `bucket`. */
function failingField(request: RequestState, selection: OutputSelection, bucket: Bucket, entry: number, path: Path | undefined): GraphQLError | null {
  for (const field of selection.fields) {
    const value = field.value;
    if (value === null || !value.nonNull) continue;
    const step = value.kind === "object" ? value.valueStep : value.step;
    if (step.isGlobal) continue;
    const own = bucket.values[step.id];
    if (own === undefined && step.layerId === bucket.layer.id) continue; // not in yet
    if (bucket.promised[step.id]?.[entry] === 1) continue; // a promise in graphql-js: it waits
    let v: unknown;
    try {
      v = own !== undefined ? own[entry] : valueAt(request, bucket, step, entry);
    } catch {
      continue; // a step of another layer: left to the completion
    }
    const failed = v instanceof FlaggedValue && v.flag === FLAG_ERROR ? v.error : v == null ? cannotReturnNull(field) : undefined;
    if (failed !== undefined) return locatedAt(failed, field, addPath(path, field.responseKey, selection.type.name));
  }
  return null;
}

/**
 * Whether a streamed item of a run that waited completes without waiting in graphql-js: its value is null or
 * an error, or it is an object that fails at once (FailsAtOnce over its fields).
 */
export function itemCompletesAtOnce(request: RequestState, item: OutputValue, raw: unknown, bucket: Bucket, entry: number, path: Path): boolean {
  if (raw == null || raw instanceof FlaggedValue) return true;
  if (item.kind !== "object") return false;
  const child = bucket.children.get(item.layer.id);
  const k = child?.entryOfParent?.[entry] ?? -1;
  return child !== undefined && k >= 0 && failingField(request, item.selection, child, k, path) !== null;
}

const perEntryLayers = new WeakMap<Layer, boolean>();

/**
 * spec: CallsPerEntry — whether every step of a deferred layer, and of the layers below it, is a resolver
 * call (ResolverStep: called once per entry whatever the batch): such a layer gains nothing from one batch.
 */
export function callsPerEntry(layer: Layer): boolean {
  let known = perEntryLayers.get(layer);
  if (known !== undefined) return known;
  known = layer.executableSteps.every((step) => step instanceof ResolverStep) && layer.children.every(callsPerEntry);
  perEntryLayers.set(layer, known);
  return known;
}
