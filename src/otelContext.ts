// LinkedContext (spec/tracing.md, Cost rules): the contexts graphscale derives for its spans (the engine's and
// Kvetch's: neither imports the other, both import this), one value over a parent.
// The API's own context copies its parent's map and makes three closures per value set; a request's, layer's
// and step's contexts only add one value each (a span, the tracer), read by getValue, so they are made as a
// link to their parent instead. A value set on one by other code (another instrumentation) makes the API's own
// context again, so chains stay as deep as graphscale's own nesting.

import type * as Otel from "@opentelemetry/api";

/** The API's key of a context's span (`Symbol.for` of its description, the same in every API 1.x copy). */
const SPAN_KEY = Symbol.for("OpenTelemetry Context Key SPAN");

/** `parent` with `key` set to `value`, made without copying the parent (spec/tracing.md, Cost rules). */
export class LinkedContext implements Otel.Context {
  constructor(
    private readonly parent: Otel.Context,
    private readonly key: symbol,
    private readonly value: unknown,
  ) {}

  getValue(key: symbol): unknown {
    return key === this.key ? this.value : this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Otel.Context {
    return this.parent.setValue(this.key, this.value).setValue(key, value);
  }

  deleteValue(key: symbol): Otel.Context {
    return this.parent.setValue(this.key, this.value).deleteValue(key);
  }
}

/** Whether the API reads a context's span under SPAN_KEY (checked once: else `trace.setSpan` is used). */
let spanKeyKnown: boolean | undefined;

/** `parent` with `span` as its span: a LinkedContext, or the API's when it keeps spans under another key. */
export function withSpan(otel: typeof Otel, parent: Otel.Context, span: Otel.Span): Otel.Context {
  if (spanKeyKnown === undefined) spanKeyKnown = otel.trace.getSpan(new LinkedContext(otel.ROOT_CONTEXT, SPAN_KEY, span)) === span;
  return spanKeyKnown ? new LinkedContext(parent, SPAN_KEY, span) : otel.trace.setSpan(parent, span);
}
