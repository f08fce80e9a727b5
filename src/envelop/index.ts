// graphscale/envelop: the envelop plugin (GraphQL Yoga, envelop) that runs a graphscale schema with graphscale's
// execute and subscribe (spec/serving.md). Makes nothing per request: its hooks hand over the module's own
// functions. Each request runs under the span active when envelop calls it, so graphscale's spans
// (spec/tracing.md) nest under an envelop or Yoga OpenTelemetry plugin's execute span when that plugin comes
// after this one; masked internal errors (spec/errors.md) are GraphQLErrors, which the server's own masking
// passes through. Imports no envelop package: the plugin is a plain object of envelop's hooks.

import type { ExecutionArgs, ExecutionResult, GraphQLSchema } from "graphql";
import { execute, subscribe } from "../engine/index.js";

type PromiseOrValue<T> = T | Promise<T>;

/** envelop's execute and subscribe functions, as the plugin hands them over. */
type ExecuteFunction = (args: ExecutionArgs) => PromiseOrValue<ExecutionResult | AsyncIterable<ExecutionResult>>;

/** The envelop hooks the plugin uses (a structural subset of envelop's Plugin type). */
export interface GraphscalePlugin {
  onPluginInit(api: { setSchema(schema: GraphQLSchema): void }): void;
  onExecute(api: { setExecuteFn(fn: ExecuteFunction): void }): void;
  onSubscribe(api: { setSubscribeFn(fn: ExecuteFunction): void }): void;
}

export interface GraphscalePluginOptions {
  /** The schema to serve (made with makeSchema); omit it when the server is given the schema itself. */
  schema?: GraphQLSchema;
}

/**
 * spec: UseGraphscale — serves the schema with graphscale's `execute` and `subscribe`. List it before an
 * OpenTelemetry plugin (`plugins: [useGraphscale({ schema }), useOpenTelemetry(…)]`): that plugin then wraps
 * graphscale's execute in its span's context, and graphscale's request span is its child.
 */
export function useGraphscale(options: GraphscalePluginOptions = {}): GraphscalePlugin {
  const schema = options.schema;
  return {
    onPluginInit({ setSchema }) {
      if (schema !== undefined) setSchema(schema);
    },
    onExecute({ setExecuteFn }) {
      setExecuteFn(execute as ExecuteFunction);
    },
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe as unknown as ExecuteFunction);
    },
  };
}
