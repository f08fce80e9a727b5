// FastRun: the steps of a plan whose every executed step is global (one value per request), run for one
// request with no bucket or layer run of its own: the root layer's steps in dependency order, independent
// ones concurrently, each through ExecuteStep exactly as ExecuteLayer calls it. It never opens a layer and
// never builds output; whatever it cannot finish is left for the general executor (spec/execution.md, FastRequest).

import type { OperationPlan } from "../planning/operationPlan.js";
import { newRootBucket, type Bucket, type RequestState } from "./bucket.js";
import { runStep, type StepWaiter } from "./executeStep.js";
import { scheduleOf, type Schedule } from "./executeLayer.js";

/** What FastRun needs of a plan, worked out once per plan. */
export interface FastPlan {
  readonly schedule: Schedule;
  /**
   * The bucket ExecuteStep is handed: a global step never writes its bucket (its results go to the
   * request's globals), so one bucket serves every request of the plan; it only reads it for entry paths.
   */
  readonly root: Bucket;
}

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

function makeFastPlan(plan: OperationPlan): FastPlan {
  const request = { plan } as RequestState;
  return { schedule: scheduleOf(plan.rootLayer.executableSteps), root: newRootBucket(request) };
}

/** Told when a FastRun that went asynchronous is done. */
export interface FastWaiter {
  stepsDone(): void;
  stepsFailed(error: unknown): void;
}

/** A step's state in FastRun.state: running (went asynchronous); 0 is idle or done; n > 0 waits for n steps. */
const RUNNING = -1;

/**
 * spec: FastRun — the plan's global steps for one request: null when every one finished synchronously,
 * else the run, which tells its `waiter` (set by the caller as it returns) once the last is done. A step whose dependency carries a flag is
 * handled by ExecuteStep as always (its early exit); nothing here reads a step's value.
 */
export function fastRun(request: RequestState, fast: FastPlan): FastRun | null {
  const run = new FastRun(request, fast);
  run.runSteps();
  return run.open > 0 ? run : null;
}

export class FastRun implements StepWaiter {
  open = 0;
  waiter: FastWaiter | null = null;
  /** Per step index, made when a step others depend on first goes asynchronous (as a layer's run does). */
  private state: number[] | null = null;
  private failed = false;

  constructor(
    private readonly request: RequestState,
    private readonly fast: FastPlan,
  ) {}

  runSteps(): void {
    const { request, fast } = this;
    const { facts, dependsOn } = fast.schedule;
    for (let i = 0; i < facts.length; i++) {
      const step = facts[i]!;
      if (request.globalDone[step.id] === true) continue;
      const state = this.state;
      if (state !== null) {
        const deps = dependsOn[i];
        let waits = 0;
        if (deps !== null) for (let d = 0; d < deps.length; d++) if (state[deps[d]!] !== 0) waits++;
        if (waits > 0) {
          state[i] = waits;
          this.open++;
          continue;
        }
      }
      if (runStep(request, fast.root, step, this, i) !== undefined) this.running(i);
    }
  }

  private running(index: number): void {
    this.open++;
    const { facts, dependents } = this.fast.schedule;
    if (dependents[index] === null) return;
    let state = this.state;
    if (state === null) {
      state = this.state = new Array<number>(facts.length);
      for (let i = 0; i < facts.length; i++) state[i] = 0;
    }
    state[index] = RUNNING;
  }

  stepDone(index: number): void {
    if (this.failed) return;
    try {
      this.open--;
      if (this.state !== null) this.release(index);
    } catch (error) {
      this.stepFailed(error);
      return;
    }
    if (this.open === 0) this.waiter!.stepsDone();
  }

  /** Marks a step done and runs the steps it was the last wait of (and theirs, when they finish at once). */
  private release(index: number): void {
    const state = this.state!;
    const { facts, dependents } = this.fast.schedule;
    state[index] = 0;
    let finished: number[] | null = null;
    for (let next: number | undefined = index; next !== undefined; next = finished?.pop()) {
      const waiting = dependents[next];
      if (waiting === null) continue;
      for (let w = 0; w < waiting.length; w++) {
        const j = waiting[w]!;
        if (state[j]! <= 0 || --state[j]! > 0) continue;
        this.open--;
        if (runStep(this.request, this.fast.root, facts[j]!, this, j) === undefined) (finished ??= []).push(j);
        else this.running(j);
      }
    }
  }

  stepFailed(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.waiter!.stepsFailed(error);
  }
}
