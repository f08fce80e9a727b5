// Instructions per request of one HTTP bench server process, counted by callgrind: `npx tsx
// bench/http/instructions.ts --library=yoga --engine=graphscale --shape=small [--warm=4000] [--count=2000]
// [--rounds=3] [--connections=20]`. Bundles bench/http/server.ts (esbuild, into node_modules/.cache so its
// imports resolve), starts it as `valgrind --tool=callgrind --dump-before=uv_getrusage node --single-threaded`,
// drives it with autocannon from this process, and has the server call `process.cpuUsage()` (libuv's
// uv_getrusage) when it has answered `warm` requests and after every `count` more: each measured round is a
// callgrind part of its own, whose instructions ÷ `count` are the round's instructions per request (the
// whole server: HTTP parsing, the server library, the engine, JSON, GC). Prints each round's figure and the
// smallest. Load-independent: explains and compares per-request cost; the tables' rates stay the bench's.

import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { build } from "tsup";
import { ENGINES, LIBRARIES, SHAPES, type EngineKey, type Library, type ShapeKey } from "./app.js";

const arg = (name: string, fallback: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const library = arg("library", "yoga") as Library;
const engine = arg("engine", "graphscale") as EngineKey;
const shape = arg("shape", "small") as ShapeKey;
const warm = Number(arg("warm", "4000"));
const count = Number(arg("count", "2000"));
const rounds = Number(arg("rounds", "3"));
const connections = Number(arg("connections", "20"));
if (!LIBRARIES.includes(library) || !ENGINES.includes(engine) || !SHAPES.includes(shape) || shape === "todo-mysql") {
  throw new Error(`bench/http/instructions: --library=${LIBRARIES.join("|")} --engine=${ENGINES.join("|")} --shape=todo-memory|small`);
}

const here = fileURLToPath(new URL(".", import.meta.url));
const outDir = join(here, "..", "..", "node_modules", ".cache", `graphscale-http-instructions-${process.pid}`);
await build({
  entry: { server: join(here, "server.ts") },
  format: ["esm"],
  outDir,
  outExtension: () => ({ js: ".mjs" }),
  target: "node20",
  platform: "node",
  splitting: false,
  skipNodeModulesBundle: true,
  config: false,
  dts: false,
  silent: true,
});
const parts = mkdtempSync(join(tmpdir(), "graphscale-http-callgrind-"));
const config = { library, engine, shape, marks: { warm, count, rounds } };
const child = spawn(
  "valgrind",
  ["--tool=callgrind", "--dump-before=uv_getrusage", `--callgrind-out-file=${join(parts, "cg.out")}`, process.execPath, "--single-threaded", join(outDir, "server.mjs"), JSON.stringify(config)],
  { stdio: ["ignore", "inherit", "inherit", "ipc"], env: { ...process.env, NODE_ENV: "production" } },
);
const ready = await new Promise<{ port: number; body: unknown }>((resolve, reject) => {
  child.on("message", (m: { type: string; port: number; body: unknown; message?: string }) => (m.type === "ready" ? resolve(m) : m.type === "error" ? reject(new Error(m.message)) : undefined));
  child.once("exit", (code) => reject(new Error(`the server exited (code ${code})`)));
});
const marked = new Promise<void>((resolve) => child.on("message", (m: { type: string }) => m.type === "marked" && resolve()));
await autocannon({
  url: `http://127.0.0.1:${ready.port}/graphql`,
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json" },
  body: JSON.stringify(ready.body),
  connections,
  amount: warm + count * rounds + connections,
  timeout: 600,
});
await marked;
child.send({ type: "close" });
await new Promise((resolve) => child.once("exit", resolve));
rmSync(outDir, { recursive: true, force: true });

// Parts: cg.out.1 (start-up and warm-up), then for each round a part ending at its closing cpuUsage call.
const summaries = readdirSync(parts)
  .filter((f) => /^cg\.out\.\d+$/.test(f))
  .sort((a, b) => Number(a.split(".").at(-1)) - Number(b.split(".").at(-1)))
  .map((f) => Number(/^summary:\s+(\d+)/m.exec(readFileSync(join(parts, f), "utf8"))?.[1] ?? Number.NaN));
const perRequest = summaries.slice(1, 1 + rounds).map((n) => n / count);
console.log(`${library} · ${engine} · ${shape}: instructions per request by round ${perRequest.map((n) => (n / 1000).toFixed(1) + "k").join(", ")}; smallest ${(Math.min(...perRequest) / 1000).toFixed(1)}k (parts in ${parts})`);
