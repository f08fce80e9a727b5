// Cold start: the first execution of an operation in a fresh process, graphscale (plans, from the bundle)
// against graphql-js, medians over several processes each. Prints a table and writes
// bench/results/cold-start.json. `npm run bench:cold` (builds first).

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const processes = Number(/--processes=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 9);
const script = fileURLToPath(new URL("./first.mjs", import.meta.url));
const engines = ["graphscale", "graphql-js"] as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const samples: Record<string, number[]> = { graphscale: [], "graphql-js": [] };
for (let i = 0; i < processes; i++) {
  // Alternate the engines so load on a shared machine falls on both alike.
  for (const engine of i % 2 === 0 ? engines : [...engines].reverse()) {
    const out = execFileSync(process.execPath, [script, engine], { encoding: "utf8" });
    samples[engine]!.push((JSON.parse(out.trim().split("\n").pop()!) as { firstMs: number }).firstMs);
  }
}
const rows = engines.map((engine) => ({ engine, medianMs: median(samples[engine]!), minMs: Math.min(...samples[engine]!), maxMs: Math.max(...samples[engine]!) }));
const ratio = rows[0]!.medianMs / rows[1]!.medianMs;
console.log(`Cold start: first execution of { book { id title year author { id name } } } in a fresh process (${processes} processes each)`);
for (const r of rows) console.log(`  ${r.engine.padEnd(12)} ${r.medianMs.toFixed(2)} ms (${r.minMs.toFixed(2)}–${r.maxMs.toFixed(2)})`);
console.log(`  graphscale ÷ graphql-js: ${ratio.toFixed(2)}× the time`);
writeFileSync(fileURLToPath(new URL("../results/cold-start.json", import.meta.url)), JSON.stringify({ processes, rows, ratio, samples }, null, 2) + "\n");
