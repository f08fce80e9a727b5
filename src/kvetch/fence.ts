// ShardFence: what one in-process shard serves while buckets move (spec/kvetch-storage.md §11.4) —
// the buckets its fence gives it, writes to frozen buckets held until the next fence, and every admitted call
// counted until it ends, so a new fence can wait out the calls it would refuse. Never does I/O; never admits a
// call for a bucket the fence gives another shard.

import type { BucketFenceSetting } from "./moveRows.js";
import { KvetchError } from "./errors.js";

/** admit's answer when a write meets a frozen bucket: wait for nextFence, then ask again. */
export const FROZEN = -1;

/** A MOVED refusal: the refusing shard's fence, whose map says where the refused buckets are now. */
export interface MovedError extends KvetchError {
  readonly fence: BucketFenceSetting;
}

/** movedError: the refusal of a call naming a bucket its shard does not serve (code MOVED; Kvetch follows it once). */
export function movedError(shard: number, what: string, bucket: number, fence: BucketFenceSetting, owner: number): MovedError {
  const error = new KvetchError(
    "MOVED",
    `shard ${shard} refused ${what}: bucket ${bucket} moved to shard ${owner} (shard map version ${fence.version}); ` +
      `reload the shard map and send it there`,
  ) as KvetchError & { fence: BucketFenceSetting };
  error.fence = fence;
  return error;
}

export function isMoved(error: unknown): error is MovedError {
  return error instanceof KvetchError && error.code === "MOVED" && (error as Partial<MovedError>).fence !== undefined;
}

/** Admitted calls per fence generation (reads and writes apart). */
type InFlight = Map<number, number>;

export class ShardFence {
  private setting: BucketFenceSetting | null = null;
  /** Bucket → the stored shard id the fence's map gives it (null: no fence). */
  private owner: Int32Array | null = null;
  private frozen: Uint8Array | null = null;
  private generation = 0;
  private readonly reads: InFlight = new Map();
  private readonly writes: InFlight = new Map();
  private settled: (() => void)[] = [];
  private changed: { promise: Promise<void>; resolve: () => void } | null = null;

  /** `shard`: the shard's position in this process (for messages and counters); `buckets`: the bucket count. */
  constructor(
    readonly shard: number,
    readonly buckets: number,
  ) {}

  get current(): BucketFenceSetting | null {
    return this.setting;
  }

  /** The stored shard id the current fence gives a bucket (-1: no fence). */
  ownerOf(bucket: number): number {
    return this.owner === null ? -1 : this.owner[bucket]!;
  }

  /**
   * admit: the generation the call runs under (>= 0; it must call leave with it), FROZEN, or -2 - b for the first
   * bucket b it names that this shard does not serve. Synchronous, so no fence can change between the check and
   * the count.
   */
  admit<I>(write: boolean, items: readonly I[], bucketOf: (item: I) => number): number {
    const owner = this.owner;
    if (owner !== null) {
      const frozen = this.frozen!;
      const self = this.setting!.shard;
      for (let i = 0; i < items.length; i++) {
        const bucket = bucketOf(items[i]!) % this.buckets;
        if (owner[bucket] !== self) return -2 - bucket;
        if (write && frozen[bucket] === 1) return FROZEN;
      }
    }
    const inFlight = write ? this.writes : this.reads;
    inFlight.set(this.generation, (inFlight.get(this.generation) ?? 0) + 1);
    return this.generation;
  }

  /** Whether the current fence serves a bucket (scans drop the rows of buckets it does not). */
  serves(bucket: number): boolean {
    return this.owner === null || this.owner[bucket] === this.setting!.shard;
  }

  leave(write: boolean, generation: number): void {
    const inFlight = write ? this.writes : this.reads;
    const left = inFlight.get(generation)! - 1;
    if (left > 0) inFlight.set(generation, left);
    else inFlight.delete(generation);
    if (left === 0 && this.settled.length > 0) this.wakeSettled();
  }

  /** Resolves at the next fence change (a frozen write then asks again). */
  nextFence(): Promise<void> {
    if (this.changed === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.changed = { promise, resolve };
    }
    return this.changed.promise;
  }

  /** refusal: the MOVED error for bucket `code` (admit's -2 - b). */
  refusal(what: string, code: number): MovedError {
    const bucket = -2 - code;
    return movedError(this.shard, what, bucket, this.setting!, this.owner![bucket]!);
  }

  /**
   * set: installs a fence and resolves once every call admitted under an older one has ended (writes only when
   * it serves the same buckets: reads of a frozen bucket are still right).
   */
  async set(setting: BucketFenceSetting): Promise<void> {
    const owner = ownerOfBuckets(setting, this.buckets);
    const frozen = new Uint8Array(this.buckets);
    for (const bucket of setting.frozen) frozen[bucket] = 1;
    const servesLess = this.servesLessUnder(owner, setting.shard);
    this.setting = { shard: setting.shard, version: setting.version, ranges: setting.ranges.map((range) => ({ ...range })), frozen: [...setting.frozen] };
    this.owner = owner;
    this.frozen = frozen;
    const before = this.generation++;
    const changed = this.changed;
    this.changed = null;
    changed?.resolve();
    await this.settle(before, servesLess);
  }

  private servesLessUnder(next: Int32Array, self: number): boolean {
    for (let bucket = 0; bucket < this.buckets; bucket++) {
      if (this.serves(bucket) && next[bucket] !== self) return true;
    }
    return false;
  }

  private pending(before: number, reads: boolean): boolean {
    for (const generation of this.writes.keys()) if (generation <= before) return true;
    if (reads) for (const generation of this.reads.keys()) if (generation <= before) return true;
    return false;
  }

  private async settle(before: number, reads: boolean): Promise<void> {
    while (this.pending(before, reads)) await new Promise<void>((resolve) => this.settled.push(resolve));
  }

  private wakeSettled(): void {
    const waiting = this.settled;
    this.settled = [];
    for (const wake of waiting) wake();
  }
}

/** ownerOfBuckets: bucket → stored shard id under a fence's ranges (which must cover every bucket once). */
export function ownerOfBuckets(setting: BucketFenceSetting, buckets: number): Int32Array {
  const owner = new Int32Array(buckets).fill(-1);
  for (const { first, last, shard } of setting.ranges) {
    if (first < 0 || last >= buckets || first > last) {
      throw new KvetchError("BAD_ARGUMENT", `setBucketFence: range ${first}..${last} is outside buckets 0..${buckets - 1}`);
    }
    owner.fill(shard, first, last + 1);
  }
  const missing = owner.indexOf(-1);
  if (missing >= 0) throw new KvetchError("BAD_ARGUMENT", `setBucketFence: bucket ${missing} is in no range; a fence covers every bucket`);
  return owner;
}
