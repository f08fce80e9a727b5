// Write → update latency across two processes' worth of Kvetch: instances A and B on the same 4 MySQL shard
// databases and Redis, 100 live todo views subscribed on B (one per user, 3 lists × 3 items each); one write
// at a time through A, timed from the write's start until B's live query of that user has sent the result
// showing it (A's write, Redis pub/sub, B's re-run and send). A measured table of `npm run bench`
// (bench/results/live-latency.json), skipped with a message when MySQL or Redis is not reachable; alone:
// `npx tsx bench/liveLatency.ts [--writes=N]`.

import { parse, type ExecutionResult } from "graphql";
import { subscribe } from "../src/index.js";
import { Kvetch, mysqlBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo } from "../examples/todo/seed.js";
import { publishTable, type MeasuredTable } from "./measuredTable.js";
import { subscribed } from "../test/integration/kvetch-servers.js";
import { MYSQL, REDIS_URL, benchStore, deleteKeys, dropDatabases, reachable, shardUrls } from "./servers.js";

const LIVE_QUERIES = 100;

/** The p-th percentile (0–100) of `xs`, nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Null (with a message printed) when MySQL or Redis is not reachable. */
export async function runLiveLatencyScenario(options: { writes?: number; offset?: number } = {}): Promise<MeasuredTable | null> {
  if (!(await reachable(MYSQL.host, MYSQL.port)) || !(await reachable("127.0.0.1", 6379))) {
    console.log("live-latency: SKIPPED — MySQL (127.0.0.1:3306) or Redis (127.0.0.1:6379) is not reachable; `npm run services` starts them");
    return null;
  }
  const writes = options.writes ?? 200;
  const { databases, keyPrefix } = await benchStore("live", 4);
  const open = () =>
    new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis: { url: REDIS_URL, keyPrefix } }) });
  const a = open();
  const b = open();
  const iterators: AsyncGenerator<ExecutionResult>[] = [];
  try {
    await a.migrate();
    const seed = await seedTodo(a, { users: LIVE_QUERIES, listsPerUser: 3, itemsPerList: 3 });
    // B must hear A before anything is timed: announcements made before its subscription are lost.
    await subscribed(a, b);

    // Each live query's newest result, and who waits for which text to show up in it.
    const waiting = new Map<number, { text: string; done: () => void }>();
    const firsts: Promise<void>[] = [];
    const document = parse(todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live"));
    for (let u = 0; u < LIVE_QUERIES; u++) {
      const iterator = (await subscribe({ schema: todoSchema, document, variableValues: { id: seed.userIds[u] }, contextValue: { kvetch: b }, live: { source: b } })) as AsyncGenerator<ExecutionResult>;
      iterators.push(iterator);
      let first!: () => void;
      firsts.push(new Promise((resolve) => (first = resolve)));
      void (async () => {
        for await (const result of iterator) {
          first();
          const w = waiting.get(u);
          if (w !== undefined && JSON.stringify(result.data).includes(w.text)) w.done();
        }
      })();
    }
    await Promise.all(firsts);

    let rnd = 5 + (options.offset ?? 0);
    const next = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), Math.floor((rnd / 2147483648) * n));
    const latency = { text: [] as number[], add: [] as number[] };
    // Items per list: the view shows a list's first 5, so an item is only added where it will show.
    const itemCounts = seed.listIds.map((lists) => lists.map(() => 3));
    for (let i = 0; i < writes; i++) {
      const u = next(LIVE_QUERIES);
      const l = next(3);
      const adding = i % 4 === 3 && itemCounts[u]![l]! < 5;
      const text = `write ${i} of ${keyPrefix}`;
      let timer: NodeJS.Timeout | undefined;
      const shown = new Promise<void>((resolve, reject) => {
        waiting.set(u, { text, done: resolve });
        timer = setTimeout(() => reject(new Error(`live-latency: write ${i} never showed in the live query on B within 10 s`)), 10_000);
      });
      const start = performance.now();
      if (adding) {
        itemCounts[u]![l]!++;
        await a.createObject("TodoItem", { listId: seed.listIds[u]![l]!, text, done: false });
      } else {
        await a.updateObject("TodoItem", seed.itemIds[u]![l]![next(3)]!, { text });
      }
      try {
        await shown;
      } finally {
        clearTimeout(timer);
      }
      (adding ? latency.add : latency.text).push(performance.now() - start);
      waiting.delete(u);
    }
    const row = (label: string, ms: number[]) => ({ label: `${label} (${ms.length} writes)`, values: [percentile(ms, 50), percentile(ms, 99), Math.max(...ms)] });
    return {
      id: "live-latency",
      title: "Live queries across processes: write → update latency",
      description:
        `Two Kvetch instances (A, B) on the same 4 MySQL shard databases and Redis, ${LIVE_QUERIES} live todo views subscribed on B ` +
        "(one per user, 3 lists × 3 items), one write at a time through A: milliseconds from the start of A's write until B's live " +
        "query of that user sent the result showing it (A's write and invalidation, Redis pub/sub, B's re-run and send).",
      rowHeading: "Write through A",
      columns: [
        { title: "p50 (ms)", format: "ms" },
        { title: "p99 (ms)", format: "ms" },
        { title: "max (ms)", format: "ms" },
      ],
      rows: [row("an item's text changed", latency.text), row("an item added to a list", latency.add)],
      date: new Date().toISOString(),
    };
  } finally {
    await Promise.all(iterators.map((it) => it.return(undefined)));
    await Promise.all([a.close(), b.close()]);
    await deleteKeys(keyPrefix);
    await dropDatabases(databases);
  }
}

if (process.argv[1]?.endsWith("liveLatency.ts")) {
  const table = await runLiveLatencyScenario({ writes: Number(/--writes=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 200) });
  if (table !== null) publishTable(table);
}
