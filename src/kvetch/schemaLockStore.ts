// Reading and writing the schema lock (spec/kvetch-storage.md §2.5): open reads the home shard's copy (one
// round trip per open) and refuses a conflicting schema; migrate reads every copy, records the configured
// schema as the next version (home shard first: two migrates racing meet there) and brings every copy up.
// Never writes at open; never writes a lock a conflict refused.

import type { KvetchBackend, ShardStore } from "./backend.js";
import { KvetchError } from "./errors.js";
import { conflictError, decodeSchemaLock, encodeSchemaLock, lockConflicts, lockEntriesOf, nextLock, schemaLockError, withoutBackfill } from "./schemaLock.js";
import type { LockEntry, SchemaLock } from "./schemaLock.js";
import type { Store } from "./store.js";
import { openTopology } from "./topologyJoin.js";

/** A ShardStore that keeps the schema lock (memory and MySQL do; a backend without these keeps none). */
type LockShard = ShardStore & Required<Pick<ShardStore, "readSchemaLock" | "writeSchemaLock">>;

function keepsSchemaLock(shard: ShardStore): shard is LockShard {
  return typeof shard.readSchemaLock === "function" && typeof shard.writeSchemaLock === "function";
}

/**
 * The positions of the shards that hold the lock, home first: the member shards of the stored map in stored
 * shard id order (the lowest, the home, is the topology's decider too), else every configured shard.
 */
function lockPositions(store: Store): number[] {
  const topology = store.topology;
  if (topology === null) return store.shards.map((_, position) => position);
  return [...topology.map.shards].sort((a, b) => a - b).flatMap((id) => {
    const position = topology.positionOf.get(id);
    return position === undefined ? [] : [position];
  });
}

/** The shards keeping the lock, home first; none when the backend keeps no lock. */
function lockShards(store: Store): LockShard[] {
  const shards: ShardStore[] = lockPositions(store).map((position) => store.shards[position]!);
  return shards.every(keepsSchemaLock) ? shards : [];
}

/** The newest of the copies read (null when no shard holds one). */
function newestLock(texts: readonly (string | null)[], shards: readonly LockShard[]): SchemaLock | null {
  let newest: SchemaLock | null = null;
  texts.forEach((text, i) => {
    if (text === null) return;
    const lock = decodeSchemaLock(text, shards[i]!.label);
    if (newest === null || lock.version > newest.version) newest = lock;
  });
  return newest;
}

/**
 * checkSchemaLock: the open check's schema half, after the topology's. One read of the home shard's copy;
 * a conflict fails the open (and so every call of this Kvetch) with both definitions named. No lock yet
 * (never migrated since the lock exists, or a memory backend made at open): nothing to check.
 */
export async function checkSchemaLock(store: Store): Promise<void> {
  const home = lockShards(store)[0];
  if (home === undefined) return;
  const text = await home.readSchemaLock();
  if (text === null) return;
  const lock = decodeSchemaLock(text, home.label);
  const conflicts = lockConflicts(lock, lockEntriesOf(store.schema));
  if (conflicts.length > 0) throw conflictError(conflicts, lock.version);
}

/** What migrate did with the schema lock (null: the backend keeps none). */
export interface KvetchMigrateReport {
  /** The schema lock version stored after migrate. */
  schemaLockVersion: number;
  /** Indexes and derived edges new to existing data: a full `repair` fills them in. */
  backfill: string[];
}

/**
 * writeLock: stores `next` (when newer than `current`) on every copy, home first; the home takes it only over
 * `current`'s version, so of two migrates racing one wins and the other fails (run migrate again). Lagging
 * copies are brought up to `next`.
 */
async function writeLock(shards: readonly LockShard[], texts: readonly (string | null)[], current: SchemaLock | null, next: SchemaLock): Promise<void> {
  const text = encodeSchemaLock(next);
  for (let i = 0; i < shards.length; i++) {
    if (texts[i] === text) continue;
    const stored = await shards[i]!.writeSchemaLock(text, next.version, i === 0 ? (current?.version ?? 0) : next.version - 1);
    if (stored !== text) {
      const version = stored === null ? 0 : decodeSchemaLock(stored, shards[i]!.label).version;
      throw schemaLockError(`${shards[i]!.label} holds schema lock version ${version}, not ${next.version}: another migrate recorded a schema first; run migrate again`);
    }
  }
}

/** Reads every copy of the lock: the shards, their texts and the newest lock. */
async function readLocks(store: Store): Promise<{ shards: LockShard[]; texts: (string | null)[]; lock: SchemaLock | null }> {
  const shards = lockShards(store);
  const texts = await Promise.all(shards.map((shard) => shard.readSchemaLock()));
  return { shards, texts, lock: newestLock(texts, shards) };
}

const described = (entry: LockEntry): string => `${entry.kind} "${entry.name}"`;

/**
 * migrateSchemaLock: migrate's schema step, after the topology's: adopts the topology (to know the home
 * shard), then (unless the schema has no types, null) refuses a conflicting schema (as
 * open does) before writing anything; otherwise records it (nextLock) on every copy.
 */
export async function migrateSchemaLock(store: Store, backend: KvetchBackend): Promise<KvetchMigrateReport | null> {
  await openTopology(store, backend);
  // A schema of no types (`graphscale kvetch migrate` without a configured schema) has nothing to record.
  if (store.schema.objects.length === 0) return null;
  const { shards, texts, lock } = await readLocks(store);
  if (shards.length === 0) return null;
  const configured = lockEntriesOf(store.schema);
  if (lock !== null) {
    const conflicts = lockConflicts(lock, configured);
    if (conflicts.length > 0) throw conflictError(conflicts, lock.version);
  }
  const next = nextLock(lock, configured);
  await writeLock(shards, texts, lock, next);
  return { schemaLockVersion: next.version, backfill: next.entries.filter((entry) => entry.backfill === true).map(described) };
}

/**
 * settleBackfill: after a full repair passed every object, the entries waiting for backfill are filled:
 * the lock drops their marks (a new version). A lock changed meanwhile by a migrate is left as it is.
 */
export async function settleBackfill(store: Store): Promise<void> {
  const { shards, texts, lock } = await readLocks(store);
  if (lock === null) return;
  const next = withoutBackfill(lock, lockEntriesOf(store.schema));
  if (next === lock) return;
  try {
    await writeLock(shards, texts, lock, next);
  } catch (error) {
    if (!(error instanceof KvetchError) || error.code !== "BAD_SCHEMA") throw error;
  }
}
