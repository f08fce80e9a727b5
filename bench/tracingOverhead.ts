// Tracing overhead: the todo view (1 user → 10 lists → 5 items, 4 shards) on five schemas in rounds of five
// back-to-back runs (the order rotates): `tracing: false` (what a request does when @opentelemetry/api is
// absent: TracerFor answers null before any provider is read), tracing off with the API loaded and no provider
// registered (the default), and tracing on with the SDK as an application sets it up (a BasicTracerProvider
// with a BatchSpanProcessor, whose exporter drops the batches it is handed). Rows: the memory backend (no store
// latency: the worst case for tracing's share) and, with `--mysql`, 4 MySQL shards + Redis (the view as users
// run it). Beside them, the floor the SDK itself sets: one bare SDK span (start with five attributes, end)
// timed here, times the spans a request makes, as a share of a request's time off; a fourth schema traced
// by a provider whose spans cost nothing, for graphscale's own share; and a fifth on the SDK with a sampler
// that drops every request. Medians of the rounds' ops/s and of the rounds' ratios. A measured table of
// `npm run bench` (bench/measuredTable.ts: medians over
// the bench processes, bench/results/tracing-overhead.json); alone: `npx tsx bench/tracingOverhead.ts
// [--rounds=N] [--mysql]` prints the table.

import { parse } from "graphql";
import { context, trace, ROOT_CONTEXT } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { execute, makeSchema } from "../src/index.js";
import { Kvetch, memoryBackend, mysqlBackend, type KvetchBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoPlans, todoTypeDefs, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo } from "../examples/todo/seed.js";
import { median } from "./median.js";
import { publishTable, type MeasuredTable } from "./measuredTable.js";
import { REDIS_URL, benchStore, deleteKeys, dropDatabases, shardUrls } from "./servers.js";

const SHARDS = 4;

/** An exporter that drops every batch at once: the cost measured is graphscale's and the SDK's, not an export's. */
const dropping: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };

/**
 * A provider whose spans cost nothing (one shared, recording span): a request traced by it pays graphscale's
 * tracing work alone (contexts, context switches, per-call records), without the SDK's per-span work.
 */
const freeSpanContext = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 };
const freeSpan = {
  spanContext: () => freeSpanContext,
  setAttribute: () => freeSpan,
  setAttributes: () => freeSpan,
  addEvent: () => freeSpan,
  addLink: () => freeSpan,
  addLinks: () => freeSpan,
  setStatus: () => freeSpan,
  updateName: () => freeSpan,
  end: () => undefined,
  isRecording: () => true,
  recordException: () => undefined,
};
const freeTracer = { startSpan: () => freeSpan, startActiveSpan: () => undefined };
const freeProvider = { getTracer: () => freeTracer };

/** Counts ended SDK spans while `counting` is set (the check run, every schema's request), and does nothing else. */
const counter = { counting: false, spans: 0 };
const countingProcessor: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => void (counter.counting && counter.spans++),
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

/** Microseconds per bare SDK span: started under a parent context with five attributes (as a step span is), then ended. */
async function bareSpanMicros(provider: BasicTracerProvider): Promise<number> {
  const tracer = provider.getTracer("bench");
  const parent = trace.setSpan(ROOT_CONTEXT, tracer.startSpan("parent"));
  const times: number[] = [];
  for (let round = 0; round < 7; round++) {
    const n = 20_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const attributes = { "graphscale.step.class": "LoadNodesStep", "graphscale.step.name": "loadNodes", "graphscale.step.id": i, "graphscale.step.batch_size": 10, "graphscale.step.exited_early": 0 };
      tracer.startSpan("graphscale.step", { attributes }, parent).end();
    }
    times.push(((performance.now() - start) * 1000) / n);
    // The batch processor exports (drops) what it queued, as between requests.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return median(times.slice(2));
}

interface Backend {
  readonly label: string;
  readonly roundMs: number;
  readonly backend: KvetchBackend;
  readonly close: () => Promise<void>;
}

async function openBackend(kind: "memory" | "mysql"): Promise<Backend> {
  if (kind === "memory") return { label: "todo view, memory backend", roundMs: 250, backend: memoryBackend({ shards: SHARDS }), close: async () => undefined };
  // Databases and cache keys of this process alone: other runs on the shared servers are never touched.
  const { databases, keyPrefix } = await benchStore("trace", SHARDS);
  const backend = mysqlBackend({ shards: shardUrls(databases), redis: { url: REDIS_URL, keyPrefix } });
  return {
    label: "todo view, 4 MySQL shards + Redis",
    roundMs: 500,
    backend,
    close: async () => {
      await dropDatabases(databases);
      await deleteKeys(keyPrefix);
    },
  };
}

export async function runTracingOverheadScenario(options: { rounds?: number; mysql?: boolean } = {}): Promise<MeasuredTable> {
  const rounds = options.rounds ?? 15;
  // As an SDK setup registers one: store calls outside a step's synchronous part nest through the active context.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping), countingProcessor] });
  const schemaOf = (tracing: Parameters<typeof makeSchema>[0]["tracing"]) =>
    makeSchema({ typeDefs: todoTypeDefs, plans: todoPlans, planContext: { kvetchSchema: todoKvetchSchema }, tracing });
  // The SDK as above with a sampler that drops every request (a ratio of 0 at the root, parent-based below it).
  const dropping0 = new BasicTracerProvider({ sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) }), spanProcessors: [new BatchSpanProcessor(dropping), countingProcessor] });
  const schemas = [schemaOf(false), schemaOf(undefined), schemaOf({ tracerProvider: provider }), schemaOf({ tracerProvider: freeProvider }), schemaOf({ tracerProvider: dropping0 })] as const;
  const runs = schemas.length;
  const spanMicros = await bareSpanMicros(provider);
  const document = parse(todoViewQuery);

  const rows: MeasuredTable["rows"] = [];
  for (const kind of options.mysql ? (["memory", "mysql"] as const) : (["memory"] as const)) {
    const store = await openBackend(kind);
    try {
      const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: store.backend });
      await kvetch.migrate();
      const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 10, itemsPerList: 5 });
      const variableValues = { id: seed.userIds[0]! };
      const contextValue = { kvetch };

      // Each checked once: the same data, and spans only from the traced one (a table of a broken run is worse than none).
      const expected = JSON.stringify((await execute({ schema: schemas[0], document, variableValues, contextValue })).data);
      let spansPerRequest = 0;
      for (const schema of schemas) {
        counter.counting = true;
        counter.spans = 0;
        const result = await execute({ schema, document, variableValues, contextValue });
        counter.counting = false;
        if (result.errors || JSON.stringify(result.data) !== expected) throw new Error("tracing-overhead: a schema's todo view differs");
        if (schema !== schemas[2] && counter.spans !== 0) throw new Error("tracing-overhead: a schema not on the SDK made SDK spans");
        if (schema === schemas[2]) spansPerRequest = counter.spans;
      }
      if (spansPerRequest < 20) throw new Error(`tracing-overhead: the traced todo view made ${spansPerRequest} spans`);

      // Each run's ops per second of wall time and per second of this process's CPU time (all its threads): on a
      // loaded machine the wall time holds other processes' turns, the CPU time does not.
      const opsPerSecond = async (s: number): Promise<[number, number]> => {
        const schema = schemas[s]!;
        const cpu = process.cpuUsage();
        const start = performance.now();
        const until = start + store.roundMs;
        let n = 0;
        while (performance.now() < until) {
          await execute({ schema, document, variableValues, contextValue });
          n++;
        }
        const used = process.cpuUsage(cpu);
        return [(n * 1000) / (performance.now() - start), (n * 1e6) / (used.user + used.system)];
      };
      const ops: number[][] = schemas.map(() => []);
      const offRatios: number[] = [];
      const onRatios: number[] = [];
      const onCpuRatios: number[] = [];
      const freeCpuRatios: number[] = [];
      const sampledOutCpuRatios: number[] = [];
      for (let s = 0; s < runs; s++) await opsPerSecond(s);
      for (let r = 0; r < rounds; r++) {
        // The order rotates, so a slow stretch of the machine falls on each in turn.
        const round: Array<[number, number]> = [];
        for (let k = 0; k < runs; k++) {
          const s = (r + k) % runs;
          round[s] = await opsPerSecond(s);
          ops[s]!.push(round[s]![0]);
        }
        offRatios.push(round[1]![0] / round[0]![0]);
        onRatios.push(round[2]![0] / round[1]![0]);
        onCpuRatios.push(round[2]![1] / round[1]![1]);
        freeCpuRatios.push(round[3]![1] / round[1]![1]);
        sampledOutCpuRatios.push(round[4]![1] / round[1]![1]);
      }
      const offOps = median(ops[1]!);
      // The on ÷ off a request would reach if its spans cost only what the SDK charges for them.
      const floor = 1 / (1 + spansPerRequest * spanMicros * 1e-6 * offOps);
      rows.push({ label: store.label, values: [median(ops[0]!), offOps, median(ops[2]!), median(offRatios), median(onRatios), median(onCpuRatios), median(freeCpuRatios), median(sampledOutCpuRatios), spansPerRequest, spanMicros, floor] });
    } finally {
      await store.close();
    }
  }
  await provider.shutdown();
  await dropping0.shutdown();
  return {
    id: "tracing-overhead",
    title: "Tracing overhead (todo view)",
    description:
      "The todo view (1 user → 10 lists → 5 items, 5 Kvetch calls), 4 shards, on five schemas: `tracing: false` " +
      "(what a request does without @opentelemetry/api installed), tracing off with the API loaded and no provider registered (the default), and " +
      "tracing on with the SDK as an application sets it up: a BasicTracerProvider with a BatchSpanProcessor whose exporter drops each batch " +
      "(spans per request: request, plan, layers, one per step per layer, store calls), the async-local-storage context manager registered; " +
      `${rounds} rounds per process, each five runs back to back (the order rotates; 250 ms in memory, 500 ms on MySQL): ` +
      "the medians of the rounds' ops/s (wall time), and the medians of the rounds' ratios, by wall time and by the process's CPU time (which a loaded machine's other processes do not enter; on MySQL it leaves out the waits for the servers). The memory backend has no store latency (tracing's largest share); " +
      "MySQL + Redis is the view as users run it. \"SDK span (µs)\": one bare SDK span started under a parent with five attributes and ended, " +
      "timed in the same process; \"SDK floor\": the on ÷ off a request would reach if its spans cost only that; \"free spans\": a fourth schema in the rotation, traced by a provider whose spans cost nothing (graphscale's own tracing work alone); \"sampled out\": a fifth, the SDK with a sampler that drops every request (parent-based, ratio 0 at the root), as a sampled-out request runs. The issue's bars: off at least 99% of absent, on at least 90% of off.",
    rowHeading: "Request",
    columns: [
      { title: "API absent-equivalent (ops/s)", format: "rate" },
      { title: "tracing off (ops/s)", format: "rate" },
      { title: "tracing on (ops/s)", format: "rate" },
      { title: "off ÷ absent", format: "ratio" },
      { title: "on ÷ off", format: "ratio" },
      { title: "on ÷ off (CPU time)", format: "ratio" },
      { title: "free spans ÷ off (CPU time)", format: "ratio" },
      { title: "on, sampled out ÷ off (CPU time)", format: "ratio" },
      { title: "spans per request", format: "count" },
      { title: "SDK span (µs)", format: "perRequest" },
      { title: "SDK floor (on ÷ off)", format: "ratio" },
    ],
    rows,
    notes: [
      `Node ${process.version}.`,
      "Off, a request reads no provider when none is registered (no span object, no tracer call); each phase's hook is one null check.",
      "On, graphscale switches the active context once per request and once per store call (the call's record rides in its context, on the context manager's own async-local store), never per step or layer (a step's span reaches the store calls it starts through the step slot, spec/tracing.md), gives each span its attributes at its start, makes one context per layer, and ends a step's span in the executor's own reaction; the rest of the distance to off is the SDK's own per-span work.",
      "The off rounds share a process with the traced ones: on Node 20, the promise hooks async-local storage enables once anything switches context are paid by both, so the ratios leave them out.",
    ],
    date: new Date().toISOString(),
  };
}

if (process.argv[1]?.endsWith("tracingOverhead.ts")) {
  const rounds = Number(/--rounds=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 15);
  publishTable(await runTracingOverheadScenario({ rounds, mysql: process.argv.includes("--mysql") }));
  process.exit(0);
}
