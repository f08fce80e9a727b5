// graphscale/kvetch: the public API of the Kvetch store, including the backend contract (KvetchBackend,
// ShardStore and the row shapes they pass). Everything not exported here is internal and may change; never
// export the cache, the read/write internals or test hooks from this file (tests: graphscale/kvetch/testing).

export { Kvetch } from "./kvetch.js";
export type { KvetchOptions, KvetchHealth } from "./kvetch.js";
export type { KvetchPartialOption, NewItem } from "./model.js";
export type { UpdateItem } from "./updateItems.js";
export type { DerivedWriteFailure } from "./store.js";
export type { ShardHealth, BreakerState } from "./shardGuard.js";
export type { CacheHealth } from "./cache.js";
export { defineSchema, KvetchSchema, DELETE_RULES } from "./schema.js";
export type {
  KvetchSchemaConfig,
  KvetchObjectTypeConfig,
  KvetchEdgeConfig,
  KvetchIndexConfig,
  KvetchObjectTypeDef,
  KvetchEdgeDef,
  KvetchIndexDef,
  KvetchDeleteRule,
} from "./schema.js";
export { memoryBackend, memoryShards } from "./memory.js";
export type { MemoryBackendOptions, MemoryShard } from "./memory.js";
export type { ShardIdentity, ShardTopology, TopologyMap } from "./topologyMap.js";
export { mysqlBackend } from "./mysql.js";
export type { MysqlBackendOptions } from "./mysql.js";
export type {
  BreakerOptions,
  IdempotencyKeyRow,
  RepairEntry,
  KvetchBackend,
  KvetchCounters,
  RedisConfig,
  ShardStats,
  ShardStore,
  ObjectRow,
  FlatData,
  EdgeKey,
  EdgeRow,
  EdgeRange,
  IndexKey,
  IndexScanKey,
  IndexRow,
  IndexRange,
  UniqueClaimKey,
  UniqueClaimOwner,
  UniqueClaimRow,
} from "./backend.js";
export type { Position as ListPosition } from "./cursor.js";
export { decodeCursor } from "./cursor.js";
export { checkJsonValue } from "./data.js";
export {
  DEFAULT_BUCKETS,
  ShardMap,
  bucketOfId,
  hashOfId,
  hashOfIndexEntry,
  indexValueKey,
  shardOfEdge,
  shardOfId,
  shardOfIndexEntry,
  shardOfIdempotencyKey,
} from "./shard.js";
export { flatDataOf, idempotencyKeyHash } from "./backend.js";
export type { BucketRange, ShardMapOptions } from "./shard.js";
export { newId, isUuid, notUuidError, timeOfId } from "./id.js";
export { derivedEdgeHolds, derivedTargetHolds, indexEntryHolds } from "./derived.js";
export { KvetchError } from "./errors.js";
export { withRequest } from "./admission.js";
export { writeOutcomeOf } from "./canonicalWrite.js";
export type { WriteOutcome } from "./canonicalWrite.js";
export type { KvetchRequestScope } from "./admission.js";
export type { DependencyChange, DependencyVersions } from "./reactivity.js";
export { objectKey, edgesKey, countKey, indexKey } from "./deps.js";
export type { KvetchErrorCode, ShardFailureReason } from "./errors.js";
export type {
  KvetchData,
  KvetchObject,
  KvetchEdge,
  KvetchIndexEntry,
  KvetchPage,
  KvetchPageOptions,
} from "./model.js";
export type { ReshardOptions, ReshardProgress, ReshardReport } from "./reshard.js";
export type { KvetchMigrateReport } from "./schemaLockStore.js";
export type {
  KvetchRepairCheckpoint,
  KvetchRepairOptions,
  KvetchRepairProgress,
  KvetchRepairPhase,
  KvetchRepairReport,
} from "./repair.js";
