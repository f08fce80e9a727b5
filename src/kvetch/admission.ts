// Admission to one shard's connections (spec/kvetch-storage.md §9.1): a call waits for one of the shard's
// `slots` in its request's lane, lanes are served in turn (one request's thousand calls never starve another
// request's one), every wait ends by its deadline or its request's abort, and at most `queueLimit` calls wait
// at once. Only a call that truly cannot be served in time fails, with OVERLOADED. Never hands out more than
// `slots` at once; never keeps a waiter after it was served, timed out or aborted.

import { AsyncLocalStorage } from "node:async_hooks";
import { KvetchError } from "./errors.js";

/** The request a store call belongs to: its lane in every shard's queue, and the signal that ends its waits. */
export interface KvetchRequestScope {
  /** Aborted when the request ends (its timeout, its caller): a call waiting for a shard stops waiting. */
  signal?: AbortSignal;
}

/** Admissions ever made in this process: until the first, withRequest costs nothing. */
let admissions = 0;

const requestScope = new AsyncLocalStorage<KvetchRequestScope>();

/**
 * Whether withRequest keeps its request's async context (the AsyncLocalStorage above): from the first call a
 * shard of the process had to queue until CONTEXT_QUIET_MS pass with none queued and none waiting. While no
 * call queues, no call needs a lane; and an AsyncLocalStorage in use costs every promise of the process a
 * hook on Node 20 and 22 (not with Node 24's async context frames), in the HTTP server, the Redis client and
 * the engine alike.
 */
let keepContext = false;
/** When a call last had to queue (Date.now()), and the calls waiting now in every shard's queue. */
let lastQueued = 0;
let waitingCalls = 0;
/** How long without a queued call before withRequest stops keeping the async context. */
export const CONTEXT_QUIET_MS = 10_000;
/** The request whose `run` is on the stack now: a call admitted synchronously within it finds its lane. */
let running: KvetchRequestScope | undefined;

/**
 * withRequest: runs `run` (and everything it starts) as one request's work: its shard calls wait in the
 * request's own lane (keyed by the signal when there is one, so calls of one request share it) and stop
 * waiting when the signal aborts. The Kvetch steps wrap every store call in it with the request's signal.
 * The async context is kept only while shards queue calls (keepContext): a call started before, which
 * queues after an await, waits in the shared lane of calls outside a request, bounded by queueTimeoutMs.
 */
export function withRequest<T>(scope: KvetchRequestScope, run: () => T): T {
  // Nothing to wait in without a pool (the memory backend): no async context is kept at all.
  if (admissions === 0) return run();
  if (keepContext && waitingCalls === 0 && Date.now() - lastQueued > CONTEXT_QUIET_MS) {
    keepContext = false;
    requestScope.disable(); // the promise hook goes with the last AsyncLocalStorage in use
  }
  const outer = running;
  running = scope;
  try {
    return keepContext ? requestScope.run(scope, run) : run();
  } finally {
    running = outer;
  }
}

/** Whether withRequest keeps the async context now (tests). */
export function keepsRequestContext(): boolean {
  return keepContext;
}

/** The lane of calls made outside any request (scripts, repair): one lane, served in turn with the requests'. */
const OUTSIDE = {};

/** A call waiting for a slot. */
interface Waiter {
  what: string;
  timer: ReturnType<typeof setTimeout>;
  grant: () => void;
  refuse: (error: KvetchError) => void;
}

/** One request's waiting calls, oldest first (`head` is the next one), and the one abort listener they share. */
interface Lane {
  waiters: Waiter[];
  head: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | null;
}

/** What OVERLOADED errors carry for HTTP servers: how long a client should wait before retrying. */
export const OVERLOADED_RETRY_AFTER_SECONDS = 1;

/**
 * overloaded: the error of a call refused admission — code OVERLOADED, `extensions.code` for GraphQL
 * clients (graphql-js copies an original error's extensions) and `retryAfterSeconds` for HTTP servers.
 * Not masked (it names no host), and not counted by the breaker.
 */
export function overloaded(shard: number, what: string, why: string): KvetchError {
  const error = new KvetchError(
    "OVERLOADED",
    `shard ${shard} is overloaded: ${what} ${why}; retry in ${OVERLOADED_RETRY_AFTER_SECONDS} s, or give the shard a larger poolSize or queueTimeoutMs`,
  );
  // A shard failure of its own kind: it fails only its chunk's entries (a write's derived rows are queued),
  // and the breaker, which counts only a shard that does not answer, leaves it alone.
  Object.assign(error, { shardFailure: "overloaded", extensions: { code: "OVERLOADED" }, retryAfterSeconds: OVERLOADED_RETRY_AFTER_SECONDS });
  return error;
}

export class Admission {
  private free: number;
  private waiting = 0;
  /** Lanes with waiters, in turn order: the first is served next, then moves to the back if it still waits. */
  private readonly lanes = new Map<object, Lane>();

  constructor(
    readonly shard: number,
    /** Calls that run at once (the pool's connections). */
    readonly slots: number,
    /** Calls that may wait at once (a bound on memory); one more is refused at once. */
    readonly queueLimit: number,
    /** The longest a call waits for its turn, whatever its request's deadline. */
    readonly queueTimeoutMs: number,
  ) {
    this.free = slots;
    admissions++;
  }

  /** Calls waiting now (for tests and health). */
  get queued(): number {
    return this.waiting;
  }

  /**
   * admit: resolves once the call holds a slot (release() gives it back), at once when one is free and no
   * call waits. Otherwise the call waits in its request's lane (withRequest; calls outside a request share
   * one lane) until it is served, its wait passes queueTimeoutMs, or its request's signal aborts — the last
   * two refuse it with OVERLOADED, as does a full queue.
   */
  admit(what: string): Promise<void> {
    if (this.free > 0) {
      // a free slot means no call waits: release() hands a slot to a waiter before freeing it
      this.free--;
      return Promise.resolve();
    }
    lastQueued = Date.now();
    keepContext = true;
    const scope = running ?? requestScope.getStore();
    const signal = scope?.signal;
    if (signal?.aborted) return Promise.reject(overloaded(this.shard, what, "was called after its request ended"));
    if (this.waiting >= this.queueLimit) {
      return Promise.reject(overloaded(this.shard, what, `found ${this.waiting} calls waiting for its ${this.slots} connections (queueLimit)`));
    }
    const key = scope === undefined ? OUTSIDE : (signal ?? scope);
    let lane = this.lanes.get(key);
    if (lane === undefined) this.lanes.set(key, (lane = this.openLane(key, signal)));
    const into = lane;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        what,
        timer: setTimeout(() => {
          if (this.remove(key, into, waiter)) waiter.refuse(overloaded(this.shard, what, `waited ${this.queueTimeoutMs} ms for a connection (queueTimeoutMs)`));
        }, this.queueTimeoutMs),
        grant: resolve,
        refuse: reject,
      };
      into.waiters.push(waiter);
      this.waiting++;
      waitingCalls++;
    });
  }

  /** A new lane; with a signal, one listener that refuses all its waiters when the request ends. */
  private openLane(key: object, signal: AbortSignal | undefined): Lane {
    const lane: Lane = { waiters: [], head: 0, signal, onAbort: null };
    if (signal !== undefined) {
      lane.onAbort = () => {
        if (this.lanes.get(key) !== lane) return;
        this.closeLane(key, lane);
        for (let i = lane.head; i < lane.waiters.length; i++) {
          const waiter = lane.waiters[i]!;
          clearTimeout(waiter.timer);
          this.waiting--;
          waitingCalls--;
          waiter.refuse(overloaded(this.shard, waiter.what, "was still waiting for a connection when its request ended"));
        }
        lane.waiters = [];
        lane.head = 0;
      };
      signal.addEventListener("abort", lane.onAbort, { once: true });
    }
    return lane;
  }

  /** Takes an empty (or ended) lane out of the turn order and drops its abort listener. */
  private closeLane(key: object, lane: Lane): void {
    this.lanes.delete(key);
    if (lane.onAbort !== null) lane.signal!.removeEventListener("abort", lane.onAbort);
  }

  /** release: gives a slot back; the next lane in turn gets it for its oldest call. */
  release(): void {
    for (const [key, lane] of this.lanes) {
      const waiter = lane.waiters[lane.head]!;
      lane.head++;
      this.waiting--;
      waitingCalls--;
      clearTimeout(waiter.timer);
      if (lane.head < lane.waiters.length) {
        if (lane.head > 64 && lane.head * 2 > lane.waiters.length) {
          lane.waiters = lane.waiters.slice(lane.head);
          lane.head = 0;
        }
        this.lanes.delete(key);
        this.lanes.set(key, lane); // to the back of the turn order
      } else this.closeLane(key, lane);
      waiter.grant();
      return;
    }
    this.free++;
  }

  /** Takes a waiter out of its lane (it timed out); false when it was served or refused already. */
  private remove(key: object, lane: Lane, waiter: Waiter): boolean {
    if (this.lanes.get(key) !== lane) return false;
    const at = lane.waiters.indexOf(waiter, lane.head);
    if (at < 0) return false;
    lane.waiters.splice(at, 1);
    this.waiting--;
    waitingCalls--;
    if (lane.head >= lane.waiters.length) this.closeLane(key, lane);
    return true;
  }
}
