// tracing/: OpenTelemetry spans for each phase of a request, made only when tracing is on (spec/tracing.md).
// @opentelemetry/api is an optional peer: loaded once, when a schema is first asked whether it traces; absent,
// tracing is off. Off (no api, no provider registered and no `makeSchema({ tracing })`, or `tracing: false`), a
// request makes no span object and calls no tracer: each phase's hook is one null check of its request's trace.
// Never allocates per entry: one span per request, plan, layer and step call.

import type * as Otel from "@opentelemetry/api";
import { getOperationAST, type DocumentNode, type GraphQLSchema } from "graphql";
import { stepNameOf, type Step } from "../step.js";
import { isPromiseLike, type PromiseOrValue } from "../promiseOrValue.js";
import { MappedResults } from "../mappedResults.js";
import { PendingStep, tracingDetail, type TracingSteps } from "./detail.js";
import { otelApi, tracerFor } from "./tracerFor.js";
import { LinkedContext, withSpan } from "../../otelContext.js";

export { TRACER_NAME, otelApi, tracerFor, type TracingOption } from "./tracerFor.js";

type Api = typeof Otel;

/**
 * Context keys shared with Kvetch (which must not import the engine) by their registered names: the request's
 * tracer, so a store call inside a step is traced by it, and a live run's store call count.
 */
export const TRACER_KEY = Symbol.for("graphscale.tracer");
export const STORE_CALLS_KEY = Symbol.for("graphscale.storeCalls");

/**
 * The step span whose `execute` is running now (its synchronous part; InStep), shared with Kvetch by
 * its registered name: a store call started inside it nests under it without a context switch per step.
 * `active` is the context active when the step started: a call made where another context is active (a
 * user's own span around it) is not the step's.
 */
export interface StepSlot {
  active: Otel.Context | null;
  context: Otel.Context | null;
  span: Otel.Span | null;
  /** A step at "io" whose span is made when a store call needs it (TracingDetail); null otherwise. */
  pending: { open(): Otel.Span } | null;
  /** The step span in the request's context, made by the step's first store call that needs it (Kvetch). */
  made: Otel.Context | null;
  /** Set once a request was traced: until then Kvetch reads no context for a request's tracer. */
  traced: boolean;
}
const STEP_SLOT = Symbol.for("graphscale.stepSlot");
const stepSlot: StepSlot = ((globalThis as { [STEP_SLOT]?: StepSlot })[STEP_SLOT] ??= { active: null, context: null, span: null, pending: null, made: null, traced: false });

/** From now on, contexts may hold a request's tracer (TRACER_KEY): Kvetch looks for it. */
export function noteTracing(): void {
  stepSlot.traced = true;
}

/** A request's span and its parent, with the tracer in the context for the store calls below it. */
function baseContext(tracer: Otel.Tracer, parent: Otel.Context): Otel.Context {
  return parent.getValue(TRACER_KEY) === tracer ? parent : new LinkedContext(parent, TRACER_KEY, tracer);
}

/** The options of a span started with none (the SDK makes an object per span for an omitted one). */
const NO_OPTIONS: Otel.SpanOptions = {};

/** An open layer's span and the context its children start in (made once per layer, not per step). */
interface LayerTrace {
  readonly span: Otel.Span;
  readonly context: Otel.Context;
}

/** A step call's span, or at "io" the call whose span is made when needed (ExecuteStep holds it between the call and its result). */
export type StepSpan = Otel.Span | PendingStep;

/** A step class's names on its spans (class and explain's), worked out once per class. */
const stepNamesOf = new WeakMap<object, { readonly className: string; readonly stepName: string }>();
function stepNames(step: Step): { readonly className: string; readonly stepName: string } {
  let names = stepNamesOf.get(step.constructor);
  if (names === undefined) stepNamesOf.set(step.constructor, (names = { className: step.constructor.name, stepName: stepNameOf(step) }));
  return names;
}

/** A bucket as the layer spans see it: its layer, its size, its parent bucket. */
interface TracedBucket {
  readonly layer: { readonly id: number; readonly reason: { readonly type: string } };
  readonly count: number;
  readonly parent: TracedBucket | null;
}

/**
 * One request's tracing: its span (null when the request is part of a run traced above it, a live run), the
 * context its phases' spans start in, and the open layer spans by bucket (a step's span is its layer's child).
 */
export class RequestTrace {
  /** The request span's context (or the parent's), holding the tracer for store calls. */
  readonly context: Otel.Context;
  /** Made by the first layer span ("all" only: the other levels make none). */
  private layers: Map<TracedBucket, LayerTrace> | null = null;
  /** At "io" and "none" (TracingDetail): step calls, those without a span, and layers run, set on the request span. */
  private stepCalls = 0;
  private untracedSteps = 0;
  private layerRuns = 0;

  constructor(
    readonly otel: Api,
    readonly tracer: Otel.Tracer,
    parent: Otel.Context,
    readonly span: Otel.Span | null,
    readonly steps: TracingSteps,
  ) {
    stepSlot.traced = true;
    const base = baseContext(tracer, parent);
    this.context = span === null ? base : withSpan(otel, base, span);
  }

  /** The same tracing for another run (a live query's subtree re-run), under the span active now. */
  again(): RequestTrace {
    return new RequestTrace(this.otel, this.tracer, this.otel.context.active(), null, this.steps);
  }

  /** A span for a phase that returns at once (parse, validate): ended when `run` returns or throws. */
  phase<T>(name: string, run: () => T): T {
    const span = this.tracer.startSpan(name, NO_OPTIONS, this.context);
    try {
      return run();
    } catch (error) {
      failSpan(this.otel, span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * spec: TracePlanning — the plan from `plan` (the plan cache): the request span says whether the cache had it;
   * a plan built now gets a `graphscale.plan` span over its planning (steps, layers, branches left for later).
   */
  tracePlanning<P extends { readonly steps: readonly unknown[]; readonly layers: readonly unknown[] }>(stats: { readonly plansBuilt: number }, plan: () => P, unplanned: (plan: P) => number): P {
    const built = stats.plansBuilt;
    const startTime = performance.timeOrigin + performance.now();
    const result = plan();
    const miss = stats.plansBuilt !== built;
    this.span?.setAttribute("graphscale.plan_cache", miss ? "miss" : "hit");
    if (miss) {
      const attributes = { "graphscale.plan.steps": result.steps.length, "graphscale.plan.layers": result.layers.length, "graphscale.plan.unplanned_branches": unplanned(result) };
      this.tracer.startSpan("graphscale.plan", { startTime, attributes }, this.context).end();
    }
    return result;
  }

  /** A branch of an abstract position planned as its type arrives (partial planning), under the bucket's layer. */
  planBranch(bucket: TracedBucket, typeName: string, steps: () => number, run: () => void): void {
    const span = this.tracer.startSpan("graphscale.plan_branch", { attributes: { "graphscale.type": typeName } }, this.contextOf(bucket));
    const before = steps();
    try {
      run();
      span.setAttribute("graphscale.plan.steps", steps() - before);
    } catch (error) {
      failSpan(this.otel, span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** A bucket's layer starts: its span, under its parent bucket's layer (or the request). */
  layerStarted(bucket: TracedBucket): void {
    if (this.steps !== "all") {
      this.layerRuns++;
      return;
    }
    const layer = bucket.layer;
    const span = this.tracer.startSpan("graphscale.layer", NO_OPTIONS, bucket.parent === null ? this.context : this.contextOf(bucket.parent));
    // Set after the start (spec/tracing.md, Cost rules): the span's parent decides its sampling.
    span.setAttributes({ "graphscale.layer.id": layer.id, "graphscale.layer.reason": layer.reason.type, "graphscale.layer.entries": bucket.count });
    (this.layers ??= new Map()).set(bucket, { span, context: withSpan(this.otel, this.context, span) });
  }

  /** The bucket's layer is done (its child layers included), or failed with `error`. */
  layerEnded(bucket: TracedBucket, error: unknown): void {
    const layers = this.layers;
    if (layers === null) return;
    const layer = layers.get(bucket);
    if (layer === undefined) return;
    layers.delete(bucket);
    const span = layer.span;
    if (error !== undefined) failSpan(this.otel, span, error);
    span.end();
  }

  /**
   * spec: TraceStep — one step's call for one bucket: a span under the bucket's layer with the step's class,
   * the batch it was given and the entries dropped before the call (early exit). Ended by `stepEnded`.
   */
  traceStep(bucket: TracedBucket, step: Step, batchSize: number, exitedEarly: number): StepSpan | null {
    const names = stepNames(step);
    if (this.steps !== "all") {
      this.stepCalls++;
      if (this.steps === "none") return null;
      return new PendingStep(this.tracer, this.context, step, names, bucket.layer.id, batchSize, exitedEarly);
    }
    // Set after the start (spec/tracing.md, Cost rules): the span's parent decides its sampling.
    return this.tracer.startSpan("graphscale.step", NO_OPTIONS, this.contextOf(bucket)).setAttributes({
      "graphscale.step.class": names.className,
      "graphscale.step.name": names.stepName,
      "graphscale.step.id": step.id,
      "graphscale.step.batch_size": batchSize,
      "graphscale.step.exited_early": exitedEarly,
    });
  }

  /**
   * spec: InStep — runs a step's `execute` (through the request's step caller, if any) with its span in the step
   * slot: store calls it starts synchronously nest under it, with no context made or switched per step, and no
   * closure made per call; the result as returned.
   */
  inStep<R extends { readonly callStep?: ((request: R, step: Step, details: D) => unknown) | null }, D>(span: StepSpan | null, request: R, step: Step, details: D): unknown {
    const callStep = request.callStep;
    // "none" (TracingDetail): no step span; the step's store calls nest under the request through its context.
    if (span === null) return callStep == null ? step.execute(details as Parameters<Step["execute"]>[0]) : callStep(request, step, details);
    const slot = stepSlot;
    const { active, context, span: outer, pending: outerPending, made } = slot;
    const pending = span instanceof PendingStep ? span : null;
    slot.active = this.otel.context.active();
    slot.context = this.context;
    slot.span = pending === null ? (span as Otel.Span) : null;
    slot.pending = pending;
    slot.made = null;
    try {
      const result = callStep == null ? step.execute(details as Parameters<Step["execute"]>[0]) : callStep(request, step, details);
      // "io": a call that goes asynchronous gets its span (started when the call did).
      if (pending !== null && pending.span === null && (isPromiseLike(result) || result instanceof MappedResults)) pending.open();
      return result;
    } finally {
      slot.active = active;
      slot.context = context;
      slot.span = outer;
      slot.pending = outerPending;
      slot.made = made;
    }
  }

  /**
   * A step's call is done (ExecuteStep calls it where the call's result is in: at once, or in the reaction it
   * registers on the call's promise, so tracing adds no reaction of its own): its span ends, marked failed when
   * the call threw or rejected (`error` set).
   */
  stepEnded(step: StepSpan, error: unknown): void {
    let span: Otel.Span;
    if (step instanceof PendingStep) {
      // "io": a synchronous call without store calls has no span (counted on the request), unless it failed.
      if (step.span === null && error === undefined) {
        this.untracedSteps++;
        return;
      }
      span = step.open();
    } else span = step;
    if (error !== undefined) failSpan(this.otel, span, error);
    span.end();
  }

  /** The request is done: its span ends, marked failed when the result carries errors. */
  end(outcome: unknown, failed: boolean): void {
    const span = this.span;
    if (span === null) return;
    if (this.steps !== "all") {
      const untraced = this.steps === "none" ? this.stepCalls : this.untracedSteps;
      span.setAttributes({ "graphscale.step_calls": this.stepCalls, "graphscale.step_calls.untraced": untraced, "graphscale.layers": this.layerRuns });
    }
    if (failed) failSpan(this.otel, span, outcome);
    else {
      const errors = (outcome as { errors?: readonly unknown[] } | null)?.errors;
      if (errors !== undefined && errors.length > 0) {
        span.setAttribute("graphscale.errors", errors.length);
        span.setStatus({ code: this.otel.SpanStatusCode.ERROR, message: String((errors[0] as { message?: unknown }).message) });
      }
    }
    span.end();
  }

  private contextOf(bucket: TracedBucket): Otel.Context {
    const layers = this.layers;
    if (layers === null) return this.context;
    for (let b: TracedBucket | null = bucket; b !== null; b = b.parent) {
      const layer = layers.get(b);
      if (layer !== undefined) return layer.context;
    }
    return this.context;
  }
}

/** Marks a span failed with the error's message, and records the error as an exception event. */
export function failSpan(otel: Api, span: Otel.Span, error: unknown): void {
  const exception = error instanceof Error ? error : { message: String((error as { message?: unknown } | null)?.message ?? error) };
  span.recordException(exception as Otel.Exception);
  span.setStatus({ code: otel.SpanStatusCode.ERROR, message: exception.message });
}

/** Operation type and name, and the document's text when it has one (GraphQL semantic conventions). */
export interface TracedOperation {
  readonly type: string;
  readonly name: string | undefined;
  readonly document: string | undefined;
  /** The request span's name and attributes, made once per document and operation (they never change). */
  readonly spanName: string;
  readonly attributes: Otel.Attributes;
  /** The request span's start options (kind and attributes), made by its first traced request. */
  options?: Otel.SpanOptions;
}

/** The start options of a request span whose document is not parsed yet (named and described by the parse). */
let unparsedOptions: Otel.SpanOptions | undefined;

/** spec: StartRequestTrace — the request span: `<type> <name>`, under the active span, the operation's attributes. */
function startRequestTrace(otel: Api, tracer: Otel.Tracer, active: Otel.Context, operation: TracedOperation | null): Otel.Span {
  if (operation === null) return tracer.startSpan("graphql", (unparsedOptions ??= { kind: otel.SpanKind.INTERNAL }), active);
  return tracer.startSpan(operation.spanName, (operation.options ??= { kind: otel.SpanKind.INTERNAL, attributes: operation.attributes }), active);
}

/** The operation's attributes on a request span (once the document is parsed, under `graphql`). */
export function describeRequest(trace: RequestTrace, operation: TracedOperation): void {
  const span = trace.span;
  if (span === null) return;
  span.updateName(operation.spanName);
  span.setAttributes(operation.attributes);
}

const TRACE = Symbol("graphscale.requestTrace");

/** The arguments with the request's trace attached, for the phases below the entry point that made it. */
export function withTrace<A extends object>(args: A, trace: RequestTrace | null): A {
  // The symbol first: a computed key after a spread makes the copy ten times slower (a slow map transition).
  return { [TRACE]: trace, ...args };
}

/** The trace an entry point attached to these arguments, if any. */
export function attachedTrace(args: object): RequestTrace | null | undefined {
  return (args as { [TRACE]?: RequestTrace | null })[TRACE];
}

/**
 * A request's trace: the one its entry point attached (execute, graphql), else, when tracing is on, one
 * without a span of its own under the active span (a live run, a subscription event, a batched request).
 */
export function requestTraceOf(args: { readonly schema: GraphQLSchema }): RequestTrace | null {
  const attached = attachedTrace(args);
  if (attached !== undefined) return attached;
  const tracer = tracerFor(args.schema);
  if (tracer === null) return null;
  const otel = otelApi()!;
  return new RequestTrace(otel, tracer, otel.context.active(), null, tracingDetail(args.schema));
}

/** Runs `run(args)` in the request span's context and ends the span with its outcome; returns what `run` returns. */
function runTraced<A, T>(trace: RequestTrace, run: (args: A) => PromiseOrValue<T>, args: A): PromiseOrValue<T> {
  let result: PromiseOrValue<T>;
  try {
    result = trace.otel.context.with(trace.context, run, undefined, args);
  } catch (error) {
    trace.end(error, true);
    throw error;
  }
  if (!isPromiseLike(result)) {
    trace.end(result, false);
    return result;
  }
  return (result as Promise<T>).then(
    (value) => (trace.end(value, false), value),
    (error: unknown) => {
      trace.end(error, true);
      throw error;
    },
  );
}

/** Per document: the operation its last traced request ran, by that request's operation name. */
const operations = new WeakMap<DocumentNode, { readonly operationName: string | null | undefined; readonly operation: TracedOperation | null }>();

/** The operation a document's request runs, as its span names it (null: the document names no such operation). */
export function tracedOperation(document: DocumentNode, operationName: string | null | undefined): TracedOperation | null {
  const known = operations.get(document);
  if (known !== undefined && known.operationName === operationName) return known.operation;
  const found = getOperationAST(document, operationName);
  let operation: TracedOperation | null = null;
  if (found != null) {
    const type = found.operation;
    const name = found.name?.value;
    const text = document.loc?.source.body;
    const attributes: Otel.Attributes = { "graphql.operation.type": type };
    if (name !== undefined) attributes["graphql.operation.name"] = name;
    if (text !== undefined) attributes["graphql.document"] = text;
    operation = { type, name, document: text, spanName: name === undefined ? type : `${type} ${name}`, attributes };
  }
  operations.set(document, { operationName, operation });
  return operation;
}

/**
 * An entry point's request traced: its span started (named once the document is known: at once, or by the
 * parse under `graphql`), attached to the arguments `run` gets, and ended with `run`'s outcome.
 */
export function traceEntry<A extends { readonly schema: GraphQLSchema; readonly document?: DocumentNode; readonly operationName?: string | null }, T>(
  tracer: Otel.Tracer,
  args: A,
  run: (args: A) => PromiseOrValue<T>,
): PromiseOrValue<T> {
  const otel = otelApi()!;
  const active = otel.context.active();
  const span = startRequestTrace(otel, tracer, active, args.document === undefined ? null : tracedOperation(args.document, args.operationName));
  // A request its sampler dropped makes no further span: its phases run as off, its span active (a user's spans
  // follow the sampler) and no tracer (null: its store calls make no span).
  if (!span.isRecording()) {
    span.end();
    noteTracing();
    return otel.context.with(withSpan(otel, new LinkedContext(active, TRACER_KEY, null), span), run, undefined, withTrace(args, null));
  }
  const trace = new RequestTrace(otel, tracer, active, span, tracingDetail(args.schema));
  return runTraced(trace, run, withTrace(args, trace));
}
