// Canonical row writes of the batch writes (write.ts): the chunk runner that never loses the derived rows of
// chunks that committed when another chunk throws, and the inserts of a create, which resolve an id another
// create with the same idempotency key inserted first (spec/kvetch-storage.md §6.4, §6.5).

import type { ObjectRow } from "./backend.js";
import { KvetchError, shardFailureOf } from "./errors.js";
import { eachShardChunk, groupByShard, pick } from "./store.js";
import type { ShardChunk, Store } from "./store.js";

/** An error a canonical chunk threw that is not a shard failure, held until the write has finished. */
export interface HeldError {
  error: unknown;
}

/**
 * canonicalChunks: eachShardChunk for a write's canonical rows. A chunk that throws something other than a
 * shard failure stops the chunks not started yet, and its error is returned instead of thrown: the chunks
 * that committed meanwhile still get their derived rows, invalidation and repair-queue rows before the
 * write throws it (HeldError).
 */
export async function canonicalChunks(
  chunks: readonly ShardChunk[],
  run: (chunk: ShardChunk) => Promise<void>,
  failed: (chunk: ShardChunk, error: KvetchError) => void,
  store: Store,
): Promise<HeldError | null> {
  try {
    await eachShardChunk(chunks, run, failed, store);
    return null;
  } catch (error) {
    return { error };
  }
}

/** What insertNew did: rows it committed, rows it found already stored under keyed ids, per-id failures. */
export interface Inserted {
  committed: Map<string, ObjectRow>;
  found: Map<string, ObjectRow>;
  failed: Map<string, KvetchError>;
  held: HeldError | null;
}

/** A refusal because an id is already stored (the backend inserted nothing of the call). */
function isTaken(error: unknown): error is KvetchError {
  return error instanceof KvetchError && error.code === "CONFLICT" && shardFailureOf(error) === null;
}

/**
 * insertNew: a create's canonical rows, one insert per shard chunk. An insert refused because an id is
 * taken (CONFLICT: backends insert nothing of such a call) whose chunk holds keyed ids reads those ids back:
 * one stored now was inserted by a concurrent create with the same key, and is that item's object (`found`,
 * as a replay's, §6.5); the chunk's other rows are inserted again. A refusal no keyed id explains fails the
 * chunk's entries. Each round takes at least one row out, so a chunk ends within its keyed ids' count.
 */
export async function insertNew(store: Store, rows: readonly ObjectRow[], shardOf: Int32Array, keyed: ReadonlySet<string>): Promise<Inserted> {
  const done: Inserted = { committed: new Map(), found: new Map(), failed: new Map(), held: null };
  done.held = await canonicalChunks(
    groupByShard(store.shards.length, shardOf, (p) => rows[p]!.body.length),
    async ({ shard, positions }) => {
      const shardStore = store.shards[shard]!;
      let pending = pick(rows, positions);
      while (pending.length > 0) {
        try {
          await shardStore.insertObjects(pending);
          for (const row of pending) done.committed.set(row.id, row);
          return;
        } catch (error) {
          if (!isTaken(error)) throw error;
          const asked = pending.filter((row) => keyed.has(row.id)).map((row) => row.id);
          const stored = asked.length === 0 ? [] : await shardStore.readObjects(asked);
          if (stored.length === 0) {
            for (const row of pending) done.failed.set(row.id, error);
            return;
          }
          for (const row of stored) done.found.set(row.id, row);
          pending = pending.filter((row) => !done.found.has(row.id));
        }
      }
    },
    ({ positions }, error) => {
      for (const p of positions) done.failed.set(rows[p]!.id, error);
    },
    store,
  );
  return done;
}
