// One fresh process, one shape, from the shipped bundle (dist/): the schema is made first (as a server makes
// it at startup, not timed); then the first request is timed — planned (`plan`), with the plan imported
// from text another process exported (`import`: importPlan, then execute), or read from a plan store that
// holds that text (`store`: the schema is made with `planStore`, and execute reads the plan from it). `export`
// writes that text. Printed as JSON for bench/coldStart/planImport.ts.
//   node bench/coldStart/importFirst.mjs export|plan|import|store wide|nested <plan file>
import { readFileSync, writeFileSync } from "node:fs";

const [mode, shapeName, file] = process.argv.slice(2);
const { parse } = await import("graphql");
const { makeSchema, execute, exportPlan, importPlan, getPlanCacheStats } = await import("../../dist/index.js");
const steps = await import("../../dist/steps.js");
const { SHAPES } = await import("./shapes.mjs");
// makeSchema's own CPU time (the process's first: the engine's warm-up and the schema's import tables).
const stored = mode === "store" ? readFileSync(file, "utf8") : null;
// The store a fresh instance finds its plans in (synchronous here: the bench times the engine, not a network).
const planStore = { get: () => stored, set: () => undefined };
// A process that imports by hand says so (importsPlans), as one with a store has its planStore: makeSchema
// then works out what imports read about the schema (PrepareSchemaForImport) at startup, untimed.
const makeSchemaOf = mode === "store" ? (config) => makeSchema({ ...config, planStore }) : mode === "import" ? (config) => makeSchema({ ...config, importsPlans: true }) : makeSchema;
const schemaCpuStart = process.cpuUsage();
const { schema, source } = SHAPES[shapeName](makeSchemaOf, steps);
const schemaCpu = process.cpuUsage(schemaCpuStart);
const document = parse(source);

if (mode === "export") {
  writeFileSync(file, exportPlan(schema, document));
  process.exit(0);
}
const text = mode === "import" ? readFileSync(file, "utf8") : null;
// Node makes the `performance` global on its first use (loading perf_hooks: about 2 ms of CPU, 12 M
// instructions): the bench's own clock, not the engine's work, so it is made before the timed request.
performance.now();
const cpuStart = process.cpuUsage();
const start = performance.now();
if (text !== null && !importPlan(schema, document, text)) throw new Error(`importFirst: the ${shapeName} plan did not import`);
const imported = performance.now();
const importCpu = process.cpuUsage(cpuStart);
const result = await execute({ schema, document });
const firstMs = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
if (result.errors) throw new Error(JSON.stringify(result.errors));
// Checked, not assumed: an imported plan is served from the plan cache, never built again.
const { plansBuilt: built, plansImported } = getPlanCacheStats(schema);
if (built !== (mode === "plan" ? 1 : 0) || plansImported !== (mode === "plan" ? 0 : 1)) throw new Error(`importFirst: ${mode} built ${built} plans and imported ${plansImported}`);
console.log(JSON.stringify({ mode, shape: shapeName, firstMs, importMs: imported - start, cpuMs: (cpu.user + cpu.system) / 1000, importCpuMs: (importCpu.user + importCpu.system) / 1000, makeSchemaCpuMs: (schemaCpu.user + schemaCpu.system) / 1000 }));
