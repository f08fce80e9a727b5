// AdoptWindow: the requests of a window that wait only for their root layer's shareable calls are taken over
// and run on as one bucket — one root entry per request — so every later step runs once for all of them,
// and every layer below has one bucket for the window, not one per request (spec/cross-request-batching.md).
// Each request keeps what it computed alone (its variables, its context's values); a global step whose
// values differ between the requests varies per root entry in the merged run. Responses are built per
// request from its own root entry. Anything the merged run cannot vouch for falls back to the requests'
// own runs, which share calls as before: nothing a merged run computed reaches a request unless it all held.

import type { OperationPlan } from "../planning/operationPlan.js";
import { Step } from "../step.js";
import type { Limits } from "../limits.js";
import { flagsOf } from "../flags.js";
import { newBucket, type Bucket, type BatchState, type MergedState, type RequestFinisher, type RequestState } from "../execution/bucket.js";
import { runLayer, type LayerWaiter } from "../execution/executeLayer.js";

/** Counts of what windows did with the requests they adopted, for tests and benchmarks. */
export interface AdoptionStats {
  /** Merged runs started: each ran a window's adopted requests as one bucket. */
  windowRuns: number;
  /** Requests whose responses were built from a merged run. */
  adoptedRequests: number;
  /** Adopted requests that ran on by themselves after all (the merged run was not used for them). */
  fallbacks: number;
}

/** A request the batcher may hand to a window run: started, waiting only for calls parked in the batcher. */
export interface AdoptedRequest extends RequestState {
  readonly batch: BatchState & { root: Bucket; finisher: RequestFinisher };
}

/** Plans whose merged run read something of one request (its context, variables, root value): never merged again. */
const readsRequest = new WeakSet<OperationPlan>();

/** A step class (static) or a step sets `crossRequest = false` to always run per request. */
interface CrossRequestOption {
  readonly crossRequest?: boolean;
}

/** The step's own `crossRequest` when set, else its class's static one. */
export function crossRequestOf(step: Step): boolean | undefined {
  return (step as Step & CrossRequestOption).crossRequest ?? (step.constructor as CrossRequestOption).crossRequest;
}

/** What a plan allows a window: never a merged run (null), or one once every request ran these steps itself. */
interface PlanAdoption {
  readonly stepCount: number;
  readonly perRequest: readonly Step[] | null;
}

const adoptionByPlan = new WeakMap<OperationPlan, PlanAdoption>();

/**
 * spec: PerRequestSteps — a plan with a step that has side effects or opts out of sharing (`crossRequest =
 * false`) is never run as one bucket; a step whose class reads the request (`static readsRequest`) must have
 * run in every request before the window takes them over. Worked out once per plan (again when branches
 * planned later added steps).
 */
function perRequestSteps(plan: OperationPlan): readonly Step[] | null {
  const known = adoptionByPlan.get(plan);
  if (known !== undefined && known.stepCount === plan.steps.length) return known.perRequest;
  let perRequest: Step[] | null = [];
  for (const step of plan.steps) {
    if (step == null) continue;
    if (step.hasSideEffects || crossRequestOf(step) === false) {
      perRequest = null;
      break;
    }
    if ((step.constructor as typeof Step).readsRequest) perRequest.push(step);
  }
  adoptionByPlan.set(plan, { stepCount: plan.steps.length, perRequest });
  return perRequest;
}

/**
 * spec: MayAdopt — whether `request` may join a window run now: a batched query that records no dependencies,
 * has no per-entry promises, runs none of its own asynchronous calls, and waits in its root layer (`parked`:
 * every call it has parked is of a root-layer step).
 */
export function mayAdopt(request: RequestState, parkedInRoot: boolean): request is AdoptedRequest {
  const batch = request.batch;
  return (
    batch != null &&
    batch.adoptable &&
    batch.root !== null &&
    batch.finisher !== null &&
    parkedInRoot &&
    request.abortedBy === null &&
    request.promisedEntries !== true &&
    request.walkedLists === undefined &&
    (request.deps ?? null) === null &&
    request.plan.operation.operation === "query" &&
    !readsRequest.has(request.plan) &&
    !request.plan.hasUnplannedBranches() &&
    ranPerRequestSteps(request)
  );
}

/** Whether the request ran every step its plan needs run per request (PerRequestSteps). */
function ranPerRequestSteps(request: RequestState): boolean {
  const steps = perRequestSteps(request.plan);
  if (steps === null) return false;
  for (let s = 0; s < steps.length; s++) if (request.globalDone[steps[s]!.id] !== true) return false;
  return true;
}

/**
 * spec: AdoptWindow — runs `requests` (adoptable, same plan, same limits and resolvers) as one bucket.
 * Returns false, having changed nothing, when their values do not allow it (VaryingGlobals); the caller
 * then lets them share calls as before.
 */
export function adoptWindow(requests: readonly AdoptedRequest[], stats: AdoptionStats): boolean {
  const first = requests[0]!;
  const plan = first.plan;
  const varying = varyingGlobals(plan, requests);
  if (varying === null) return false;
  const root = mergedRoot(plan, requests, varying);
  if (root === null) return false;
  const merged: MergedState = { varying, failed: false, walked: new Map() };
  const request = new MergedRequest(first, merged);
  stats.windowRuns++;
  const run = new WindowRun(requests, request, root, stats);
  let layers;
  try {
    layers = runLayer(request, root, run);
  } catch (error) {
    run.layerFailed(error);
    return true;
  }
  if (layers === null) run.layerDone();
  return true;
}

/**
 * spec: VaryingGlobals — which global steps vary between the requests: those each computed alone with values
 * not all the same (`Object.is`), and the steps not yet run that depend on one. Null when the merged run
 * cannot hold them: the requests did not all run the same global steps, a step takes a varying value as its
 * one bare value (`addGlobalDependency`), or a varying step not yet run lies below the root layer.
 */
function varyingGlobals(plan: OperationPlan, requests: readonly AdoptedRequest[]): Uint8Array | null {
  const first = requests[0]!;
  const steps = plan.steps;
  const varying = new Uint8Array(steps.length);
  for (let id = 0; id < steps.length; id++) {
    const step = steps[id];
    if (step == null || !step.isGlobal) continue;
    const done = first.globalDone[id] === true;
    for (let r = 1; r < requests.length; r++) {
      const other = requests[r]!;
      if ((other.globalDone[id] === true) !== done) return null;
      if (done && varying[id] === 0 && !Object.is(other.globals[id], first.globals[id])) varying[id] = 1;
    }
  }
  // Steps not run yet vary when a global dependency does (to a fixed point: ids need not follow dependencies).
  for (let changed = true; changed; ) {
    changed = false;
    for (let id = 0; id < steps.length; id++) {
      const step = steps[id];
      if (step == null || !step.isGlobal || varying[id] === 1 || first.globalDone[id] === true) continue;
      if (step.dependencies.some((dep) => varying[dep.id] === 1)) {
        varying[id] = 1;
        changed = true;
      }
    }
  }
  for (let id = 0; id < steps.length; id++) {
    const step = steps[id];
    if (step == null) continue;
    if (varying[id] === 1 && first.globalDone[id] !== true && step.layerId !== plan.rootLayer.id) return null;
    // A step each request ran already is not run again: only the steps the merged run makes count.
    if (first.globalDone[id] !== true && takesVaryingBareValue(step, varying)) return null;
  }
  return varying;
}

function takesVaryingBareValue(step: Step, varying: Uint8Array): boolean {
  const asGlobal = step.dependencyIsGlobal;
  const deps = step.dependencies;
  for (let k = 0; k < deps.length; k++) if (asGlobal[k] && varying[deps[k]!.id] === 1) return true;
  return false;
}

/**
 * The merged root bucket: one entry per request, holding each request's values of the varying global steps
 * it computed and of its root layer's own steps; null when the requests did not all compute the same ones.
 */
function mergedRoot(plan: OperationPlan, requests: readonly AdoptedRequest[], varying: Uint8Array): Bucket | null {
  const n = requests.length;
  const root = newBucket(plan.rootLayer, null, { count: n, parentIndex: new Int32Array(0), childStart: null, entryOfParent: null, items: null, lists: null });
  const first = requests[0]!;
  for (let id = 0; id < varying.length; id++) {
    if (varying[id] !== 1 || first.globalDone[id] !== true) continue;
    const values = new Array<unknown>(n);
    for (let r = 0; r < n; r++) values[r] = requests[r]!.globals[id];
    root.values[id] = values;
    root.flags[id] = flagsOf(values);
  }
  const own = first.batch.root.values;
  for (let id = 0; id < own.length; id++) {
    if (own[id] === undefined) continue;
    const values = new Array<unknown>(n);
    for (let r = 0; r < n; r++) {
      const theirs = requests[r]!.batch.root.values[id];
      if (theirs === undefined) return null;
      values[r] = theirs[0];
    }
    root.values[id] = values;
    root.flags[id] = flagsOf(values);
  }
  return root;
}

/** Thrown when a step of a merged run reads what belongs to one request. */
class RequestRead extends Error {
  constructor(what: string) {
    super(`graphscale: a step read the request's ${what} in a window's merged run; the requests run on by themselves.`);
  }
}

/**
 * The request a merged run executes as: the plan, limits and resolvers its requests share, the global values
 * they agree on, and no context, root value or variables (reading them marks the run unusable).
 */
class MergedRequest implements RequestState {
  readonly plan: OperationPlan;
  readonly limits: Limits;
  readonly fieldResolver: RequestState["fieldResolver"];
  readonly typeResolver: RequestState["typeResolver"];
  readonly globals: unknown[];
  readonly globalDone: boolean[];
  promisedEntries: boolean | undefined = undefined;
  controller: AbortController | null = null;
  readonly callerSignal = null;
  abortedBy: Error | null = null;
  entries = 0;
  // Layers the compiled output walks are left unopened as for one request (LeaveForWalk); a request whose
  // response is built another way has them opened by this run, for all its entries (BuildResponse).
  readonly compileOutput = true;
  readonly jsonText = false;
  readonly deps = null;
  readonly callStep = null;
  walkedLists: "left" | "opening" | undefined = undefined;
  readonly batch = null;

  constructor(
    first: RequestState,
    readonly merged: MergedState,
  ) {
    this.plan = first.plan;
    // Each request's own maxResponseEntries is checked on its share when the run is done (WindowRun).
    this.limits = { ...first.limits, maxResponseEntries: Number.MAX_SAFE_INTEGER, timeoutMs: null };
    this.fieldResolver = first.fieldResolver;
    this.typeResolver = first.typeResolver;
    this.globals = first.globals.slice();
    this.globalDone = first.globalDone.slice();
  }

  get contextValue(): unknown {
    return this.read("context");
  }

  get rootValue(): unknown {
    return this.read("root value");
  }

  get variableValues(): { readonly [name: string]: unknown } {
    return this.read("variables");
  }

  private read(what: string): never {
    this.merged.failed = true;
    readsRequest.add(this.plan);
    throw new RequestRead(what);
  }
}

/**
 * A merged run, told when its root layer (and everything below) is done: each request gets its share —
 * its entries counted against its own limit, the global values computed for it — and its response is built
 * from its root entry; or, when the run is unusable, each request runs on by itself.
 */
class WindowRun implements LayerWaiter {
  private ended = false;

  constructor(
    private readonly requests: readonly AdoptedRequest[],
    private readonly request: MergedRequest,
    private readonly root: Bucket,
    private readonly stats: AdoptionStats,
  ) {}

  layerDone(): void {
    if (this.ended) return;
    this.ended = true;
    const request = this.request;
    if (request.merged.failed || request.promisedEntries === true) {
      for (const own of this.requests) this.fallBack(own);
      return;
    }
    const counts = entriesPerRoot(request, this.root, this.requests.length);
    for (let r = 0; r < this.requests.length; r++) {
      const own = this.requests[r]!;
      // A request that ended meanwhile (timeout, abort) has its response already.
      if (own.abortedBy !== null) continue;
      if (own.entries + counts[r]! > own.limits.maxResponseEntries) {
        this.fallBack(own);
        continue;
      }
      own.entries += counts[r]!;
      this.giveGlobals(own, r);
      own.batch.merged = request;
      if (request.walkedLists !== undefined) own.walkedLists = "left";
      this.stats.adoptedRequests++;
      own.batch.finisher.rootDone(this.root, r);
    }
  }

  layerFailed(_error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    for (const own of this.requests) this.fallBack(own);
  }

  /** The global values the merged run computed, as the request's own: its output reads them there. */
  private giveGlobals(own: AdoptedRequest, entry: number): void {
    const { globals, globalDone, merged } = this.request;
    const values = this.root.values;
    for (let id = 0; id < merged.varying.length; id++) {
      if (own.globalDone[id] === true) continue;
      if (merged.varying[id] === 1) {
        const mine = values[id];
        if (mine === undefined) continue;
        own.globals[id] = mine[entry];
        own.globalDone[id] = true;
      } else if (globalDone[id] === true) {
        own.globals[id] = globals[id];
        own.globalDone[id] = true;
      }
    }
  }

  /** spec: FallBack — the request runs its root layer again by itself (what it computed alone is kept), sharing calls as before. */
  private fallBack(own: AdoptedRequest): void {
    own.batch.adoptable = false;
    if (own.abortedBy !== null) return;
    this.stats.fallbacks++;
    const finisher = own.batch.finisher;
    try {
      if (runLayer(own, own.batch.root, finisher) === null) finisher.layerDone();
    } catch (error) {
      finisher.layerFailed(error);
    }
  }
}

/**
 * How many list entries each root entry's subtree holds (what maxResponseEntries counts), by root entry: the
 * entries of the list layers opened, and those a layer left for the compiled output to walk would open.
 */
function entriesPerRoot(request: MergedRequest, root: Bucket, n: number): Int32Array {
  const counts = new Int32Array(n);
  const rootOf = new Int32Array(n);
  for (let r = 0; r < n; r++) rootOf[r] = r;
  const pending: Array<{ bucket: Bucket; rootOf: Int32Array }> = [{ bucket: root, rootOf }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const parent = next.bucket;
    for (const child of parent.children.values()) {
      if (child.walkedEntries >= 0) {
        // Unopened (LeaveForWalk): the entries each parent entry's list would open, as the layer counted them.
        const perParent = request.merged!.walked.get(child)!;
        for (let p = 0; p < parent.count; p++) counts[next.rootOf[p]!]! += perParent[p]!;
        continue;
      }
      const index = child.parentIndex!;
      const mine = new Int32Array(child.count);
      for (let i = 0; i < child.count; i++) mine[i] = next.rootOf[index[i]!]!;
      if (child.layer.reason.type === "listItem") for (let i = 0; i < child.count; i++) counts[mine[i]!]!++;
      pending.push({ bucket: child, rootOf: mine });
    }
  }
  return counts;
}
