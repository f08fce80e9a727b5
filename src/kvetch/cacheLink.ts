// Whether this process may use its Redis connection right now (spec/kvetch-storage.md §7.3–7.5): the identity
// checked on each new connection, the breaker, and what is owed (remembered invalidations, a flush). Never
// lets the cache be read or filled while any of them says no, and never makes a caller wait on a probe.

import type { Cluster, Redis } from "ioredis";
import type { BreakerOptions } from "./backend.js";
import { CacheBreaker } from "./cacheBreaker.js";
import { flushPrefix } from "./cacheFlush.js";
import { CacheClock, checkCacheIdentity, claimCache, type CacheFloor } from "./cacheIdentity.js";
import { nodeOfTag } from "./cacheNodes.js";
import type { BreakerState } from "./shardGuard.js";

/** The cache's state for health reports (no host or port). */
export interface CacheHealth {
  ok: boolean;
  /** The client's connection status ("ready", "connecting", "reconnecting", "end", …). */
  status: string;
  /** Invalidations remembered while Redis was unreachable (the cache is not used until they are applied). */
  pendingInvalidations: number;
  /** The cache's circuit breaker (spec/kvetch-storage.md §7.4): open while Redis does not answer. */
  breaker: BreakerState;
  /** Consecutive round trips Redis did not answer. */
  failures: number;
  /** Probes sent while the breaker was open, since the store opened. */
  probes: number;
}

/** More failed invalidations than this and the whole key prefix is flushed instead (see syncCache). */
const PENDING_CAP = 10_000;

/** The tag whose slot holds the epoch, the write counter and the identity (`<prefix>{epoch}:…`). */
export const EPOCH_TAG = "epoch";

export class CacheLink {
  readonly clock = new CacheClock();
  readonly breaker: CacheBreaker;
  readonly pending = new Set<string>();
  /** A flush (and claimCache) is owed: too many remembered invalidations, or a replaced Redis. */
  private flushOwed = false;
  /** Counts the times a flush was asked for: one asked during a flush is owed after it. */
  private flushAsked = 0;
  /** Whether checkCacheIdentity passed on the current connection (the cache is not used before). */
  private identityConfirmed = false;
  /** Moves when the connection closes or a replacement is found: a read's gens from before may not refill. */
  incarnation = 0;
  private syncing: Promise<boolean> | null = null;
  /** While something is owed: tries ready() every probeIntervalMs, whether or not the store is in use. */
  private retrying: ReturnType<typeof setInterval> | null = null;
  private isClosed = false;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly singleNode: string | null,
    private readonly prefix: string,
    breaker: BreakerOptions | false | undefined,
    private readonly count: (node: string) => void,
    /** Applies invalidations; returns the tags it could not confirm. */
    private readonly apply: (tags: readonly string[]) => Promise<Set<string>>,
  ) {
    this.breaker = new CacheBreaker(breaker, () => this.probe());
    // A new connection may lead to another Redis: checked (and what is owed applied) before any use.
    client.on("ready", () => void this.ready());
    client.on("close", () => {
      this.identityConfirmed = false;
      this.incarnation++;
    });
  }

  get epochNode(): string | undefined {
    return nodeOfTag(this.client, this.singleNode, EPOCH_TAG);
  }

  /** Whether invalidations (or a flush) are owed to the cache (it is bypassed until they are applied). */
  get behind(): boolean {
    return this.pending.size > 0 || this.flushOwed;
  }

  /** Whether a round trip may be sent now with nothing to check first (starts a due probe of an open breaker). */
  get usable(): boolean {
    return !this.closed && this.client.status === "ready" && this.identityConfirmed && !this.flushOwed && this.breaker.allows();
  }

  /** Whether the version read must wait for ready() first (after a (re)connect or an outage). */
  get unsettled(): boolean {
    return !this.identityConfirmed || this.behind;
  }

  /** Why the cache cannot be used now, for the version store's error ("" when it is only disconnected). */
  get whyUnusable(): string {
    if (this.breaker.state !== "closed") return ` (circuit open after ${this.breaker.consecutiveFailures} round trips without an answer; it is probed in the background)`;
    if (this.flushOwed) return " (it was replaced or restored, or forgot invalidations; its keys are being flushed and every version moved)";
    return "";
  }

  /**
   * observeWriteCounter on this link: false, and the Redis is treated as replaced (flush owed, nothing read
   * with it used or refilled), when the counter or epoch went backwards.
   */
  observe(floor: CacheFloor, counter: string | number | null, epoch?: string | null): boolean {
    if (this.clock.observeWriteCounter(floor, counter, epoch)) return true;
    this.replaced();
    return false;
  }

  /** The Redis is not the one this process used: nothing read before is used or refilled; a flush is owed. */
  private replaced(): void {
    this.flushOwed = true;
    this.flushAsked++;
    this.pending.clear();
    this.identityConfirmed = false;
    this.incarnation++;
    void this.ready();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  close(): void {
    this.isClosed = true;
    if (this.retrying !== null) clearInterval(this.retrying);
    this.retrying = null;
  }

  /**
   * Remembers invalidations that could not be confirmed; past PENDING_CAP, a flush instead. Until they are
   * applied, ready() is tried every probeIntervalMs even in a process that makes no more calls: other
   * processes may read the entries they name (a reconnect starts it at once; a frozen Redis needs the probe).
   */
  remember(tags: readonly string[]): void {
    // Also while a flush is owed or running: the flush may already have passed the entry's key.
    for (let i = 0; i < tags.length; i++) this.pending.add(tags[i]!);
    if (this.pending.size > PENDING_CAP) {
      this.flushOwed = true;
      this.flushAsked++;
      this.pending.clear();
    }
    if (this.client.status === "ready") void this.ready();
    if (this.retrying === null && !this.isClosed) {
      this.retrying = setInterval(() => {
        if (this.isClosed || !this.behind) {
          clearInterval(this.retrying!);
          this.retrying = null;
        } else if (this.client.status === "ready") void this.ready();
      }, Math.max(this.breaker.probeIntervalMs, 10));
      this.retrying.unref();
    }
  }

  /** The breaker's probe: the identity check (one round trip), whose answer also says whether Redis was replaced. */
  private async probe(): Promise<boolean> {
    if (this.closed || this.client.status !== "ready") return false;
    this.count(this.epochNode ?? "cluster");
    const identity = await checkCacheIdentity(this.client, this.singleNode, this.prefix, this.clock);
    if (!identity.same) this.replaced();
    // Once the breaker has closed (after this returns), what is owed is applied without waiting for a call.
    if (this.unsettled) setImmediate(() => void this.ready());
    return true;
  }

  health(): CacheHealth {
    const status = this.closed ? "closed" : this.client.status;
    if (status === "ready" && this.unsettled) void this.ready();
    const breaker = this.breaker.allows() ? "closed" : this.breaker.state;
    return {
      ok: status === "ready" && this.identityConfirmed && !this.behind && breaker === "closed",
      status,
      pendingInvalidations: this.pending.size,
      breaker,
      failures: this.breaker.consecutiveFailures,
      probes: this.breaker.probes,
    };
  }

  /**
   * ready: whether this call may use the cache. False while disconnected or while the breaker is open; until
   * the identity is checked on this connection, or while invalidations are remembered (or a flush is owed),
   * runs syncCache first and answers with its outcome.
   */
  /**
   * ready() answered without a promise when the answer is known now (usable and settled: true; unusable:
   * false): the read path's common case costs no await. Otherwise ready()'s promise.
   */
  readyNow(): boolean | Promise<boolean> {
    if (this.closed || this.client.status !== "ready" || !this.breaker.allows()) return false;
    return this.unsettled ? this.ready() : true;
  }

  async ready(): Promise<boolean> {
    if (this.closed || this.client.status !== "ready" || !this.breaker.allows()) return false;
    if (!this.unsettled) return true;
    if (!this.syncing) {
      this.syncing = this.syncCache().finally(() => {
        this.syncing = null;
      });
    }
    return this.syncing;
  }

  /**
   * syncCache: checks the identity on a new connection (checkCacheIdentity); then, when the Redis was
   * replaced or more than PENDING_CAP invalidations were forgotten, flushes the prefix and claims it
   * (claimCache: every version moves); else applies the invalidations that failed while the cache was
   * unreachable — all before anything is read from or written to the cache again.
   */
  private async syncCache(): Promise<boolean> {
    try {
      if (!this.identityConfirmed || this.flushOwed) {
        this.count(this.epochNode ?? "cluster");
        const identity = await checkCacheIdentity(this.client, this.singleNode, this.prefix, this.clock);
        this.breaker.succeeded();
        if (!identity.same) {
          this.flushOwed = true;
          this.flushAsked++;
          this.incarnation++;
        }
        const incarnation = this.incarnation;
        if (this.flushOwed) {
          const asked = this.flushAsked;
          await flushPrefix(this.client, this.singleNode, this.prefix, this.count);
          // After the deletes, so a reader that sees the new epoch finds no stale value to read with it.
          this.count(this.epochNode ?? "cluster");
          await claimCache(this.client, this.prefix, this.clock, identity.runId);
          if (this.flushAsked === asked) this.flushOwed = false;
          // Every version moved: listeners everywhere hear "anything may have changed" (not a list of tags).
          await this.client.publish(`${this.prefix}invalidations`, "null");
        }
        // A connection that closed meanwhile may lead elsewhere: checked again on the next use.
        if (incarnation !== this.incarnation) return false;
        this.identityConfirmed = true;
      }
      if (this.pending.size > 0) {
        const tags = [...this.pending];
        const failed = await this.apply(tags);
        for (const tag of tags) if (!failed.has(tag)) this.pending.delete(tag);
      }
      return this.identityConfirmed && !this.behind;
    } catch (error) {
      this.breaker.failed(error);
      return false;
    }
  }
}
