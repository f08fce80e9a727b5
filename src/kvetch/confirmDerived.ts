// confirmDerived (spec/kvetch-storage.md §6.4): a write's derived rows were computed from the object as the
// write saw it. When another writer committed the object since, the rows this write inserted or deleted may
// undo that writer's (its own derived step ran first): the object is read again and its derived rows are
// made to follow its current data. Never trusts the write's view over the object's current row.

import type { ObjectRow } from "./backend.js";
import { seqAt } from "./cursor.js";
import { derivedRowsOf, diffDerivedRows } from "./derived.js";
import type { DerivedRows } from "./derived.js";
import { collectDerived, emptyChanges, invalidateDerived, writeDerived } from "./derivedWrite.js";
import type { KvetchData } from "./model.js";
import { readObjectRows } from "./objectRead.js";
import { isFailure } from "./store.js";
import type { Store } from "./store.js";

/** An object a write touched: the derived rows it inserted or deleted, and the version it left. */
export interface WrittenObject {
  id: string;
  /** The derived rows the write inserted or deleted: each is removed later unless the current data implies it. */
  touched: DerivedRows;
  /** The object's version as the write left it; null when the write deleted it. */
  version: number | null;
}

/** Rounds of confirmDerived before the objects still moving are left to the repair queue. */
export const CONFIRM_ROUNDS = 4;

/**
 * confirmDerived: after a write's derived rows are written: the objects whose touched rows are not
 * empty are read again (one round trip per shard holding them). An object still at the version the write
 * left is done. Another is re-derived from its current row (none when deleted): the rows its data implies
 * are inserted if absent, every row any round touched that it does not imply is removed, and the lists are
 * invalidated; then it is read again, up to CONFIRM_ROUNDS times. Returns the objects it could not settle
 * (a read or write failed, or they kept moving) with the error, for the repair queue; else null.
 */
export async function confirmDerived(store: Store, objects: readonly WrittenObject[]): Promise<{ objects: WrittenObject[]; error: unknown } | null> {
  let pending = objects.filter((object) => object.touched.edges.length > 0 || object.touched.index.length > 0);
  for (let round = 1; pending.length > 0; round++) {
    const rows = await readObjectRows(store, pending.map((object) => object.id));
    const failure = rows.find(isFailure);
    if (failure !== undefined) return { objects: pending, error: failure };
    const changes = emptyChanges();
    const moved: WrittenObject[] = [];
    for (let k = 0; k < pending.length; k++) {
      const object = pending[k]!;
      const row = (rows[k] ?? null) as ObjectRow | null; // no failure: returned above
      if ((row === null ? null : row.version) === object.version) continue;
      const type = row === null ? undefined : store.schema.typeById(row.typeId);
      const implied: DerivedRows = row !== null && type ? derivedRowsOf(type, JSON.parse(row.body) as KvetchData, false, "") : { edges: [], index: [] };
      if (row !== null) collectDerived(changes, object.id, implied, true, seqAt(row.updated), row.updated);
      // The touched rows the current data does not imply go; what it implies beyond them is touched from now on.
      const { removed: stale, added: more } = diffDerivedRows(object.touched, implied);
      collectDerived(changes, object.id, stale, false, 0, 0);
      moved.push({ id: object.id, touched: { edges: [...object.touched.edges, ...more.edges], index: [...object.touched.index, ...more.index] }, version: row === null ? null : row.version });
    }
    if (moved.length === 0) return null;
    if (round > CONFIRM_ROUNDS) return { objects: moved, error: new Error(`the objects kept changing through ${CONFIRM_ROUNDS} rounds of confirming their derived rows`) };
    try {
      await writeDerived(store, changes);
    } catch (error) {
      return { objects: moved, error };
    }
    await invalidateDerived(store, changes);
    pending = moved;
  }
  return null;
}
