// What a load run saw, per phase of the run: requests, failures (with their distinct messages), stale reads
// and each request's latency, printed as the figures of the run. The tests assert the counts; the latencies
// are printed for the record only (tests never time).

/** The p-th percentile (0–100) of `ms`, nearest rank; 0 for none. */
export function percentile(ms: readonly number[], p: number): number {
  if (ms.length === 0) return 0;
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export class LoadRecord {
  readonly requests: number[];
  readonly failures: number[];
  readonly stale: number[];
  /** Items of reads that were judged against an answered write. */
  judged = 0;
  private readonly latencies: number[][];
  private readonly failureMessages = new Set<string>();

  constructor(readonly phases: readonly string[]) {
    this.requests = phases.map(() => 0);
    this.failures = phases.map(() => 0);
    this.stale = phases.map(() => 0);
    this.latencies = phases.map(() => []);
  }

  /** One request sent in `phase`, answered after `ms`, failed with `failure` if it did. */
  add(phase: number, ms: number, failure?: string): void {
    this.requests[phase]!++;
    this.latencies[phase]!.push(ms);
    if (failure === undefined) return;
    this.failures[phase]!++;
    this.failureMessages.add(failure);
  }

  get sent(): number {
    return this.requests.reduce((a, b) => a + b, 0);
  }
  get failed(): number {
    return this.failures.reduce((a, b) => a + b, 0);
  }
  get totalStale(): number {
    return this.stale.reduce((a, b) => a + b, 0);
  }

  /** The distinct failure messages, for an assertion's message. */
  messages(): string {
    return [...this.failureMessages].slice(0, 10).join(" | ");
  }

  /** The figures per phase and in all: requests, failed, stale, p50/p99/max latency. */
  table(title: string): string {
    const row = (name: string, requests: number, failed: number, stale: number, ms: number[]): string =>
      `  | ${name} | ${requests} | ${failed} | ${stale} | ${percentile(ms, 50).toFixed(0)} | ${percentile(ms, 99).toFixed(0)} | ${percentile(ms, 100).toFixed(0)} |`;
    const lines = [`  ${title}`, "  | phase | requests | failed | stale | p50 ms | p99 ms | max ms |", "  |---|---:|---:|---:|---:|---:|---:|"];
    if (this.phases.length > 1) for (let p = 0; p < this.phases.length; p++) lines.push(row(this.phases[p]!, this.requests[p]!, this.failures[p]!, this.stale[p]!, this.latencies[p]!));
    lines.push(row("all", this.sent, this.failed, this.totalStale, this.latencies.flat()));
    return lines.join("\n");
  }
}
