// The types of the durable shard topology (spec/kvetch-storage.md §2.2) that the backend contract shares: a
// shard's identity, the stored map, and one shard's answer to readTopology. Types only: never holds code,
// never imports the backend contract (backend.ts imports this file).

import type { BucketRange } from "./shard.js";

/** What one shard knows of itself: the installation it belongs to and its own stored id (never rewritten). */
export interface ShardIdentity {
  /** The installation's id (a UUID), made by the first migrate of a fresh set of shards. */
  installation: string;
  /** The shard's stable id in the installation: not its position in a configured list, not its URL. */
  shardId: number;
}

/** The stored map: bucket ranges → shard ids, with a version that only grows. */
export interface TopologyMap {
  installation: string;
  /** 1 for the first map; every new map is the previous version + 1 (writeTopology's compare-and-set). */
  version: number;
  /** Logical buckets, fixed for the life of the data. */
  buckets: number;
  /** Member shard ids in ascending order: every shard a configuration must name (some may own no bucket). */
  shards: readonly number[];
  /** The id the next joined shard gets; ids are never reused. */
  nextShardId: number;
  /** Every bucket exactly once; `shard` is a stored shard id (not a position). */
  ranges: readonly BucketRange[];
}

/** One shard's answer to readTopology: whether it has tables, its identity, and its copy of the map. */
export interface ShardTopology {
  /** False when the shard's tables do not exist (never migrated); identity and map are then null. */
  migrated: boolean;
  identity: ShardIdentity | null;
  map: TopologyMap | null;
}

/** The topology an open store places by: the stored map and the configured position of each stored shard id. */
export interface OpenTopology {
  map: TopologyMap;
  /** Shard id → position in the configured list (= index into store.shards and counters.shardQueries). */
  positionOf: ReadonlyMap<number, number>;
}
