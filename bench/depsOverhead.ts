// Dependencies overhead: the todo view (1 user → 10 lists → 5 items, memory backend, 4 shards) with
// `deps: true` against without, alternating rounds in one process, medians of the rounds. Prints a table and
// writes bench/results/deps-overhead.json. `npx tsx bench/depsOverhead.ts` (or with --rounds=N).

import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "graphql";
import { execute } from "../src/index.js";
import { Kvetch, memoryBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo } from "../examples/todo/seed.js";

const rounds = Number(/--rounds=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 9);
const ROUND_MS = 500;

const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
await kvetch.migrate();
const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 10, itemsPerList: 5 });
const document = parse(todoViewQuery);
const variableValues = { id: seed.userIds[0]! };

async function opsPerSecond(deps: boolean): Promise<number> {
  const until = performance.now() + ROUND_MS;
  let n = 0;
  while (performance.now() < until) {
    await execute({ schema: todoSchema, document, variableValues, contextValue: { kvetch }, deps } as Parameters<typeof execute>[0]);
    n++;
  }
  return (n * 1000) / ROUND_MS;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const without: number[] = [];
const withDeps: number[] = [];
await opsPerSecond(false);
await opsPerSecond(true);
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    without.push(await opsPerSecond(false));
    withDeps.push(await opsPerSecond(true));
  } else {
    withDeps.push(await opsPerSecond(true));
    without.push(await opsPerSecond(false));
  }
}
const ratio = median(withDeps) / median(without);
console.log(`Todo view (memory backend, 4 shards), ${rounds} alternating rounds of ${ROUND_MS} ms`);
console.log(`  without deps      ${median(without).toFixed(0)} ops/s (${Math.min(...without).toFixed(0)}–${Math.max(...without).toFixed(0)})`);
console.log(`  with deps: true   ${median(withDeps).toFixed(0)} ops/s (${Math.min(...withDeps).toFixed(0)}–${Math.max(...withDeps).toFixed(0)})`);
console.log(`  with ÷ without: ${(ratio * 100).toFixed(0)}%`);
writeFileSync(
  fileURLToPath(new URL("./results/deps-overhead.json", import.meta.url)),
  JSON.stringify({ rounds, roundMs: ROUND_MS, without, withDeps, ratio }, null, 2) + "\n",
);
