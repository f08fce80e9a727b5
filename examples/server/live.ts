// `@live` queries over Server-Sent Events: graphql-sse's handler (its protocol, both its connection modes)
// at `/graphql/stream`, with an `execute` that hands a query marked @live to graphscale's `subscribe` and
// every other operation to `execute`. Each live result carries `extensions.roundTrips`: what that re-run
// cost in Kvetch calls and round trips, as the page shows. On graphql 17 an operation using @defer or @stream
// runs incrementally and each payload is one `next` event (graphql-sse streams the async iterable `execute`
// returns). Never a hand-written event stream.

import type { IncomingMessage, ServerResponse } from "node:http";
import { GraphQLError, GraphQLSchema, getOperationAST, type ExecutionResult } from "graphql";
import { createHandler } from "graphql-sse/lib/use/http";
import { GraphQLLiveDirective, execute, subscribe, type LiveSource } from "../../src/index.js";
import { incrementalPayloads, isIncrementalResults, usesIncrementalDirective, withIncrementalDirectives, type ExecuteIncrementally } from "./incremental.js";

/** The counters the page shows, before and after a run (the store shared: concurrent requests count too). */
export interface RunCounters<T> {
  snapshot(contextValue: unknown): T;
  difference(contextValue: unknown, before: T): unknown;
}

/** The schema with `directive @live on QUERY` added (when it lacks it), so live documents validate. */
export function withLiveDirective(schema: GraphQLSchema): GraphQLSchema {
  if (schema.getDirective("live")) return schema;
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, directives: [...config.directives, GraphQLLiveDirective] });
}

/** The schema with dependencies in every response (what `x-graphscale-deps: 1` runs against). */
export function withDeps(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  const graphscale = (config.extensions?.graphscale ?? {}) as Record<string, unknown>;
  return new GraphQLSchema({ ...config, extensions: { ...config.extensions, graphscale: { ...graphscale, deps: true } } });
}

export function createLiveHandler<T>(options: {
  schema: GraphQLSchema;
  /** Where live queries hear of writes; without it a query marked @live is answered with an error. */
  source?: LiveSource;
  contextFactory?: (request: IncomingMessage) => unknown;
  counters: RunCounters<T>;
  throttleMs?: number;
  /** Runs operations using @defer or @stream (graphql 17); without it they are not valid here. */
  executeIncrementally?: ExecuteIncrementally;
}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { source, counters, contextFactory, executeIncrementally } = options;
  const liveSchema = withLiveDirective(options.schema);
  const handlerSchema = executeIncrementally === undefined ? liveSchema : withIncrementalDirectives(liveSchema);
  // Each live result's round trips, found again when graphql-sse sends it (onNext).
  const costs = new WeakMap<ExecutionResult, unknown>();
  return createHandler<{ value: unknown }>({
    schema: handlerSchema,
    // graphql-sse types its context as a record; the real context sits under `value`.
    context: async (req) => ({ value: contextFactory ? await contextFactory(req.raw) : {} }),
    execute: async (args) => {
      const operation = getOperationAST(args.document, args.operationName);
      const contextValue = args.contextValue.value;
      if (executeIncrementally !== undefined && usesIncrementalDirective(args.document)) {
        const result = await executeIncrementally({ ...args, schema: handlerSchema, contextValue });
        return isIncrementalResults(result) ? incrementalPayloads(result) : result;
      }
      // graphql 17's execute refuses a schema holding @defer and @stream: the others run without them.
      if (!operation?.directives?.some((d) => d.name.value === "live")) return execute({ ...args, schema: liveSchema, contextValue });
      if (source === undefined) return { errors: [new GraphQLError("This server has no live source: @live queries are not served here.")] };
      let before: T;
      return subscribe({
        ...args,
        schema: liveSchema,
        contextValue,
        live: {
          source,
          throttleMs: options.throttleMs,
          beforeRun: () => void (before = counters.snapshot(contextValue)),
          onRun: ({ result }) => void costs.set(result, counters.difference(contextValue, before)),
        },
      }) as ReturnType<typeof execute>;
    },
    onNext: (_ctx, _req, result) => {
      const roundTrips = costs.get(result as ExecutionResult);
      return roundTrips === undefined ? undefined : { ...result, extensions: { ...result.extensions, roundTrips } };
    },
  });
}
