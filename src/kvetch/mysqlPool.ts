// One shard's mysql2 pool with every wait bounded: a call waits for its turn through Admission (fair between
// requests, OVERLOADED only when it cannot be served in time), a connection opens within `acquireTimeoutMs`,
// and a round trip ends within `queryTimeoutMs` — the server is told to stop first (a session lock wait below
// it; its session killed, and awaited, when the client gives up), so no statement outlives its reported failure.
// A connection whose query timed out, or that the server closed, is destroyed, never reused.
// Errors name the shard by number only; host, port, database and driver text stay in the error's cause.

import { mysql } from "./optionalPeer.js";
import type { Pool, PoolConnection, ResultSetHeader } from "mysql2/promise";
import { Admission } from "./admission.js";
import type { KvetchCounters } from "./backend.js";
import { KvetchError, describeValue, shardError } from "./errors.js";
import type { ShardFailureReason } from "./errors.js";

/** How long a shard may keep a caller waiting (mysqlBackend options; spec/kvetch-storage.md §9.1). */
export interface ShardTimeouts {
  /** A round trip once its call is admitted, opening a connection included (default 5000 ms). */
  queryTimeoutMs: number;
  /** Opening a pooled connection (default 2000 ms); also bounds ending the session of a statement the client gave up on. */
  acquireTimeoutMs: number;
  /** Calls that may wait for their turn at once (a bound on memory); one more is OVERLOADED (default 10000). */
  queueLimit: number;
  /** The longest a call waits for its turn, whatever its request's deadline (default 10000 ms). */
  queueTimeoutMs: number;
}

export const DEFAULT_SHARD_TIMEOUTS: ShardTimeouts = { queryTimeoutMs: 5000, acquireTimeoutMs: 2000, queueLimit: 10_000, queueTimeoutMs: 10_000 };

/**
 * serverLimits: what each connection tells its server when it opens, so a statement waiting for another
 * connection's row locks ends on the server before the client's queryTimeoutMs: `innodb_lock_wait_timeout` at
 * 80% of it, in whole seconds, at least 1. Any other statement the client gives up on is killed (killQuery).
 * No statement time limit: MariaDB's `max_statement_time` arms a timer per statement, which slowed a batch of
 * 1000 compare-and-set statements past its timeout on a busy server.
 */
export function serverLimits(queryTimeoutMs: number): { lockWaitSeconds: number } {
  return { lockWaitSeconds: Math.max(1, Math.floor((queryTimeoutMs * 0.8) / 1000)) };
}

const DEADLOCK = 1213;
const LOCK_WAIT_TIMEOUT = 1205;
/** Attempts of a write a deadlock or lock wait timeout rolled back (each after a random pause, lockBackoff). */
const MAX_ATTEMPTS = 5;

/**
 * Whether attempt `attempt` of a write that may run again, failed with `error`, runs again: a deadlock or lock
 * wait timeout with attempts left, after a random pause (up to 2, 4, 8, 16 ms) so writers that deadlocked do
 * not collide again at once.
 */
async function againAfterLockError(error: unknown, attempt: number): Promise<boolean> {
  const errno = (error as { errno?: number })?.errno;
  if ((errno !== DEADLOCK && errno !== LOCK_WAIT_TIMEOUT) || attempt >= MAX_ATTEMPTS) return false;
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
  return true;
}
/** ER_NET_PACKET_TOO_LARGE: a statement over the server's max_allowed_packet (the server then hangs up). */
const PACKET_TOO_LARGE = 1153;
/** ER_NO_SUCH_THREAD: KILL of a session that has already ended. */
const UNKNOWN_THREAD = 1094;
/** ER_DUP_ENTRY: an insert hit a key that is already stored (the statement inserted nothing). */
const DUPLICATE_KEY = 1062;
/**
 * Server errors after which the server closes the connection, though mysql2 does not mark them fatal:
 * shutdown, the ER_NET_* family (packet too large, read and write errors), killed, interaction timeout.
 */
const CLOSING_ERRNOS = new Set([1053, 1152, 1153, 1154, 1155, 1156, 1157, 1158, 1159, 1160, 1161, 1927, 4031]);

/** Network-level failures: the shard did not answer (as opposed to an SQL error it answered with). */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
]);

class Timeout {
  constructor(readonly reason: ShardFailureReason, readonly ms: number) {}
}

/** A query's error after which its connection was destroyed. */
class Discarded {
  constructor(readonly error: unknown) {}
}

/**
 * sqlLimit: a row limit as MySQL takes it. mysql2 writes a number as JavaScript prints it, so 1e21 would be a
 * syntax error; a limit past 2^53 - 1 rows means "all of them" anyway and is clamped to that.
 */
export function sqlLimit(limit: number, what: string): number {
  if (typeof limit !== "number" || !(limit >= 0) || (!Number.isInteger(limit) && limit !== Infinity)) {
    throw new KvetchError("BAD_ARGUMENT", `${what} limit must be a non-negative integer, got ${describeValue(limit)}`);
  }
  return Math.min(limit, Number.MAX_SAFE_INTEGER);
}

/** mysql2's callback connection under a PoolConnection, as far as used here. */
interface CoreConnection {
  on(event: "error", listener: () => void): unknown;
  query(sql: string, callback: (error: unknown, rows: unknown) => void): unknown;
}

/**
 * Each live connection's max_allowed_packet (keyed by mysql2's own connection object). Exported so a test can
 * forget one and reach the server's own refusal, which run() must handle too (when the read failed).
 */
export const maxPacketOf = new WeakMap<object, number | Promise<number | undefined>>();
/** The smallest max_allowed_packet a server allows: shorter statements need no check. */
const MIN_MAX_PACKET = 1024;

function coreOf(connection: PoolConnection): object {
  return (connection as unknown as { connection: object }).connection;
}

/** Whether `connection` must not go back to the pool after `error`: it timed out, or its socket is (being) closed. */
function unusable(connection: PoolConnection, error: unknown): boolean {
  if (error instanceof Timeout) return true;
  const driver = error as { fatal?: unknown; errno?: unknown; code?: unknown };
  if (driver?.fatal === true) return true;
  if (typeof driver?.errno === "number" && CLOSING_ERRNOS.has(driver.errno)) return true;
  if (typeof driver?.code === "string" && CONNECTION_CODES.has(driver.code)) return true;
  const core = coreOf(connection) as { _closing?: boolean; _fatalError?: unknown; stream?: { destroyed?: boolean } } | undefined;
  return core?._closing === true || (core?._fatalError ?? null) !== null || core?.stream?.destroyed === true;
}

/** Resolves with the promise's value, or rejects with a Timeout after `ms`; `late` gets a value that came too late. */
function within<T>(promise: Promise<T>, ms: number, reason: ShardFailureReason, late?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Timeout(reason, ms));
    }, ms);
    promise.then(
      (value) => {
        if (!done) {
          done = true;
          clearTimeout(timer);
          resolve(value);
        } else late?.(value);
      },
      (error: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export class ShardPool {
  private readonly pool: Pool;
  /** Who may use a connection next: calls wait their turn here, never in mysql2's own queue. */
  readonly admission: Admission;

  constructor(
    readonly shard: number,
    /** host:port/database, for causes only (never for messages). */
    private readonly where: string,
    private readonly url: string,
    poolSize: number,
    readonly timeouts: ShardTimeouts,
    private readonly counters: KvetchCounters,
  ) {
    this.pool = mysql.createPool({
      uri: url,
      connectionLimit: poolSize,
      queueLimit: 0, // never reached: Admission lets at most poolSize calls at the pool at once
      multipleStatements: true,
      // affectedRows must count rows really changed (not rows matched), for compare-and-set and counts
      flags: ["-FOUND_ROWS"],
      connectTimeout: timeouts.acquireTimeoutMs,
    });
    this.admission = new Admission(shard, poolSize, timeouts.queueLimit, timeouts.queueTimeoutMs);
    const limits = serverLimits(timeouts.queryTimeoutMs);
    // An idle pooled connection that breaks is removed by mysql2; without a listener the error would be thrown.
    // Each new connection first reads its max_allowed_packet (queued before the caller's first statement;
    // connection setup, like the handshake, so not counted), so run() can refuse an oversized statement
    // before sending it: a server that gets one hangs up, and the client may see only the reset.
    this.pool.on("connection", (promised) => {
      const connection = promised as unknown as CoreConnection; // mysql2 hands listeners its callback connection
      connection.on("error", () => undefined);
      const read = new Promise<number | undefined>((resolve) => {
        connection.query("SELECT @@max_allowed_packet AS m", (error: unknown, rows: unknown) => {
          const max = error ? NaN : Number((rows as { m?: unknown }[] | undefined)?.[0]?.m);
          if (Number.isSafeInteger(max) && max > 0) maxPacketOf.set(connection, max);
          else maxPacketOf.delete(connection);
          resolve(maxPacketOf.get(connection) as number | undefined);
        });
      });
      maxPacketOf.set(connection, read);
      // An error here leaves the server's default (the statement is still killed at the client's timeout).
      connection.query(`SET SESSION innodb_lock_wait_timeout = ${limits.lockWaitSeconds}`, () => undefined);
    });
  }

  /** The error callers see for `error` (a Timeout, a driver error, or anything else) in call `what`. */
  fail(what: string, error: unknown): KvetchError {
    if ((error as { errno?: unknown })?.errno === DUPLICATE_KEY) {
      // The shard answered: a key is taken (another writer's row). A CONFLICT the caller resolves, not a failure.
      const cause = new Error(`shard ${this.shard} (${this.where}) ${what}: ${(error as Error).message}`, { cause: error });
      return new KvetchError("CONFLICT", `shard ${this.shard} refused ${what}: a row with one of its keys is already stored`, { cause });
    }
    let reason: ShardFailureReason = "failed";
    let detail: string;
    if (error instanceof Timeout) {
      reason = error.reason;
      detail = `${error.reason === "timeout" ? "no answer" : "no connection"} within ${error.ms} ms`;
    } else {
      const driver = error as { code?: unknown; message?: unknown };
      detail = typeof driver?.message === "string" ? driver.message : String(error);
      if (typeof driver?.code === "string" && CONNECTION_CODES.has(driver.code)) reason = "connection lost";
      else if ((error as { fatal?: unknown })?.fatal === true) reason = "connection lost";
      else if (CLOSING_ERRNOS.has((error as { errno?: number })?.errno ?? 0)) reason = "connection lost";
    }
    const cause = new Error(`shard ${this.shard} (${this.where}) ${what}: ${detail}`, { cause: error });
    return shardError(this.shard, reason, what, cause);
  }

  /** failed: the error callers see for what run() threw (a refusal as it is; Discarded unwrapped). */
  private failed(what: string, error: unknown): KvetchError {
    const inner = error instanceof Discarded ? error.error : error;
    return inner instanceof KvetchError ? inner : this.fail(what, inner);
  }

  /**
   * tooLarge: a statement over max_allowed_packet is the caller's data, not a broken shard: BAD_DATA
   * (unmasked) naming the call and the sizes. It keeps the shard failure reason "failed", so it fails only
   * its chunk's entries and the breaker does not count it.
   */
  private tooLarge(what: string, bytes: number, max: number | undefined, error: unknown): KvetchError {
    const detail = error === null ? "refused before sending" : `server: ${(error as Error).message}`;
    const cause = new Error(`shard ${this.shard} (${this.where}) ${what}: ${detail}`, { cause: error ?? undefined });
    const tooLarge = new KvetchError(
      "BAD_DATA",
      `shard ${this.shard} refused ${what}: its statement (${bytes} bytes) is over the server's max_allowed_packet` +
        `${max === undefined ? "" : ` of ${max} bytes`}; keep each object's and edge's data well under that (store large ` +
        `values elsewhere), or raise max_allowed_packet on every shard server`,
      { cause },
    );
    (tooLarge as KvetchError & { shardFailure?: ShardFailureReason }).shardFailure = "failed";
    return tooLarge;
  }

  /** A pooled connection for call `what`, or the shard error for not getting one. */
  private async connect(what: string, deadline: number): Promise<PoolConnection> {
    try {
      return await this.acquire(deadline);
    } catch (error) {
      throw this.fail(what, error);
    }
  }

  /** A pooled connection within the acquire timeout (and what is left of the call's deadline). */
  private async acquire(deadline: number): Promise<PoolConnection> {
    const wait = Math.max(1, Math.min(this.timeouts.acquireTimeoutMs, deadline - Date.now()));
    return within(this.pool.getConnection(), wait, "no connection", (late) => late.release());
  }

  /**
   * Runs one statement text on `connection` before the deadline; a connection that ran out of time or that
   * the server closed is destroyed, never released, and its error comes wrapped in Discarded. A statement
   * over the connection's max_allowed_packet is refused (tooLarge) without sending it.
   */
  private async run(connection: PoolConnection, what: string, sql: string, params: unknown[], deadline: number): Promise<unknown> {
    const text = connection.format(sql, params); // what mysql2 would send; sent as is (no values: formatted once)
    let max: number | undefined;
    let sent = false;
    try {
      // UTF-8 takes at most 3 bytes per UTF-16 unit; the packet adds the command byte
      const known = text.length * 3 + 1 > MIN_MAX_PACKET ? maxPacketOf.get(coreOf(connection)) : undefined;
      max = typeof known === "object" ? await within(known, Math.max(1, deadline - Date.now()), "timeout") : known;
      const bytes = max !== undefined && text.length * 3 + 1 > max ? Buffer.byteLength(text) + 1 : 0;
      if (max !== undefined && bytes > max) throw this.tooLarge(what, bytes, max, null);
      sent = true;
      const [result] = await within(connection.query(text), Math.max(1, deadline - Date.now()), "timeout");
      return result;
    } catch (error) {
      // A statement the client stopped waiting for, or whose connection broke, may still run on the server.
      if (sent && unusable(connection, error)) await this.killQuery(connection.threadId);
      if (unusable(connection, error)) {
        connection.destroy();
        const tooLarge = (error as { errno?: unknown })?.errno === PACKET_TOO_LARGE;
        throw new Discarded(tooLarge ? this.tooLarge(what, Buffer.byteLength(text) + 1, max, error) : error);
      }
      throw error;
    }
  }

  /**
   * killQuery: after the client gave up on a statement (or lost its connection), ends the server's session of
   * that connection (`KILL <thread>` on a connection of its own) and waits until the server no longer lists
   * the thread, all within acquireTimeoutMs. `KILL` only flags the thread: a statement already committing
   * finishes, so the wait is what makes a later re-read definitive — once the thread is gone its transaction
   * has committed or rolled back. A server that does not answer is left to its own limits (serverLimits);
   * the re-read then tells what it can, or "unknown".
   */
  private async killQuery(threadId: number | null | undefined): Promise<void> {
    if (typeof threadId !== "number") return;
    const until = Date.now() + this.timeouts.acquireTimeoutMs;
    const left = () => Math.max(1, until - Date.now());
    let killer: mysql.Connection | null = null;
    try {
      const opening = mysql.createConnection({ uri: this.url, connectTimeout: this.timeouts.acquireTimeoutMs });
      killer = await within(opening, left(), "no connection", (late) => late.destroy());
      killer.on("error", () => undefined);
      try {
        await within(killer.query("KILL ?", [threadId]), left(), "timeout");
      } catch (error) {
        if ((error as { errno?: unknown })?.errno !== UNKNOWN_THREAD) throw error;
      }
      for (let pause = 2; Date.now() < until; pause = Math.min(pause * 2, 50)) {
        const [rows] = await within(killer.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?", [threadId]), left(), "timeout");
        if (Number((rows as { n: unknown }[])[0]?.n) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    } catch {
      // unreachable or gone: the server's own limits end the statement; the re-read tells the outcome
    } finally {
      killer?.destroy();
    }
  }

  /**
   * One counted round trip on a pooled connection, once Admission lets the call in. With `retryLocks`
   * (statements that may run again: one statement, which a deadlock rolls back whole, or insert-if-absent
   * statements), a deadlock or lock wait timeout runs it again, up to MAX_ATTEMPTS attempts, each counted.
   */
  async query<T>(what: string, sql: string, params: unknown[], retryLocks = false): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.admission.admit(what);
      try {
        this.counters.shardQueries[this.shard]!++;
        const deadline = Date.now() + this.timeouts.queryTimeoutMs;
        const connection = await this.connect(what, deadline);
        try {
          const result = (await this.run(connection, what, sql, params, deadline)) as T;
          connection.release();
          return result;
        } catch (error) {
          if (!(error instanceof Discarded)) connection.release();
          if (retryLocks && (await againAfterLockError(error, attempt))) continue;
          throw this.failed(what, error);
        }
      } finally {
        this.admission.release();
      }
    }
  }

  /**
   * One counted round trip running `sql` (several statements) inside a transaction on one connection.
   * On failure the transaction is rolled back before the connection goes back to the pool (a connection
   * that timed out or was closed is destroyed, which rolls back on the server); deadlocks and lock wait timeouts are
   * retried (againAfterLockError; each attempt is counted).
   */
  async transaction(what: string, sql: string, params: unknown[]): Promise<ResultSetHeader[]> {
    for (let attempt = 1; ; attempt++) {
      await this.admission.admit(what);
      try {
        const results = await this.transactionOnce(what, sql, params, attempt);
        if (results !== null) return results;
      } finally {
        this.admission.release();
      }
    }
  }

  /** One attempt of transaction(): its statements' results, or null to run again after a lock error. */
  private async transactionOnce(what: string, sql: string, params: unknown[], attempt: number): Promise<ResultSetHeader[] | null> {
    {
      // Counted before the connection, as query() counts: a round trip that found no connection was still sent for.
      this.counters.shardQueries[this.shard]!++;
      const deadline = Date.now() + this.timeouts.queryTimeoutMs;
      const connection = await this.connect(what, deadline);
      try {
        const results = (await this.run(connection, what, `START TRANSACTION; ${sql} COMMIT;`, params, deadline)) as ResultSetHeader[];
        connection.release();
        return results.slice(1, -1);
      } catch (error) {
        if (error instanceof Discarded) throw this.failed(what, error);
        if (error instanceof KvetchError) {
          connection.release(); // refused before sending: nothing to roll back
          throw error;
        }
        try {
          await this.run(connection, "ROLLBACK", "ROLLBACK", [], Date.now() + this.timeouts.acquireTimeoutMs);
          connection.release();
        } catch (rollback) {
          if (!(rollback instanceof Discarded)) connection.destroy();
        }
        if (await againAfterLockError(error, attempt)) return null;
        throw this.fail(what, error);
      }
    }
  }

  /** Ends every connection; a driver error (a connection that never opened, say) is a KvetchError naming the shard. */
  async close(): Promise<void> {
    try {
      await this.pool.end();
    } catch (error) {
      throw this.fail("close", error);
    }
  }
}
