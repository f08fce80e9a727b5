// ShardGuard: what every shard call passes through, whatever the backend — the per-shard circuit breaker and
// the one shape of shard errors. After `failureThreshold` consecutive failures (no answer, no connection, a
// lost connection, or any error a backend throws that is not a KvetchError) the breaker opens: calls fail at
// once, with no round trip, until a probe (one call let through every `probeIntervalMs`) succeeds.
// Never retries a call itself; never lets host, port, database or driver text into a message.

import type {
  BreakerOptions,
  EdgeKey,
  EdgeRange,
  EdgeRow,
  IdempotencyKeyRow,
  IndexKey,
  IndexRange,
  IndexRow,
  IndexScanKey,
  ObjectRow,
  RepairEntry,
  ShardStats,
  ShardStore,
  UniqueClaimKey,
  UniqueClaimOwner,
  UniqueClaimRow,
} from "./backend.js";
import { KvetchError, shardError, shardFailureOf } from "./errors.js";
import { noteShardCall, noteShardRows } from "./tracing.js";
import type { ShardMoves } from "./moveRows.js";
import type { ShardIdentity, ShardTopology, TopologyMap } from "./topologyMap.js";

export type BreakerState = "closed" | "open" | "half-open";

/** A shard's health as /healthz-style reports give it: no host, port or database. */
export interface ShardHealth {
  shard: number;
  ok: boolean;
  breaker: BreakerState;
  /** Consecutive failures counted by the breaker. */
  failures: number;
  /** Why the shard is not ok ("timeout", "circuit open", …); absent when ok. */
  reason?: string;
  /** The ping's round trip in ms (absent when no ping was made). */
  latencyMs?: number;
}

export const DEFAULT_BREAKER: Required<BreakerOptions> = { failureThreshold: 3, probeIntervalMs: 1000 };

/** The breaker settings a backend asks for, checked (null: no breaker). */
export function breakerSettings(options: BreakerOptions | false | undefined): Required<BreakerOptions> | null {
  if (options === false) return null;
  const failureThreshold = options?.failureThreshold ?? DEFAULT_BREAKER.failureThreshold;
  const probeIntervalMs = options?.probeIntervalMs ?? DEFAULT_BREAKER.probeIntervalMs;
  if (!Number.isInteger(failureThreshold) || failureThreshold < 1) {
    throw new KvetchError("BAD_CONFIG", `breaker.failureThreshold must be a positive integer, got ${failureThreshold}`);
  }
  if (!Number.isFinite(probeIntervalMs) || probeIntervalMs < 0) {
    throw new KvetchError("BAD_CONFIG", `breaker.probeIntervalMs must be a number >= 0, got ${probeIntervalMs}`);
  }
  return { failureThreshold, probeIntervalMs };
}

/** Whether a failure says the shard is not answering (what the breaker counts). */
function countsAgainstShard(error: unknown): boolean {
  if (!(error instanceof KvetchError)) return true;
  const reason = shardFailureOf(error);
  return reason === "timeout" || reason === "no connection" || reason === "connection lost";
}

/** The optional ShardMoves methods a guard passes through when its shard has them. */
const MOVE_METHODS = ["scanBucketRows", "putBucketRows", "removeBucketRows", "readMoveJournal", "writeMoveJournal", "readBucketFence", "setBucketFence"] as const;

export class ShardGuard implements ShardStore {
  readonly scanBucketRows?: ShardMoves["scanBucketRows"];
  readonly putBucketRows?: ShardMoves["putBucketRows"];
  readonly removeBucketRows?: ShardMoves["removeBucketRows"];
  readonly readMoveJournal?: ShardMoves["readMoveJournal"];
  readonly writeMoveJournal?: ShardMoves["writeMoveJournal"];
  readonly readBucketFence?: ShardMoves["readBucketFence"];
  readonly setBucketFence?: ShardMoves["setBucketFence"];
  readonly shard: number;
  readonly label: string;
  private failures = 0;
  private openedAt = 0;
  private open = false;
  private probing = false;
  readonly queueRepairs?: (entries: readonly RepairEntry[]) => Promise<void>;
  readonly readRepairQueue?: (after: { id: string; seq: number } | null, limit: number) => Promise<RepairEntry[]>;
  readonly removeRepairs?: (keys: readonly { id: string; seq: number }[]) => Promise<number>;
  readonly reserveKeys?: (rows: readonly IdempotencyKeyRow[]) => Promise<string[]>;
  readonly claimUnique?: (rows: readonly UniqueClaimRow[]) => Promise<string[]>;
  readonly releaseUnique?: (keys: readonly UniqueClaimOwner[]) => Promise<number>;
  readonly scanUniqueClaims?: (after: UniqueClaimKey | null, limit: number) => Promise<UniqueClaimRow[]>;
  readonly readTopology?: () => Promise<ShardTopology>;
  readonly joinTopology?: (identity: ShardIdentity) => Promise<ShardIdentity>;
  readonly writeTopology?: (map: TopologyMap, expectVersion: number) => Promise<TopologyMap>;
  readonly readSchemaLock?: () => Promise<string | null>;
  readonly writeSchemaLock?: (text: string, version: number, expectVersion: number) => Promise<string | null>;

  constructor(
    readonly inner: ShardStore,
    private readonly breaker: Required<BreakerOptions> | null,
  ) {
    this.shard = inner.shard;
    this.label = inner.label;
    if (inner.queueRepairs) this.queueRepairs = (entries) => this.call("queueRepairs", () => inner.queueRepairs!(entries));
    if (inner.readRepairQueue) this.readRepairQueue = (after, limit) => this.call("readRepairQueue", () => inner.readRepairQueue!(after, limit));
    if (inner.removeRepairs) this.removeRepairs = (keys) => this.call("removeRepairs", () => inner.removeRepairs!(keys));
    if (inner.reserveKeys) this.reserveKeys = (rows) => this.call("reserveKeys", () => inner.reserveKeys!(rows));
    if (inner.claimUnique) this.claimUnique = (rows) => this.call("claimUnique", () => inner.claimUnique!(rows));
    if (inner.releaseUnique) this.releaseUnique = (keys) => this.call("releaseUnique", () => inner.releaseUnique!(keys));
    if (inner.scanUniqueClaims) this.scanUniqueClaims = (after, limit) => this.call("scanUniqueClaims", () => inner.scanUniqueClaims!(after, limit));
    if (inner.readTopology) this.readTopology = () => this.call("readTopology", () => inner.readTopology!());
    if (inner.joinTopology) this.joinTopology = (identity) => this.call("joinTopology", () => inner.joinTopology!(identity));
    if (inner.writeTopology) this.writeTopology = (map, expect) => this.call("writeTopology", () => inner.writeTopology!(map, expect));
    if (inner.readSchemaLock) this.readSchemaLock = () => this.call("readSchemaLock", () => inner.readSchemaLock!());
    if (inner.writeSchemaLock) this.writeSchemaLock = (text, v, expect) => this.call("writeSchemaLock", () => inner.writeSchemaLock!(text, v, expect));
    // The bucket-move methods (moveRows.ts, ShardMoves), through the breaker like every other call.
    for (const name of MOVE_METHODS) {
      const method = (inner as unknown as Record<string, ((...args: unknown[]) => Promise<unknown>) | undefined>)[name];
      if (method !== undefined) (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => this.call(name, () => method.apply(inner, args));
    }
  }

  /** The breaker's state now: open (failing fast), half-open (a probe may pass), closed. */
  get state(): BreakerState {
    if (!this.open) return "closed";
    return this.probing || Date.now() - this.openedAt < this.breaker!.probeIntervalMs ? "open" : "half-open";
  }

  /**
   * Runs one shard call through the breaker; every failure comes out as a KvetchError. One promise over the
   * inner call's (a shard call is the hot path of every read).
   */
  private call<T>(what: string, run: () => Promise<T>): Promise<T> {
    noteShardCall(this.shard);
    let probe = false;
    if (this.open) {
      if (this.state === "open") {
        return Promise.reject(shardError(this.shard, "circuit open", what, new Error(`shard ${this.shard}: the circuit breaker is open after ${this.failures} consecutive failures`)));
      }
      this.probing = probe = true;
    }
    let running: Promise<T>;
    try {
      running = Promise.resolve(run());
    } catch (error) {
      return Promise.reject(this.failed(what, error, probe));
    }
    return running.then(
      (result) => {
        noteShardRows(what, result);
        this.failures = 0;
        this.open = false;
        if (probe) this.probing = false;
        return result;
      },
      (error: unknown) => {
        throw this.failed(what, error, probe);
      },
    );
  }

  /** A failed call: counted against the shard (opening the breaker past its threshold), as a KvetchError. */
  private failed(what: string, error: unknown, probe: boolean): KvetchError {
    if (this.breaker !== null && countsAgainstShard(error)) {
      this.failures++;
      if (probe || this.failures >= this.breaker.failureThreshold) {
        this.open = true;
        this.openedAt = Date.now();
      }
    }
    if (probe) this.probing = false;
    return error instanceof KvetchError ? error : shardError(this.shard, "failed", what, error);
  }

  /** health: the breaker's state and, unless it is open, one ping (which serves as the probe when half-open). */
  async health(): Promise<ShardHealth> {
    const inner = this.inner;
    if (this.state === "open") return { shard: this.shard, ok: false, breaker: "open", failures: this.failures, reason: "circuit open" };
    const started = Date.now();
    try {
      await this.call("ping", () => (inner.ping ? inner.ping() : inner.readObjects([]).then(() => undefined)));
      return { shard: this.shard, ok: true, breaker: this.state, failures: this.failures, latencyMs: Date.now() - started };
    } catch (error) {
      const reason = shardFailureOf(error) ?? "failed";
      return { shard: this.shard, ok: false, breaker: this.state, failures: this.failures, reason, latencyMs: Date.now() - started };
    }
  }

  migrate(): Promise<void> {
    return this.call("migrate", () => this.inner.migrate());
  }
  readObjects(ids: readonly string[]): Promise<ObjectRow[]> {
    return this.call("readObjects", () => this.inner.readObjects(ids));
  }
  insertObjects(rows: readonly ObjectRow[]): Promise<void> {
    return this.call("insertObjects", () => this.inner.insertObjects(rows));
  }
  replaceObjects(changes: readonly { row: ObjectRow; expectVersion: number }[]): Promise<boolean[]> {
    return this.call("replaceObjects", () => this.inner.replaceObjects(changes));
  }
  removeObjects(keys: readonly { id: string; expectVersion: number }[]): Promise<boolean[]> {
    return this.call("removeObjects", () => this.inner.removeObjects(keys));
  }
  readEdgeRanges(edgeId: number, ranges: readonly EdgeRange[]): Promise<EdgeRow[][]> {
    return this.call("readEdgeRanges", () => this.inner.readEdgeRanges(edgeId, ranges));
  }
  readEdgeCounts(edgeId: number, fromIds: readonly string[]): Promise<number[]> {
    return this.call("readEdgeCounts", () => this.inner.readEdgeCounts(edgeId, fromIds));
  }
  writeEdges(rows: readonly EdgeRow[], replaceData: boolean): Promise<number> {
    return this.call("writeEdges", () => this.inner.writeEdges(rows, replaceData));
  }
  removeEdges(keys: readonly EdgeKey[]): Promise<number> {
    return this.call("removeEdges", () => this.inner.removeEdges(keys));
  }
  readIndexRanges(indexId: number, ranges: readonly IndexRange[]): Promise<IndexRow[][]> {
    return this.call("readIndexRanges", () => this.inner.readIndexRanges(indexId, ranges));
  }
  writeIndexEntries(rows: readonly IndexRow[]): Promise<number> {
    return this.call("writeIndexEntries", () => this.inner.writeIndexEntries(rows));
  }
  removeIndexEntries(keys: readonly IndexKey[]): Promise<number> {
    return this.call("removeIndexEntries", () => this.inner.removeIndexEntries(keys));
  }
  scanObjects(afterId: string | null, limit: number): Promise<ObjectRow[]> {
    return this.call("scanObjects", () => this.inner.scanObjects(afterId, limit));
  }
  scanEdges(edgeIds: readonly number[], after: EdgeKey | null, limit: number): Promise<EdgeRow[]> {
    return this.call("scanEdges", () => this.inner.scanEdges(edgeIds, after, limit));
  }
  scanIndexEntries(after: IndexScanKey | null, limit: number): Promise<IndexRow[]> {
    return this.call("scanIndexEntries", () => this.inner.scanIndexEntries(after, limit));
  }
  stats(): Promise<ShardStats> {
    return this.call("stats", () => this.inner.stats());
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
