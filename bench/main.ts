// One bench process (started by bench/run.ts, several times): runs the selected scenarios — check results
// equal, count round trips, time each engine with benchmark.js, profile graphscale where it loses — prints
// a table per scenario and writes what it measured to `--raw-out` as JSON. bench/run.ts takes the medians
// over the processes and writes the reports. `--memory` runs the memory scenario instead (needs --expose-gc).

import { writeFileSync } from "node:fs";
import type { Scenario } from "./scenario.js";
import { machineInfo, type ScenarioResult } from "./report.js";
import { runScenario, type BenchOptions, type ScenarioEntry } from "./measure.js";
import { batchedLoadingScenario, manyResolversScenario, nestedArraysScenario, nestedListsScenario, smallQueryScenario, twoLevelListsScenario, wideListScenario } from "./scenarios/cpu.js";
import { jitSchemaScenario } from "./scenarios/jitSchemas.js";
import { planningScenario } from "./scenarios/planning.js";
import { todoScenario, type TodoScenarioOptions } from "./scenarios/todo.js";
import { runLatencyScenario } from "./scenarios/latency.js";
import { runMemoryScenario, runNestedListsMemoryTable } from "./memory.js";
import type { ProcessRun } from "./aggregate.js";
import { renderMeasuredTable } from "./measuredTable.js";
import { runMeasuredTables } from "./measuredTables.js";

export interface ProcessOptions extends BenchOptions {
  rawOut: string;
  processIndex: number;
  memory: boolean;
  /** Timed requests per engine in the latency-depth scenario; measurements per engine in the memory scenario. */
  latencyRequests: number;
  memoryRepeats: number;
}

export function parseProcessOptions(argv: readonly string[]): ProcessOptions {
  const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const known = ["--mysql", "--no-profile", "--profile-all", "--memory", "--only=", "--max-time=", "--min-samples=", "--warmup=", "--rounds=", "--profile-seconds=", "--raw-out=", "--process-index=", "--latency-requests=", "--memory-repeats="];
  for (const a of argv) {
    if (!known.some((k) => (k.endsWith("=") ? a.startsWith(k) : a === k))) {
      throw new Error(`bench process: unknown option ${a} (options: ${known.map((k) => (k.endsWith("=") ? `${k}<value>` : k)).join(", ")})`);
    }
  }
  const rawOut = value("raw-out");
  if (!rawOut) throw new Error("bench process: --raw-out=<file> is required (start the bench with `npm run bench`)");
  const only = value("only");
  const processIndex = Number(value("process-index") ?? 0);
  return {
    mysql: argv.includes("--mysql"),
    only: only ? new RegExp(only) : null,
    timing: { maxTime: Number(value("max-time") ?? 1), minSamples: Number(value("min-samples") ?? 5), warmup: Number(value("warmup") ?? 0.5) },
    rounds: Number(value("rounds") ?? 1),
    // Profiles come from the first process only: they explain, they are not measurements.
    profile: !argv.includes("--no-profile") && processIndex === 0,
    profileAll: argv.includes("--profile-all"),
    profileSeconds: Number(value("profile-seconds") ?? 2),
    engineOffset: processIndex,
    rawOut,
    processIndex,
    memory: argv.includes("--memory"),
    latencyRequests: Number(value("latency-requests") ?? 7),
    memoryRepeats: Number(value("memory-repeats") ?? 3),
  };
}

function cpuEntry(id: string, make: () => Promise<Scenario>): ScenarioEntry {
  return { id, setup: async () => ({ scenario: await make(), backend: "none (in-memory data, no store)" }) };
}

function storeEntry(options: TodoScenarioOptions): ScenarioEntry {
  return { id: options.id, setup: () => todoScenario(options) };
}

/** Every timed scenario of a memory-backend run, in report order; `--mysql` runs the MySQL todo views only. */
export function scenarioEntries(mysql: boolean): ScenarioEntry[] {
  if (mysql) {
    return [
      storeEntry({ id: "todo-mysql", lists: 10, items: 5, backend: "mysql" }),
      storeEntry({ id: "todo-heavy-mysql", lists: 50, items: 50, backend: "mysql" }),
    ];
  }
  return [
    cpuEntry("cpu-small-query", smallQueryScenario),
    cpuEntry("cpu-many-resolvers", manyResolversScenario),
    cpuEntry("cpu-nested-arrays", () => nestedArraysScenario()),
    cpuEntry("cpu-wide-list", () => wideListScenario(1000)),
    cpuEntry("cpu-nested-lists", () => nestedListsScenario(25)),
    cpuEntry("cpu-nested-lists-250", () => twoLevelListsScenario(250)),
    cpuEntry("cpu-batched-loading", () => batchedLoadingScenario()),
    cpuEntry("jit-fewResolvers", () => jitSchemaScenario("fewResolvers")),
    cpuEntry("jit-manyResolvers", () => jitSchemaScenario("manyResolvers")),
    cpuEntry("jit-nestedArrays", () => jitSchemaScenario("nestedArrays")),
    cpuEntry("planning", planningScenario),
    storeEntry({ id: "todo", lists: 10, items: 5, backend: "memory" }),
    storeEntry({ id: "todo-heavy", lists: 50, items: 50, backend: "memory" }),
    storeEntry({ id: "todo-latency", lists: 10, items: 5, backend: "memory", latencyMs: 1 }),
    storeEntry({ id: "todo-heavy-latency", lists: 50, items: 50, backend: "memory", latencyMs: 1 }),
  ];
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

export async function runProcess(argv: readonly string[]): Promise<number> {
  const options = parseProcessOptions(argv);
  const machine = machineInfo(process.env.GRAPHSCALE_BENCH_BUILD === "bundle" ? "bundle" : "source");
  const run: ProcessRun = { index: options.processIndex, machine, scenarios: [], memory: null, latency: null, failures: [] };
  const selected = (id: string) => options.only === null || options.only.test(id);
  const tag = `[process ${options.processIndex + 1}]`;
  if (options.memory) {
    try {
      run.memory = await runMemoryScenario({ repeats: options.memoryRepeats, offset: options.processIndex });
      console.log(`\n${tag} ${run.memory.title} (JSON ${(run.memory.jsonBytes / 1e6).toFixed(1)} MB)`);
      for (const e of run.memory.engines) console.log(`  ${pad(e.name, 34)} extra heap ${pad((e.extraHeap / 1e6).toFixed(1), 6, true)} MB  retained ${pad((e.retained / 1e6).toFixed(1), 6, true)} MB  ${e.gcs} GCs`);
    } catch (error) {
      run.failures.push(`memory: ${error instanceof Error ? error.message : String(error)}`);
      console.error(`\n${tag} memory: ABORTED — ${run.failures.at(-1)}`);
    }
    try {
      const table = await runNestedListsMemoryTable({ repeats: options.memoryRepeats, offset: options.processIndex, timedRounds: options.timing.maxTime < 0.5 ? 2 : 9 });
      run.tables = [table];
      console.log(`\n${tag} ${renderMeasuredTable(table)}`);
    } catch (error) {
      run.failures.push(`memory-nested-lists: ${error instanceof Error ? error.message : String(error)}`);
      console.error(`\n${tag} memory-nested-lists: ABORTED — ${run.failures.at(-1)}`);
    }
  } else {
    const entries = scenarioEntries(options.mysql).filter((e) => selected(e.id));
    console.log(`${tag} ${entries.length} scenarios, ${options.rounds} round(s) × ${options.timing.maxTime} s per engine${options.mysql ? ", MySQL + Redis" : ""}`);
    for (const entry of entries) {
      try {
        const result = await runScenario(entry, options);
        printTable(result);
        run.scenarios.push(result);
      } catch (error) {
        run.failures.push(`${entry.id}: ${error instanceof Error ? error.message : String(error)}`);
        console.error(`\n${entry.id}: ABORTED — ${run.failures.at(-1)}`);
      }
    }
    if (!options.mysql && selected("latency-depth")) {
      try {
        run.latency = await runLatencyScenario({ requests: options.latencyRequests, offset: options.processIndex });
        console.log(`\n${run.latency.title}`);
        for (const e of run.latency.engines) console.log(`  ${pad(e.name, 28)} ${pad(e.msPerRequest.toFixed(1), 7, true)} ms/request  ÷ ${run.latency.latencyMs} = ${e.depth.toFixed(2)} round trips deep`);
      } catch (error) {
        run.failures.push(`latency-depth: ${error instanceof Error ? error.message : String(error)}`);
        console.error(`\nlatency-depth: ABORTED — ${run.failures.at(-1)}`);
      }
    }
    if (!options.mysql) {
      // Plan import, partial planning, cross-request batching: tables of their own (bench/measuredTable.ts).
      run.tables = await runMeasuredTables(selected, options.processIndex, (id, error) => {
        run.failures.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
        console.error(`\n${id}: ABORTED — ${run.failures.at(-1)}`);
      }, options.timing.maxTime < 0.5); // a --quick run measures each table briefly
      for (const table of run.tables) console.log(`\n${tag} ${renderMeasuredTable(table)}`);
    }
  }
  writeFileSync(options.rawOut, JSON.stringify(run) + "\n");
  return run.failures.length === 0 ? 0 : 1;
}

process.exitCode = await runProcess(process.argv.slice(2));
