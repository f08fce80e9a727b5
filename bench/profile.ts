// CPU profile of one engine running one scenario, taken in-process with node:inspector while the engine
// runs requests back to back. Summarized as top self-time functions, overall and inside graphscale
// (src/engine, steps), so a lost scenario comes with the hot spots that explain it. Never times anything.

import { Session } from "node:inspector/promises";
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Engine } from "./scenario.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  /** "executeStep (src/engine/executeBucket.ts:101)" */
  readonly where: string;
  readonly selfMs: number;
  /** Share of all sampled time, percent. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly engine: string;
  readonly requests: number;
  readonly sampledMs: number;
  /** Self time by area: "src/engine", "steps", "graphql", "bench", "node/v8 (gc, idle, natives)". */
  readonly byArea: Readonly<Record<string, number>>;
  readonly topOverall: readonly HotSpot[];
  readonly topInGraphscale: readonly HotSpot[];
}

// The bench runs bundled outside bench/, so run.ts passes the bench directory along.
const repoRoot = process.env.GRAPHSCALE_BENCH_DIR ? `${resolve(process.env.GRAPHSCALE_BENCH_DIR, "..")}/` : fileURLToPath(new URL("..", import.meta.url));

function areaOf(file: string): string {
  if (file.includes("node_modules/graphql/")) return "graphql";
  if (file.includes("node_modules/")) return "node_modules (other)";
  if (file.startsWith("src/engine/")) return "src/engine";
  if (file.startsWith("steps/")) return "steps";
  if (file.startsWith("src/kvetch/")) return "src/kvetch";
  if (file.startsWith("bench/")) return "bench";
  if (file.startsWith("examples/")) return "examples";
  return "node/v8 (gc, idle, natives)";
}

/** Source maps of bundled files (the bench runs as one bundle), so frames name the original source. */
const sourceMaps = new Map<string, { map: SourceMap; dir: string } | null>();

function sourceMapOf(file: string): { map: SourceMap; dir: string } | null {
  let entry = sourceMaps.get(file);
  if (entry === undefined) {
    entry = existsSync(`${file}.map`) ? { map: new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8"))), dir: dirname(file) } : null;
    sourceMaps.set(file, entry);
  }
  return entry;
}

/** "name (path:line)" with the path relative to the repository, mapped through source maps. */
function locate(frame: ProfileNode["callFrame"]): { where: string; file: string } {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return { where: name, file: "" };
  let file = frame.url.startsWith("file://") ? fileURLToPath(frame.url) : frame.url;
  let line = frame.lineNumber + 1;
  const mapped = file.startsWith("/") ? sourceMapOf(file) : null;
  if (mapped !== null) {
    const hit = mapped.map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number };
    if (hit.originalSource) {
      const source = hit.originalSource.startsWith("file://") ? fileURLToPath(hit.originalSource) : resolve(mapped.dir, hit.originalSource);
      file = source;
      line = (hit.originalLine ?? 0) + 1;
    }
  }
  if (file.startsWith(repoRoot)) file = relative(repoRoot, file);
  // A source from another checkout of the project (a bundle cache shared between checkouts): from its top folder on.
  else if (file.startsWith("/") && !file.includes("node_modules/")) file = /\/((?:src|steps|bench|examples)\/.*)$/.exec(file)?.[1] ?? file;
  if (file.includes("node_modules/")) file = file.slice(file.lastIndexOf("node_modules/"));
  return { where: `${name} (${file.replace(/^node_modules\//, "")}:${line})`, file };
}

/** Runs `engine` for about `seconds` under the CPU profiler and summarizes where the time went. */
export async function profileEngine(engine: Engine, async: boolean, seconds: number, top = 12): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  const until = Date.now() + seconds * 1000;
  let requests = 0;
  while (Date.now() < until) {
    // Sync engines run in slices so the profiler's own messages are not starved for the whole window.
    for (let i = 0; i < 20 && Date.now() < until; i++) {
      const r = engine.run();
      if (async) await r;
      requests++;
    }
    if (!async) await new Promise((resolve) => setImmediate(resolve));
  }
  const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: CpuProfile };
  await session.post("Profiler.disable");
  session.disconnect();

  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) byId.set(node.id, node);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byPlace = new Map<string, { us: number; area: string }>();
  const byArea: Record<string, number> = {};
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const { where: place, file } = locate(byId.get(id)!.callFrame);
    const area = areaOf(file);
    const entry = byPlace.get(place);
    if (entry) entry.us += us;
    else byPlace.set(place, { us, area });
    byArea[area] = (byArea[area] ?? 0) + us;
    totalUs += us;
  }
  const spots = [...byPlace].sort((a, b) => b[1].us - a[1].us);
  const toSpot = ([where, { us }]: [string, { us: number }]): HotSpot => ({
    where,
    selfMs: Math.round(us / 100) / 10,
    percent: Math.round((us / totalUs) * 1000) / 10,
  });
  const areaMs: Record<string, number> = {};
  for (const [area, us] of Object.entries(byArea).sort((a, b) => b[1] - a[1])) areaMs[area] = Math.round(us / 100) / 10;
  return {
    engine: engine.name,
    requests,
    sampledMs: Math.round(totalUs / 1000),
    byArea: areaMs,
    topOverall: spots.slice(0, top).map(toSpot),
    topInGraphscale: spots.filter(([, v]) => v.area === "src/engine" || v.area === "steps").slice(0, top).map(toSpot),
  };
}
