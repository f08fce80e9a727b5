// Combines the bench's separate Node processes into one result per scenario: the median of the per-process
// figures, with their min and max. One process's numbers carry that process's JIT and GC luck; the median
// of three or more does not. Pure functions over results files; never runs anything.

import type { Comparison, EngineResult, MachineInfo, ScenarioResult } from "./report.js";
import type { MemoryResult } from "./memory.js";
import type { LatencyResult } from "./scenarios/latency.js";
import { aggregateMeasuredTables, type MeasuredTable } from "./measuredTable.js";
import { median } from "./median.js";

/** What one bench process wrote (`--raw-out`). */
export interface ProcessRun {
  index: number;
  machine: MachineInfo;
  scenarios: ScenarioResult[];
  memory: MemoryResult | null;
  latency: LatencyResult | null;
  /** Scenarios that aborted in this process, with the reason. */
  failures: string[];
  /** Plan import, partial planning and batching tables (absent in results of older runs). */
  tables?: MeasuredTable[];
}

export { median };

function byKey<T extends { key: string }>(runs: ReadonlyArray<{ engines: readonly T[] }>, key: string): T[] {
  return runs.map((r) => r.engines.find((e) => e.key === key)).filter((e): e is T => e !== undefined);
}

/**
 * One scenario measured in several processes → medians (ops/s), min–max, and each comparison's ratio: the
 * median of the per-process ratios (compareRuns).
 */
export function aggregateScenario(runs: readonly ScenarioResult[]): ScenarioResult {
  const first = runs[0];
  if (first === undefined) throw new Error("aggregateScenario: no runs");
  const engines: EngineResult[] = first.engines.map((e) => {
    const all = byKey(runs, e.key);
    const hzRuns = all.map((x) => x.hz);
    const hz = median(hzRuns);
    return {
      key: e.key,
      name: e.name,
      hz,
      rme: median(all.map((x) => x.rme)),
      meanMs: 1000 / hz,
      samples: all.reduce((n, x) => n + x.samples, 0),
      counts: all.find((x) => x.counts !== null)?.counts ?? null,
      runs: hzRuns,
      hzMin: Math.min(...hzRuns),
      hzMax: Math.max(...hzRuns),
    };
  });
  const comparisons: Comparison[] = first.comparisons.map((c) => compareRuns(runs, engines, c.engine, c.against)).filter((c): c is Comparison => c !== null);
  return {
    ...first,
    // The busiest process's 1-minute load average when it measured this scenario: noise comes from there.
    machine: { ...first.machine, loadAverage: Math.max(...runs.map((r) => r.machine.loadAverage)) },
    engines,
    comparisons,
    processes: runs.length,
    profiles: runs.flatMap((r) => r.profiles),
  };
}

/**
 * The median of the per-process ratios, with their min–max; within the margin when the engines' min–max ranges
 * overlap. Paired, not the ratio of the medians: a process times both engines alternating, so a machine that
 * runs every engine faster in one process than in another (a neighbour's load came or went) moves both sides of
 * that process's ratio alike, while the two medians can come from processes run at different speeds.
 */
function compareRuns(runs: readonly ScenarioResult[], engines: readonly EngineResult[], engine: string, against: string): Comparison | null {
  const a = engines.find((e) => e.key === engine);
  const b = engines.find((e) => e.key === against);
  if (!a || !b) return null;
  const ratios: number[] = [];
  for (const r of runs) {
    const x = r.engines.find((e) => e.key === engine);
    const y = r.engines.find((e) => e.key === against);
    if (x && y) ratios.push(x.hz / y.hz);
  }
  return {
    engine,
    against,
    ratio: ratios.length > 0 ? median(ratios) : a.hz / b.hz,
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    withinMargin: a.hzMin! <= b.hzMax! && b.hzMin! <= a.hzMax!,
  };
}

export function aggregateMemory(runs: readonly MemoryResult[]): MemoryResult {
  const first = runs[0];
  if (first === undefined) throw new Error("aggregateMemory: no runs");
  return {
    ...first,
    engines: first.engines.map((e) => {
      const all = byKey(runs, e.key);
      const extraHeapRuns = all.map((x) => x.extraHeap);
      const retainedRuns = all.map((x) => x.retained);
      return { key: e.key, name: e.name, extraHeap: median(extraHeapRuns), retained: median(retainedRuns), gcs: Math.max(...all.map((x) => x.gcs)), extraHeapRuns, retainedRuns };
    }),
    processes: runs.length,
  };
}

export function aggregateLatency(runs: readonly LatencyResult[]): LatencyResult {
  const first = runs[0];
  if (first === undefined) throw new Error("aggregateLatency: no runs");
  return {
    ...first,
    engines: first.engines.map((e) => {
      const all = byKey(runs, e.key);
      const ms = all.map((x) => x.msPerRequest);
      const msPerRequest = median(ms);
      return {
        ...e,
        msPerRequest,
        msMin: Math.min(...all.map((x) => x.msMin)),
        msMax: Math.max(...all.map((x) => x.msMax)),
        depth: msPerRequest / first.latencyMs,
        runs: ms,
      };
    }),
    processes: runs.length,
  };
}

/** Every scenario, memory and latency result of the processes, aggregated (scenario order of the first process). */
export function aggregateRuns(processes: readonly ProcessRun[]): {
  scenarios: ScenarioResult[];
  memory: MemoryResult | null;
  latency: LatencyResult | null;
  tables: MeasuredTable[];
} {
  const ids: string[] = [];
  for (const p of processes) for (const s of p.scenarios) if (!ids.includes(s.id)) ids.push(s.id);
  const scenarios = ids.map((id) => aggregateScenario(processes.flatMap((p) => p.scenarios.filter((s) => s.id === id))));
  const memory = processes.flatMap((p) => (p.memory ? [p.memory] : []));
  const latency = processes.flatMap((p) => (p.latency ? [p.latency] : []));
  return {
    scenarios,
    memory: memory.length > 0 ? aggregateMemory(memory) : null,
    latency: latency.length > 0 ? aggregateLatency(latency) : null,
    tables: aggregateMeasuredTables(processes.map((p) => p.tables)),
  };
}
