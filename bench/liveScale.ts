// Live queries at scale, one process, memory backend (4 shards): N live board views (the todo view: a user →
// 5 lists → 5 items each, one view per user) subscribed at once; then one write at a time (an item's text,
// a random user's), timed from the write's start until that user's live query sent the result showing it.
// Reports write → update p50/p99, updates per second (writes handled one after another), and the heap each
// live query keeps (used heap after full GCs with the N live queries held, minus once they ended, over N). Needs
// `--expose-gc` for the heap figure. A measured table of `npm run bench` (bench/results/live-scale.json);
// alone: `npx tsx --expose-gc bench/liveScale.ts [--n=1000,10000] [--writes=300]`.

import { parse, type ExecutionResult } from "graphql";
import { subscribe } from "../src/index.js";
import { Kvetch, memoryBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo } from "../examples/todo/seed.js";
import { publishTable, type MeasuredTable } from "./measuredTable.js";
import { percentile } from "./liveLatency.js";

/** Used heap and RSS after full GCs (null without --expose-gc). */
async function settledHeap(): Promise<{ heap: number; rss: number } | null> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return null;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

/** One N: latency percentiles (ms), updates per second, heap per live query (bytes; NaN without --expose-gc). */
export async function liveScaleRow(n: number, writes: number, retainEntries?: number): Promise<number[]> {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const seed = await seedTodo(kvetch, { users: n, listsPerUser: 5, itemsPerList: 5 });
  const document = parse(todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live"));
  const waiting = new Map<number, { text: string; done: () => void }>();
  const iterators: AsyncGenerator<ExecutionResult>[] = [];
  let firsts = 0;
  for (let u = 0; u < n; u++) {
    const iterator = (await subscribe({ schema: todoSchema, document, variableValues: { id: seed.userIds[u] }, contextValue: { kvetch }, live: { source: kvetch, maxLiveQueries: n, retainEntries } })) as AsyncGenerator<ExecutionResult>;
    iterators.push(iterator);
    void (async () => {
      let first = true;
      for await (const result of iterator) {
        if (first) (first = false), firsts++;
        const w = waiting.get(u);
        if (w !== undefined && JSON.stringify(result.data).includes(w.text)) w.done();
      }
    })();
  }
  while (firsts < n) await new Promise((resolve) => setTimeout(resolve, 5));
  const held = await settledHeap();
  let rnd = 7;
  const next = (k: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), Math.floor((rnd / 2147483648) * k));
  const ms: number[] = [];
  const started = performance.now();
  for (let i = 0; i < writes; i++) {
    const u = next(n);
    const text = `write ${i}`;
    const shown = new Promise<void>((resolve) => waiting.set(u, { text, done: resolve }));
    const start = performance.now();
    await kvetch.updateObject("TodoItem", seed.itemIds[u]![next(5)]![next(5)]!, { text });
    await shown;
    ms.push(performance.now() - start);
    waiting.delete(u);
  }
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(iterators.map((it) => it.return(undefined)));
  iterators.length = 0;
  // The baseline is the same store once the live queries ended: what seeding left to collect is gone by then.
  const released = await settledHeap();
  await kvetch.close();
  const per = (key: "heap" | "rss") => (held === null || released === null ? Number.NaN : (held[key] - released[key]) / n);
  return [percentile(ms, 50), percentile(ms, 99), writes / elapsed, per("heap"), per("rss")];
}

export async function runLiveScaleScenario(options: { sizes?: number[]; writes?: number } = {}): Promise<MeasuredTable> {
  const sizes = options.sizes ?? [1000, 10000];
  const writes = options.writes ?? 300;
  const rows = [];
  for (const n of sizes) {
    rows.push({ label: `${n.toLocaleString("en")} live board views, state kept (subtree re-runs)`, values: await liveScaleRow(n, writes) });
    rows.push({ label: `${n.toLocaleString("en")} live board views, keys only (retainEntries: 0, full re-runs)`, values: await liveScaleRow(n, writes, 0) });
  }
  return {
    id: "live-scale",
    title: "Live queries at scale: one process, memory backend",
    description:
      "N live board views in one process (the todo view: a user → 5 lists → 5 items, one view per user; memory backend, 4 shards), " +
      `then ${writes} writes one after another (a random user's item text): milliseconds from the write's start until that user's ` +
      "live query sent the result showing it, writes handled per second, and the heap each live query keeps (used heap after full " +
      "GCs with the N live queries held, minus the same once they ended, over N; RSS likewise, which the allocator may not give back).",
    rowHeading: "Live queries",
    columns: [
      { title: "p50 (ms)", format: "ms" },
      { title: "p99 (ms)", format: "ms" },
      { title: "updates/s", format: "rate" },
      { title: "heap per live query", format: "bytes" },
      { title: "RSS per live query", format: "bytes" },
    ],
    rows,
    notes: [
      "A write reaches only the live query it touches (RouteInvalidation), so the latency depends little on N.",
      "Keys only keeps a live query's keys (packed: PackedKeys) and a digest of its last result's text (KeysOnlyDigest) instead of its buckets (RetainLiveState); its re-runs are full runs.",
      "State kept: records as flat arrays, and bucket values only in the layers a re-run starts in or above (KeptLayers, ThinBucket).",
    ],
    date: new Date().toISOString(),
  };
}

if (process.argv[1]?.endsWith("liveScale.ts")) {
  const arg = (name: string) => new RegExp(`--${name}=([\\d,]+)`).exec(process.argv.join(" "))?.[1];
  const table = await runLiveScaleScenario({ sizes: arg("n")?.split(",").map(Number), writes: arg("writes") === undefined ? undefined : Number(arg("writes")) });
  publishTable(table);
}
