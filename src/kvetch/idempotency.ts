// Idempotent creates (spec/kvetch-storage.md §6.5): a create with an idempotency key first reserves its new id
// under the key (on the key's shard, insert-if-absent); a retry with the same key finds the id the first
// attempt reserved and gets that object instead of a second one. Never reserves an id without a key.

import { idempotencyKeyHash } from "./backend.js";
import type { IdempotencyKeyRow } from "./backend.js";
import { KvetchError } from "./errors.js";
import { shardOfIdempotencyKey } from "./shard.js";
import { eachShardChunk, groupByShard, pick } from "./store.js";
import type { OrFailure, Store } from "./store.js";

/** What reserveIds needs of an item to create. */
interface KeyedItem {
  readonly type: { readonly typeId: number };
  readonly idempotencyKey?: string;
}

/**
 * reserveIds: the id each item is created with — its fresh id, or for a keyed item the id its key holds
 * (reserved now when the key is new). Items with the same key in one batch share one id. A key whose shard
 * failed gives that failure (nothing is created for the item). Keys go in chunks through eachShardChunk: at
 * most chunksAtOnce (a MySQL shard's pool size) at once per shard.
 */
export async function reserveIds(store: Store, items: readonly KeyedItem[], fresh: readonly string[], now: number): Promise<OrFailure<string>[]> {
  const out: OrFailure<string>[] = fresh.slice();
  const rows: IdempotencyKeyRow[] = [];
  const positionsOf = new Map<string, number[]>();
  for (let i = 0; i < items.length; i++) {
    const key = items[i]!.idempotencyKey;
    if (key === undefined) continue;
    const keyHash = idempotencyKeyHash(items[i]!.type.typeId, key);
    const positions = positionsOf.get(keyHash);
    if (positions) positions.push(i);
    else {
      positionsOf.set(keyHash, [i]);
      rows.push({ keyHash, id: fresh[i]!, created: now });
    }
  }
  const shardOf = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) shardOf[r] = shardOfIdempotencyKey(store.shardMap, rows[r]!.keyHash);
  const chunks = groupByShard(store.shards.length, shardOf);
  for (const { shard } of chunks) {
    if (!store.shards[shard]!.reserveKeys) {
      throw new KvetchError("BAD_CONFIG", `createObject: this backend does not store idempotency keys (its shards have no reserveKeys); create without idempotencyKey`);
    }
  }
  await eachShardChunk(
    chunks,
    async ({ shard, positions }) => {
      const chunk = pick(rows, positions);
      const held = await store.shards[shard]!.reserveKeys!(chunk);
      for (let c = 0; c < chunk.length; c++) for (const i of positionsOf.get(chunk[c]!.keyHash)!) out[i] = held[c]!;
    },
    ({ positions }, error) => {
      for (const p of positions) for (const i of positionsOf.get(rows[p]!.keyHash)!) out[i] = error;
    },
    store,
  );
  return out;
}
