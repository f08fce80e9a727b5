// FencedShard: an in-process shard behind its fence (spec/kvetch-storage.md §11) — each call is admitted by the
// shard's ShardFence for the buckets of its keys (a write to a frozen bucket waits for the next fence), and a
// call refused with MOVED is sent once to the shards the refusing fence names (followMoved), split by them.
// Never lets a call touch a bucket its shard does not serve; never follows a second refusal.

import type {
  EdgeKey,
  EdgeRange,
  EdgeRow,
  IdempotencyKeyRow,
  IndexKey,
  IndexRange,
  IndexRow,
  IndexScanKey,
  KvetchCounters,
  ObjectRow,
  RepairEntry,
  ShardStats,
  ShardStore,
  UniqueClaimKey,
  UniqueClaimOwner,
  UniqueClaimRow,
} from "./backend.js";
import { FROZEN, ownerOfBuckets, ShardFence } from "./fence.js";
import type { BucketFenceSetting, ShardMoves } from "./moveRows.js";
import { fnv1a32, hashOfId, hashOfIndexEntry } from "./shard.js";

/** How the answers of a followed call's parts make one answer. */
export type Merge = "rows" | "aligned" | "sum" | "none";

const byId = (item: { id: string }): number => hashOfId(item.id);
const byRowId = (item: { row: ObjectRow }): number => hashOfId(item.row.id);
const byFromId = (item: { fromId: string }): number => hashOfId(item.fromId);
const byText = (id: string): number => hashOfId(id);
const byKeyHash = (item: { keyHash: string }): number => fnv1a32(Buffer.from(item.keyHash, "hex"));
const byEntry = (item: { indexId: number; valueKey: string }): number => hashOfIndexEntry(item.indexId, item.valueKey);

/** The methods a FencedShard hands to its inner store unfenced: the topology's and the bucket copies'. */
const PASSED_THROUGH = [
  "readTopology",
  "joinTopology",
  "writeTopology",
  "readSchemaLock",
  "writeSchemaLock",
  "scanBucketRows",
  "putBucketRows",
  "removeBucketRows",
  "readMoveJournal",
  "writeMoveJournal",
] as const;

/** A keyed call on the inner store as a promise: a synchronous throw becomes its rejection. */
export function innerCall<I, R>(run: (store: ShardStore, part: readonly I[]) => Promise<R>, inner: ShardStore, items: readonly I[]): Promise<R> {
  try {
    return Promise.resolve(run(inner, items));
  } catch (error) {
    return Promise.reject(error);
  }
}

export class FencedShard implements ShardStore, ShardMoves {
  readonly shard: number;
  readonly label: string;
  /** The other shards of the same backend view, by position (set by fenceShards). */
  siblings: readonly FencedShard[] = [];

  constructor(
    readonly inner: ShardStore,
    readonly fence: ShardFence,
    private readonly counters: KvetchCounters,
  ) {
    this.shard = inner.shard;
    this.label = inner.label;
    const self = this as unknown as Record<string, unknown>;
    const from = inner as unknown as Record<string, unknown>;
    for (const name of PASSED_THROUGH) {
      const method = from[name];
      if (typeof method === "function") self[name] = method.bind(inner);
    }
  }

  /** Chunks of one call at once (the inner store's, for chunksAtOnce). */
  get connections(): unknown {
    return (this.inner as { connections?: unknown }).connections;
  }

  /**
   * attempt: runs a keyed call under the fence — waiting out frozen buckets — and returns its answer, or the
   * refusal's fence when a key's bucket is not served here.
   */
  protected async attempt<I, R>(
    what: string,
    write: boolean,
    items: readonly I[],
    bucketOf: (item: I) => number,
    run: (store: ShardStore, part: readonly I[]) => Promise<R>,
  ): Promise<{ answer: R } | { moved: BucketFenceSetting; error: Error }> {
    for (;;) {
      const admitted = this.fence.admit(write, items, bucketOf);
      if (admitted === FROZEN) {
        await this.fence.nextFence();
        continue;
      }
      if (admitted < 0) {
        // The refused statement was a round trip of its own.
        this.counters.shardQueries[this.shard]!++;
        const error = this.fence.refusal(what, admitted);
        return { moved: error.fence, error };
      }
      try {
        return { answer: await run(this.inner, items) };
      } finally {
        this.fence.leave(write, admitted);
      }
    }
  }

  /**
   * keyed: one call under the fence; refused, followMoved: its keys split by the refusing fence's map, each part
   * sent once. A call the fence admits at once (the usual case) is one promise over the inner store's: the fence
   * is left when it settles (AdmittedAtOnce, spec/kvetch-storage.md §11.4); otherwise attempt waits or refuses.
   */
  private keyed<I, R>(
    what: string,
    write: boolean,
    items: readonly I[],
    bucketOf: (item: I) => number,
    run: (store: ShardStore, part: readonly I[]) => Promise<R>,
    merge: Merge,
  ): Promise<R> {
    const admitted = this.admittedAtOnce(what, write, items, bucketOf, run, merge);
    return admitted ?? this.keyedAfterWait(what, write, items, bucketOf, run, merge);
  }

  /** The call when the fence admits it now (a frozen bucket or a refusal: null, and nothing was counted). */
  protected admittedAtOnce<I, R>(
    _what: string,
    write: boolean,
    items: readonly I[],
    bucketOf: (item: I) => number,
    run: (store: ShardStore, part: readonly I[]) => Promise<R>,
    _merge: Merge,
  ): Promise<R> | null {
    const fence = this.fence;
    const generation = fence.admit(write, items, bucketOf);
    if (generation < 0) return null;
    return innerCall(run, this.inner, items).then(
      (value) => (fence.leave(write, generation), value),
      (error: unknown) => {
        fence.leave(write, generation);
        throw error;
      },
    );
  }

  private async keyedAfterWait<I, R>(
    what: string,
    write: boolean,
    items: readonly I[],
    bucketOf: (item: I) => number,
    run: (store: ShardStore, part: readonly I[]) => Promise<R>,
    merge: Merge,
  ): Promise<R> {
    const first = await this.attempt(what, write, items, bucketOf, run);
    if ("answer" in first) return first.answer;
    return this.followMoved(what, write, items, bucketOf, run, merge, first.moved);
  }

  protected async followMoved<I, R>(
    what: string,
    write: boolean,
    items: readonly I[],
    bucketOf: (item: I) => number,
    run: (store: ShardStore, part: readonly I[]) => Promise<R>,
    merge: Merge,
    fence: BucketFenceSetting,
  ): Promise<R> {
    const buckets = this.buckets;
    const owner = ownerOfBuckets(fence, buckets);
    const parts = new Map<FencedShard, number[]>();
    for (let i = 0; i < items.length; i++) {
      const shardId = owner[bucketOf(items[i]!) % buckets]!;
      const sibling = this.siblingFor(shardId);
      if (sibling === undefined) throw this.fence.refusal(what, -2 - (bucketOf(items[i]!) % buckets));
      const positions = parts.get(sibling);
      if (positions) positions.push(i);
      else parts.set(sibling, [i]);
    }
    const owners = [...parts.keys()];
    const answers = await Promise.all(
      owners.map(async (owner) => {
        const part = parts.get(owner)!.map((position) => items[position]!);
        const second = await owner.attempt(what, write, part, bucketOf, run);
        if ("answer" in second) return second.answer;
        throw second.error;
      }),
    );
    if (merge === "none") return undefined as R;
    if (merge === "sum") return answers.reduce((total: number, n) => total + (n as number), 0) as R;
    if (merge === "rows") return (answers as unknown[][]).flat() as R;
    const out = new Array<unknown>(items.length);
    owners.forEach((owner, o) => {
      const positions = parts.get(owner)!;
      const answer = answers[o] as unknown[];
      for (let i = 0; i < positions.length; i++) out[positions[i]!] = answer[i];
    });
    return out as R;
  }

  /** The store's bucket count. */
  protected get buckets(): number {
    return this.fence.buckets;
  }

  /** The sibling that is stored shard `shardId` (its fence says so), if this view has it. */
  protected siblingFor(shardId: number): FencedShard | undefined {
    return this.siblings.find((s) => s.fence.current?.shard === shardId);
  }

  /**
   * A scan of this shard: admitted like a read, and only rows of buckets the fence serves come back. A page that
   * lost rows to the fence reads on (after its last row) until it is full or the shard has no more, so a short
   * page still means the end.
   */
  private async scan<R, A>(
    after: A | null,
    limit: number,
    run: (after: A | null, limit: number) => Promise<R[]>,
    afterOf: (row: R) => A,
    bucketOf: (row: R) => number,
  ): Promise<R[]> {
    const admitted = this.fence.admit(false, [], byText);
    try {
      const out: R[] = [];
      let wanted = limit;
      for (;;) {
        const rows = await run(after, wanted);
        for (const row of rows) if (this.fence.serves(bucketOf(row) % this.fence.buckets)) out.push(row);
        if (rows.length < wanted || out.length >= limit) return out;
        wanted = limit - out.length;
        after = afterOf(rows[rows.length - 1]!);
      }
    } finally {
      this.fence.leave(false, admitted);
    }
  }

  readBucketFence(): Promise<BucketFenceSetting | null> {
    this.counters.shardQueries[this.shard]!++;
    return Promise.resolve(this.fence.current);
  }
  async setBucketFence(fence: BucketFenceSetting): Promise<void> {
    this.counters.shardQueries[this.shard]!++;
    await this.fence.set(fence);
  }

  migrate(): Promise<void> {
    return this.inner.migrate();
  }
  readObjects(ids: readonly string[]): Promise<ObjectRow[]> {
    return this.keyed("readObjects", false, ids, byText, (store, part) => store.readObjects(part), "rows");
  }
  insertObjects(rows: readonly ObjectRow[]): Promise<void> {
    return this.keyed("insertObjects", true, rows, byId, (store, part) => store.insertObjects(part), "none");
  }
  replaceObjects(changes: readonly { row: ObjectRow; expectVersion: number }[]): Promise<boolean[]> {
    return this.keyed("replaceObjects", true, changes, byRowId, (store, part) => store.replaceObjects(part), "aligned");
  }
  removeObjects(keys: readonly { id: string; expectVersion: number }[]): Promise<boolean[]> {
    return this.keyed("removeObjects", true, keys, byId, (store, part) => store.removeObjects(part), "aligned");
  }
  readEdgeRanges(edgeId: number, ranges: readonly EdgeRange[]): Promise<EdgeRow[][]> {
    return this.keyed("readEdgeRanges", false, ranges, byFromId, (store, part) => store.readEdgeRanges(edgeId, part), "aligned");
  }
  readEdgeCounts(edgeId: number, fromIds: readonly string[]): Promise<number[]> {
    return this.keyed("readEdgeCounts", false, fromIds, byText, (store, part) => store.readEdgeCounts(edgeId, part), "aligned");
  }
  writeEdges(rows: readonly EdgeRow[], replaceData: boolean): Promise<number> {
    return this.keyed("writeEdges", true, rows, byFromId, (store, part) => store.writeEdges(part, replaceData), "sum");
  }
  removeEdges(keys: readonly EdgeKey[]): Promise<number> {
    return this.keyed("removeEdges", true, keys, byFromId, (store, part) => store.removeEdges(part), "sum");
  }
  readIndexRanges(indexId: number, ranges: readonly IndexRange[]): Promise<IndexRow[][]> {
    const bucketOf = (range: IndexRange): number => hashOfIndexEntry(indexId, range.valueKey);
    return this.keyed("readIndexRanges", false, ranges, bucketOf, (store, part) => store.readIndexRanges(indexId, part), "aligned");
  }
  writeIndexEntries(rows: readonly IndexRow[]): Promise<number> {
    return this.keyed("writeIndexEntries", true, rows, byEntry, (store, part) => store.writeIndexEntries(part), "sum");
  }
  removeIndexEntries(keys: readonly IndexKey[]): Promise<number> {
    return this.keyed("removeIndexEntries", true, keys, byEntry, (store, part) => store.removeIndexEntries(part), "sum");
  }
  scanObjects(afterId: string | null, limit: number): Promise<ObjectRow[]> {
    return this.scan(afterId, limit, (after, n) => this.inner.scanObjects(after, n), (row) => row.id, byId);
  }
  scanEdges(edgeIds: readonly number[], after: EdgeKey | null, limit: number): Promise<EdgeRow[]> {
    const afterOf = (row: EdgeRow): EdgeKey => ({ edgeId: row.edgeId, fromId: row.fromId, toId: row.toId });
    return this.scan(after, limit, (from, n) => this.inner.scanEdges(edgeIds, from, n), afterOf, byFromId);
  }
  scanIndexEntries(after: IndexScanKey | null, limit: number): Promise<IndexRow[]> {
    const afterOf = (row: IndexRow): IndexScanKey => ({ indexId: row.indexId, valueHash: row.valueHash, targetId: row.targetId });
    return this.scan(after, limit, (from, n) => this.inner.scanIndexEntries(from, n), afterOf, byEntry);
  }
  stats(): Promise<ShardStats> {
    return this.inner.stats();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  ping(): Promise<void> {
    return this.inner.ping ? this.inner.ping() : this.inner.readObjects([]).then(() => undefined);
  }
  queueRepairs(entries: readonly RepairEntry[]): Promise<void> {
    return this.keyed("queueRepairs", true, entries, byId, (store, part) => store.queueRepairs!(part), "none");
  }
  readRepairQueue(after: { id: string; seq: number } | null, limit: number): Promise<RepairEntry[]> {
    const afterOf = (row: RepairEntry): { id: string; seq: number } => ({ id: row.id, seq: row.seq });
    return this.scan(after, limit, (from, n) => this.inner.readRepairQueue!(from, n), afterOf, byId);
  }
  removeRepairs(keys: readonly { id: string; seq: number }[]): Promise<number> {
    return this.keyed("removeRepairs", true, keys, byId, (store, part) => store.removeRepairs!(part), "sum");
  }
  claimUnique(rows: readonly UniqueClaimRow[]): Promise<string[]> {
    return this.keyed("claimUnique", true, rows, byEntry, (store, part) => store.claimUnique!(part), "aligned");
  }
  releaseUnique(keys: readonly UniqueClaimOwner[]): Promise<number> {
    return this.keyed("releaseUnique", true, keys, byEntry, (store, part) => store.releaseUnique!(part), "sum");
  }
  scanUniqueClaims(after: UniqueClaimKey | null, limit: number): Promise<UniqueClaimRow[]> {
    const afterOf = (row: UniqueClaimRow): UniqueClaimKey => ({ indexId: row.indexId, valueHash: row.valueHash });
    return this.scan(after, limit, (from, n) => this.inner.scanUniqueClaims!(from, n), afterOf, byEntry);
  }
  reserveKeys(rows: readonly IdempotencyKeyRow[]): Promise<string[]> {
    return this.keyed("reserveKeys", true, rows, byKeyHash, (store, part) => store.reserveKeys!(part), "aligned");
  }
}
