// Kvetch: the public face of the store, a thin facade. Each method validates its whole batch before any I/O
// (ids, names, data), counts itself once in counters.calls, and hands the batch to objectRead, listRead, write
// or repair. Never reads or writes a shard itself; never lets a caller's object share memory with stored state.

import type { KvetchBackend, KvetchCounters, ShardStats } from "./backend.js";
import { RedisCache, type CacheHealth } from "./cache.js";
import { checkJsonValue } from "./data.js";
import { newDecodedMemo } from "./decodedMemo.js";
import { distinctCheckedIds, distinctKeys, spread } from "./distinct.js";
import { KvetchError, describeValue, shardFailureOf } from "./errors.js";
import { checkId, checkIds } from "./id.js";
import { getEdgePages, getEdgeTargetPages, queryIndexPages, readEdgeCounts } from "./listRead.js";
import { memoryBackend } from "./memory.js";
import type { KvetchData, KvetchEdge, KvetchIndexEntry, KvetchObject, KvetchPage, KvetchPageOptions, KvetchPartialOption, NewItem } from "./model.js";
import { getObjects } from "./objectRead.js";
import { repair, type KvetchRepairOptions, type KvetchRepairReport } from "./repair.js";
import { reshard, type ReshardOptions, type ReshardReport } from "./reshard.js";
import { drainRepairQueue } from "./repairQueue.js";
import { ShardGuard, breakerSettings, type ShardHealth } from "./shardGuard.js";
import type { KvetchEdgeDef, KvetchSchema } from "./schema.js";
import { indexValueKey, shardOfId, type ShardMap } from "./shard.js";
import { orThrow, reportDerivedWriteFailure, storeOf, testHooksOf, type DerivedWriteFailure, type KvetchTestHooks, type OrFailure, type Store } from "./store.js";
import { checkDeps, closeInvalidations, invalidateDependency, onInvalidate, readDependencyVersions, readDependencyVersionsNow, routeOf } from "./reactivity.js";
import type { DependencyChange, DependencyVersions, InvalidationsEnded } from "./reactivity.js";
import { memoryHubOf, redisHub } from "./versions.js";
import { migrateTopology, openTopology } from "./topologyJoin.js";
import { checkSchemaLock, migrateSchemaLock, type KvetchMigrateReport } from "./schemaLockStore.js";
import { createObjects, updateObjects } from "./write.js";
import { deleteWithRules, finishDeletes } from "./deleteRules.js";
import { migrateUniqueClaims } from "./uniqueMigrate.js";
import { countOrThrow, deleteEdges, edgeRows, insertEdges, type EdgesWritten } from "./edgeWrite.js";
import { objectPatches, type UpdateItem } from "./updateItems.js";
import { planCreates } from "./createItems.js";
import { traceKvetchCalls } from "./tracing.js";

export interface KvetchOptions {
  schema: KvetchSchema;
  /** memoryBackend(...) or mysqlBackend(...); default: one in-memory shard. */
  backend?: KvetchBackend;
  /**
   * Told about each write that committed but could not write its derived rows (they are queued for
   * `repair --queue` when the backend has a queue). Default: one line on console.error.
   */
  onDerivedWriteFailure?: (report: DerivedWriteFailure) => void;
  /** Most dependencies one checkDeps call takes (default 10,000). */
  maxCheckDeps?: number;
}

/** What kvetch.health() reports: each shard (breaker and a ping) and the cache; no host, port or database. */
export interface KvetchHealth {
  ok: boolean;
  shards: ShardHealth[];
  cache: CacheHealth | null;
}

/** The results as they are with `partial`, else the results or the first failure thrown. */
function settle<T>(results: OrFailure<T>[], options: KvetchPartialOption | undefined): OrFailure<T>[] {
  return options?.partial === true ? results : orThrow(results);
}

export class Kvetch {
  readonly schema: KvetchSchema;
  readonly counters: KvetchCounters;
  private readonly store: Store;
  private readonly maxCheckDeps: number;
  private readonly backend: KvetchBackend;
  private closed = false;
  /** The open check passed: from then on begin() lets reads and writes through with no await. */
  private opened = false;
  private opening: Promise<void> | null = null;

  constructor(options: KvetchOptions) {
    if (!options || !options.schema || typeof options.schema.objectType !== "function") {
      throw new KvetchError("BAD_CONFIG", "new Kvetch({ schema, backend? }) needs the schema returned by defineSchema");
    }
    const backend = (this.backend = options.backend ?? memoryBackend());
    this.schema = options.schema;
    this.counters = { calls: 0, shardQueries: new Array<number>(backend.shardMap.shards).fill(0), cacheRoundTrips: {}, rowsFetched: 0 };
    const breaker = breakerSettings(backend.breaker);
    const shards = backend.openShards(this.counters).map((shard) => new ShardGuard(shard, breaker));
    const cache = backend.redis === null ? null : new RedisCache(backend.redis, this.counters);
    // Fault injection for tests (graphscale/kvetch/testing): reachable by this instance, never a public field.
    const hooks: KvetchTestHooks = {};
    testHooksOf.set(this, hooks);
    const onDerivedWriteFailure = options.onDerivedWriteFailure ?? reportDerivedWriteFailure;
    const deps = cache === null ? memoryHubOf(backend) : redisHub(cache);
    this.maxCheckDeps = options.maxCheckDeps ?? 10_000;
    this.store = { schema: this.schema, shardMap: backend.shardMap, topology: null, shards, cache, decoded: cache === null ? null : newDecodedMemo(), counters: this.counters, deps, hooks, onDerivedWriteFailure };
    for (const shard of shards) (shard.inner as { bindStore?: (store: Store) => void }).bindStore?.(this.store);
    storeOf.set(this, this.store);
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

  /** Counts a call; true when the open check has passed (else the caller awaits open() before any I/O). */
  private begin(): boolean {
    if (this.closed) throw new KvetchError("BAD_ARGUMENT", "this Kvetch was closed; create a new one");
    this.counters.calls++;
    return this.opened;
  }

  /**
   * The open check (spec/kvetch-storage.md §2.3, §2.5), which every read and write awaits: a mismatch fails them
   * all (TOPOLOGY_MISMATCH, or BAD_SCHEMA for the schema lock); a shard failure only this call. Call it to fail fast at startup.
   */
  open(): Promise<void> {
    if (this.opened) return Promise.resolve();
    this.opening ??= openTopology(this.store, this.backend).then(() => checkSchemaLock(this.store)).then(
      () => void (this.opened = true),
      (error: unknown) => {
        if (shardFailureOf(error) !== null) this.opening = null;
        throw error;
      },
    );
    return this.opening;
  }

  /**
   * Creates databases (where the backend has them) and tables on every shard, then joins them to the
   * installation (spec/kvetch-storage.md §2.4) — never rewriting a shard's identity —, records the schema in the
   * schema lock (§2.5; a conflicting schema is refused, the report names what repair must backfill) and opens; safe to run again.
   */
  async migrate(): Promise<KvetchMigrateReport | null> {
    this.begin();
    await Promise.all(this.store.shards.map((shard) => shard.migrate()));
    await migrateTopology(this.store.shards, this.backend.shardMap);
    const report = await migrateSchemaLock(this.store, this.backend);
    [this.opened, this.opening] = [false, null];
    await this.open();
    // Values already stored under a unique index are claimed; duplicates refuse it (uniqueMigrate.ts).
    await migrateUniqueClaims(this.store);
    return report;
  }

  /**
   * Objects in input order, null for ids that do not exist; repeated ids (in any case) are read once. A shard
   * that fails fails the call — or, with `{ partial: true }`, only its own ids, which get its KvetchError.
   */
  getObjects(ids: readonly string[], options?: { partial?: false }): Promise<(KvetchObject | null)[]>;
  getObjects(ids: readonly string[], options: { partial: true }): Promise<(KvetchObject | null | KvetchError)[]>;
  async getObjects(ids: readonly string[], options?: KvetchPartialOption): Promise<(KvetchObject | null | KvetchError)[]> {
    if (!this.begin()) await this.open();
    return settle(await getObjects(this.store, distinctCheckedIds(ids, "getObjects ids")), options);
  }

  async getObject(id: string): Promise<KvetchObject | null> {
    return (await this.getObjects([id]))[0]!;
  }

  /**
   * Creates one object of `type`; its derived edges and index entries follow from `data`. With an
   * `idempotencyKey`, a retry with the same key (and type) returns the object the first call created.
   */
  async createObject(type: string, data: KvetchData, options?: { idempotencyKey?: string }): Promise<KvetchObject> {
    return orThrow(await this.createObjectsIn("createObject", [{ type, data, idempotencyKey: options?.idempotencyKey }]))[0]!;
  }

  /** Creates a batch: one canonical insert per shard, then the derived rows, then cache invalidation. */
  createObjects(items: readonly NewItem[], options?: { partial?: false }): Promise<KvetchObject[]>;
  createObjects(items: readonly NewItem[], options: { partial: true }): Promise<(KvetchObject | KvetchError)[]>;
  async createObjects(items: readonly NewItem[], options?: KvetchPartialOption): Promise<(KvetchObject | KvetchError)[]> {
    return settle(await this.createObjectsIn("createObjects", items), options);
  }

  private async createObjectsIn(call: string, items: readonly NewItem[]): Promise<OrFailure<KvetchObject>[]> {
    if (!this.begin()) await this.open();
    const planned = planCreates(this.schema, call, items);
    if (planned.length === 0) return [];
    return createObjects(this.store, planned);
  }

  /**
   * Shallow-merges `patch` into the object `id` of `type` (undefined removes a key); version + 1; returns the
   * result. An id of another type (WRONG_TYPE) or no object (NOT_FOUND) writes nothing; with `ifVersion`,
   * so does an object at another version (CONFLICT, its `currentVersion` on the error). A patch that changes
   * nothing writes nothing (same version, no invalidation) and returns the object.
   */
  async updateObject(type: string, id: string, patch: KvetchData, options?: { ifVersion?: number }): Promise<KvetchObject> {
    if (typeof type !== "string" || typeof id !== "string") {
      this.begin();
      throw new KvetchError(
        "BAD_ARGUMENT",
        `updateObject takes (type, id, patch, { ifVersion }?): the object type first, e.g. updateObject("Todo", id, { done: true }); got ${describeValue(type)} then ${describeValue(id)}`,
      );
    }
    return orThrow(await this.updateObjectsIn("updateObject", [{ type, id, patch, ifVersion: options?.ifVersion }], undefined))[0]!;
  }

  /**
   * A batch of updates, each of the type its item or `options.type` names; several patches for one id are
   * merged in order and give the same final object. Refused before anything is written: an id of another
   * type, a missing object, an item whose `ifVersion` is not the stored version.
   */
  updateObjects(items: readonly UpdateItem[], options?: { type?: string; partial?: false }): Promise<KvetchObject[]>;
  updateObjects(items: readonly UpdateItem[], options: { type?: string; partial: true }): Promise<(KvetchObject | KvetchError)[]>;
  async updateObjects(items: readonly UpdateItem[], options?: { type?: string } & KvetchPartialOption): Promise<(KvetchObject | KvetchError)[]> {
    return settle(await this.updateObjectsIn("updateObjects", items, options?.type), options);
  }

  private async updateObjectsIn(call: string, items: readonly UpdateItem[], batchType: string | undefined): Promise<OrFailure<KvetchObject>[]> {
    if (!this.begin()) await this.open();
    const { patches, slotOf } = objectPatches(this.schema, call, items, batchType);
    if (patches.length === 0) return [];
    return spread(await updateObjects(this.store, patches), slotOf);
  }

  /**
   * Deletes the object and the derived rows it implied, following the delete rules of the edges it is the
   * parent of (RESTRICTED, cascade, setNull; at most `maxCascade` other objects written, default 10,000);
   * false when it did not exist. With `type`, an object of another type is not deleted: WRONG_TYPE.
   */
  async deleteObject(id: string, options?: { type?: string; maxCascade?: number }): Promise<boolean> {
    return orThrow(await this.deleteObjectsIn("deleteObject id", [id], options?.type, options?.maxCascade))[0]!;
  }

  /** Deletes a batch; with `type`, an id of another type refuses the whole call (WRONG_TYPE) and nothing is deleted. */
  deleteObjects(ids: readonly string[], options?: { type?: string; maxCascade?: number; partial?: false }): Promise<boolean[]>;
  deleteObjects(ids: readonly string[], options: { type?: string; maxCascade?: number; partial: true }): Promise<(boolean | KvetchError)[]>;
  async deleteObjects(ids: readonly string[], options?: { type?: string; maxCascade?: number } & KvetchPartialOption): Promise<(boolean | KvetchError)[]> {
    return settle(await this.deleteObjectsIn("deleteObjects ids", ids, options?.type, options?.maxCascade), options);
  }

  private async deleteObjectsIn(where: string, ids: readonly string[], type: string | undefined, maxCascade?: number): Promise<OrFailure<boolean>[]> {
    if (!this.begin()) await this.open();
    const expectType = type === undefined ? undefined : this.schema.objectType(type, where.replace(/ id(s)?$/, ""));
    const canonical = where === "deleteObject id" ? [checkId(ids[0], where)] : checkIds(ids, where);
    const distinct = distinctKeys(canonical);
    if (distinct.keys.length === 0) return [];
    return spread(await deleteWithRules(this.store, distinct.keys, expectType, where.replace(/ id(s)?$/, ""), maxCascade), distinct.slotOf);
  }

  /**
   * Pages of `edge` for each parent in input order: ordered by (seq, toId), `first` per parent, `after` one
   * cursor for all or one per parent. All parents go in one query per shard. With `verify` (the default) rows
   * of a derived edge whose child no longer holds the parent id are dropped; with `verify: false` only edge
   * rows are read (one call, no object reads) and the caller re-checks with derivedEdgeHolds.
   */
  getEdges(edge: string, fromIds: readonly string[], options?: KvetchPageOptions & { partial?: false }): Promise<KvetchPage<KvetchEdge>[]>;
  getEdges(edge: string, fromIds: readonly string[], options: KvetchPageOptions & { partial: true }): Promise<(KvetchPage<KvetchEdge> | KvetchError)[]>;
  async getEdges(edge: string, fromIds: readonly string[], options?: KvetchPageOptions & KvetchPartialOption): Promise<(KvetchPage<KvetchEdge> | KvetchError)[]> {
    if (!this.begin()) await this.open();
    const def = this.schema.edge(edge, "getEdges");
    return settle(await getEdgePages(this.store, def, checkIds(fromIds, "getEdges fromIds"), options), options);
  }

  /**
   * getEdges with each edge given by its target id: per parent in input order, a page whose `edges` are the
   * `toId`s of the rows getEdges would return (same order, `first`, `after`, `verify`, `hasNextPage` and
   * `endCursor`), for a caller that reads nothing of an edge but where it points — no edge object per row,
   * and no row cursors (`cursors` is ignored). The GraphQL node loads read lists this way when nothing in
   * the plan reads the edges themselves.
   */
  getEdgeTargets(edge: string, fromIds: readonly string[], options?: KvetchPageOptions & { partial?: false }): Promise<KvetchPage<string>[]>;
  getEdgeTargets(edge: string, fromIds: readonly string[], options: KvetchPageOptions & { partial: true }): Promise<(KvetchPage<string> | KvetchError)[]>;
  async getEdgeTargets(edge: string, fromIds: readonly string[], options?: KvetchPageOptions & KvetchPartialOption): Promise<(KvetchPage<string> | KvetchError)[]> {
    if (!this.begin()) await this.open();
    const def = this.schema.edge(edge, "getEdgeTargets");
    return settle(await getEdgeTargetPages(this.store, def, checkIds(fromIds, "getEdgeTargets fromIds"), options), options);
  }

  /** Edge counts per parent in input order (from the edge count table, or the cache). */
  countEdges(edge: string, fromIds: readonly string[], options?: { partial?: false }): Promise<number[]>;
  countEdges(edge: string, fromIds: readonly string[], options: { partial: true }): Promise<(number | KvetchError)[]>;
  async countEdges(edge: string, fromIds: readonly string[], options?: KvetchPartialOption): Promise<(number | KvetchError)[]> {
    if (!this.begin()) await this.open();
    const def = this.schema.edge(edge, "countEdges");
    return settle(await readEdgeCounts(this.store, def, checkIds(fromIds, "countEdges fromIds")), options);
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
    return countOrThrow(await this.insertEdgesIn("insertEdge", edge, [{ fromId, toId, data }])) === 1;
  }

  /** Adds a batch of stored edges; how many were new (with `partial`: per item true, or its shard's error). */
  insertEdges(edge: string, items: readonly { fromId: string; toId: string; data?: KvetchData }[], options?: { partial?: false }): Promise<number>;
  insertEdges(edge: string, items: readonly { fromId: string; toId: string; data?: KvetchData }[], options: { partial: true }): Promise<(true | KvetchError)[]>;
  async insertEdges(edge: string, items: readonly { fromId: string; toId: string; data?: KvetchData }[], options?: KvetchPartialOption): Promise<number | (true | KvetchError)[]> {
    const written = await this.insertEdgesIn("insertEdges", edge, items);
    return options?.partial === true ? written.results : countOrThrow(written);
  }

  private async insertEdgesIn(call: string, edge: string, items: readonly { fromId: string; toId: string; data?: KvetchData }[]): Promise<EdgesWritten> {
    if (!this.begin()) await this.open();
    const rows = edgeRows(this.storedEdge(edge, call).edgeId, call, items);
    return rows.length === 0 ? { count: 0, results: [] } : insertEdges(this.store, rows);
  }

  /** Removes a stored edge; true when it existed. */
  async deleteEdge(edge: string, fromId: string, toId: string): Promise<boolean> {
    if (!this.begin()) await this.open();
    return countOrThrow(await deleteEdges(this.store, this.storedEdge(edge, "deleteEdge").edgeId, "deleteEdge", [{ fromId, toId }])) === 1;
  }

  /** Removes a batch of stored edges; how many existed (with `partial`: per item true, or its shard's error). */
  deleteEdges(edge: string, items: readonly { fromId: string; toId: string }[], options?: { partial?: false }): Promise<number>;
  deleteEdges(edge: string, items: readonly { fromId: string; toId: string }[], options: { partial: true }): Promise<(true | KvetchError)[]>;
  async deleteEdges(edge: string, items: readonly { fromId: string; toId: string }[], options?: KvetchPartialOption): Promise<number | (true | KvetchError)[]> {
    if (!this.begin()) await this.open();
    const written = await deleteEdges(this.store, this.storedEdge(edge, "deleteEdges").edgeId, "deleteEdges", items);
    return options?.partial === true ? written.results : countOrThrow(written);
  }

  /**
   * Pages of index entries per value in input order, ordered by (seq, targetId). Values are compared by their
   * canonical JSON (so "1" and 1 differ); null matches nothing. `verify` as for getEdges (indexEntryHolds).
   */
  queryIndex(index: string, values: readonly unknown[], options?: KvetchPageOptions & { partial?: false }): Promise<KvetchPage<KvetchIndexEntry>[]>;
  queryIndex(index: string, values: readonly unknown[], options: KvetchPageOptions & { partial: true }): Promise<(KvetchPage<KvetchIndexEntry> | KvetchError)[]>;
  async queryIndex(
    index: string,
    values: readonly unknown[],
    options?: KvetchPageOptions & KvetchPartialOption,
  ): Promise<(KvetchPage<KvetchIndexEntry> | KvetchError)[]> {
    if (!this.begin()) await this.open();
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
    return settle(await queryIndexPages(this.store, def, keys, empty, options), options);
  }

  /** Restores missing and removes stale derived rows; see KvetchRepairOptions for batching and resuming. */
  async repair(options?: KvetchRepairOptions): Promise<KvetchRepairReport> {
    if (!this.begin()) await this.open();
    const batchSize = options?.batchSize ?? 500;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new KvetchError("BAD_ARGUMENT", `repair batchSize must be a positive integer, got ${batchSize}`);
    // A delete a crash stopped part way (its marker still queued) is finished first: its rows then drain or scan as usual.
    if (options?.queue === true || !options?.resumeFrom) await finishDeletes(this.store, batchSize);
    if (options?.queue === true) return drainRepairQueue(this.store, batchSize);
    return repair(this.store, options);
  }

  /**
   * Moves whole buckets between shards online (spec/kvetch-storage.md §11): spreads them over the members, less
   * `remove`; resumes a move a crash stopped, or rolls it back with `reverse`. Code: reshard.ts.
   */
  async reshard(options?: ReshardOptions): Promise<ReshardReport> {
    if (!this.begin()) await this.open();
    return reshard(this.store, options);
  }

  /** Each shard's breaker state and a ping (none while its breaker is open), and the cache's state. */
  async health(): Promise<KvetchHealth> {
    const shards = await Promise.all(this.store.shards.map((shard) => shard.health()));
    const cache = this.store.cache === null ? null : this.store.cache.health();
    return { ok: shards.every((shard) => shard.ok) && (cache === null || cache.ok), shards, cache };
  }

  /** Row counts per shard (objects, edges, index entries). */
  async stats(): Promise<ShardStats[]> {
    if (!this.begin()) await this.open();
    return Promise.all(this.store.shards.map((shard) => shard.stats()));
  }

  /**
   * The current version of each dependency key (`object:<id>`, `edges:<edge>:<fromId>`, `count:…`,
   * `index:<index>:<valueKey>`, or a key of your own kind), read at call time: start it before the data read
   * it guards. One round trip with Redis; none in memory.
   */
  dependencyVersions(keys: readonly string[]): Promise<number[]> {
    return readDependencyVersions(this.store, keys, "dependencyVersions");
  }

  /**
   * The same versions, now, when the version store answers without I/O (the memory backend without Redis);
   * null when it needs a round trip (ask dependencyVersions). Lets a read step record them with no promise.
   */
  dependencyVersionsNow(keys: readonly string[]): number[] | null {
    return readDependencyVersionsNow(this.store, keys, "dependencyVersions");
  }

  /** The keys whose version moved since a response recorded them; one round trip for up to maxCheckDeps. */
  async checkDeps(deps: DependencyVersions | readonly { key: string; version: number | null }[]): Promise<string[]> {
    this.begin();
    return checkDeps(this.store, deps, this.maxCheckDeps);
  }

  /** For writes Kvetch did not make: bumps the keys' versions, drops their cache entries, tells every listener. */
  async invalidateDependency(...keys: string[]): Promise<void> {
    this.begin();
    await invalidateDependency(this.store, keys);
  }

  /** Every invalidation (from any process sharing the Redis); null when some may have been missed; `ended` on close. */
  onInvalidate(listener: (change: DependencyChange | null) => void, ended?: InvalidationsEnded): () => void {
    return onInvalidate(this.store, listener, ended);
  }

  /** A dependency key's route (RouteOf: an object's canonical key, else its tag), named by the invalidations touching it in `change.routes`; null for a key it cannot name. */
  routeOf = (key: string): string | null => routeOf(this.store, key);

  /** Ends its invalidation listeners (and live queries), then closes every shard pool and the cache; rejects with the first failure. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    closeInvalidations(this.store);
    const closing = [...this.store.shards.map((shard) => shard.close()), this.store.cache?.close(), this.store.cache === null ? undefined : this.store.deps.close()];
    for (const result of await Promise.allSettled(closing)) if (result.status === "rejected") throw result.reason;
  }
}

traceKvetchCalls(Kvetch.prototype);
