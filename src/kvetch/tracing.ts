// Kvetch's spans (spec/tracing.md, TraceStoreCall): one per public read or write call, when a request traced
// by graphscale made it (its tracer is in the active context) or a tracer provider is registered: the call's
// kind, its shard calls per shard and the rows they returned, its cache round trips, hits and misses, and for a
// write the dependency keys it bumped. Each is counted for this call alone, through the call's context, where
// the shard guard and the cache count their own (store counters are shared by concurrent calls). Off, a call
// pays one context read, and the counting sites one check of a flag.

import type * as Otel from "@opentelemetry/api";
import { optionalOpenTelemetry } from "./optionalPeer.js";

const TRACER_KEY = Symbol.for("graphscale.tracer");
const STORE_CALLS_KEY = Symbol.for("graphscale.storeCalls");
const CALL_KEY = Symbol.for("graphscale.kvetchCall");
const STEP_SLOT = Symbol.for("graphscale.stepSlot");

/** The engine's step slot (spec/tracing.md, InStep), by its registered name: the step whose `execute` runs now. */
interface StepSlot {
  active: Otel.Context | null;
  context: Otel.Context | null;
  span: Otel.Span | null;
}
const stepSlot: StepSlot = ((globalThis as { [STEP_SLOT]?: StepSlot })[STEP_SLOT] ??= { active: null, context: null, span: null });

/** The context a call starts in: the running step's (its span made the parent here, only when a call needs it), else the active one. */
function callerContext(otel: typeof Otel): Otel.Context {
  const active = otel.context.active();
  const slot = stepSlot;
  return slot.span !== null && slot.active === active ? otel.trace.setSpan(slot.context!, slot.span) : active;
}

/** What one traced call did, counted as it happens. */
class TracedCall {
  readonly bumped: string[] = [];
  /** Calls per shard (by shard number). */
  readonly shards: number[];
  rows = 0;
  cacheRoundTrips = 0;
  cacheHits = 0;
  cacheMisses = 0;

  constructor(shardCount: number) {
    this.shards = new Array<number>(shardCount).fill(0);
  }
}

/** Set once a call was first traced: until then the counting sites return at once. */
let tracing = false;
let noopProvider: unknown = null;

/** The tracer of the request making this call, else the registered provider's; null when neither traces. */
function tracerNow(otel: typeof Otel): Otel.Tracer | null {
  const slot = stepSlot;
  const fromRequest = (slot.span !== null ? slot.context! : otel.context.active()).getValue(TRACER_KEY) as Otel.Tracer | undefined;
  if (fromRequest !== undefined) return fromRequest;
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
    // `arguments`, not a rest parameter: off, a call allocates nothing here.
    const traced = function (this: object): Promise<unknown> {
      const otel = optionalOpenTelemetry();
      const tracer = otel === null ? null : tracerNow(otel);
      // eslint-disable-next-line prefer-rest-params
      const args = arguments as unknown as unknown[];
      if (tracer === null) return original.apply(this, args);
      return traceStoreCall(otel!, tracer, this, name, kind, args, () => original.apply(this, args));
    };
    // Stack traces keep naming the method.
    target[name] = Object.defineProperty(traced, "name", { value: name });
  }
}

/** spec: TraceStoreCall — one store call in its span, with the counters it moved and the keys it bumped. */
async function traceStoreCall(otel: typeof Otel, tracer: Otel.Tracer, kvetch: object, name: string, kind: string, args: unknown[], run: () => Promise<unknown>): Promise<unknown> {
  // The Kvetch's own fields (this module is below kvetch.ts, and must not import the store: the guard imports it).
  const store = (kvetch as unknown as { store: { readonly shards: readonly unknown[]; readonly cache: unknown } }).store;
  tracing = true;
  const active = callerContext(otel);
  const runCalls = active.getValue(STORE_CALLS_KEY) as { calls: number } | undefined;
  if (runCalls !== undefined) runCalls.calls++;
  const call = new TracedCall(store.shards.length);
  const backend = (kvetch as { backend?: { kind?: string } }).backend?.kind ?? "unknown";
  let batch: unknown[] | undefined;
  for (let i = 0; i < args.length && batch === undefined; i++) if (Array.isArray(args[i])) batch = args[i] as unknown[];
  const attributes: Otel.Attributes = { "db.operation": name, "kvetch.kind": kind, "kvetch.backend": backend };
  if (backend === "mysql") attributes["db.system"] = "mysql";
  if (batch !== undefined) attributes["kvetch.batch_size"] = batch.length;
  const span = tracer.startSpan(`kvetch.${name}`, { kind: otel.SpanKind.CLIENT, attributes }, active);
  try {
    return await otel.context.with(otel.trace.setSpan(active, span).setValue(CALL_KEY, call), run);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: otel.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    // What the call counted, known only now: set in one call (each attribute is checked once by the SDK).
    let total = 0;
    for (const n of call.shards) total += n;
    const counted: Otel.Attributes = { "kvetch.shard_calls": call.shards, "kvetch.shard_calls_total": total, "db.response.returned_rows": call.rows };
    if (store.cache !== null) {
      counted["kvetch.cache.round_trips"] = call.cacheRoundTrips;
      counted["kvetch.cache.hits"] = call.cacheHits;
      counted["kvetch.cache.misses"] = call.cacheMisses;
    }
    if (call.bumped.length > 0) counted["graphscale.deps.bumped"] = call.bumped;
    span.setAttributes(counted);
    span.end();
  }
}

/** The traced call this code runs in, if any. */
function currentCall(): TracedCall | undefined {
  if (!tracing) return undefined;
  return optionalOpenTelemetry()?.context.active().getValue(CALL_KEY) as TracedCall | undefined;
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
  if (call !== undefined) call.bumped.push(...tags);
}
