// Measured tables: the bench sections that are not benchmark.js timings of one request — plan import
// against planning, partial against full planning, cross-request batching. Each is a table of numbers per
// row, measured in every bench process (bench/main.ts), combined as the median of each cell over the
// processes with its min–max (bench/run.ts), written to bench/results/<id>.json and rendered into
// bench/RESULTS.md (bench/report.ts). Also the reactive costs: deps overhead, live re-run store calls, and
// write → update latency across two instances on MySQL + Redis. Data, formatting and the one way a result is
// printed and written (publishTable, writeResultsFile) here; the measuring is in each section's file.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { median } from "./median.js";

export type CellFormat = "ms" | "count" | "perRequest" | "rate" | "ratio" | "bytes";

export interface MeasuredTable {
  id: string;
  title: string;
  description: string;
  /** The first column's heading (what a row is). */
  rowHeading: string;
  columns: Array<{ title: string; format: CellFormat }>;
  rows: Array<{ label: string; values: number[]; runs?: number[][] }>;
  /** Sentences under the table: what to read from it (never numbers, which differ per process). */
  notes?: string[];
  date: string;
  processes?: number;
  /** The machine the table was measured on (set by bench/run.ts), shown beside its date. */
  machine?: { cpu: string; cores: number; node: string; loadAverages: number[] };
}

/** Results files of the measured tables (not benchmark.js scenarios). */
export const MEASURED_TABLE_IDS = ["memory-nested-lists", "plan-import", "partial-planning", "batching", "deps-overhead", "tracing-overhead", "live-rerun-calls", "live-latency", "live-scale-mysql", "cache-breaker", "request-lanes", "http"] as const;

/** One table measured in several processes → the median of every cell, with each cell's per-process values. */
export function aggregateMeasuredTable(runs: readonly MeasuredTable[]): MeasuredTable {
  const first = runs[0];
  if (first === undefined) throw new Error("aggregateMeasuredTable: no runs");
  return {
    ...first,
    rows: first.rows.map((row, r) => {
      const cells = row.values.map((_, c) => runs.map((run) => run.rows[r]?.values[c]).filter((v): v is number => typeof v === "number"));
      return { label: row.label, values: cells.map((values) => median(values)), runs: cells };
    }),
    date: runs.map((r) => r.date).sort().at(-1)!,
    processes: runs.length,
  };
}

/** Every measured table of the processes, aggregated by id (order of MEASURED_TABLE_IDS). */
export function aggregateMeasuredTables(perProcess: ReadonlyArray<readonly MeasuredTable[] | undefined>): MeasuredTable[] {
  const out: MeasuredTable[] = [];
  for (const id of MEASURED_TABLE_IDS) {
    const runs = perProcess.flatMap((tables) => (tables ?? []).filter((t) => t.id === id));
    if (runs.length > 0) out.push(aggregateMeasuredTable(runs));
  }
  return out;
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");

export function formatCell(value: number, format: CellFormat): string {
  switch (format) {
    case "ms":
      return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
    case "count":
    case "bytes":
    case "rate":
      return int(value);
    case "perRequest":
      return value >= 1 ? value.toFixed(2) : value.toFixed(3);
    case "ratio":
      return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
  }
}

/** "1.23 (1.10–1.40)": the median and, over several processes when they differ, their min–max. */
function cell(value: number, runs: number[] | undefined, format: CellFormat): string {
  const text = formatCell(value, format);
  if (!runs || runs.length < 2) return text;
  const low = formatCell(Math.min(...runs), format);
  const high = formatCell(Math.max(...runs), format);
  return low === high ? text : `${text} (${low}–${high})`;
}

/** "load average 1.2–2.5 at the starts of the processes", or one value for one process. */
export function loadAverageText(loadAverages: readonly number[]): string {
  const low = Math.min(...loadAverages);
  const high = Math.max(...loadAverages);
  return loadAverages.length > 1 ? `load average ${low}–${high} at the starts of the processes` : `load average ${high} at the start`;
}

/** The section in RESULTS.md: heading, description, how it was measured, the table, its notes. */
export function renderMeasuredTable(table: MeasuredTable): string {
  const processes = table.processes ?? 1;
  const lines = [`## ${table.title}`, "", table.description, ""];
  const on = table.machine === undefined ? "" : ` on ${table.machine.cpu} (${table.machine.cores} cores), Node ${table.machine.node}, ${loadAverageText(table.machine.loadAverages)}`;
  lines.push(`${processes > 1 ? `Medians of ${processes} processes (min–max in brackets), measured` : "Measured"} ${table.date.slice(0, 16).replace("T", " ")} UTC${on}.`, "");
  const head = [table.rowHeading, ...table.columns.map((c) => c.title)];
  lines.push(`| ${head.join(" | ")} |`, `|---|${table.columns.map(() => "---:").join("|")}|`);
  for (const row of table.rows) {
    lines.push(`| ${[row.label, ...row.values.map((v, c) => cell(v, row.runs?.[c], table.columns[c]!.format))].join(" | ")} |`);
  }
  lines.push("");
  for (const note of table.notes ?? []) lines.push(`- ${note}`);
  return lines.join("\n").trimEnd() + "\n";
}

/** Writes `<resultsDir>/<id>.json` (a measured table, a scenario, the memory or the latency-depth result). */
export function writeResultsFile(resultsDir: string, result: { id: string }): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${result.id}.json`), JSON.stringify(result, null, 2) + "\n");
}

/**
 * A table measured by a script of its own: printed as its RESULTS.md section and, given `resultsDir`, written
 * there as `<id>.json` as bench/run.ts writes its tables.
 */
export function publishTable(table: MeasuredTable, options: { resultsDir?: string } = {}): void {
  console.log(renderMeasuredTable(table));
  if (options.resultsDir !== undefined) writeResultsFile(options.resultsDir, table);
}

/** `perCall(run)`: milliseconds per call, after a warm-up, over about `ms` of calls. */
export function perCall(run: () => void, ms = 500, warmup = 100): number {
  for (let i = 0; i < warmup; i++) run();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    run();
    n++;
  }
  return (performance.now() - start) / n;
}

/**
 * `perCallPair(a, b)`: CPU milliseconds per call of each, measured in alternating rounds (`rounds` of about
 * `roundMs` each, after a warm-up) and reported as the medians of the rounds — on a shared machine, load
 * that comes and goes falls on both alike, and time the process spent descheduled is not counted.
 */
export function perCallPair(a: () => void, b: () => void, rounds = 15, roundMs = 40, warmup = 200): [number, number] {
  for (let i = 0; i < warmup; i++) {
    a();
    b();
  }
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const round = (run: () => void): number => {
    let n = 0;
    const wall = performance.now();
    const start = cpu();
    while (performance.now() - wall < roundMs) {
      run();
      n++;
    }
    return (cpu() - start) / n;
  };
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    as.push(round(a));
    bs.push(round(b));
  }
  const median = (xs: number[]): number => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return [median(as), median(bs)];
}
