// Writes: canonical rows first, then derived rows (idempotent upserts and deletes), then cache invalidation —
// always in that order, so a crash leaves at worst derived rows that reads re-check and repair heals. Each
// entry's result tells the truth: an object whose canonical row committed is a success even when its derived
// rows failed (they are queued for repair); an entry whose shard failed is read back (canonicalWrite.ts) and
// is stored, not stored, or unknown — the unknown ones queued for repair.
// Every argument is validated by the caller before the first write; never writes a derived row before its canonical row.

import stableStringify from "fast-json-stable-stringify";
import type { ObjectRow } from "./backend.js";
import { objectTag } from "./cache.js";
import { canonicalChunks, insertNew, removeSettled, replaceSettled, writeOutcomeOf } from "./canonicalWrite.js";
import type { HeldError } from "./canonicalWrite.js";
import { nextSeq, seqAt } from "./cursor.js";
import { applyPatch } from "./data.js";
import { diffDerivedRows, derivedRowsOf } from "./derived.js";
import type { DerivedRows } from "./derived.js";
import { collectDerived, derivedTags, emptyChanges, invalidate } from "./derivedWrite.js";
import { KvetchError } from "./errors.js";
import { newId } from "./id.js";
import { reserveIds } from "./idempotency.js";
import { decodeObject } from "./model.js";
import type { KvetchData, KvetchObject } from "./model.js";
import { readObjectRows } from "./objectRead.js";
import { finishDerived, queueUnsettled } from "./repairQueue.js";
import type { WrittenObject } from "./repairQueue.js";
import type { KvetchObjectTypeDef } from "./schema.js";
import { shardOfId } from "./shard.js";
import { claimCreates, claimPatches, releaseDeleted, releaseReplaced, releaseUnstoredCreates } from "./uniqueWrite.js";
import { groupByShard, isFailure, pick } from "./store.js";
import type { OrFailure, Store } from "./store.js";

const NOTHING_LEFT: DerivedRows = { edges: [], index: [] };

/** One object to create, validated: its type, data, the JSON text of the data, and an optional idempotency key. */
export interface NewObject {
  type: KvetchObjectTypeDef;
  data: KvetchData;
  body: string;
  derived: DerivedRows;
  idempotencyKey?: string;
}

/**
 * createObjects: ids (a key already used gives the object its first create made), canonical inserts (one per
 * shard), then the derived rows they imply (finishDerived), then invalidation. One result per item: the
 * object, or the failure of its shard.
 */
export async function createObjects(store: Store, items: readonly NewObject[]): Promise<OrFailure<KvetchObject>[]> {
  const now = Date.now();
  const fresh = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) fresh[i] = newId();
  const ids = items.some((item) => item.idempotencyKey !== undefined) ? await reserveIds(store, items, fresh, now) : fresh;
  const out = new Array<OrFailure<KvetchObject> | undefined>(items.length);

  // Keys an earlier create used: that object is the answer; an id reserved but never inserted is inserted now.
  const existing = new Map<string, ObjectRow>();
  const replayed: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const id = ids[i]!;
    if (isFailure(id)) out[i] = id;
    else if (id !== fresh[i]) replayed.push(i);
  }
  if (replayed.length > 0) {
    const replayIds = replayed.map((i) => ids[i] as string);
    const rows = await readObjectRows(store, replayIds);
    for (let r = 0; r < replayed.length; r++) {
      const i = replayed[r]!;
      const row = rows[r]!;
      if (isFailure(row)) out[i] = row;
      else if (row !== null && row.typeId !== items[i]!.type.typeId) {
        out[i] = keyUsedElsewhere(items[i]!);
      } else if (row !== null) existing.set(row.id, row);
    }
  }

  const insert: number[] = [];
  const inserting = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const id = ids[i] as string;
    if (out[i] !== undefined || existing.has(id) || inserting.has(id)) continue;
    inserting.add(id);
    insert.push(i);
  }
  // Unique values are claimed before the canonical insert (uniqueWrite.ts): an item whose value is taken fails, nothing of it written.
  const claimed = await claimCreates(store, items, ids, insert, out, now);
  const rows = new Array<ObjectRow>(insert.length);
  const shardOf = new Int32Array(insert.length);
  const keyed = new Set<string>();
  for (let n = 0; n < insert.length; n++) {
    const i = insert[n]!;
    const id = ids[i] as string;
    rows[n] = { id, typeId: items[i]!.type.typeId, version: 1, created: now, updated: now, body: items[i]!.body };
    shardOf[n] = shardOfId(store.shardMap, id);
    if (items[i]!.idempotencyKey !== undefined) keyed.add(id);
  }
  const { committed, found, failed, held } = await insertNew(store, rows, shardOf, keyed);
  for (const i of insert) {
    // Inserted meanwhile by a create with the same key: that object is the answer, as on a replay.
    const row = found.get(ids[i] as string);
    if (row === undefined) continue;
    if (row.typeId !== items[i]!.type.typeId) failed.set(row.id, keyUsedElsewhere(items[i]!));
    else existing.set(row.id, row);
  }
  await releaseUnstoredCreates(store, claimed, (id) => committed.has(id) || existing.has(id), failed, keyed);
  await store.hooks.afterCanonicalWrite?.({ op: "create", ids: [...committed.keys()] });

  const changes = emptyChanges();
  const written: WrittenObject[] = [];
  for (const i of insert) {
    const id = ids[i] as string;
    if (!committed.has(id)) continue;
    collectDerived(changes, id, items[i]!.derived, true, nextSeq(), now);
    // A fresh id is known to no other writer yet; a keyed one is (a retry of the same create): confirm those.
    written.push({ id, touched: items[i]!.idempotencyKey === undefined ? NOTHING_LEFT : items[i]!.derived, version: 1 });
  }
  for (const row of existing.values()) {
    // A retried create may follow one that stopped before its derived rows: writing them again is idempotent.
    const type = store.schema.typeById(row.typeId)!;
    const implied = derivedRowsOf(type, JSON.parse(row.body) as KvetchData, false, "createObject");
    collectDerived(changes, row.id, implied, true, seqAt(row.updated), row.updated);
    written.push({ id: row.id, touched: implied, version: row.version });
  }
  await finishDerived(store, "create", changes, written);
  const unknown = unknownCreates(failed);
  await queueUnsettled(store, "create", unknown, unknown.length > 0 ? failed.get(unknown[0]!.id) : undefined);
  const tags = new Set<string>();
  for (const id of committed.keys()) tags.add(objectTag(id));
  derivedTags(changes, tags);
  await invalidate(store, tags);

  if (held !== null) throw held.error;

  for (let i = 0; i < items.length; i++) {
    if (out[i] !== undefined) continue;
    const id = ids[i] as string;
    const row = committed.get(id) ?? existing.get(id);
    out[i] = row !== undefined ? decodeObject(store.schema, row, "") : failed.get(id)!;
  }
  return out as OrFailure<KvetchObject>[];
}

/** The creates whose outcome is unknown, for the repair queue (a drain derives a fresh id's rows from what is stored). */
function unknownCreates(failed: ReadonlyMap<string, KvetchError>): WrittenObject[] {
  const out: WrittenObject[] = [];
  for (const [id, error] of failed) if (writeOutcomeOf(error) === "unknown") out.push({ id, touched: NOTHING_LEFT, version: 1 });
  return out;
}

function keyUsedElsewhere(item: NewObject): KvetchError {
  return new KvetchError("CONFLICT", `createObject: idempotency key ${JSON.stringify(item.idempotencyKey)} was used for another object; use a new key per create`);
}

/**
 * One validated update: the object id, the type it must have, the keys to set (undefined: remove the key),
 * and the version it must be at (null: whichever version it has; a concurrent change is merged again).
 */
export interface ObjectPatch {
  id: string;
  type: KvetchObjectTypeDef;
  patch: KvetchData;
  ifVersion: number | null;
  where: string;
}

const MAX_ATTEMPTS = 8;

function updateConflict({ id }: ObjectPatch, outcome: string): KvetchError {
  return new KvetchError("CONFLICT", `updateObject: ${id} kept changing under ${MAX_ATTEMPTS} attempts; ${outcome}; retry the update`);
}

/** Why an update may not apply: its code, what was wrong, and for a CONFLICT the version the object has now. */
interface Refusal {
  code: "NOT_FOUND" | "WRONG_TYPE" | "CONFLICT";
  reason: string;
  currentVersion?: number;
}

/**
 * refusedUpdate: why an update may not apply to the row read for it — a missing (or deleted) object, an
 * object of another type, or a version other than its `ifVersion` — or null when it may.
 */
function refusedUpdate(store: Store, { id, type, ifVersion, where }: ObjectPatch, row: ObjectRow | null): Refusal | null {
  if (row === null) return { code: "NOT_FOUND", reason: `${where}: no ${type.name} with id ${id} (shard ${shardOfId(store.shardMap, id)})` };
  if (row.typeId !== type.typeId) {
    const actual = store.schema.typeById(row.typeId)?.name ?? `typeId ${row.typeId}`;
    return { code: "WRONG_TYPE", reason: `${where}: ${id} is of type ${actual}, not ${type.name}; pass the id of an object of type ${type.name}, or update it as ${actual}` };
  }
  if (ifVersion !== null && row.version !== ifVersion) {
    return {
      code: "CONFLICT",
      reason: `${where}: ${type.name} ${id} is at version ${row.version}, not ifVersion ${ifVersion}; read it again and retry from version ${row.version}`,
      currentVersion: row.version,
    };
  }
  return null;
}

/** patchChangesNothing: true when every key of `patch` already holds that value in `data` (or is absent and removed). */
export function patchChangesNothing(data: KvetchData, patch: KvetchData): boolean {
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    const has = Object.hasOwn(data, key);
    if (value === undefined ? has : !has || stableStringify(data[key]) !== stableStringify(value)) return false;
  }
  return true;
}

/**
 * updateObjects: read the current rows from the shards, refuse the call (nothing written) when an object is
 * missing, of another type than its patch names, or not at its `ifVersion`; leave untouched an object the
 * patch would not change; merge each other patch shallowly and compare-and-set (version + 1) — retrying
 * objects another writer changed in between, unless they carry an `ifVersion`, whose re-read is then a
 * CONFLICT — then move derived rows whose stored id or indexed value changed, then invalidate. A refusal met
 * on a re-read, after another object of the batch was written, fails only its own entry.
 */
export async function updateObjects(store: Store, patches: readonly ObjectPatch[]): Promise<OrFailure<KvetchObject>[]> {
  const results = new Array<OrFailure<KvetchObject>>(patches.length);
  const written: WrittenObject[] = [];
  const changes = emptyChanges();
  const tags = new Set<string>();
  const ids = new Array<string>(patches.length);
  for (let i = 0; i < patches.length; i++) ids[i] = patches[i]!.id;
  // Rows whose outcome is unknown (their shard answered neither the write nor the re-read): queued for repair.
  const unknown: WrittenObject[] = [];
  let unknownError: unknown;
  let held: HeldError | null = null;
  let pending = Array.from(patches.keys());
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      // Rows an earlier attempt committed keep their derived rows and invalidation below; only these fail.
      if (written.length === 0) throw updateConflict(patches[pending[0]!]!, "nothing was written");
      for (const at of pending) results[at] = updateConflict(patches[at]!, "the batch's other objects were written");
      break;
    }
    const current = await readObjectRows(store, pick(ids, pending));
    const now = Date.now();
    const planned: { at: number; before: ObjectRow; row: ObjectRow; beforeRows: DerivedRows; afterRows: DerivedRows }[] = [];
    for (let p = 0; p < pending.length; p++) {
      const at = pending[p]!;
      const before = current[p]!;
      if (isFailure(before)) {
        results[at] = before;
        continue;
      }
      const refused = refusedUpdate(store, patches[at]!, before);
      if (refused !== null) {
        const { code, reason, currentVersion } = refused;
        // Refused while nothing is written (on the first read, or a re-read after a lost compare-and-set): the call fails.
        if (written.length === 0) throw new KvetchError(code, `${reason}; nothing was written`, { currentVersion });
        results[at] = new KvetchError(code, `${reason} (another writer changed it during the update); the batch's other objects were written`, { currentVersion });
        continue;
      }
      const { id, patch, where, type } = patches[at]!;
      const oldData = JSON.parse(before.body) as KvetchData;
      if (patchChangesNothing(oldData, patch)) {
        // Nothing to write: no version bump, no derived rows, no invalidation, so no live query wakes up.
        results[at] = decodeObject(store.schema, before, "");
        continue;
      }
      const data = applyPatch(oldData, patch);
      const afterRows = derivedRowsOf(type, data, true, where);
      const beforeRows = derivedRowsOf(type, oldData, false, where);
      const row: ObjectRow = {
        id,
        typeId: before.typeId,
        version: before.version + 1,
        created: before.created,
        updated: Math.max(now, before.updated),
        body: JSON.stringify(data),
      };
      planned.push({ at, before: before, row, beforeRows, afterRows });
    }
    // The unique values the patches add are claimed first (uniqueWrite.ts); a taken one writes nothing of its object.
    await claimPatches(store, planned, results, (at) => patches[at]!.where, written.length === 0, now);
    const shardOf = new Int32Array(planned.length);
    for (let p = 0; p < planned.length; p++) shardOf[p] = shardOfId(store.shardMap, planned[p]!.row.id);
    const retry: number[] = [];
    held = await canonicalChunks(
      groupByShard(store.shards.length, shardOf, (p) => planned[p]!.row.body.length),
      async ({ shard, positions }) => {
        const changesForShard = new Array<{ row: ObjectRow; expectVersion: number }>(positions.length);
        for (let p = 0; p < positions.length; p++) {
          const plan = planned[positions[p]!]!;
          changesForShard[p] = { row: plan.row, expectVersion: plan.before.version };
        }
        // A failure that may have committed some rows is read back: each row is stored, not stored or unknown.
        const done = await replaceSettled(store.shards[shard]!, changesForShard);
        for (let p = 0; p < positions.length; p++) {
          const plan = planned[positions[p]!]!;
          const outcome = done[p]!;
          if (outcome !== true) {
            if (outcome === false) retry.push(plan.at);
            else results[plan.at] = outcome;
            if (writeOutcomeOf(outcome) === "unknown") {
              const diff = diffDerivedRows(plan.beforeRows, plan.afterRows);
              unknown.push({ id: plan.row.id, touched: { edges: [...diff.removed.edges, ...diff.added.edges], index: [...diff.removed.index, ...diff.added.index] }, version: plan.row.version });
              unknownError ??= outcome;
            }
            continue;
          }
          results[plan.at] = decodeObject(store.schema, plan.row, "");
          const diff = diffDerivedRows(plan.beforeRows, plan.afterRows);
          collectDerived(changes, plan.row.id, diff.removed, false, 0, 0);
          collectDerived(changes, plan.row.id, diff.added, true, nextSeq(), plan.row.updated);
          written.push({ id: plan.row.id, touched: { edges: [...diff.removed.edges, ...diff.added.edges], index: [...diff.removed.index, ...diff.added.index] }, version: plan.row.version });
          tags.add(objectTag(plan.row.id));
        }
      },
      ({ positions }, error) => {
        for (const p of positions) results[planned[p]!.at] = error;
      },
      store,
    );
    await releaseReplaced(store, planned, results);
    pending = held === null ? retry : [];
  }
  await store.hooks.afterCanonicalWrite?.({ op: "update", ids });
  await finishDerived(store, "update", changes, written);
  await queueUnsettled(store, "update", unknown, unknownError);
  derivedTags(changes, tags);
  await invalidate(store, tags);
  if (held !== null) throw held.error;
  return results;
}

/**
 * deleteObjects: compare-and-delete each existing object at the version read, then remove the derived rows
 * it implied, then invalidate. Returns whether each id existed. Edges stored from or to the object stay.
 * With `expectType`, an object of another type refuses the whole call with WRONG_TYPE before anything is
 * deleted (an object's type never changes, so the first read settles it).
 */
export async function deleteObjects(store: Store, ids: readonly string[], expectType?: KvetchObjectTypeDef, where = "deleteObjects"): Promise<OrFailure<boolean>[]> {
  const results = new Array<OrFailure<boolean>>(ids.length).fill(false);
  const written: WrittenObject[] = [];
  const unknown: WrittenObject[] = [];
  let unknownError: unknown;
  const changes = emptyChanges();
  const tags = new Set<string>();
  let held: HeldError | null = null;
  let pending = Array.from(ids.keys());
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      const conflict = (at: number, outcome: string): KvetchError =>
        new KvetchError("CONFLICT", `deleteObject: ${ids[at]} kept changing under ${MAX_ATTEMPTS} attempts; ${outcome}; retry the delete`);
      if (written.length === 0) throw conflict(pending[0]!, "nothing was deleted");
      for (const at of pending) results[at] = conflict(at, "it was not deleted, the batch's other objects were");
      break;
    }
    const current = await readObjectRows(store, pick(ids, pending));
    const present: { at: number; row: ObjectRow }[] = [];
    for (let p = 0; p < pending.length; p++) {
      const row = current[p];
      const at = pending[p]!;
      if (isFailure(row)) results[at] = row;
      else if (row && expectType && row.typeId !== expectType.typeId) {
        const actual = store.schema.typeById(row.typeId)?.name ?? `typeId ${row.typeId}`;
        const reason = `${where}: ${ids[at]} is of type ${actual}, not ${expectType.name}`;
        // Checked on the read before the first delete, so a batch naming one wrong id deletes none.
        if (written.length === 0) throw new KvetchError("WRONG_TYPE", `${reason}; nothing was deleted`);
        results[at] = new KvetchError("WRONG_TYPE", `${reason}; it was not deleted, the batch's other objects were`);
      } else if (row) present.push({ at, row });
      else tags.add(objectTag(ids[at]!));
    }
    const shardOf = new Int32Array(present.length);
    for (let p = 0; p < present.length; p++) shardOf[p] = shardOfId(store.shardMap, present[p]!.row.id);
    const retry: number[] = [];
    held = await canonicalChunks(
      groupByShard(store.shards.length, shardOf),
      async ({ shard, positions }) => {
        const keys = new Array<{ id: string; expectVersion: number }>(positions.length);
        for (let p = 0; p < positions.length; p++) {
          const { row } = present[positions[p]!]!;
          keys[p] = { id: row.id, expectVersion: row.version };
        }
        const done = await removeSettled(store.shards[shard]!, keys);
        for (let p = 0; p < positions.length; p++) {
          const { at, row } = present[positions[p]!]!;
          const outcome = done[p]!;
          if (outcome !== true) {
            if (outcome === false) retry.push(at);
            else results[at] = outcome;
            if (writeOutcomeOf(outcome) === "unknown") {
              const type = store.schema.typeById(row.typeId);
              unknown.push({ id: row.id, touched: type ? derivedRowsOf(type, JSON.parse(row.body) as KvetchData, false, "") : NOTHING_LEFT, version: null });
              unknownError ??= outcome;
            }
            continue;
          }
          results[at] = true;
          tags.add(objectTag(row.id));
          const type = store.schema.typeById(row.typeId);
          const implied = type ? derivedRowsOf(type, JSON.parse(row.body) as KvetchData, false, "") : NOTHING_LEFT;
          collectDerived(changes, row.id, implied, false, 0, 0);
          written.push({ id: row.id, touched: implied, version: null });
        }
      },
      ({ positions }, error) => {
        for (const p of positions) results[present[p]!.at] = error;
      },
      store,
    );
    pending = held === null ? retry : [];
  }
  await releaseDeleted(store, written);
  await store.hooks.afterCanonicalWrite?.({ op: "delete", ids });
  await finishDerived(store, "delete", changes, written);
  await queueUnsettled(store, "delete", unknown, unknownError);
  derivedTags(changes, tags);
  await invalidate(store, tags);
  if (held !== null) throw held.error;
  return results;
}
