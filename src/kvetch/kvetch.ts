// Kvetch: the public face of the store. Each method validates its whole batch before any I/O (ids, names,
// data, cursors), counts itself once in counters.calls, and hands the batch to reads, writes or repair.
// Never issues per-entry I/O; never lets a caller's object share memory with stored state.

import type { EdgeKey, EdgeRow, KvetchBackend, KvetchCounters, ShardStats } from "./backend.js";
import { RedisCache } from "./cache.js";
import { decodeCursor, encodeCursor, nextSeq } from "./cursor.js";
import type { Position } from "./cursor.js";
import { derivedEdgeHolds, derivedRowsOf, indexEntryHolds } from "./derived.js";
import { checkJsonValue, encodeData } from "./data.js";
import { KvetchError, describeValue } from "./errors.js";
import { checkId, checkIds } from "./id.js";
import { memoryBackend } from "./memory.js";
import type {
  KvetchData,
  KvetchEdge,
  KvetchIndexEntry,
  KvetchObject,
  KvetchPage,
  KvetchPageOptions,
  ListItem,
} from "./model.js";
import { edgeListKind, indexListKind, readEdgeCounts, readListPages, readObjects } from "./read.js";
import type { ListRequest } from "./read.js";
import { repair } from "./repair.js";
import type { KvetchRepairOptions, KvetchRepairReport } from "./repair.js";
import type { KvetchEdgeDef, KvetchSchema } from "./schema.js";
import { indexValueKey, shardOfId } from "./shard.js";
import type { ShardMap } from "./shard.js";
import type { KvetchTestHooks, Store } from "./store.js";
import { createObjects, deleteEdges, deleteObjects, insertEdges, updateObjects } from "./write.js";
import type { NewObject, ObjectPatch } from "./write.js";

export interface KvetchOptions {
  schema: KvetchSchema;
  /** memoryBackend(...) or mysqlBackend(...); default: one in-memory shard. */
  backend?: KvetchBackend;
}

/** A page request after validation: one entry per distinct (parent or value, cursor) pair. */
interface PagePlan {
  requests: ListRequest[];
  /** Request index of each input position. */
  requestOf: Int32Array;
  first: number | null;
  verify: boolean;
}

export class Kvetch {
  readonly schema: KvetchSchema;
  readonly counters: KvetchCounters;
  /** Fault injection for tests (interrupt a write between canonical and derived rows, race a refill). */
  readonly testHooks: KvetchTestHooks = {};
  private readonly store: Store;
  private closed = false;

  constructor(options: KvetchOptions) {
    if (!options || !options.schema || typeof options.schema.objectType !== "function") {
      throw new KvetchError("BAD_CONFIG", "new Kvetch({ schema, backend? }) needs the schema returned by defineSchema");
    }
    const backend = options.backend ?? memoryBackend();
    this.schema = options.schema;
    this.counters = { calls: 0, shardQueries: new Array<number>(backend.shardMap.shards).fill(0), cacheRoundTrips: {}, rowsFetched: 0 };
    const shards = backend.openShards(this.counters);
    const cache = backend.redis === null ? null : new RedisCache(backend.redis, this.counters);
    this.store = { schema: this.schema, shardMap: backend.shardMap, shards, cache, counters: this.counters, hooks: this.testHooks };
  }

  /** The bucket → shard map every placement is computed with. */
  get shardMap(): ShardMap {
    return this.store.shardMap;
  }

  /** Physical shard of an object id (and of the edges whose parent it is). */
  shardOf(id: string): number {
    return shardOfId(this.store.shardMap, checkId(id, "shardOf id"));
  }

  /** Sets every counter back to zero (same objects, so references held by tests stay live). */
  resetCounters(): void {
    this.counters.calls = 0;
    this.counters.shardQueries.fill(0);
    for (const node of Object.keys(this.counters.cacheRoundTrips)) delete this.counters.cacheRoundTrips[node];
    this.counters.rowsFetched = 0;
  }

  private begin(): void {
    if (this.closed) throw new KvetchError("BAD_ARGUMENT", "this Kvetch was closed; create a new one");
    this.counters.calls++;
  }

  /** Creates databases (where the backend has them) and tables on every shard; safe to run again. */
  async migrate(): Promise<void> {
    this.begin();
    await Promise.all(this.store.shards.map((shard) => shard.migrate()));
  }

  /** Objects in input order, null for ids that do not exist; duplicate ids are read once. */
  async getObjects(ids: readonly string[]): Promise<(KvetchObject | null)[]> {
    this.begin();
    const canonical = checkIds(ids, "getObjects ids");
    const distinct: string[] = [];
    const positionOf = new Map<string, number>();
    const slot = new Int32Array(canonical.length);
    for (let i = 0; i < canonical.length; i++) {
      let at = positionOf.get(canonical[i]!);
      if (at === undefined) {
        at = distinct.length;
        distinct.push(canonical[i]!);
        positionOf.set(canonical[i]!, at);
      }
      slot[i] = at;
    }
    const found = await readObjects(this.store, distinct);
    const out = new Array<KvetchObject | null>(canonical.length);
    for (let i = 0; i < canonical.length; i++) out[i] = found[slot[i]!]!;
    return out;
  }

  async getObject(id: string): Promise<KvetchObject | null> {
    return (await this.getObjects([id]))[0]!;
  }

  /** Creates one object of `type`; its derived edges and index entries follow from `data`. */
  async createObject(type: string, data: KvetchData): Promise<KvetchObject> {
    return (await this.createObjectsIn("createObject", [{ type, data }]))[0]!;
  }

  /** Creates a batch: one canonical insert per shard, then the derived rows, then cache invalidation. */
  async createObjects(items: readonly { type: string; data: KvetchData }[]): Promise<KvetchObject[]> {
    return this.createObjectsIn("createObjects", items);
  }

  private async createObjectsIn(call: string, items: readonly { type: string; data: KvetchData }[]): Promise<KvetchObject[]> {
    this.begin();
    if (!Array.isArray(items)) throw new KvetchError("BAD_ARGUMENT", `${call} needs an array of { type, data }`);
    const planned = new Array<NewObject>(items.length);
    for (let i = 0; i < items.length; i++) {
      const where = call === "createObject" ? call : `${call} items[${i}]`;
      const item = items[i];
      if (item === null || typeof item !== "object") throw new KvetchError("BAD_ARGUMENT", `${where} must be { type, data }`);
      const type = this.schema.objectType(item.type, where);
      const body = encodeData(item.data, `${where} data`);
      const data = JSON.parse(body) as KvetchData;
      planned[i] = { type, data, body, derived: derivedRowsOf(type, data, true, where) };
    }
    if (planned.length === 0) return [];
    return createObjects(this.store, planned);
  }

  /** Shallow-merges `patch` into the object's data (undefined removes a key); version + 1; returns the result. */
  async updateObject(id: string, patch: KvetchData): Promise<KvetchObject> {
    return (await this.updateObjectsIn("updateObject", [{ id, patch }]))[0]!;
  }

  /** A batch of updates; several patches for one id are merged in order and give the same final object. */
  async updateObjects(items: readonly { id: string; patch: KvetchData }[]): Promise<KvetchObject[]> {
    return this.updateObjectsIn("updateObjects", items);
  }

  private async updateObjectsIn(call: string, items: readonly { id: string; patch: KvetchData }[]): Promise<KvetchObject[]> {
    this.begin();
    if (!Array.isArray(items)) throw new KvetchError("BAD_ARGUMENT", `${call} needs an array of { id, patch }`);
    // Patches for one id are merged in order into one update (a shallow merge of shallow merges), so one
    // batch never holds two compare-and-sets, or two derived-row moves, for the same object.
    const patches: ObjectPatch[] = [];
    const patchOf = new Map<string, number>();
    const slot = new Int32Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const where = call === "updateObject" ? call : `${call} items[${i}]`;
      const item = items[i];
      if (item === null || typeof item !== "object") throw new KvetchError("BAD_ARGUMENT", `${where} must be { id, patch }`);
      const id = checkId(item.id, `${where} id`);
      encodeData(item.patch, `${where} patch`);
      let at = patchOf.get(id);
      if (at === undefined) {
        at = patches.length;
        patches.push({ id, patch: {}, where });
        patchOf.set(id, at);
      }
      const patch = patches[at]!.patch;
      for (const key of Object.keys(item.patch)) {
        const value = item.patch[key];
        patch[key] = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
      }
      slot[i] = at;
    }
    if (patches.length === 0) return [];
    const updated = await updateObjects(this.store, patches);
    const out = new Array<KvetchObject>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = updated[slot[i]!]!;
    return out;
  }

  /** Deletes the object and the derived rows it implied; false when it did not exist. */
  async deleteObject(id: string): Promise<boolean> {
    return (await this.deleteObjectsIn("deleteObject id", [id]))[0]!;
  }

  async deleteObjects(ids: readonly string[]): Promise<boolean[]> {
    return this.deleteObjectsIn("deleteObjects ids", ids);
  }

  private async deleteObjectsIn(where: string, ids: readonly string[]): Promise<boolean[]> {
    this.begin();
    const canonical = where === "deleteObject id" ? [checkId(ids[0], where)] : checkIds(ids, where);
    const distinct = [...new Set(canonical)];
    if (distinct.length === 0) return [];
    const done = await deleteObjects(this.store, distinct);
    const byId = new Map<string, boolean>();
    for (let i = 0; i < distinct.length; i++) byId.set(distinct[i]!, done[i]!);
    return canonical.map((id) => byId.get(id)!);
  }

  /** Validates page options and de-duplicates (key, cursor) pairs into list requests. */
  private planPages(call: string, keys: readonly string[], options: KvetchPageOptions | undefined): PagePlan {
    const opts = options ?? {};
    if (typeof opts !== "object") throw new KvetchError("BAD_ARGUMENT", `${call} options must be an object`);
    const first = opts.first ?? null;
    if (first !== null && (!Number.isInteger(first) || first < 0)) {
      throw new KvetchError("BAD_ARGUMENT", `${call} first must be a non-negative integer or null, got ${describeValue(first)}`);
    }
    const verify = opts.verify ?? true;
    if (typeof verify !== "boolean") throw new KvetchError("BAD_ARGUMENT", `${call} verify must be a boolean`);
    const after = opts.after ?? null;
    let afterOf: (i: number) => unknown;
    if (Array.isArray(after)) {
      if (after.length !== keys.length) {
        throw new KvetchError(
          "BAD_ARGUMENT",
          `${call} after has ${after.length} cursors for ${keys.length} keys; pass one cursor for all, or one per key (null for none)`,
        );
      }
      afterOf = (i) => after[i];
    } else {
      if (after !== null) decodeCursor(after, `${call} after`);
      afterOf = () => after;
    }
    const limit = first === null ? null : first + 1;
    const requests: ListRequest[] = [];
    const requestOf = new Int32Array(keys.length);
    const seen = new Map<string, number>();
    for (let i = 0; i < keys.length; i++) {
      const cursor = afterOf(i) ?? null;
      const position: Position | null = cursor === null ? null : decodeCursor(cursor, `${call} after[${i}]`);
      const dedupe = cursor === null ? keys[i]! : `${keys[i]}\u0000${cursor as string}`;
      let r = seen.get(dedupe);
      if (r === undefined) {
        r = requests.length;
        requests.push({ key: keys[i]!, after: position, limit });
        seen.set(dedupe, r);
      }
      requestOf[i] = r;
    }
    return { requests, requestOf, first, verify };
  }

  /**
   * Pages of `edge` for each parent in input order: ordered by (seq, toId), `first` per parent, `after` one
   * cursor for all or one per parent. All parents go in one query per shard. With `verify` (the default) rows
   * of a derived edge whose child no longer holds the parent id are dropped; with `verify: false` only edge
   * rows are read (one call, no object reads) and the caller re-checks with derivedEdgeHolds.
   */
  async getEdges(edge: string, fromIds: readonly string[], options?: KvetchPageOptions): Promise<KvetchPage<KvetchEdge>[]> {
    this.begin();
    const def = this.schema.edge(edge, "getEdges");
    const parents = checkIds(fromIds, "getEdges fromIds");
    const plan = this.planPages("getEdges", parents, options);
    const kind = edgeListKind(this.store, def);
    const lists =
      plan.verify && def.derived
        ? await this.readVerified(plan, (requests) => readListPages(this.store, kind, requests), (r, item, targets) =>
            derivedEdgeHolds(def, { fromId: plan.requests[r]!.key, toId: item.id }, targets.get(item.id)),
          )
        : await readListPages(this.store, kind, plan.requests);
    const pages = new Array<KvetchPage<KvetchEdge>>(plan.requests.length);
    for (let r = 0; r < plan.requests.length; r++) pages[r] = edgePage(def.name, plan.requests[r]!.key, lists[r]!, plan.first);
    return alignPages(pages, plan.requestOf);
  }

  /**
   * The verify loop: reads pages of `limit` rows, loads their target objects in one batch, drops rows that
   * fail `holds`, and reads on (from the last row read) for pages that lost rows, until each page is full
   * or its list ends.
   */
  private async readVerified(
    plan: PagePlan,
    read: (requests: ListRequest[]) => Promise<ListItem[][]>,
    holds: (request: number, item: ListItem, targets: Map<string, KvetchObject | null>) => boolean,
  ): Promise<ListItem[][]> {
    const kept: ListItem[][] = new Array(plan.requests.length);
    for (let r = 0; r < kept.length; r++) kept[r] = [];
    let open = Array.from(plan.requests.keys());
    let requests = plan.requests;
    while (open.length > 0) {
      const lists = await read(requests);
      const ids: string[] = [];
      for (const list of lists) for (const item of list) ids.push(item.id);
      const distinct = [...new Set(ids)];
      const objects = await readObjects(this.store, distinct);
      const targets = new Map<string, KvetchObject | null>();
      for (let i = 0; i < distinct.length; i++) targets.set(distinct[i]!, objects[i]!);
      const nextOpen: number[] = [];
      const nextRequests: ListRequest[] = [];
      for (let o = 0; o < open.length; o++) {
        const r = open[o]!;
        const list = lists[o]!;
        const request = requests[o]!;
        for (const item of list) if (holds(r, item, targets)) kept[r]!.push(item);
        const wanted = plan.first === null ? null : plan.first + 1;
        const full = request.limit !== null && list.length === request.limit;
        if (full && wanted !== null && kept[r]!.length < wanted) {
          const last = list[list.length - 1]!;
          nextOpen.push(r);
          nextRequests.push({ key: request.key, after: { seq: last.seq, id: last.id }, limit: wanted - kept[r]!.length });
        }
      }
      open = nextOpen;
      requests = nextRequests;
    }
    return kept;
  }

  /** Edge counts per parent in input order (from the edge count table, or the cache). */
  async countEdges(edge: string, fromIds: readonly string[]): Promise<number[]> {
    this.begin();
    const def = this.schema.edge(edge, "countEdges");
    const parents = checkIds(fromIds, "countEdges fromIds");
    const distinct = [...new Set(parents)];
    const counts = await readEdgeCounts(this.store, def, distinct);
    const byParent = new Map<string, number>();
    for (let i = 0; i < distinct.length; i++) byParent.set(distinct[i]!, counts[i]!);
    return parents.map((id) => byParent.get(id)!);
  }

  private storedEdge(edge: string, call: string): KvetchEdgeDef {
    const def = this.schema.edge(edge, call);
    if (def.derived) {
      throw new KvetchError(
        "DERIVED_EDGE",
        `${call}: edge "${def.name}" is derived from ${def.storedOnType}.data.${def.storedIdAttr}; ` +
          `set or clear that attribute with updateObject instead of writing the edge`,
      );
    }
    return def;
  }

  /** Adds (or, when present, updates the data of) a stored edge; true when it was new. */
  async insertEdge(edge: string, fromId: string, toId: string, data: KvetchData = {}): Promise<boolean> {
    return (await this.insertEdgesIn("insertEdge", edge, [{ fromId, toId, data }])) === 1;
  }

  /** Adds a batch of stored edges; returns how many were new. */
  async insertEdges(edge: string, items: readonly { fromId: string; toId: string; data?: KvetchData }[]): Promise<number> {
    return this.insertEdgesIn("insertEdges", edge, items);
  }

  private async insertEdgesIn(
    call: string,
    edge: string,
    items: readonly { fromId: string; toId: string; data?: KvetchData }[],
  ): Promise<number> {
    this.begin();
    const def = this.storedEdge(edge, call);
    if (!Array.isArray(items)) throw new KvetchError("BAD_ARGUMENT", `${call} needs an array of { fromId, toId, data? }`);
    const rows = new Array<EdgeRow>(items.length);
    const now = Date.now();
    for (let i = 0; i < items.length; i++) {
      const where = call === "insertEdge" ? call : `${call} items[${i}]`;
      const item = items[i]!;
      rows[i] = {
        edgeId: def.edgeId,
        fromId: checkId(item?.fromId, `${where} fromId`),
        toId: checkId(item?.toId, `${where} toId`),
        seq: 0,
        created: now,
        body: encodeData(item.data ?? {}, `${where} data`),
      };
    }
    for (const row of rows) row.seq = nextSeq();
    if (rows.length === 0) return 0;
    return insertEdges(this.store, rows);
  }

  /** Removes a stored edge; true when it existed. */
  async deleteEdge(edge: string, fromId: string, toId: string): Promise<boolean> {
    return (await this.deleteEdgesIn("deleteEdge", edge, [{ fromId, toId }])) === 1;
  }

  /** Removes a batch of stored edges; returns how many existed. */
  async deleteEdges(edge: string, items: readonly { fromId: string; toId: string }[]): Promise<number> {
    return this.deleteEdgesIn("deleteEdges", edge, items);
  }

  private async deleteEdgesIn(call: string, edge: string, items: readonly { fromId: string; toId: string }[]): Promise<number> {
    this.begin();
    const def = this.storedEdge(edge, call);
    if (!Array.isArray(items)) throw new KvetchError("BAD_ARGUMENT", `${call} needs an array of { fromId, toId }`);
    const keys = new Map<string, EdgeKey>();
    for (let i = 0; i < items.length; i++) {
      const where = call === "deleteEdge" ? call : `${call} items[${i}]`;
      const fromId = checkId(items[i]?.fromId, `${where} fromId`);
      const toId = checkId(items[i]?.toId, `${where} toId`);
      keys.set(`${fromId}/${toId}`, { edgeId: def.edgeId, fromId, toId });
    }
    if (keys.size === 0) return 0;
    return deleteEdges(this.store, [...keys.values()]);
  }

  /**
   * Pages of index entries per value in input order, ordered by (seq, targetId). Values are compared by their
   * canonical JSON (so "1" and 1 differ); null matches nothing. `verify` as for getEdges (indexEntryHolds).
   */
  async queryIndex(index: string, values: readonly unknown[], options?: KvetchPageOptions): Promise<KvetchPage<KvetchIndexEntry>[]> {
    this.begin();
    const def = this.schema.index(index, "queryIndex");
    if (!Array.isArray(values)) throw new KvetchError("BAD_ARGUMENT", `queryIndex values must be an array`);
    const keys = new Array<string>(values.length);
    const empty = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === null || value === undefined) {
        empty[i] = 1;
        keys[i] = "null";
        continue;
      }
      checkJsonValue(value, `queryIndex values[${i}]`);
      keys[i] = indexValueKey(value);
    }
    const plan = this.planPages("queryIndex", keys, options);
    // null values have no entries by definition: drop their requests before any I/O
    const live: number[] = [];
    const isEmpty = new Uint8Array(plan.requests.length);
    for (let i = 0; i < values.length; i++) if (empty[i]) isEmpty[plan.requestOf[i]!] = 1;
    for (let r = 0; r < plan.requests.length; r++) if (!isEmpty[r]) live.push(r);
    const liveRequests = live.map((r) => plan.requests[r]!);
    const liveValues = liveRequests.map((request) => JSON.parse(request.key) as unknown); // once per value, not per entry
    const kind = indexListKind(this.store, def);
    const livePlan: PagePlan = { requests: liveRequests, requestOf: plan.requestOf, first: plan.first, verify: plan.verify };
    const liveLists =
      liveRequests.length === 0
        ? []
        : plan.verify
          ? await this.readVerified(livePlan, (requests) => readListPages(this.store, kind, requests), (r, item, targets) =>
              indexEntryHolds(def, liveValues[r], targets.get(item.id)),
            )
          : await readListPages(this.store, kind, liveRequests);
    const lists = new Array<ListItem[]>(plan.requests.length).fill([]);
    for (let l = 0; l < live.length; l++) lists[live[l]!] = liveLists[l]!;
    const pages = new Array<KvetchPage<KvetchIndexEntry>>(plan.requests.length);
    for (let r = 0; r < plan.requests.length; r++) pages[r] = indexPage(lists[r]!, plan.first);
    return alignPages(pages, plan.requestOf);
  }

  /** Restores missing and removes stale derived rows; see KvetchRepairOptions for batching and resuming. */
  async repair(options?: KvetchRepairOptions): Promise<KvetchRepairReport> {
    this.begin();
    return repair(this.store, options);
  }

  /** Row counts per shard (objects, edges, index entries). */
  async stats(): Promise<ShardStats[]> {
    this.begin();
    return Promise.all(this.store.shards.map((shard) => shard.stats()));
  }

  /** Closes shard pools and the cache connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.store.shards.map((shard) => shard.close()), this.store.cache?.close()]);
  }
}

/** pageLength: the first `first` items form the page (all when null); hasNextPage when the read found more. */
function pageLength(items: readonly ListItem[], first: number | null): number {
  return first === null ? items.length : Math.min(first, items.length);
}

function edgePage(edge: string, fromId: string, items: readonly ListItem[], first: number | null): KvetchPage<KvetchEdge> {
  const count = pageLength(items, first);
  const edges = new Array<KvetchEdge>(count);
  for (let i = 0; i < count; i++) {
    const item = items[i]!;
    edges[i] = { edge, fromId, toId: item.id, data: item.data ?? {}, created: item.created, cursor: encodeCursor(item.seq, item.id) };
  }
  return { edges, hasNextPage: first !== null && items.length > first, endCursor: count > 0 ? edges[count - 1]!.cursor : null };
}

function indexPage(items: readonly ListItem[], first: number | null): KvetchPage<KvetchIndexEntry> {
  const count = pageLength(items, first);
  const edges = new Array<KvetchIndexEntry>(count);
  for (let i = 0; i < count; i++) edges[i] = { targetId: items[i]!.id, cursor: encodeCursor(items[i]!.seq, items[i]!.id) };
  return { edges, hasNextPage: first !== null && items.length > first, endCursor: count > 0 ? edges[count - 1]!.cursor : null };
}

function alignPages<T>(pages: KvetchPage<T>[], requestOf: Int32Array): KvetchPage<T>[] {
  const out = new Array<KvetchPage<T>>(requestOf.length);
  for (let i = 0; i < requestOf.length; i++) out[i] = pages[requestOf[i]!]!;
  return out;
}
