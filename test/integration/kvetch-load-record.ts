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

  /** The figures per phase and in all: requests, failed, stale (when reads were judged), p50/p99/max latency. */
  table(title: string): string {
    const judging = this.judged > 0;
    const row = (name: string, requests: number, failed: number, stale: number, ms: number[]): string =>
      `  | ${[name, requests, failed, ...(judging ? [stale] : []), ...[50, 99, 100].map((p) => percentile(ms, p).toFixed(0))].join(" | ")} |`;
    const heads = ["phase", "requests", "failed", ...(judging ? ["stale"] : []), "p50 ms", "p99 ms", "max ms"];
    const lines = [`  ${title}`, `  | ${heads.join(" | ")} |`, `  |---|${heads.slice(1).map(() => "---:").join("|")}|`];
    if (this.phases.length > 1) for (let p = 0; p < this.phases.length; p++) lines.push(row(this.phases[p]!, this.requests[p]!, this.failures[p]!, this.stale[p]!, this.latencies[p]!));
    lines.push(row("all", this.sent, this.failed, this.totalStale, this.latencies.flat()));
    return lines.join("\n");
  }
}
