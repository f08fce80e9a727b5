// Plan import in fresh processes, counted in instructions rather than time: the same processes as
// bench/coldStart/planImport.ts (bench/coldStart/importFirst.mjs from the shipped bundle, dist/), each run
// under `valgrind --tool=callgrind`, which counts the instructions the process executes whatever the load of
// the machine. importFirst.mjs calls process.cpuUsage() (libuv's uv_getrusage) before makeSchema, after it,
// before the first request, between importPlan and execute, and after the request; callgrind is told to
// write its counts out before each of those calls (--dump-before=uv_getrusage), so the parts it writes are
// the phases: 2 is makeSchema, 4 importPlan (nothing in the planned mode), 5 execute. The first request is
// 4 + 5. `node --single-threaded` (no V8 worker threads) keeps the counts the same from run to run; they
// are of the main thread's work, as the CPU times of the other bench are of all threads.
// `npx tsx bench/coldStart/instructions.ts` (build first; valgrind needed; about 25 s per process, two at a
// time). Prints a table and writes bench/results/plan-import-instructions.json.
// A scavenge (young-generation GC, 3–5 M instructions, about 1 ms) falls in a first request or just before
// it depending on how much the process allocated before (a fresh process's young generation is small): the
// instructions of garbage collection in each phase (callgrind_annotate's inclusive count of
// Heap::CollectGarbage) are counted too, and the table gives each first request without them beside its
// total, so that code changes are compared on the work they do rather than on where a collection fell.
// A third table leaves out Turbofan's compilation as well (Compiler::CompileOptimized, which only
// --single-threaded puts on the main thread): the main thread's work, what the other bench's wall time
// measures on a quiet machine.

import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./importFirst.mjs", import.meta.url));
const shapes = (process.argv.find((a) => a.startsWith("--shapes="))?.slice(9).split(",") ?? ["wide", "nested"]) as readonly ("wide" | "nested")[];
const modes = ["plan", "import", "store"] as const;
type Mode = (typeof modes)[number];

/** The instruction count callgrind wrote in one part (`summary:` line). */
function summary(file: string): number {
  const match = /^summary: (\d+)$/m.exec(readFileSync(file, "utf8"));
  if (match === null) throw new Error(`instructions: no summary in ${file}`);
  return Number(match[1]);
}

/**
 * Of one part, the instructions of garbage collection (inclusive count of Heap::CollectGarbage) and of
 * Turbofan compilation (Compiler::CompileOptimized), each 0 if none ran.
 */
function collected(file: string): { gc: number; optimized: number } {
  const text = execFileSync("callgrind_annotate", ["--inclusive=yes", "--threshold=100", file], { encoding: "utf8", maxBuffer: 64 << 20 });
  const found = { gc: 0, optimized: 0 };
  for (const line of text.split("\n")) {
    const match = /^\s*([\d,]+) .*v8::internal::(Heap::CollectGarbage|Compiler::CompileOptimized)\(/.exec(line);
    if (match === null) continue;
    const key = match[2] === "Heap::CollectGarbage" ? "gc" : "optimized";
    found[key] = Math.max(found[key], Number(match[1]!.replaceAll(",", "")));
  }
  return found;
}

interface Counts {
  makeSchema: number;
  importPlan: number;
  execute: number;
  request: number;
  /** Of the request, instructions of garbage collection. */
  requestGc: number;
  /**
   * Of the request, instructions of Turbofan compilation: made on the main thread here (--single-threaded),
   * on a V8 worker thread, beside the request, in a process run without that flag.
   */
  requestOptimized: number;
}

function count(dir: string, mode: Mode, shape: string, planFile: string): Promise<Counts> {
  const out = join(dir, `${mode}.${shape}.cg`);
  const args = ["--tool=callgrind", `--callgrind-out-file=${out}`, "--dump-before=uv_getrusage", process.execPath, "--single-threaded", script, mode, shape, planFile];
  return new Promise((resolve, reject) =>
    execFile("valgrind", args, { encoding: "utf8" }, (error) => {
      if (error) return reject(error);
      const [makeSchema, importPlan, execute] = [2, 4, 5].map((part) => summary(`${out}.${part}`));
      const [a, b] = [collected(`${out}.4`), collected(`${out}.5`)];
      resolve({ makeSchema: makeSchema!, importPlan: importPlan!, execute: execute!, request: importPlan! + execute!, requestGc: a.gc + b.gc, requestOptimized: a.optimized + b.optimized });
    }),
  );
}

// --out=FILE writes the JSON there (default bench/results/plan-import-instructions.json); --keep=DIR keeps
// callgrind's parts there for callgrind_annotate; --shapes=nested runs one shape.
const option = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const keep = option("keep");
const dir = keep ?? mkdtempSync(join(tmpdir(), "graphscale-plan-import-instructions-"));
if (keep !== undefined) mkdirSync(keep, { recursive: true });
const load = [loadavg()[0]!];
const rows: { shape: string; counts: Record<Mode, Counts> }[] = [];
try {
  for (const shape of shapes) {
    const planFile = join(dir, `${shape}.plan`);
    execFileSync(process.execPath, [script, "export", shape, planFile]);
    const counts = {} as Record<Mode, Counts>;
    // Two at a time: the counts do not depend on what else runs.
    const [plan, imported] = await Promise.all([count(dir, "plan", shape, planFile), count(dir, "import", shape, planFile)]);
    counts.plan = plan;
    counts.import = imported;
    counts.store = await count(dir, "store", shape, planFile);
    rows.push({ shape, counts });
    load.push(loadavg()[0]!);
  }
} finally {
  if (keep === undefined) rmSync(dir, { recursive: true, force: true });
}
const m = (n: number) => (n / 1e6).toFixed(2);
console.log(`Plan import, cold, in instructions (callgrind, millions; dist/, node ${process.version} --single-threaded, one process per mode and shape)`);
console.log("| Operation | planned: first request | imported: importPlan + execute = first request | imported ÷ planned | plan store: first request | plan store ÷ planned | makeSchema: without / with a plan store |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const { shape, counts: c } of rows) {
  console.log(
    `| ${shape} | ${m(c.plan.request)} | ${m(c.import.importPlan)} + ${m(c.import.execute)} = ${m(c.import.request)} | ${(c.import.request / c.plan.request).toFixed(2)}× | ${m(c.store.request)} | ${(c.store.request / c.plan.request).toFixed(2)}× | ${m(c.plan.makeSchema)} / ${m(c.store.makeSchema)} |`,
  );
}
/** A table of the first requests less a part of them (`part`: what is taken out, shown in parentheses). */
function lessTable(title: string, what: string, part: (x: Counts) => number): void {
  const less = (x: Counts) => x.request - part(x);
  console.log(`\n${title}`);
  console.log(`| Operation | planned (${what}) | imported (${what}) | imported ÷ planned | plan store (${what}) | plan store ÷ planned |`);
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const { shape, counts: c } of rows) {
    const cell = (x: Counts) => `${m(less(x))} (${m(part(x))})`;
    console.log(`| ${shape} | ${cell(c.plan)} | ${cell(c.import)} | ${(less(c.import) / less(c.plan)).toFixed(2)}× | ${cell(c.store)} | ${(less(c.store) / less(c.plan)).toFixed(2)}× |`);
  }
}
lessTable("The same first requests without the instructions of garbage collection (a scavenge falls in one or not):", "GC", (x) => x.requestGc);
// Outside --single-threaded, Turbofan compiles on a worker thread while the request goes on: the main
// thread's work, which is what a first request's wall time is on a quiet machine, is the request without it
// (in the CPU bench that worker's time counts in the process's CPU time, not in its wall time: a planned
// first request compiles graphql-js's instanceOf there). Collections are left out too, as above: a fresh
// process run without valgrind had none in these requests (--trace-gc).
lessTable(
  "The main thread's work: the first requests without Turbofan's compilation (off the main thread without --single-threaded) and without GC:",
  "Turbofan + GC",
  (x) => x.requestOptimized + x.requestGc,
);
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverages: load };
writeFileSync(option("out") ?? fileURLToPath(new URL("../results/plan-import-instructions.json", import.meta.url)), JSON.stringify({ machine, rows, date: new Date().toISOString() }, null, 2) + "\n");
