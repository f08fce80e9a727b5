// The MySQL fence (spec/kvetch-storage.md §11.4): each shard's kvetch_buckets rows say which stored shard id
// owns each bucket and which buckets are frozen for writes, and every call that reads or writes a bucket's
// rows checks them inside its own transaction, in the same round trip (FENCE_GUARD, OWNED_BUCKETS), under a
// shared lock that the switch's update waits out. Never adds a round trip to an admitted call; never lets a
// refused call touch a row.

import type { BucketFenceSetting, KvetchCounters, ShardMoves } from "./backend.js";
import { KvetchError } from "./errors.js";
import { ownerOfBuckets } from "./fence.js";
import type { ShardPool } from "./mysqlPool.js";
import type { Row } from "./mysqlTables.js";
import type { BucketRange } from "./shard.js";

/** What one MySQL shard's fence needs: its stored shard id and the bucket count (self null: not read yet, no check). */
export interface MysqlFenceState {
  self: number | null;
  buckets: number;
}

/** A MOVED refusal from a MySQL shard: where its kvetch_buckets row says the bucket is now. */
export interface BucketMovedError extends KvetchError {
  readonly movedTo: { bucket: number; shard: number; version: number };
}

/** ER_SUBQUERY_NO_1_ROW: what FENCE_GUARD raises for a bucket the shard does not serve (or a frozen one, for a write). */
const REFUSED = 1242;

/**
 * FENCE_GUARD: the first statement of every fenced call. It locks the call's bucket rows in share mode (the
 * switch's update of them waits for the calls holding them, and calls after it see the new owner), and
 * fails when a bucket is not this shard's or, for a write, is frozen: the failing branch is a scalar subquery
 * of two rows, evaluated only for such a bucket. MariaDB and MySQL stop a multi-statement text at its first
 * error, so no statement after it runs. Placeholders: own shard id, 1 for a read (frozen buckets serve reads)
 * else 0, the buckets.
 */
export const FENCE_GUARD =
  "SELECT COUNT(IF(b.shard_id = ? AND (b.frozen = 0 OR ?), NULL, " +
  "(SELECT 1 FROM kvetch_buckets f WHERE f.bucket = b.bucket UNION ALL SELECT 2))) AS refused " +
  "FROM kvetch_buckets b WHERE b.bucket IN (?) LOCK IN SHARE MODE;";

/** OWNED_BUCKETS: the first statement of a fenced scan: the buckets this shard serves, locked in share mode for the scan. */
export const OWNED_BUCKETS = "SELECT bucket FROM kvetch_buckets WHERE shard_id = ? LOCK IN SHARE MODE;";

/**
 * How long a write waits for frozen buckets (a move's last catch-up and verify), asking again after
 * FROZEN_POLL_MS, doubling up to FROZEN_POLL_MAX_MS (waiting writes must not crowd out the mover's own reads).
 */
const FROZEN_WAIT_MS = 60_000;
const FROZEN_POLL_MS = 15;
const FROZEN_POLL_MAX_MS = 250;

function refusedByGuard(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    if ((cause as { errno?: number }).errno === REFUSED) return true;
  }
  return false;
}

export function isBucketMoved(error: unknown): error is BucketMovedError {
  return error instanceof KvetchError && error.code === "MOVED" && (error as Partial<BucketMovedError>).movedTo !== undefined;
}

function bucketMoved(shard: number, what: string, bucket: number, owner: number, version: number): BucketMovedError {
  const error = new KvetchError(
    "MOVED",
    `shard ${shard} refused ${what}: bucket ${bucket} moved to shard ${owner} (shard map version ${version}); reload the shard map and send it there`,
  ) as KvetchError & { movedTo: BucketMovedError["movedTo"] };
  error.movedTo = { bucket, shard: owner, version };
  return error;
}

/** bucketsOf: the distinct buckets of a call's keys (one Set per call). */
export function bucketsOf<I>(fence: MysqlFenceState, items: readonly I[], hashOf: (item: I) => number): number[] {
  const buckets = new Set<number>();
  for (let i = 0; i < items.length; i++) buckets.add(hashOf(items[i]!) % fence.buckets);
  return [...buckets];
}

/**
 * fencedCall: runs `sql` (statements, each ending in ";") in one transaction and one round trip, after
 * FENCE_GUARD for `buckets`; returns each statement's result. Refused, one more round trip reads the buckets'
 * rows: a bucket owned elsewhere answers MOVED (the caller follows it); a frozen one makes a write wait and ask
 * again. Before the shard's identity is read (migrate), or with no bucket, it runs unguarded.
 */
export async function fencedCall(pool: ShardPool, fence: MysqlFenceState, what: string, sql: string, params: unknown[], buckets: readonly number[], write: boolean): Promise<unknown[]> {
  const self = fence.self;
  if (self === null || buckets.length === 0) return pool.transaction(what, sql, params);
  const waitUntil = Date.now() + FROZEN_WAIT_MS;
  for (let pause = FROZEN_POLL_MS; ; pause = Math.min(pause * 2, FROZEN_POLL_MAX_MS)) {
    try {
      const results = await pool.transaction(what, `${FENCE_GUARD} ${sql}`, [self, write ? 0 : 1, buckets, ...params]);
      return results.slice(1);
    } catch (error) {
      if (!refusedByGuard(error)) throw error;
    }
    const rows = await pool.query<Row[]>(what, "SELECT bucket, shard_id, version FROM kvetch_buckets WHERE bucket IN (?) ORDER BY bucket", [buckets]);
    const moved = rows.find((row) => Number(row.shard_id) !== self);
    if (moved !== undefined) throw bucketMoved(pool.shard, what, Number(moved.bucket), Number(moved.shard_id), Number(moved.version));
    if (Date.now() > waitUntil) {
      throw new KvetchError("OVERLOADED", `shard ${pool.shard} refused ${what}: its buckets stayed frozen by a move for ${FROZEN_WAIT_MS} ms; finish the move (rerun reshard) or reverse it`);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/**
 * fencedScan: a scan page of rows this shard serves — OWNED_BUCKETS and the page in one transaction, rows of
 * other buckets dropped; a page that lost rows reads on (after its last row) until it is full or the shard has
 * no more, so a short page still means the end.
 */
export async function fencedScan<R, A>(
  pool: ShardPool,
  fence: MysqlFenceState,
  counters: KvetchCounters,
  what: string,
  page: (after: A | null, limit: number) => [sql: string, params: unknown[]],
  after: A | null,
  limit: number,
  rowOf: (raw: Row) => R,
  afterOf: (row: R) => A,
  hashOf: (row: R) => number,
): Promise<R[]> {
  const out: R[] = [];
  let wanted = limit;
  for (;;) {
    const [sql, params] = page(after, wanted);
    let raw: Row[];
    let owned: Set<number> | null = null;
    if (fence.self === null) raw = await pool.query<Row[]>(what, sql, params);
    else {
      const results = (await pool.transaction(what, `${OWNED_BUCKETS} ${sql};`, [fence.self, ...params])) as unknown as Row[][];
      owned = new Set(results[0]!.map((row) => Number(row.bucket)));
      raw = results[1]!;
    }
    counters.rowsFetched += raw.length;
    let last: R | null = null;
    for (const item of raw) {
      const row = (last = rowOf(item));
      if (owned === null || owned.has(hashOf(row) % fence.buckets)) out.push(row);
    }
    if (raw.length < wanted || out.length >= limit || last === null) return out;
    wanted = limit - out.length;
    after = afterOf(last);
  }
}

/**
 * FILL_BUCKETS: gives each bucket without a row the owner a stored map names (migrate and every map write; a
 * move sets its buckets' rows itself, so an existing row is never changed here), only on a shard of the map's
 * installation. Placeholders: the map's version, JSON [[bucket, shard id], …], the installation.
 */
export const FILL_BUCKETS =
  "INSERT IGNORE INTO kvetch_buckets (bucket, shard_id, version, frozen) SELECT b.bucket, b.shard_id, ?, 0 " +
  "FROM JSON_TABLE(?, '$[*]' COLUMNS (bucket INT PATH '$[0]', shard_id INT PATH '$[1]')) b " +
  "WHERE EXISTS (SELECT 1 FROM kvetch_meta WHERE name = 'installation' AND value = ?);";

/** The bucket → shard id pairs of a map's ranges, as FILL_BUCKETS takes them. */
export function bucketOwners(ranges: readonly BucketRange[]): string {
  const pairs: [number, number][] = [];
  for (const { first, last, shard } of ranges) for (let bucket = first; bucket <= last; bucket++) pairs.push([bucket, shard]);
  return JSON.stringify(pairs);
}

/** mysqlBucketFence: readBucketFence and setBucketFence of one MySQL shard, on its kvetch_buckets rows. */
export function mysqlBucketFence(pool: ShardPool, fence: MysqlFenceState): Required<Pick<ShardMoves, "readBucketFence" | "setBucketFence">> {
  const readRows = (): Promise<Row[]> => pool.query<Row[]>("readBucketFence", "SELECT bucket, shard_id, version, frozen FROM kvetch_buckets ORDER BY bucket", []);
  return {
    async readBucketFence(): Promise<BucketFenceSetting | null> {
      const rows = await readRows();
      if (rows.length === 0 || fence.self === null) return null;
      const ranges: BucketRange[] = [];
      let version = 0;
      const frozen: number[] = [];
      for (const row of rows) {
        const bucket = Number(row.bucket);
        const shard = Number(row.shard_id);
        version = Math.max(version, Number(row.version));
        if (Number(row.frozen) === 1) frozen.push(bucket);
        const last = ranges[ranges.length - 1];
        if (last !== undefined && last.shard === shard && last.last === bucket - 1) last.last = bucket;
        else ranges.push({ first: bucket, last: bucket, shard });
      }
      return { shard: fence.self, version, ranges, frozen };
    },
    /**
     * setBucketFence: the rows that change (owner or frozen) take the fence's values in one transaction: the
     * update's exclusive locks wait for every call holding those buckets (FENCE_GUARD's share locks), and every
     * call after it sees the new rows.
     */
    async setBucketFence(setting: BucketFenceSetting): Promise<void> {
      const owner = ownerOfBuckets(setting, fence.buckets);
      const frozen = new Set(setting.frozen);
      const stored = new Map<number, Row>();
      for (const row of await readRows()) stored.set(Number(row.bucket), row);
      const changed: number[][] = [];
      for (let bucket = 0; bucket < fence.buckets; bucket++) {
        const row = stored.get(bucket);
        const isFrozen = frozen.has(bucket) ? 1 : 0;
        if (row === undefined || Number(row.shard_id) !== owner[bucket] || Number(row.frozen) !== isFrozen) changed.push([bucket, owner[bucket]!, setting.version, isFrozen]);
      }
      if (changed.length === 0) return;
      await pool.transaction(
        "setBucketFence",
        "INSERT INTO kvetch_buckets (bucket, shard_id, version, frozen) VALUES ? ON DUPLICATE KEY UPDATE shard_id = VALUES(shard_id), version = VALUES(version), frozen = VALUES(frozen);",
        [changed],
      );
    },
  };
}
