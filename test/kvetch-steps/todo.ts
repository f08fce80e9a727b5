// What the Kvetch step tests share: a seeded todo store, and one query run through the planned schema or
// through the per-field graphql-js resolvers with the store's counters read right after.

import { execute as graphqlJsExecute, parse, type ExecutionResult, type GraphQLSchema } from "graphql";
import { execute } from "../../src/index.js";
import { Kvetch, memoryBackend, type KvetchBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema } from "../../examples/todo/schema.js";
import { todoResolverSchema } from "../../examples/todo/resolverSchema.js";
import { seedTodo, type TodoSeed, type TodoSeedOptions } from "../../examples/todo/seed.js";

export interface Measured {
  /** The result as plain JSON (graphql-js and graphscale both build null-prototype objects). */
  result: { data?: any; errors?: { message: string; path?: readonly (string | number)[] }[] };
  calls: number;
  shardQueries: number[];
  rowsFetched: number;
}

export async function seededStore(options: TodoSeedOptions = {}, backend?: KvetchBackend): Promise<{ kvetch: Kvetch; seed: TodoSeed }> {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: backend ?? memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const seed = await seedTodo(kvetch, options);
  kvetch.resetCounters();
  return { kvetch, seed };
}

function plain(result: ExecutionResult): Measured["result"] {
  const out: Measured["result"] = {};
  if (result.errors) out.errors = result.errors.map((e) => (e.path ? { message: e.message, path: e.path } : { message: e.message }));
  if ("data" in result) out.data = JSON.parse(JSON.stringify(result.data));
  return out;
}

async function measure(kvetch: Kvetch, schema: GraphQLSchema, run: typeof execute, query: string, variableValues: Record<string, unknown>): Promise<Measured> {
  kvetch.resetCounters();
  const result = await run({ schema, document: parse(query), variableValues, contextValue: { kvetch } });
  return { result: plain(result), calls: kvetch.counters.calls, shardQueries: [...kvetch.counters.shardQueries], rowsFetched: kvetch.counters.rowsFetched };
}

/** The query through the planned schema (graphscale's execute). */
export function planned(kvetch: Kvetch, query: string, variableValues: Record<string, unknown> = {}): Promise<Measured> {
  return measure(kvetch, todoSchema, execute, query, variableValues);
}

/** The query through per-field resolvers (graphql-js's execute). */
export function naive(kvetch: Kvetch, query: string, variableValues: Record<string, unknown> = {}): Promise<Measured> {
  return measure(kvetch, todoResolverSchema, graphqlJsExecute as typeof execute, query, variableValues);
}

/** How many shards hold at least one of these ids (what one batched call costs in queries). */
export function shardsOf(kvetch: Kvetch, ids: readonly string[]): number {
  return new Set(ids.map((id) => kvetch.shardOf(id))).size;
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
