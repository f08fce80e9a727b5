// Dependencies overhead: the todo view (1 user → 10 lists → 5 items, memory backend, 4 shards) with
// `deps: true` against without, in rounds of two back-to-back runs (which goes first alternates): medians of
// the rounds' ops/s and of the rounds' ratios. A measured table of `npm run bench` (bench/measuredTable.ts:
// medians over the bench processes, bench/results/deps-overhead.json); alone: `npx tsx bench/depsOverhead.ts [--rounds=N]` prints the table (tsx's keepNames slows closures:
// the bench's bundle is the number to quote).

import { parse } from "graphql";
import { execute } from "../src/index.js";
import { Kvetch, memoryBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo } from "../examples/todo/seed.js";
import { median } from "./median.js";
import { publishTable, type MeasuredTable } from "./measuredTable.js";

const ROUND_MS = 250;

export async function runDepsOverheadScenario(options: { rounds?: number } = {}): Promise<MeasuredTable> {
  const rounds = options.rounds ?? 17;
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 10, itemsPerList: 5 });
  const document = parse(todoViewQuery);
  const variableValues = { id: seed.userIds[0]! };
  const contextValue = { kvetch };

  // Both checked once: the deps are there when asked for, absent otherwise (a table of a broken run is worse than none).
  const checked = await execute({ schema: todoSchema, document, variableValues, contextValue, deps: true });
  const keys = Object.values((checked.extensions?.deps ?? {}) as Record<string, object>).reduce((n, k) => n + Object.keys(k).length, 0);
  if (checked.errors || keys !== 72) throw new Error(`deps-overhead: the todo view with deps recorded ${keys} keys, not 72`);

  async function opsPerSecond(deps: boolean): Promise<number> {
    const until = performance.now() + ROUND_MS;
    let n = 0;
    while (performance.now() < until) {
      await execute({ schema: todoSchema, document, variableValues, contextValue, deps });
      n++;
    }
    return (n * 1000) / ROUND_MS;
  }

  const without: number[] = [];
  const withDeps: number[] = [];
  const ratios: number[] = [];
  await opsPerSecond(false);
  await opsPerSecond(true);
  for (let r = 0; r < rounds; r++) {
    // Alternating which goes first, so a slow stretch of the machine falls on both.
    if (r % 2 === 0) {
      without.push(await opsPerSecond(false));
      withDeps.push(await opsPerSecond(true));
    } else {
      withDeps.push(await opsPerSecond(true));
      without.push(await opsPerSecond(false));
    }
    ratios.push(withDeps[r]! / without[r]!);
  }
  const a = median(without);
  const b = median(withDeps);
  // Each round's two runs are a pair measured back to back: the median of the pairs' ratios is what a
  // slow stretch of a shared machine disturbs least.
  const ratio = median(ratios);
  return {
    id: "deps-overhead",
    title: "Dependencies overhead (todo view with `deps: true`)",
    description:
      "The todo view (1 user → 10 lists → 5 items: 72 dependency keys, 5 Kvetch calls), memory backend, 4 shards, " +
      `with \`deps: true\` against without, in ${rounds} rounds per process, each a pair of ${ROUND_MS} ms runs back to back (which goes first alternates): ` +
      "the medians of the rounds' ops/s, and the median of the rounds' ratios. " +
      "The issue's bar: with deps at least 90% of without.",
    rowHeading: "Request",
    columns: [
      { title: "without deps (ops/s)", format: "rate" },
      { title: "with deps (ops/s)", format: "rate" },
      { title: "with ÷ without", format: "ratio" },
    ],
    rows: [{ label: "todo view, 10 lists × 5 items", values: [a, b, ratio] }],
    notes: [
      "Recording costs one dictionary entry per key and one version lookup per key (memory: no promise, no round trip); key strings and their version tags are kept across requests.",
    ],
    date: new Date().toISOString(),
  };
}

if (process.argv[1]?.endsWith("depsOverhead.ts")) {
  publishTable(await runDepsOverheadScenario({ rounds: Number(/--rounds=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 17) }));
}
