// TracerFor (spec/tracing.md): whether a schema's requests trace, and with which tracer. @opentelemetry/api is
// an optional peer: loaded once, when a schema is first asked whether it traces; absent, tracing is off.

import { createRequire } from "node:module";
import type * as Otel from "@opentelemetry/api";
import type { GraphQLSchema } from "graphql";
import type { TracingSteps } from "./detail.js";

type Api = typeof Otel;

/**
 * What `makeSchema({ tracing })` takes: true (the registered provider), false (never), or an object: a provider
 * of its own (else the registered one) and the span detail (`steps`, TracingDetail).
 */
export type TracingOption = boolean | { readonly tracerProvider?: { getTracer(name: string, version?: string): unknown }; readonly steps?: TracingSteps };

/** The tracer's name on every graphscale span (the instrumentation scope). */
export const TRACER_NAME = "graphscale";

/** The OpenTelemetry API's global registry (API 1.x, shared by every copy of it): `trace` is set while a provider is registered. */
const API_REGISTRY = Symbol.for("opentelemetry.js.api.1");

let api: Api | null | undefined;

/** @opentelemetry/api when installed (resolved from this package, as the app's node_modules hold it), else null. */
export function otelApi(): Api | null {
  if (api === undefined) {
    try {
      api = createRequire(import.meta.url)("@opentelemetry/api") as Api;
    } catch {
      api = null;
    }
  }
  return api;
}

let noopProvider: unknown = null;
const tracers = new WeakMap<object, Otel.Tracer>();

/** What TracerFor decided for a schema, and the provider it decided it for (the global one can change). */
interface SchemaTracer {
  /** The schema's option it was decided under (a schema's extensions may be replaced). */
  readonly option: TracingOption | undefined;
  /** The provider asked: the schema's own or the global one, read through its delegate when it is a proxy. */
  readonly provider: object | null;
  readonly tracer: Otel.Tracer | null;
}
const decided = new WeakMap<GraphQLSchema, SchemaTracer>();

/**
 * spec: TracerFor — the tracer a request of `schema` traces with, or null (tracing off): the schema's own
 * provider; else, unless `tracing: false`, the globally registered one — when one is registered, or always
 * with `tracing: true`. Decided once per schema and provider: a request then reads the global provider's
 * delegate and compares it with the one decided for (registering a provider replaces it).
 */
export function tracerFor(schema: GraphQLSchema): Otel.Tracer | null {
  // A missing or wrong schema is not ours to judge here: the request edge then throws graphql-js's own assertion.
  const option = (schema?.extensions?.graphscale as { tracing?: TracingOption } | undefined)?.tracing;
  if (option === false) return null;
  // No option and no provider registered (the registry has no `trace`): off, without asking the API.
  if (option === undefined && (globalThis as { [API_REGISTRY]?: { trace?: unknown } })[API_REGISTRY]?.trace === undefined) return null;
  const otel = otelApi();
  if (otel === null) return null;
  const own = typeof option === "object" ? option.tracerProvider : undefined;
  const provider = delegateOf(own !== undefined ? own : otel.trace.getTracerProvider());
  const known = decided.get(schema);
  if (known !== undefined && known.provider === provider && known.option === option) return known.tracer;
  const tracer = decideTracer(otel, option, provider);
  decided.set(schema, { option, provider, tracer });
  return tracer;
}

/** A proxy provider's delegate (the one registered behind it), else the provider itself. */
function delegateOf(provider: object): object {
  const delegate = (provider as { getDelegate?: () => object }).getDelegate;
  return delegate === undefined ? provider : delegate.call(provider);
}

/** The tracer of `provider` (asked once per provider), or null when it is the API's no-op and tracing was not asked for. */
function decideTracer(otel: Api, option: TracingOption | undefined, provider: object): Otel.Tracer | null {
  noopProvider ??= new otel.ProxyTracerProvider().getDelegate();
  if (provider === noopProvider && option === undefined) return null;
  let tracer = tracers.get(provider);
  if (tracer === undefined) tracers.set(provider, (tracer = (provider as Otel.TracerProvider).getTracer(TRACER_NAME)));
  return tracer;
}
