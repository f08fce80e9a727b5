// Runs the measured tables (measuredTable.ts) of one bench process: the sections' own files are imported
// here, lazily, so the table format and its rendering import none of them.

import { MEASURED_TABLE_IDS, type MeasuredTable } from "./measuredTable.js";

/**
 * Every measured table of one bench process whose id `selected` accepts, in MEASURED_TABLE_IDS order; a
 * table that fails is reported through `failed` and left out. Imports its sections lazily so that a process
 * measuring none of them loads none of them.
 */
export async function runMeasuredTables(selected: (id: string) => boolean, offset: number, failed: (id: string, error: unknown) => void, quick = false): Promise<MeasuredTable[]> {
  const out: MeasuredTable[] = [];
  // A section may return null: it had nothing to measure on this machine (and printed why).
  const sections: Record<(typeof MEASURED_TABLE_IDS)[number], () => Promise<MeasuredTable | null>> = {
    "plan-import": async () => (await import("./planImport.js")).runPlanImportScenario(),
    "partial-planning": async () => (await import("./partialPlanning.js")).runPartialPlanningScenario(),
    batching: async () => (await import("./batching.js")).runBatchingScenario({ bursts: 20, offset }),
    "deps-overhead": async () => (await import("./depsOverhead.js")).runDepsOverheadScenario({ rounds: quick ? 1 : 17 }),
    "tracing-overhead": async () => (await import("./tracingOverhead.js")).runTracingOverheadScenario({ rounds: quick ? 1 : 15 }),
    "live-rerun-calls": async () => (await import("./liveRerunCalls.js")).runLiveRerunCallsScenario(),
    "live-latency": async () => (await import("./liveLatency.js")).runLiveLatencyScenario({ writes: quick ? 8 : 200, offset }),
    "live-scale-mysql": async () => null, // minutes long: run in a process of its own by bench/run.ts (bench/liveScaleMysql.ts)
    "cache-breaker": async () => (await import("./cacheBreaker.js")).runCacheBreakerScenario({ rounds: quick ? 1 : 9 }),
    "request-lanes": async () => (await import("./requestLanes.js")).runRequestLanesScenario({ pairs: quick ? 1 : 5 }),
    // Measured elsewhere: in the memory processes (--expose-gc) and by `npm run bench -- --http`.
    "memory-nested-lists": async () => null,
    http: async () => null,
  };
  for (const id of MEASURED_TABLE_IDS) {
    if (!selected(id)) continue;
    try {
      const table = await sections[id]();
      if (table !== null) out.push(table);
    } catch (error) {
      failed(id, error);
    }
  }
  return out;
}
