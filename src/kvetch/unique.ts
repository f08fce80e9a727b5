// Unique indexes (spec/kvetch-storage.md §6.7): a write claims each value of a unique index its object takes —
// a unique_claims row on the value's shard, insert-if-absent — before its canonical write, and releases the
// values its object gave up after it. Two writers of one value at once: the claim's primary key gives it one
// owner, the other is refused with UNIQUE_VIOLATION and writes nothing. Never names another owner's id to the
// caller; never releases a claim its caller does not own.

import { indexValueHash } from "./backend.js";
import type { UniqueClaimOwner, UniqueClaimRow } from "./backend.js";
import type { DerivedRows } from "./derived.js";
import { KvetchError, describeValue, shardFailureOf } from "./errors.js";
import type { KvetchIndexDef } from "./schema.js";
import { shardOfIndexEntry } from "./shard.js";
import { eachShardChunk, groupByShard, pick } from "./store.js";
import type { Store } from "./store.js";

/** A value of a unique index that one object owns (or means to) from object version `version` on. */
export interface UniqueClaim {
  index: KvetchIndexDef;
  valueKey: string;
  ownerId: string;
  version: number;
}

/** uniqueClaimsOf: the claims the index rows of `rows` imply for object `ownerId` at `version` (its unique indexes' values). */
export function uniqueClaimsOf(ownerId: string, version: number, rows: DerivedRows): UniqueClaim[] {
  const out: UniqueClaim[] = [];
  for (const { index, valueKey } of rows.index) if (index.unique) out.push({ index, valueKey, ownerId, version });
  return out;
}

/** uniqueViolation: the refusal of a value another object owns — the index and the value, never that object. */
export function uniqueViolation(where: string, { index, valueKey }: UniqueClaim, tail: string): KvetchError {
  const value = describeValue(JSON.parse(valueKey));
  return new KvetchError(
    "UNIQUE_VIOLATION",
    `${where}: ${index.indexedType}.${index.indexedAttr} ${value} is taken: unique index "${index.name}" allows one ${index.indexedType} per value; ${tail}`,
  );
}

function claimOwner({ index, valueKey, ownerId, version }: UniqueClaim): UniqueClaimOwner {
  return { indexId: index.indexId, valueHash: indexValueHash(valueKey), valueKey, ownerId, version };
}

/**
 * claimUniqueValues: claims every item's values on their shards (one claimUnique per shard chunk, all shards at
 * once) and gives each item null when it owns them all, else its error: UNIQUE_VIOLATION for a value another
 * object owns (saying `tail`: what was not written), or the failure of a claim's shard. With `giveBack`
 * (creates: fresh owners no other write claims for), an item refused gives back the values it did claim; an
 * update's are left to repair, since a concurrent update of the same object may have claimed them too.
 */
export async function claimUniqueValues(
  store: Store,
  items: readonly (readonly UniqueClaim[])[],
  where: (item: number) => string,
  tail: string,
  now: number,
  giveBack: boolean,
): Promise<(KvetchError | null)[]> {
  const out = new Array<KvetchError | null>(items.length).fill(null);
  const rows: UniqueClaimRow[] = [];
  const claims: UniqueClaim[] = [];
  const itemOf: number[] = [];
  for (let i = 0; i < items.length; i++) {
    for (const claim of items[i]!) {
      rows.push({ ...claimOwner(claim), claimed: now });
      claims.push(claim);
      itemOf.push(i);
    }
  }
  if (rows.length === 0) return out;
  const shardOf = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) shardOf[r] = shardOfIndexEntry(store.shardMap, rows[r]!.indexId, rows[r]!.valueKey);
  const chunks = groupByShard(store.shards.length, shardOf, (r) => rows[r]!.valueKey.length);
  for (const { shard } of chunks) {
    if (!store.shards[shard]!.claimUnique) {
      throw new KvetchError("BAD_CONFIG", `${where(0)}: this backend keeps no unique claims (its shards have no claimUnique), so unique index "${claims[0]!.index.name}" cannot be enforced; use a backend that has them`);
    }
  }
  const owned = new Array<boolean>(rows.length).fill(false);
  await eachShardChunk(
    chunks,
    async ({ shard, positions }) => {
      const owners = await store.shards[shard]!.claimUnique!(pick(rows, positions));
      for (let p = 0; p < positions.length; p++) {
        const r = positions[p]!;
        if (owners[p] === rows[r]!.ownerId) owned[r] = true;
        else out[itemOf[r]!] ??= uniqueViolation(where(itemOf[r]!), claims[r]!, tail);
      }
    },
    ({ positions }, error) => {
      for (const r of positions) out[itemOf[r]!] ??= error;
    },
    store,
  );
  if (!giveBack) return out;
  const given: UniqueClaim[] = [];
  for (let r = 0; r < rows.length; r++) if (owned[r] && out[itemOf[r]!] !== null) given.push(claims[r]!);
  await releaseUniqueValues(store, given);
  return out;
}

/**
 * releaseUniqueValues: deletes these claims where their owner still holds them (one releaseUnique per shard
 * chunk). A shard that fails keeps its claims: repair releases a claim whose owner does not hold its value
 * (uniqueRepair.ts), so the write that gave the value up still succeeds. Returns how many were released.
 */
export async function releaseUniqueValues(store: Store, claims: readonly UniqueClaim[]): Promise<number> {
  if (claims.length === 0) return 0;
  const keys = claims.map(claimOwner);
  const shardOf = new Int32Array(keys.length);
  for (let k = 0; k < keys.length; k++) shardOf[k] = shardOfIndexEntry(store.shardMap, keys[k]!.indexId, keys[k]!.valueKey);
  let released = 0;
  await eachShardChunk(
    groupByShard(store.shards.length, shardOf),
    async ({ shard, positions }) => {
      const n = await store.shards[shard]!.releaseUnique!(pick(keys, positions));
      released += n;
    },
    (_chunk, error) => {
      if (shardFailureOf(error) === null) throw error;
    },
    store,
  );
  return released;
}
