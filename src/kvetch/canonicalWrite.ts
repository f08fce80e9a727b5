// Canonical row writes of the batch writes (write.ts): the chunk runner that never loses the derived rows of
// chunks that committed when another chunk throws, the inserts of a create, which resolve an id another
// create with the same idempotency key inserted first, and the settling of writes whose outcome the client
// could not see (a timeout, a lost connection): re-read by id (spec/kvetch-storage.md §6.4, §6.5).
// Never reports a row as not stored without having read that it is not; never guesses "stored".

import type { ObjectRow } from "./backend.js";
import { KvetchError, markInternal, shardFailureOf } from "./errors.js";
import type { ShardGuard } from "./shardGuard.js";
import { eachShardChunk, groupByShard, pick } from "./store.js";
import type { ShardChunk, Store } from "./store.js";

/** What a write's entry that failed left stored: nothing (read back), or unknown (the shard did not answer). */
export type WriteOutcome = "not stored" | "unknown";

/** The outcome a failed write entry's error reports (null: not a write entry's shard failure). */
export function writeOutcomeOf(error: unknown): WriteOutcome | null {
  return error instanceof KvetchError ? ((error as { writeOutcome?: WriteOutcome }).writeOutcome ?? null) : null;
}

/**
 * outcomeError: a write entry's shard failure saying what it left: `… ; <id> was not stored` (read back), or
 * `… ; whether <id> was stored is unknown …` (the re-read failed too: only while the shard is down). Same code
 * and shard failure reason as the failure, internal like it; the failure is its cause.
 */
export function outcomeError(failure: KvetchError, outcome: WriteOutcome, id: string, what: string): KvetchError {
  const reason = shardFailureOf(failure);
  const tail =
    reason === "overloaded"
      ? `${what} of ${id} was not sent, so not stored`
      : outcome === "not stored"
        ? `${what} of ${id} was not stored (read back after the failure); retry it`
        : `whether ${what} of ${id} was stored is unknown: the shard did not answer a re-read either; read ${id} once the shard is back`;
  const error = new KvetchError(failure.code, `${failure.message.replace(/^Kvetch: /, "")}; ${tail}`, { cause: failure });
  Object.assign(error, { shardFailure: reason, writeOutcome: outcome });
  // OVERLOADED is for the client (retry later, with its code and Retry-After); every other shard failure stays masked.
  if (reason === "overloaded") return Object.assign(error, { extensions: { code: "OVERLOADED" }, retryAfterSeconds: (failure as { retryAfterSeconds?: number }).retryAfterSeconds });
  return markInternal(error);
}

/**
 * Whether a canonical write that failed with `error` may have committed anyway: the client gave up
 * (timeout) or lost the connection while the statement ran; for statements that commit one by one
 * (compare-and-set batches), also a server error part-way (`failed`: the earlier statements stay committed).
 * A call that never reached the server (no connection, open breaker, overloaded) wrote nothing.
 */
function mayHaveCommitted(error: unknown, oneByOne: boolean): boolean {
  const reason = shardFailureOf(error);
  return reason === "timeout" || reason === "connection lost" || (oneByOne && reason === "failed");
}

/**
 * settleWrite: after a canonical chunk failed with `error`, reads its ids back on the shard (one round trip)
 * and gives each position `stored(row)` of what it found (null: absent) — or, when the read fails too, the
 * "unknown" outcome. Without a failure that may have committed, every position is "not stored" unread.
 */
async function settleWrite<T>(
  shard: ShardGuard,
  ids: readonly string[],
  error: unknown,
  oneByOne: boolean,
  what: string,
  stored: (at: number, row: ObjectRow | null) => boolean,
  ok: T,
): Promise<(T | KvetchError)[]> {
  if (!(error instanceof KvetchError) || shardFailureOf(error) === null) throw error;
  const out = new Array<T | KvetchError>(ids.length);
  if (!mayHaveCommitted(error, oneByOne)) {
    for (let i = 0; i < ids.length; i++) out[i] = outcomeError(error, "not stored", ids[i]!, what);
    return out;
  }
  let rows: ObjectRow[] | null = null;
  for (let attempt = 1; rows === null; attempt++) {
    try {
      rows = await shard.readObjects(ids);
    } catch (reread) {
      // A lost connection (a pooled one the same cut closed) is read again, after the pool has seen the
      // closed sockets; then only a shard that still does not answer leaves the outcome "unknown".
      if (attempt < REREADS && shardFailureOf(reread) === "connection lost") {
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
        continue;
      }
      for (let i = 0; i < ids.length; i++) out[i] = outcomeError(error, "unknown", ids[i]!, what);
      return out;
    }
  }
  const byId = new Map<string, ObjectRow>();
  for (const row of rows) byId.set(row.id, row);
  for (let i = 0; i < ids.length; i++) out[i] = stored(i, byId.get(ids[i]!) ?? null) ? ok : outcomeError(error, "not stored", ids[i]!, what);
  return out;
}

/** Attempts of the re-read that settles a write whose outcome is unknown. */
const REREADS = 4;

/** Whether `found` is the row a write meant to store (same version, update time and data). */
function isRow(found: ObjectRow | null, row: ObjectRow): boolean {
  return found !== null && found.version === row.version && found.updated === row.updated && found.body === row.body;
}

/**
 * replaceSettled: a shard's compare-and-set of `changes` (replaceObjects). When the call fails in a way that
 * may have committed some of them, each is read back: true where the row now is the one written, an error
 * saying "not stored" where not, or "unknown" when the shard does not answer the re-read.
 */
export async function replaceSettled(shard: ShardGuard, changes: readonly { row: ObjectRow; expectVersion: number }[]): Promise<(boolean | KvetchError)[]> {
  try {
    return await shard.replaceObjects(changes);
  } catch (error) {
    const ids = changes.map((change) => change.row.id);
    return settleWrite(shard, ids, error, true, "the update", (at, found) => isRow(found, changes[at]!.row), true);
  }
}

/** removeSettled: replaceSettled for a shard's compare-and-delete (removeObjects): true where the row is gone. */
export async function removeSettled(shard: ShardGuard, keys: readonly { id: string; expectVersion: number }[]): Promise<(boolean | KvetchError)[]> {
  try {
    return await shard.removeObjects(keys);
  } catch (error) {
    const ids = keys.map((key) => key.id);
    return settleWrite(shard, ids, error, true, "the delete", (_at, found) => found === null, true);
  }
}

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
 * chunk's entries. After a lost connection a refusal is read back for every id: a row that is the one this
 * create wrote was committed by the lost statement after all (committed). Each round takes at least one row
 * out, so a chunk ends within its row count.
 */
export async function insertNew(store: Store, rows: readonly ObjectRow[], shardOf: Int32Array, keyed: ReadonlySet<string>): Promise<Inserted> {
  const done: Inserted = { committed: new Map(), found: new Map(), failed: new Map(), held: null };
  done.held = await canonicalChunks(
    groupByShard(store.shards.length, shardOf, (p) => rows[p]!.body.length),
    async ({ shard, positions }) => {
      const shardStore = store.shards[shard]!;
      let pending = pick(rows, positions);
      let lost = false;
      while (pending.length > 0) {
        try {
          await shardStore.insertObjects(pending);
          for (const row of pending) done.committed.set(row.id, row);
          return;
        } catch (error) {
          if (shardFailureOf(error) !== null) {
            // The outcome is read back per row: a row that is there was stored (its derived rows follow).
            const ids = pending.map((row) => row.id);
            const settled = await settleWrite(shardStore, ids, error, false, "the create", (at, found) => isRow(found, pending[at]!), true);
            const again: ObjectRow[] = [];
            for (let i = 0; i < pending.length; i++) {
              const outcome = settled[i]!;
              if (outcome === true) done.committed.set(pending[i]!.id, pending[i]!);
              else if (!lost && shardFailureOf(error) === "connection lost" && writeOutcomeOf(outcome) === "not stored") again.push(pending[i]!);
              else done.failed.set(pending[i]!.id, outcome as KvetchError);
            }
            // Rows read back as absent after a lost connection (a restart, a cut) are inserted once more: an
            // absent id cannot be inserted twice.
            lost = true;
            pending = again;
            continue;
          }
          if (!isTaken(error)) throw error;
          // After a lost connection every id is asked: a row read back as absent may have been committed by the
          // lost statement since (its session ended after the re-read), and is then this create's own row.
          const asked = pending.filter((row) => lost || keyed.has(row.id)).map((row) => row.id);
          let stored: ObjectRow[];
          try {
            stored = asked.length === 0 ? [] : await shardStore.readObjects(asked);
          } catch (reread) {
            if (!(reread instanceof KvetchError) || shardFailureOf(reread) === null) throw reread;
            for (const row of pending) done.failed.set(row.id, outcomeError(reread, "unknown", row.id, "the create"));
            return;
          }
          const mine = new Map(pending.map((row) => [row.id, row]));
          let settled = 0;
          for (const row of stored) {
            if (lost && isRow(row, mine.get(row.id)!)) done.committed.set(row.id, row);
            else if (keyed.has(row.id)) done.found.set(row.id, row);
            else continue;
            settled++;
          }
          if (settled === 0) {
            for (const row of pending) done.failed.set(row.id, error);
            return;
          }
          pending = pending.filter((row) => !done.found.has(row.id) && !done.committed.has(row.id));
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
