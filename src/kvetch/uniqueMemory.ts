// The unique claims of one memory shard (spec/kvetch-storage.md §6.7): a map from (indexId, valueHash) to its
// claim, the memory twin of MySQL's unique_claims table. Insert-if-absent and owner-checked delete, so a value
// has at most one owner; never replaces a claim another owner holds.

import { compareText } from "./backend.js";
import type { KvetchCounters, UniqueClaimKey, UniqueClaimOwner, UniqueClaimRow } from "./backend.js";

/** A memory shard's claims, keyed `${indexId}/${valueHash}`. */
export type MemoryClaims = Map<string, UniqueClaimRow>;

const keyOf = (key: UniqueClaimKey): string => `${key.indexId}/${key.valueHash}`;

/** claimMemoryUnique: stores each claim unless its value is claimed (the same owner's takes the higher version); the owner under each. */
function claimMemoryUnique(claims: MemoryClaims, rows: readonly UniqueClaimRow[]): string[] {
  const out = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const key = keyOf(row);
    const held = claims.get(key);
    if (held === undefined) claims.set(key, { ...row });
    else if (held.ownerId === row.ownerId) claims.set(key, { ...held, version: Math.max(held.version, row.version), claimed: row.claimed });
    out[i] = held?.ownerId ?? row.ownerId;
  }
  return out;
}

/** releaseMemoryUnique: deletes each claim its owner still holds at the key's version or older; how many were deleted. */
function releaseMemoryUnique(claims: MemoryClaims, keys: readonly UniqueClaimOwner[]): number {
  let removed = 0;
  for (const key of keys) {
    const at = keyOf(key);
    const held = claims.get(at);
    if (held !== undefined && held.ownerId === key.ownerId && held.version <= key.version && claims.delete(at)) removed++;
  }
  return removed;
}

/** scanMemoryUnique: claims after `after` in (indexId, valueHash) order, at most `limit`. */
function scanMemoryUnique(claims: MemoryClaims, after: UniqueClaimKey | null, limit: number): UniqueClaimRow[] {
  const order = (a: UniqueClaimKey, b: UniqueClaimKey): number => a.indexId - b.indexId || compareText(a.valueHash, b.valueHash);
  const all = [...claims.values()].filter((row) => after === null || order(row, after) > 0).sort(order);
  return all.slice(0, limit).map((row) => ({ ...row }));
}

/** memoryUniqueClaims: the claimUnique, releaseUnique and scanUniqueClaims methods of one memory shard. */
export function memoryUniqueClaims(
  claims: MemoryClaims,
  roundTrip: () => Promise<void>,
  counters: KvetchCounters,
): {
  claimUnique(rows: readonly UniqueClaimRow[]): Promise<string[]>;
  releaseUnique(keys: readonly UniqueClaimOwner[]): Promise<number>;
  scanUniqueClaims(after: UniqueClaimKey | null, limit: number): Promise<UniqueClaimRow[]>;
} {
  return {
    async claimUnique(rows) {
      await roundTrip();
      counters.rowsFetched += rows.length;
      return claimMemoryUnique(claims, rows);
    },
    async releaseUnique(keys) {
      await roundTrip();
      return releaseMemoryUnique(claims, keys);
    },
    async scanUniqueClaims(after, limit) {
      await roundTrip();
      const rows = scanMemoryUnique(claims, after, limit);
      counters.rowsFetched += rows.length;
      return rows;
    },
  };
}
