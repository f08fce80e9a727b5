// The runs of a live query: a full run of the operation's cached plan that keeps what it built (LiveState),
// and a subtree re-run that runs again only the positions a change reached and splices their new values
// into the last result. A subtree re-run that cannot stand for a full one (an error, a value now null where
// the position cannot say so on its own, a promise, a timeout) answers "run in full" and changes nothing.

import { GraphQLError, type ExecutionResult } from "graphql";
import type { Step } from "../step.js";
import { prepareRequestWithStore, type GraphscaleExecutionArgs } from "../request/prepareRequest.js";
import { RequestDeps, attachToContext, detachFromContext } from "../deps.js";
import { isPromiseLike } from "../promiseOrValue.js";
import { maskErrors, toGraphQLError } from "../request/maskErrors.js";
import { addExplain } from "../explain/index.js";
import { newOutputContext } from "../output/context.js";
import type { Bucket, RequestState, StepCaller } from "../execution/bucket.js";
import { boundRequest } from "../request/executeRequest.js";
import { completePosition, executeKeepingRoot, executeSubtree, type SubtreeGroup } from "./executeSubtree.js";
import { LiveState, liveSites, type PositionAt } from "./liveState.js";

/** What one run of a live query gave. */
export interface LiveRunOutcome {
  readonly result: ExecutionResult;
  /** The state the next run starts from (null when the operation could not run: nothing to re-run). */
  readonly state: LiveState | null;
  readonly kind: "full" | "subtree";
  /** The response paths rebuilt ("" for a full run), dot-separated as in `extensions.deps`. */
  readonly paths: string[];
}

/**
 * spec: RunLiveQueryInFull — the operation run as execute runs it with deps, keeping its buckets and the
 * sites of its keys; its step calls (and its subtree re-runs', which copy its request) go through `callStep`
 * (MultiplexReruns).
 */
export async function runLiveQueryInFull(args: GraphscaleExecutionArgs, callStep: StepCaller | null = null, withDeps = true): Promise<LiveRunOutcome> {
  // The plan store is asked on a plan-cache miss; the run waits for the load without its own timeout.
  const prepared = await prepareRequestWithStore({ ...args, deps: true }, {}, true);
  if ("errors" in prepared) {
    const result = prepared.data === null ? { errors: prepared.errors, data: null } : { errors: prepared.errors };
    return { result, state: null, kind: "full", paths: [""] };
  }
  const request: RequestState = callStep === null ? prepared.request : { ...prepared.request, callStep };
  const deps = request.deps!;
  deps.sites = [];
  // KeysWithoutVersions: results without extensions.deps need no versions (changes come from the source).
  deps.versions = withDeps;
  attachToContext(request.contextValue, deps);
  let root: Bucket | null = null;
  let result: ExecutionResult;
  try {
    const run = executeKeepingRoot(request);
    root = run.root;
    result = await run.result;
  } catch (error) {
    root = null;
    result = { errors: [toGraphQLError(error)], data: null };
  } finally {
    detachFromContext(request.contextValue, deps);
  }
  await deps.settled();
  const masked = result.errors === undefined ? result : maskErrors(result, args);
  const finished = args.explain ? addExplain(masked, request.plan, args.explain) : masked;
  const full: ExecutionResult = { ...finished, extensions: { ...finished.extensions, deps: deps.toJSON() } };
  const state = new LiveState(request.plan, request, root, full, liveSites(deps.sites, deps.byPath), withDeps);
  return { result: full, state, kind: "full", paths: [""] };
}

/**
 * spec: RerunSubtrees — AffectedPositions for the touched keys; then ExecuteSubtree in a request copied from
 * the last run's (its global values, a new deps record), within the request's bounds; each position
 * completed (CompletePosition) and put in place of the old value in a copy of the last result (objects on
 * its path copied, the rest shared); the state adopts the run. Answers `{ full: why }` instead when a full
 * run must stand in, before anything changed.
 */
export async function rerunSubtrees(state: LiveState, keys: Iterable<string>): Promise<LiveRunOutcome | { readonly full: string }> {
  const affected = state.affectedPositions(keys);
  if ("full" in affected) return affected;
  // KeepValuesAsText: the kept values are read back for the re-run and written out again once it is over.
  state.thawValues();
  try {
    return await rerunPositions(state, affected);
  } finally {
    state.freezeValues();
  }
}

async function rerunPositions(state: LiveState, affected: Exclude<ReturnType<LiveState["affectedPositions"]>, { readonly full: string }>): Promise<LiveRunOutcome | { readonly full: string }> {
  const groups = groupPositions(affected.positions);
  const request = nextRequest(state);
  if (request.callerSignal?.aborted) return { full: "the request was aborted" };
  let slices: Bucket[] | null = null;
  attachToContext(request.contextValue, request.deps);
  try {
    const running = executeSubtree(request, state.root!, affected.globals, groups);
    if (!isPromiseLike(running)) slices = running;
    else await boundRequest(request, running.then((s) => ((slices = s), { data: null })));
  } catch (error) {
    return { full: `the re-run failed (${error instanceof Error ? error.message : String(error)})` };
  } finally {
    detachFromContext(request.contextValue, request.deps);
  }
  if (request.abortedBy !== null || slices === null) return { full: "the re-run was stopped" };
  if (request.promisedEntries === true) return { full: "an entry was a promise" };
  const spliced = spliceGroups(state, request, groups, slices);
  if ("full" in spliced) return spliced;
  const deps = request.deps!;
  await deps.settled();
  state.adopt(request, groups, slices, new Set<Step>(affected.globals), liveSites(deps.sites!, deps.byPath));
  state.data = spliced.data;
  if (state.withDeps) state.extensions = { ...state.extensions, deps: state.depsJSON() };
  return { result: state.extensions === undefined ? { data: spliced.data } : { data: spliced.data, extensions: state.extensions }, state, kind: "subtree", paths: spliced.paths };
}

/** The request of a subtree re-run: the last run's, with its own copy of the global values and a new deps record. */
function nextRequest(state: LiveState): RequestState & { readonly deps: RequestDeps } {
  const deps = new RequestDeps();
  deps.sites = [];
  deps.versions = state.withDeps;
  const last = state.request;
  return {
    ...last,
    ...state.globalArrays(),
    controller: null,
    abortedBy: null,
    promisedEntries: undefined,
    entries: state.entries,
    deps,
    trace: last.trace == null ? null : last.trace.again(),
  };
}

/** Positions grouped by kept bucket and position, entries ascending: each group is one slice. */
function groupPositions(positions: readonly PositionAt[]): SubtreeGroup[] {
  const byBucket = new Map<Bucket, Map<string, { bucket: Bucket; entries: number[]; position: PositionAt["position"] }>>();
  for (const at of positions) {
    let byKey = byBucket.get(at.bucket);
    if (byKey === undefined) byBucket.set(at.bucket, (byKey = new Map()));
    const group = byKey.get(at.position.key);
    if (group === undefined) byKey.set(at.position.key, { bucket: at.bucket, entries: [at.entry], position: at.position });
    else group.entries.push(at.entry);
  }
  const groups: SubtreeGroup[] = [];
  for (const byKey of byBucket.values()) {
    for (const group of byKey.values()) groups.push({ ...group, entries: group.entries.sort((a, b) => a - b) });
  }
  return groups;
}

/** Each group's positions completed from its slice and put into a copy of the last result's data. */
function spliceGroups(
  state: LiveState,
  request: RequestState,
  groups: readonly SubtreeGroup[],
  slices: readonly Bucket[],
): { data: Record<string, unknown> | null; paths: string[] } | { full: string } {
  const ctx = newOutputContext(request, false);
  let data: unknown = state.data;
  const paths: string[] = [];
  for (let g = 0; g < groups.length; g++) {
    const { bucket, entries, position } = groups[g]!;
    for (let j = 0; j < entries.length; j++) {
      const keys = state.pathOf({ bucket, entry: entries[j]!, position });
      ctx.stack.length = 0;
      ctx.stack.push(...(position.kind === "field" ? keys.slice(0, -1) : keys));
      let value: unknown;
      try {
        value = completePosition(ctx, position, slices[g]!, j);
      } catch {
        return { full: `${keys.join(".")} cannot be completed on its own` };
      }
      if (ctx.errors.errors.length > 0) return { full: `${keys.join(".")} has an error` };
      if (ctx.promisedRead) return { full: `${keys.join(".")} reads a promise inline` };
      data = setIn(data, keys, 0, value);
      if (data === undefined) return { full: `${keys.join(".")} is not in the last result` };
      paths.push(keys.join("."));
    }
  }
  return { data: data as Record<string, unknown> | null, paths };
}

/** A copy of `container` with the value at `keys` (from `at`) replaced; the objects on the path are copied, the rest shared. */
function setIn(container: unknown, keys: ReadonlyArray<string | number>, at: number, value: unknown): unknown {
  if (at === keys.length) return value;
  const key = keys[at]!;
  if (Array.isArray(container)) {
    if (typeof key !== "number" || key >= container.length) return undefined;
    const inner = setIn(container[key], keys, at + 1, value);
    if (inner === undefined) return undefined;
    const copy = container.slice();
    copy[key] = inner;
    return copy;
  }
  if (container === null || typeof container !== "object" || typeof key !== "string" || !Object.prototype.hasOwnProperty.call(container, key)) return undefined;
  const inner = setIn((container as Record<string, unknown>)[key], keys, at + 1, value);
  if (inner === undefined) return undefined;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(container) as object | null) as Record<string, unknown>, container);
  copy[key] = inner;
  return copy;
}
