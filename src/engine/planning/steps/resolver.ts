// ResolverStep: resolver emulation for a field without a plan. Calls the field's graphql-js `resolve` (or
// the default field resolver) per entry with exactly graphql-js's arguments and settles what graphql-js
// would await, so any graphql-js schema runs unchanged. The only step that calls user code per entry.

import { getNamedType, isLeafType, isListType, isNonNullType, type GraphQLField, type GraphQLFieldResolver, type GraphQLOutputType } from "graphql";
import { Step, type ExecutionDetails, type RequestInfo } from "../../step.js";
import { fail, ListIterationError } from "../../flags.js";
import { isIterableObject, isPromiseLike } from "../../promiseOrValue.js";
import { buildResolveInfo, type EngineRequest, type FieldContext, type Path, type ResolverExecutionDetails } from "../resolveInfo.js";
import { isItemSettlement, recordPromisedItems, recordItemSettlement } from "../../promisedItems.js";
import { registerStepClass } from "../../stepRegistry.js";
import { argumentsForCall, argumentsModeOf, sharedArguments, type ArgumentsMode } from "./resolverArguments.js";
import { compileResolverCalls, type ResolverCalls, type ResolverCallsInput } from "./resolverCalls.js";
import { GRAPHQL_MAJOR, READS_THE_REST_OF_A_FAILED_LIST } from "../graphqlAdapter.js";

/**
 * Calls a field's `resolve` (or the request's `fieldResolver`, or graphql-js's default property access)
 * per entry with `(source, args, context, info)`. Never global: graphql-js calls it once per entry.
 */
export class ResolverStep extends Step<unknown> {
  static override readonly stepName = "Resolver";
  static override readonly readsRequest = true;
  static {
    registerStepClass(this);
  }
  override hasSideEffects = true;
  override isAsync = true;
  readonly resolve: GraphQLFieldResolver<unknown, unknown> | null;
  /** How many list types wrap the field's type: list values are settled that many levels deep. */
  readonly listDepth: number;

  constructor(
    $source: Step,
    readonly field: FieldContext,
    readonly fieldDef: GraphQLField<unknown, unknown>,
  ) {
    super();
    this.resolve = fieldDef.resolve ?? null;
    this.listDepth = listDepthOf(fieldDef.type);
    this.addDependency($source);
  }

  /** The property read the output does instead of this step, when it is graphql-js's default resolver (InlineDefaultResolver). */
  override inlineRead(): ReadonlyArray<string | number> | null {
    return inlineDefaultResolver(this);
  }

  execute(details: ExecutionDetails): ReadonlyArray<unknown> {
    const { count, values, request } = details;
    const sources = values[0] as readonly unknown[];
    const resolverDetails = details as ResolverExecutionDetails;
    const compiled = compiledOf(this);
    const resolve = this.resolve ?? (request as EngineRequest).fieldResolver;
    // The generated batch serves the field's own resolver (or the default one when the request gives none).
    if (compiled.calls !== null && resolve === this.resolve) return compiled.calls(count, sources, request, resolverDetails);
    return this.runOwnLoop(details);
  }

  /**
   * The step's own loop (the field's facts read at run time): what the generated batch does, for any resolver.
   * `replay`: called in place of the field's resolver (ReplayCalls).
   */
  runOwnLoop(details: ExecutionDetails, replay: GraphQLFieldResolver<unknown, unknown> | null = null): unknown[] {
    const { count, values, request } = details;
    const sources = values[0] as readonly unknown[];
    const resolverDetails = details as ResolverExecutionDetails;
    const compiled = compiledOf(this);
    const resolve = replay ?? this.resolve ?? (request as EngineRequest).fieldResolver;
    const contextValue = request.contextValue;
    const depth = this.listDepth;
    const nonNullItems = compiled.nonNullItems;
    const node = this.field.fieldNodes[0]!;
    const noArgs = compiled.mode === "none";
    const shared = noArgs ? undefined : sharedArguments(compiled.mode, this.fieldDef, node, request);
    const out = new Array<unknown>(count);
    if (resolve === null) {
      // graphql-js's default field resolver, inlined: property, or method called with (args, context, info).
      const name = this.field.fieldName;
      let entryPaths: ReadonlyArray<Path | undefined> | null = null;
      for (let i = 0; i < count; i++) {
        try {
          const args = noArgs ? null : argumentsForCall(shared, this.fieldDef, node, request);
          const source = sources[i] as Record<string, unknown> | null;
          if (source !== null && (typeof source === "object" || typeof source === "function")) {
            const property = source[name];
            if (typeof property === "function") {
              entryPaths ??= resolverDetails.entryPaths();
              const info = buildResolveInfo(this.field, request, entryPaths[i]);
              out[i] = settleResolvedValue((source[name] as Function)(args ?? {}, contextValue, info), depth, nonNullItems);
            } else {
              out[i] = settleResolvedValue(property, depth, nonNullItems);
            }
          } else {
            out[i] = undefined;
          }
        } catch (error) {
          out[i] = fail(error);
        }
      }
      return out;
    }
    const entryPaths = resolverDetails.entryPaths();
    for (let i = 0; i < count; i++) {
      try {
        const args = noArgs ? {} : argumentsForCall(shared, this.fieldDef, node, request);
        out[i] = settleResolvedValue(resolve(sources[i], args, contextValue, buildResolveInfo(this.field, request, entryPaths[i])), depth, nonNullItems);
      } catch (error) {
        out[i] = fail(error);
      }
    }
    return out;
  }

  override toStringMeta(): string {
    return `${this.field.parentType.name}.${this.field.fieldName}`;
  }
}

/**
 * spec: InlineDefaultResolver — a field of leaves (or lists of them) with no `resolve` of its own is
 * graphql-js's default resolver: a read of the property named after the field. Read by nothing but its leaf
 * position, its step is not executed; the output reads it (`readResolverInline`, which keeps the default
 * resolver's semantics).
 */
function inlineDefaultResolver(step: ResolverStep): ReadonlyArray<string | number> | null {
  if (step.resolve !== null || step.field.atListItem || !isLeafType(getNamedType(step.fieldDef.type))) return null;
  // On graphql 17 a method read this way runs later than 17's completion runs it, which moves the errors an
  // object failing at a null field keeps (test/parity/mutation-errors): there the step runs.
  if (GRAPHQL_MAJOR !== 16) return null;
  return [step.field.fieldName];
}

/** A call made while reading a Resolver step inline, kept per bucket and entry: each output pass reads the same value. */
const INLINE_CALLS: unique symbol = Symbol("inline resolver calls");

/**
 * spec: ReadResolverInline — the value a Resolver step read inline (InlineDefaultResolver) gives at one
 * entry, as its execute would have given it: for an object source and no request `fieldResolver`, its
 * property (a sync `Error` fails the position); otherwise — a primitive source, a property that is a
 * function (a method), a request's `fieldResolver` — the step's own loop for that one entry, called once
 * per bucket entry however many times the output reads it. `key` is the entry's bucket, `pathOf` gives
 * the entry's path (EntryPaths); `called` is told of a promise read or given by such a call, which the
 * output lets settle and then completes the response again (BuildResponse). A getter's throw is the caller's to catch.
 */
export function readResolverInline(
  step: ResolverStep,
  request: RequestInfo,
  source: unknown,
  key: object,
  entry: number,
  pathOf: () => Path | undefined,
  called: (promise: PromiseLike<unknown>) => void,
): unknown {
  const fieldResolver = (request as EngineRequest).fieldResolver;
  // A request's fieldResolver is called for any source, the root value undefined included (as graphql-js calls it).
  if (source == null && fieldResolver === null) return source;
  if (typeof source === "object" && source !== null && fieldResolver === null) {
    const property = (source as Record<string, unknown>)[step.field.fieldName];
    if (typeof property !== "function") {
      if (typeof property !== "object" || property === null) return property;
      if (property instanceof Error) return fail(property);
      if (step.listDepth === 0) {
        if (isPromiseLike(property)) called(property);
        return property;
      }
      // A list of leaves: an array of primitives is what SettleListItems leaves as it is; anything else
      // (a promise, another iterable, an item that is an object or a promise) is settled by the step's loop.
      if (step.listDepth === 1 && Array.isArray(property) && primitiveItems(property)) return property;
    }
  }
  const holder = step as unknown as { [INLINE_CALLS]?: WeakMap<object, Map<number, unknown>> };
  const calls = (holder[INLINE_CALLS] ??= new WeakMap());
  let ofBucket = calls.get(key);
  if (ofBucket === undefined) calls.set(key, (ofBucket = new Map()));
  if (ofBucket.has(entry)) return ofBucket.get(entry);
  const details = { count: 1, values: [[source]], request, entryPaths: () => [pathOf()] } as unknown as ExecutionDetails;
  const value = step.runOwnLoop(details)[0];
  ofBucket.set(entry, value);
  if (isPromiseLike(value)) {
    called(value);
    // A list whose items only were promises was no promise to graphql-js: once settled, the list itself is
    // the value (as the executor stores it), not a promise to complete.
    if (isItemSettlement(value)) value.then((list) => void ofBucket.set(entry, list), (error: unknown) => void ofBucket.set(entry, fail(error)));
  }
  return value;
}

/** Whether every item of a list is null or a primitive (nothing SettleListItems would await or copy). */
function primitiveItems(list: readonly unknown[]): boolean {
  for (let k = 0; k < list.length; k++) {
    const item = list[k];
    if (item !== null && (typeof item === "object" || typeof item === "function")) return false;
  }
  return true;
}

/** What a Resolver step derives from its field once (kept beside the step, not in it: plans export steps' own fields). */
interface CompiledResolver {
  readonly nonNullItems: number;
  readonly mode: ArgumentsMode;
  /** CompileResolverCalls' batch function, or null where generated code does not run. */
  readonly calls: ResolverCalls | null;
}

/** A symbol key: plan export encodes a step's string keys only (Object.keys), so this stays out of it. */
const COMPILED: unique symbol = Symbol("compiled resolver calls");

/** The step's compiled calls, made on its first batch (a plan never executed compiles nothing). */
function compiledOf(step: ResolverStep): CompiledResolver {
  const holder = step as unknown as { [COMPILED]?: CompiledResolver };
  let compiled = holder[COMPILED];
  if (compiled === undefined) {
    const input = resolverCallsInput(step);
    compiled = {
      nonNullItems: input.nonNullItems,
      mode: argumentsModeOf(step.fieldDef, step.field.fieldNodes[0]!),
      calls: compileResolverCalls(input, settleResolvedValue),
    };
    holder[COMPILED] = compiled;
  }
  return compiled;
}

/** What CompileResolverCalls (and CompileResolverGroup) read of a Resolver step. */
export function resolverCallsInput(step: ResolverStep): ResolverCallsInput {
  const nonNullItems = step.listDepth === 0 ? 0 : nonNullItemsOf(step.fieldDef.type);
  return { field: step.field, fieldDef: step.fieldDef, resolve: step.resolve, listDepth: step.listDepth, nonNullItems };
}

/** The depth of list wrappers of a type, as resolver emulation counts them (checked again on plan import). */
export function listDepthOf(type: GraphQLOutputType): number {
  let depth = 0;
  for (let t: GraphQLOutputType = type; ; ) {
    if (isNonNullType(t)) t = t.ofType;
    else if (isListType(t)) {
      depth++;
      t = t.ofType as GraphQLOutputType;
    } else return depth;
  }
}

/** Which list levels of a type have non-null items: bit L for the items of the L-th list, outermost first. */
function nonNullItemsOf(type: GraphQLOutputType): number {
  let bits = 0;
  let level = 0;
  for (let t: GraphQLOutputType = type; ; ) {
    if (isNonNullType(t)) t = t.ofType;
    else if (isListType(t)) {
      t = t.ofType as GraphQLOutputType;
      if (isNonNullType(t)) bits |= 1 << level;
      level++;
    } else return bits;
  }
}

/**
 * spec: SettleResolvedValue — what graphql-js awaits while completing a resolver's value, awaited here
 * instead: the value itself if it is a promise, and for list types the items of the list (and of nested
 * lists, `depth` levels down). A resolved Error is a field error; a rejected item fails that item only.
 * A list that held promises (or was another iterable) is replaced by a settled copy, whose promised
 * items are recorded (`promisedItemsOf`) so the output completes them in graphql-js's order.
 */
export function settleResolvedValue(value: unknown, depth: number, nonNullItems: number): unknown {
  if (value instanceof Error) return fail(value);
  if (isPromiseLike(value)) {
    return Promise.resolve(value).then((v) => (v instanceof Error ? fail(v) : depth === 0 ? v : settleListItems(v, depth, nonNullItems)));
  }
  return depth === 0 ? value : settleListItems(value, depth, nonNullItems);
}

/**
 * Set by `settleItem` and `settleListItems`, and read by their caller at once: whether the value just
 * settled fails its position as soon as graphql-js completes it (graphql-js stops reading a list at such
 * an item when the item's position is non-null: the error propagates out of the list), and whether the
 * item was a promise.
 */
let failsAtOnce = false;
let wasPromise = false;

/** Thrown inside `for…of` to stop reading an iterable as `Array.from` stops on a throw: errors of its `return()` are ignored. */
const STOP_READING: unique symbol = Symbol("stop reading");

/**
 * spec: SettleListItems — one list level, read and settled item by item in order: an array unchanged when
 * nothing in it changed, else a settled copy. Another iterable is read as graphql-js reads it while
 * completing it: up to an item that fails a non-null item position at once (it is the copy's last), or up
 * to a throw, which ends the copy with a `ListIterationError` (the list's own error).
 */
function settleListItems(value: unknown, depth: number, nonNullItems: number): unknown {
  if (!isIterableObject(value)) {
    failsAtOnce = true; // not a list: the output reports `Expected Iterable`
    return value;
  }
  const itemNonNull = (nonNullItems & 1) === 1;
  const inner = nonNullItems >>> 1;
  let fails = false;
  let copy: unknown[] | null = null;
  let promised: number[] | null = null;
  let pending: number[] | null = null;
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) {
      const item: unknown = value[k];
      const settled = settleItem(item, depth, inner);
      if (itemNonNull && failsAtOnce) fails = true;
      if (settled === item) continue;
      copy ??= value.slice();
      copy[k] = settled;
      if (wasPromise) (promised ??= []).push(k);
      if (isPromiseLike(settled)) (pending ??= []).push(k);
    }
  } else {
    const read: unknown[] = (copy = []);
    let drained = false;
    try {
      for (const item of value) {
        // graphql 17 reads the rest of a list that failed, for its promises (graphqlAdapter).
        if (drained) {
          if (isPromiseLike(item)) item.then(undefined, () => undefined);
          continue;
        }
        const settled = settleItem(item, depth, inner);
        const k = read.push(settled) - 1;
        if (wasPromise) (promised ??= []).push(k);
        if (settled !== item && isPromiseLike(settled)) (pending ??= []).push(k);
        if (itemNonNull && failsAtOnce) {
          fails = true;
          if (!READS_THE_REST_OF_A_FAILED_LIST) throw STOP_READING;
          drained = true;
        }
      }
    } catch (error) {
      if (error !== STOP_READING && !drained) {
        read.push(new ListIterationError(error));
        fails = true;
      }
    }
  }
  failsAtOnce = fails;
  if (copy === null) return value;
  const out = copy;
  if (promised !== null) {
    const mask = new Uint8Array(out.length);
    for (const k of promised) mask[k] = 1;
    recordPromisedItems(out, mask);
  }
  if (pending === null) return out;
  const waits = pending.map((k) => out[k] as PromiseLike<unknown>);
  for (const k of pending) (out[k] as PromiseLike<unknown>).then((v) => void (out[k] = v));
  const settled = Promise.all(waits).then(() => out);
  recordItemSettlement(settled);
  return settled;
}

/** One item of a list level (sets `failsAtOnce` and `wasPromise`): a promise awaited, a nested list settled. */
function settleItem(item: unknown, depth: number, nonNullItems: number): unknown {
  wasPromise = false;
  if (item == null || item instanceof Error) {
    failsAtOnce = true;
    return item;
  }
  if (isPromiseLike(item)) {
    wasPromise = true;
    failsAtOnce = false;
    return Promise.resolve(item).then(
      (v) => (depth > 1 ? settleListItems(v, depth - 1, nonNullItems) : v),
      (error: unknown) => fail(error),
    );
  }
  if (depth === 1) {
    failsAtOnce = false;
    return item;
  }
  const settled = settleListItems(item, depth - 1, nonNullItems);
  wasPromise = false;
  return settled;
}
