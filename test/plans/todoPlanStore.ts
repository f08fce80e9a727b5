// The todo view with a plan store on Redis, as the plan-export tests run it in this process and in child
// processes: `node --import tsx test/plans/todoPlanStore.ts <keyPrefix> [changed]` prints one JSON line with
// the result, the plan cache counts and the warnings the plan store tier gave.

import { GraphQLSchema, extendSchema, parse } from "graphql";
import { Redis } from "ioredis";
import { execute, getPlanCacheStats, type PlanStore } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";

export const REDIS_URL = "redis://127.0.0.1:6379";

/**
 * A plan store on Redis whose keys all start with `prefix` (so a test deletes only its own). Requests do not
 * wait for `set`; `written()` waits for every write started so far, before the connection is closed.
 */
export function redisPlanStore(redis: Redis, prefix: string): PlanStore & { written(): Promise<void> } {
  const writes = new Set<Promise<unknown>>();
  return {
    get: (key) => redis.get(prefix + key),
    set: (key, value) => {
      const write = redis.set(prefix + key, value);
      writes.add(write);
      void write.finally(() => writes.delete(write)).catch(() => undefined);
      return write;
    },
    written: async () => void (await Promise.allSettled([...writes])),
  };
}

/** The todo schema with a plan store (and, `changed`, one more Query field). */
export function todoSchemaWithStore(planStore: PlanStore, warnings: string[], changed = false): GraphQLSchema {
  const base = changed ? extendSchema(todoSchema, parse("extend type Query { extraField: Int }")) : todoSchema;
  const graphscale = (todoSchema.extensions as { graphscale: object }).graphscale;
  return new GraphQLSchema({
    ...base.toConfig(),
    extensions: { graphscale: { ...graphscale, planStore, onPlanWarning: (message: string) => void warnings.push(message) } },
  });
}

export async function runTodoView(prefix: string, changed: boolean): Promise<{ result: unknown; plansBuilt: number; plansImported: number; warnings: string[] }> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const warnings: string[] = [];
    const store = redisPlanStore(redis, prefix);
    const schema = todoSchemaWithStore(store, warnings, changed);
    const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
    await kvetch.migrate();
    const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 10, itemsPerList: 5 });
    const result = await execute({ schema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } });
    const stats = getPlanCacheStats(schema);
    await store.written();
    return { result: JSON.parse(JSON.stringify(result)), plansBuilt: stats.plansBuilt, plansImported: stats.plansImported, warnings };
  } finally {
    redis.disconnect();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!) && process.argv[2]) {
  const out = await runTodoView(process.argv[2], process.argv[3] === "changed");
  process.stdout.write(JSON.stringify(out) + "\n");
}
