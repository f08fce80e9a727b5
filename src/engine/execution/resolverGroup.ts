// ResolverGroup: the Resolver steps of one layer that read the same source run as one call for a bucket —
// one generated loop over the entries calling each field's resolver (CompileResolverGroup), and one wait for
// every promise they returned (RunResolverGroup) — instead of one ExecuteStep each with a wait per step and
// per entry. What it stores is what ExecuteStep would have stored for each step (values, flags, which
// entries were promises). Allocates per batch and per promise, never a closure per entry.

import type { Step } from "../step.js";
import { fail, flagOf, flagsOf, FlaggedValue, FLAG_NULL } from "../flags.js";
import { isItemSettlement } from "../promisedItems.js";
import { ResolverStep, resolverCallsInput, settleResolvedValue } from "../planning/steps/resolver.js";
import { compileResolverGroup, resolverCallsFit, type ResolverGroupCalls } from "../planning/steps/resolverCalls.js";
import { batchValues, entryPaths, type Bucket, type RequestState } from "./bucket.js";

/** What a group reads of a step's schedule facts (ExecuteStep's StepFacts). */
export interface GroupMemberFacts {
  readonly id: number;
  group: ResolverGroup | null;
}

/** Told when a member's results are stored (ExecuteStep's StepWaiter: a layer's run). */
export interface GroupWaiter {
  stepDone(index: number): void;
  stepFailed(error: unknown): void;
}

/** Returned by runResolverGroup when the group does not run for this bucket: the step runs on its own. */
export const NOT_GROUPED: unique symbol = Symbol("not grouped");

/** Resolver steps of one layer over one source, found once per layer schedule. */
export class ResolverGroup {
  /** The generated calls, made on the group's first run (undefined), or null where generated code does not run. */
  calls: ResolverGroupCalls | null | undefined = undefined;
  /** The buckets whose run went asynchronous and is not done. */
  readonly running = new WeakMap<Bucket, GroupRun>();

  constructor(
    readonly members: readonly ResolverStep[],
    readonly source: Step,
    readonly accepts: number,
    /** Whether every member has a `resolve` of its own (a request's fieldResolver then changes nothing). */
    readonly ownResolvers: boolean,
  ) {}
}

/**
 * spec: GroupResolverSteps — in a layer's schedule, the Resolver steps whose one dependency is the same
 * step, global or of an ancestor layer, and whose calls can be generated, each get the group of their
 * source (`facts[i].group`). Once per layer's list of executable steps.
 */
export function groupResolverSteps(steps: readonly Step[], facts: readonly GroupMemberFacts[]): void {
  let bySource: Map<Step, number[]> | null = null;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (!(step instanceof ResolverStep) || step.dependencies.length !== 1 || step.isGlobal) continue;
    const source = step.dependencies[0]!;
    if (!source.isGlobal && source.layerId === step.layerId) continue;
    if (!resolverCallsFit(step)) continue;
    const same = (bySource ??= new Map()).get(source);
    if (same === undefined) bySource.set(source, [i]);
    else if (steps[same[0]!]!.dependencyAcceptFlags[0] === step.dependencyAcceptFlags[0]) same.push(i);
  }
  if (bySource === null) return;
  for (const [source, indices] of bySource) {
    const members = indices.map((i) => steps[i] as ResolverStep);
    const group = new ResolverGroup(members, source, members[0]!.dependencyAcceptFlags[0]!, members.every((m) => m.resolve !== null));
    for (const i of indices) facts[i]!.group = group;
  }
}

/** A group's run for one bucket that went asynchronous: the steps' ExecuteStep calls wait for it. */
class GroupRun {
  /** The schedule's waiters and step indices, in pairs, told once every member's results are stored. */
  readonly waiters: Array<GroupWaiter | number> = [];
  promise: Promise<void> | null = null;
}

/**
 * spec: RunResolverGroup — ExecuteStep for a member of a group: the first member asked for a bucket runs the
 * whole group's calls and stores every member's results (at once, or once the promises they hold settled);
 * the others find them stored, or wait for the same run. NOT_GROUPED where the group does not apply to this
 * request or bucket (traced, aborted, batched across requests, a request fieldResolver a member would call,
 * a source entry carrying a flag the steps do not accept): then each step runs on its own.
 */
export function runResolverGroup(request: RequestState, bucket: Bucket, facts: GroupMemberFacts, waiter: GroupWaiter | null, index: number): Promise<void> | undefined | typeof NOT_GROUPED {
  const group = facts.group!;
  if (bucket.values[facts.id] !== undefined) return undefined;
  const running = group.running.get(bucket);
  if (running !== undefined) {
    if (waiter !== null) running.waiters.push(waiter, index);
    return running.promise!;
  }
  if (request.trace != null || request.callStep != null || request.merged != null || request.abortedBy !== null) return NOT_GROUPED;
  if (!group.ownResolvers && request.fieldResolver !== null) return NOT_GROUPED;
  let calls = group.calls;
  if (calls === undefined) calls = group.calls = compileResolverGroup(group.members.map(resolverCallsInput), settleResolvedValue);
  if (calls === null) return NOT_GROUPED;
  const source = group.source;
  const count = bucket.count;
  let sources: unknown[];
  if (source.isGlobal) {
    if (request.globalDone[source.id] !== true) return NOT_GROUPED;
    const value = request.globals[source.id];
    if (flagOf(value) & ~group.accepts) return NOT_GROUPED;
    sources = new Array<unknown>(count);
    for (let i = 0; i < count; i++) sources[i] = value;
  } else {
    sources = bucket.values[source.id] ?? batchValues(request, bucket, source);
    if ((bucket.flags[source.id] ?? 0) & ~group.accepts) return NOT_GROUPED;
  }
  const lists = calls(count, sources, request, () => entryPaths(bucket));
  return settleGroup(request, bucket, group, lists, waiter, index);
}

/**
 * The members' results checked as SettleResults checks a step's: stored at once when no entry is a
 * promise; otherwise every promise (of every member) is awaited in one wait, then all are stored.
 */
function settleGroup(request: RequestState, bucket: Bucket, group: ResolverGroup, lists: unknown[][], waiter: GroupWaiter | null, index: number): Promise<void> | undefined {
  const members = group.members;
  const count = bucket.count;
  let waits: Array<PromiseLike<unknown>> | null = null;
  /** Per promise: the member and the entry it goes to (member * count + entry). */
  let at: number[] | null = null;
  let masks: Array<Uint8Array | undefined> | null = null;
  const flags = new Array<number>(members.length);
  for (let k = 0; k < members.length; k++) {
    const list = lists[k]!;
    let f = 0;
    for (let i = 0; i < count; i++) {
      const item: unknown = list[i];
      if (item == null) f |= FLAG_NULL;
      else if (item instanceof FlaggedValue) f |= item.flag;
      // Only an object or a function can be a promise: a scalar result skips the `then` lookup.
      else if ((typeof item === "object" || typeof item === "function") && typeof (item as { then?: unknown }).then === "function") {
        if (waits === null) {
          waits = [];
          at = [];
          masks = new Array(members.length);
          request.promisedEntries = true;
        }
        // A thenable's `then` is called once, here (as ExecuteStep's Promise.resolve calls it once).
        waits.push(Promise.resolve(item as PromiseLike<unknown>));
        at!.push(k * count + i);
        if (!isItemSettlement(item as PromiseLike<unknown>)) (masks![k] ??= new Uint8Array(count))[i] = 1;
      }
    }
    flags[k] = f;
  }
  if (waits === null) {
    for (let k = 0; k < members.length; k++) {
      const id = members[k]!.id;
      bucket.values[id] = lists[k];
      bucket.flags[id] = flags[k]!;
    }
    return undefined;
  }
  const run = new GroupRun();
  if (waiter !== null) run.waiters.push(waiter, index);
  group.running.set(bucket, run);
  const places = at!;
  const store = (values: readonly unknown[]): void => {
    for (let p = 0; p < places.length; p++) {
      const place = places[p]!;
      lists[(place / count) | 0]![place % count] = values[p];
    }
    for (let k = 0; k < members.length; k++) {
      const id = members[k]!.id;
      bucket.values[id] = lists[k];
      bucket.flags[id] = flagsOf(lists[k]!);
      const mask = masks![k];
      if (mask !== undefined) bucket.promised[id] = mask;
    }
    group.running.delete(bucket);
    const waiters = run.waiters;
    for (let w = 0; w < waiters.length; w += 2) {
      const told = waiters[w] as GroupWaiter;
      try {
        told.stepDone(waiters[w + 1] as number);
      } catch (error) {
        told.stepFailed(error);
      }
    }
  };
  // One wait for every promise; when one rejects (rare), each is read on its own: a rejection fails its entry only.
  const all = waits;
  run.promise = Promise.all(all).then(store, () =>
    Promise.all(all.map((p) => Promise.resolve(p).then(undefined, (error: unknown) => fail(error)))).then(store),
  );
  return run.promise;
}
