// The unique-claim steps of the batch writes (write.ts, spec/kvetch-storage.md §6.7): claim a create's or an
// update's new values before its canonical write, give back what a create did not store, and release the
// values an update or a delete gave up after it. Never releases a claim whose write may have committed.

import { writeOutcomeOf } from "./canonicalWrite.js";
import type { DerivedRows } from "./derived.js";
import { diffDerivedRows } from "./derived.js";
import type { KvetchError } from "./errors.js";
import type { ObjectRow } from "./backend.js";
import { claimUniqueValues, releaseUniqueValues, uniqueClaimsOf } from "./unique.js";
import type { UniqueClaim } from "./unique.js";
import { isFailure } from "./store.js";
import type { Store } from "./store.js";
import type { WrittenObject } from "./repairQueue.js";

/** The version a deleted object's claims are released at: any version it held them at. */
const ANY_VERSION = 0xffffffff;

/**
 * claimCreates: claims the unique values of the items about to be inserted (positions `insert`, ids `ids`).
 * An item refused (a value taken, or its claim's shard failed) gets its error in `out` and leaves `insert`, so
 * nothing of it is written. Returns the claims made, by id.
 */
export async function claimCreates(
  store: Store,
  items: readonly { derived: DerivedRows }[],
  ids: readonly unknown[],
  insert: number[],
  out: unknown[],
  now: number,
): Promise<Map<string, UniqueClaim[]>> {
  const claimed = new Map<string, UniqueClaim[]>();
  const wanted = insert.map((i) => uniqueClaimsOf(ids[i] as string, 1, items[i]!.derived));
  if (wanted.every((claims) => claims.length === 0)) return claimed;
  const refused = await claimUniqueValues(store, wanted, () => "createObject", "the object was not created", now, true);
  let kept = 0;
  for (let n = 0; n < insert.length; n++) {
    const i = insert[n]!;
    if (refused[n] !== null) {
      out[i] = refused[n];
      continue;
    }
    if (wanted[n]!.length > 0) claimed.set(ids[i] as string, wanted[n]!);
    insert[kept++] = i;
  }
  insert.length = kept;
  await store.hooks.afterUniqueClaim?.({ op: "create", ids: [...claimed.keys()] });
  return claimed;
}

/**
 * releaseUnstoredCreates: gives back the claims of creates read back as not stored. Kept: the stored ones, a
 * keyed create's (a retry with the same key may have stored the object), and those whose outcome is unknown
 * (repair settles them: a claim whose owner does not exist is released).
 */
export async function releaseUnstoredCreates(
  store: Store,
  claimed: ReadonlyMap<string, UniqueClaim[]>,
  stored: (id: string) => boolean,
  failed: ReadonlyMap<string, KvetchError>,
  keyed: ReadonlySet<string>,
): Promise<void> {
  const release: UniqueClaim[] = [];
  for (const [id, claims] of claimed) {
    const error = failed.get(id);
    if (stored(id) || keyed.has(id) || error === undefined || writeOutcomeOf(error) === "unknown") continue;
    release.push(...claims);
  }
  await releaseUniqueValues(store, release);
}

/** One object an update is about to write: what updateObjects plans per attempt. */
interface PlannedPatch {
  at: number;
  row: ObjectRow;
  beforeRows: DerivedRows;
  afterRows: DerivedRows;
}

/**
 * claimPatches: claims the unique values the planned patches add, at the version they will write. A refused
 * patch leaves `planned`: while nothing of the call is written (`refuseCall`), a taken value refuses the
 * whole call (thrown); otherwise, or for a claim's shard failure, its entry gets the error in `results`.
 */
export async function claimPatches<P extends PlannedPatch>(
  store: Store,
  planned: P[],
  results: unknown[],
  where: (at: number) => string,
  refuseCall: boolean,
  now: number,
): Promise<void> {
  const wanted = planned.map((plan) => uniqueClaimsOf(plan.row.id, plan.row.version, diffDerivedRows(plan.beforeRows, plan.afterRows).added));
  if (wanted.every((claims) => claims.length === 0)) return;
  const tail = refuseCall ? "nothing was written" : "the object was not changed; the batch's other objects were written";
  const refused = await claimUniqueValues(store, wanted, (p) => where(planned[p]!.at), tail, now, false);
  let kept = 0;
  const ids: string[] = [];
  for (let p = 0; p < planned.length; p++) {
    const error = refused[p];
    if (error != null) {
      if (refuseCall && error.code === "UNIQUE_VIOLATION") throw error;
      results[planned[p]!.at] = error;
      continue;
    }
    ids.push(planned[p]!.row.id);
    planned[kept++] = planned[p]!;
  }
  planned.length = kept;
  await store.hooks.afterUniqueClaim?.({ op: "update", ids });
}

/** releaseReplaced: after an update's compare-and-set, releases the unique values the objects it wrote gave up. */
export async function releaseReplaced(store: Store, planned: readonly PlannedPatch[], results: readonly unknown[]): Promise<void> {
  const release: UniqueClaim[] = [];
  for (const plan of planned) {
    const outcome = results[plan.at];
    if (outcome === undefined || isFailure(outcome)) continue;
    release.push(...uniqueClaimsOf(plan.row.id, plan.row.version, diffDerivedRows(plan.beforeRows, plan.afterRows).removed));
  }
  await releaseUniqueValues(store, release);
}

/** releaseDeleted: after a delete, releases the unique values of the objects it deleted (`touched`: what they implied). */
export async function releaseDeleted(store: Store, deleted: readonly WrittenObject[]): Promise<void> {
  const release: UniqueClaim[] = [];
  for (const object of deleted) release.push(...uniqueClaimsOf(object.id, ANY_VERSION, object.touched));
  await releaseUniqueValues(store, release);
}
