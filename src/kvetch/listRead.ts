// List reads: pages of edge lists and index entry lists, and edge counts, for a whole batch. Owns the whole
// path of a page read — page planning (options, cursors, one request per distinct (key, cursor)), the cache
// read and refill, the re-check of derived rows against canonical objects, and alignment with the input
// (listPages.ts builds the pages). Never issues a query per entry; never returns a derived row its
// canonical object denies.

import { decodeCursor } from "./cursor.js";
import type { Position } from "./cursor.js";
import { derivedTargetHolds, indexEntryHolds } from "./derived.js";
import { decodeCachedList, encodeCachedList, slicePage, type CachedList } from "./cachedList.js";
import { distinctKeys, spread } from "./distinct.js";
import { edgeListTag } from "./cache.js";
import { KvetchError, describeValue } from "./errors.js";
import { edgeListKind, indexListKind } from "./listKinds.js";
import { edgePage, indexPage, rowTargetPage, targetPage } from "./listPages.js";
import type { ListKind, ListRequest } from "./listKinds.js";
import type { ShardStore } from "./backend.js";
import type { KvetchEdge, KvetchIndexEntry, KvetchObject, KvetchPage, KvetchPageOptions, ListItem } from "./model.js";
import { readObjects } from "./objectRead.js";
import type { KvetchEdgeDef, KvetchIndexDef } from "./schema.js";
import { shardOfEdge } from "./shard.js";
import { eachShardChunk, groupByShard, isFailure, pick, writeBack } from "./store.js";
import type { OrFailure, Store } from "./store.js";

/** A page request after validation: one request per distinct (key, cursor) pair. */
interface PagePlan {
  requests: ListRequest[];
  /** Request index of each input position. */
  requestOf: Int32Array;
  first: number | null;
  verify: boolean;
  /** Whether each row gets its cursor. */
  cursors: boolean;
  /** Whether the page gets its endCursor (else null). */
  endCursor: boolean;
}

/** planPages: validates page options and de-duplicates (key, cursor) pairs into list requests, before any I/O. */
function planPages(call: string, keys: readonly string[], options: KvetchPageOptions | undefined): PagePlan {
  const opts = options ?? {};
  if (typeof opts !== "object") throw new KvetchError("BAD_ARGUMENT", `${call} options must be an object`);
  const first = opts.first ?? null;
  if (first !== null && (!Number.isInteger(first) || first < 0)) {
    throw new KvetchError("BAD_ARGUMENT", `${call} first must be a non-negative integer or null, got ${describeValue(first)}`);
  }
  // Above it, first + 1 is not exact and MySQL would get a LIMIT it cannot parse (1e+21).
  if (first !== null && first > Number.MAX_SAFE_INTEGER) {
    throw new KvetchError(
      "BAD_ARGUMENT",
      `${call} first must be at most ${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER), got ${describeValue(first)}; pass null for the whole list`,
    );
  }
  const verify = opts.verify ?? true;
  if (typeof verify !== "boolean") throw new KvetchError("BAD_ARGUMENT", `${call} verify must be a boolean`);
  const cursors = opts.cursors ?? true;
  if (typeof cursors !== "boolean") throw new KvetchError("BAD_ARGUMENT", `${call} cursors must be a boolean`);
  const endCursor = opts.endCursor ?? true;
  if (typeof endCursor !== "boolean") throw new KvetchError("BAD_ARGUMENT", `${call} endCursor must be a boolean`);
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
  const positions = new Array<Position | null>(keys.length);
  const pairs = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const cursor = afterOf(i) ?? null;
    positions[i] = cursor === null ? null : decodeCursor(cursor, `${call} after[${i}]`);
    pairs[i] = cursor === null ? keys[i]! : `${keys[i]}\u0000${cursor as string}`;
  }
  const distinct = distinctKeys(pairs);
  const requests = new Array<ListRequest>(distinct.keys.length);
  for (let r = 0; r < requests.length; r++) {
    const i = distinct.firstOf[r]!;
    requests[r] = { key: keys[i]!, after: positions[i]!, limit };
  }
  return { requests, requestOf: distinct.slotOf, first, verify, cursors, endCursor };
}

/** Lists of items, one per request; a request whose shard failed holds the failure. */
type Lists = OrFailure<ListItem[]>[];

/** queryRanges: requests grouped by the shard of their list, one query per shard per chunk, concurrently. */
function queryRanges(store: Store, kind: ListKind, requests: readonly ListRequest[]): Promise<Lists> {
  return queryShards(store, kind, requests, (shard, part) => kind.readRanges(shard, part));
}

/** queryRanges with the shard read given: one list of `T` per request, or its shard's failure. */
async function queryShards<T>(
  store: Store,
  kind: ListKind,
  requests: readonly ListRequest[],
  read: (shard: ShardStore, requests: readonly ListRequest[]) => Promise<T[]>,
): Promise<OrFailure<T>[]> {
  const out = new Array<OrFailure<T>>(requests.length);
  const shardOf = new Int32Array(requests.length);
  for (let i = 0; i < requests.length; i++) shardOf[i] = kind.shardOf(requests[i]!.key);
  await eachShardChunk(
    groupByShard(store.shards.length, shardOf),
    ({ shard, positions }) =>
      read(store.shards[shard]!, pick(requests, positions)).then((lists) => {
        for (let p = 0; p < positions.length; p++) out[positions[p]!] = lists[p]!;
      }),
    ({ positions }, error) => {
      for (let p = 0; p < positions.length; p++) out[positions[p]!] = error;
    },
    store,
  );
  return out;
}

/**
 * readListPages: one page per request. With a cache: one cache read for the distinct lists; a miss whose
 * generation is known is read from its shard as the list's first listCap+1 rows, written back, and paged in
 * memory; pages running past a cached prefix (lists longer than listCap) are read from the shards.
 */
async function readListPages(store: Store, kind: ListKind, requests: readonly ListRequest[]): Promise<Lists> {
  const cache = store.cache;
  if (cache === null || requests.length === 0) return queryRanges(store, kind, requests);
  const requestKeys = new Array<string>(requests.length);
  for (let i = 0; i < requests.length; i++) requestKeys[i] = requests[i]!.key;
  const { keys, slotOf: keyOf } = distinctKeys(requestKeys);
  const tags = new Array<string>(keys.length);
  for (let k = 0; k < keys.length; k++) tags[k] = kind.tag(keys[k]!);
  const cached = await cache.readCache(tags, "v");
  if (cached === null) return queryRanges(store, kind, requests);

  const lists = new Array<OrFailure<CachedList> | null>(keys.length).fill(null);
  const fillKeys: number[] = [];
  for (let k = 0; k < keys.length; k++) {
    const text = cached.values[k];
    if (text !== null && text !== undefined) lists[k] = decodeCachedList(store, tags[k]!, text);
    else if (cached.gens[k] !== null) fillKeys.push(k);
  }
  // Round 1: whole-list prefixes for refillable misses and direct pages for the rest, in one query per shard.
  const round1: ListRequest[] = [];
  const direct: number[] = [];
  for (const k of fillKeys) round1.push({ key: keys[k]!, after: null, limit: cache.listCap + 1 });
  for (let i = 0; i < requests.length; i++) {
    if (lists[keyOf[i]!] === null && cached.gens[keyOf[i]!] === null) {
      direct.push(i);
      round1.push(requests[i]!);
    }
  }
  const out: Lists = new Array(requests.length);
  if (round1.length > 0) {
    const results = await queryRanges(store, kind, round1);
    const fillTags: string[] = [];
    const fillGens: string[] = [];
    const fillValues: string[] = [];
    for (let f = 0; f < fillKeys.length; f++) {
      const items = results[f]!;
      if (isFailure(items)) {
        lists[fillKeys[f]!] = items;
        continue;
      }
      const complete = items.length <= cache.listCap;
      if (!complete) items.length = cache.listCap;
      lists[fillKeys[f]!] = { items, complete, kept: false };
      fillTags.push(tags[fillKeys[f]!]!);
      fillGens.push(cached.gens[fillKeys[f]!]!);
      fillValues.push(encodeCachedList(items, complete));
    }
    for (let d = 0; d < direct.length; d++) out[direct[d]!] = results[fillKeys.length + d]!;
    await writeBack(store, fillTags, fillGens, "v", fillValues);
  }
  // Pages from cached lists; those past a cached prefix go to the shards in round 2.
  const round2: number[] = [];
  for (let i = 0; i < requests.length; i++) {
    if (out[i] !== undefined) continue;
    const list = lists[keyOf[i]!]!;
    if (isFailure(list)) {
      out[i] = list;
      continue;
    }
    const page = slicePage(list, requests[i]!.after, requests[i]!.limit);
    if (page === null) round2.push(i);
    else out[i] = page;
  }
  if (round2.length > 0) {
    const results = await queryRanges(store, kind, pick(requests, round2));
    for (let r = 0; r < round2.length; r++) out[round2[r]!] = results[r]!;
  }
  return out;
}

/** Whether request r's list item still holds for its canonical object. */
type Holds = (request: number, item: ListItem, target: KvetchObject | null) => boolean;

/** The failure of the first of a list's targets (`targets[at..at+length)`) that could not be read, or null. */
function failedTarget(targets: readonly OrFailure<KvetchObject | null>[], at: number, length: number): KvetchError | null {
  for (let k = at; k < at + length; k++) {
    const target = targets[k];
    if (isFailure(target)) return target;
  }
  return null;
}

/**
 * readVerified: reads pages of `limit` rows, loads their target objects in one batch, drops rows that fail
 * `holds`, and reads on (from the last row read) for pages that lost rows, until each page is full or its
 * list ends. Each row's target is found by its position among the rows read, not looked up by id.
 */
async function readVerified(store: Store, kind: ListKind, plan: PagePlan, holds: Holds): Promise<Lists> {
  const kept: Lists = new Array(plan.requests.length);
  for (let r = 0; r < kept.length; r++) kept[r] = [];
  let open = Array.from(plan.requests.keys());
  let requests = plan.requests;
  const wanted = plan.first === null ? null : plan.first + 1;
  while (open.length > 0) {
    const lists = await readListPages(store, kind, requests);
    const ids: string[] = [];
    for (const list of lists) if (!isFailure(list)) for (const item of list) ids.push(item.id);
    const distinct = distinctKeys(ids);
    const targets = spread(await readObjects(store, distinct.keys), distinct.slotOf);
    const nextOpen: number[] = [];
    const nextRequests: ListRequest[] = [];
    let at = 0; // the position of the list's first row in `targets`
    for (let o = 0; o < open.length; o++) {
      const r = open[o]!;
      const list = lists[o]!;
      const request = requests[o]!;
      if (isFailure(list)) {
        kept[r] = list; // the page cannot be read: the entry fails, the others go on
        continue;
      }
      const first = at;
      at += list.length;
      const failure = failedTarget(targets, first, list.length);
      if (failure !== null) {
        kept[r] = failure; // the page cannot be checked: the entry fails, the others go on
        continue;
      }
      const keep = kept[r] as ListItem[];
      for (let k = 0; k < list.length; k++) if (holds(r, list[k]!, targets[first + k] as KvetchObject | null)) keep.push(list[k]!);
      const full = request.limit !== null && list.length === request.limit;
      if (full && wanted !== null && keep.length < wanted) {
        const last = list[list.length - 1]!;
        nextOpen.push(r);
        nextRequests.push({ key: request.key, after: { seq: last.seq, id: last.id }, limit: wanted - keep.length });
      }
    }
    open = nextOpen;
    requests = nextRequests;
  }
  return kept;
}

/**
 * getEdgePages: a page of `edge` per parent (canonical ids, repeats allowed) in input order. Derived edges
 * are re-checked against their child objects unless the options say `verify: false`.
 */
export async function getEdgePages(
  store: Store,
  edge: KvetchEdgeDef,
  parents: readonly string[],
  options: KvetchPageOptions | undefined,
): Promise<OrFailure<KvetchPage<KvetchEdge>>[]> {
  const plan = planPages("getEdges", parents, options);
  const lists = await readEdgeLists(store, edge, plan);
  const pages = new Array<OrFailure<KvetchPage<KvetchEdge>>>(plan.requests.length);
  for (let r = 0; r < plan.requests.length; r++) {
    const list = lists[r]!;
    pages[r] = isFailure(list) ? list : edgePage(edge.name, plan.requests[r]!.key, list, plan.first, plan.cursors, plan.endCursor);
  }
  return spread(pages, plan.requestOf);
}

/**
 * getEdgeTargetPages: getEdgePages with each edge given by its target id alone — the same rows, order,
 * verification, hasNextPage and endCursor, without an edge object per row (and so without row cursors).
 */
export async function getEdgeTargetPages(
  store: Store,
  edge: KvetchEdgeDef,
  parents: readonly string[],
  options: KvetchPageOptions | undefined,
): Promise<OrFailure<KvetchPage<string>>[]> {
  const plan = planPages("getEdgeTargets", parents, options);
  const pages = new Array<OrFailure<KvetchPage<string>>>(plan.requests.length);
  if (store.cache === null && !(plan.verify && edge.derived)) {
    // TargetsFromRows: no cache to fill and no row to re-check, so the pages are read off the shards' rows.
    const kind = edgeListKind(store.shardMap, edge);
    const lists = await queryShards(store, kind, plan.requests, (shard, part) => kind.readRows(shard, part));
    for (let r = 0; r < plan.requests.length; r++) {
      const rows = lists[r]!;
      pages[r] = isFailure(rows) ? rows : rowTargetPage(rows, plan.first, plan.endCursor);
    }
  } else {
    const lists = await readEdgeLists(store, edge, plan);
    for (let r = 0; r < plan.requests.length; r++) {
      const list = lists[r]!;
      pages[r] = isFailure(list) ? list : targetPage(list, plan.first, plan.endCursor);
    }
  }
  return spread(pages, plan.requestOf);
}

/** The planned pages' rows of `edge`, re-checked against their child objects when the plan verifies a derived edge. */
function readEdgeLists(store: Store, edge: KvetchEdgeDef, plan: PagePlan): Promise<Lists> {
  const kind = edgeListKind(store.shardMap, edge);
  return plan.verify && edge.derived
    ? readVerified(store, kind, plan, (r, item, target) => derivedTargetHolds(edge, plan.requests[r]!.key, item.id, target))
    : readListPages(store, kind, plan.requests);
}

/**
 * queryIndexPages: a page of `index` entries per value key in input order; positions flagged in `empty`
 * (null values) have no entries by definition and cost no I/O.
 */
export async function queryIndexPages(
  store: Store,
  index: KvetchIndexDef,
  keys: readonly string[],
  empty: Uint8Array,
  options: KvetchPageOptions | undefined,
): Promise<OrFailure<KvetchPage<KvetchIndexEntry>>[]> {
  const plan = planPages("queryIndex", keys, options);
  const live: number[] = [];
  const isEmpty = new Uint8Array(plan.requests.length);
  for (let i = 0; i < keys.length; i++) if (empty[i]) isEmpty[plan.requestOf[i]!] = 1;
  for (let r = 0; r < plan.requests.length; r++) if (!isEmpty[r]) live.push(r);
  const livePlan: PagePlan = { ...plan, requests: pick(plan.requests, live) };
  const liveValues = livePlan.requests.map((request) => JSON.parse(request.key) as unknown); // once per value, not per entry
  const kind = indexListKind(store.shardMap, index);
  const liveLists =
    live.length === 0
      ? []
      : plan.verify
        ? await readVerified(store, kind, livePlan, (r, item, target) => indexEntryHolds(index, liveValues[r], target))
        : await readListPages(store, kind, livePlan.requests);
  const lists: Lists = new Array<ListItem[]>(plan.requests.length).fill([]);
  for (let l = 0; l < live.length; l++) lists[live[l]!] = liveLists[l]!;
  const pages = new Array<OrFailure<KvetchPage<KvetchIndexEntry>>>(plan.requests.length);
  for (let r = 0; r < plan.requests.length; r++) {
    const list = lists[r]!;
    pages[r] = isFailure(list) ? list : indexPage(list, plan.first, plan.cursors, plan.endCursor);
  }
  return spread(pages, plan.requestOf);
}

/** readEdgeCounts: stored edge counts per parent (canonical ids, repeats allowed), through the cache's count field. */
export async function readEdgeCounts(store: Store, edge: KvetchEdgeDef, parents: readonly string[]): Promise<OrFailure<number>[]> {
  const { keys: fromIds, slotOf } = distinctKeys(parents);
  const out = new Array<OrFailure<number>>(fromIds.length).fill(0);
  let missing: number[] | null = null;
  let gens: (string | null)[] | null = null;
  const tags = new Array<string>(fromIds.length);
  for (let i = 0; i < fromIds.length; i++) tags[i] = edgeListTag(edge.edgeId, fromIds[i]!);
  if (store.cache !== null) {
    const cached = await store.cache.readCache(tags, "n");
    if (cached !== null) {
      gens = cached.gens;
      missing = [];
      for (let i = 0; i < fromIds.length; i++) {
        const text = cached.values[i];
        if (text === null || text === undefined) missing.push(i);
        else out[i] = Number(text);
      }
    }
  }
  const wanted = missing ?? Array.from(fromIds.keys());
  if (wanted.length > 0) {
    const shardOf = new Int32Array(wanted.length);
    for (let w = 0; w < wanted.length; w++) shardOf[w] = shardOfEdge(store.shardMap, fromIds[wanted[w]!]!);
    await eachShardChunk(
      groupByShard(store.shards.length, shardOf),
      async ({ shard, positions }) => {
        const chunk = new Array<string>(positions.length);
        for (let p = 0; p < positions.length; p++) chunk[p] = fromIds[wanted[positions[p]!]!]!;
        const counts = await store.shards[shard]!.readEdgeCounts(edge.edgeId, chunk);
        for (let p = 0; p < positions.length; p++) out[wanted[positions[p]!]!] = counts[p]!;
      },
      ({ positions }, error) => {
        for (let p = 0; p < positions.length; p++) out[wanted[positions[p]!]!] = error;
      },
      store,
    );
    if (gens !== null) {
      const fillTags: string[] = [];
      const fillGens: string[] = [];
      const fillValues: string[] = [];
      for (const i of wanted) {
        if (gens[i] === null || isFailure(out[i])) continue;
        fillTags.push(tags[i]!);
        fillGens.push(gens[i]!);
        fillValues.push(String(out[i]));
      }
      await writeBack(store, fillTags, fillGens, "n", fillValues);
    }
  }
  return spread(out, slotOf);
}
