// Kvetch's spans (spec/tracing.md, TraceStoreCall): one per public read or write call, when a request traced
// by graphscale made it (its tracer is in the active context or the engine's step slot) or a tracer provider is
// registered: the call's kind, its shard calls per shard and the rows they returned, its cache round trips, hits
// and misses, and for a write the dependency keys it bumped. Each is counted for this call alone, in the call's
// own record, where the shard guard and the cache count their own (store counters are shared by concurrent
// calls). The record rides in the OpenTelemetry context the call runs in (its span is not made active), so no
// async-local storage of the store's own is added to the process; only when no context manager is registered
// does it ride on a store-private async-local slot instead. Off, a call pays one context read, and the counting
// sites one check of a flag.

import { AsyncLocalStorage } from "node:async_hooks";
import type * as Otel from "@opentelemetry/api";
import { LinkedContext, withSpan } from "../otelContext.js";
import { optionalOpenTelemetry } from "./optionalPeer.js";

const TRACER_KEY = Symbol.for("graphscale.tracer");
const STORE_CALLS_KEY = Symbol.for("graphscale.storeCalls");
const STEP_SLOT = Symbol.for("graphscale.stepSlot");
/** The context key of the traced call a store call's code runs in (read by the engine's live tracing too). */
const CALL_KEY = Symbol.for("graphscale.storeCall");
/** The fallback call slot's registered name: an async-local store made only when no context manager is registered. */
const CALL_SLOT = Symbol.for("graphscale.storeCallSlot");

/** The engine's step slot (spec/tracing.md, InStep), by its registered name: the step whose `execute` runs now. */
interface StepSlot {
  active: Otel.Context | null;
  context: Otel.Context | null;
  span: Otel.Span | null;
  /** A step whose span is made by the first store call inside it (the engine's "io" span detail); null otherwise. */
  pending?: { open(): Otel.Span } | null;
  /** The step span in the request's context, made by the first store call that needs it (once per step call). */
  made: Otel.Context | null;
  /** Set once the engine traced a request: until then no context holds a request's tracer. */
  traced: boolean;
}
const stepSlot: StepSlot = ((globalThis as { [STEP_SLOT]?: StepSlot })[STEP_SLOT] ??= { active: null, context: null, span: null, pending: null, made: null, traced: false });

/** The OpenTelemetry API's global registry (API 1.x, shared by every copy of it): `trace` is set while a provider is registered. */
const API_REGISTRY = Symbol.for("opentelemetry.js.api.1");

/** The OpenTelemetry API's global registry, as this process holds it. */
interface ApiRegistry {
  readonly trace?: unknown;
  /** Set while a context manager is registered: contexts then follow a call across its awaits. */
  readonly context?: unknown;
}
const registry = (): ApiRegistry | undefined => (globalThis as { [API_REGISTRY]?: ApiRegistry })[API_REGISTRY];

/**
 * The fallback call slot (spec/tracing.md, TraceStoreCall): an async-local store, shared by its registered name
 * with every copy of this module and with the engine's live tracing, made only when a call is traced with no
 * context manager registered (whose contexts would not follow the call across its awaits). Every async-local
 * store costs each promise of the process a copy of its value (Node 20's promise hooks), so none is made when
 * the context manager's own can carry the record.
 */
const slots = globalThis as { [CALL_SLOT]?: AsyncLocalStorage<TracedCall> };
const fallbackSlot = (): AsyncLocalStorage<TracedCall> => (slots[CALL_SLOT] ??= new AsyncLocalStorage<TracedCall>());


/** The traced call whose code runs in `active` (the record in the context, else in the fallback slot). */
function callIn(active: Otel.Context): TracedCall | undefined {
  return (active.getValue(CALL_KEY) as TracedCall | undefined) ?? slots[CALL_SLOT]?.getStore();
}

/**
 * The context a call's span starts in: inside another traced call, that call's span; else the running step's
 * (made once per step call, when a call needs it); else the active one.
 */
function callerContext(otel: typeof Otel, active: Otel.Context): Otel.Context {
  const outer = callIn(active);
  if (outer !== undefined) return withSpan(otel, active, outer.span);
  const slot = stepSlot;
  if (slot.active !== active) return active;
  let span = slot.span;
  if (span === null) {
    const pending = slot.pending;
    if (pending == null) return active;
    span = slot.span = pending.open();
  }
  return (slot.made ??= withSpan(otel, slot.context!, span));
}

/**
 * What one traced call did, counted as it happens. It is also the context the call runs in (the active one at
 * its start with itself under CALL_KEY: a linked context, spec/tracing.md, Cost rules), and holds the call itself
 * (method, store, arguments), so a traced call makes one object for its record, its context and its arguments.
 */
class TracedCall implements Otel.Context {
  /** The dependency keys bumped (made by the first write that bumps one). */
  bumped: string[] | null = null;
  /** Calls per shard (by shard number). */
  readonly shards: number[];
  rows = 0;
  cacheRoundTrips = 0;
  cacheHits = 0;
  cacheMisses = 0;

  constructor(
    /** The context active when the call started. */
    private readonly parent: Otel.Context,
    readonly otel: typeof Otel,
    readonly span: Otel.Span,
    readonly method: TracedMethod,
    readonly kvetch: object,
    readonly args: unknown[],
    readonly store: StoreFields,
    /** Known at the call's start, set on its span with the counted attributes when it ends (spec/tracing.md, Cost rules). */
    readonly backend: string,
    readonly batchSize: number | undefined,
  ) {
    this.shards = new Array<number>(store.shards.length).fill(0);
  }

  getValue(key: symbol): unknown {
    return key === CALL_KEY ? this : this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Otel.Context {
    return new LinkedContext(this.parent, CALL_KEY, this).setValue(key, value);
  }

  deleteValue(key: symbol): Otel.Context {
    return new LinkedContext(this.parent, CALL_KEY, this).deleteValue(key);
  }
}

/** Set once a call was first traced: until then the counting sites return at once. */
let tracing = false;
let noopProvider: unknown = null;

/** The tracer of the request making this call, else the registered provider's; null when neither traces. */
function tracerNow(otel: typeof Otel): Otel.Tracer | null {
  const slot = stepSlot;
  if (slot.traced) {
    // null: a request its sampler dropped (StartRequestTrace): its store calls make no span either.
    const fromRequest = (slot.context ?? otel.context.active()).getValue(TRACER_KEY) as Otel.Tracer | null | undefined;
    if (fromRequest !== undefined) return fromRequest;
  }
  // No provider registered (the registry has no `trace`): off, without asking the API.
  if (registry()?.trace === undefined) return null;
  const provider = otel.trace.getTracerProvider() as Otel.TracerProvider & { getDelegate?: () => Otel.TracerProvider };
  noopProvider ??= new otel.ProxyTracerProvider().getDelegate();
  if (provider.getDelegate !== undefined && provider.getDelegate() === noopProvider) return null;
  return provider.getTracer("graphscale");
}

/** The Kvetch methods traced, each a call of its own (getObject calls getObjects, so is not listed). */
const TRACED_CALLS: { readonly [name: string]: "read" | "write" } = {
  getObjects: "read",
  getEdges: "read",
  getEdgeTargets: "read",
  countEdges: "read",
  queryIndex: "read",
  createObject: "write",
  createObjects: "write",
  updateObject: "write",
  updateObjects: "write",
  deleteObject: "write",
  deleteObjects: "write",
  insertEdge: "write",
  insertEdges: "write",
  deleteEdge: "write",
  deleteEdges: "write",
};

/** Replaces each traced method of the Kvetch prototype with one that traces its calls (and only calls it when off). */
export function traceKvetchCalls(prototype: object): void {
  const target = prototype as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const [name, kind] of Object.entries(TRACED_CALLS)) {
    const original = target[name]!;
    const method: TracedMethod = { name, kind, spanName: `kvetch.${name}`, original };
    // `arguments`, not a rest parameter: off, a call allocates nothing here.
    const traced = function (this: object): Promise<unknown> {
      const otel = optionalOpenTelemetry();
      const tracer = otel === null ? null : tracerNow(otel);
      // eslint-disable-next-line prefer-rest-params
      const args = arguments as unknown as unknown[];
      if (tracer === null) return original.apply(this, args);
      return traceStoreCall(otel!, tracer, this, method, args);
    };
    // Stack traces keep naming the method.
    target[name] = Object.defineProperty(traced, "name", { value: name });
  }
}

/** A traced Kvetch method: its name, kind, span name and the method itself. */
interface TracedMethod {
  readonly name: string;
  readonly kind: "read" | "write";
  readonly spanName: string;
  readonly original: (...args: unknown[]) => Promise<unknown>;
}

/** Calls a traced call's Kvetch method with its arguments (in the call's context or slot). */
function callOriginal(call: TracedCall): Promise<unknown> {
  return call.method.original.apply(call.kvetch, call.args);
}

/** A store call span's start options (the same for every call). */
let clientSpan: Otel.SpanOptions | undefined;

/** spec: TraceStoreCall — one store call in its span, with the counters it moved and the keys it bumped. */
function traceStoreCall(otel: typeof Otel, tracer: Otel.Tracer, kvetch: object, method: TracedMethod, args: unknown[]): Promise<unknown> {
  // The Kvetch's own fields (this module is below kvetch.ts, and must not import the store: the guard imports it).
  const store = (kvetch as unknown as { store: StoreFields }).store;
  const active = otel.context.active();
  const parent = callerContext(otel, active);
  // Under a span that does not record (a sampled-out trace), the call makes no span: its sampler would drop it.
  if (otel.trace.getSpan(parent)?.isRecording() === false) return method.original.apply(kvetch, args);
  tracing = true;
  const runCalls = parent.getValue(STORE_CALLS_KEY) as { calls: number } | undefined;
  if (runCalls !== undefined) runCalls.calls++;
  const backend = (kvetch as { backend?: { kind?: string } }).backend?.kind ?? "unknown";
  let batch: unknown[] | undefined;
  for (let i = 0; i < args.length && batch === undefined; i++) if (Array.isArray(args[i])) batch = args[i] as unknown[];
  const span = tracer.startSpan(method.spanName, (clientSpan ??= { kind: otel.SpanKind.CLIENT }), parent);
  const call = new TracedCall(active, otel, span, method, kvetch, args, store, backend, batch?.length);
  let result: Promise<unknown>;
  try {
    // The record in the context the method runs in (its span not made active: a driver's spans nest beside it).
    result =
      registry()?.context !== undefined
        ? otel.context.with(call, callOriginal, undefined, call)
        : fallbackSlot().run(call, callOriginal, call);
  } catch (error) {
    endCall(call, error);
    throw error;
  }
  // The span ends in a reaction of its own, registered before the caller's: no hop added to the call's path
  // (a rejection is the caller's to handle, so it is not rethrown here). `then` gives its handlers no `this`,
  // so the call reaches them through two closures: a traced call's only ones.
  result.then(
    () => endCall(call, undefined),
    (error: unknown) => endCall(call, error),
  );
  return result;
}

/** The store's fields a traced call reads. */
interface StoreFields {
  readonly shards: readonly unknown[];
  readonly cache: unknown;
}

/**
 * A traced call is done: its attributes (those known at its start, and what it counted) made in one object and
 * set in one call, marked failed on `error`, ended.
 */
function endCall(call: TracedCall, error: unknown): void {
  const span = call.span;
  if (error !== undefined) {
    span.recordException(error as Error);
    span.setStatus({ code: call.otel.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  let total = 0;
  for (const n of call.shards) total += n;
  const method = call.method;
  // One literal (its shape made once), the optional ones added after: no growth of a half-built object.
  const attributes: Otel.Attributes = {
    "db.operation": method.name,
    "kvetch.kind": method.kind,
    "kvetch.backend": call.backend,
    "kvetch.shard_calls": call.shards,
    "kvetch.shard_calls_total": total,
    "db.response.returned_rows": call.rows,
  };
  if (call.backend === "mysql") attributes["db.system"] = "mysql";
  if (call.batchSize !== undefined) attributes["kvetch.batch_size"] = call.batchSize;
  if (call.store.cache !== null) {
    attributes["kvetch.cache.round_trips"] = call.cacheRoundTrips;
    attributes["kvetch.cache.hits"] = call.cacheHits;
    attributes["kvetch.cache.misses"] = call.cacheMisses;
  }
  if (call.bumped !== null) attributes["graphscale.deps.bumped"] = call.bumped;
  span.setAttributes(attributes);
  span.end();
}

/** The traced call this code runs in, if any. */
function currentCall(): TracedCall | undefined {
  return tracing ? callIn(optionalOpenTelemetry()!.context.active()) : undefined;
}

/** A shard call starts (the shard guard): counted for the traced call making it. */
export function noteShardCall(shard: number): void {
  const call = currentCall();
  if (call !== undefined) call.shards[shard] = (call.shards[shard] ?? 0) + 1;
}

/** A shard read answered: its rows (a list of rows, or of lists of rows per range) counted for the traced call. */
export function noteShardRows(what: string, result: unknown): void {
  const call = currentCall();
  if (call === undefined || !what.startsWith("read") || !Array.isArray(result)) return;
  for (const item of result) call.rows += Array.isArray(item) ? item.length : 1;
}

/** One cache round trip (the cache counts its own). */
export function noteCacheRoundTrip(): void {
  const call = currentCall();
  if (call !== undefined) call.cacheRoundTrips++;
}

/** A cache read's values: found ones are hits, the rest misses. */
export function noteCacheRead(values: readonly (string | null)[]): void {
  const call = currentCall();
  if (call === undefined) return;
  for (const value of values) value === null ? call.cacheMisses++ : call.cacheHits++;
}

/** A write bumps these dependency keys: recorded on the traced call making it (nothing when none is). */
export function noteBumped(tags: Iterable<string>): void {
  const call = currentCall();
  if (call !== undefined) for (const tag of tags) (call.bumped ??= []).push(tag);
}
