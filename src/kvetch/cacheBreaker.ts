// The cache's circuit breaker (spec/kvetch-storage.md §7.4): a Redis that keeps its connections but stops
// answering is bypassed after a few timed-out round trips and probed in the background until it answers.
// Never makes a caller wait for a probe, and never counts an answer (even an error reply) as a failure.

import type { BreakerOptions } from "./backend.js";
import type { BreakerState } from "./shardGuard.js";
import { DEFAULT_BREAKER, breakerSettings } from "./shardGuard.js";

/** Whether a failed round trip says Redis did not answer (a timeout, a lost or closed connection). */
export function notAnswering(error: unknown): boolean {
  // A ReplyError is Redis answering with an error: it is up. CacheNotReady: a check Kvetch could not make yet.
  return !(error instanceof Error && (error.name === "ReplyError" || error.name === "CacheNotReady"));
}

/** The first "did not answer" error among a pipeline's replies, or null when Redis answered every command. */
export function pipelineFailure(replies: readonly [Error | null, unknown][] | null): Error | null {
  if (replies === null) return new Error("the pipeline was not sent");
  for (let i = 0; i < replies.length; i++) {
    const error = replies[i]![0];
    if (error !== null && notAnswering(error)) return error;
  }
  return null;
}

/**
 * spec: CacheBreaker — counts consecutive round trips Redis did not answer; at `failureThreshold` it opens
 * and the cache is not used (no round trip) until a probe, started in the background at most once every
 * `probeIntervalMs`, is answered.
 */
export class CacheBreaker {
  private readonly settings: Required<BreakerOptions> | null;
  private failures = 0;
  private open = false;
  private openedAt = 0;
  private probing = false;
  /** Probes sent so far (for health reports and tests). */
  probes = 0;

  constructor(
    options: BreakerOptions | false | undefined,
    /** The probe: one round trip; resolves true when Redis answered. */
    private readonly probe: () => Promise<boolean>,
  ) {
    this.settings = breakerSettings(options);
  }

  get state(): BreakerState {
    if (!this.open) return "closed";
    return this.probing || Date.now() - this.openedAt < this.settings!.probeIntervalMs ? "open" : "half-open";
  }

  /** How often an open breaker may be probed (the default when the breaker is off). */
  get probeIntervalMs(): number {
    return this.settings?.probeIntervalMs ?? DEFAULT_BREAKER.probeIntervalMs;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Whether a round trip may be sent now. When a probe is due, starts it (not awaited) and still answers false. */
  allows(): boolean {
    if (!this.open) return true;
    if (this.state === "half-open") this.probeCache();
    return false;
  }

  /** spec: probeCache — one background round trip; its answer closes the breaker, its failure re-opens it. */
  probeCache(): void {
    if (this.probing) return;
    this.probing = true;
    this.probes++;
    this.probe().then(
      (answered) => {
        this.probing = false;
        if (answered) this.succeeded();
        else this.reopen();
      },
      () => {
        this.probing = false;
        this.reopen();
      },
    );
  }

  /** Redis answered a round trip. */
  succeeded(): void {
    this.failures = 0;
    this.open = false;
  }

  /** A round trip failed; counted only when it says Redis did not answer. */
  failed(error: unknown): void {
    if (this.settings === null || !notAnswering(error)) return;
    this.failures++;
    if (this.failures >= this.settings.failureThreshold) this.reopen();
  }

  private reopen(): void {
    if (this.settings === null) return;
    this.open = true;
    this.openedAt = Date.now();
  }
}
