// Measures one scenario: set it up, check every engine's result equal and count its round trips, time each
// engine with benchmark.js, and profile graphscale where it does not clearly win a comparison. Nothing is timed unless the
// check passed (checkScenario throws first); always closes what setup opened.

import { checkScenario, timeEngine, type EngineTiming, type Scenario, type TimingOptions } from "./scenario.js";
import { compare, machineInfo, type Comparison, type EngineResult, type ScenarioResult } from "./report.js";
import { profileEngine, type ProfileSummary } from "./profile.js";

/** A scenario to set up (seed a store, open connections) right before it runs, and tear down after. */
export interface ScenarioEntry {
  readonly id: string;
  setup(): Promise<{ scenario: Scenario; backend: string; close?: () => Promise<void> }>;
}

export interface BenchOptions {
  mysql: boolean;
  only: RegExp | null;
  timing: TimingOptions;
  /** Timing rounds per engine (alternating engines); the fastest round is reported. */
  rounds: number;
  profile: boolean;
  /** Profile every engine, not only graphscale where it lost. */
  profileAll: boolean;
  profileSeconds: number;
  /** Which engine each round starts with (this process's index): processes spread warm-up effects over every engine. */
  engineOffset?: number;
}

/** Check, count, time and (on a loss) profile one scenario; returns its result. */
export async function runScenario(entry: ScenarioEntry, options: BenchOptions): Promise<ScenarioResult> {
  const { scenario, backend, close } = await entry.setup();
  const machine = machineInfo(process.env.GRAPHSCALE_BENCH_BUILD === "bundle" ? "bundle" : "source");
  try {
    const checks = await checkScenario(scenario);
    // Rounds alternate the engines, and each engine keeps its fastest round: on a shared machine other
    // processes only ever slow a round down, and alternating spreads that over every engine alike.
    const best: Array<EngineTiming | null> = scenario.engines.map(() => null);
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < scenario.engines.length; k++) {
        const i = (k + (options.engineOffset ?? 0)) % scenario.engines.length;
        const engine = scenario.engines[i]!;
        if (process.stdout.isTTY) process.stdout.write(`  ${scenario.id}: round ${round + 1}/${options.rounds}, timing ${engine.name}...\r`);
        const t = await timeEngine(engine, checks[i]!.async, options.timing);
        if (best[i] === null || t.hz > best[i]!.hz) best[i] = t;
      }
    }
    const engines: EngineResult[] = scenario.engines.map((engine, i) => ({ key: engine.key, name: engine.name, ...best[i]!, counts: checks[i]!.counts }));
    if (process.stdout.isTTY) process.stdout.write(" ".repeat(80) + "\r");
    const comparisons = (scenario.comparisons ?? [])
      .map((c) => compare(engines, c.engine, c.against))
      .filter((c): c is Comparison => c !== null);
    const profiles: ProfileSummary[] = [];
    if (options.profile) {
      const profiled = new Set(options.profileAll ? scenario.engines.map((e) => e.key) : comparisons.filter((c) => c.ratio < 1 || c.withinMargin).map((c) => c.engine));
      for (const key of profiled) {
        const at = scenario.engines.findIndex((e) => e.key === key);
        profiles.push(await profileEngine(scenario.engines[at]!, checks[at]!.async, options.profileSeconds));
      }
    }
    return {
      id: scenario.id,
      title: scenario.title,
      ...(scenario.shape !== undefined ? { shape: scenario.shape } : {}),
      description: scenario.description,
      backend,
      machine,
      timing: { ...options.timing, rounds: options.rounds },
      engines,
      comparisons,
      profiles,
    };
  } finally {
    await close?.();
  }
}

