// ResolverGroup: the Resolver steps of one layer that read the same source run as one call for a bucket —
// one generated loop over the entries calling each field's resolver (CompileResolverGroup), and one wait for
// the promises of its leaves plus one per field with a subtree (RunResolverGroup) — instead of one
// ExecuteStep each. What it stores is what ExecuteStep would have stored for each step (values, flags, which
// entries were promises). Allocates per batch, and per promise its callback pair (no Promise.all).

import { getNamedType, isLeafType } from "graphql";
import type { Step } from "../step.js";
import { fail, flagOf, flagsOf, FlaggedValue, FLAG_NULL } from "../flags.js";
import { isItemSettlement } from "../promisedItems.js";
import { ResolverStep, resolverCallsInput, settleResolvedValue } from "../planning/steps/resolver.js";
import { compileResolverGroup, resolverCallsFit, type ResolverGroupCalls } from "../planning/steps/resolverCalls.js";
import { batchValues, entryPaths, slotsFor, type Bucket, type RequestState } from "./bucket.js";
import { EntryWait } from "./entryWait.js";

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
  /**
   * The buckets whose run went asynchronous and is not done, other than `lastBucket`'s: a run is put here
   * only when another bucket's run starts while it waits (concurrent requests of one plan), so a request
   * alone never writes the WeakMap.
   */
  readonly running = new WeakMap<Bucket, GroupRun>();
  /**
   * The last bucket whose run went asynchronous, and its run while it is not done: a layer's schedule asks
   * for every member right after the first (they wait for nothing in the layer), so this answers them
   * without a WeakMap lookup.
   */
  lastBucket: Bucket | null = null;
  lastRun: GroupRun | null = null;
  /** How many runs `running` holds: none (a request alone), and a new bucket's first member skips the lookup. */
  spilled = 0;
  /** Per member: whether its field is of list type (its settled value may be a promise standing for a list's items). */
  readonly settlesLists: readonly boolean[];
  /** Per member: whether its field is of leaf type (no layer below reads it: its promises share one wait). */
  readonly leaves: readonly boolean[];
  /**
   * Per member: whether its field has a subtree and is no list, so its generated call hands a native promise
   * on unsettled (CompileResolverGroup): the wait fails what it resolves to when that is an Error.
   */
  readonly settlesObjects: readonly boolean[];
  /** How many members are of leaf type. */
  readonly leafCount: number;

  constructor(
    readonly members: readonly ResolverStep[],
    readonly source: Step,
    readonly accepts: number,
    /** Whether every member has a `resolve` of its own (a request's fieldResolver then changes nothing). */
    readonly ownResolvers: boolean,
  ) {
    this.settlesLists = members.map((m) => m.listDepth > 0);
    this.leaves = members.map((m) => m.listDepth === 0 && isLeafType(getNamedType(m.fieldDef.type)));
    this.settlesObjects = members.map((m, k) => m.listDepth === 0 && !this.leaves[k]);
    this.leafCount = this.leaves.filter((leaf) => leaf).length;
  }
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

/** Promised masks with every entry marked, by entry count: shared, as the output only reads masks. */
const ALL_PROMISED: Uint8Array[] = [];

/** The shared mask of `count` entries that were all promises (a one-entry bucket's most often). */
function allPromised(count: number): Uint8Array {
  if (count > 4096) return new Uint8Array(count).fill(1);
  return (ALL_PROMISED[count] ??= new Uint8Array(count).fill(1));
}

/** What a member is answered while its wait is open: its layer only tells it from undefined, and is told by `stepDone`. */
const WAITING: Promise<void> = Promise.resolve();

/**
 * A wait of a group's run for one bucket: members whose lists hold promises, stored together once they all
 * settled (an EntryWait writes each value to its entry), and then the waiters told.
 */
class GroupWait {
  /** The schedule's waiters and step indices, in pairs, told once the wait's members are stored. */
  readonly waiters: Array<GroupWaiter | number> = [];
  /** The members (indices in the group) the wait stores. */
  readonly members: number[] = [];
  /**
   * The entries' promises. SettleGroupPromise: an object field's promise came unsettled, so an Error it
   * resolves to fails its entry; such a field has a wait of its own, and the leaves' wait holds no such field.
   */
  readonly entries: EntryWait;

  constructor(
    readonly bucket: Bucket,
    readonly group: ResolverGroup,
    readonly run: GroupRun,
    readonly lists: unknown[][],
    settlesObject: boolean,
  ) {
    this.entries = new EntryWait(settlesObject);
  }

  /** Every promise is added (once the group's lists are settled): the members are stored once they settle. */
  added(): void {
    this.entries.close(() => this.store());
  }

  private store(): void {
    const { bucket, group, run, lists } = this;
    for (const k of this.members) {
      const id = group.members[k]!.id;
      bucket.values[id] = lists[k];
      bucket.flags[id] = flagsOf(lists[k]!);
      run[k] = null;
    }
    let open = false;
    for (let k = 0; k < run.length; k++) if (run[k] !== null) open = true;
    if (!open) {
      if (group.lastBucket === bucket) group.lastBucket = group.lastRun = null;
      else if (group.running.delete(bucket)) group.spilled--;
    }
    const waiters = this.waiters;
    for (let w = 0; w < waiters.length; w += 2) {
      const told = waiters[w] as GroupWaiter;
      try {
        told.stepDone(waiters[w + 1] as number);
      } catch (error) {
        told.stepFailed(error);
      }
    }
  }
}

/** A group's run for one bucket with members still waiting: per member, its wait (null: stored). */
type GroupRun = Array<GroupWait | null>;

/**
 * spec: RunResolverGroup — ExecuteStep for a member of a group: the first member asked for a bucket runs the
 * whole group's calls and stores the members' results (at once, or once the promises they hold settled);
 * the others find them stored, or wait for the same run. NOT_GROUPED where the group does not apply to this
 * request or bucket (traced, aborted, batched across requests, a request fieldResolver a member would call,
 * a source entry carrying a flag the steps do not accept): then each step runs on its own.
 */
export function runResolverGroup(request: RequestState, bucket: Bucket, facts: GroupMemberFacts, waiter: GroupWaiter | null, index: number): Promise<void> | undefined | typeof NOT_GROUPED {
  // Only a layer's run (a waiter to tell) runs a group: ExecuteStep without one is a live re-run's global
  // step, and GroupResolverSteps leaves global steps out, so this holds for every member.
  if (waiter === null) return NOT_GROUPED;
  const group = facts.group!;
  if (bucket.values[facts.id] !== undefined) return undefined;
  const running = group.lastBucket === bucket ? group.lastRun : group.spilled === 0 ? undefined : group.running.get(bucket);
  if (running != null) return join(running[memberIndex(group, facts.id)]!, waiter, index);
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
    if (count === 1) sources = [value];
    else {
      sources = new Array<unknown>(count);
      for (let i = 0; i < count; i++) sources[i] = value;
    }
  } else {
    sources = bucket.values[source.id] ?? batchValues(request, bucket, source);
    if ((bucket.flags[source.id] ?? 0) & ~group.accepts) return NOT_GROUPED;
  }
  let lists: unknown[][];
  try {
    lists = calls(count, sources, request, bucket, entryPaths);
  } catch (error) {
    // A throw outside the calls (each call catches its own): every entry of every member fails, as a
    // throwing `execute` fails its batch.
    lists = group.members.map(() => new Array<unknown>(count).fill(fail(error)));
  }
  const run = settleGroup(request, bucket, group, lists);
  if (run === null) return undefined;
  const wait = run[memberIndex(group, facts.id)];
  return wait === null ? undefined : join(wait!, waiter, index);
}

function memberIndex(group: ResolverGroup, id: number): number {
  const members = group.members;
  for (let k = 0; k < members.length; k++) if (members[k]!.id === id) return k;
  return -1;
}

/** A member's ExecuteStep waits for its wait: its waiter is told once the wait's members are stored. */
function join(wait: GroupWait, waiter: GroupWaiter, index: number): Promise<void> {
  wait.waiters.push(waiter, index);
  return WAITING;
}

/**
 * The members' results checked as SettleResults checks a step's: a member whose list holds no promise is
 * stored at once. The promises of the members of leaf type are awaited in one wait (no layer reads them);
 * each other member waiting gets a wait of its own, so that the layers below it start as soon as its own
 * promises settled (StartChildrenEarly). Returns the run when some member waits, else null.
 */
function settleGroup(request: RequestState, bucket: Bucket, group: ResolverGroup, lists: unknown[][]): GroupRun | null {
  const members = group.members;
  const settlesLists = group.settlesLists;
  const count = bucket.count;
  let run: GroupRun | null = null;
  let leafWait: GroupWait | null = null;
  for (let k = 0; k < members.length; k++) {
    const list = lists[k]!;
    let f = 0;
    let wait: GroupWait | null = null;
    let mask: Uint8Array | undefined;
    /** Entries 0..marked-1 are all promised and not yet in `mask` (-1 once a gap made the mask). */
    let marked = 0;
    for (let i = 0; i < count; i++) {
      const item: unknown = list[i];
      // A native promise (what async resolvers return) is told by one prototype check first; only an object
      // or a function can be any other promise: a scalar result skips the `then` lookup.
      if (!(item instanceof Promise)) {
        if (item == null || item instanceof FlaggedValue) {
          f |= item == null ? FLAG_NULL : item.flag;
          continue;
        }
        if ((typeof item !== "object" && typeof item !== "function") || typeof (item as { then?: unknown }).then !== "function") continue;
      }
      if (wait === null) {
        run ??= newRun(group, bucket);
        wait = group.leaves[k] ? (leafWait ??= new GroupWait(bucket, group, run, lists, false)) : new GroupWait(bucket, group, run, lists, group.settlesObjects[k]!);
      }
      // A thenable's `then` is called once (as ExecuteStep's Promise.resolve calls it once).
      wait.entries.add(item as PromiseLike<unknown>, list, i);
      // Only a list field's settling makes a promise standing for a list's items (SettleListItems).
      if (!settlesLists[k] || !isItemSettlement(item as PromiseLike<unknown>)) {
        // Promised entries from the first on need no mask of their own until a gap (most often every
        // entry is: one shared mask, never written, as the output only reads the marks).
        if (marked === i) marked++;
        else {
          if (marked > 0) (mask = new Uint8Array(count)).fill(1, 0, marked);
          marked = -1;
          (mask ??= new Uint8Array(count))[i] = 1;
        }
      }
    }
    if (marked > 0) mask = marked === count ? allPromised(count) : new Uint8Array(count).fill(1, 0, marked);
    if (wait === null) {
      bucket.values[members[k]!.id] = list;
      bucket.flags[members[k]!.id] = f;
      continue;
    }
    request.promisedEntries = true;
    if (mask !== undefined) storePromised(bucket, members[k]!.id, mask);
    wait.members.push(k);
    run![k] = wait;
  }
  // Each wait closed once, at its first member (a wait whose promises all settled already is stored now).
  if (run !== null) for (let k = 0; k < run.length; k++) if (run[k]?.members[0] === k) run[k]!.added();
  return run;
}

/** A step's promised mask, in a list made long enough for the layer's steps on the first mask (most buckets never get one). */
function storePromised(bucket: Bucket, id: number, mask: Uint8Array): void {
  if (bucket.promised.length === 0) (bucket as { promised: Bucket["promised"] }).promised = slotsFor(bucket.layer);
  bucket.promised[id] = mask;
}

/** The group's run for `bucket`, no member waiting yet: its last run (the bucket before's, still waiting) moves to the WeakMap. */
function newRun(group: ResolverGroup, bucket: Bucket): GroupRun {
  const run = new Array<GroupWait | null>(group.members.length);
  for (let m = 0; m < run.length; m++) run[m] = null;
  if (group.lastRun !== null) {
    group.running.set(group.lastBucket!, group.lastRun);
    group.spilled++;
  }
  group.lastBucket = bucket;
  group.lastRun = run;
  return run;
}
