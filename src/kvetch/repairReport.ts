// What a repair run reports and resumes from (spec/kvetch-storage.md §8): shared by the full repair and the
// queue drain, so neither imports the other for it.

/** "claims" runs only when the schema has a unique index (spec/kvetch-storage.md §6.7). */
export type KvetchRepairPhase = "objects" | "edges" | "index" | "claims";

/** Where a repair stands: the phase, the shard, and the last key done on that shard (null: from the start). */
export interface KvetchRepairCheckpoint {
  phase: KvetchRepairPhase;
  shard: number;
  after: string | null;
}

export interface KvetchRepairReport {
  /** Canonical objects scanned. */
  scanned: number;
  /** Derived edges and index entries checked against their objects. */
  checked: number;
  edgesAdded: number;
  edgesRemoved: number;
  indexAdded: number;
  indexRemoved: number;
  /** Unique claims released because their owner does not hold the value (present once a run released one). */
  claimsReleased?: number;
  /** Where to resume when the run stopped early (maxBatches); null when it finished. */
  checkpoint: KvetchRepairCheckpoint | null;
}
