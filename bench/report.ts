// Bench results: one JSON file per scenario (bench/results/<id>.json) and, from all of them, the generated
// bench/RESULTS.md and bench/results/chart.svg. Renders what was measured and nothing else: a scenario
// graphscale lost says so, with the profile that was taken.

import { cpus, loadavg, platform, release } from "node:os";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { barChart } from "./svgChart.js";
import type { StoreCounts } from "./scenario.js";
import type { ProfileSummary } from "./profile.js";

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
}

export interface Comparison {
  engine: string;
  against: string;
  /** engine ops/s ÷ against ops/s */
  ratio: number;
  /** Whether the two ± intervals overlap (the difference is within the margin of error). */
  withinMargin: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  description: string;
  backend: string;
  machine: MachineInfo;
  timing: { maxTime: number; minSamples: number; rounds: number };
  engines: EngineResult[];
  comparisons: Comparison[];
  /** Profiles taken because graphscale lost a comparison or won it only within the margin of error. */
  profiles: ProfileSummary[];
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

export function writeScenarioResult(resultsDir: string, result: ScenarioResult): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${result.id}.json`), JSON.stringify(result, null, 2) + "\n");
}

export function readScenarioResults(resultsDir: string): ScenarioResult[] {
  let names: string[];
  try {
    names = readdirSync(resultsDir).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(join(resultsDir, n), "utf8")) as ScenarioResult);
}

/** Scenario order in RESULTS.md: store, latency, MySQL, CPU, planning; otherwise by id. */
function orderOf(id: string): number {
  const order = ["todo", "todo-heavy", "todo-latency", "todo-heavy-latency", "todo-mysql", "todo-heavy-mysql", "cpu-wide-list", "cpu-nested-lists", "planning"];
  const at = order.indexOf(id);
  return at < 0 ? order.length : at;
}

function sortResults(results: readonly ScenarioResult[]): ScenarioResult[] {
  return [...results].sort((a, b) => orderOf(a.id) - orderOf(b.id) || a.id.localeCompare(b.id));
}

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const fmtHz = (n: number) => (n >= 100 ? fmtInt(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const fmtMs = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n >= 1 ? n.toFixed(2) : n.toFixed(3));

function verdict(c: Comparison, engines: readonly EngineResult[]): string {
  const name = (key: string) => engines.find((e) => e.key === key)?.name ?? key;
  const ratio = `${c.ratio.toFixed(2)}× the ops/s`;
  if (c.withinMargin) {
    return `**${name(c.engine)} ${c.ratio >= 1 ? "ahead of" : "behind"}** ${name(c.against)}: ${ratio}, within the margin of error (not a clear ${c.ratio >= 1 ? "win" : "loss"}).`;
  }
  return `**${name(c.engine)} ${c.ratio >= 1 ? "wins" : "loses"}** against ${name(c.against)}: ${ratio}.`;
}

export function renderScenario(result: ScenarioResult, heading = "##"): string {
  const lines: string[] = [];
  lines.push(`${heading} ${result.title}`, "");
  lines.push(result.description, "");
  lines.push(`Backend: ${result.backend}. Measured ${result.machine.date.slice(0, 16).replace("T", " ")} UTC, load average ${result.machine.loadAverage}.`, "");
  const hasCounts = result.engines.some((e) => e.counts !== null);
  const base = result.engines[0]!;
  const head = ["Engine", "ops/s", "±", "ms/request"];
  if (hasCounts) head.push("store calls", "round trips", "rows fetched");
  head.push(`vs ${base.name}`);
  lines.push(`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
  for (const e of result.engines) {
    const row = [e.name, fmtHz(e.hz), `±${e.rme.toFixed(1)}%`, fmtMs(e.meanMs)];
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
  ];
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

/** Writes RESULTS.md and results/chart.svg from every results file in `resultsDir`. */
export function writeReport(benchDir: string, resultsDir: string, current: MachineInfo, rounds: number): void {
  const results = sortResults(readScenarioResults(resultsDir));
  writeFileSync(join(resultsDir, "chart.svg"), renderChart(results));
  const losses = results.flatMap((r) => r.comparisons.filter((c) => c.ratio < 1 || c.withinMargin).map((c) => ({ r, c })));
  const lines: string[] = [];
  lines.push("# graphscale bench results", "");
  lines.push(
    `Generated by \`npm run bench\` (\`bench/run.ts\`); do not edit by hand. Last run: ${current.date.slice(0, 16).replace("T", " ")} UTC on ${current.cpu} (${current.cores} cores), Node ${current.node}, ${current.os}; load average ${current.loadAverage} when it started.`,
    "",
  );
  lines.push(
    current.build === "bundle"
      ? "The engine is measured as the package ships it: the bench is bundled with tsup (esbuild, no `keepNames`) and run by plain Node. graphql-js and DataLoader run from node_modules as published."
      : "This run used `--source`: the engine ran through tsx, whose `keepNames` transform adds a `defineProperty` per closure created at run time; numbers are lower than the shipped build's.",
    "",
  );
  lines.push(
    "Every scenario first runs each engine once and checks the results are deep-equal (as JSON) and error-free; a mismatch aborts the scenario before anything is timed. " +
      "Store calls, round trips and rows are counted (`kvetch.counters`) on a second request right after the checked one, so caches are warm as in steady state. " +
      "ops/s and ± are benchmark.js's (mean and relative margin of error at 95%); ms/request is the mean time of one request, requests run one at a time. " +
      `Each engine is timed in ${rounds} rounds that alternate the engines, and its fastest round is reported (other processes on a shared machine only ever slow a round down).`,
    "",
  );
  lines.push("![ops/s per engine](results/chart.svg)", "");
  lines.push("## Summary", "", renderSummary(results), "");
  if (losses.length > 0) {
    lines.push("### Where graphscale is behind or not clearly ahead", "");
    for (const { r, c } of losses) lines.push(`- ${r.title}: ${verdict(c, r.engines)} ${r.profiles.length > 0 ? "Profile below, under the scenario." : ""}`);
    lines.push("");
  } else {
    lines.push("graphscale is clearly ahead (outside the margin of error) in every comparison of this run.", "");
  }
  for (const r of results) lines.push(renderScenario(r));
  writeFileSync(join(benchDir, "RESULTS.md"), lines.join("\n").replace(/\n{3,}/g, "\n\n"));
}
