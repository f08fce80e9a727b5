// DirectRun: a query whose every field is a resolver's (a plain graphql-js schema, no plans) run depth-first,
// as graphql-js and graphql-jit run it — each object's fields called in order, each value completed as it
// comes, a promise's subtree when it settles — over positions worked out once per plan, with no bucket,
// layer or wait. It answers the clean case only: at the first thing that is not clean (an error, a null at
// a non-null position, a value the compiled output would give up on) it stops and the general executor
// answers the request, replaying what was already called (every call made here is handed over, none is made
// twice). See spec/resolver-emulation.md, DirectRun.

import type { ExecutionResult } from "graphql";
import { defaultFieldResolver, type GraphQLLeafType, type GraphQLResolveInfo } from "graphql";
import type { Step } from "../step.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import type { LeafShape, OutputSelection, OutputValue } from "../planning/outputPlan.js";
import { resolveInfoAt, type Path } from "../planning/resolveInfo.js";
import { resolveInfoExtras, variableValuesFor } from "../planning/graphqlAdapter.js";
import { ResolverStep } from "../planning/steps/resolver.js";
import { ItemStep } from "../planning/steps/item.js";
import { RootValueStep } from "../planning/steps/rootValue.js";
import { argumentsForCall, argumentsModeOf, sharedArguments, type ArgumentsMode } from "../planning/steps/resolverArguments.js";
import { outputCompilable } from "../output/compileOutput.js";
import { isPromiseLike } from "../promiseOrValue.js";
import { generatedCodeAllowed } from "../planning/generatedCode.js";
import { compileDirect, leaf, UNCLEAN, type CompiledField, type Select, type SelectRun } from "./compileDirect.js";
import type { RequestState } from "../execution/bucket.js";

/** One field of a selection: `__typename` (no step), or a resolver's field with how its value completes. */
interface DirectField extends CompiledField {
  readonly key: string;
  /** null for `__typename`. */
  readonly step: ResolverStep | null;
  readonly index: number;
  readonly mode: ArgumentsMode;
  /** Whether the step is read inline by the output (InlineDefaultResolver): a method there is not called here. */
  readonly inline: boolean;
  readonly value: DirectValue | null;
  /**
   * Whether a field below the value has a `resolve` of its own: its completion needs the field's path (a
   * subtree of default resolvers makes none, and a method found there hands the request over).
   */
  readonly deep: boolean;
}

/** How a value completes: a leaf (serialized), a list of values, or an object with its fields. */
type DirectValue =
  | { readonly kind: "leaf"; readonly nonNull: boolean; readonly type: GraphQLLeafType }
  | { readonly kind: "list"; readonly nonNull: boolean; readonly item: DirectValue; readonly deep: boolean }
  | { readonly kind: "object"; readonly nonNull: boolean; readonly select: Select; readonly deep: boolean };

/** A plan DirectRun runs: its root fields and how many resolver positions it has. */
export interface DirectPlan {
  readonly root: Select;
  readonly positions: number;
  /** How many record entries the plan's last run made (the size of a run's first list of calls). */
  recorded: number;
}

/** How many requests DirectRun answered, and how many it handed to the general executor (tests read them). */
export const directRunCounts = { answered: 0, handedOver: 0 };

/** Whether requests may be run directly at all (a test turns it off to compare with the layered run). */
export const directRuns = { enabled: true };

const directPlans = new WeakMap<OperationPlan, DirectPlan | null>();

/**
 * spec: DirectPlanOf — a plan DirectRun can run, or null, decided once per plan: a query, not incremental,
 * whose output CompileOutput would compile (so every leaf is a built-in scalar or an enum, no abstract or
 * IsTypeOf position, no key `__proto__`), whose steps are all Resolver steps, list items and the root value,
 * each field's value the Resolver step of its field over its parent's value.
 */
export function directPlanOf(plan: OperationPlan): DirectPlan | null {
  let direct = directPlans.get(plan);
  if (direct === undefined) directPlans.set(plan, (direct = admits(plan) ? build(plan) : null));
  return direct;
}

function admits(plan: OperationPlan): boolean {
  if (plan.operation.operation !== "query" || plan.incremental || plan.purpose !== "response" || !generatedCodeAllowed(plan.schema)) return false;
  for (const step of plan.liveSteps()) {
    if (!(step instanceof ResolverStep || step instanceof ItemStep || step instanceof RootValueStep)) return false;
  }
  return outputCompilable(plan);
}

function build(plan: OperationPlan): DirectPlan | null {
  const counter = { positions: 0 };
  const rootStep = plan.liveSteps().find((s) => s instanceof RootValueStep) ?? null;
  const root = selectionOf(plan.root, rootStep, counter, true);
  return root === null ? null : { root: root.select, positions: counter.positions, recorded: 3 };
}

/** A selection's generated function over `source`'s value and whether it calls a resolver, or null when some position does not fit. */
function selectionOf(selection: OutputSelection, source: Step | null, counter: { positions: number }, root: boolean): { select: Select; deep: boolean } | null {
  const fields = fieldsOf(selection, source, counter);
  const select = fields === null ? null : compileDirect(fields, selection.type.name, root);
  return select === null ? null : { select, deep: fields!.some((f) => f.resolves || f.deep) };
}

/** The fields of a selection whose parent value is `source`'s, or null when some position does not fit. */
function fieldsOf(selection: OutputSelection, source: Step | null, counter: { positions: number }): DirectField[] | null {
  if (selection.deferred !== undefined || selection.newDefers !== undefined) return null;
  const fields: DirectField[] = [];
  for (const field of selection.fields) {
    const value = field.value;
    if (value === null) {
      fields.push({ key: field.responseKey, fieldName: null, resolves: false, step: null, index: -1, mode: "none", inline: false, value: null, deep: false });
      continue;
    }
    const step = value.kind === "object" ? value.valueStep : value.step;
    if (value.kind === "object" && value.step !== value.valueStep) return null;
    if (!(step instanceof ResolverStep) || step.dependencies.length !== 1 || step.dependencies[0] !== source || !field.errorValuesAreErrors) return null;
    const completion = valueOf(value, step, counter);
    if (completion === null) return null;
    const node = step.field.fieldNodes[0]!;
    const inline = (step.inlined ?? step.inlineRead()) !== null;
    const mode = argumentsModeOf(step.fieldDef, node);
    fields.push({ key: field.responseKey, fieldName: step.field.fieldName, resolves: step.resolve !== null, step, index: counter.positions++, mode, inline, value: completion, deep: isDeep(completion) });
  }
  return fields;
}

/** How an output position's value completes, `step` holding the value (a list's item: its Item step). */
function valueOf(value: OutputValue, step: Step, counter: { positions: number }): DirectValue | null {
  switch (value.kind) {
    case "leaf":
      return { kind: "leaf", nonNull: value.nonNull, type: value.type };
    case "leafList": {
      const shape = value.item;
      const item: DirectValue = shape.kind === "leaf" ? { kind: "leaf", nonNull: shape.nonNull, type: shape.type } : leafListOf(shape);
      return { kind: "list", nonNull: value.nonNull, item, deep: false };
    }
    case "list": {
      const item = value.item;
      const itemStep = item.kind === "object" ? item.valueStep : item.step;
      if (!(itemStep instanceof ItemStep) || itemStep.listReason.listStep !== step) return null;
      const completion = valueOf(item, itemStep, counter);
      return completion === null ? null : { kind: "list", nonNull: value.nonNull, item: completion, deep: isDeep(completion) };
    }
    case "object": {
      const made = selectionOf(value.selection, step, counter, false);
      return made === null ? null : { kind: "object", nonNull: value.nonNull, select: made.select, deep: made.deep };
    }
    default:
      return null;
  }
}

function leafListOf(shape: LeafShape & { readonly kind: "leafList" }): DirectValue {
  const item = shape.item;
  return { kind: "list", nonNull: shape.nonNull, item: item.kind === "leaf" ? { kind: "leaf", nonNull: item.nonNull, type: item.type } : leafListOf(item), deep: false };
}

function isDeep(value: DirectValue): boolean {
  return value.kind !== "leaf" && value.deep;
}

/**
 * spec: DirectRequest — whether a request of a DirectPlan runs directly: nothing only the general executor
 * does (tracing, dependencies, a batching executor, JSON text, a request `fieldResolver`), the compiled
 * output allowed, and a root value that is no promise.
 */
export function directRequest(request: RequestState): boolean {
  if (!directRuns.enabled || request.trace != null || request.deps != null || request.callStep != null || request.merged != null) return false;
  if (request.batch != null || request.jsonText === true || !request.compileOutput || request.fieldResolver !== null || request.abortedBy !== null) return false;
  // A primitive root value's properties are its prototype's: the generated reads expect an object or nothing.
  const root = request.rootValue;
  return root == null || ((typeof root === "object" || typeof root === "function") && !isPromiseLike(root));
}

/** Entries in each full list of a run's record after its first (a multiple of 3: step, path, value). */
const RECORD_CHUNK = 3 * 256;

/** A call that threw, as recorded: the replay throws the same error. */
class Thrown {
  constructor(readonly error: unknown) {}
}

/**
 * spec: DirectRun — one request of a DirectPlan. Each object's fields in order: `__typename` is the
 * selection's type name; any other field calls its resolver (its own `resolve`, or graphql-js's default
 * resolver: the property, a method called) with `args`, the context and `info` as Resolver steps call it,
 * and completes the value: null or undefined at a nullable position is null; a leaf of its scalar's own kind
 * is itself, another primitive what its built-in `serialize` gives; an array is each item's value; an
 * object, its selection's fields; a native promise (a thenable is made one with `Promise.resolve`, its
 * `then` called once) completes when it settles. Anything else — a throw, a rejection, an Error value, a
 * null at a non-null position, a list that is no array, an object leaf or one `serialize` refuses, a method
 * read inline by the output, more list items than `maxResponseEntries` — is unclean: the run stops (its
 * pending callbacks do nothing) and ExecuteRequest answers with every call made here replayed (ReplayCalls).
 */
export class DirectRun implements SelectRun {
  /**
   * The calls made, in threes: the step, its path, what it returned (or Thrown). Kept in lists made at
   * their full size and filled by index, never grown: a list grown by `push` leaves its earlier copies
   * behind (about three times the record's size), and one list of a large query's size would be made in
   * the old generation, where every young value stored into it costs a write barrier. The first list has
   * the size the plan's last run needed, the next ones RECORD_CHUNK entries.
   */
  private calls: unknown[] | null = null;
  /** Entries used in `calls`. */
  private used = 0;
  /** Full lists before `calls`. */
  private chunks: unknown[][] | null = null;
  pending = 0;
  stopped = false;
  items = 0;
  /** Per position: its arguments shared by this request's calls, once worked out. */
  private shared: Array<Readonly<Record<string, unknown>> | undefined | null> | null = null;
  private done: ((outcome: DirectOutcome) => void) | null = null;
  private failed: ((error: unknown) => void) | null = null;
  private readonly variableValues: GraphQLResolveInfo["variableValues"];
  private readonly extras: object | null;
  /** Every awaited promise's rejection handler: one function per run. */
  private readonly rejected = (): void => this.stop(UNCLEAN);
  private data: Record<string, unknown> | null = null;

  constructor(
    readonly request: RequestState,
    readonly plan: DirectPlan,
  ) {
    this.variableValues = variableValuesFor(request.variableValues);
    this.extras = resolveInfoExtras(request);
  }

  /** The response, or UNCLEAN (handed over), or a promise of either once something went asynchronous. */
  start(): DirectOutcome | Promise<DirectOutcome> {
    let data: Record<string, unknown>;
    try {
      data = this.plan.root(this, this.request.rootValue, undefined);
    } catch (error) {
      if (error !== UNCLEAN) throw error;
      this.stopped = true;
      return UNCLEAN_OUTCOME;
    }
    if (this.pending === 0) {
      this.sized();
      return { data };
    }
    this.data = data;
    return new Promise<DirectOutcome>((resolve, reject) => {
      this.done = resolve;
      this.failed = reject;
    });
  }

  /** The field's own resolver called for `source` at `path` (recorded). */
  call(field: DirectField, source: unknown, path: Path): unknown {
    const step = field.step!;
    const request = this.request;
    let raw: unknown;
    try {
      raw = step.resolve!(source, this.args(field, step), request.contextValue, this.info(step, path));
    } catch (error) {
      this.remember(step, path, new Thrown(error));
      throw UNCLEAN;
    }
    return this.record(step, path, raw);
  }

  /**
   * A method the default resolver found on `source`, called with (args, context, info) and recorded — unless
   * the output reads the field inline (InlineDefaultResolver), which would call it again: unclean then.
   */
  method(field: DirectField, source: unknown, path: Path | null): unknown {
    if (field.inline || path === null) throw UNCLEAN;
    const step = field.step!;
    const request = this.request;
    let raw: unknown;
    try {
      const name = step.field.fieldName;
      raw = (source as Record<string, (...a: unknown[]) => unknown>)[name]!(this.args(field, step), request.contextValue, this.info(step, path));
    } catch (error) {
      this.remember(step, path, new Thrown(error));
      throw UNCLEAN;
    }
    return this.record(step, path, raw);
  }

  /** A call's value recorded for ReplayCalls: a thenable made a promise (its `then` called once, here). */
  private record(step: ResolverStep, path: Path, raw: unknown): unknown {
    if (raw != null && !(raw instanceof Promise) && typeof (raw as { then?: unknown }).then === "function") raw = Promise.resolve(raw);
    this.remember(step, path, raw);
    return raw;
  }

  private remember(step: ResolverStep, path: Path, raw: unknown): void {
    let calls = this.calls;
    let at = this.used;
    if (calls === null || at === calls.length) {
      if (calls !== null) (this.chunks ??= []).push(calls);
      this.calls = calls = new Array<unknown>(calls === null ? Math.min(this.plan.recorded, RECORD_CHUNK) : RECORD_CHUNK);
      at = 0;
    }
    calls[at] = step;
    calls[at + 1] = path;
    calls[at + 2] = raw;
    this.used = at + 3;
  }

  /** Every call made, in threes: the step, its path, what it returned (or Thrown). */
  recorded(): unknown[][] {
    const lists = this.chunks === null ? [] : [...this.chunks];
    if (this.calls !== null) lists.push(this.calls.slice(0, this.used));
    return lists;
  }

  /** The run ended clean: the plan's next run starts with a list of the size this one needed. */
  private sized(): void {
    const entries = (this.chunks === null ? 0 : this.chunks.length * RECORD_CHUNK) + this.used;
    if (entries > 0) this.plan.recorded = entries;
  }

  unclean(): never {
    throw UNCLEAN;
  }

  leaf(value: DirectValue, raw: unknown): unknown {
    return leaf((value as { readonly type: GraphQLLeafType }).type, raw);
  }

  /** graphql-js's `info` for a call at `path` (BuildResolveInfo, its request parts read once per run). */
  private info(step: ResolverStep, path: Path): GraphQLResolveInfo {
    return resolveInfoAt(step.field, this.request.rootValue, path, this.variableValues, this.extras);
  }

  /** One call's `args`: a copy of the arguments this request's calls share, or its own coercion. */
  private args(field: DirectField, step: ResolverStep): Record<string, unknown> {
    if (field.mode === "none") return {};
    const known = (this.shared ??= new Array<Readonly<Record<string, unknown>> | undefined | null>(this.plan.positions).fill(null));
    let shared = known[field.index];
    const node = step.field.fieldNodes[0]!;
    if (shared === null) shared = known[field.index] = sharedArguments(field.mode, step.fieldDef, node, this.request);
    return argumentsForCall(shared, step.fieldDef, node, this.request);
  }

  /** A value completed at `path` (see DirectRun). */
  complete(value: DirectValue, raw: unknown, path: Path | undefined | null): unknown {
    if (raw == null) {
      if (value.nonNull) throw UNCLEAN;
      return null;
    }
    if (value.kind === "leaf") return leaf(value.type, raw);
    if (value.kind === "object") {
      // A primitive, an Error, a thenable read as a property: the general executor's to complete.
      if (typeof raw !== "object" || raw instanceof Error || typeof (raw as { then?: unknown }).then === "function") throw UNCLEAN;
      return value.select(this, raw, path);
    }
    if (!Array.isArray(raw)) throw UNCLEAN;
    const n = raw.length;
    if ((this.items += n) > this.request.limits.maxResponseEntries) throw UNCLEAN;
    const item = value.item;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const itemPath: Path | null = value.deep ? { prev: path!, key: i, typename: undefined } : null;
      const entry: unknown = raw[i];
      if (entry != null && !(entry instanceof Promise) && typeof (entry as { then?: unknown }).then === "function") throw UNCLEAN;
      if (entry instanceof Promise) {
        out[i] = null;
        this.await(entry, item, itemPath, out, i);
      } else out[i] = this.complete(item, entry, itemPath);
    }
    return out;
  }

  /** A promise's value completed into `target[at]` once it settles; a rejection is unclean. */
  await(promise: Promise<unknown>, value: DirectValue, path: Path | undefined | null, target: Record<string, unknown> | unknown[], at: string | number): void {
    this.pending++;
    promise.then(
      (resolved) => {
        // Stopped, or the request timed out or was aborted (its result is given already): nothing more is called.
        if (this.stopped || this.request.abortedBy !== null) return;
        try {
          (target as Record<string | number, unknown>)[at] = this.complete(value, resolved, path);
        } catch (error) {
          return this.stop(error);
        }
        if (--this.pending === 0 && !this.stopped) {
          this.sized();
          this.done!({ data: this.data! });
        }
      },
      this.rejected,
    );
  }

  private stop(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    // A request that timed out or was aborted has its result already: nothing is handed over.
    if (this.request.abortedBy !== null) return;
    if (error === UNCLEAN) this.done!(UNCLEAN_OUTCOME);
    else this.failed!(error);
  }
}

/** What a run gives: the clean response, or that it stopped (the general executor answers). */
export type DirectOutcome = ExecutionResult | typeof UNCLEAN_OUTCOME;
export const UNCLEAN_OUTCOME: unique symbol = Symbol("handed over");

/** The replay's key of a path: its keys from the root. */
function pathKey(path: Path | undefined): string {
  let key = "";
  for (let p = path; p !== undefined; p = p.prev) key = `${p.key}.${key}`;
  return key;
}

/**
 * spec: ReplayCalls — the calls a stopped run made, by step and path, for the general executor: a Resolver step
 * asked for an entry whose call was made gives what that call gave (a recorded throw throws again), and
 * calls the field's resolver (or the default resolver) for the others.
 */
export function replayCalls(run: DirectRun): (step: ResolverStep) => ((source: unknown, args: unknown, context: unknown, info: { path: Path }) => unknown) {
  const byStep = new Map<Step, Map<string, unknown>>();
  for (const calls of run.recorded()) {
    for (let i = 0; i < calls.length; i += 3) {
      const step = calls[i] as Step;
      let made = byStep.get(step);
      if (made === undefined) byStep.set(step, (made = new Map()));
      made.set(pathKey(calls[i + 1] as Path), calls[i + 2]);
    }
  }
  return (step) => {
    const made = byStep.get(step);
    return (source, args, context, info) => {
      if (made !== undefined) {
        const key = pathKey(info.path);
        if (made.has(key)) {
          const recorded = made.get(key);
          made.delete(key);
          if (recorded instanceof Thrown) throw recorded.error;
          return recorded;
        }
      }
      return (step.resolve ?? defaultFieldResolver)(source, args as Record<string, unknown>, context, info as never);
    };
  };
}
