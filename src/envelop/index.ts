// graphscale/envelop: the envelop plugin (GraphQL Yoga, envelop) that runs a graphscale schema with graphscale's
// execute and subscribe (spec/serving.md). Makes nothing per request: its hooks hand over the module's own
// functions. Each request runs under the span active when envelop calls it, so graphscale's spans
// (spec/tracing.md) nest under an envelop or Yoga OpenTelemetry plugin's execute span when that plugin comes
// after this one; masked internal errors (spec/errors.md) are GraphQLErrors, which the server's own masking
// passes through. On graphql 17 an operation using @defer or @stream runs incrementally, its payloads handed
// over as an async iterable (which Yoga sends as multipart/mixed or Server-Sent Events). Imports no envelop
// package: the plugin is a plain object of envelop's hooks.

import { BREAK, visit, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from "graphql";
import { GRAPHQL_MAJOR } from "../engine/planning/graphqlAdapter.js";
import { execute, experimentalExecuteIncrementally, isPromiseLike, subscribe, type ExperimentalIncrementalExecutionResults } from "../engine/index.js";

export { graphqlHttpOptions, type GraphqlHttpOptions, type GraphqlHttpOptionsInput, type GraphqlHttpRequest, type GraphqlHttpResponse } from "./graphqlHttp.js";

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
      setExecuteFn((GRAPHQL_MAJOR < 17 ? execute : executeOrDeliverIncrementally) as ExecuteFunction);
    },
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe as unknown as ExecuteFunction);
    },
  };
}

/** Whether each document uses @defer or @stream: looked up once per document (envelop servers cache documents). */
const incrementalDocuments = new WeakMap<DocumentNode, boolean>();

/** execute, or for an operation using @defer or @stream, its payloads in order (graphql 17). */
function executeOrDeliverIncrementally(args: ExecutionArgs): PromiseOrValue<ExecutionResult | AsyncIterable<unknown>> {
  let incremental = incrementalDocuments.get(args.document);
  if (incremental === undefined) {
    incremental = false;
    visit(args.document, { Directive: (node) => (node.name.value === "defer" || node.name.value === "stream" ? ((incremental = true), BREAK) : undefined) });
    incrementalDocuments.set(args.document, incremental);
  }
  if (!incremental) return execute(args);
  const result = experimentalExecuteIncrementally(args);
  return isPromiseLike(result) ? result.then(payloads) : payloads(result);
}

function payloads(result: ExecutionResult | ExperimentalIncrementalExecutionResults): ExecutionResult | AsyncIterable<unknown> {
  if (!("initialResult" in result)) return result;
  return (async function* () {
    yield result.initialResult;
    yield* result.subsequentResults;
  })();
}
