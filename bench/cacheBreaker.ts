// A frozen Redis behind the cache breaker: the todo view (3 layers: user → lists → items, 5 store calls) on
// 4 MySQL shards with a Redis that stopped answering (SIGSTOP: connections open, nothing answered), once the
// breaker opened, against the same view on a store without Redis, in alternating rounds. A measured table
// of `npm run bench` (bench/results/cache-breaker.json), skipped with a message when MySQL is not reachable
// or redis-server is not installed; alone: `npx tsx bench/cacheBreaker.ts [--rounds=N]`. Starts its own
// redis-server (never freezes the shared one).

import { spawnSync } from "node:child_process";
import { parse } from "graphql";
import { execute } from "../src/index.js";
import { Kvetch, mysqlBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo } from "../examples/todo/seed.js";
import { OwnRedis } from "../test/integration/ownRedis.js";
import { median, pairedRounds } from "./median.js";
import { publishTable, type MeasuredTable } from "./measuredTable.js";
import { MYSQL, benchStore, dropDatabases, reachable, shardUrls } from "./servers.js";

const VIEWS_PER_ROUND = 20;

/** Null (with a message printed) when MySQL is not reachable or redis-server is not installed. */
export async function runCacheBreakerScenario(options: { rounds?: number } = {}): Promise<MeasuredTable | null> {
  if (!(await reachable(MYSQL.host, MYSQL.port)) || spawnSync("redis-server", ["--version"]).status !== 0) {
    console.log("cache-breaker: SKIPPED — MySQL (127.0.0.1:3306) is not reachable or redis-server is not installed; `npm run services` sets both up");
    return null;
  }
  const rounds = options.rounds ?? 9;
  const { databases, keyPrefix } = await benchStore("breaker", 4);
  const redis = new OwnRedis();
  await redis.start();
  // The library's defaults: a 1 s cache timeout per round trip, the breaker open after 3 of them.
  const cached = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis: { url: redis.url, keyPrefix } }) });
  const plain = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(databases) }) });
  try {
    await cached.migrate();
    const seed = await seedTodo(cached, { users: VIEWS_PER_ROUND, listsPerUser: 10, itemsPerList: 5 });
    const document = parse(todoViewQuery);
    const view = async (kvetch: Kvetch, user: string): Promise<string> => {
      const result = await execute({ schema: todoSchema, document, variableValues: { id: user }, contextValue: { kvetch } });
      if (result.errors !== undefined) throw new Error(`cache-breaker: the todo view failed: ${result.errors[0]!.message}`);
      return JSON.stringify(result.data);
    };
    /** Milliseconds per view over one round (every seeded user once); checks each against the store without Redis. */
    const round = async (kvetch: Kvetch, expected: string[] | null): Promise<number> => {
      const start = performance.now();
      for (let u = 0; u < VIEWS_PER_ROUND; u++) {
        const data = await view(kvetch, seed.userIds[u]!);
        if (expected !== null && data !== expected[u]) throw new Error(`cache-breaker: user ${u}'s view differs from the store without Redis`);
      }
      return (performance.now() - start) / VIEWS_PER_ROUND;
    };
    const expected: string[] = [];
    for (const user of seed.userIds) expected.push(await view(plain, user));
    await round(cached, expected); // fills the cache
    const warm: number[] = [];
    for (let r = 0; r < rounds; r++) warm.push(await round(cached, expected));

    redis.freeze();
    // Views until the breaker opens: each round trip before it waits its 1 s timeout.
    const openedAfter = performance.now();
    let viewsBeforeOpen = 0;
    while ((await cached.health()).cache!.breaker === "closed") {
      await view(cached, seed.userIds[0]!);
      viewsBeforeOpen++;
    }
    const toOpen = performance.now() - openedAfter;
    await round(plain, null);
    const { a: frozen, b: mysqlOnly, ratios } = await pairedRounds(rounds, () => round(cached, expected), () => round(plain, null));
    return {
      id: "cache-breaker",
      title: "A frozen Redis behind the cache breaker: the todo view against MySQL only",
      description:
        "The todo view (1 user → 10 lists → 5 items: 3 layers, 5 store calls) on 4 MySQL shard databases with the library's default " +
        "cache settings (1 s per round trip, breaker open after 3 timeouts), one view at a time over 20 users. Redis answering with a warm cache; " +
        "then Redis frozen (SIGSTOP: its connections stay open, nothing is answered) once its breaker opened, against the same views on a " +
        `store without Redis, in ${rounds} alternating rounds per process; every view is checked equal to the store without Redis's. ` +
        "The issue's bar: frozen within 1.5× of MySQL only.",
      rowHeading: "Store",
      columns: [
        { title: "ms per view", format: "ms" },
        { title: "÷ MySQL only", format: "ratio" },
      ],
      rows: [
        { label: "MySQL + Redis, warm cache", values: [median(warm), median(warm) / median(mysqlOnly)] },
        { label: "MySQL only (no Redis configured)", values: [median(mysqlOnly), 1] },
        { label: "MySQL + frozen Redis, breaker open", values: [median(frozen), median(ratios)] },
        { label: `frozen, before the breaker opened (${viewsBeforeOpen} view${viewsBeforeOpen === 1 ? "" : "s"})`, values: [toOpen / viewsBeforeOpen, toOpen / viewsBeforeOpen / median(mysqlOnly)] },
      ],
      notes: [
        "While the breaker is open no view makes a cache round trip (asserted by test/integration/kvetch-redis-breaker.test.ts); the background probe, at most one at a time, never makes a view wait.",
        "The frozen row's ratio is the median of the rounds' ratios (each round's two runs measured back to back).",
      ],
      date: new Date().toISOString(),
    };
  } finally {
    redis.thaw();
    await Promise.all([cached.close(), plain.close()]);
    await redis.close();
    await dropDatabases(databases);
  }
}

if (process.argv[1]?.endsWith("cacheBreaker.ts")) {
  const table = await runCacheBreakerScenario({ rounds: Number(/--rounds=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 9) });
  if (table !== null) publishTable(table);
}
