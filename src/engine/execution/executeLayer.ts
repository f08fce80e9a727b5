// execution/: runs a plan's layers and steps, each step once per layer with the whole batch (spec/execution.md).
// ExecuteLayer: runs one layer's steps for one bucket — in dependency order, independent ones concurrently —
// then opens and runs its child layers (siblings concurrently). Mutation field layers are never started
// here: the request schedules them one after another (request/executeRequest.ts). Never completes output.
// A layer that goes asynchronous is a LayerRun: it counts what is still open (steps, then child layers)
// and is told of each completion directly, in the callback that completes it, so a request makes no
// promise per layer or per waiting step and its result is one promise hop from the last step's.

import type { Step } from "../step.js";
import type { Layer } from "../planning/layer.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { batchValues, isGlobalIn, leaveGlobalObject, setChild, type Bucket, type RequestState } from "./bucket.js";
import { createBucket } from "./createBucket.js";
import { EagerRead, factsOf, runStep, type StepFacts, type StepWaiter } from "./executeStep.js";
import { planArrivingBranch } from "../planning/planner.js";
import { childNeeds } from "./childNeeds.js";
import { groupResolverSteps } from "./resolverGroup.js";
import { planCacheFor } from "../planning/planCache.js";
import type { PartialAbstractValue } from "../planning/partialPlanning.js";

/** Told when a layer that went asynchronous is done, its child layers included (the parent's run, or the request). */
export interface LayerWaiter {
  layerDone(): void;
  layerFailed(error: unknown): void;
}

/** spec: ExecuteLayer — the bucket's steps in dependency order, independent ones concurrently, then its child layers. */
export function executeLayer(request: RequestState, bucket: Bucket): PromiseOrValue<void> {
  const run = runLayer(request, bucket, null);
  return run === null ? undefined : run.promise();
}

/**
 * ExecuteLayer for a waiter: null when the layer (and every layer below) finished synchronously; otherwise
 * the run, which tells `waiter` (or settles its promise) once everything is done.
 */
export function runLayer(request: RequestState, bucket: Bucket, waiter: LayerWaiter | null): LayerRun | null {
  if (bucket.count === 0) return null;
  const trace = request.trace;
  if (trace != null) trace.layerStarted(bucket);
  let run: LayerRun | null = null;
  if (bucket.layer.executableSteps.length > 0) {
    run = new LayerRun(request, bucket, waiter);
    run.runSteps();
    if (run.open > 0) {
      run.startChildrenEarly();
      return run;
    }
  }
  // A layer without steps (a nullable boundary, most often) makes a run only if a child layer goes asynchronous.
  run = runChildren(request, bucket, run, waiter);
  if (run !== null && run.open > 0) return run;
  if (trace != null) trace.layerEnded(bucket, undefined);
  return null;
}

/**
 * Opens the bucket's child layers once its steps are done; siblings run concurrently; serial ones wait to be
 * scheduled. Returns `run`, made now when it was null and some child went asynchronous: a layer whose
 * children all finish at once never allocates one. A child's run is attached to its parent's run right after
 * it returns (it cannot finish before: it waits for something asynchronous).
 */
function runChildren(request: RequestState, bucket: Bucket, run: LayerRun | null, waiter: LayerWaiter | null, started: number[] | null = null): LayerRun | null {
  const sites = request.plan.unplannedBranchesIn(bucket.layer);
  if (sites !== undefined) planArrivingBranches(request, bucket, sites);
  const children = bucket.layer.children;
  for (let c = 0; c < children.length; c++) {
    if (started !== null && started[c] === 1) continue; // started early (StartChildrenEarly)
    run = openChild(request, bucket, c, run, waiter);
  }
  return run;
}

/** Opens child layer `c` of the bucket and runs it; returns `run`, made now when it was null and the child went asynchronous. */
function openChild(request: RequestState, bucket: Bucket, c: number, run: LayerRun | null, waiter: LayerWaiter | null): LayerRun | null {
  const layer = bucket.layer.children[c]!;
  if (layer.reason.runsSerially || leaveGlobalObject(request, layer)) return run;
  const child = createBucket(request, bucket, layer);
  if (isPromiseLike(child)) {
    run ??= new LayerRun(request, bucket, waiter);
    run.open++;
    childWhenOpen(run, layer, child as Promise<Bucket>);
  } else {
    setChild(bucket, layer.id, child);
    const below = runLayer(request, child, run);
    if (below === null) return run;
    if (run === null) {
      run = new LayerRun(request, bucket, waiter);
      below.waiter = run;
    }
    run.open++;
  }
  return run;
}

/**
 * The child bucket once it is open, to its parent's run. Apart from openChild so that openChild's variables
 * are captured by no closure (which would make their context on every call, synchronous children included).
 */
function childWhenOpen(parent: LayerRun, layer: Layer, child: Promise<Bucket>): void {
  child.then((b) => parent.childBucket(layer, b), (error: unknown) => parent.layerFailed(error));
}

/** A layer's steps as ExecuteLayer schedules them, worked out once per plan layer (not per request). */
export interface Schedule {
  /** Per step index: what ExecuteStep reads of the step. */
  readonly facts: readonly StepFacts[];
  /** Per step index: the indices of the layer's steps it depends on (null: none). */
  readonly dependsOn: ReadonlyArray<Int32Array | null>;
  /** Per step index: the indices of the layer's steps that depend on it (null: none). */
  readonly dependents: ReadonlyArray<Int32Array | null>;
  /** StartChildrenEarly, made on first use: per child layer, the layer's steps it waits for (null: it starts when all are done). */
  childNeeds?: ReadonlyArray<Int32Array | null>;
  /** Per step index: the child layers (indices) waiting for it (null: none). */
  neededBy?: ReadonlyArray<Int32Array | null>;
}

/** By the layer's list of executable steps: a branch planned later gets new lists, so never a stale schedule. */
const schedules = new WeakMap<readonly Step[], Schedule>();

export function scheduleOf(steps: readonly Step[]): Schedule {
  let schedule = schedules.get(steps);
  if (schedule === undefined) schedules.set(steps, (schedule = makeSchedule(steps)));
  return schedule;
}

function makeSchedule(steps: readonly Step[]): Schedule {
  const index = new Map<Step, number>();
  for (let i = 0; i < steps.length; i++) index.set(steps[i]!, i);
  const dependsOn: Array<Int32Array | null> = [];
  const dependents: number[][] = steps.map(() => []);
  for (let i = 0; i < steps.length; i++) {
    const mine: number[] = [];
    for (const dep of steps[i]!.dependencies) {
      const k = index.get(dep);
      if (k === undefined || mine.includes(k)) continue;
      mine.push(k);
      dependents[k]!.push(i);
    }
    dependsOn.push(mine.length === 0 ? null : Int32Array.from(mine));
  }
  const facts = steps.map(factsOf);
  const reads: EagerRead[][] = steps.map(() => []);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (!step.isGlobal || step.hasSideEffects || step.dependencies.length !== 1 || !step.dependencies[0]!.isGlobal) continue;
    const path = step.inlineRead();
    const k = index.get(step.dependencies[0]!);
    if (path !== null && k !== undefined) reads[k]!.push(new EagerRead(step.id, path));
  }
  for (let i = 0; i < steps.length; i++) facts[i]!.reads = reads[i]!.length === 0 ? null : reads[i]!;
  groupResolverSteps(steps, facts);
  return {
    facts,
    dependsOn,
    dependents: dependents.map((list) => (list.length === 0 ? null : Int32Array.from(list))),
  };
}

/** Plans known to have no unplanned branch left (it stays so), and the others by their count of branches planned when checked. */
const finalPlans = new WeakSet<OperationPlan>();
const openPlans = new WeakMap<OperationPlan, number>();

/** Whether the plan has no unplanned branch left: checked again only when a branch was planned since. */
function isFinal(plan: OperationPlan): boolean {
  if (finalPlans.has(plan)) return true;
  if (openPlans.get(plan) === plan.branchesPlanned) return false;
  if (plan.hasUnplannedBranches()) {
    openPlans.set(plan, plan.branchesPlanned);
    return false;
  }
  finalPlans.add(plan);
  return true;
}

/** A step's state in LayerRun.state: running (went asynchronous); 0 is idle or done; n > 0 waits for n steps. */
const RUNNING = -1;

/**
 * One layer's execution for one bucket, once something in it went asynchronous. `open` counts the steps
 * running or waiting, then (once every step is done) the child layers running; at 0 the run is done.
 */
class LayerRun implements StepWaiter, LayerWaiter {
  open = 0;
  /** Of `open`, the steps running or waiting (the rest are child layers running). */
  private stepsOpen = 0;
  /** StartChildrenEarly: per child layer, how many of the steps it needs are not done (null: no child starts early). */
  private childWaits: number[] | null = null;
  /** Per child layer, 1 once it was started early; the others open when every step is done (a plain array: cheaper to make than a typed one). */
  private started: number[] | null = null;
  /**
   * Per step index, made when a step that others in the layer depend on first goes asynchronous: until
   * then no step can have to wait. A plain array of small integers: cheaper to make than a typed one.
   */
  private state: number[] | null = null;
  private schedule: Schedule | null = null;
  private failed = false;
  private resolve: (() => void) | null = null;
  private reject: ((error: unknown) => void) | null = null;

  constructor(
    private readonly request: RequestState,
    private readonly bucket: Bucket,
    /** Told when the run is done (null: the promise's); set right after the run is made when its parent's run is made later. */
    public waiter: LayerWaiter | null,
  ) {}

  /** The promise executeLayer hands out: settled when the run is done (made only when asked for). */
  promise(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  private scheduled(): Schedule {
    return (this.schedule ??= scheduleOf(this.bucket.layer.executableSteps));
  }

  /** Every step in order: at once when the steps it depends on are done, else when the last of them is. */
  runSteps(): void {
    const request = this.request;
    const bucket = this.bucket;
    const schedule = this.scheduled();
    const facts = schedule.facts;
    for (let i = 0; i < facts.length; i++) {
      const step = facts[i]!;
      if (step.isGlobal && request.globalDone[step.id] === true) continue;
      const state = this.state;
      if (state !== null) {
        const deps = schedule.dependsOn[i];
        let waits = 0;
        if (deps !== null) for (let d = 0; d < deps.length; d++) if (state[deps[d]!] !== 0) waits++;
        if (waits > 0) {
          state[i] = waits;
          this.open++;
          this.stepsOpen++;
          continue;
        }
      }
      if (runStep(request, bucket, step, this, i) !== undefined) this.running(i);
    }
  }

  /** Step `index` went asynchronous: counted open, and marked running when some step of the layer depends on it. */
  private running(index: number): void {
    this.open++;
    this.stepsOpen++;
    // A layer with child layers tracks every asynchronous step: a child may start once the steps it needs are done.
    if (this.scheduled().dependents[index] === null && this.bucket.layer.children.length === 0) return;
    let state = this.state;
    if (state === null) {
      const n = this.scheduled().facts.length;
      state = this.state = new Array<number>(n);
      for (let i = 0; i < n; i++) state[i] = 0;
    }
    state[index] = RUNNING;
  }

  /** A step that went asynchronous is done: the steps waiting only for it run, then the children once all are done. */
  stepDone(index: number): void {
    if (this.failed) return;
    try {
      this.open--;
      this.stepsOpen--;
      if (this.state !== null) this.release(index);
      if (this.stepsOpen === 0) {
        const started = this.started;
        this.childWaits = null; // every step is done: the children not started yet start now
        this.started = null;
        runChildren(this.request, this.bucket, this, this.waiter, started);
        if (this.open === 0) this.done();
      }
    } catch (error) {
      this.layerFailed(error);
    }
  }

  /** Marks a step done and runs the steps it was the last wait of (and theirs, when they finish at once). */
  private release(index: number): void {
    const state = this.state!;
    const { facts, dependents } = this.scheduled();
    state[index] = 0;
    let finished: number[] | null = null;
    for (let next: number | undefined = index; next !== undefined; next = finished?.pop()) {
      if (this.childWaits !== null) this.needDone(next);
      const waiting = dependents[next];
      if (waiting === null) continue;
      for (let w = 0; w < waiting.length; w++) {
        const j = waiting[w]!;
        if (state[j]! <= 0 || --state[j]! > 0) continue;
        this.open--;
        this.stepsOpen--;
        if (runStep(this.request, this.bucket, facts[j]!, this, j) === undefined) (finished ??= []).push(j);
        else this.running(j);
      }
    }
  }

  /**
   * spec: StartChildrenEarly — once the layer's first steps ran and some went asynchronous: each child layer whose
   * needed steps (ChildNeeds) are all done opens now, the others when their last needed step is done. Only in a
   * plan without unplanned branches, and never a layer the compiled output may leave unopened.
   */
  startChildrenEarly(): void {
    const layer = this.bucket.layer;
    // Every asynchronous step is marked in `state` (running): a layer without it has no step open.
    if (layer.children.length === 0 || this.state === null || !isFinal(this.request.plan)) return;
    const schedule = this.scheduled();
    if (schedule.childNeeds === undefined) Object.assign(schedule, childNeeds(layer, layer.executableSteps));
    const needs = schedule.childNeeds!;
    const state = this.state;
    const waits = new Array<number>(needs.length);
    const started = new Array<number>(needs.length);
    for (let c = 0; c < needs.length; c++) {
      const list = needs[c];
      waits[c] = -1;
      started[c] = 0;
      if (list === null) continue;
      let n = 0;
      if (state !== null) for (let k = 0; k < list.length; k++) if (state[list[k]!] !== 0) n++;
      waits[c] = n;
    }
    this.childWaits = waits;
    this.started = started;
    this.startReady();
  }

  /** Opens the children whose needed steps are all done and that were not started. */
  private startReady(): void {
    const waits = this.childWaits!;
    for (let c = 0; c < waits.length; c++) if (waits[c] === 0) this.startEarly(c);
  }

  private startEarly(c: number): void {
    const layer = this.bucket.layer.children[c]!;
    this.childWaits![c] = -1;
    if (layer.walk !== null || layer.globalObject) return; // opened with the rest, as LeaveForWalk expects
    this.started![c] = 1;
    openChild(this.request, this.bucket, c, this, this.waiter);
  }

  /** Step `index` is done: the children waiting for it as their last needed step open. */
  private needDone(index: number): void {
    const children = this.scheduled().neededBy![index];
    if (children === null || children === undefined) return;
    const waits = this.childWaits!;
    for (let k = 0; k < children.length; k++) {
      const c = children[k]!;
      if (waits[c]! > 0 && --waits[c]! === 0) this.startEarly(c);
    }
  }

  stepFailed(error: unknown): void {
    this.layerFailed(error);
  }

  /** A list layer's bucket, once its items settled: its own run, counted as open already. */
  childBucket(layer: Layer, child: Bucket): void {
    if (this.failed) return;
    try {
      setChild(this.bucket, layer.id, child);
      if (runLayer(this.request, child, this) === null) this.layerDone();
    } catch (error) {
      this.layerFailed(error);
    }
  }

  /** A child layer is done. */
  layerDone(): void {
    if (!this.failed && --this.open === 0) this.done();
  }

  layerFailed(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.request.trace?.layerEnded(this.bucket, error);
    if (this.waiter !== null) this.waiter.layerFailed(error);
    else this.reject!(error);
  }

  private done(): void {
    this.request.trace?.layerEnded(this.bucket, undefined);
    if (this.waiter !== null) this.waiter.layerDone();
    else this.resolve!();
  }
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
    const count = isGlobalIn(request, value.typeStep) ? 1 : bucket.count;
    for (let p = 0; p < count && value.branches !== undefined; p++) {
      const typeName = types[p];
      if (typeof typeName !== "string" || value.byType.has(typeName)) continue;
      const before = plan.branchesPlanned;
      const variables = request.variableValues as { readonly [name: string]: unknown };
      if (request.trace == null) planArrivingBranch(plan, value, typeName, variables);
      else request.trace.planBranch(bucket, typeName, () => plan.steps.length, () => planArrivingBranch(plan, value, typeName, variables));
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
      setChild(parent, layer.id, b);
      return executeLayer(request, b);
    });
  }
  setChild(parent, layer.id, child);
  const r = executeLayer(request, child);
  return r === undefined ? undefined : r;
}
