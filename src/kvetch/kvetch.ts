// Kvetch: the public face of the store, a thin facade. Each method validates its whole batch before any I/O
// (ids, names, data), counts itself once in counters.calls, and hands the batch to objectRead, listRead, write
// or repair. Never reads or writes a shard itself; never lets a caller's object share memory with stored state.

import type { EdgeKey, EdgeRow, KvetchBackend, KvetchCounters, ShardStats } from "./backend.js";
import { RedisCache } from "./cache.js";
import { nextSeq } from "./cursor.js";
import { derivedRowsOf } from "./derived.js";
import { checkJsonValue, encodeData } from "./data.js";
import { distinctKeys, spread } from "./distinct.js";
import { KvetchError } from "./errors.js";
import { checkId, checkIds } from "./id.js";
import { getEdgePages, queryIndexPages, readEdgeCounts } from "./listRead.js";
import { memoryBackend } from "./memory.js";
import type { KvetchData, KvetchEdge, KvetchIndexEntry, KvetchObject, KvetchPage, KvetchPageOptions } from "./model.js";
import { getObjects } from "./objectRead.js";
import { repair } from "./repair.js";
import type { KvetchRepairOptions, KvetchRepairReport } from "./repair.js";
import type { KvetchEdgeDef, KvetchSchema } from "./schema.js";
import { indexValueKey, shardOfId } from "./shard.js";
import type { ShardMap } from "./shard.js";
import { testHooksOf } from "./store.js";
import type { KvetchTestHooks, Store } from "./store.js";
import { createObjects, deleteEdges, deleteObjects, insertEdges, updateObjects } from "./write.js";
import type { NewObject, ObjectPatch } from "./write.js";

export interface KvetchOptions {
  schema: KvetchSchema;
  /** memoryBackend(...) or mysqlBackend(...); default: one in-memory shard. */
  backend?: KvetchBackend;
}

export class Kvetch {
  readonly schema: KvetchSchema;
  readonly counters: KvetchCounters;
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
    // Fault injection for tests (graphscale/kvetch/testing): reachable by this instance, never a public field.
    const hooks: KvetchTestHooks = {};
    testHooksOf.set(this, hooks);
    this.store = { schema: this.schema, shardMap: backend.shardMap, shards, cache, counters: this.counters, hooks };
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

  /** Objects in input order, null for ids that do not exist; repeated ids (in any case) are read once. */
  async getObjects(ids: readonly string[]): Promise<(KvetchObject | null)[]> {
    this.begin();
    return getObjects(this.store, checkIds(ids, "getObjects ids"));
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
    const ids = new Array<string>(items.length);
    const wheres = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) {
      wheres[i] = call === "updateObject" ? call : `${call} items[${i}]`;
      const item = items[i];
      if (item === null || typeof item !== "object") throw new KvetchError("BAD_ARGUMENT", `${wheres[i]} must be { id, patch }`);
      ids[i] = checkId(item.id, `${wheres[i]} id`);
      encodeData(item.patch, `${wheres[i]} patch`);
    }
    const distinct = distinctKeys(ids);
    const patches = new Array<ObjectPatch>(distinct.keys.length);
    for (let p = 0; p < patches.length; p++) patches[p] = { id: distinct.keys[p]!, patch: {}, where: wheres[distinct.firstOf[p]!]! };
    for (let i = 0; i < items.length; i++) {
      const patch = patches[distinct.slotOf[i]!]!.patch;
      for (const key of Object.keys(items[i]!.patch)) {
        const value = items[i]!.patch[key];
        patch[key] = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
      }
    }
    if (patches.length === 0) return [];
    return spread(await updateObjects(this.store, patches), distinct.slotOf);
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
    const distinct = distinctKeys(canonical);
    if (distinct.keys.length === 0) return [];
    return spread(await deleteObjects(this.store, distinct.keys), distinct.slotOf);
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
    return getEdgePages(this.store, def, checkIds(fromIds, "getEdges fromIds"), options);
  }

  /** Edge counts per parent in input order (from the edge count table, or the cache). */
  async countEdges(edge: string, fromIds: readonly string[]): Promise<number[]> {
    this.begin();
    const def = this.schema.edge(edge, "countEdges");
    return readEdgeCounts(this.store, def, checkIds(fromIds, "countEdges fromIds"));
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
    const keys = new Array<EdgeKey>(items.length);
    const pairs = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) {
      const where = call === "deleteEdge" ? call : `${call} items[${i}]`;
      const fromId = checkId(items[i]?.fromId, `${where} fromId`);
      const toId = checkId(items[i]?.toId, `${where} toId`);
      keys[i] = { edgeId: def.edgeId, fromId, toId };
      pairs[i] = `${fromId}/${toId}`;
    }
    const distinct = distinctKeys(pairs);
    if (distinct.keys.length === 0) return 0;
    const unique = new Array<EdgeKey>(distinct.keys.length);
    for (let k = 0; k < unique.length; k++) unique[k] = keys[distinct.firstOf[k]!]!;
    return deleteEdges(this.store, unique);
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
    return queryIndexPages(this.store, def, keys, empty, options);
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
