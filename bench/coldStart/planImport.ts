// Plan import in fresh processes: for the wide (200-field) and the nested (4 levels of lists, fragments)
// operation, the first request of a fresh process with its plan imported from text (importPlan, then execute)
// against one that plans it (execute), each in its own process from the shipped bundle (dist/, `node`, not
// tsx), the two alternating; medians over the processes and the median of the pairs' ratios. Prints a table and
// writes bench/results/plan-import-cold.json. `npx tsx bench/coldStart/planImport.ts [--processes=N]` (build first).

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const processes = Number(/--processes=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 9);
const script = fileURLToPath(new URL("./importFirst.mjs", import.meta.url));
const shapes = ["wide", "nested"] as const;

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

function run(mode: "export" | "plan" | "import", shape: string, file: string): Sample {
  const out = execFileSync(process.execPath, [script, mode, shape, file], { encoding: "utf8" });
  return mode === "export" ? { firstMs: 0, importMs: 0, cpuMs: 0, importCpuMs: 0, makeSchemaCpuMs: 0 } : (JSON.parse(out.trim().split("\n").pop()!) as Sample);
}

const dir = mkdtempSync(join(tmpdir(), "graphscale-plan-import-"));
const load = [loadavg()[0]!];
interface Row {
  shape: string;
  /** Wall time of the first request, planned and imported; CPU time of the same (the process's, all threads). */
  planMs: number;
  importFirstMs: number;
  ratio: number;
  planCpuMs: number;
  importCpuFirstMs: number;
  importCpuMs: number;
  cpuRatio: number;
  /** makeSchema's CPU time before the first request (the process's first schema: warm-up included), both modes. */
  makeSchemaCpuMs: number;
  samples: { plan: Sample[]; import: Sample[] };
}
const rows: Row[] = [];
try {
  for (const shape of shapes) {
    const file = join(dir, `${shape}.plan`);
    run("export", shape, file);
    const plan: Sample[] = [];
    const imported: Sample[] = [];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let i = 0; i < processes; i++) {
      // Alternate which goes first, so load on a shared machine falls on both alike.
      const order = i % 2 === 0 ? (["plan", "import"] as const) : (["import", "plan"] as const);
      const pair: Record<string, Sample> = {};
      for (const mode of order) pair[mode] = run(mode, shape, file);
      plan.push(pair.plan!);
      imported.push(pair.import!);
      ratios.push(pair.import!.firstMs / pair.plan!.firstMs);
      cpuRatios.push(pair.import!.cpuMs / pair.plan!.cpuMs);
    }
    load.push(loadavg()[0]!);
    const m = (samples: Sample[], key: keyof Sample) => median(samples.map((s) => s[key]));
    rows.push({
      shape,
      planMs: m(plan, "firstMs"),
      importFirstMs: m(imported, "firstMs"),
      ratio: median(ratios),
      planCpuMs: m(plan, "cpuMs"),
      importCpuFirstMs: m(imported, "cpuMs"),
      importCpuMs: m(imported, "importCpuMs"),
      cpuRatio: median(cpuRatios),
      makeSchemaCpuMs: median([...plan, ...imported].map((s) => s.makeSchemaCpuMs)),
      samples: { plan, import: imported },
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Plan import, cold: the first request of a fresh process (dist/, node ${process.version}, ${processes} processes per mode and shape, load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)})`);
console.log("| Operation | planned: wall ms | imported: wall ms | imported ÷ planned (wall) | planned: CPU ms | imported: CPU ms | of which importPlan: CPU ms | imported ÷ planned (CPU) | makeSchema (before): CPU ms |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
const f = (n: number) => n.toFixed(2);
for (const r of rows) {
  console.log(`| ${r.shape} | ${f(r.planMs)} | ${f(r.importFirstMs)} | ${f(r.ratio)}× | ${f(r.planCpuMs)} | ${f(r.importCpuFirstMs)} | ${f(r.importCpuMs)} | ${f(r.cpuRatio)}× | ${f(r.makeSchemaCpuMs)} |`);
}
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverages: load };
writeFileSync(fileURLToPath(new URL("../results/plan-import-cold.json", import.meta.url)), JSON.stringify({ processes, machine, rows, date: new Date().toISOString() }, null, 2) + "\n");
