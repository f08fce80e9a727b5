// `@live` queries over Server-Sent Events: graphql-sse's handler (its protocol, both its connection modes)
// at `/graphql/stream`, with an `execute` that hands a query marked @live to graphscale's `subscribe` and
// every other operation to `execute`. Each live result carries `extensions.roundTrips`: what that re-run
// cost in Kvetch calls and round trips, as the page shows. Never a hand-written event stream.

import type { IncomingMessage, ServerResponse } from "node:http";
import { GraphQLSchema, getOperationAST, type ExecutionResult } from "graphql";
import { createHandler } from "graphql-sse/lib/use/http";
import { GraphQLLiveDirective, execute, subscribe, type LiveSource } from "../../src/index.js";

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
  source: LiveSource;
  contextFactory?: (request: IncomingMessage) => unknown;
  counters: RunCounters<T>;
  throttleMs?: number;
}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { source, counters, contextFactory } = options;
  // Each live result's round trips, found again when graphql-sse sends it (onNext).
  const costs = new WeakMap<ExecutionResult, unknown>();
  return createHandler<{ value: unknown }>({
    schema: withLiveDirective(options.schema),
    // graphql-sse types its context as a record; the real context sits under `value`.
    context: async (req) => ({ value: contextFactory ? await contextFactory(req.raw) : {} }),
    execute: (args) => {
      const operation = getOperationAST(args.document, args.operationName);
      const contextValue = args.contextValue.value;
      if (!operation?.directives?.some((d) => d.name.value === "live")) return execute({ ...args, contextValue });
      let before: T;
      return subscribe({
        ...args,
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
