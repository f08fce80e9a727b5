// Live queries at scale across two OS processes on 4 MySQL shards + Redis (bench/liveScaleMysqlHarness.ts):
// N live board views (the todo view: a user → 5 lists → 5 items, one view per user) in this process; a
// forked writer process writes W item texts a second for S seconds (each item once, each text stamped with
// the wall clock), and each write reaches this process only through its Redis announcement. Reports
// write → update p50/p99 (writer's stamp → this process receiving the result showing it), updates shown
// per second, heap and RSS growth per live query after GC (with the N views held against before they were
// subscribed), this process's CPU over the writes, store calls per write, missed updates (writes never shown,
// plus views whose last result differs from a fresh execute on a store without a cache) and duplicates.
// Run by `npm run bench` in a process of its own (bench/run.ts), which writes
// bench/results/live-scale-mysql.json and its section of bench/RESULTS.md; alone:
// `npx tsx --expose-gc bench/liveScaleMysql.ts [--n=1000,10000] [--rate=100] [--seconds=60] [--results=<dir>]
// [--profile=<path prefix>] [--retain=<live.retainEntries>]` (--profile writes a CPU profile of the live process
// over each N's writes; --retain=0 keeps only keys, RetainLiveState).
// Skipped with a message when MySQL or Redis is not reachable.

import { cpus, loadavg } from "node:os";
import { getHeapSpaceStatistics } from "node:v8";
import { LiveScaleMysql, settledMemory } from "./liveScaleMysqlHarness.js";
import { percentile } from "./liveLatency.js";
import { publishTable, type MeasuredTable } from "./measuredTable.js";
import { MYSQL, reachable } from "./servers.js";

export interface LiveScaleMysqlRow {
  n: number;
  p50: number;
  p99: number;
  max: number;
  /** p50/p99 from when the write's call returned in the writer. */
  commitP50: number;
  commitP99: number;
  /** p50/p99 from when this process heard the write's announcement (the live process's own share). */
  heardP50: number;
  heardP99: number;
  updatesPerSecond: number;
  heapPerQuery: number;
  /** RSS growth after full GCs giving free heap pages back (settledMemory); rssForcedPerQuery after the forced GCs alone. */
  rssPerQuery: number;
  rssForcedPerQuery: number;
  /** RSS growth after last-resort GCs repeated until the RSS stops falling (settledMemory). */
  rssCompactedPerQuery: number;
  /** This process's CPU over the writes, in % of one core. */
  cpuPercent: number;
  storeCallsPerWrite: number;
  writes: number;
  /** Writes that failed in the writer (not expected to show). */
  failedWrites: number;
  missed: number;
  mismatched: number;
  duplicates: number;
  lateStarts: number;
  fullRuns: number;
  /** Views whose first result had errors. */
  firstErrors: number;
  /** Seconds to seed and to subscribe (their first results all sent). */
  seedSeconds: number;
  subscribeSeconds: number;
}

/** One N: the views subscribed, W writes/s for S seconds from the writer process, then the final check. */
export async function liveScaleMysqlRow(n: number, rate: number, seconds: number, log = (line: string) => console.log(line), profile?: string, retainEntries?: number): Promise<LiveScaleMysqlRow> {
  const t0 = performance.now();
  const scale = await LiveScaleMysql.open({ name: "livescale", users: n });
  try {
    const seeded = performance.now();
    log(`live-scale-mysql: N=${n}: seeded ${n * 31} objects in ${((seeded - t0) / 1000).toFixed(0)} s`);
    const before = await settledMemory();
    const spacesBefore = getHeapSpaceStatistics();
    const users = Array.from({ length: n }, (_, i) => i);
    await scale.subscribe(users, retainEntries === undefined ? {} : { retainEntries });
    const held = await settledMemory();
    const spaces = getHeapSpaceStatistics().map((space) => {
      const was = spacesBefore.find((b) => b.space_name === space.space_name);
      return `${space.space_name} ${((space.space_used_size - (was?.space_used_size ?? 0)) / n).toFixed(0)}/${((space.space_size - (was?.space_size ?? 0)) / n).toFixed(0)}`;
    });
    log(`live-scale-mysql: N=${n}: per live query, heap spaces used/committed (B): ${spaces.join(", ")}`);
    const per = (a: number, b: number) => ((b - a) / n).toFixed(0);
    log(
      `live-scale-mysql: N=${n}: per live query after GC: heap used ${held.heap === null || before.heap === null ? "?" : per(before.heap, held.heap)} B, ` +
        `heap committed ${per(before.heapTotal, held.heapTotal)} B, outside the heap ${per(before.external, held.external)} B, ` +
        `RSS ${per(before.rss, held.rss)} B (${per(before.rssForced, held.rssForced)} B after the forced GCs alone, ` +
        `${per(before.rssCompacted, held.rssCompacted)} B after last-resort GCs until it stops falling)`,
    );
    const subscribed = performance.now();
    log(`live-scale-mysql: N=${n}: ${n} live views sent their first result in ${((subscribed - seeded) / 1000).toFixed(0)} s; writing ${rate}/s for ${seconds} s`);
    const waves = await scale.writes(scale.itemsOf(users), rate, seconds, 60_000, log, profile === undefined ? undefined : `${profile}-${n}.cpuprofile`);
    const pct = (xs: number[], p: number) => (xs.length === 0 ? Number.NaN : percentile(xs, p).toFixed(0));
    log(`live-scale-mysql: N=${n}: heard → shown p50 ${pct(waves.afterHeard, 50)} ms p99 ${pct(waves.afterHeard, 99)} ms; full runs by reason ${JSON.stringify(waves.fullRunReasons)}`);
    const mismatched = await scale.mismatches();
    // What stays once the views end (the store's bounded key tables, the heap's pages): a diagnostic beside
    // the figure above, which is taken with the views held and stays the measure.
    await scale.unsubscribe();
    const ended = await settledMemory();
    log(
      `live-scale-mysql: N=${n}: per live query once they ended, against before they were subscribed: heap used ${ended.heap === null || before.heap === null ? "?" : per(before.heap, ended.heap)} B, ` +
        `heap committed ${per(before.heapTotal, ended.heapTotal)} B, outside the heap ${per(before.external, ended.external)} B, RSS ${per(before.rss, ended.rss)} B`,
    );
    const row: LiveScaleMysqlRow = {
      n,
      p50: waves.latencies.length === 0 ? Number.NaN : percentile(waves.latencies, 50),
      p99: waves.latencies.length === 0 ? Number.NaN : percentile(waves.latencies, 99),
      max: waves.latencies.length === 0 ? Number.NaN : Math.max(...waves.latencies),
      commitP50: waves.afterCommit.length === 0 ? Number.NaN : percentile(waves.afterCommit, 50),
      commitP99: waves.afterCommit.length === 0 ? Number.NaN : percentile(waves.afterCommit, 99),
      heardP50: waves.afterHeard.length === 0 ? Number.NaN : percentile(waves.afterHeard, 50),
      heardP99: waves.afterHeard.length === 0 ? Number.NaN : percentile(waves.afterHeard, 99),
      updatesPerSecond: waves.shown / waves.seconds,
      heapPerQuery: held.heap === null || before.heap === null ? Number.NaN : (held.heap - before.heap) / n,
      rssPerQuery: (held.rss - before.rss) / n,
      rssForcedPerQuery: (held.rssForced - before.rssForced) / n,
      rssCompactedPerQuery: (held.rssCompacted - before.rssCompacted) / n,
      cpuPercent: (100 * waves.cpuSeconds) / waves.seconds,
      storeCallsPerWrite: waves.storeCalls / waves.writes,
      writes: waves.writes,
      failedWrites: waves.failedWrites,
      missed: waves.writes - waves.failedWrites - waves.shown,
      mismatched,
      duplicates: waves.duplicates,
      lateStarts: waves.lateStarts,
      fullRuns: waves.runs.full,
      firstErrors: scale.firstErrors,
      seedSeconds: (seeded - t0) / 1000,
      subscribeSeconds: (subscribed - seeded) / 1000,
    };
    if (waves.failedWrites > 0) log(`live-scale-mysql: N=${n}: ${waves.failedWrites} writes failed`);
    log(`live-scale-mysql: N=${n}: ${JSON.stringify(row)}`);
    return row;
  } finally {
    await scale.close();
  }
}

export async function runLiveScaleMysqlScenario(options: { sizes?: number[]; rate?: number; seconds?: number; profile?: string; retainEntries?: number } = {}): Promise<MeasuredTable | null> {
  if (!(await reachable(MYSQL.host, MYSQL.port)) || !(await reachable("127.0.0.1", 6379))) {
    console.log("live-scale-mysql: SKIPPED — MySQL (127.0.0.1:3306) or Redis (127.0.0.1:6379) is not reachable; `npm run services` starts them");
    return null;
  }
  const sizes = options.sizes ?? [1000, 10000];
  const rate = options.rate ?? 100;
  const seconds = options.seconds ?? 60;
  const loads: number[] = [];
  const rows = [];
  for (const n of sizes) {
    loads.push(Math.round(loadavg()[0]! * 100) / 100);
    const r = await liveScaleMysqlRow(n, rate, seconds, undefined, options.profile, options.retainEntries);
    loads.push(Math.round(loadavg()[0]! * 100) / 100);
    rows.push({
      label: `${n.toLocaleString("en")} live board views`,
      values: [r.p50, r.p99, r.commitP50, r.commitP99, r.heardP50, r.heardP99, r.updatesPerSecond, r.heapPerQuery, r.rssPerQuery, r.cpuPercent, r.storeCallsPerWrite, r.failedWrites, r.missed + r.mismatched, r.duplicates],
    });
  }
  const cpu = cpus();
  return {
    id: "live-scale-mysql",
    title: "Live queries at scale: two processes, 4 MySQL shards + Redis",
    description:
      "N live board views in one process (the todo view: a user → 5 lists → 5 items, one view per user), " +
      `${rate} writes a second for ${seconds} s from a second OS process (an item's text, each item once) on the same 4 MySQL shard ` +
      "databases and Redis; each write reaches the live process only through its Redis announcement. Milliseconds from the " +
      "writer's stamp right before the write until the live process received the result showing it (one machine's clock), " +
      "updates shown per second, heap and RSS growth per live query after full GCs (the N views held, against before they " +
      "were subscribed), the live process's CPU over the writes (% of one core), its store calls per write, missed updates " +
      "(writes never shown, plus views whose last result differs from a fresh execute on a store without a cache) and " +
      "duplicates (a result equal to the one before, or a write shown again). One process per N, run one after the other.",
    rowHeading: "Live queries",
    columns: [
      { title: "p50 (ms)", format: "ms" },
      { title: "p99 (ms)", format: "ms" },
      { title: "from commit p50 (ms)", format: "ms" },
      { title: "from commit p99 (ms)", format: "ms" },
      { title: "from heard p50 (ms)", format: "ms" },
      { title: "from heard p99 (ms)", format: "ms" },
      { title: "updates/s", format: "rate" },
      { title: "heap per live query", format: "bytes" },
      { title: "RSS per live query", format: "bytes" },
      { title: "CPU (% of a core)", format: "count" },
      { title: "store calls per write", format: "perRequest" },
      { title: "writes failed", format: "count" },
      { title: "missed", format: "count" },
      { title: "duplicates", format: "count" },
    ],
    rows,
    notes: [
      "A write reaches only the live view it touches (RouteInvalidation): one subtree re-run of 2 store calls (item edges, items); writes heard in one turn share them (MultiplexReruns).",
      "\"From commit\" starts when the write's call returned in the writer (its shard commit and Redis invalidation round trip done; the announcement is published in that round trip, so it can be negative): what the live path adds after the write itself.",
      "\"From heard\" starts when the live process's own listener heard the write's announcement: the live process's share (routing, the re-run's store calls, the send).",
      "The writer and MySQL share the machine's cores with the live process (and, on a shared machine, with other work): the latency includes theirs.",
      "Missed counts writes the writer made that no view showed, plus views whose last result differs from a fresh execute; writes that failed in the writer (a loaded MySQL refusing or timing out connections) are counted apart and not expected to show.",
    ],
    date: new Date().toISOString(),
    machine: { cpu: cpu[0]?.model ?? "unknown", cores: cpu.length, node: process.version, loadAverages: loads },
  };
}

if (process.argv[1]?.endsWith("liveScaleMysql.ts")) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const quick = process.argv.includes("--quick");
  const numbers = (name: string) => arg(name)?.split(",").map(Number);
  const table = await runLiveScaleMysqlScenario({
    sizes: numbers("n") ?? (quick ? [100] : undefined),
    rate: numbers("rate")?.[0] ?? (quick ? 20 : undefined),
    seconds: numbers("seconds")?.[0] ?? (quick ? 3 : undefined),
    profile: arg("profile"),
    retainEntries: numbers("retain")?.[0],
  });
  if (table !== null) publishTable(table, { resultsDir: arg("results") });
}
