// Migrate's part of unique indexes (spec/kvetch-storage.md §6.7): every value of a unique index already stored
// is claimed for the one object holding it, and an index whose values more than one object holds is refused
// with those values and objects listed. Reads index entries and checks them against the canonical objects;
// claims insert-if-absent, so it never gives a value a second owner and is safe to run again.

import type { IndexRow, IndexScanKey } from "./backend.js";
import { indexEntryHolds } from "./derived.js";
import { KvetchError } from "./errors.js";
import { decodeObject } from "./model.js";
import type { KvetchObject } from "./model.js";
import { readObjectRows } from "./objectRead.js";
import { orThrow } from "./store.js";
import type { Store } from "./store.js";
import { claimUniqueValues } from "./unique.js";
import type { UniqueClaim } from "./unique.js";

const PAGE = 1000;
/** Duplicates a refusal lists in full; more are counted. */
const LISTED = 20;

/**
 * migrateUniqueClaims: per shard, reads the entries of the unique indexes (one value's entries live on one
 * shard), keeps those their object still implies, claims each value held by one object, and collects the
 * values held by more (or claimed by another object); throws BAD_SCHEMA listing them when there are any.
 */
export async function migrateUniqueClaims(store: Store): Promise<void> {
  if (!store.schema.indexes.some((index) => index.unique)) return;
  const duplicates: string[] = [];
  for (let shard = 0; shard < store.shards.length; shard++) {
    const values = new Map<string, IndexRow[]>();
    let after: IndexScanKey | null = null;
    for (;;) {
      const page = await store.shards[shard]!.scanIndexEntries(after, PAGE);
      for (const entry of page) {
        if (!store.schema.indexById(entry.indexId)?.unique) continue;
        const key = `${entry.indexId}/${entry.valueHash}`;
        const list = values.get(key);
        if (list) list.push(entry);
        else values.set(key, [entry]);
      }
      if (page.length < PAGE) break;
      const end = page[page.length - 1]!;
      after = { indexId: end.indexId, valueHash: end.valueHash, targetId: end.targetId };
    }
    await claimHolders(store, [...values.values()], duplicates);
  }
  if (duplicates.length > 0) {
    const shown = duplicates.slice(0, LISTED).join("; ");
    const more = duplicates.length > LISTED ? `; and ${duplicates.length - LISTED} more` : "";
    throw new KvetchError(
      "BAD_SCHEMA",
      `migrate: ${duplicates.length} value(s) of unique indexes are held by more than one object, so unique cannot be added: ${shown}${more}. Change or delete all but one object of each value, then migrate again`,
    );
  }
}

/** claimHolders: for each value's entries, the objects that hold it: one is claimed for, more are listed in `duplicates`. */
async function claimHolders(store: Store, values: readonly IndexRow[][], duplicates: string[]): Promise<void> {
  const ids = [...new Set(values.flatMap((entries) => entries.map((entry) => entry.targetId)))];
  const rows = ids.length === 0 ? [] : orThrow(await readObjectRows(store, ids));
  const objects = new Map<string, KvetchObject | null>();
  for (let i = 0; i < ids.length; i++) {
    const row = rows[i]!;
    objects.set(ids[i]!, row === null || !store.schema.typeById(row.typeId) ? null : decodeObject(store.schema, row, "migrate"));
  }
  const claims: UniqueClaim[][] = [];
  for (const entries of values) {
    const index = store.schema.indexById(entries[0]!.indexId)!;
    const value = JSON.parse(entries[0]!.valueKey) as unknown;
    const holders = entries.filter((entry) => indexEntryHolds(index, value, objects.get(entry.targetId)));
    if (holders.length > 1) duplicates.push(describeDuplicate(index.name, entries[0]!.valueKey, holders.map((entry) => entry.targetId)));
    else if (holders.length === 1) {
      const owner = objects.get(holders[0]!.targetId)!;
      claims.push([{ index, valueKey: entries[0]!.valueKey, ownerId: owner.id, version: owner.version }]);
    }
  }
  const refused = await claimUniqueValues(store, claims, () => "migrate", "another object claimed it", Date.now(), false);
  for (let c = 0; c < claims.length; c++) {
    const error = refused[c];
    if (error === null || error === undefined) continue;
    if (error.code !== "UNIQUE_VIOLATION") throw error;
    const { index, valueKey, ownerId } = claims[c]![0]!;
    duplicates.push(describeDuplicate(index.name, valueKey, [ownerId, "an object that claimed it before"]));
  }
}

function describeDuplicate(index: string, valueKey: string, holders: readonly string[]): string {
  return `${index} ${valueKey.length > 80 ? `${valueKey.slice(0, 77)}...` : valueKey}: ${holders.join(", ")}`;
}
