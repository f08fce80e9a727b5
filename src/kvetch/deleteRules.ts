// Delete rules (spec/kvetch-storage.md §6.6): what deleting a parent does to the children of its derived edges
// that carry onDelete — restrict refuses the delete, cascade deletes the children (transitively), setNull
// clears their stored id. The whole delete is planned by reads before anything is written, and a delete with
// work beyond its own objects is first recorded in the repair queue, so a crash part way is finished by the
// next queue drain or repair. Never deletes a parent before its children; never writes when a rule refuses.

import type { EdgeKey, ObjectRow, RepairEntry } from "./backend.js";
import { nextSeq } from "./cursor.js";
import { derivedRowsOf } from "./derived.js";
import { invalidateDerived, writeDerived } from "./derivedWrite.js";
import { KvetchError } from "./errors.js";
import type { KvetchData } from "./model.js";
import { readObjectRows } from "./objectRead.js";
import type { KvetchEdgeDef, KvetchObjectTypeDef } from "./schema.js";
import { shardOfEdge, shardOfId } from "./shard.js";
import { eachShardChunk, groupByShard, isFailure, orThrow, pick } from "./store.js";
import type { OrFailure, Store } from "./store.js";
import { deleteObjects, updateObjects } from "./write.js";
import type { ObjectPatch } from "./write.js";

/** Most objects one delete may cascade to or clear (besides the objects it was given), unless the call says otherwise. */
export const DEFAULT_MAX_CASCADE = 10_000;

/** A child found through a derived edge: its row as read, the edge, and the parent whose id it stores. */
interface Child {
  row: ObjectRow;
  edge: KvetchEdgeDef;
  parent: string;
}

/** What a delete writes, in order: stored ids to clear, descendants to delete (deepest level first), stale edge rows, the roots. */
export interface DeletePlan {
  /** levels[0]: the objects the call deletes; levels[k]: the objects cascade reaches at depth k. */
  levels: ObjectRow[][];
  /** Children whose stored ids to clear (per child, the attributes), none of them deleted by the plan. */
  setNull: Map<string, { row: ObjectRow; attrs: Set<string>; parents: Set<string> }>;
  /** Edge rows from deleted objects whose child no longer holds them (left behind by an earlier failure). */
  stale: EdgeKey[];
}

/** The derived edges with a delete rule whose parent may be an object of `type` (their fromType is it, or unset). */
export function ruledEdgesFrom(store: Store, type: KvetchObjectTypeDef): KvetchEdgeDef[] {
  return store.schema.edges.filter((edge) => edge.onDelete !== null && (edge.fromType === null || edge.fromType === type.name));
}

/**
 * childrenOf: the children of each parent through `edge`, read from the shards (never the cache): the edge
 * rows (one round trip per shard holding parents, at most `limit` rows per parent), then the children's
 * canonical rows; a row whose child no longer stores the parent's id is stale. A shard failure throws.
 */
async function childrenOf(store: Store, edge: KvetchEdgeDef, parents: readonly string[], limit: number): Promise<{ children: Child[]; stale: EdgeKey[]; full: boolean }> {
  const shardOf = new Int32Array(parents.length);
  for (let i = 0; i < parents.length; i++) shardOf[i] = shardOfEdge(store.shardMap, parents[i]!);
  const rows: { fromId: string; toId: string }[] = [];
  let full = false;
  let failure: unknown;
  await eachShardChunk(
    groupByShard(store.shards.length, shardOf),
    async ({ shard, positions }) => {
      const ranges = pick(parents, positions).map((fromId) => ({ fromId, after: null, limit }));
      const lists = await store.shards[shard]!.readEdgeRanges(edge.edgeId, ranges);
      for (const list of lists) {
        if (list.length >= limit) full = true;
        for (const row of list) rows.push({ fromId: row.fromId, toId: row.toId });
      }
    },
    (_chunk, error) => void (failure ??= error),
    store,
  );
  if (failure !== undefined) throw failure;
  const type = store.schema.objectType(edge.storedOnType, "delete rules");
  const found = orThrow(await readObjectRows(store, rows.map((row) => row.toId)));
  const children: Child[] = [];
  const stale: EdgeKey[] = [];
  for (let r = 0; r < rows.length; r++) {
    const { fromId, toId } = rows[r]!;
    const row = found[r] as ObjectRow | null;
    if (row !== null && row.typeId === type.typeId && storedIdOf(row, edge) === fromId) children.push({ row, edge, parent: fromId });
    else stale.push({ edgeId: edge.edgeId, fromId, toId });
  }
  return { children, stale, full };
}

/** The parent id a child row stores for `edge` (lowercased), or null. */
function storedIdOf(row: ObjectRow, edge: KvetchEdgeDef): string | null {
  const data = JSON.parse(row.body) as KvetchData;
  const value = Object.hasOwn(data, edge.storedIdAttr!) ? data[edge.storedIdAttr!] : undefined;
  return typeof value === "string" ? value.toLowerCase() : null;
}

/** The CASCADE_LIMIT refusal: the delete would write more than `maxCascade` other objects. */
function cascadeLimit(where: string, roots: readonly ObjectRow[], maxCascade: number): KvetchError {
  return new KvetchError(
    "CASCADE_LIMIT",
    `${where}: deleting ${roots.map((r) => r.id).join(", ")} would cascade to or clear more than ${maxCascade} objects (maxCascade); ` +
      `delete the children in smaller batches first, or pass a larger maxCascade; nothing was deleted`,
  );
}

/**
 * planDelete: walks the ruled edges from the objects to delete, level by level (one childrenOf per edge and
 * level): cascade children join the next level, setNull children are to be cleared, restrict children refuse
 * the whole delete (RESTRICTED, naming the parent, the edge and how many children hold it) unless the plan
 * deletes them too. Past `maxCascade` written objects besides the roots: CASCADE_LIMIT. Reads only.
 */
export async function planDelete(store: Store, roots: readonly ObjectRow[], maxCascade: number, where: string): Promise<DeletePlan> {
  const deleting = new Set(roots.map((row) => row.id));
  const plan: DeletePlan = { levels: [[...roots]], setNull: new Map(), stale: [] };
  const restricted: Child[] = [];
  let frontier: readonly ObjectRow[] = roots;
  while (frontier.length > 0) {
    const next: ObjectRow[] = [];
    const byEdge = new Map<KvetchEdgeDef, string[]>();
    for (const row of frontier) {
      const type = store.schema.typeById(row.typeId);
      if (type === undefined) continue;
      for (const edge of ruledEdgesFrom(store, type)) {
        let parents = byEdge.get(edge);
        if (parents === undefined) byEdge.set(edge, (parents = []));
        parents.push(row.id);
      }
    }
    for (const [edge, parents] of byEdge) {
      const used = deleting.size - roots.length + plan.setNull.size;
      const { children, stale, full } = await childrenOf(store, edge, parents, maxCascade - used + 1);
      if (full && edge.onDelete !== "restrict") throw cascadeLimit(where, roots, maxCascade);
      plan.stale.push(...stale);
      for (const child of children) {
        if (edge.onDelete === "restrict") restricted.push(child);
        else if (edge.onDelete === "cascade") {
          if (deleting.has(child.row.id)) continue;
          deleting.add(child.row.id);
          next.push(child.row);
        } else {
          let entry = plan.setNull.get(child.row.id);
          if (entry === undefined) plan.setNull.set(child.row.id, (entry = { row: child.row, attrs: new Set(), parents: new Set() }));
          entry.attrs.add(edge.storedIdAttr!);
          entry.parents.add(child.parent);
        }
      }
      if (deleting.size - roots.length + plan.setNull.size > maxCascade) throw cascadeLimit(where, roots, maxCascade);
    }
    if (next.length > 0) plan.levels.push(next);
    frontier = next;
  }
  for (const id of deleting) plan.setNull.delete(id);
  const refusing = restricted.filter((child) => !deleting.has(child.row.id));
  if (refusing.length > 0) throw restrictError(store, where, refusing);
  return plan;
}

/** RESTRICTED: the first parent refused, its type, the edge, how many children hold it, and what to do. */
function restrictError(store: Store, where: string, refusing: readonly Child[]): KvetchError {
  const { edge, parent } = refusing[0]!;
  const count = refusing.filter((child) => child.edge === edge && child.parent === parent).length;
  const others = refusing.length - count;
  return new KvetchError(
    "RESTRICTED",
    `${where}: ${edge.fromType ?? "object"} ${parent} still has ${count} ${edge.storedOnType} ${count === 1 ? "child" : "children"} through edge ` +
      `"${edge.name}" (onDelete: "restrict")${others > 0 ? `, and ${others} more through restrict edges` : ""}; ` +
      `delete them or clear their ${edge.storedIdAttr} first; nothing was deleted`,
  );
}

/** The queue row recording a delete to finish: the root's touched derived rows (as the drain reads them) and `delete`. */
function deleteMarker(store: Store, row: ObjectRow): RepairEntry {
  const type = store.schema.typeById(row.typeId);
  const implied = type ? derivedRowsOf(type, JSON.parse(row.body) as KvetchData, false, "") : { edges: [], index: [] };
  const body = { e: implied.edges.map((r) => [r.edge.edgeId, r.fromId]), i: implied.index.map((r) => [r.index.indexId, r.valueKey]), delete: true };
  return { id: row.id, seq: nextSeq(), body: JSON.stringify(body) };
}

/** Whether a repair queue row records a delete to finish (deleteMarker). */
export function isDeleteMarker(entry: RepairEntry): boolean {
  return entry.body.includes('"delete":true');
}

/** Stores or removes queue rows on their object's shard (one round trip per shard); a failure throws. */
async function onQueue(store: Store, entries: readonly RepairEntry[], remove: boolean): Promise<void> {
  const shardOf = new Int32Array(entries.length);
  for (let i = 0; i < entries.length; i++) shardOf[i] = shardOfId(store.shardMap, entries[i]!.id);
  let failure: unknown;
  await eachShardChunk(
    groupByShard(store.shards.length, shardOf),
    async ({ shard, positions }) => {
      const target = store.shards[shard]!;
      const part = pick(entries, positions);
      if (remove) await target.removeRepairs?.(part.map(({ id, seq }) => ({ id, seq })));
      else await target.queueRepairs?.(part);
    },
    (_chunk, error) => void (failure ??= error),
    store,
  );
  if (failure !== undefined) throw failure;
}

/**
 * clearStoredIds: the setNull step — sets each child's stored id to null, re-reading the children first so a
 * child that meanwhile stores another parent's id (or was deleted) is left alone. A child deleted between
 * the read and the write refuses the batch (NOT_FOUND); the batch is then read and tried again.
 */
async function clearStoredIds(store: Store, plan: DeletePlan, where: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const entries = [...plan.setNull.values()];
    const rows = orThrow(await readObjectRows(store, entries.map((entry) => entry.row.id)));
    const patches: ObjectPatch[] = [];
    for (let e = 0; e < entries.length; e++) {
      const row = rows[e] as ObjectRow | null;
      const type = row === null ? undefined : store.schema.typeById(row.typeId);
      if (row === null || type === undefined) continue;
      const patch: KvetchData = {};
      const data = JSON.parse(row.body) as KvetchData;
      for (const attr of entries[e]!.attrs) {
        const value = Object.hasOwn(data, attr) ? data[attr] : undefined;
        if (typeof value === "string" && entries[e]!.parents.has(value.toLowerCase())) patch[attr] = null;
      }
      if (Object.keys(patch).length > 0) patches.push({ id: row.id, type, patch, ifVersion: null, where: `${where} (setNull)` });
    }
    if (patches.length === 0) return;
    try {
      orThrow(await updateObjects(store, patches));
      return;
    } catch (error) {
      if (!(error instanceof KvetchError) || error.code !== "NOT_FOUND" || attempt >= 3) throw error;
    }
  }
}

/**
 * deleteWithRules: the delete path when the schema has delete rules. Reads the objects, plans (planDelete),
 * and when the plan writes more than the objects themselves: records a delete marker per object in the
 * repair queue, clears setNull children, deletes the cascade levels deepest first, removes stale edge rows,
 * deletes the objects, then removes the markers. A failure part way leaves the markers: finishDeletes
 * completes the delete. Without ruled edges for these objects it is deleteObjects.
 */
export async function deleteWithRules(
  store: Store,
  ids: readonly string[],
  expectType: KvetchObjectTypeDef | undefined,
  where: string,
  maxCascade = DEFAULT_MAX_CASCADE,
): Promise<OrFailure<boolean>[]> {
  if (!Number.isInteger(maxCascade) || maxCascade < 0) {
    throw new KvetchError("BAD_ARGUMENT", `${where} maxCascade must be a non-negative integer, got ${String(maxCascade)}`);
  }
  if (!store.schema.edges.some((edge) => edge.onDelete !== null)) return deleteObjects(store, ids, expectType, where);
  const read = await readObjectRows(store, ids);
  // An object whose read failed is not deleted, since its rules could not be checked: its entry gets the failure.
  const deleteRead = async (): Promise<OrFailure<boolean>[]> => {
    const readable = ids.filter((_, i) => !isFailure(read[i]));
    if (readable.length === ids.length) return deleteObjects(store, ids, expectType, where);
    const done = readable.length > 0 ? await deleteObjects(store, readable, expectType, where) : [];
    let k = 0;
    return ids.map((_, i) => (isFailure(read[i]) ? (read[i] as KvetchError) : done[k++]!));
  };
  const roots: ObjectRow[] = [];
  for (const row of read) {
    if (row === null || isFailure(row)) continue;
    // Another type: deleteObjects refuses the whole call (WRONG_TYPE) before anything is deleted.
    if (expectType !== undefined && row.typeId !== expectType.typeId) return deleteObjects(store, ids, expectType, where);
    const type = store.schema.typeById(row.typeId);
    if (type !== undefined && ruledEdgesFrom(store, type).length > 0) roots.push(row);
  }
  if (roots.length === 0) return deleteRead();
  const plan = await planDelete(store, roots, maxCascade, where);
  if (plan.levels.length === 1 && plan.setNull.size === 0 && plan.stale.length === 0) return deleteRead();
  const markers = roots.map((row) => deleteMarker(store, row));
  await onQueue(store, markers, false);
  await runPlan(store, plan, where);
  const results = await deleteRead();
  await onQueue(store, markers, true);
  return results;
}

/**
 * The writes of a plan before its roots: clear stored ids, delete the levels deepest first (deleteMarked),
 * remove stale rows.
 */
async function runPlan(store: Store, plan: DeletePlan, where: string): Promise<void> {
  if (plan.setNull.size > 0) await clearStoredIds(store, plan, where);
  for (let level = plan.levels.length - 1; level >= 1; level--) await deleteMarked(store, plan.levels[level]!, `${where} (cascade)`);
  if (plan.stale.length > 0) {
    const changes = { addEdges: [], removeEdges: plan.stale, addIndex: [], removeIndex: [] };
    await writeDerived(store, changes);
    await invalidateDerived(store, changes);
  }
}

/**
 * deleteMarked: deletes one cascade level with a delete marker queued for each object first, so a stop
 * between its canonical and derived rows leaves in the queue the rows to remove; the markers go once the
 * level is done.
 */
async function deleteMarked(store: Store, rows: readonly ObjectRow[], where: string): Promise<void> {
  const markers = rows.map((row) => deleteMarker(store, row));
  await onQueue(store, markers, false);
  orThrow(await deleteObjects(store, rows.map((row) => row.id), undefined, where));
  await onQueue(store, markers, true);
}

/**
 * finishDeletes: the deletes recorded by delete markers in every shard's repair queue, finished — an object
 * still stored is deleted by its rules again (the plan now covers what is left of it); one already gone has
 * nothing left but its own derived rows (its descendants went first), which the marker lists. The markers
 * stay for the queue drain, which removes the rows they list that nothing implies and then the markers. A
 * delete its rules now refuse (a new restrict child, more than maxCascade left) is dropped: the object
 * stays, as that call would have left it. Returns how many objects it deleted. Run by repair and by the
 * queue drain before their own work.
 */
export async function finishDeletes(store: Store, batchSize: number): Promise<number> {
  let deleted = 0;
  for (const shard of store.shards) {
    if (!shard.readRepairQueue) continue;
    let after: { id: string; seq: number } | null = null;
    for (;;) {
      const entries = await shard.readRepairQueue(after, batchSize);
      for (const marker of entries.filter(isDeleteMarker)) {
        try {
          const [done] = await deleteWithRules(store, [marker.id], undefined, "repair (finishing a delete)");
          if (done === true) deleted++;
        } catch (error) {
          if (!(error instanceof KvetchError) || (error.code !== "RESTRICTED" && error.code !== "CASCADE_LIMIT")) throw error;
        }
      }
      if (entries.length < batchSize) break;
      const last = entries[entries.length - 1]!;
      after = { id: last.id, seq: last.seq };
    }
  }
  return deleted;
}
