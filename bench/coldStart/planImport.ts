// Plan import in fresh processes: for the wide (200-field) and the nested (4 levels of lists, fragments)
// operation, the first request of a fresh process with its plan imported from text (importPlan, then execute),
// or read from a plan store (makeSchema({ planStore }), then execute), against one that plans it (execute),
// each in its own process from the shipped bundle (dist/, `node`, not tsx), the three in rotating order;
// medians over the processes and the median of each set's ratio to the planned run beside it. Prints a table
// and writes bench/results/plan-import-cold.json. `npx tsx bench/coldStart/planImport.ts [--processes=N]`
// (build first).
// The two clocks say different things. CPU time is the process's, all threads: a planned first request's
// includes Turbofan compiling graphql-js's instanceOf on a V8 worker thread beside the request (`--trace-opt`;
// about 0.5 ms on the quiet machine), which its wall time does not. An imported or stored first request waits
// for nothing: its main thread makes no voluntary context switch and returns to the event loop not once
// (a setImmediate queued at its start runs after it), and no other thread of the process runs during it, so
// on a quiet machine its wall time is its CPU time. The wall ratio is thus the main thread's (the latency a
// client sees); the CPU ratio is flattered by the planned request's worker. On a loaded machine wall time is
// mostly waiting for a core (the main thread's run-queue time) and decides nothing.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const processes = Number(/--processes=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 9);
const script = fileURLToPath(new URL("./importFirst.mjs", import.meta.url));
const shapes = ["wide", "nested"] as const;
const modes = ["plan", "import", "store"] as const;
type Mode = (typeof modes)[number];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Sample {
  firstMs: number;
  importMs: number;
  cpuMs: number;
  importCpuMs: number;
  makeSchemaCpuMs: number;
}

function run(mode: Mode | "export", shape: string, file: string): Sample | null {
  const out = execFileSync(process.execPath, [script, mode, shape, file], { encoding: "utf8" });
  return mode === "export" ? null : (JSON.parse(out.trim().split("\n").pop()!) as Sample);
}

const dir = mkdtempSync(join(tmpdir(), "graphscale-plan-import-"));
const load = [loadavg()[0]!];
interface ModeRow {
  /** Wall time and CPU time (the process's, all threads) of the first request; medians. */
  wallMs: number;
  cpuMs: number;
  /** Medians of the ratios to the planned run of the same set (wall, CPU); 1 for the planned mode. */
  ratio: number;
  cpuRatio: number;
  /** importPlan's own CPU time (mode `import`), else 0. */
  importCpuMs: number;
  /** makeSchema's CPU time before the first request (the process's first schema: warm-up included). */
  makeSchemaCpuMs: number;
}
interface Row {
  shape: string;
  modes: Record<Mode, ModeRow>;
  samples: Record<Mode, Sample[]>;
}
const rows: Row[] = [];
try {
  for (const shape of shapes) {
    const file = join(dir, `${shape}.plan`);
    run("export", shape, file);
    const samples: Record<Mode, Sample[]> = { plan: [], import: [], store: [] };
    const ratios: Record<Mode, number[]> = { plan: [], import: [], store: [] };
    const cpuRatios: Record<Mode, number[]> = { plan: [], import: [], store: [] };
    for (let i = 0; i < processes; i++) {
      // Rotate which goes first, so load on a shared machine falls on every mode alike.
      const order = modes.map((_, k) => modes[(i + k) % modes.length]!);
      const set = {} as Record<Mode, Sample>;
      for (const mode of order) set[mode] = run(mode, shape, file)!;
      for (const mode of modes) {
        samples[mode].push(set[mode]);
        ratios[mode].push(set[mode].firstMs / set.plan.firstMs);
        cpuRatios[mode].push(set[mode].cpuMs / set.plan.cpuMs);
      }
    }
    load.push(loadavg()[0]!);
    const m = (list: Sample[], key: keyof Sample) => median(list.map((s) => s[key]));
    const modeRow = (mode: Mode): ModeRow => ({
      wallMs: m(samples[mode], "firstMs"),
      cpuMs: m(samples[mode], "cpuMs"),
      ratio: median(ratios[mode]),
      cpuRatio: median(cpuRatios[mode]),
      importCpuMs: m(samples[mode], "importCpuMs"),
      makeSchemaCpuMs: m(samples[mode], "makeSchemaCpuMs"),
    });
    rows.push({ shape, modes: { plan: modeRow("plan"), import: modeRow("import"), store: modeRow("store") }, samples });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Plan import, cold: the first request of a fresh process (dist/, node ${process.version}, ${processes} processes per mode and shape, load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)})`);
console.log(
  "| Operation | planned: CPU ms (wall) | imported: CPU ms (wall) | of which importPlan: CPU ms | imported ÷ planned: CPU (wall) | plan store: CPU ms (wall) | plan store ÷ planned: CPU (wall) | first makeSchema: CPU ms, without / with a plan store |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
const f = (n: number) => n.toFixed(2);
for (const r of rows) {
  const { plan, import: imported, store } = r.modes;
  console.log(
    `| ${r.shape} | ${f(plan.cpuMs)} (${f(plan.wallMs)}) | ${f(imported.cpuMs)} (${f(imported.wallMs)}) | ${f(imported.importCpuMs)} | ${f(imported.cpuRatio)}× (${f(imported.ratio)}×) | ${f(store.cpuMs)} (${f(store.wallMs)}) | ${f(store.cpuRatio)}× (${f(store.ratio)}×) | ${f(plan.makeSchemaCpuMs)} / ${f(store.makeSchemaCpuMs)} |`,
  );
}
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverages: load };
writeFileSync(/--out=(\S+)/.exec(process.argv.join(" "))?.[1] ?? fileURLToPath(new URL("../results/plan-import-cold.json", import.meta.url)), JSON.stringify({ processes, machine, rows, date: new Date().toISOString() }, null, 2) + "\n");
