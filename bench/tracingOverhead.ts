// Tracing overhead: the todo view (1 user → 10 lists → 5 items, memory backend, 4 shards) on three schemas in
// rounds of three back-to-back runs (the order rotates): `tracing: false` (what a request does when
// @opentelemetry/api is absent: TracerFor answers null before any provider is read), tracing off with the API
// loaded and no provider registered (the default), and tracing on with a BasicTracerProvider whose exporter
// drops every span. Medians of the rounds' ops/s and of the rounds' ratios. A measured table of `npm run bench`
// (bench/measuredTable.ts: medians over the bench processes, bench/results/tracing-overhead.json); alone:
// `npx tsx bench/tracingOverhead.ts [--rounds=N]` prints the table.

import { parse } from "graphql";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { execute, makeSchema } from "../src/index.js";
import { Kvetch, memoryBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoPlans, todoTypeDefs, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo } from "../examples/todo/seed.js";
import { median } from "./median.js";
import { renderMeasuredTable, type MeasuredTable } from "./measuredTable.js";

const ROUND_MS = 250;

/** An exporter that drops every span at once: the cost measured is graphscale's and the SDK's, not an export's. */
const dropping: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };

export async function runTracingOverheadScenario(options: { rounds?: number } = {}): Promise<MeasuredTable> {
  const rounds = options.rounds ?? 15;
  // As an SDK setup registers one: store calls nest under step spans through the active context.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 10, itemsPerList: 5 });
  const document = parse(todoViewQuery);
  const variableValues = { id: seed.userIds[0]! };
  const contextValue = { kvetch };
  let spans = 0;
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor({ ...dropping, export: (list, done) => ((spans += list.length), done({ code: 0 })) })] });
  const schemaOf = (tracing: Parameters<typeof makeSchema>[0]["tracing"]) =>
    makeSchema({ typeDefs: todoTypeDefs, plans: todoPlans, planContext: { kvetchSchema: todoKvetchSchema }, tracing });
  const schemas = [schemaOf(false), schemaOf(undefined), schemaOf({ tracerProvider: provider })] as const;

  // Each checked once: the same data, and spans only from the traced one (a table of a broken run is worse than none).
  const expected = JSON.stringify((await execute({ schema: schemas[0], document, variableValues, contextValue })).data);
  for (const schema of schemas) {
    const result = await execute({ schema, document, variableValues, contextValue });
    if (result.errors || JSON.stringify(result.data) !== expected) throw new Error("tracing-overhead: a schema's todo view differs");
  }
  if (spans < 20) throw new Error(`tracing-overhead: the traced todo view made ${spans} spans`);

  async function opsPerSecond(s: number): Promise<number> {
    const schema = schemas[s]!;
    const until = performance.now() + ROUND_MS;
    let n = 0;
    while (performance.now() < until) {
      await execute({ schema, document, variableValues, contextValue });
      n++;
    }
    return (n * 1000) / ROUND_MS;
  }

  const ops: number[][] = [[], [], []];
  const offRatios: number[] = [];
  const onRatios: number[] = [];
  for (let s = 0; s < 3; s++) await opsPerSecond(s);
  for (let r = 0; r < rounds; r++) {
    // The order rotates, so a slow stretch of the machine falls on each in turn.
    const round: number[] = [];
    for (let k = 0; k < 3; k++) {
      const s = (r + k) % 3;
      round[s] = await opsPerSecond(s);
      ops[s]!.push(round[s]!);
    }
    offRatios.push(round[1]! / round[0]!);
    onRatios.push(round[2]! / round[1]!);
  }
  return {
    id: "tracing-overhead",
    title: "Tracing overhead (todo view)",
    description:
      "The todo view (1 user → 10 lists → 5 items, 5 Kvetch calls), memory backend, 4 shards, on three schemas: `tracing: false` " +
      "(what a request does without @opentelemetry/api installed), tracing off with the API loaded and no provider registered (the default), and " +
      "tracing on with a BasicTracerProvider and an exporter that drops every span (about 40 spans a request: request, layers, one per step per layer, store calls), " +
      `the async-local-storage context manager registered; ${rounds} rounds per process, each three ${ROUND_MS} ms runs back to back (the order rotates): ` +
      "the medians of the rounds' ops/s, and the medians of the rounds' ratios. The issue's bars: off at least 99% of absent, on at least 90% of off.",
    rowHeading: "Request",
    columns: [
      { title: "API absent-equivalent (ops/s)", format: "rate" },
      { title: "tracing off (ops/s)", format: "rate" },
      { title: "tracing on (ops/s)", format: "rate" },
      { title: "off ÷ absent", format: "ratio" },
      { title: "on ÷ off", format: "ratio" },
    ],
    rows: [{ label: "todo view, 10 lists × 5 items", values: [median(ops[0]!), median(ops[1]!), median(ops[2]!), median(offRatios), median(onRatios)] }],
    notes: ["Off, a request reads the registered provider once (no span object, no tracer call); each phase's hook is one null check."],
    date: new Date().toISOString(),
  };
}

if (process.argv[1]?.endsWith("tracingOverhead.ts")) {
  console.log(renderMeasuredTable(await runTracingOverheadScenario({ rounds: Number(/--rounds=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 15) })));
}
