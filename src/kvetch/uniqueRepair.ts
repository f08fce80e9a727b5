// Repair of unique claims (spec/kvetch-storage.md §6.7, §8): the "claims" phase, run when the schema has a
// unique index. A claim whose owner does not exist, or no longer holds the value, is released — a write that
// stopped between its claim and its canonical write (a crash) or before its release. Claims younger than the
// grace period are left to the write that may still be running. Never creates a claim, so never a second owner.

import type { UniqueClaimKey } from "./backend.js";
import { indexEntryHolds } from "./derived.js";
import { decodeObject } from "./model.js";
import type { KvetchObject } from "./model.js";
import { readObjectRows } from "./objectRead.js";
import { orThrow } from "./store.js";
import type { Store } from "./store.js";
import { releaseUniqueValues } from "./unique.js";
import type { UniqueClaim } from "./unique.js";

/** How old a claim must be (ms) before repair may release it (default of KvetchRepairOptions.claimGraceMs). */
export const CLAIM_GRACE_MS = 60_000;

/** Whether the schema has a unique index (the "claims" phase runs only then). */
export function hasUniqueIndex(store: Store): boolean {
  return store.schema.indexes.some((index) => index.unique);
}

/**
 * repairClaimsBatch: one scanUniqueClaims page on one shard; reads the claims' owners from their shards and
 * releases (at the version seen, so a newer claim by the same owner stays) each claim older than `graceMs`
 * whose owner does not hold its value. Returns the rows scanned, the key to continue after, and how many it released.
 */
export async function repairClaimsBatch(
  store: Store,
  shard: number,
  after: string | null,
  batchSize: number,
  graceMs: number,
): Promise<{ rows: number; last: string | null; released: number }> {
  const scan = store.shards[shard]!.scanUniqueClaims;
  if (scan === undefined) return { rows: 0, last: null, released: 0 };
  let from: UniqueClaimKey | null = null;
  if (after !== null) {
    const [indexId, valueHash] = after.split("/");
    from = { indexId: Number(indexId), valueHash: valueHash! };
  }
  const claims = await scan(from, batchSize);
  const ownerIds = [...new Set(claims.map((claim) => claim.ownerId))];
  const rows = orThrow(await readObjectRows(store, ownerIds));
  const owners = new Map<string, KvetchObject | null>();
  for (let i = 0; i < ownerIds.length; i++) {
    const row = rows[i]!;
    owners.set(ownerIds[i]!, row === null || !store.schema.typeById(row.typeId) ? null : decodeObject(store.schema, row, "repair"));
  }
  const oldest = Date.now() - graceMs;
  const release: UniqueClaim[] = [];
  for (const claim of claims) {
    const index = store.schema.indexById(claim.indexId);
    if (!index || claim.claimed > oldest) continue; // an index the schema dropped: left for an operator
    if (indexEntryHolds(index, JSON.parse(claim.valueKey), owners.get(claim.ownerId))) continue;
    release.push({ index, valueKey: claim.valueKey, ownerId: claim.ownerId, version: claim.version });
  }
  const released = await releaseUniqueValues(store, release);
  const end = claims[claims.length - 1];
  return { rows: claims.length, last: end === undefined ? null : `${end.indexId}/${end.valueHash}`, released };
}
