// The span detail of a traced schema (spec/tracing.md, TracingDetail): `makeSchema({ tracing: { steps } })`.
// "all" (the default): a span per layer and per step call. "io": a span only for a step call that makes a store
// call or returns a promise, under the request; layers and trivial synchronous steps are counted on the request
// span. "none": the request, planning and store calls only. A step span at "io" is made when it is first
// needed (a store call inside it, its promise), with the time the call started.

import type * as Otel from "@opentelemetry/api";
import type { GraphQLSchema } from "graphql";

/** How many of a request's steps and layers get spans of their own. */
export type TracingSteps = "all" | "io" | "none";

/** The levels, for makeSchema's check. */
export const TRACING_STEPS: readonly TracingSteps[] = ["all", "io", "none"];

/**
 * spec: TracingDetail — the schema's span detail: its `tracing.steps`, else "all". The request's trace reads it
 * once per request; at "io" a step call's span is a PendingStep, at "none" there is none.
 */
export function tracingDetail(schema: GraphQLSchema): TracingSteps {
  const option = (schema.extensions?.graphscale as { tracing?: { steps?: TracingSteps } | boolean } | undefined)?.tracing;
  return typeof option === "object" && option.steps !== undefined ? option.steps : "all";
}

/** A step as its span names it. */
interface NamedStep {
  readonly id: number;
}

/**
 * A step call at "io" whose span is not made yet: made by `open` (a store call inside it,
 * through the step slot, or its promise), started at the call's start, under the request.
 */
export class PendingStep {
  span: Otel.Span | null = null;
  private readonly startTime = performance.timeOrigin + performance.now();

  constructor(
    private readonly tracer: Otel.Tracer,
    private readonly parent: Otel.Context,
    private readonly step: NamedStep,
    private readonly names: { readonly className: string; readonly stepName: string },
    private readonly layerId: number,
    private readonly batchSize: number,
    private readonly exitedEarly: number,
  ) {}

  open(): Otel.Span {
    if (this.span !== null) return this.span;
    // Set after the start (spec/tracing.md, Cost rules): the span's parent decides its sampling.
    return (this.span = this.tracer.startSpan("graphscale.step", { startTime: this.startTime }, this.parent).setAttributes({
      "graphscale.step.class": this.names.className,
      "graphscale.step.name": this.names.stepName,
      "graphscale.step.id": this.step.id,
      "graphscale.step.batch_size": this.batchSize,
      "graphscale.step.exited_early": this.exitedEarly,
      "graphscale.layer.id": this.layerId,
    }));
  }
}
