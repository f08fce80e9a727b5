// The small query and the twenty asynchronous fields (bench/scenarios/cpu.ts), every engine in one process:
// rounds of N sequential requests per engine, the engines alternating round after round, and the median CPU
// time (user + system) of a request per engine. In one process the engines share the machine's state, so
// their ratio holds on a busy machine better than the bench's separate timings do. Bundle it as the bench
// is bundled (esbuild, no keepNames), then run it:
//   npx esbuild bench/smallShapes.ts --bundle --platform=node --format=esm --packages=external --minify-syntax --outfile=<dir>/smallShapes.mjs
//   node <dir>/smallShapes.mjs [--rounds=15] [--small=20000] [--many=4000] [--engines=graphscale,graphql-jit,graphql-js,grafast]

import { cpuUsage } from "node:process";
import { loadavg } from "node:os";
import { manyResolversScenario, smallQueryScenario } from "./scenarios/cpu.js";
import type { Engine } from "./scenario.js";

const option = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const rounds = option("rounds", 15);
// graphscale and graphql-jit by default: alternating with graphql-js and Grafast in one process slowed
// graphql-jit threefold on the twenty fields (their garbage and shared graphql objects), not graphscale.
const keys = (process.argv.find((a) => a.startsWith("--engines="))?.slice(10) ?? "graphscale,graphql-jit").split(",");
const chosen = (engines: readonly Engine[]): Engine[] => engines.filter((e) => keys.includes(e.key));

async function requests(engine: Engine, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await engine.run();
}

async function measure(title: string, engines: readonly Engine[], n: number): Promise<void> {
  for (const engine of engines) await requests(engine, 5000);
  const times = engines.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    for (let e = 0; e < engines.length; e++) {
      const start = cpuUsage();
      await requests(engines[e]!, n);
      const used = cpuUsage(start);
      times[e]!.push(((used.user + used.system) * 1000) / n);
    }
  }
  const medians = times.map((t) => t.sort((a, b) => a - b)[t.length >> 1]!);
  const ours = medians[engines.findIndex((e) => e.key === "graphscale")]!;
  console.log(`\n${title} (${rounds} rounds of ${n} requests, load ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
  for (let e = 0; e < engines.length; e++) {
    console.log(`  ${engines[e]!.name.padEnd(24)} ${medians[e]!.toFixed(0).padStart(7)} ns/request CPU   graphscale runs ${(medians[e]! / ours).toFixed(2)}× as fast`);
  }
}

await measure("Small query", chosen((await smallQueryScenario()).engines), option("small", 20000));
await measure("Twenty asynchronous fields", chosen((await manyResolversScenario()).engines), option("many", 4000));
