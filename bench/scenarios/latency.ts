// The latency-depth scenario: the todo view, and a view three levels deep with a count at the third (each
// list's owner with the owner's list count), on 4 in-memory shards where every round trip takes 20 ms.
// Wall time per request ÷ 20 ms is the number of round trips a request waits for one after another —
// the depth of its data dependencies, whatever it costs in CPU. Requests run one at a time, never timed in
// parallel; the results are checked equal (and store calls counted) before anything is timed.

import { performance } from "node:perf_hooks";
import { checkScenario, type StoreCounts } from "../scenario.js";
import { todoScenario } from "./todo.js";

export const LATENCY_MS = 20;

export interface LatencyEngineResult {
  key: string;
  name: string;
  /** Median wall time of one request, milliseconds (over processes: the median of the per-process medians). */
  msPerRequest: number;
  msMin: number;
  msMax: number;
  /** msPerRequest ÷ the round-trip latency: dependent round trips of wall time. */
  depth: number;
  counts: StoreCounts | null;
  runs?: number[];
}

export interface LatencyResult {
  id: "latency-depth";
  title: string;
  description: string;
  latencyMs: number;
  engines: LatencyEngineResult[];
  processes?: number;
  date: string;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The views measured: the todo view, and three levels with a count at the third (member → loans → book → loanCount). */
const VIEWS = [
  { view: "todo" as const, prefix: "", label: "" },
  { view: "owners" as const, prefix: "owners:", label: ", lists' owners + count" },
];

/** `requests` timed requests per engine and view, engines alternating (order rotated by `offset`). */
export async function runLatencyScenario(options: { requests: number; offset: number }): Promise<LatencyResult> {
  const engines: LatencyEngineResult[] = [];
  for (const { view, prefix, label } of VIEWS) {
    const { scenario, close } = await todoScenario({ id: "latency-depth", lists: 10, items: 5, backend: "memory", latencyMs: LATENCY_MS, view });
    try {
      const checks = await checkScenario(scenario);
      const times = scenario.engines.map(() => [] as number[]);
      for (let r = 0; r < options.requests; r++) {
        for (let k = 0; k < scenario.engines.length; k++) {
          const i = (k + options.offset) % scenario.engines.length;
          const started = performance.now();
          await scenario.engines[i]!.run();
          times[i]!.push(performance.now() - started);
        }
      }
      scenario.engines.forEach((e, i) => {
        const ms = median(times[i]!);
        engines.push({ key: prefix + e.key, name: e.name + label, msPerRequest: ms, msMin: Math.min(...times[i]!), msMax: Math.max(...times[i]!), depth: ms / LATENCY_MS, counts: checks[i]!.counts });
      });
    } finally {
      await close();
    }
  }
  return {
    id: "latency-depth",
    title: `Latency depth: todo view (1 user → 10 lists → 5 items) and lists' owners with their list count (1 user → 10 lists → owner → todoListCount), ${LATENCY_MS} ms per round trip`,
    description:
      `The todo view, and \`todoUser(id) { name todoLists(first: 10) { name owner { name todoListCount } } }\` (three levels with a count at the third, as member → loans → book → loanCount: the data needs 3 dependent round trips), on the Kvetch memory backend (4 shards) with every shard round trip delayed ${LATENCY_MS} ms; requests one at a time. ` +
      `ms/request ÷ ${LATENCY_MS} is how many round trips a request waits for one after another (concurrent round trips to several shards count once).`,
    latencyMs: LATENCY_MS,
    engines,
    date: new Date().toISOString(),
  };
}
