// Bytes allocated per todo view request (memory backend) under each tracing setting, a measure the machine's
// load does not move: each setting in a process of its own, run with a 128 MB young generation so that no
// scavenge falls in the window; after a warm-up and a full collection, the heap's growth over 200 requests ÷ 200,
// five windows, the median. Settings as bench/tracingProcesses.ts: off (tracing: false), server (off with the
// context manager and a context switched per request), free (spans that cost nothing: graphscale's own
// tracing), none / io / all (the SDK at each span detail; its BatchSpanProcessor keeps every span, so the
// spans' own bytes are counted).
// `npx tsx bench/tracingBytes.ts` (and the same under Node 24) prints one line per setting.
// `--sites` adds where the bytes are allocated: V8's sampling heap profiler (objects collected by scavenges and
// full collections included) over 1,000 more requests, by allocating function, each setting's bytes per
// request against the server baseline's (what tracing adds to an application that traces), grouped by who
// allocates them (the SDK, the API, Node's async hooks, graphscale's tracing, the rest of graphscale).

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const SETTINGS = ["off", "server", "free", "none", "io", "all"] as const;
type Setting = (typeof SETTINGS)[number];

/** An allocation site's owner, by its script's path. */
function ownerOf(url: string): string {
  if (url.includes("@opentelemetry/sdk-trace") || url.includes("@opentelemetry/core") || url.includes("@opentelemetry/resources")) return "OpenTelemetry SDK";
  if (url.includes("@opentelemetry/")) return "OpenTelemetry API and context manager";
  if (url.startsWith("node:internal/async_hooks") || url === "node:async_hooks") return "Node async hooks (async-local storage)";
  if (/\/src\/(engine\/tracing\/|kvetch\/tracing\.ts|otelContext\.ts)/.test(url)) return "graphscale tracing";
  if (/\/(src|steps|examples)\//.test(url)) return "graphscale (engine, store, steps)";
  return "V8 builtins and other";
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** Bytes per request by allocating function (`<owner>|<function> <file>:<line>`), over `requests` requests. */
async function allocationSites(requests: number, run: () => unknown): Promise<Record<string, number>> {
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.startSampling", { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  for (let i = 0; i < requests; i++) await run();
  const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as { profile: { head: HeapNode } };
  session.disconnect();
  const sites: Record<string, number> = {};
  const walk = (node: HeapNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${ownerOf(url)}|${functionName || "(anonymous)"} ${url.replace(/^.*\/(node_modules|src|steps|examples)\//, "$1/")}:${lineNumber + 1}`;
    if (node.selfSize > 0) sites[key] = (sites[key] ?? 0) + node.selfSize / requests;
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return sites;
}

async function child(setting: Setting, sitesToo: boolean): Promise<void> {
  const { parse } = await import("graphql");
  const { context } = await import("@opentelemetry/api");
  const { AsyncLocalStorageContextManager } = await import("@opentelemetry/context-async-hooks");
  const { BasicTracerProvider, BatchSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
  const { getHeapStatistics } = await import("node:v8");
  const engine = await import("../src/index.js");
  const { Kvetch, memoryBackend } = await import("../src/kvetch/index.js");
  const { todoKvetchSchema, todoPlans, todoTypeDefs, todoViewQuery } = await import("../examples/todo/schema.js");
  const { seedTodo } = await import("../examples/todo/seed.js");
  const dropping = { export: (_batch: unknown, done: (result: { code: number }) => void) => done({ code: 0 }), shutdown: async () => undefined };
  const freeContext = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 };
  const freeSpan: Record<string, unknown> = {};
  Object.assign(freeSpan, {
    spanContext: () => freeContext,
    isRecording: () => true,
    end: () => undefined,
    recordException: () => undefined,
    ...Object.fromEntries(["setAttribute", "setAttributes", "addEvent", "addLink", "addLinks", "setStatus", "updateName"].map((m) => [m, () => freeSpan])),
  });
  const freeProvider = { getTracer: () => ({ startSpan: () => freeSpan, startActiveSpan: () => undefined }) };
  if (setting !== "off") context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const keepAll = { maxQueueSize: 1_000_000, maxExportBatchSize: 1_000_000, scheduledDelayMillis: 1e9 };
  const tracing =
    setting === "off" || setting === "server"
      ? false
      : setting === "free"
        ? { tracerProvider: freeProvider as never }
        : { tracerProvider: new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping as never, keepAll)] }), steps: setting };
  const schema = engine.makeSchema({ typeDefs: todoTypeDefs, plans: todoPlans, planContext: { kvetchSchema: todoKvetchSchema }, tracing });
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 10, itemsPerList: 5 });
  const args = { schema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch } };
  let execute = engine.execute;
  if (setting === "server") {
    const key = Symbol("server");
    const run = execute;
    execute = ((a: typeof args) => context.with(context.active().setValue(key, a), run, undefined, a)) as typeof execute;
  }
  for (let i = 0; i < 3000; i++) await execute(args);
  const windows: number[] = [];
  for (let w = 0; w < 5; w++) {
    (globalThis as { gc?: () => void }).gc!();
    const before = getHeapStatistics().used_heap_size;
    for (let i = 0; i < 200; i++) await execute(args);
    windows.push((getHeapStatistics().used_heap_size - before) / 200);
  }
  windows.sort((a, b) => a - b);
  const sites = sitesToo ? await allocationSites(1000, () => execute(args)) : undefined;
  console.log(JSON.stringify({ setting, bytesPerRequest: Math.round(windows[2]!), windows: windows.map(Math.round), sites }));
}

/** Each setting's bytes per request against the server baseline's, by owner, then its largest sites. */
function printSites(sitesOf: Map<Setting, Record<string, number>>): void {
  const base = sitesOf.get("server")!;
  for (const [setting, sites] of sitesOf) {
    if (setting === "server" || setting === "off") continue;
    const diff = new Map<string, number>();
    for (const key of new Set([...Object.keys(sites), ...Object.keys(base)])) diff.set(key, (sites[key] ?? 0) - (base[key] ?? 0));
    const owners = new Map<string, number>();
    for (const [key, bytes] of diff) owners.set(key.split("|")[0]!, (owners.get(key.split("|")[0]!) ?? 0) + bytes);
    console.log(`\n${setting} − server baseline, bytes per request by owner:`);
    for (const [owner, bytes] of [...owners].sort((a, b) => b[1] - a[1])) console.log(`  ${bytes.toFixed(0).padStart(7)}  ${owner}`);
    console.log("  largest sites:");
    for (const [key, bytes] of [...diff].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${bytes.toFixed(0).padStart(7)}  ${key.replace("|", ": ")}`);
  }
}

const argv = process.argv.slice(2);
if (argv[0] === "--child") {
  await child(argv[1] as Setting, argv.includes("--sites"));
  process.exit(0);
} else if (process.argv[1]?.endsWith("tracingBytes.ts")) {
  const self = fileURLToPath(import.meta.url);
  const flags = ["--expose-gc", "--max-semi-space-size=128", "--min-semi-space-size=128"];
  const sitesToo = argv.includes("--sites");
  const sitesOf = new Map<Setting, Record<string, number>>();
  console.log(`Bytes per todo view request, memory backend, Node ${process.version}:`);
  for (const setting of SETTINGS) {
    const out = spawnSync(process.execPath, [...flags, ...process.execArgv, self, "--child", setting, ...(sitesToo ? ["--sites"] : [])], { encoding: "utf8" });
    if (out.status !== 0) throw new Error(`tracing-bytes: the ${setting} process failed: ${out.stderr.trim().split("\n").slice(-3).join(" ")}`);
    const result = JSON.parse(out.stdout.trim().split("\n").pop()!) as { bytesPerRequest: number; windows: number[]; sites?: Record<string, number> };
    console.log(`${setting.padEnd(7)} ${(result.bytesPerRequest / 1024).toFixed(1)} KB  (windows: ${result.windows.map((b) => (b / 1024).toFixed(1)).join(", ")})`);
    if (result.sites !== undefined) sitesOf.set(setting, result.sites);
  }
  if (sitesToo) printSites(sitesOf);
}
