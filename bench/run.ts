// `npm run bench [-- options]`: builds the bench the way the package ships (tsup → esbuild, no keepNames;
// tsx's keepNames would add a defineProperty per closure created at run time and skew the engine's numbers),
// runs it in several fresh Node processes one after another (bench/main.ts), then the memory scenario in
// processes of its own (--expose-gc), and writes the medians: bench/results/*.json, bench/RESULTS.md and
// the README's bench tables. `--quick` checks that it all works in a minute and writes to a temporary
// directory instead. `--source` runs bench/main.ts through tsx; `--from-raw=<dir>` rebuilds the reports from
// a previous run's per-process results without measuring. `--http` runs the HTTP bench instead
// (bench/http/run.ts: servers in processes of their own driven by autocannon; `--http-rounds=`,
// `--http-duration=`, `--http-warmup=` seconds, `--http-connections=50,200`, `--http-shapes=todo-memory,…`,
// `--http-side-by-side`: every engine's server driven at once, each by a load generator process of its own;
// servers pinned to core 1 and load generators to core 0 with taskset where it runs, `--http-no-pin` not) and
// writes its table. Never edits src.

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { aggregateRuns, type ProcessRun } from "./aggregate.js";
import { headerRun, machineInfo, replaceReadmeRegion, writeReport } from "./report.js";
import { publishTable, writeResultsFile } from "./measuredTable.js";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = join(benchDir, "..");

interface RunOptions {
  processes: number;
  quick: boolean;
  source: boolean;
  mysql: boolean;
  only: RegExp | null;
  /** Where RESULTS.md and results/ go; the README is only rewritten when this is bench/ itself. */
  outDir: string;
  /** Options handed to every bench process. */
  passThrough: string[];
  /** Rebuild the reports from this directory of per-process results instead of measuring. */
  fromRaw: string | null;
  /** Run the HTTP bench (and only it). */
  http: boolean;
}

const QUICK_DEFAULTS = ["--max-time=0.05", "--warmup=0.05", "--min-samples=2", "--no-profile", "--latency-requests=2", "--memory-repeats=1"];

function parseRunOptions(argv: readonly string[]): RunOptions {
  const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const own = (a: string) =>
    a === "--quick" || a === "--source" || a === "--http" || a.startsWith("--http-") || a.startsWith("--processes=") || a.startsWith("--out=") || a.startsWith("--from-raw=");
  const quick = argv.includes("--quick");
  const passThrough = argv.filter((a) => !own(a));
  if (quick) for (const d of QUICK_DEFAULTS) if (!passThrough.some((a) => a.split("=")[0] === d.split("=")[0])) passThrough.push(d);
  const processes = Number(value("processes") ?? 3);
  if (!Number.isInteger(processes) || processes < 1) throw new Error(`bench: --processes must be a whole number ≥ 1, got ${value("processes")}`);
  const only = value("only");
  const out = value("out");
  return {
    processes,
    quick,
    source: argv.includes("--source"),
    mysql: argv.includes("--mysql"),
    only: only ? new RegExp(only) : null,
    outDir: out ? resolve(out) : quick ? mkdtempSync(join(tmpdir(), "graphscale-bench-quick-")) : benchDir,
    passThrough,
    fromRaw: value("from-raw") ?? null,
    http: argv.includes("--http"),
  };
}

/** A bench program (bench/main.ts by default) as a command: the tsup bundle under plain node, or the source through tsx. */
async function benchCommand(source: boolean, name = "main", entry = join(benchDir, "main.ts")): Promise<{ env: string; prefix: string[] }> {
  if (source) return { env: "source", prefix: ["--import", "tsx", entry] };
  const { build } = await import("tsup");
  // Under node_modules/ so the bundle resolves graphql, graphql-jit, grafast, dataloader and benchmark from the project's node_modules.
  // One folder per checkout, so that two checkouts sharing node_modules never run each other's bundle.
  const checkout = createHash("sha256").update(repoRoot).digest("hex").slice(0, 8);
  const outDir = join(repoRoot, "node_modules", ".cache", `graphscale-bench-${checkout}`);
  await build({
    entry: { [name]: entry },
    format: ["esm"],
    outDir,
    outExtension: () => ({ js: ".mjs" }),
    target: "node20",
    platform: "node",
    sourcemap: true,
    splitting: false,
    skipNodeModulesBundle: true,
    config: false,
    dts: false,
    silent: true,
  });
  return { env: "bundle", prefix: [join(outDir, `${name}.mjs`)] };
}

function runChild(nodeFlags: readonly string[], args: readonly string[], env: string): Promise<number> {
  const child = spawn(process.execPath, ["--enable-source-maps", ...nodeFlags, ...args], {
    stdio: "inherit",
    cwd: repoRoot,
    env: { ...process.env, GRAPHSCALE_BENCH_DIR: benchDir, GRAPHSCALE_BENCH_BUILD: env },
  });
  return new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** process-0.json, process-1.json, …, then memory-0.json, …: the timed processes' machine info heads the report. */
const timedFirst = (a: string, b: string) => Number(a.startsWith("memory-")) - Number(b.startsWith("memory-")) || a.localeCompare(b);

/** Whether `taskset` (util-linux) runs here. */
function hasTaskset(): boolean {
  return spawnSync("taskset", ["-c", "0", "true"]).status === 0;
}

/** `--http`: the HTTP bench (bench/http/run.ts), its table written to results/http.json and RESULTS.md. */
async function runHttp(options: RunOptions, argv: readonly string[]): Promise<number> {
  const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--http-${name}=`))?.slice(name.length + 8);
  const known = ["--http", "--quick", "--source", "--http-rounds=", "--http-duration=", "--http-warmup=", "--http-connections=", "--http-shapes=", "--http-side-by-side", "--http-no-pin", "--out="];
  for (const a of argv) if (!known.some((k) => (k.endsWith("=") ? a.startsWith(k) : a === k))) throw new Error(`bench --http: unknown option ${a} (options: ${known.join(" ")})`);
  const { runHttpBench, httpTable } = await import("./http/run.js");
  const { ENGINES, LIBRARIES, SHAPES } = await import("./http/app.js");
  const shapes = (value("shapes") ?? (options.quick ? "todo-memory,small" : SHAPES.join(","))).split(",") as Array<(typeof SHAPES)[number]>;
  for (const s of shapes) if (!SHAPES.includes(s)) throw new Error(`bench --http: unknown shape ${s} (${SHAPES.join(", ")})`);
  const connections = (value("connections") ?? "50,200").split(",").map(Number);
  if (connections.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`bench --http: --http-connections must be whole numbers ≥ 1, got ${value("connections")}`);
  const settings = {
    rounds: Number(value("rounds") ?? (options.quick ? 1 : 3)),
    durationSec: Number(value("duration") ?? 5),
    warmupSec: Number(value("warmup") ?? 2),
    sideBySide: argv.includes("--http-side-by-side"),
    // Servers on one core, load generators on another (taskset), unless `--http-no-pin` or no taskset / one core.
    ...(!argv.includes("--http-no-pin") && cpus().length >= 2 && hasTaskset() ? { pin: { server: "1", driver: "0" } } : {}),
  };
  const command = await benchCommand(options.source, "httpServer", join(benchDir, "http", "server.ts"));
  const machine = machineInfo(command.env === "bundle" ? "bundle" : "source");
  const loadAverages: number[] = [];
  console.log(`graphscale HTTP bench: ${shapes.join(", ")}; ${LIBRARIES.join(", ")}; ${connections.join(", ")} connections; ${settings.rounds} rounds${settings.sideBySide ? ", side by side" : ""}${settings.pin ? `, servers pinned to core ${settings.pin.server}, load generators to core ${settings.pin.driver}` : ""}${options.quick ? " (quick: 500 requests a run)" : ""}; load average ${machine.loadAverage}`);
  const runs = await runHttpBench({
    shapes,
    libraries: LIBRARIES,
    engines: ENGINES,
    connections,
    ...settings,
    ...(options.quick ? { amount: 500 } : {}),
    serverCommand: command.prefix,
    onRound: () => loadAverages.push(Math.round(loadavg()[0]! * 100) / 100),
  });
  const table = httpTable(runs, settings);
  table.machine = { cpu: machine.cpu, cores: machine.cores, node: machine.node, loadAverages };
  const resultsDir = join(options.outDir, "results");
  console.log();
  publishTable(table, { resultsDir });
  writeReport(options.outDir, resultsDir, headerRun(resultsDir, { machine, loadAverages, processes: settings.rounds, rounds: 1 }, false));
  console.log(`Wrote ${join(resultsDir, "http.json")}, ${join(options.outDir, "RESULTS.md")}.`);
  return 0;
}

async function main(): Promise<number> {
  const options = parseRunOptions(process.argv.slice(2));
  if (options.http) return runHttp(options, process.argv.slice(2));
  const started = Date.now();
  const command = options.fromRaw ? { env: "bundle", prefix: [] } : await benchCommand(options.source);
  const rawDir = options.fromRaw ?? mkdtempSync(join(tmpdir(), "graphscale-bench-raw-"));
  const raws: string[] = options.fromRaw ? readdirSync(rawDir).filter((n) => n.endsWith(".json")).sort(timedFirst).map((n) => join(rawDir, n)) : [];
  let exit = 0;
  if (!options.fromRaw) {
    console.log(`graphscale bench: ${options.processes} processes${options.quick ? " (quick)" : ""}; per-process results in ${rawDir}`);
    for (let i = 0; i < options.processes; i++) {
      const rawOut = join(rawDir, `process-${i}.json`);
      exit |= await runChild([], [...command.prefix, ...options.passThrough, `--process-index=${i}`, `--raw-out=${rawOut}`], command.env);
      raws.push(rawOut);
    }
    if (!options.mysql && (options.only === null || options.only.test("memory"))) {
      for (let i = 0; i < options.processes; i++) {
        const rawOut = join(rawDir, `memory-${i}.json`);
        exit |= await runChild(["--expose-gc"], [...command.prefix, ...options.passThrough.filter((a) => !a.startsWith("--only=")), "--memory", `--process-index=${i}`, `--raw-out=${rawOut}`], command.env);
        raws.push(rawOut);
      }
    }
    if (!options.mysql && (options.only === null || options.only.test("live-scale-mysql"))) exit |= await runChild(["--expose-gc", "--import", "tsx"], [join(benchDir, "liveScaleMysql.ts"), `--results=${join(options.outDir, "results")}`, ...(options.quick ? ["--quick"] : [])], "source");
  }
  const processes: ProcessRun[] = [];
  for (const file of raws) {
    try {
      processes.push(JSON.parse(readFileSync(file, "utf8")) as ProcessRun);
    } catch (error) {
      exit |= 1;
      console.error(`bench: no results from ${file} (${(error as Error).message}); that process failed before writing them`);
    }
  }
  const { scenarios, memory, latency, tables: measured } = aggregateRuns(processes);
  const resultsDir = join(options.outDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  for (const s of scenarios) writeResultsFile(resultsDir, s);
  if (memory) writeResultsFile(resultsDir, memory);
  if (latency) writeResultsFile(resultsDir, latency);
  const machine = processes[0]?.machine ?? machineInfo(command.env === "bundle" ? "bundle" : "source");
  const processCount = processes.filter((p) => p.memory === null).length || options.processes;
  const rounds = Number(options.passThrough.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 1);
  const timed = processes.filter((p) => p.memory === null);
  const loadAverages = timed.length > 0 ? timed.map((p) => p.machine.loadAverage) : [machine.loadAverage];
  for (const table of measured) {
    table.machine = { cpu: machine.cpu, cores: machine.cores, node: machine.node, loadAverages };
    writeResultsFile(resultsDir, table);
  }
  const tables = writeReport(options.outDir, resultsDir, headerRun(resultsDir, { machine, loadAverages, processes: processCount, rounds }, scenarios.length > 0));
  const written = [join(resultsDir, "*.json"), join(options.outDir, "RESULTS.md")];
  if (options.outDir === benchDir) {
    const readmePath = join(repoRoot, "README.md");
    writeFileSync(readmePath, replaceReadmeRegion(readFileSync(readmePath, "utf8"), tables));
    written.push(readmePath);
  }
  for (const p of processes) for (const f of p.failures) console.error(`ABORTED in process ${p.index + 1}: ${f}`);
  console.log(`\nWrote ${written.join(", ")} in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  return exit === 0 ? 0 : 1;
}

process.exitCode = await main();
