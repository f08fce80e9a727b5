// Reads: objects, edge lists, index entry lists and edge counts for a whole batch — de-duplicated by the
// caller, cache first (one round trip per cache node), misses grouped by shard (one query per shard per
// chunk, all shards concurrently), results aligned with the input. Never issues a query per entry.

import type { EdgeRange, IndexRange, ObjectRow, ShardStore } from "./backend.js";
import { indexValueHash } from "./backend.js";
import type { CacheField } from "./cache.js";
import { comparePosition } from "./cursor.js";
import type { Position } from "./cursor.js";
import { decodeObject } from "./model.js";
import type { KvetchData, KvetchObject, ListItem } from "./model.js";
import type { KvetchEdgeDef, KvetchIndexDef } from "./schema.js";
import { shardOfEdge, shardOfId, shardOfIndexEntry } from "./shard.js";
import { groupByShard, pick } from "./store.js";
import type { Store } from "./store.js";

/** Cache tags: one per object, per (edge, parent) list and per (index, value) list. */
export function objectTag(id: string): string {
  return `o:${id}`;
}
export function edgeListTag(edgeId: number, fromId: string): string {
  return `e:${edgeId}:${fromId}`;
}
export function indexListTag(indexId: number, valueHash: string): string {
  return `i:${indexId}:${valueHash}`;
}

// Cached object: "typeId,version,created,updated,<body JSON>"; a cached miss (no such object): "-".
function encodeCachedObject(object: { typeId: number; version: number; created: number; updated: number }, body: string): string {
  return `${object.typeId},${object.version},${object.created},${object.updated},${body}`;
}

function decodeCachedObject(store: Store, id: string, text: string): KvetchObject | null {
  if (text === "-") return null;
  let at = 0;
  const fields = new Array<number>(4);
  for (let f = 0; f < 4; f++) {
    const comma = text.indexOf(",", at);
    fields[f] = Number(text.slice(at, comma));
    at = comma + 1;
  }
  return decodeObject(
    store.schema,
    { id, typeId: fields[0]!, version: fields[1]!, created: fields[2]!, updated: fields[3]!, body: text.slice(at) },
    "the cache",
  );
}

/** readObjectRows: canonical rows straight from the shards (no cache), aligned with `ids`, null for misses. */
export async function readObjectRows(store: Store, ids: readonly string[]): Promise<(ObjectRow | null)[]> {
  const out = new Array<ObjectRow | null>(ids.length).fill(null);
  const shardOf = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) shardOf[i] = shardOfId(store.shardMap, ids[i]!);
  const position = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) position.set(ids[i]!, i);
  await Promise.all(
    groupByShard(store.shards.length, shardOf).map(async ({ shard, positions }) => {
      const rows = await store.shards[shard]!.readObjects(pick(ids, positions));
      for (let r = 0; r < rows.length; r++) out[position.get(rows[r]!.id)!] = rows[r]!;
    }),
  );
  return out;
}

function decodeRows(store: Store, rows: readonly (ObjectRow | null)[]): (KvetchObject | null)[] {
  const out = new Array<KvetchObject | null>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    out[i] = row === null ? null : decodeObject(store.schema, row, store.shards[shardOfId(store.shardMap, row.id)]!.label);
  }
  return out;
}

/** readObjects: distinct canonical ids → objects (null for misses), through the cache when there is one. */
export async function readObjects(store: Store, ids: readonly string[]): Promise<(KvetchObject | null)[]> {
  const cache = store.cache;
  const cached = cache === null || ids.length === 0 ? null : await cache.readCache(ids.map(objectTag), "v");
  if (cached === null) return decodeRows(store, await readObjectRows(store, ids));
  const out = new Array<KvetchObject | null>(ids.length).fill(null);
  const missing: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const text = cached.values[i];
    if (text === null || text === undefined) missing.push(i);
    else out[i] = decodeCachedObject(store, ids[i]!, text);
  }
  if (missing.length === 0) return out;
  const rows = await readObjectRows(store, pick(ids, missing));
  const found = decodeRows(store, rows);
  const fillTags: string[] = [];
  const fillGens: string[] = [];
  const fillValues: string[] = [];
  for (let m = 0; m < missing.length; m++) {
    const i = missing[m]!;
    out[i] = found[m]!;
    const gen = cached.gens[i];
    if (gen === null || gen === undefined) continue;
    const row = rows[m]!;
    fillTags.push(objectTag(ids[i]!));
    fillGens.push(gen);
    fillValues.push(row === null ? "-" : encodeCachedObject(row, row.body));
  }
  await writeBack(store, fillTags, fillGens, "v", fillValues);
  return out;
}

/** writeBack: hands values read from the shards to fillCache (after the test hook that races it). */
async function writeBack(store: Store, tags: string[], gens: string[], field: CacheField, values: string[]): Promise<void> {
  if (tags.length === 0 || store.cache === null) return;
  await store.hooks.beforeCacheFill?.({ tags });
  await store.cache.fillCache(tags, gens, field, values);
}

/** One page request against an ordered list: the list's key, where to start, how many rows (null: all). */
export interface ListRequest {
  key: string;
  after: Position | null;
  limit: number | null;
}

/** An edge list (key: fromId) or an index entry list (key: canonical value), as readListPages sees it. */
interface ListKind {
  tag(key: string): string;
  shardOf(key: string): number;
  readRanges(shard: ShardStore, requests: readonly ListRequest[]): Promise<ListItem[][]>;
}

export function edgeListKind(store: Store, edge: KvetchEdgeDef): ListKind {
  return {
    tag: (fromId) => edgeListTag(edge.edgeId, fromId),
    shardOf: (fromId) => shardOfEdge(store.shardMap, fromId),
    async readRanges(shard, requests) {
      const ranges = new Array<EdgeRange>(requests.length);
      for (let i = 0; i < requests.length; i++) {
        ranges[i] = { fromId: requests[i]!.key, after: requests[i]!.after, limit: requests[i]!.limit };
      }
      const lists = await shard.readEdgeRanges(edge.edgeId, ranges);
      const out = new Array<ListItem[]>(lists.length);
      for (let l = 0; l < lists.length; l++) {
        const rows = lists[l]!;
        const items = new Array<ListItem>(rows.length);
        for (let r = 0; r < rows.length; r++) {
          const row = rows[r]!;
          items[r] = { id: row.toId, seq: row.seq, created: row.created, data: JSON.parse(row.body) as KvetchData };
        }
        out[l] = items;
      }
      return out;
    },
  };
}

export function indexListKind(store: Store, index: KvetchIndexDef): ListKind {
  const hashes = new Map<string, string>();
  const hashOf = (valueKey: string): string => {
    let hash = hashes.get(valueKey);
    if (hash === undefined) {
      hash = indexValueHash(valueKey);
      hashes.set(valueKey, hash);
    }
    return hash;
  };
  return {
    tag: (valueKey) => indexListTag(index.indexId, hashOf(valueKey)),
    shardOf: (valueKey) => shardOfIndexEntry(store.shardMap, index.indexId, valueKey),
    async readRanges(shard, requests) {
      const ranges = new Array<IndexRange>(requests.length);
      for (let i = 0; i < requests.length; i++) {
        const { key, after, limit } = requests[i]!;
        ranges[i] = { valueKey: key, valueHash: hashOf(key), after, limit };
      }
      const lists = await shard.readIndexRanges(index.indexId, ranges);
      const out = new Array<ListItem[]>(lists.length);
      for (let l = 0; l < lists.length; l++) {
        const rows = lists[l]!;
        const items = new Array<ListItem>(rows.length);
        for (let r = 0; r < rows.length; r++) {
          items[r] = { id: rows[r]!.targetId, seq: rows[r]!.seq, created: rows[r]!.created, data: null };
        }
        out[l] = items;
      }
      return out;
    },
  };
}

/** queryRanges: requests grouped by the shard of their list, one query per shard per chunk, concurrently. */
async function queryRanges(store: Store, kind: ListKind, requests: readonly ListRequest[]): Promise<ListItem[][]> {
  const out = new Array<ListItem[]>(requests.length);
  const shardOf = new Int32Array(requests.length);
  for (let i = 0; i < requests.length; i++) shardOf[i] = kind.shardOf(requests[i]!.key);
  await Promise.all(
    groupByShard(store.shards.length, shardOf).map(async ({ shard, positions }) => {
      const lists = await kind.readRanges(store.shards[shard]!, pick(requests, positions));
      for (let p = 0; p < positions.length; p++) out[positions[p]!] = lists[p]!;
    }),
  );
  return out;
}

/** A cached list: its first rows (at most listCap) and whether that is the whole list. */
interface CachedList {
  items: ListItem[];
  complete: boolean;
}

// Cached list text: {"c":0|1,"r":[[id,seq,created,data],...]} (data null for index entries).
function encodeCachedList(items: readonly ListItem[], complete: boolean): string {
  const rows = new Array<unknown[]>(items.length);
  for (let i = 0; i < items.length; i++) rows[i] = [items[i]!.id, items[i]!.seq, items[i]!.created, items[i]!.data];
  return JSON.stringify({ c: complete ? 1 : 0, r: rows });
}

function decodeCachedList(text: string): CachedList {
  const parsed = JSON.parse(text) as { c: number; r: [string, number, number, KvetchData | null][] };
  const items = new Array<ListItem>(parsed.r.length);
  for (let i = 0; i < parsed.r.length; i++) {
    const [id, seq, created, data] = parsed.r[i]!;
    items[i] = { id, seq, created, data };
  }
  return { items, complete: parsed.c === 1 };
}

/** slicePage: the requested page from a cached list, or null when it runs past the cached prefix. */
function slicePage(list: CachedList, after: Position | null, limit: number | null): ListItem[] | null {
  let start = 0;
  if (after !== null) {
    let high = list.items.length;
    while (start < high) {
      const mid = (start + high) >>> 1;
      const item = list.items[mid]!;
      if (comparePosition(item.seq, item.id, after.seq, after.id) <= 0) start = mid + 1;
      else high = mid;
    }
  }
  if (limit !== null && start + limit <= list.items.length) return list.items.slice(start, start + limit);
  return list.complete ? list.items.slice(start) : null;
}

/**
 * readListPages: one page per request. With a cache: one cache read for the distinct lists; a miss whose
 * generation is known is read from its shard as the list's first listCap+1 rows, written back, and paged in
 * memory; pages running past a cached prefix (lists longer than listCap) are read from the shards.
 */
export async function readListPages(store: Store, kind: ListKind, requests: readonly ListRequest[]): Promise<ListItem[][]> {
  const cache = store.cache;
  if (cache === null || requests.length === 0) return queryRanges(store, kind, requests);
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  const keyOf = new Int32Array(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const key = requests[i]!.key;
    let k = keyIndex.get(key);
    if (k === undefined) {
      k = keys.length;
      keys.push(key);
      keyIndex.set(key, k);
    }
    keyOf[i] = k;
  }
  const tags = new Array<string>(keys.length);
  for (let k = 0; k < keys.length; k++) tags[k] = kind.tag(keys[k]!);
  const cached = await cache.readCache(tags, "v");
  if (cached === null) return queryRanges(store, kind, requests);

  const lists = new Array<CachedList | null>(keys.length).fill(null);
  const fillKeys: number[] = [];
  for (let k = 0; k < keys.length; k++) {
    const text = cached.values[k];
    if (text !== null && text !== undefined) lists[k] = decodeCachedList(text);
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
  const out = new Array<ListItem[]>(requests.length);
  if (round1.length > 0) {
    const results = await queryRanges(store, kind, round1);
    const fillTags: string[] = [];
    const fillGens: string[] = [];
    const fillValues: string[] = [];
    for (let f = 0; f < fillKeys.length; f++) {
      const items = results[f]!;
      const complete = items.length <= cache.listCap;
      if (!complete) items.length = cache.listCap;
      lists[fillKeys[f]!] = { items, complete };
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
    const page = slicePage(lists[keyOf[i]!]!, requests[i]!.after, requests[i]!.limit);
    if (page === null) round2.push(i);
    else out[i] = page;
  }
  if (round2.length > 0) {
    const results = await queryRanges(store, kind, pick(requests, round2));
    for (let r = 0; r < round2.length; r++) out[round2[r]!] = results[r]!;
  }
  return out;
}

/** readEdgeCounts: distinct parents → stored edge counts, through the cache's count field. */
export async function readEdgeCounts(store: Store, edge: KvetchEdgeDef, fromIds: readonly string[]): Promise<number[]> {
  const out = new Array<number>(fromIds.length).fill(0);
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
  if (wanted.length === 0) return out;
  const shardOf = new Int32Array(wanted.length);
  for (let w = 0; w < wanted.length; w++) shardOf[w] = shardOfEdge(store.shardMap, fromIds[wanted[w]!]!);
  await Promise.all(
    groupByShard(store.shards.length, shardOf).map(async ({ shard, positions }) => {
      const parents = new Array<string>(positions.length);
      for (let p = 0; p < positions.length; p++) parents[p] = fromIds[wanted[positions[p]!]!]!;
      const counts = await store.shards[shard]!.readEdgeCounts(edge.edgeId, parents);
      for (let p = 0; p < positions.length; p++) out[wanted[positions[p]!]!] = counts[p]!;
    }),
  );
  if (gens !== null) {
    const fillTags: string[] = [];
    const fillGens: string[] = [];
    const fillValues: string[] = [];
    for (const i of wanted) {
      if (gens[i] === null) continue;
      fillTags.push(tags[i]!);
      fillGens.push(gens[i]!);
      fillValues.push(String(out[i]));
    }
    await writeBack(store, fillTags, fillGens, "n", fillValues);
  }
  return out;
}
