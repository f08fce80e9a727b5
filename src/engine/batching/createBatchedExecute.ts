// batching/: runs concurrent requests of one operation as one bucket, opt-in (spec/cross-request-batching.md).
// createBatchedExecute: an `execute` whose requests start at once but hold their shareable step calls for a
// short window, so the calls of the requests arriving together are joined by one StepBatcher, and the
// requests of a window that wait only in their root layer run on as one bucket (AdoptWindow)
// (spec/cross-request-batching.md). Opt-in: plain `execute` never waits. Never merges responses: each
// request's response is built from its own root entry.

import type { ExecutionResult, GraphQLSchema } from "graphql";
import { execute, executeWithStepCaller } from "../request/execute.js";
import type { GraphscaleExecutionArgs } from "../request/prepareRequest.js";
import { StepBatcher, type StepBatcherStats } from "./stepBatcher.js";

export interface BatchedExecuteOptions {
  /** The schema whose requests are batched; requests for another schema run as plain execute. */
  readonly schema: GraphQLSchema;
  /**
   * How long a window stays open after its first request: the shareable step calls of the requests arriving
   * meanwhile wait for its end (0: the end of the current turn of the event loop, so the requests arriving
   * before it next waits for I/O — a burst started in one pass, the requests of one poll — and no timer).
   */
  readonly windowMs: number;
  /**
   * false: requests only share step calls, each running its own buckets; by default a window's requests
   * waiting in their root layer are run on as one bucket (AdoptWindow).
   */
  readonly adoptWindows?: boolean;
}

/** execute's arguments plus the request's own opt-out. */
export interface BatchedExecutionArgs extends GraphscaleExecutionArgs {
  /** false: this request never shares a step call with another; it runs as plain `execute`, at once. */
  crossRequest?: boolean;
}

/** An `execute`-compatible function whose concurrent requests share step calls; `stats` counts what it did. */
export interface BatchedExecute {
  (args: BatchedExecutionArgs): Promise<ExecutionResult>;
  readonly stats: StepBatcherStats;
}

/**
 * spec: CreateBatchedExecute — each request starts as it arrives; the joining calls of the requests that
 * arrive within `windowMs` of a window's first wait for its end (HoldWindow), then share calls.
 */
export function createBatchedExecute(options: BatchedExecuteOptions): BatchedExecute {
  const { schema, windowMs } = options;
  if (typeof windowMs !== "number" || !Number.isFinite(windowMs) || windowMs < 0) {
    throw new TypeError(`createBatchedExecute: windowMs must be a finite number of milliseconds, 0 or more; got ${typeof windowMs === "number" ? windowMs : typeof windowMs}.`);
  }
  const adoptWindows = options.adoptWindows ?? true;
  if (typeof adoptWindows !== "boolean") throw new TypeError(`createBatchedExecute: adoptWindows must be a boolean; got ${typeof adoptWindows}.`);
  const batcher = new StepBatcher(adoptWindows);
  /** The window requests arriving now join (null: the next request opens one). */
  let openWindow: ReturnType<StepBatcher["holdWindow"]> | null = null;
  const batched = (args: BatchedExecutionArgs): Promise<ExecutionResult> => {
    try {
      if (args.schema !== schema || args.crossRequest === false) return Promise.resolve(execute(args));
      if (openWindow === null) {
        const opened = (openWindow = batcher.holdWindow());
        const close = (): void => {
          openWindow = null;
          opened.release();
        };
        // A timer of 0 would wait for the next turn of the timers (at least 1 ms in Node), not this turn's end.
        if (windowMs === 0) setImmediate(close);
        else setTimeout(close, windowMs);
      }
      return Promise.resolve(executeWithStepCaller(args, openWindow.callStep));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return Object.assign(batched, { stats: batcher.stats });
}
