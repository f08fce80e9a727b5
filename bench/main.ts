// The bench program (started by bench/run.ts): runs every scenario — check results equal, count round
// trips, time each engine with benchmark.js, profile graphscale where it loses — prints a table per
// scenario and writes bench/results/*.json, bench/results/chart.svg and bench/RESULTS.md. Never edits src.

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Scenario } from "./scenario.js";
import { machineInfo, writeReport, writeScenarioResult, type ScenarioResult } from "./report.js";
import { runScenario, type BenchOptions, type ScenarioEntry } from "./measure.js";
import { nestedListsScenario, wideListScenario } from "./scenarios/cpu.js";
import { planningScenario } from "./scenarios/planning.js";
import { todoScenario, type TodoScenarioOptions } from "./scenarios/todo.js";

function parseOptions(argv: readonly string[]): BenchOptions {
  const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const known = ["--mysql", "--no-profile", "--profile-all", "--source", "--only=", "--max-time=", "--min-samples=", "--rounds=", "--profile-seconds="];
  for (const a of argv) {
    if (!known.some((k) => (k.endsWith("=") ? a.startsWith(k) : a === k))) {
      throw new Error(`bench: unknown option ${a} (options: --mysql, --only=<regex>, --max-time=<s>, --min-samples=<n>, --rounds=<n>, --no-profile, --profile-all, --profile-seconds=<s>, --source)`);
    }
  }
  const only = value("only");
  return {
    mysql: argv.includes("--mysql"),
    only: only ? new RegExp(only) : null,
    // 2 rounds × 1 s per engine keeps `npm run bench` (21 engines plus checks and profiles) under 3 minutes on 2 cores.
    timing: { maxTime: Number(value("max-time") ?? 1), minSamples: Number(value("min-samples") ?? 5) },
    rounds: Number(value("rounds") ?? 2),
    profile: !argv.includes("--no-profile"),
    profileAll: argv.includes("--profile-all"),
    profileSeconds: Number(value("profile-seconds") ?? 2),
  };
}

function memoryEntry(id: string, make: () => Scenario): ScenarioEntry {
  return { id, setup: async () => ({ scenario: make(), backend: "none (in-memory data, no store)" }) };
}

function storeEntry(options: TodoScenarioOptions): ScenarioEntry {
  return { id: options.id, setup: () => todoScenario(options) };
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function printTable(result: ScenarioResult): void {
  console.log(`\n${result.title}`);
  const rows = result.engines.map((e) => [
    e.name,
    `${Math.round(e.hz).toLocaleString("en-US")} ops/s`,
    `±${e.rme.toFixed(1)}%`,
    `${e.meanMs.toFixed(3)} ms/req`,
    e.counts ? `${e.counts.storeCalls} calls` : "",
    e.counts ? `${e.counts.roundTrips} round trips` : "",
    e.counts ? `${e.counts.rowsFetched} rows` : "",
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log("  " + r.map((c, i) => pad(c, widths[i]!, i > 0)).join("  "));
  for (const c of result.comparisons) {
    const name = (k: string) => result.engines.find((e) => e.key === k)!.name;
    console.log(`  ${c.withinMargin ? "CLOSE" : c.ratio >= 1 ? "WIN  " : "LOSS "} ${name(c.engine)} vs ${name(c.against)}: ${c.ratio.toFixed(2)}×${c.withinMargin ? " (within margin)" : ""}`);
  }
}

export async function runBench(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv);
  const benchDir = process.env.GRAPHSCALE_BENCH_DIR ?? fileURLToPath(new URL(".", import.meta.url));
  const resultsDir = join(benchDir, "results");
  const started = Date.now();
  const entries: ScenarioEntry[] = options.mysql
    ? [
        storeEntry({ id: "todo-mysql", lists: 10, items: 5, backend: "mysql" }),
        storeEntry({ id: "todo-heavy-mysql", lists: 50, items: 50, backend: "mysql" }),
      ]
    : [
        storeEntry({ id: "todo", lists: 10, items: 5, backend: "memory" }),
        storeEntry({ id: "todo-heavy", lists: 50, items: 50, backend: "memory" }),
        storeEntry({ id: "todo-latency", lists: 10, items: 5, backend: "memory", latencyMs: 1 }),
        storeEntry({ id: "todo-heavy-latency", lists: 50, items: 50, backend: "memory", latencyMs: 1 }),
        memoryEntry("cpu-wide-list", () => wideListScenario(1000)),
        memoryEntry("cpu-nested-lists", () => nestedListsScenario(25)),
        memoryEntry("planning", () => planningScenario()),
      ];
  const selected = entries.filter((e) => options.only === null || options.only.test(e.id));
  console.log(`graphscale bench: ${selected.length} scenarios, ${options.rounds} rounds × ${options.timing.maxTime} s per engine${options.mysql ? ", MySQL + Redis" : ""}`);
  let failures = 0;
  for (const entry of selected) {
    try {
      const result = await runScenario(entry, options);
      printTable(result);
      writeScenarioResult(resultsDir, result);
    } catch (error) {
      failures++;
      console.error(`\n${entry.id}: ABORTED — ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  writeReport(benchDir, resultsDir, machineInfo(process.env.GRAPHSCALE_BENCH_BUILD === "bundle" ? "bundle" : "source"), options.rounds);
  console.log(`\nWrote ${join(resultsDir, "*.json")}, ${join(resultsDir, "chart.svg")} and ${join(benchDir, "RESULTS.md")} in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await runBench(process.argv.slice(2));
