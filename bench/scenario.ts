// A bench scenario: the same query run by several engines over the same data. Before anything is timed,
// every engine's result is checked deep-equal (as JSON) to the first engine's and the store round trips of
// one request are counted; a mismatch aborts the scenario. Timing is benchmark.js; this file never edits data.

import { isDeepStrictEqual } from "node:util";
import Benchmark from "benchmark";

/** One way of answering the scenario's request: graphscale plans, graphql-js resolvers, ... */
export interface Engine {
  /** Stable id used in results files ("graphscale", "graphql-js", "graphql-js+dataloader", ...). */
  readonly key: string;
  /** What RESULTS.md calls it. */
  readonly name: string;
  /** Runs one whole request (fresh per-request state, e.g. DataLoaders) and returns the GraphQL result. */
  run(): unknown;
}

/** What the store did for one request; null where the scenario has no store. */
export interface StoreCounts {
  /** Batch calls on the store's API (one call may touch several shards). */
  storeCalls: number;
  /** Round trips to shards plus cache nodes. */
  roundTrips: number;
  rowsFetched: number;
}

export interface Scenario {
  /** File name of the results (`bench/results/<id>.json`). */
  readonly id: string;
  readonly title: string;
  /** The row label in the table against graphql-js, graphql-jit and Grafast (CPU shapes only). */
  readonly shape?: string;
  /** One or two sentences: the data, the query, what is measured. */
  readonly description: string;
  readonly engines: readonly Engine[];
  /** Reads and zeroes the store's counters; absent for scenarios without a store. */
  readonly takeCounts?: () => StoreCounts;
  /** The ops/s comparisons that decide a win or a loss (engine against engine); others are informative. */
  readonly comparisons?: ReadonlyArray<{ readonly engine: string; readonly against: string }>;
}

export interface EngineCheck {
  readonly key: string;
  readonly counts: StoreCounts | null;
  /** Whether `run()` returned a promise (timed as a deferred benchmark). */
  readonly async: boolean;
}

export class ScenarioMismatchError extends Error {
  override readonly name = "ScenarioMismatchError";
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value != null && typeof (value as { then?: unknown }).then === "function";
}

/** The first place two JSON values differ, as a path ("data.user.lists[3].name"), or null when equal. */
export function firstDifference(a: unknown, b: unknown, path = "$"): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path} (a list of ${a.length} vs ${b.length} items)`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
  } else if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    for (const k of ka) {
      if (!(k in b)) return `${path}.${k} (missing on the right)`;
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d !== null) return d;
    }
    for (const k of kb) if (!(k in a)) return `${path}.${k} (missing on the left)`;
  }
  return `${path} (${short(a)} vs ${short(b)})`;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Runs every engine once, checks the results are deep-equal (as JSON) and error-free, then counts the
 * store round trips of a second request per engine. Throws ScenarioMismatchError naming the engine and the first
 * differing path; nothing may be timed after that.
 */
export async function checkScenario(scenario: Scenario): Promise<EngineCheck[]> {
  const checks: EngineCheck[] = [];
  let expected: unknown = undefined;
  let expectedFrom = "";
  scenario.takeCounts?.();
  for (const engine of scenario.engines) {
    let result: unknown;
    let async = false;
    try {
      result = engine.run();
      if (isPromiseLike(result)) {
        async = true;
        result = await result;
      }
    } catch (error) {
      throw new ScenarioMismatchError(`${scenario.id}: ${engine.name} threw before timing: ${(error as Error)?.stack ?? String(error)}`);
    }
    // Counted on a second request, so caches (Redis, plan cache) are warm as in steady state.
    let counts: StoreCounts | null = null;
    if (scenario.takeCounts) {
      scenario.takeCounts();
      await engine.run();
      counts = scenario.takeCounts();
    }
    const json: unknown = JSON.parse(JSON.stringify(result) ?? "null");
    const errors = (json as { errors?: unknown[] } | null)?.errors;
    if (errors && errors.length > 0) {
      throw new ScenarioMismatchError(`${scenario.id}: ${engine.name} returned errors, nothing was timed: ${short(errors)}`);
    }
    if (checks.length === 0) {
      expected = json;
      expectedFrom = engine.name;
    } else {
      const diff = firstDifference(expected, json);
      if (diff !== null) {
        throw new ScenarioMismatchError(
          `${scenario.id}: ${engine.name} gave a different result than ${expectedFrom}, first at ${diff}; the scenario is aborted and nothing was timed.`,
        );
      }
    }
    checks.push({ key: engine.key, counts, async });
  }
  return checks;
}

export interface TimingOptions {
  /** Seconds benchmark.js may spend sampling one engine. */
  maxTime: number;
  minSamples: number;
  /** Seconds of untimed requests before sampling, so JIT-compiling engines are measured warm (default 0). */
  warmup?: number;
}

export interface EngineTiming {
  readonly hz: number;
  /** Relative margin of error, percent (benchmark.js's ±). */
  readonly rme: number;
  /** Mean time per request, milliseconds. */
  readonly meanMs: number;
  readonly samples: number;
}

/** Runs requests back to back, untimed, for `seconds`. */
async function warmUp(engine: Engine, async: boolean, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (async) await engine.run();
    else for (let i = 0; i < 10; i++) engine.run();
  }
}

/** Times one engine with benchmark.js (after its warm-up); async engines run as deferred benchmarks, one request at a time. */
export async function timeEngine(engine: Engine, async: boolean, options: TimingOptions): Promise<EngineTiming> {
  if (options.warmup) await warmUp(engine, async, options.warmup);
  return new Promise((resolve, reject) => {
    const fn = async
      ? (deferred: { resolve(): void }) => {
          (engine.run() as PromiseLike<unknown>).then(
            () => deferred.resolve(),
            (error: unknown) => {
              failure = error;
              deferred.resolve();
            },
          );
        }
      : () => {
          engine.run();
        };
    let failure: unknown = null;
    const bench = new Benchmark(engine.name, {
      fn,
      defer: async,
      maxTime: options.maxTime,
      minSamples: options.minSamples,
      onComplete() {
        const error = failure ?? (bench as unknown as { error?: unknown }).error;
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        resolve({ hz: bench.hz, rme: bench.stats.rme, meanMs: bench.stats.mean * 1000, samples: bench.stats.sample.length });
      },
    });
    bench.run({ async: true });
  });
}
