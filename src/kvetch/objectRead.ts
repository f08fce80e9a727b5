// Object reads: a batch of ids → objects in input order, cache first (one round trip per cache node), misses
// grouped by shard (one query per chunk: shards concurrently, a bounded number of chunks at once per shard)
// and written back. Ids are made distinct here, once. Never issues a query per id; never hands out a row
// object it keeps.

import type { ObjectRow } from "./backend.js";
import { objectTag } from "./cache.js";
import { decodedMemoCounts, isFlatData } from "./decodedMemo.js";
import { spread, type DistinctKeys } from "./distinct.js";
import { decodeObject } from "./model.js";
import type { KvetchObject } from "./model.js";
import { shardOfId } from "./shard.js";
import { eachShardChunk, groupByShard, isFailure, pick, writeBack } from "./store.js";
import type { OrFailure, Store } from "./store.js";

// Cached object: "typeId,version,created,updated,<body JSON>"; a cached miss (no such object): "-".
function encodeCachedObject(row: ObjectRow): string {
  return `${row.typeId},${row.version},${row.created},${row.updated},${row.body}`;
}

/**
 * A cached object's text as a fresh object: from the store's DecodedMemo when the text was decoded before
 * (a copy: its own object and data bag), else decoded and, when its data is flat, kept.
 */
function decodeCachedObject(store: Store, id: string, text: string): KvetchObject | null {
  if (text === "-") return null;
  const memo = store.decoded;
  const kept = memo === null ? undefined : memo.objects.get(id, text);
  if (kept !== undefined) {
    decodedMemoCounts.hits++;
    return { id, type: kept.type, typeId: kept.typeId, data: { ...kept.data }, version: kept.version, created: kept.created, updated: kept.updated };
  }
  decodedMemoCounts.decoded++;
  const c1 = text.indexOf(",");
  const c2 = text.indexOf(",", c1 + 1);
  const c3 = text.indexOf(",", c2 + 1);
  const c4 = text.indexOf(",", c3 + 1);
  const object = decodeObject(
    store.schema,
    {
      id,
      typeId: cachedNumber(text, 0, c1),
      version: cachedNumber(text, c1 + 1, c2),
      created: cachedNumber(text, c2 + 1, c3),
      updated: cachedNumber(text, c3 + 1, c4),
      body: text.slice(c4 + 1),
    },
    "the cache",
  );
  if (memo !== null && isFlatData(object.data)) memo.objects.set(id, text, { ...object, data: { ...object.data } });
  return object;
}

/** The number written at text[from..to): decimal digits read in place (no substring); anything else through Number. */
function cachedNumber(text: string, from: number, to: number): number {
  if (to - from > 15 || to <= from) return Number(text.slice(from, to));
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number(text.slice(from, to));
    value = value * 10 + digit;
  }
  return value;
}

/**
 * readObjectRows: canonical rows of distinct ids straight from the shards (no cache), aligned, null for
 * misses; the ids of a shard that failed get its error (a partial result).
 */
export async function readObjectRows(store: Store, ids: readonly string[]): Promise<OrFailure<ObjectRow | null>[]> {
  const out = new Array<OrFailure<ObjectRow | null>>(ids.length).fill(null);
  const shardOf = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) shardOf[i] = shardOfId(store.shardMap, ids[i]!);
  await eachShardChunk(
    groupByShard(store.shards.length, shardOf),
    ({ shard, positions }) => {
      const asked = pick(ids, positions);
      return store.shards[shard]!.readObjects(asked).then((rows) => placeRows(rows, asked, positions, out));
    },
    ({ positions }, error) => {
      for (let p = 0; p < positions.length; p++) out[positions[p]!] = error;
    },
    store,
  );
  return out;
}

/**
 * Puts a shard's rows (found ids only) at their positions. Shards usually answer in the order asked (the
 * memory backend always does), so a forward scan places them without a map; any other order takes one.
 */
function placeRows(rows: readonly ObjectRow[], asked: readonly string[], positions: readonly number[], out: OrFailure<ObjectRow | null>[]): void {
  let at = 0;
  for (let r = 0; r < rows.length; r++) {
    const id = rows[r]!.id;
    while (at < asked.length && asked[at] !== id) at++;
    if (at === asked.length) {
      const position = new Map<string, number>();
      for (let a = 0; a < asked.length; a++) position.set(asked[a]!, positions[a]!);
      for (let q = 0; q < rows.length; q++) out[position.get(rows[q]!.id)!] = rows[q]!;
      return;
    }
    out[positions[at++]!] = rows[r]!;
  }
}

function decodeRows(store: Store, rows: readonly OrFailure<ObjectRow | null>[]): OrFailure<KvetchObject | null>[] {
  const out = new Array<OrFailure<KvetchObject | null>>(rows.length);
  const label = (row: ObjectRow): string => `shard ${shardOfId(store.shardMap, row.id)}`;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    out[i] = row === null || isFailure(row) ? row : decodeObject(store.schema, row, label);
  }
  return out;
}

/** readObjects: distinct canonical ids → objects (null for misses), through the cache when there is one; failures for failed shards. */
export async function readObjects(store: Store, ids: readonly string[]): Promise<OrFailure<KvetchObject | null>[]> {
  const cache = store.cache;
  const cached = cache === null || ids.length === 0 ? null : await cache.readCache(ids.map(objectTag), "v");
  if (cached === null) return decodeRows(store, await readObjectRows(store, ids));
  const out = new Array<OrFailure<KvetchObject | null>>(ids.length).fill(null);
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
    const row = rows[m]!;
    if (gen === null || gen === undefined || isFailure(row)) continue;
    fillTags.push(objectTag(ids[i]!));
    fillGens.push(gen);
    fillValues.push(row === null ? "-" : encodeCachedObject(row));
  }
  await writeBack(store, fillTags, fillGens, "v", fillValues);
  return out;
}

/**
 * getObjects: a batch's distinct canonical ids (distinctCheckedIds, or distinctKeys of canonical ids) → objects
 * in the batch's input order; each distinct id is read once.
 */
export async function getObjects(store: Store, distinct: DistinctKeys): Promise<OrFailure<KvetchObject | null>[]> {
  return spread(await readObjects(store, distinct.keys), distinct.slotOf);
}
