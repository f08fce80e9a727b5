// The cost of per-request lanes (src/kvetch/admission.ts): the todo view (1 user → 10 lists → 5 items,
// memory backend, 4 shards: no I/O, so nothing hides the CPU cost) in a process where lanes are on — a shard
// pool exists, so every Kvetch step's store calls run inside AsyncLocalStorage.run and the process pays
// AsyncLocalStorage's async hooks — against a process where they never were (withRequest runs its callback
// directly). Lanes cannot be switched off once on, so each side is its own child process, in alternating
// pairs. A measured table of `npm run bench` (bench/results/request-lanes.json); alone:
// `npx tsx bench/requestLanes.ts [--pairs=N]`.

import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "graphql";
import { execute } from "../src/index.js";
import { Kvetch, memoryBackend } from "../src/kvetch/index.js";
import { Admission } from "../src/kvetch/admission.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo } from "../examples/todo/seed.js";
import { median, pairedRounds } from "./median.js";
import { publishTable, type MeasuredTable } from "./measuredTable.js";

const MEASURE_MS = 1500;

/** In a child: the todo view's CPU milliseconds per request over MEASURE_MS after a warm-up, lanes on or off. */
async function measure(lanes: boolean): Promise<number> {
  // What opening a MySQL store does: an Admission exists, so withRequest keeps each request's lane.
  if (lanes) new Admission(0, 1, 1, 1);
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 10, itemsPerList: 5 });
  const document = parse(todoViewQuery);
  const args = { schema: todoSchema, document, variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch }, signal: new AbortController().signal };
  const checked = await execute(args);
  if (checked.errors !== undefined) throw new Error(`request-lanes: the todo view failed: ${checked.errors[0]!.message}`);
  for (let until = performance.now() + 500; performance.now() < until; ) await execute(args);
  // CPU time, not wall time: on a shared machine the time a process spends descheduled is not its cost.
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let n = 0;
  const wall = performance.now();
  const start = cpu();
  while (performance.now() - wall < MEASURE_MS) {
    await execute(args);
    n++;
  }
  return (cpu() - start) / n;
}

function child(lanes: boolean): Promise<number> {
  // This file's source (the bench may run from its bundle, whose import.meta.url is the bundle's).
  const script = join(process.env.GRAPHSCALE_BENCH_DIR ?? dirname(fileURLToPath(import.meta.url)), "requestLanes.ts");
  const proc = spawn(process.execPath, ["--import", "tsx", script, `--child=${lanes ? "on" : "off"}`], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => proc.on("close", (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`request-lanes: the measuring process exited with ${code}`)))));
}

export async function runRequestLanesScenario(options: { pairs?: number } = {}): Promise<MeasuredTable> {
  const pairs = options.pairs ?? 5;
  const { a: on, b: off, ratios } = await pairedRounds(pairs, () => child(true), () => child(false));
  return {
    id: "request-lanes",
    title: "Per-request lanes: the todo view with and without AsyncLocalStorage",
    description:
      "The todo view (1 user → 10 lists → 5 items, 5 Kvetch calls), memory backend, 4 shards, requests one at a time: in a process " +
      "where per-request lanes are on (a shard pool exists, as with the MySQL backend: each Kvetch step's store calls run in " +
      "AsyncLocalStorage.run, and the process pays AsyncLocalStorage's async hooks on every promise) against one where they never were. " +
      `${pairs} pairs of fresh processes per bench process (which goes first alternates), each ${MEASURE_MS} ms after a warm-up; ` +
      "CPU time per request (process.cpuUsage, so time spent descheduled on a shared machine is not counted); medians of the processes' figures and of the pairs' ratios. The processes run the source through tsx.",
    rowHeading: "Request",
    columns: [
      { title: "lanes off (CPU ms/request)", format: "ms" },
      { title: "lanes on (CPU ms/request)", format: "ms" },
      { title: "on ÷ off", format: "ratio" },
    ],
    rows: [{ label: "todo view, 10 lists × 5 items", values: [median(off), median(on), median(ratios)] }],
    notes: [
      "No I/O here: with MySQL round trips in each request the same CPU cost is a smaller share of its time.",
      "Where the ratio is below one, that is the noise between fresh processes, not a gain: lanes then cost less than the run can resolve.",
    ],
    date: new Date().toISOString(),
  };
}

const childArg = process.argv.find((a) => a.startsWith("--child="));
if (childArg !== undefined) {
  process.stdout.write(String(await measure(childArg === "--child=on")));
} else if (process.argv[1]?.endsWith("requestLanes.ts")) {
  publishTable(await runRequestLanesScenario({ pairs: Number(/--pairs=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 5) }));
}
