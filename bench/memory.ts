// The memory scenario: a 100,000-object flat list through each engine, measuring the heap a request needs
// on top of what was live before it (peak, from V8's own GC records) and the heap its result keeps alive.
// Needs `node --expose-gc`; bench/run.ts starts these processes with it. Never times anything.

import v8 from "node:v8";
import { parse } from "graphql";
import { executeToJSON } from "../src/index.js";
import type { Engine } from "./scenario.js";
import { firstDifference } from "./scenario.js";
import { loadGrafast, peerEngines } from "./peers.js";
import { makeProducts, productSchemas, productsQuery, twoLevelListSchemas, twoLevelListsSource } from "./scenarios/cpu.js";
import type { MeasuredTable } from "./measuredTable.js";

export const MEMORY_OBJECTS = 100_000;

/** One engine's figures, bytes. */
export interface MemoryEngineResult {
  key: string;
  name: string;
  /** Peak heap above the heap before the request: max of V8's used heap before each GC and at the end. */
  extraHeap: number;
  /** Heap the result keeps alive: used heap after full GCs with the result held, minus before the request. */
  retained: number;
  /** GCs V8 ran during the request (the peak is read from the last moment before each of them). */
  gcs: number;
  /** Per measurement, when aggregated over processes: the per-process medians. */
  extraHeapRuns?: number[];
  retainedRuns?: number[];
}

export interface MemoryResult {
  id: "memory";
  title: string;
  description: string;
  objects: number;
  /** Size of the response as JSON text, bytes (UTF-8). */
  jsonBytes: number;
  engines: MemoryEngineResult[];
  processes?: number;
  date: string;
}

/**
 * The engines of the memory scenario. An engine may answer a result object or its JSON text (a string, or
 * a promise of either): an `executeToJSON` entry is one more line here.
 */
export async function memoryEngines(objects = MEMORY_OBJECTS): Promise<Engine[]> {
  const grafast = await loadGrafast();
  const schemas = productSchemas(makeProducts(objects), grafast);
  const engines = peerEngines({ source: productsQuery, ...schemas }, grafast);
  // executeToJSON: the response as JSON text, written straight from the layers.
  const document = parse(productsQuery);
  const toJSON: Engine = { key: "graphscale-json", name: "graphscale (executeToJSON)", run: (): unknown => executeToJSON({ schema: schemas.planSchema, document }) };
  return [engines[0]!, toJSON, ...engines.slice(1)];
}

type Gc = () => void;

function gcOrThrow(): Gc {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (typeof gc !== "function") throw new Error("the memory scenario needs node --expose-gc (bench/run.ts starts it that way)");
  return () => {
    gc();
    gc();
  };
}

const usedHeap = (): number => v8.getHeapStatistics().used_heap_size;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value != null && typeof (value as { then?: unknown }).then === "function";
}

/** The result as JSON data, whether the engine answered an object or JSON text. */
function asJSON(result: unknown): unknown {
  return typeof result === "string" ? JSON.parse(result) : JSON.parse(JSON.stringify(result));
}

let held: unknown = null;

/** One request, measured: extra heap (peak), retained heap, GCs during it. */
async function measureOnce(engine: Engine, gc: Gc): Promise<{ extraHeap: number; retained: number; gcs: number }> {
  gc();
  const before = usedHeap();
  const profiler = new v8.GCProfiler();
  profiler.start();
  let result = engine.run();
  if (isPromiseLike(result)) result = await result;
  const atEnd = usedHeap();
  const { statistics } = profiler.stop();
  let peak = atEnd;
  for (const s of statistics) peak = Math.max(peak, s.beforeGC.heapStatistics.usedHeapSize);
  held = result;
  gc();
  const retained = usedHeap() - before;
  held = null;
  return { extraHeap: peak - before, retained, gcs: statistics.length };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs every engine once (warm-up: plan caches, compiled query) and checks its data equal to the first engine's; returns the JSON size. */
async function checkEngines(engines: readonly Engine[], what: string): Promise<number> {
  let expected: unknown = null;
  let jsonBytes = 0;
  for (const engine of engines) {
    let result = engine.run();
    if (isPromiseLike(result)) result = await result;
    const json = asJSON(result);
    if (expected === null) {
      expected = json;
      jsonBytes = Buffer.byteLength(JSON.stringify(json));
    } else {
      const diff = firstDifference(expected, json);
      if (diff !== null) throw new Error(`${what}: ${engine.name} gave a different result than ${engines[0]!.name}, first at ${diff}; nothing was measured.`);
    }
  }
  return jsonBytes;
}

type Sample = { extraHeap: number; retained: number; gcs: number };

/** Each engine measured `repeats` times, engines alternating (order rotated by `offset`). */
async function sampleEngines(engines: readonly Engine[], repeats: number, offset: number, gc: Gc): Promise<Sample[][]> {
  const samples = engines.map(() => [] as Sample[]);
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < engines.length; k++) {
      const i = (k + offset) % engines.length;
      samples[i]!.push(await measureOnce(engines[i]!, gc));
    }
  }
  return samples;
}

/** Checks every engine's JSON equal, then measures each engine `repeats` times (engine order rotated by `offset`). */
export async function runMemoryScenario(options: { repeats: number; offset: number; objects?: number }): Promise<MemoryResult> {
  const gc = gcOrThrow();
  const objects = options.objects ?? MEMORY_OBJECTS;
  const engines = await memoryEngines(objects);
  const jsonBytes = await checkEngines(engines, "memory");
  const samples = await sampleEngines(engines, options.repeats, options.offset, gc);
  return {
    id: "memory",
    title: `Memory: a ${objects.toLocaleString("en-US")}-object response`,
    description:
      `\`${productsQuery}\` over ${objects.toLocaleString("en-US")} in-memory objects, once per engine after a warm-up request. ` +
      "Extra heap: the peak of V8's used heap during the request (read before every GC and at the end, via `v8.GCProfiler`) minus the heap after full GCs before it — what the request needs on top of what was live. " +
      "Retained: used heap after full GCs with the result still referenced, minus the same baseline — the size of the result the engine hands back. " +
      "A young-generation GC only runs when the nursery is full, so the peak includes up to a nursery's worth of not-yet-collected garbage.",
    objects,
    jsonBytes,
    engines: engines.map((e, i) => ({
      key: e.key,
      name: e.name,
      extraHeap: median(samples[i]!.map((s) => s.extraHeap)),
      retained: median(samples[i]!.map((s) => s.retained)),
      gcs: Math.max(...samples[i]!.map((s) => s.gcs)),
    })),
    date: new Date().toISOString(),
  };
}

// ---- Nested lists 250 × 250: time, extra heap, retained heap, GCs -----------------------------------

export const NESTED_WIDTH = 250;

/**
 * CPU milliseconds per request of each engine (process.cpuUsage, every thread, GC included): `rounds` rounds of
 * `perRound` requests per engine, engines alternating; the median of the rounds per engine. CPU time, not wall
 * time: on a shared machine, time spent descheduled is not counted.
 */
async function cpuTimeEngines(engines: readonly Engine[], rounds: number, offset: number, perRound = 3): Promise<number[]> {
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const times = engines.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < engines.length; k++) {
      const i = (k + offset) % engines.length;
      const start = cpu();
      for (let n = 0; n < perRound; n++) {
        const result = engines[i]!.run();
        if (isPromiseLike(result)) await result;
      }
      times[i]!.push((cpu() - start) / perRound);
    }
  }
  return times.map(median);
}

/**
 * The 250 × 250 nested-list shape (the CPU table's `cpu-nested-lists-250`) in the memory processes: per engine
 * its milliseconds per request, extra heap, retained heap and GCs, and graphscale's ratios against graphql-jit.
 */
export async function runNestedListsMemoryTable(options: { repeats: number; offset: number; timedRounds?: number; width?: number }): Promise<MeasuredTable> {
  const gc = gcOrThrow();
  const width = options.width ?? NESTED_WIDTH;
  const grafast = await loadGrafast();
  const schemas = twoLevelListSchemas(width, grafast);
  const engines = peerEngines({ source: twoLevelListsSource, ...schemas }, grafast);
  const document = parse(twoLevelListsSource);
  engines.splice(1, 0, { key: "graphscale-json", name: "graphscale (executeToJSON)", run: (): unknown => executeToJSON({ schema: schemas.planSchema, document }) });
  const jsonBytes = await checkEngines(engines, "memory, nested lists");
  const rounds = options.timedRounds ?? 9;
  const ms = await cpuTimeEngines(engines, rounds, options.offset);
  const samples = await sampleEngines(engines, options.repeats, options.offset, gc);
  const jit = engines.findIndex((e) => e.key === "graphql-jit");
  const extraHeap = samples.map((s) => median(s.map((x) => x.extraHeap)) / 1e6);
  return {
    id: "memory-nested-lists",
    title: `Memory: nested lists ${width} × ${width}`,
    description:
      `The CPU table's \`${twoLevelListsSource}\` shape (${(width + width * width).toLocaleString("en-US")} objects, 2 fields each, JSON ${(jsonBytes / 1e6).toFixed(1)} MB) in the memory processes (\`node --expose-gc\`), after a checked warm-up request per engine: ` +
      `CPU ms/request is the process's CPU time (\`process.cpuUsage()\`, all threads, GC included) per request, the median of ${rounds} rounds of 3 requests per engine, engines alternating — on a loaded machine, unlike the CPU table's wall-clock timing of the same shape, time spent descheduled is not counted; extra heap, retained and GCs are measured as in the 100,000-object table above, the median of ${options.repeats} requests per engine. ` +
      "The ratios are graphql-jit's figure over this engine's: above 1× this engine is faster, or needs less heap.",
    rowHeading: "Engine",
    columns: [
      { title: "CPU ms/request", format: "ms" },
      { title: "graphql-jit ÷ this (time)", format: "ratio" },
      { title: "extra heap during execute (MB)", format: "ms" },
      { title: "graphql-jit ÷ this (extra heap)", format: "ratio" },
      { title: "retained result (MB)", format: "ms" },
      { title: "GCs during execute", format: "count" },
    ],
    rows: engines.map((e, i) => ({
      label: e.name,
      values: [ms[i]!, ms[jit]! / ms[i]!, extraHeap[i]!, extraHeap[jit]! / extraHeap[i]!, median(samples[i]!.map((x) => x.retained)) / 1e6, Math.max(...samples[i]!.map((x) => x.gcs))],
    })),
    date: new Date().toISOString(),
  };
}
