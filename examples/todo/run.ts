// `npm run demo`: seeds the todo example (1 user, 10 lists, 5 items each) and runs the todo view through the
// planned schema, printing the result and the store's round trips — then the same query through per-field
// graphql-js resolvers for comparison. Memory backend by default (no servers); `--mysql` uses 4 MySQL
// shards on 127.0.0.1:3306 (root, no password) with Redis on 127.0.0.1:6379, in databases it creates and drops.

import { parse } from "graphql";
import { execute as graphqlJsExecute } from "graphql";
import { execute } from "../../src/index.js";
import { Kvetch, memoryBackend, mysqlBackend, type KvetchBackend, type KvetchCounters } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "./schema.js";
import { todoResolverSchema } from "./resolverSchema.js";
import { seedTodo } from "./seed.js";

const useMysql = process.argv.includes("--mysql");
const DATABASES = [0, 1, 2, 3].map((s) => `graphscale_demo_${s}`);

function describeCounters(label: string, counters: KvetchCounters): string {
  const cache = Object.entries(counters.cacheRoundTrips)
    .map(([node, n]) => `${node}: ${n}`)
    .join(", ");
  return (
    `${label}: ${counters.calls} store calls; queries per shard [${counters.shardQueries.join(", ")}]` +
    (cache ? `; cache round trips ${cache}` : "") +
    `; ${counters.rowsFetched} rows`
  );
}

const KEY_PREFIX = `graphscale-demo:${process.pid}:`;

/** Removes the demo's own Redis keys (and no others). */
async function deleteDemoKeys(): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${KEY_PREFIX}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

async function dropDatabases(): Promise<void> {
  const mysql = await import("mysql2/promise");
  const connection = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
  try {
    for (const name of DATABASES) await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}

function backend(): KvetchBackend {
  if (!useMysql) return memoryBackend({ shards: 4 });
  return mysqlBackend({
    shards: DATABASES.map((name) => `mysql://root@127.0.0.1:3306/${name}`),
    redis: { url: "redis://127.0.0.1:6379", keyPrefix: KEY_PREFIX },
  });
}

if (useMysql) {
  try {
    await dropDatabases();
  } catch (error) {
    console.error(`--mysql needs MySQL/MariaDB on 127.0.0.1:3306 (root, no password) and Redis on 127.0.0.1:6379; start them with \`npm run services\`. (${(error as Error).message})`);
    process.exit(1);
  }
}
const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: backend() });
try {
  await kvetch.migrate();
  const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 10, itemsPerList: 5 });
  const document = parse(todoViewQuery);
  const variableValues = { id: seed.userIds[0] };
  const contextValue = { kvetch };

  kvetch.resetCounters();
  const result = await execute({ schema: todoSchema, document, variableValues, contextValue });
  console.log(JSON.stringify(result, null, 2));
  console.log();
  console.log(`backend: ${useMysql ? "MySQL, 4 shards + Redis" : "memory, 4 shards"}`);
  console.log(describeCounters("planned (graphscale)", kvetch.counters));

  if (useMysql) {
    kvetch.resetCounters();
    await execute({ schema: todoSchema, document, variableValues, contextValue });
    console.log(describeCounters("planned, Redis warm  ", kvetch.counters));
  }

  kvetch.resetCounters();
  const naive = await graphqlJsExecute({ schema: todoResolverSchema, document, variableValues, contextValue });
  console.log(describeCounters(`per-field resolvers (graphql-js)${useMysql ? ", Redis warm" : ""}`, kvetch.counters));
  if (JSON.stringify(naive) !== JSON.stringify(result)) {
    console.error("the two results differ!");
    process.exitCode = 1;
  }
} finally {
  await kvetch.close();
  if (useMysql) {
    await dropDatabases();
    await deleteDemoKeys();
  }
}
