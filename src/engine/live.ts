// Live queries: a query marked @live, run through `subscribe`, gives an async iterator of results. Each run
// records its dependencies; the run is repeated when an invalidation touches one of them (or when the source
// may have missed one), and a result is sent only when it differs from the last sent. Store-agnostic: the
// invalidations come from a LiveSource (a Kvetch is one). Never reports "unchanged" what may have changed.

import { GraphQLDirective, DirectiveLocation, GraphQLError, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode } from "graphql";
import { dependenciesOf } from "./deps.js";
import { execute, type GraphscaleExecutionArgs } from "./execute.js";

/** `directive @live on QUERY` — add it to a schema's directives so documents using it validate. */
export const GraphQLLiveDirective = new GraphQLDirective({
  name: "live",
  description: "Keeps the query's result current: a new result is sent whenever data it was built from changes.",
  locations: [DirectiveLocation.QUERY],
});

/** What a live query listens to: every invalidation, or null when some may have been missed. */
export interface LiveSource {
  onInvalidate(listener: (change: { touches(key: string): boolean } | null) => void): () => void;
}

export interface LiveOptions {
  source: LiveSource;
  /** Wait this long after an invalidation before re-running, coalescing a burst into one run (default 0). */
  throttleMs?: number;
  /** Told right before every run starts (the example server snapshots the store's counters there). */
  beforeRun?: (run: number) => void;
  /** Told after every run, with its result, sent or not (tests and the example page count re-runs). */
  onRun?: (info: { run: number; sent: boolean; result: ExecutionResult }) => void;
}

export function isLiveOperation(operation: OperationDefinitionNode): boolean {
  return operation.directives?.some((d) => d.name.value === "live") ?? false;
}

/** A clear error for @live where it cannot work, or null. */
export function liveOperationError(operation: OperationDefinitionNode, live: LiveOptions | undefined): GraphQLError | null {
  if (operation.operation !== "query") {
    return new GraphQLError(`@live works on queries only; this operation is a ${operation.operation}.`, { nodes: operation, extensions: { code: "BAD_LIVE_QUERY" } });
  }
  if (live === undefined || typeof live.source?.onInvalidate !== "function") {
    return new GraphQLError("@live needs a source of invalidations: subscribe({ ..., live: { source: kvetch } }).", { nodes: operation, extensions: { code: "BAD_LIVE_QUERY" } });
  }
  return null;
}

/**
 * spec: LiveQuery — runs the operation with deps, sends the result, and runs it again whenever an
 * invalidation heard since the run started touches a key of the last run (or the source lost its feed);
 * a result equal to the last one sent is not sent again.
 */
export function liveQuery(args: ExecutionArgs, live: LiveOptions): AsyncGenerator<ExecutionResult, void, void> {
  const queue: ExecutionResult[] = [];
  let waiting: ((r: IteratorResult<ExecutionResult, void>) => void) | null = null;
  let closed = false;
  let keys: string[] = [];
  let running = false;
  let heard: ({ touches(key: string): boolean } | null)[] = [];
  let dirty = false;
  let wake: (() => void) | null = null;
  let runs = 0;
  const touchesAny = (change: { touches(key: string): boolean } | null): boolean => change === null || keys.some((k) => change.touches(k));
  const stop = live.source.onInvalidate((change) => {
    if (running) heard.push(change);
    else if (!dirty && touchesAny(change)) {
      dirty = true;
      wake?.();
    }
  });
  const deliver = (result: ExecutionResult): void => {
    if (waiting !== null) {
      const w = waiting;
      waiting = null;
      w({ done: false, value: result });
    } else queue.push(result);
  };
  const finish = (): void => {
    if (closed) return;
    closed = true;
    stop();
    wake?.();
    if (waiting !== null) waiting({ done: true, value: undefined });
    waiting = null;
  };
  void (async () => {
    let last: string | null = null;
    while (!closed) {
      running = true;
      heard = [];
      dirty = false;
      live.beforeRun?.(runs + 1);
      const result = await execute({ ...(args as GraphscaleExecutionArgs), deps: true });
      keys = Object.keys(dependenciesOf(result));
      running = false;
      for (const change of heard) if (touchesAny(change)) dirty = true;
      heard = [];
      const text = JSON.stringify({ data: result.data, errors: result.errors });
      const sent = text !== last;
      live.onRun?.({ run: ++runs, sent, result });
      if (sent && !closed) {
        last = text;
        deliver(result);
      }
      while (!dirty && !closed) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      if ((live.throttleMs ?? 0) > 0 && !closed) await new Promise((resolve) => setTimeout(resolve, live.throttleMs));
    }
  })().catch((error: unknown) => {
    deliver({ errors: [new GraphQLError(error instanceof Error ? error.message : String(error))] });
    finish();
  });
  const iterator: AsyncGenerator<ExecutionResult, void, void> = {
    next: () => {
      if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift()! });
      if (closed) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => (waiting = resolve));
    },
    return: async () => {
      finish();
      return { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
    [Symbol.asyncDispose]: async () => void finish(),
  } as AsyncGenerator<ExecutionResult, void, void>;
  return iterator;
}
