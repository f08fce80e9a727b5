// A live query's tracing (spec/tracing.md, TraceLiveRun): one span per run, linked to the spans of the writes
// whose invalidations woke it (the span active when the source announced them: a writer in this process), with
// the run's kind, the paths it rebuilt and how many store calls it made. Null when tracing is off.

import type * as Otel from "@opentelemetry/api";
import type { GraphQLSchema } from "graphql";
import { STORE_CALLS_KEY, TRACER_KEY, failSpan, noteTracing, otelApi, tracerFor } from "./tracing.js";

/**
 * Kvetch's traced store call (spec/tracing.md, TraceStoreCall), by its registered names: the record in the
 * active context, else in the fallback call slot (made only when no context manager is registered).
 */
const CALL_KEY = Symbol.for("graphscale.storeCall");
const CALL_SLOT = Symbol.for("graphscale.storeCallSlot");

/** What a traced store call's record shows of itself here. */
interface StoreCallRecord {
  readonly span: Otel.Span;
}

/** The span of the traced store call whose code runs now, if any. */
function storeCallSpan(active: Otel.Context): Otel.Span | undefined {
  const record = (active.getValue(CALL_KEY) as StoreCallRecord | undefined) ?? (globalThis as { [CALL_SLOT]?: { getStore(): StoreCallRecord | undefined } })[CALL_SLOT]?.getStore();
  return record?.span;
}

/** Links kept for one run at most: a burst of writes coalesced into one run links its first ones. */
const MAX_LINKS = 32;

/** The store calls of one run, counted by the store's tracing through the run's context. */
interface StoreCalls {
  calls: number;
}

/** What a run reports once done (LiveRunOutcome's fields the span records). */
interface RunOutcome {
  readonly kind: string;
  readonly paths: readonly string[];
  readonly reason?: string;
}

export class LiveTrace {
  private causes: Otel.Link[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly otel: typeof Otel,
    private readonly tracer: Otel.Tracer,
  ) {}

  /**
   * An invalidation was heard: the store call announcing it (its write, in Kvetch's call slot), else the span
   * active now, is what caused the next run.
   */
  heard(): void {
    const active = this.otel.context.active();
    const span = storeCallSpan(active) ?? this.otel.trace.getSpan(active);
    if (span === undefined || this.causes.length >= MAX_LINKS) return;
    const context = span.spanContext();
    const key = `${context.traceId}/${context.spanId}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.causes.push({ context, attributes: { "graphscale.link": "invalidation" } });
  }

  /** spec: TraceLiveRun — one run in its span: linked to what woke it, and counting its store calls. */
  async traceLiveRun<T extends RunOutcome>(run: number, body: () => Promise<T>): Promise<T> {
    const otel = this.otel;
    const links = this.causes;
    this.causes = [];
    this.seen.clear();
    const span = this.tracer.startSpan("graphscale.live.run", { links, attributes: { "graphscale.live.run": run } }, otel.context.active());
    const calls: StoreCalls = { calls: 0 };
    noteTracing();
    const context = otel.trace.setSpan(otel.context.active().setValue(TRACER_KEY, this.tracer).setValue(STORE_CALLS_KEY, calls), span);
    try {
      const outcome = await otel.context.with(context, body);
      span.setAttributes({ "graphscale.live.kind": outcome.kind, "graphscale.live.paths": [...outcome.paths], "graphscale.live.store_calls": calls.calls });
      if (outcome.reason !== undefined) span.setAttribute("graphscale.live.reason", outcome.reason);
      return outcome;
    } catch (error) {
      failSpan(otel, span, error);
      throw error;
    } finally {
      span.end();
    }
  }
}

/** A live query's tracing, or null when its schema does not trace. */
export function liveTraceFor(schema: GraphQLSchema): LiveTrace | null {
  const tracer = tracerFor(schema);
  return tracer === null ? null : new LiveTrace(otelApi()!, tracer);
}
