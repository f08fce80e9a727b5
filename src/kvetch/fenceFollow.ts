// FollowingShard: a shard whose fence lives in the shard itself (MySQL's kvetch_buckets, mysqlFence.ts) — a
// call it refuses answers MOVED naming the new owner's map version; the store then reads the stored topology
// again (refreshTopology, waiting briefly for the mover to store that version), places by it, and sends the
// call's keys once to the shards that serve them now (FencedShard's followMoved). Never follows a second
// refusal; never adds a round trip to a call that is not refused.

import type { KvetchCounters, ShardStore } from "./backend.js";
import { ShardFence } from "./fence.js";
import { FencedShard, innerCall, type Merge } from "./fencedShard.js";
import { isBucketMoved } from "./mysqlFence.js";
import type { BucketMovedError } from "./mysqlFence.js";
import type { BucketFenceSetting } from "./moveRows.js";
import type { Store } from "./store.js";
import { refreshTopology } from "./topologyJoin.js";

/** Reads of the stored topology after a refusal before giving up on finding the version it names. */
const REFRESH_ATTEMPTS = 8;

/** The refresh in flight per store: calls refused at once share one read of the topology. */
const refreshing = new WeakMap<Store, Promise<void>>();

function refreshOnce(store: Store): Promise<void> {
  let running = refreshing.get(store);
  if (running === undefined) {
    running = refreshTopology(store).finally(() => refreshing.delete(store));
    refreshing.set(store, running);
  }
  return running;
}

/**
 * learnMove: the store's map once it is at least the version a refusal names — the switch stores the map just
 * after the sources refuse, so a refusal may come first: the topology is read again up to REFRESH_ATTEMPTS
 * times, 5, 10, 20… ms apart; then the refusal stands.
 */
export async function learnMove(store: Store, refusal: BucketMovedError): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (store.topology !== null && store.topology.map.version >= refusal.movedTo.version) return;
    if (attempt >= REFRESH_ATTEMPTS) throw refusal;
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** (attempt - 1)));
    await refreshOnce(store);
  }
}

export class FollowingShard extends FencedShard {
  /** The store this shard serves (set by the Kvetch that opened it: bindStore). */
  private store: Store | null = null;

  constructor(inner: ShardStore, counters: KvetchCounters) {
    // The in-process fence is never set: every call is admitted here and checked by the shard itself.
    super(inner, new ShardFence(inner.shard, 1), counters);
  }

  override readBucketFence(): Promise<BucketFenceSetting | null> {
    return this.inner.readBucketFence!();
  }

  override setBucketFence(fence: BucketFenceSetting): Promise<void> {
    return this.inner.setBucketFence!(fence);
  }

  /** The inner shard's pool, where it has one (its admission queue is what load tests look at). */
  get pool(): unknown {
    return (this.inner as unknown as { pool?: unknown }).pool;
  }

  bindStore(store: Store): void {
    this.store = store;
  }

  protected override get buckets(): number {
    return this.store!.shardMap.buckets;
  }

  protected override siblingFor(shardId: number): FencedShard | undefined {
    const position = this.store?.topology?.positionOf.get(shardId);
    return position === undefined ? undefined : this.siblings[position];
  }

  /** Every call is admitted here: one promise over the inner store's, a refusal followed once (followMoved). */
  protected override admittedAtOnce<I, R>(
    what: string,
    write: boolean,
    items: readonly I[],
    bucketOf: (item: I) => number,
    run: (store: ShardStore, part: readonly I[]) => Promise<R>,
    merge: Merge,
  ): Promise<R> {
    return innerCall(run, this.inner, items).then(undefined, async (error: unknown) =>
      this.followMoved(what, write, items, bucketOf, run, merge, await this.learned(error)),
    );
  }

  protected override async attempt<I, R>(
    _what: string,
    _write: boolean,
    items: readonly I[],
    _bucketOf: (item: I) => number,
    run: (store: ShardStore, part: readonly I[]) => Promise<R>,
  ): Promise<{ answer: R } | { moved: BucketFenceSetting; error: Error }> {
    try {
      return { answer: await run(this.inner, items) };
    } catch (error) {
      return { moved: await this.learned(error), error: error as Error };
    }
  }

  /** A MOVED refusal's fence once the store's map has its version (learnMove); any other error is thrown again. */
  private async learned(error: unknown): Promise<BucketFenceSetting> {
    const store = this.store;
    if (!isBucketMoved(error) || store === null) throw error;
    await learnMove(store, error);
    const { map } = store.topology!;
    return { shard: error.movedTo.shard, version: map.version, ranges: map.ranges, frozen: [] };
  }
}

/** followMoves: a backend's shards, each following its own refusals to its siblings. */
export function followMoves(stores: readonly ShardStore[], counters: KvetchCounters): FollowingShard[] {
  const shards = stores.map((store) => new FollowingShard(store, counters));
  for (const shard of shards) shard.siblings = shards;
  return shards;
}
