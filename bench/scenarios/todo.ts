// Store scenarios: the todo view (1 user → lists → items) over one seeded Kvetch store, run by graphscale's
// plans, graphql-js with per-request DataLoaders, and graphql-js with per-field resolvers — same store, same
// data, same query. Memory backend (optionally with a per-round-trip latency) or 4 MySQL shards + Redis.
// Creates and drops its own databases and cache keys; never touches anything else on the servers.

import { execute as graphqlExecute, parse } from "graphql";
import { execute } from "../../src/index.js";
import { Kvetch, memoryBackend, mysqlBackend, type KvetchBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { makeTodoResolverSchema } from "../../examples/todo/resolverSchema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { makeTodoDataLoaderSchema, todoLoaders } from "./todoDataLoader.js";
import type { Engine, Scenario, StoreCounts } from "../scenario.js";
import { MYSQL, REDIS_URL, benchStore, deleteKeys, dropDatabases, shardUrls } from "../servers.js";

export interface TodoScenarioOptions {
  id: string;
  lists: number;
  items: number;
  /** "memory" (4 in-process shards) or "mysql" (4 MySQL databases on 127.0.0.1:3306 + Redis on :6379). */
  backend: "memory" | "mysql";
  /** Memory backend only: delay of every shard round trip, milliseconds. */
  latencyMs?: number;
  /** The todo view (default), or each list's owner with the owner's list count (`ownerCountQuery`). */
  view?: "todo" | "owners";
}

export const SHARDS = 4;
const MYSQL_HOST = `${MYSQL.host}:${MYSQL.port}`;

/** The view's query text for `lists` lists of `items` items (the todo example's own query for 10 × 5). */
export function todoQuery(lists: number, items: number): string {
  if (lists === 10 && items === 5) return todoViewQuery;
  return todoViewQuery.replace("todoLists(first: 10)", `todoLists(first: ${lists})`).replace("todoItems(first: 5)", `todoItems(first: ${items})`);
}

/**
 * Three levels with a count at the third, as member → loans → book → loanCount: the user, their lists, each
 * list's owner (loaded by the list's userId) with the owner's list count.
 */
export function ownerCountQuery(lists: number): string {
  return `query OwnerCounts($id: ID!) { todoUser(id: $id) { name todoLists(first: ${lists}) { name owner { name todoListCount } } } }`;
}

/** Seeds a fresh store and returns the scenario plus how to close it (and drop what it created). */
export async function todoScenario(options: TodoScenarioOptions): Promise<{ scenario: Scenario; backend: string; close: () => Promise<void> }> {
  const { lists, items } = options;
  let backend: KvetchBackend;
  let backendText: string;
  let cleanup: () => Promise<void> = async () => {};
  if (options.backend === "mysql") {
    // Per process and store (benchStore), so that two bench runs on one MySQL server never drop each other's databases.
    const { databases, keyPrefix } = await benchStore("todo", SHARDS);
    backend = mysqlBackend({
      shards: shardUrls(databases),
      redis: { url: REDIS_URL, keyPrefix },
    });
    backendText = `MySQL, ${SHARDS} shards (databases graphscale_bench_todo<k>_<run id>_0..${SHARDS - 1} on ${MYSQL_HOST}) + Redis cache (${REDIS_URL}); counts taken with the cache warm`;
    cleanup = async () => {
      await dropDatabases(databases);
      await deleteKeys(keyPrefix);
    };
  } else {
    backend = memoryBackend({ shards: SHARDS, latencyMs: options.latencyMs ?? 0 });
    backendText = `Kvetch memory backend, ${SHARDS} shards${options.latencyMs ? `, ${options.latencyMs} ms per shard round trip` : ""}`;
  }
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend });
  try {
    await kvetch.migrate();
    const seed = await seedTodo(kvetch, { users: 1, listsPerUser: lists, itemsPerList: items });
    const document = parse(options.view === "owners" ? ownerCountQuery(lists) : todoQuery(lists, items));
    const variableValues = { id: seed.userIds[0]! };
    const dataLoaderSchema = makeTodoDataLoaderSchema();
    const resolverSchema = makeTodoResolverSchema();
    const engines: Engine[] = [
      {
        key: "graphscale",
        name: "graphscale (plans)",
        run: () => execute({ schema: todoSchema, document, variableValues, contextValue: { kvetch } }),
      },
      {
        key: "graphql-js+dataloader",
        name: "graphql-js + DataLoader",
        run: () => graphqlExecute({ schema: dataLoaderSchema, document, variableValues, contextValue: { kvetch, loaders: todoLoaders(kvetch) } }),
      },
      {
        key: "graphql-js",
        name: "graphql-js (resolvers)",
        run: () => graphqlExecute({ schema: resolverSchema, document, variableValues, contextValue: { kvetch } }),
      },
    ];
    const takeCounts = (): StoreCounts => {
      const c = kvetch.counters;
      let roundTrips = 0;
      for (const n of c.shardQueries) roundTrips += n;
      for (const n of Object.values(c.cacheRoundTrips)) roundTrips += n;
      const counts = { storeCalls: c.calls, roundTrips, rowsFetched: c.rowsFetched };
      kvetch.resetCounters();
      return counts;
    };
    const latency = options.latencyMs ? ` with ${options.latencyMs} ms per round trip` : "";
    const where = options.backend === "mysql" ? " on MySQL + Redis" : latency;
    const scenario: Scenario = {
      id: options.id,
      title: `Todo view: 1 user → ${lists} lists → ${items} items${where}`,
      description:
        `\`todoUser(id) { name todoLists(first: ${lists}) { name todoItems(first: ${items}) { text } } }\` over the todo example's store (${1 + lists + lists * items} objects). ` +
        "graphscale runs the todo example's plans (loadObject / loadEdges); graphql-js + DataLoader batches `getObjects` and `getEdges` per tick with per-request loaders; graphql-js (resolvers) is the todo example's per-field resolver schema (one store call per object and per edge list). " +
        "Store calls are Kvetch API calls; round trips are shard queries plus cache round trips (edge reads of derived edges re-check their targets, which costs the resolver engines extra object reads).",
      engines,
      takeCounts,
      comparisons: [
        { engine: "graphscale", against: "graphql-js+dataloader" },
        { engine: "graphscale", against: "graphql-js" },
      ],
    };
    return {
      scenario,
      backend: backendText,
      close: async () => {
        await kvetch.close();
        await cleanup();
      },
    };
  } catch (error) {
    await kvetch.close();
    await cleanup();
    throw error;
  }
}
