// Tracing overhead as a user meets it: each setting in processes of its own. tracingOverhead.ts pairs off and
// on in one process, where whatever tracing turns on for the whole process (on Node 20, the promise hooks of
// async-local storage once a context is switched) is paid by the untraced rounds too, so its ratios leave that
// out. Here a process runs one setting only — `tracing: false` (off), the SDK as an application sets it up
// (on: a BasicTracerProvider with a BatchSpanProcessor whose exporter drops each batch, the async-local-storage
// context manager registered), a provider whose spans cost nothing (free spans: graphscale's own tracing
// work), the SDK at the span details "io" and "none" (makeSchema({ tracing: { steps } }): spans only for step
// calls that make store calls or go asynchronous; request, planning and store calls only), and the SDK with a
// sampler dropping every request (sampled out) — on the todo view, memory backend
// and, with `--mysql`, 4 MySQL shards + Redis. The settings run in rotating order, `--processes=N` of each;
// each process warms up, then times its requests by its own CPU time (all threads). Medians per setting, and
// the median of each rotation's ratio to its off process.
// With `--concurrency=C` each process keeps C requests in flight (wall time per request is then what a server
// under that load meets; CPU per request is measured the same way).
// `npx tsx bench/tracingProcesses.ts [--processes=N] [--mysql | --mysql-only] [--concurrency=C] [--out=DIR]` prints the
// table and writes DIR/tracing-processes.json (DIR: bench/results unless given; under Node 20, else
// tracing-processes-node<major>.json; with C > 1 the id ends in -c<C>).

import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { median } from "./median.js";
import { publishTable, type MeasuredTable } from "./measuredTable.js";

/**
 * "server": tracing: false in a process that has the SDK's context manager registered and switches a context per
 * request, as a server's own instrumentation does: the baseline of an application that traces and samples,
 * what it pays before graphscale traces anything.
 */
const SETTINGS = ["off", "on", "io", "none", "free", "sampled", "server"] as const;
type Setting = (typeof SETTINGS)[number];
const REQUESTS = { memory: Number(process.env.TRACE_N ?? 20_000), mysql: Number(process.env.TRACE_N ?? 3_000) } as const;
/** Requests in flight at once in each process (`--concurrency=C`, passed to the children as TRACE_CONCURRENCY). */
const CONCURRENCY = Math.max(1, Number(process.env.TRACE_CONCURRENCY ?? /--concurrency=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 1));

/** One process: the todo view under one setting; prints its CPU µs per request and spans per request. */
async function child(setting: Setting, kind: "memory" | "mysql"): Promise<void> {
  const { parse } = await import("graphql");
  const { context, trace } = await import("@opentelemetry/api");
  const { AsyncLocalStorageContextManager } = await import("@opentelemetry/context-async-hooks");
  const { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } = await import("@opentelemetry/sdk-trace-base");
  const engine = await import("../src/index.js");
  const makeSchema = engine.makeSchema;
  let execute = engine.execute;
  const { Kvetch, memoryBackend, mysqlBackend } = await import("../src/kvetch/index.js");
  const { todoKvetchSchema, todoPlans, todoTypeDefs, todoViewQuery } = await import("../examples/todo/schema.js");
  const { seedTodo } = await import("../examples/todo/seed.js");
  const { REDIS_URL, benchStore, deleteKeys, dropDatabases, shardUrls } = await import("./servers.js");

  let spans = 0;
  const dropping = { export: (_batch: unknown, done: (result: { code: number }) => void) => done({ code: 0 }), shutdown: async () => undefined };
  const counting = { onStart: () => undefined, onEnd: () => void spans++, forceFlush: async () => undefined, shutdown: async () => undefined };
  const sdk = (sampler?: InstanceType<typeof ParentBasedSampler>) =>
    new BasicTracerProvider({ sampler, spanProcessors: [new BatchSpanProcessor(dropping as never), counting] });
  const freeContext = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 };
  const freeSpan: Record<string, unknown> = {};
  Object.assign(freeSpan, {
    spanContext: () => freeContext,
    isRecording: () => true,
    end: () => void spans++,
    recordException: () => undefined,
    ...Object.fromEntries(["setAttribute", "setAttributes", "addEvent", "addLink", "addLinks", "setStatus", "updateName"].map((m) => [m, () => freeSpan])),
  });
  const freeProvider = { getTracer: () => ({ startSpan: () => freeSpan, startActiveSpan: () => undefined }) };
  if (setting !== "off" && setting !== "server") {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    void trace;
  }
  const tracing =
    setting === "off" || setting === "server"
      ? false
      : setting === "free"
        ? { tracerProvider: freeProvider as never }
        : setting === "sampled"
          ? { tracerProvider: sdk(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) })) }
          : { tracerProvider: sdk(), steps: setting === "on" ? ("all" as const) : setting };
  const schema = makeSchema({ typeDefs: todoTypeDefs, plans: todoPlans, planContext: { kvetchSchema: todoKvetchSchema }, tracing });
  const { databases, keyPrefix } = kind === "mysql" ? await benchStore("traceproc", 4) : { databases: [], keyPrefix: "" };
  const backend = kind === "memory" ? memoryBackend({ shards: 4 }) : mysqlBackend({ shards: shardUrls(databases), redis: { url: REDIS_URL, keyPrefix } });
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend });
  try {
    await kvetch.migrate();
    const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 10, itemsPerList: 5 });
    const args = { schema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch } };
    const serverKey = Symbol("server");
    if (setting === "server") {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      const run = execute;
      execute = ((a: typeof args) => context.with(context.active().setValue(serverKey, a), run, undefined, a)) as typeof execute;
    }
    const n = REQUESTS[kind];
    // C requests in flight: each of C loops starts its next request when its last one is done.
    const runAll = async (count: number): Promise<void> => {
      if (CONCURRENCY === 1) {
        for (let i = 0; i < count; i++) await execute(args);
        return;
      }
      let left = count;
      const loop = async () => {
        while (left-- > 0) await execute(args);
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, loop));
    };
    // A server in its steady state: on MySQL + Redis a warm-up of n / 5 requests left optimizing compiles in
    // the timed requests (on the CPU time of every thread), so it runs as many requests as it times there.
    await runAll(Number(process.env.TRACE_WARM ?? (kind === "mysql" ? n : n / 5)));
    spans = 0;
    const check = await execute(args);
    if (check.errors) throw new Error(`tracing-processes: ${check.errors[0]!.message}`);
    const spansPerRequest = spans;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await runAll(n);
    const used = process.cpuUsage(cpu);
    const wallMicros = ((performance.now() - start) * 1000) / n;
    console.log(JSON.stringify({ cpuMicros: (used.user + used.system) / n, wallMicros, spansPerRequest }));
  } finally {
    await kvetch.close();
    if (kind === "mysql") {
      await dropDatabases(databases);
      await deleteKeys(keyPrefix);
    }
  }
}

interface Sample {
  cpuMicros: number;
  wallMicros: number;
  spansPerRequest: number;
}

function runChild(setting: Setting, kind: "memory" | "mysql"): Sample {
  const self = fileURLToPath(import.meta.url);
  const out = spawnSync(process.execPath, [...process.execArgv, self, "--child", setting, kind], { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`tracing-processes: the ${setting} process on ${kind} failed: ${out.stderr.trim().split("\n").slice(-3).join(" ")}`);
  return JSON.parse(out.stdout.trim().split("\n").pop()!) as Sample;
}

export function runTracingProcesses(options: { processes: number; mysql: boolean; mysqlOnly?: boolean }): MeasuredTable {
  const rows: MeasuredTable["rows"] = [];
  const kinds = options.mysqlOnly ? (["mysql"] as const) : options.mysql ? (["memory", "mysql"] as const) : (["memory"] as const);
  for (const kind of kinds) {
    const samples = new Map<Setting, Sample[]>(SETTINGS.map((s) => [s, []]));
    const ratios = new Map<Setting, number[]>(SETTINGS.map((s) => [s, []]));
    const rounds: Map<Setting, Sample>[] = [];
    const wallRatios: number[] = [];
    for (let p = 0; p < options.processes; p++) {
      const round = new Map<Setting, Sample>();
      rounds.push(round);
      for (let k = 0; k < SETTINGS.length; k++) {
        const setting = SETTINGS[(p + k) % SETTINGS.length]!;
        const sample = runChild(setting, kind);
        round.set(setting, sample);
        samples.get(setting)!.push(sample);
      }
      for (const s of SETTINGS) ratios.get(s)!.push(round.get("off")!.cpuMicros / round.get(s)!.cpuMicros);
      wallRatios.push(round.get("off")!.wallMicros / round.get("on")!.wallMicros);
    }
    const cpu = (s: Setting) => median(samples.get(s)!.map((x) => x.cpuMicros));
    rows.push({
      label: kind === "memory" ? "todo view, memory backend" : "todo view, 4 MySQL shards + Redis",
      values: [
        cpu("off"),
        cpu("on"),
        median(ratios.get("on")!),
        median(ratios.get("io")!),
        median(ratios.get("none")!),
        median(ratios.get("free")!),
        median(ratios.get("sampled")!),
        median(ratios.get("server")!),
        median(rounds.map((round) => round.get("server")!.cpuMicros / round.get("sampled")!.cpuMicros)),
        median(rounds.map((round) => round.get("server")!.cpuMicros / round.get("on")!.cpuMicros)),
        median(samples.get("off")!.map((x) => x.wallMicros)),
        median(samples.get("on")!.map((x) => x.wallMicros)),
        median(wallRatios),
        median(samples.get("on")!.map((x) => x.spansPerRequest)),
        median(samples.get("io")!.map((x) => x.spansPerRequest)),
        median(samples.get("none")!.map((x) => x.spansPerRequest)),
      ],
    });
  }
  const major = Number(process.versions.node.split(".")[0]);
  return {
    id: (major === 20 ? "tracing-processes" : `tracing-processes-node${major}`) + (CONCURRENCY === 1 ? "" : `-c${CONCURRENCY}`),
    title: `Tracing overhead, each setting in its own processes (todo view, Node ${major})`,
    description:
      "The todo view (1 user → 10 lists → 5 items), 4 shards; each setting in processes of its own (tracing: false; the SDK with a BatchSpanProcessor " +
      'dropping its batches and the async-local-storage context manager, at each span detail: `steps: "all"` (the default), `"io"`, `"none"`; ' +
      "a provider whose spans cost nothing (all); the SDK sampling nothing; and a server baseline: tracing: false with the context manager registered and " +
      "a context switched per request, as a server's own instrumentation does — what an application that samples pays before graphscale traces), " +
      `${options.processes} processes per setting in rotating order, ${REQUESTS.memory} (memory) or ${REQUESTS.mysql} (MySQL + Redis) timed requests each after a warm-up (a fifth as many in memory, as many on MySQL + Redis), ` +
      `${CONCURRENCY} in flight at a time: CPU µs per request (the process's CPU time, all threads), and the median over rotations of off's CPU ÷ the setting's (a ratio of speed: 1 is free); ` +
      "the wall time per request and the median over rotations of off's wall time ÷ on's.",
    rowHeading: "Request",
    columns: [
      { title: "off: CPU µs", format: "perRequest" },
      { title: "on: CPU µs", format: "perRequest" },
      { title: "on ÷ off (CPU)", format: "ratio" },
      { title: 'on, steps "io" ÷ off (CPU)', format: "ratio" },
      { title: 'on, steps "none" ÷ off (CPU)', format: "ratio" },
      { title: "free spans ÷ off (CPU)", format: "ratio" },
      { title: "sampled out ÷ off (CPU)", format: "ratio" },
      { title: "server baseline ÷ off (CPU)", format: "ratio" },
      { title: "sampled out ÷ server baseline (CPU)", format: "ratio" },
      { title: "on ÷ server baseline (CPU)", format: "ratio" },
      { title: `off: wall µs (${CONCURRENCY} in flight)`, format: "perRequest" },
      { title: `on: wall µs (${CONCURRENCY} in flight)`, format: "perRequest" },
      { title: `on ÷ off (wall, ${CONCURRENCY} in flight)`, format: "ratio" },
      { title: "spans per request", format: "count" },
      { title: 'spans per request, "io"', format: "count" },
      { title: 'spans per request, "none"', format: "count" },
    ],
    rows,
    notes: [`Node ${process.version}.`],
    date: new Date().toISOString(),
    processes: options.processes,
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version, loadAverages: loadavg() },
  };
}

const argv = process.argv.slice(2);
if (argv[0] === "--child") {
  await child(argv[1] as Setting, argv[2] as "memory" | "mysql");
  process.exit(0);
} else if (process.argv[1]?.endsWith("tracingProcesses.ts")) {
  const processes = Number(/--processes=(\d+)/.exec(argv.join(" "))?.[1] ?? 3);
  const concurrency = /--concurrency=(\d+)/.exec(argv.join(" "))?.[1];
  if (concurrency !== undefined) process.env.TRACE_CONCURRENCY = concurrency;
  const table = runTracingProcesses({ processes, mysql: argv.includes("--mysql"), mysqlOnly: argv.includes("--mysql-only") });
  const out = /--out=(\S+)/.exec(argv.join(" "))?.[1];
  publishTable(table, { resultsDir: out ?? fileURLToPath(new URL("./results/", import.meta.url)) });
}
