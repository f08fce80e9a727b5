// createBatchedExecute: an `execute` that holds requests for a short window, then starts them together so
// their steps can share calls through one StepBatcher (spec/cross-request-batching.md). Opt-in: plain
// `execute` never waits. Never merges responses: each request completes from its own buckets.

import type { ExecutionResult, GraphQLSchema } from "graphql";
import { execute, executeWithStepCaller, type GraphscaleExecutionArgs } from "../execute.js";
import { StepBatcher, type StepBatcherStats } from "./stepBatcher.js";

export interface BatchedExecuteOptions {
  /** The schema whose requests are batched; requests for another schema run as plain execute. */
  readonly schema: GraphQLSchema;
  /** How long the first request of a window waits for others (0: requests arriving in the same tick). */
  readonly windowMs: number;
}

/** execute's arguments plus the request's own opt-out. */
export interface BatchedExecutionArgs extends GraphscaleExecutionArgs {
  /** false: this request never shares a step call with another (it still waits for its window). */
  crossRequest?: boolean;
}

/** An `execute`-compatible function whose concurrent requests share step calls; `stats` counts what it did. */
export interface BatchedExecute {
  (args: BatchedExecutionArgs): Promise<ExecutionResult>;
  readonly stats: StepBatcherStats;
}

/** spec: CreateBatchedExecute — requests gathered per window, started in one synchronous pass, steps joined by one StepBatcher. */
export function createBatchedExecute(options: BatchedExecuteOptions): BatchedExecute {
  const { schema, windowMs } = options;
  const batcher = new StepBatcher();
  let waiting: Array<() => void> = [];
  const startWindow = (): void => {
    const starting = waiting;
    waiting = [];
    for (let i = 0; i < starting.length; i++) starting[i]!();
  };
  const batched = (args: BatchedExecutionArgs): Promise<ExecutionResult> =>
    new Promise<ExecutionResult>((resolve, reject) => {
      if (args.schema !== schema) {
        resolve(execute(args));
        return;
      }
      if (waiting.length === 0) setTimeout(startWindow, windowMs);
      waiting.push(() => {
        try {
          resolve(args.crossRequest === false ? execute(args) : executeWithStepCaller(args, batcher.callStep));
        } catch (error) {
          reject(error);
        }
      });
    });
  return Object.assign(batched, { stats: batcher.stats });
}
