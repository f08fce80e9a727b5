// Bucket-move bench (spec/kvetch-storage.md §11): a seeded todo store on five memory shards, the fifth owning no
// bucket; concurrent clients read the todo view (a list, its first 20 items, their objects) and write 5% of the
// time, before, during and after a move of a fifth of the buckets. Prints rows moved per second and the view's
// p50/p99 in each window as a table. Run: `npx tsx bench/reshard.ts [items] [clients] [batchSize] [memory|mysql]`
// (mysql: five databases on GRAPHSCALE_TEST_MYSQL, created and dropped by the run). Never asserts a time.

import { performance } from "node:perf_hooks";
import { Kvetch, memoryBackend, mysqlBackend } from "../src/kvetch/index.js";
import { moveSchema, seedMoveStore } from "../test/kvetch/reshardLoad.js";
import { dropDatabases, shardUrls } from "../test/integration/kvetch-servers.js";
import { benchStore } from "./servers.js";

const items = Number(process.argv[2] ?? 20_000);
const clients = Number(process.argv[3] ?? 50);
// Rows per scan and copy round trip: a memory shard scans its whole table per page, so larger pages move faster.
const batchSize = Number(process.argv[4] ?? 2000);
const WINDOW_MS = 2000;

const kind = process.argv[5] === "mysql" ? "mysql" : "memory";
const ranges = [0, 1, 2, 3].map((s) => ({ first: s * 256, last: s * 256 + 255, shard: s }));
const { databases } = await benchStore("move", 5);
const backend = kind === "mysql" ? mysqlBackend({ shards: shardUrls(databases), ranges }) : memoryBackend({ shards: 5, ranges });
const kvetch = new Kvetch({ schema: moveSchema, backend });
if (kind === "mysql") await kvetch.migrate();
const model = await seedMoveStore(kvetch, items);
const ids = [...model.items.keys()];

type Window = "warm-up" | "before" | "during" | "after";
// The first window warms the JIT and is not reported.
let window: Window = "warm-up";
const latencies: Record<Window, number[]> = { "warm-up": [], before: [], during: [], after: [] };
let stop = false;

async function todoView(n: number): Promise<void> {
  const listId = model.lists[n % model.lists.length]!;
  const [pages] = await Promise.all([kvetch.getEdges("list_to_item", [listId], { first: 20 }), kvetch.getObjects([listId])]);
  await kvetch.getObjects(pages[0]!.edges.map((edge) => edge.toId));
}

async function client(c: number): Promise<void> {
  for (let n = c; !stop; n += clients) {
    const started = performance.now();
    if (n % 20 === 0) await kvetch.updateObject("TodoItem", ids[n % ids.length]!, { text: `bench ${n}` });
    else await todoView(n);
    latencies[window].push(performance.now() - started);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const running = Array.from({ length: clients }, (_, c) => client(c));
await sleep(WINDOW_MS);
window = "before";
await sleep(WINDOW_MS);
window = "during";
const moveStarted = performance.now();
const report = await kvetch.reshard({ batchSize });
const moveSeconds = (performance.now() - moveStarted) / 1000;
window = "after";
await sleep(WINDOW_MS);
stop = true;
await Promise.all(running);
await kvetch.close();
if (kind === "mysql") await dropDatabases(databases);

function percentile(values: number[], p: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? "-" : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2);
}

const rows: string[][] = [["window", "requests", "p50 ms", "p99 ms"]];
for (const name of ["before", "during", "after"] as const) {
  rows.push([name, String(latencies[name].length), percentile(latencies[name], 50), percentile(latencies[name], 99)]);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
console.log(`Bucket move, ${kind} backend: ${items} items, ${clients} clients, pages of ${batchSize} rows (95% todo views, 5% updates), ${report.moves.length} shard pairs`);
console.log(
  `moved ${report.moves.reduce((n, m) => n + m.buckets, 0)} buckets, ${report.rowsCopied} rows in ${moveSeconds.toFixed(2)} s: ` +
    `${Math.round(report.rowsCopied / moveSeconds)} rows moved/s (copy, catch-up, verify, switch and cleanup included)`,
);
for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
