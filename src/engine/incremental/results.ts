// The result types of incremental delivery: graphql-js 17's shapes (spec/incremental.md).

import type { GraphQLError } from "graphql";
import type { PendingResult, SubsequentResult } from "./workQueue.js";

/** graphql-js 17's initial payload of an operation that delivers incrementally. */
export interface InitialIncrementalExecutionResult {
  data: Record<string, unknown>;
  errors?: readonly GraphQLError[];
  pending: readonly PendingResult[];
  hasNext: true;
}

/** graphql-js 17's result of an operation that delivers incrementally. */
export interface ExperimentalIncrementalExecutionResults {
  initialResult: InitialIncrementalExecutionResult;
  subsequentResults: AsyncGenerator<SubsequentResult, void, void>;
}
