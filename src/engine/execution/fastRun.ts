// FastRun: the steps of a plan whose every executed step is global (one value per request), run for one
// request with no bucket or layer run of its own, by the plan's generated function (CompileFastRun): the root
// layer's steps in dependency order, independent ones concurrently, each with ExecuteStep's semantics. It
// never opens a layer and never builds output; whatever it cannot finish is left for the general executor
// (spec/execution.md, FastRequest). A request whose steps all finish synchronously allocates no run; an
// asynchronous one, its run and per asynchronous step one callback pair.

import { fail, FlaggedValue } from "../flags.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { newRootBucket, type Bucket, type RequestState } from "./bucket.js";
import { eagerReads, settleResults } from "./executeStep.js";
import { scheduleOf, type Schedule } from "./executeLayer.js";
import { compileFastRun, type CompiledFastRun, type FastRunState, type OneEntryStep } from "./compileFastRun.js";

/** What FastRun needs of a plan, worked out once per plan. */
export interface FastPlan {
  readonly schedule: Schedule;
  /**
   * The bucket ExecuteStep is handed: a global step never writes its bucket (its results go to the
   * request's globals), so one bucket serves every request of the plan; it only reads it for entry paths.
   */
  readonly root: Bucket;
  /** The root layer's steps as one generated function (CompileFastRun). */
  readonly run: CompiledFastRun;
}

/** How many plans got a generated FastRun, and how many runs requests made (a test reads them). */
export const fastRunCounts = { compiled: 0, made: 0 };

const fastPlans = new WeakMap<OperationPlan, FastPlan | null>();

/**
 * spec: FastPlanOf — a plan FastRun can run, or null: a query (no mutation field to schedule, no
 * subscription stream) with no branch left to plan as types arrive, whose root layer's executed steps are
 * all global and whose child layers are all read by the compiled output without a bucket (IsGlobalObject).
 * Asked once the plan's output is compiled (that marks the layers; `compiled` false: it has none, and the
 * plan is not admitted); decided once per plan.
 */
export function fastPlanOf(plan: OperationPlan, compiled: boolean): FastPlan | null {
  let fast = fastPlans.get(plan);
  if (fast === undefined) fastPlans.set(plan, (fast = compiled && admits(plan) ? makeFastPlan(plan) : null));
  return fast;
}

/** The plan's FastPlanOf when decided already (a plan not admitted costs its requests one lookup), else undefined. */
export function decidedFastPlan(plan: OperationPlan): FastPlan | null | undefined {
  return fastPlans.get(plan);
}

function admits(plan: OperationPlan): boolean {
  if (plan.operation.operation !== "query" || plan.hasUnplannedBranches()) return false;
  const root = plan.rootLayer;
  for (const step of root.executableSteps) if (!step.isGlobal) return false;
  for (const layer of root.children) if (!layer.globalObject || layer.reason.runsSerially) return false;
  return true;
}

function makeFastPlan(plan: OperationPlan): FastPlan | null {
  const schedule = scheduleOf(plan.rootLayer.executableSteps);
  const root = newRootBucket({ plan } as RequestState);
  const run = compileFastRun(schedule, root);
  if (run === null) return null;
  fastRunCounts.compiled++;
  return { schedule, root, run };
}

/**
 * spec: FastRun — the plan's global steps for one request, by its generated function. A step that went
 * asynchronous is counted `pending`; once it is stored, the steps waiting for it start in that callback;
 * when nothing is pending the run tells `stepsDone` (or `stepsFailed`, on an internal error), unless the
 * request ended meanwhile (its timeout or its caller's abort: no further step starts). A step whose
 * dependency carries a flag is handled by its early exit; nothing here reads a step's value. The run is made
 * by the first pass only when some step is not a clean result (CompileFastRun), and that pass ends nothing:
 * its caller asks `pending` once it returns (`firstPassDone`).
 */
export abstract class FastRun implements FastRunState {
  // Declared and assigned in the constructor, not class fields (each defined before it is assigned): one
  // run is made per asynchronous request.
  declare readonly request: RequestState;
  declare readonly fast: FastPlan;
  declare pending: number;
  declare private stopped: boolean;
  /** While a pass runs (the first included): a step done synchronously there (a MappedResults of no promise) ends nothing. */
  declare private passing: boolean;
  /** The first pass is over: a throw of a later pass is the run's internal error (stepsFailed). */
  declare private started: boolean;

  /** Made by the first pass, while it runs. */
  constructor(request: RequestState, fast: FastPlan) {
    this.request = request;
    this.fast = fast;
    this.pending = 0;
    this.stopped = false;
    this.passing = true;
    this.started = false;
    fastRunCounts.made++;
  }

  /** Nothing is pending any more: every step is done. */
  abstract stepsDone(): void;
  /** An internal error (not a step's: those are its entries' values) ended the run. */
  abstract stepsFailed(error: unknown): void;

  /** The first pass returned: from now on, the run ends when nothing is pending. */
  firstPassDone(): void {
    this.passing = false;
    this.started = true;
  }

  /** The first pass threw: its caller answers with the error, and the steps it started store nothing. */
  abandon(): void {
    if (!this.started) this.stopped = true;
  }

  /** One later pass of the generated function (a nested one, from a step stored within a pass, keeps `passing`). */
  private pass(): void {
    const was = this.passing;
    this.passing = true;
    try {
      this.fast.run(this.request, this, this.fast, null);
    } finally {
      this.passing = was;
    }
  }

  wait(index: number, id: number, promise: unknown, map: ((value: unknown) => unknown) | null): void {
    this.waiting(id);
    // A native promise is awaited as it is (Promise.resolve would look up its constructor): one callback pair.
    if (promise instanceof Promise) {
      promise.then(
        (value: unknown) => this.resolved(index, id, value, map),
        (error: unknown) => this.rejected(index, error),
      );
      return;
    }
    // A MappedResults whose value is no promise is mapped now, as ExecuteStep maps it.
    if (promise == null || typeof (promise as { then?: unknown }).then !== "function") {
      if (this.store(index, promise, map)) this.stepDone(index);
      return;
    }
    Promise.resolve(promise as PromiseLike<unknown>).then(
      (value) => {
        if (this.store(index, value, map)) this.stepDone(index);
      },
      (error: unknown) => this.rejected(index, error),
    );
  }

  waitEntry(index: number, id: number, promise: Promise<unknown>, step: OneEntryStep): void {
    this.waiting(id);
    promise.then(
      (value: unknown) => this.resolvedEntry(index, id, value, step),
      (error: unknown) => this.rejected(index, error),
    );
  }

  /**
   * The entry's value made of a OneEntry step's promised value, stored at once when clean. The step itself is
   * called, not a function per step: this call site then sees the OneEntry classes, not one function per step.
   */
  private resolvedEntry(index: number, id: number, value: unknown, step: OneEntryStep): void {
    const request = this.request;
    if (request.abortedBy !== null || this.stopped === true) return;
    let t: unknown;
    try {
      t = step.oneEntry(value);
    } catch (error) {
      return this.rejected(index, error);
    }
    if (t !== null && (typeof t === "object" || typeof t === "function")) {
      if (this.store(index, [t], null)) this.stepDone(index);
      return;
    }
    this.storedClean(index, id, t);
  }

  /**
   * A native promise's value for step `index` (its id `id`): one clean entry stored at once, as storeResults
   * stores a global step's value; anything else by `store`.
   */
  private resolved(index: number, id: number, value: unknown, map: ((value: unknown) => unknown) | null): void {
    const request = this.request;
    if (request.abortedBy !== null || this.stopped === true) return;
    let list = value;
    if (map !== null) {
      try {
        list = map(value);
      } catch (error) {
        return this.rejected(index, error);
      }
    }
    let t: unknown;
    if (!Array.isArray(list) || list.length !== 1 || ((t = list[0]) !== null && (typeof t === "object" || typeof t === "function"))) {
      // An object (eager reads, a flag, a promise to look for), a wrong count, no list: as always.
      if (this.store(index, list, null)) this.stepDone(index);
      return;
    }
    this.storedClean(index, id, t);
  }

  settle(index: number, result: unknown): void {
    const settled = settleResults(this.request, this.fast.root, this.fast.schedule.facts[index]!, result, 1, null);
    if (settled === undefined) return;
    // Per-entry promises in the list: the step is stored once they settle.
    this.running(index);
    settled.then(
      () => this.stepDone(index),
      (error: unknown) => this.fail(error),
    );
  }

  /** Step `index` is running: pending, and marked so in globalDone (`false`) so that no pass starts it again. */
  private running(index: number): void {
    this.waiting(this.fast.schedule.facts[index]!.id);
  }

  /** The step of id `id` is running (as `running`, given the id the generated run passes). */
  private waiting(id: number): void {
    this.pending++;
    this.request.globalDone[id] = false;
  }

  /** A clean value (no object, no promise) for step `index` (id `id`), stored as storeResults stores a global step's. */
  private storedClean(index: number, id: number, t: unknown): void {
    this.request.globals[id] = t;
    this.request.globalDone[id] = true;
    this.stepDone(index);
  }

  /**
   * Stores an asynchronous step's value: mapped (MapResults), checked and stored (SettleResults). False when
   * the run is over, or the step is not done yet (per-entry promises: it tells stepDone itself when it is).
   */
  private store(index: number, value: unknown, map: ((value: unknown) => unknown) | null): boolean {
    const request = this.request;
    if (request.abortedBy !== null || this.stopped) return false;
    let list = value;
    if (map !== null) {
      try {
        list = map(value);
      } catch (error) {
        this.rejected(index, error);
        return false;
      }
    }
    const facts = this.fast.schedule.facts[index]!;
    let settled;
    try {
      let t: unknown;
      if (Array.isArray(list) && list.length === 1 && ((t = list[0]) == null || (typeof t !== "object" && typeof t !== "function") || typeof (t as { then?: unknown }).then !== "function")) {
        // One clean entry (the common case), stored as storeResults stores a global step's value.
        request.globals[facts.id] = t;
        request.globalDone[facts.id] = true;
        if (facts.reads !== null && t !== null && typeof t === "object" && !(t instanceof FlaggedValue)) eagerReads(request, facts.reads, t);
        return true;
      }
      settled = settleResults(request, this.fast.root, facts, list, 1, null);
    } catch (error) {
      // What reading the list threw (a getter) is an internal error of the request, as ExecuteStep reports it.
      this.fail(error);
      return false;
    }
    if (settled === undefined) return true;
    settled.then(
      () => this.stepDone(index),
      (error: unknown) => this.fail(error),
    );
    return false;
  }

  /** An asynchronous step failed as a whole: its value is the error (a thrown execute fails alike). */
  private rejected(index: number, error: unknown): void {
    const request = this.request;
    if (request.abortedBy !== null || this.stopped) return;
    const id = this.fast.schedule.facts[index]!.id;
    request.globals[id] = fail(error);
    request.globalDone[id] = true;
    this.stepDone(index);
  }

  /** A step is stored: the steps waiting for it start, and the run ends when nothing is pending. */
  private stepDone(index: number): void {
    if (this.request.abortedBy !== null || this.stopped === true) return;
    this.pending--;
    if (this.fast.schedule.dependents[index] !== null) {
      try {
        this.pass();
      } catch (error) {
        return this.fail(error);
      }
    }
    if (this.pending === 0 && !this.passing) this.stepsDone();
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stepsFailed(error);
  }
}
