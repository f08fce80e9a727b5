// Bench results: one JSON file per scenario (bench/results/<id>.json) and, from all of them, the generated
// bench/RESULTS.md, bench/results/chart.svg and the README's bench tables (between its bench-table markers).
// Renders what was measured and nothing else: a scenario graphscale lost says so, with the profile taken.

import { cpus, loadavg, platform, release } from "node:os";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { barChart } from "./svgChart.js";
import type { StoreCounts } from "./scenario.js";
import type { ProfileSummary } from "./profile.js";
import type { MemoryResult } from "./memory.js";
import type { LatencyResult } from "./scenarios/latency.js";
import { MEASURED_TABLE_IDS, loadAverageText, renderMeasuredTable, type MeasuredTable } from "./measuredTable.js";

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started: other processes on the machine add noise (± grows). */
  loadAverage: number;
  date: string;
  /** "bundle": the engine built as the package ships (esbuild via tsup); "source": run through tsx. */
  build: "bundle" | "source";
}

export function machineInfo(build: MachineInfo["build"]): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? "unknown CPU",
    cores: list.length,
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    date: new Date().toISOString(),
    build,
  };
}

export interface EngineResult {
  key: string;
  name: string;
  hz: number;
  rme: number;
  meanMs: number;
  samples: number;
  counts: StoreCounts | null;
  /** Over several processes: ops/s of each process (hz is their median), and their min and max. */
  runs?: number[];
  hzMin?: number;
  hzMax?: number;
}

export interface Comparison {
  engine: string;
  against: string;
  /** engine ops/s ÷ against ops/s (over several processes: of the medians) */
  ratio: number;
  /** Over several processes: the lowest and highest per-process ratio. */
  ratioMin?: number;
  ratioMax?: number;
  /**
   * Whether the two ± intervals overlap (the difference is within the margin of error); over several
   * processes, whether the two min–max ranges of ops/s overlap.
   */
  withinMargin: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** The row label in the table against graphql-js, graphql-jit and Grafast (CPU shapes only). */
  shape?: string;
  description: string;
  backend: string;
  machine: MachineInfo;
  timing: { maxTime: number; minSamples: number; warmup?: number; rounds: number };
  engines: EngineResult[];
  comparisons: Comparison[];
  /** Profiles taken because graphscale lost a comparison or won it only within the margin of error. */
  profiles: ProfileSummary[];
  /** How many separate processes measured it (absent: one). */
  processes?: number;
}

/** Compares engines' ops/s; a ratio below 1 is a loss for `engine`. */
export function compare(engines: readonly EngineResult[], engine: string, against: string): Comparison | null {
  const a = engines.find((e) => e.key === engine);
  const b = engines.find((e) => e.key === against);
  if (!a || !b) return null;
  const lowA = a.hz * (1 - a.rme / 100);
  const highA = a.hz * (1 + a.rme / 100);
  const lowB = b.hz * (1 - b.rme / 100);
  const highB = b.hz * (1 + b.rme / 100);
  return { engine, against, ratio: a.hz / b.hz, withinMargin: lowA <= highB && lowB <= highA };
}

/** Results files that are not timed scenarios: the memory and latency-depth results. */
const SPECIAL_RESULTS = new Set(["cold-start.json", "plan-import-cold.json", "plan-import-instructions.json", "tracing-processes.json", "tracing-processes-node24.json", "incremental.json", "deps-overhead.json", "memory.json", "latency-depth.json", "run.json", ...MEASURED_TABLE_IDS.map((id) => `${id}.json`)]);

export function readScenarioResults(resultsDir: string): ScenarioResult[] {
  let names: string[];
  try {
    names = readdirSync(resultsDir).filter((n) => n.endsWith(".json") && !SPECIAL_RESULTS.has(n));
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(join(resultsDir, n), "utf8")) as ScenarioResult);
}

function readOptional<T>(resultsDir: string, name: string): T | null {
  try {
    return JSON.parse(readFileSync(join(resultsDir, name), "utf8")) as T;
  } catch {
    return null;
  }
}

export const readMemoryResult = (resultsDir: string) => readOptional<MemoryResult>(resultsDir, "memory.json");
export const readLatencyResult = (resultsDir: string) => readOptional<LatencyResult>(resultsDir, "latency-depth.json");
/** Plan import, partial planning and batching (bench/measuredTable.ts), those that have a results file. */
export const readMeasuredTables = (resultsDir: string): MeasuredTable[] =>
  MEASURED_TABLE_IDS.map((id) => readOptional<MeasuredTable>(resultsDir, `${id}.json`)).filter((t): t is MeasuredTable => t !== null);

/** Scenario order in RESULTS.md: the CPU shapes against the peers, then store, latency, MySQL; otherwise by id. */
const ORDER = [
  "cpu-small-query",
  "cpu-many-resolvers",
  "cpu-nested-arrays",
  "cpu-wide-list",
  "cpu-nested-lists",
  "cpu-nested-lists-250",
  "cpu-batched-loading",
  "jit-fewResolvers",
  "jit-manyResolvers",
  "jit-nestedArrays",
  "planning",
  "todo",
  "todo-heavy",
  "todo-latency",
  "todo-heavy-latency",
  "todo-mysql",
  "todo-heavy-mysql",
];

function orderOf(id: string): number {
  const at = ORDER.indexOf(id);
  return at < 0 ? ORDER.length : at;
}

function sortResults(results: readonly ScenarioResult[]): ScenarioResult[] {
  return [...results].sort((a, b) => orderOf(a.id) - orderOf(b.id) || a.id.localeCompare(b.id));
}

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const fmtHz = (n: number) => (n >= 100 ? fmtInt(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const fmtMs = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n >= 1 ? n.toFixed(2) : n.toFixed(3));
const fmtRatio = (n: number) => (n >= 10 ? n.toFixed(1) : n.toFixed(2));
const fmtMB = (bytes: number) => (bytes / 1e6).toFixed(1);

/** "1,247 (1,201–1,290)": the median ops/s and, over several processes, their min–max. */
function hzCell(e: EngineResult | undefined): string {
  if (!e) return "—";
  return e.hzMin !== undefined && e.hzMax !== undefined && (e.runs?.length ?? 1) > 1 ? `${fmtHz(e.hz)} (${fmtHz(e.hzMin)}–${fmtHz(e.hzMax)})` : fmtHz(e.hz);
}

/** "1.26× (1.20–1.31)": the ratio (over several processes, the median of the per-process ratios) and their min–max. */
function ratioCell(c: Comparison | undefined): string {
  if (!c) return "—";
  return c.ratioMin !== undefined && c.ratioMax !== undefined ? `${fmtRatio(c.ratio)}× (${fmtRatio(c.ratioMin)}–${fmtRatio(c.ratioMax)})` : `${fmtRatio(c.ratio)}×`;
}

function verdict(c: Comparison, engines: readonly EngineResult[]): string {
  const name = (key: string) => engines.find((e) => e.key === key)?.name ?? key;
  const spread = c.ratioMin !== undefined && c.ratioMax !== undefined ? ` (per process ${fmtRatio(c.ratioMin)}–${fmtRatio(c.ratioMax)}×)` : "";
  const ratio = `${c.ratio.toFixed(2)}× the ops/s${spread}`;
  if (c.withinMargin) {
    return `**${name(c.engine)} ${c.ratio >= 1 ? "ahead of" : "behind"}** ${name(c.against)}: ${ratio}, within the margin of error (not a clear ${c.ratio >= 1 ? "win" : "loss"}).`;
  }
  return `**${name(c.engine)} ${c.ratio >= 1 ? "wins" : "loses"}** against ${name(c.against)}: ${ratio}.`;
}

export function renderScenario(result: ScenarioResult, heading = "##"): string {
  const lines: string[] = [];
  lines.push(`${heading} ${result.title}`, "");
  lines.push(result.description, "");
  const processes = result.processes ?? 1;
  const measured = processes > 1 ? `Medians of ${processes} processes, measured` : "Measured";
  lines.push(`Backend: ${result.backend}. ${measured} ${result.machine.date.slice(0, 16).replace("T", " ")} UTC, load average ${processes > 1 ? "up to " : ""}${result.machine.loadAverage}.`, "");
  const hasCounts = result.engines.some((e) => e.counts !== null);
  const base = result.engines[0]!;
  const head = ["Engine", "ops/s"];
  if (processes > 1) head.push("min–max");
  head.push("±", "ms/request");
  if (hasCounts) head.push("store calls", "round trips", "rows fetched");
  head.push(`vs ${base.name}`);
  lines.push(`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
  for (const e of result.engines) {
    const row = [e.name, fmtHz(e.hz)];
    if (processes > 1) row.push(e.hzMin !== undefined && e.hzMax !== undefined ? `${fmtHz(e.hzMin)}–${fmtHz(e.hzMax)}` : "—");
    row.push(`±${e.rme.toFixed(1)}%`, fmtMs(e.meanMs));
    if (hasCounts) row.push(e.counts ? fmtInt(e.counts.storeCalls) : "—", e.counts ? fmtInt(e.counts.roundTrips) : "—", e.counts ? fmtInt(e.counts.rowsFetched) : "—");
    row.push(e === base ? "1.00×" : `${(e.hz / base.hz).toFixed(2)}×`);
    lines.push(`| ${row.join(" | ")} |`);
  }
  lines.push("");
  for (const c of result.comparisons) lines.push(`- ${verdict(c, result.engines)}`);
  if (result.comparisons.length > 0) lines.push("");
  for (const p of result.profiles) {
    lines.push(`<details><summary>CPU profile of ${p.engine}: ${fmtInt(p.requests)} requests, ${fmtInt(p.sampledMs)} ms sampled</summary>`, "");
    lines.push(`Self time by area: ${Object.entries(p.byArea).map(([area, ms]) => `${area} ${ms} ms`).join(", ")}.`, "");
    lines.push("| Top self time in graphscale (src/engine, steps) | ms | % |", "|---|---:|---:|");
    for (const s of p.topInGraphscale) lines.push(`| \`${s.where}\` | ${s.selfMs} | ${s.percent} |`);
    lines.push("", "| Top self time overall | ms | % |", "|---|---:|---:|");
    for (const s of p.topOverall) lines.push(`| \`${s.where}\` | ${s.selfMs} | ${s.percent} |`);
    lines.push("", "</details>", "");
  }
  return lines.join("\n");
}

/** The headline table: one row per scenario, ops/s per engine key. */
export function renderSummary(results: readonly ScenarioResult[]): string {
  const columns: Array<{ key: string; title: string }> = [
    { key: "graphscale", title: "graphscale (plans)" },
    { key: "graphscale-resolvers", title: "graphscale (resolver emulation)" },
    { key: "graphql-js+dataloader", title: "graphql-js + DataLoader" },
    { key: "graphql-js", title: "graphql-js (resolvers)" },
    { key: "graphql-jit", title: "graphql-jit" },
    { key: "grafast", title: "Grafast" },
  ].filter((c) => results.some((r) => r.engines.some((e) => e.key === c.key)) || c.key === "graphscale");
  const lines = [
    `| Scenario | ${columns.map((c) => c.title).join(" | ")} | store calls (plans / DataLoader / resolvers) | round trips (plans / DataLoader / resolvers) |`,
    `|---|${columns.map(() => "---:").join("|")}|---:|---:|`,
  ];
  for (const r of sortResults(results)) {
    const cells = columns.map((c) => {
      const e = r.engines.find((x) => x.key === c.key);
      return e ? `${fmtHz(e.hz)} ±${e.rme.toFixed(0)}%` : "—";
    });
    const counted = (pick: (c: StoreCounts) => number): string => {
      const values = ["graphscale", "graphql-js+dataloader", "graphql-js"].map((k) => r.engines.find((e) => e.key === k)?.counts);
      return values.every((v) => v != null) ? values.map((v) => fmtInt(pick(v!))).join(" / ") : "—";
    };
    lines.push(`| [${r.title}](#${anchorOf(r.title)}) | ${cells.join(" | ")} | ${counted((c) => c.storeCalls)} | ${counted((c) => c.roundTrips)} |`);
  }
  return lines.join("\n");
}

/** Engine names by key as the results call them ("graphql-jit 0.8.9"), for column headings. */
function engineName(results: readonly ScenarioResult[], key: string, fallback: string): string {
  for (const r of results) for (const e of r.engines) if (e.key === key) return e.name;
  return fallback;
}

/**
 * The CPU shapes against the engines users pick instead: median ops/s (min–max over processes) per
 * engine, and graphscale (plans) ops/s ÷ each peer's. In RESULTS.md and, verbatim, in the README.
 */
export function renderPeerTable(results: readonly ScenarioResult[]): string {
  const shapes = sortResults(results).filter((r) => r.shape !== undefined);
  const peers = [
    { key: "graphql-js", name: "graphql-js" },
    { key: "graphql-jit", name: engineName(shapes, "graphql-jit", "graphql-jit") },
    { key: "grafast", name: engineName(shapes, "grafast", "Grafast") },
  ];
  const head = ["Shape (ops/s, median (min–max))", "graphscale (plans)", ...peers.map((p) => p.name), ...peers.map((p) => `÷ ${p.name}`)];
  const lines = [`| ${head.join(" | ")} |`, `|---|${head.slice(1).map(() => "---:").join("|")}|`];
  for (const r of shapes) {
    const cells = [r.shape!, hzCell(r.engines.find((e) => e.key === "graphscale"))];
    for (const p of peers) cells.push(hzCell(r.engines.find((e) => e.key === p.key)));
    for (const p of peers) cells.push(ratioCell(r.comparisons.find((c) => c.engine === "graphscale" && c.against === p.key)));
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** The Kvetch todo views: ops/s per engine and store calls per request (plans / DataLoader / resolvers). */
export function renderStoreTable(results: readonly ScenarioResult[]): string {
  const rows = sortResults(results).filter((r) => r.id.startsWith("todo"));
  const head = ["Scenario (ops/s, median (min–max))", "graphscale (plans)", "graphql-js + DataLoader", "graphql-js (resolvers)", "store calls (plans / DataLoader / resolvers)"];
  const lines = [`| ${head.join(" | ")} |`, `|---|${head.slice(1).map(() => "---:").join("|")}|`];
  for (const r of rows) {
    const counts = ["graphscale", "graphql-js+dataloader", "graphql-js"].map((k) => r.engines.find((e) => e.key === k)?.counts);
    const calls = counts.every((c) => c != null) ? counts.map((c) => fmtInt(c!.storeCalls)).join(" / ") : "—";
    const cells = [r.title, ...["graphscale", "graphql-js+dataloader", "graphql-js"].map((k) => hzCell(r.engines.find((e) => e.key === k))), calls];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Extra heap and retained result per engine, MB and × the JSON size. */
export function renderMemoryTable(memory: MemoryResult): string {
  const range = (runs: number[] | undefined) => (runs && runs.length > 1 ? ` (${fmtMB(Math.min(...runs))}–${fmtMB(Math.max(...runs))})` : "");
  const head = [`Engine (${memory.objects.toLocaleString("en-US")} objects, JSON ${fmtMB(memory.jsonBytes)} MB)`, "extra heap during execute, MB", "÷ JSON size", "retained result, MB", "÷ JSON size", "GCs during execute"];
  const lines = [`| ${head.join(" | ")} |`, `|---|${head.slice(1).map(() => "---:").join("|")}|`];
  for (const e of memory.engines) {
    lines.push(
      `| ${[e.name, `${fmtMB(e.extraHeap)}${range(e.extraHeapRuns)}`, `${(e.extraHeap / memory.jsonBytes).toFixed(1)}×`, `${fmtMB(e.retained)}${range(e.retainedRuns)}`, `${(e.retained / memory.jsonBytes).toFixed(1)}×`, String(e.gcs)].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

/** ms/request at a fixed latency per round trip, and ÷ that latency: how many round trips deep a request is. */
export function renderLatencyTable(latency: LatencyResult): string {
  const head = ["Engine, view (4 shards)", `ms/request at ${latency.latencyMs} ms per round trip, median (min–max)`, `÷ ${latency.latencyMs} ms: dependent round trips`, "store calls", "shard round trips"];
  const lines = [`| ${head.join(" | ")} |`, `|---|${head.slice(1).map(() => "---:").join("|")}|`];
  for (const e of latency.engines) {
    lines.push(
      `| ${[e.name, `${e.msPerRequest.toFixed(1)} (${e.msMin.toFixed(1)}–${e.msMax.toFixed(1)})`, e.depth.toFixed(2), e.counts ? fmtInt(e.counts.storeCalls) : "—", e.counts ? fmtInt(e.counts.roundTrips) : "—"].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

function anchorOf(title: string): string {
  return title.toLowerCase().replace(/[^\p{L}\p{N} -]/gu, "").replace(/ /g, "-");
}

export function renderChart(results: readonly ScenarioResult[]): string {
  return barChart(
    sortResults(results).map((r) => ({
      title: r.title,
      bars: r.engines.map((e) => ({ key: e.key, label: e.name, value: e.hz, text: `${fmtHz(e.hz)} ops/s ±${e.rme.toFixed(1)}%` })),
    })),
    "graphscale bench: ops/s per engine (longer is better; bars scaled per scenario)",
  );
}

const utcMinute = (iso: string) => iso.slice(0, 16).replace("T", " ");

/**
 * The README's generated bench section: the peer table, the store table, memory and latency — the same
 * tables as RESULTS.md, which test/bench/readmeTable.test.ts checks.
 */
export function renderReadmeTables(results: readonly ScenarioResult[], memory: MemoryResult | null, latency: LatencyResult | null, current: MachineInfo, loadAverages: readonly number[] = [current.loadAverage]): string {
  const sorted = sortResults(results);
  const processes = Math.max(1, ...sorted.map((r) => r.processes ?? 1));
  const lines: string[] = [];
  lines.push(
    `<!-- generated by \`npm run bench\` from bench/results (the same tables as bench/RESULTS.md); do not edit by hand -->`,
    "",
    `Medians of ${processes} separate Node processes with their min–max, ${utcMinute(current.date)} UTC on ${current.cpu} (${current.cores} cores), Node ${current.node}, ${loadAverageText(loadAverages)}. ` +
      "Ratios are graphscale (plans) ops/s ÷ the other engine's, the median of the per-process ratios (each process times both, alternating), with their min–max in brackets; every engine's JSON is checked equal before anything is timed.",
    "",
    renderPeerTable(sorted),
    "",
    renderStoreTable(sorted),
    "",
  );
  const older = sorted.filter((r) => r.id.startsWith("todo") && r.machine.date.slice(0, 10) !== current.date.slice(0, 10));
  if (older.length > 0) {
    lines.push(`Rows from an earlier run: ${older.map((r) => `${r.title} (${r.machine.date.slice(0, 10)}, ${r.processes ?? 1} process${(r.processes ?? 1) > 1 ? "es" : ""})`).join("; ")}.`, "");
  }
  if (memory) lines.push(renderMemoryTable(memory), "");
  if (latency) lines.push(renderLatencyTable(latency), "");
  return lines.join("\n").trimEnd();
}

export const README_START = "<!-- bench-table:start -->";
export const README_END = "<!-- bench-table:end -->";

/** The README with its bench-table region replaced by `tables`; throws when the markers are missing. */
export function replaceReadmeRegion(readme: string, tables: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} region for the bench tables`);
  return `${readme.slice(0, start + README_START.length)}\n${tables}\n${readme.slice(end)}`;
}

export interface ReportRun {
  machine: MachineInfo;
  /** 1-minute load average at the start of each bench process. */
  loadAverages: number[];
  processes: number;
  rounds: number;
}

/**
 * The run the report's header names: `run` when it timed benchmark.js scenarios (saved as run.json), else
 * (a run of measured tables only, e.g. `--only=batching`, whose tables carry their own machine) the last
 * run that timed them, so the header never pairs older tables with this machine.
 */
export function headerRun(resultsDir: string, run: ReportRun, timedScenarios: boolean): ReportRun {
  const file = join(resultsDir, "run.json");
  if (timedScenarios) {
    writeFileSync(file, JSON.stringify(run, null, 2) + "\n");
    return run;
  }
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ReportRun) : run;
}

const benchDir = fileURLToPath(new URL(".", import.meta.url));

/**
 * The hand-written text of the bench report: bench/notes/<section id>.md, each put right after the section
 * of that id (a measured table's id, "memory" or "latency-depth"), or — for a section measured by a bench of
 * its own, whose note carries its own heading — at that id's place in MEASURED_TABLE_IDS, then any other
 * note at the end. So a regenerated RESULTS.md keeps what was written beside the numbers.
 */
export function readNotes(dir: string): Map<string, string> {
  const notes = new Map<string, string>();
  if (!existsSync(dir)) return notes;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".md")).sort()) notes.set(file.slice(0, -3), readFileSync(join(dir, file), "utf8").trim());
  return notes;
}

/** Writes RESULTS.md and results/chart.svg from every results file in `resultsDir`; returns the README tables. */
export function writeReport(outDir: string, resultsDir: string, run: ReportRun, notesDir = join(benchDir, "notes")): string {
  const current = run.machine;
  const results = sortResults(readScenarioResults(resultsDir));
  const memory = readMemoryResult(resultsDir);
  const latency = readLatencyResult(resultsDir);
  writeFileSync(join(resultsDir, "chart.svg"), renderChart(results));
  const warmup = results.find((r) => r.processes !== undefined)?.timing.warmup ?? 0;
  const losses = results.flatMap((r) => r.comparisons.filter((c) => c.ratio < 1 || c.withinMargin).map((c) => ({ r, c })));
  const lines: string[] = [];
  lines.push("# graphscale bench results", "");
  lines.push(
    `Generated by \`npm run bench\` (\`bench/run.ts\`); do not edit by hand. Last run: ${utcMinute(current.date)} UTC on ${current.cpu} (${current.cores} cores), Node ${current.node}, ${current.os}; ${loadAverageText(run.loadAverages)} (other work on the machine slows some processes down: see the min–max ranges).`,
    "",
  );
  lines.push(
    current.build === "bundle"
      ? "The engine is measured as the package ships it: the bench is bundled with tsup (esbuild, no `keepNames`) and run by plain Node. graphql-js, graphql-jit, Grafast and DataLoader run from node_modules as published (Grafast in production mode, with a `Promise.withResolvers` polyfill on Node 20)."
      : "This run used `--source`: the engine ran through tsx, whose `keepNames` transform adds a `defineProperty` per closure created at run time; numbers are lower than the shipped build's.",
    "",
  );
  lines.push(
    "Every scenario first runs each engine once and checks the results are deep-equal (as JSON) and error-free; a mismatch aborts the scenario before anything is timed. " +
      "Store calls, round trips and rows are counted (`kvetch.counters`) on a second request right after the checked one, so caches are warm as in steady state. " +
      `The whole bench runs in ${run.processes} separate Node processes, one after another; in each, every engine gets ${warmup} s of untimed requests and is then timed with benchmark.js in ${run.rounds} round${run.rounds > 1 ? "s" : ""} (engines alternating, each process starting with a different engine${run.rounds > 1 ? ", fastest round kept" : ""}). ` +
      "Reported: the median ops/s over the processes with min–max; ratios are the median of the per-process ratios (each process times both engines, alternating, so a change in the machine's speed between processes cancels out), with their min–max; ± is benchmark.js's relative margin of error at 95% (median over processes); ms/request is 1000 ÷ the median ops/s, requests one at a time. " +
      "A comparison counts as within the margin of error when the two engines' min–max ranges overlap.",
    "",
  );
  lines.push("![ops/s per engine](results/chart.svg)", "");
  lines.push("## Against graphql-js, graphql-jit and Grafast", "");
  lines.push("CPU shapes, in memory, no store; graphscale's plans against the engines users pick instead. Each shape's code is written once per engine family (plans for graphscale and Grafast, resolvers for graphql-js and graphql-jit); details under each scenario below.", "");
  lines.push(renderPeerTable(results), "");
  lines.push("## The Kvetch todo views", "", renderStoreTable(results), "");
  const notes = readNotes(notesDir);
  const noteFor = (id: string) => {
    const text = notes.get(id);
    notes.delete(id);
    if (text !== undefined) lines.push(text, "");
  };
  if (memory) {
    lines.push(`## ${memory.title}`, "", memory.description, "", renderMemoryTable(memory), "");
  }
  noteFor("memory");
  if (latency) {
    lines.push(`## ${latency.title}`, "", latency.description, "", renderLatencyTable(latency), "");
  }
  noteFor("latency-depth");
  const measured = new Map(readMeasuredTables(resultsDir).map((t) => [t.id, t]));
  for (const id of MEASURED_TABLE_IDS) {
    const table = measured.get(id);
    if (table) lines.push(renderMeasuredTable(table));
    noteFor(id);
  }
  // Measured by a bench of their own, each setting in its own processes (bench/tracingProcesses.ts).
  for (const id of ["tracing-processes", "tracing-processes-node24"]) {
    const table = readOptional<MeasuredTable>(resultsDir, `${id}.json`);
    if (table) lines.push(renderMeasuredTable(table));
    noteFor(id);
  }
  for (const id of notes.keys()) noteFor(id);
  lines.push("## Summary", "", renderSummary(results), "");
  if (losses.length > 0) {
    lines.push("### Where graphscale is behind or not clearly ahead", "");
    for (const { r, c } of losses) lines.push(`- ${r.title}: ${verdict(c, r.engines)} ${r.profiles.length > 0 ? "Profile below, under the scenario." : ""}`);
    lines.push("");
  } else {
    lines.push("graphscale is clearly ahead (outside the margin of error) in every comparison of this run.", "");
  }
  for (const r of results) lines.push(renderScenario(r));
  writeFileSync(join(outDir, "RESULTS.md"), lines.join("\n").replace(/\n{3,}/g, "\n\n"));
  return renderReadmeTables(results, memory, latency, current, run.loadAverages);
}
