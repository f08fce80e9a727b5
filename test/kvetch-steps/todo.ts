// What the Kvetch step tests share: a seeded todo store, one query run through the planned schema or
// through the per-field graphql-js resolvers with the store's counters read right after, a request's plan,
// a write stopped between its canonical and derived step, and a schema whose plan partial planning leaves open.

import { execute as graphqlJsExecute, parse, type ExecutionResult, type GraphQLSchema } from "graphql";
import { execute, makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { prepareRequest } from "../../src/engine/request/prepareRequest.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { constant, each } from "../../steps/index.js";
import { loadEdges, loadObject } from "../../steps/kvetch/index.js";
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

/** The plan a request for `query` gets (planned, or taken from the schema's plan cache). */
export function planOf(schema: GraphQLSchema, query: string, variableValues: Record<string, unknown>) {
  const prepared = prepareRequest({ schema, document: parse(query), variableValues, contextValue: {} });
  if (!("request" in prepared)) throw new Error("request errors");
  return prepared.request.plan;
}

/** Moves an object of `type` by updating its stored id, stopping after the canonical write (as a crash would). */
export async function moveButCrash(kvetch: Kvetch, type: string, id: string, patch: Record<string, string>): Promise<void> {
  kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
    throw new Error("crash between the canonical and the derived write");
  };
  try {
    await kvetch.updateObject(type, id, patch).then(
      () => {
        throw new Error("moveButCrash: the hook should have stopped the update");
      },
      (error: Error) => {
        if (!/crash/.test(error.message)) throw error;
      },
    );
  } finally {
    kvetchTestHooks(kvetch).afterCanonicalWrite = undefined;
  }
}

/**
 * A user's lists beside a union field: with `partialPlanning` the union's branches are planned as types
 * arrive, so the plan stays open to branches planned later. Query it with `listsBesideUnionQuery`.
 */
export function listsBesideUnionSchema(partialPlanning: boolean): GraphQLSchema {
  return makeSchema({
    typeDefs: `type Query { user(id: ID!): User thing: Thing } type User { lists: [TodoList!]! } type TodoList { name: String }
      union Thing = A | B type A { a: String } type B { b: String }`,
    partialPlanning,
    plans: {
      Query: { user: (_$root: Step, args: FieldArgs) => loadObject("User", args.get("id")), thing: () => constant({ type: "A", a: "x" }) },
      User: { lists: ($user: Step) => each(loadEdges("user_to_list", $user.get("id")), ($e) => loadObject("TodoList", $e.get("toId"))) },
      TodoList: { name: ($list: Step) => $list.get("name") },
      Thing: { __planType: ($t: Step) => $t.get("type") },
      A: { a: ($t: Step) => $t.get("a") },
      B: { b: ($t: Step) => $t.get("b") },
    } as any,
  });
}

export const listsBesideUnionQuery = `query ($id: ID!) { user(id: $id) { lists { name } } thing { ... on A { a } ... on B { b } } }`;
