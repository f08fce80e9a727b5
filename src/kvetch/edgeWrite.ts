// Writes of stored edges (insertEdges, deleteEdges): the caller's items checked and placed, one write per shard
// chunk, per item true or its chunk's shard failure, and every list touched invalidated — a failed chunk's
// too, since a timed-out write may have committed. Derived edges never come here (kvetch.ts refuses them).

import type { EdgeKey, EdgeRow } from "./backend.js";
import { nextSeq } from "./cursor.js";
import { encodeData } from "./data.js";
import { derivedTags, emptyChanges, invalidate } from "./derivedWrite.js";
import { distinctKeys, spread } from "./distinct.js";
import { KvetchError } from "./errors.js";
import { checkId } from "./id.js";
import type { KvetchData } from "./model.js";
import { shardOfEdge } from "./shard.js";
import { eachShardChunk, groupByShard, orThrow, pick } from "./store.js";
import type { OrFailure, Store } from "./store.js";

/** What an edge write did: how many edges it added or removed, and per item true or its shard's failure. */
export interface EdgesWritten {
  count: number;
  results: OrFailure<true>[];
}

/** `call`'s items as edge rows of `edgeId`, each id checked (`insertEdges items[3] toId`), seqs in item order. */
export function edgeRows(edgeId: number, call: string, items: readonly { fromId: string; toId: string; data?: KvetchData }[]): EdgeRow[] {
  if (!Array.isArray(items)) throw new KvetchError("BAD_ARGUMENT", `${call} needs an array of { fromId, toId, data? }`);
  const rows = new Array<EdgeRow>(items.length);
  const now = Date.now();
  for (let i = 0; i < items.length; i++) {
    const where = call === "insertEdge" ? call : `${call} items[${i}]`;
    const item = items[i]!;
    rows[i] = {
      edgeId,
      fromId: checkId(item?.fromId, `${where} fromId`),
      toId: checkId(item?.toId, `${where} toId`),
      seq: 0,
      created: now,
      body: encodeData(item.data ?? {}, `${where} data`),
    };
  }
  for (const row of rows) row.seq = nextSeq();
  return rows;
}

/**
 * insertEdges: stored edges (upserts: an existing edge keeps its position and takes the new data), one write
 * per shard chunk. How many were new, and per row true or its chunk's shard failure (rows on other shards are
 * written).
 */
export async function insertEdges(store: Store, rows: EdgeRow[]): Promise<EdgesWritten> {
  const changes = emptyChanges();
  changes.addEdges = rows;
  return writeEdgeChunks(store, rows, changes, (shard, part) => store.shards[shard]!.writeEdges(part, true));
}

/**
 * deleteEdges: `call`'s items as keys of `edgeId`, each id checked; a pair given twice is deleted once and
 * both its items get that delete's result. How many existed, and per item true or its shard's failure (the
 * keys on other shards are deleted).
 */
export async function deleteEdges(store: Store, edgeId: number, call: string, items: readonly { fromId: string; toId: string }[]): Promise<EdgesWritten> {
  if (!Array.isArray(items)) throw new KvetchError("BAD_ARGUMENT", `${call} needs an array of { fromId, toId }`);
  const keys = new Array<EdgeKey>(items.length);
  const pairs = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) {
    const where = call === "deleteEdge" ? call : `${call} items[${i}]`;
    const fromId = checkId(items[i]?.fromId, `${where} fromId`);
    const toId = checkId(items[i]?.toId, `${where} toId`);
    keys[i] = { edgeId, fromId, toId };
    pairs[i] = `${fromId}/${toId}`;
  }
  const distinct = distinctKeys(pairs);
  if (distinct.keys.length === 0) return { count: 0, results: [] };
  const unique = new Array<EdgeKey>(distinct.keys.length);
  for (let k = 0; k < unique.length; k++) unique[k] = keys[distinct.firstOf[k]!]!;
  const changes = emptyChanges();
  changes.removeEdges = unique;
  const written = await writeEdgeChunks(store, unique, changes, (shard, part) => store.shards[shard]!.removeEdges(part));
  return { count: written.count, results: spread(written.results, distinct.slotOf) };
}

/** What an edge write did, as its count; the first failed chunk's error is thrown instead. */
export function countOrThrow(written: EdgesWritten): number {
  orThrow(written.results);
  return written.count;
}

/** One `write` per shard chunk of `items` (placed by their fromId), then the lists `changes` touch invalidated. */
async function writeEdgeChunks<T extends { fromId: string; body?: string }>(
  store: Store,
  items: readonly T[],
  changes: ReturnType<typeof emptyChanges>,
  write: (shard: number, part: T[]) => Promise<number>,
): Promise<EdgesWritten> {
  const results = new Array<OrFailure<true>>(items.length).fill(true);
  const shardOf = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) shardOf[i] = shardOfEdge(store.shardMap, items[i]!.fromId);
  let count = 0;
  const tags = new Set<string>();
  derivedTags(changes, tags);
  try {
    await eachShardChunk(
      groupByShard(store.shards.length, shardOf, (p) => items[p]!.body?.length ?? 0),
      async ({ shard, positions }) => {
        const n = await write(shard, pick(items, positions));
        count += n; // after the await: `count += await …` would lose the chunks that finished meanwhile
      },
      ({ positions }, error) => {
        for (const p of positions) results[p] = error;
      },
      store,
    );
  } finally {
    await invalidate(store, tags);
  }
  return { count, results };
}
