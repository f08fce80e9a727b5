// Whether the Redis behind the cache is still the one this process used (spec/kvetch-storage.md §7.5): its
// run_id against the identity the store claimed, and a write counter and epoch that never go backwards.
// Never adds a round trip to a read or a write: the counter rides along with round trips already made.

import type { Cluster, Redis } from "ioredis";
import { epochKey } from "./cacheFlush.js";

/** The key holding the identity (run_ids) of the Redis the store last claimed: `<prefix>{epoch}:id`. */
export function identityKey(prefix: string): string {
  return `${prefix}{epoch}:id`;
}

/** The key every write batch increments: `<prefix>{epoch}:w`. */
export function writeCounterKey(prefix: string): string {
  return `${prefix}{epoch}:w`;
}

/** What the process had seen when it sent a round trip: a reply below it means Redis went back in time. */
export interface CacheFloor {
  readonly counter: number;
  readonly epoch: number;
}

/** The highest write counter and epoch this process has seen from Redis. */
export class CacheClock {
  counter = 0;
  epoch = 0;

  /** Taken when a round trip is sent (replies to earlier round trips may be handled after later ones). */
  floor(): CacheFloor {
    return { counter: this.counter, epoch: this.epoch };
  }

  /**
   * spec: observeWriteCounter — a write counter (and epoch, when read) from a reply to a round trip sent at
   * `floor`: false when either is below what had been seen before it was sent (the Redis was replaced or
   * restored), otherwise remembers the highest.
   */
  observeWriteCounter(floor: CacheFloor, counter: string | number | null, epoch?: string | number | null): boolean {
    const c = Number(counter ?? 0);
    if (!(c >= floor.counter)) return false;
    if (c > this.counter) this.counter = c;
    if (epoch !== undefined) {
      const e = Number(epoch ?? 0);
      if (!(e >= floor.epoch)) return false;
      if (e > this.epoch) this.epoch = e;
    }
    return true;
  }
}

/** What checkCacheIdentity found. */
export interface CacheIdentity {
  /** The run_ids of the server (of every Cluster master, sorted, comma-separated) now. */
  readonly runId: string;
  /** Whether this is the Redis the store claimed last, with no write counter or epoch gone back. */
  readonly same: boolean;
}

/** A check that could not be made though Redis answered: not counted by the breaker (notAnswering). */
function notReady(why: string): Error {
  const error = new Error(why);
  error.name = "CacheNotReady";
  return error;
}

function runIdOf(info: string): string {
  const match = /^run_id:(\w+)/m.exec(info);
  return match ? match[1]! : "";
}

/**
 * spec: checkCacheIdentity — one round trip (one per master for a Cluster): `INFO server` and `MGET` of the
 * identity, the write counter and the epoch. The Redis is the same when the identity holds the run_id(s)
 * it reports now and neither the counter nor the epoch went below what this process had seen.
 */
export async function checkCacheIdentity(
  client: Redis | Cluster,
  singleNode: string | null,
  prefix: string,
  clock: CacheClock,
): Promise<CacheIdentity> {
  const floor = clock.floor();
  const keys = [identityKey(prefix), writeCounterKey(prefix), epochKey(prefix)];
  let runId: string;
  let stored: (string | null)[];
  if (singleNode !== null) {
    const replies = (await (client as Redis).pipeline().info("server").mget(keys).exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    if (replies.length !== 2) throw notReady("the identity check got no reply");
    runId = runIdOf(replies[0]![1] as string);
    stored = replies[1]![1] as (string | null)[];
  } else {
    const masters = (client as Cluster).nodes("master");
    if (masters.length === 0) throw notReady("the Cluster has no master yet");
    const [infos, read] = await Promise.all([Promise.all(masters.map((node) => node.info("server"))), client.mget(keys)]);
    runId = infos.map(runIdOf).sort().join(",");
    stored = read;
  }
  if (runId === "") throw notReady("INFO server gave no run_id");
  const advanced = clock.observeWriteCounter(floor, stored[1] ?? null, stored[2] ?? null);
  return { runId, same: advanced && stored[0] === runId };
}

// claimCache: epoch and write counter beyond both what Redis holds and what this process saw, then the identity.
const CLAIM_SCRIPT = `local e = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > e then e = tonumber(ARGV[1]) end
e = e + 1
redis.call('SET', KEYS[1], e)
local w = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[2]) > w then w = tonumber(ARGV[2]) end
w = w + 1
redis.call('SET', KEYS[2], w)
redis.call('SET', KEYS[3], ARGV[3])
return {e, w}`;

/**
 * spec: claimCache — after the flush that follows a replacement (or an outage that outgrew its remembered
 * invalidations): moves the epoch past both the stored one and the highest this process saw (every version
 * moves), moves the write counter likewise, and stores the run_id(s) as the identity. One script, one round trip.
 */
export async function claimCache(client: Redis | Cluster, prefix: string, clock: CacheClock, runId: string): Promise<void> {
  const keys = [epochKey(prefix), writeCounterKey(prefix), identityKey(prefix)];
  const [epoch, counter] = (await client.eval(CLAIM_SCRIPT, 3, ...keys, clock.epoch, clock.counter, runId)) as [number, number];
  clock.epoch = Math.max(clock.epoch, Number(epoch));
  clock.counter = Math.max(clock.counter, Number(counter));
}
