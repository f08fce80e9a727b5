// One shard's mysql2 pool with every wait bounded: a round trip (waiting for a connection included) ends
// within `queryTimeoutMs`, a connection is waited for at most `acquireTimeoutMs`, and at most `queueLimit`
// calls wait at once (one more fails at once). A connection whose query timed out is destroyed, never reused.
// Errors name the shard by number only; host, port, database and driver text stay in the error's cause.

import mysql from "mysql2/promise";
import type { Pool, PoolConnection, ResultSetHeader } from "mysql2/promise";
import type { KvetchCounters } from "./backend.js";
import { shardError } from "./errors.js";
import type { KvetchError, ShardFailureReason } from "./errors.js";

/** How long a shard may keep a caller waiting (mysqlBackend options; spec/kvetch-storage.md §9.1). */
export interface ShardTimeouts {
  /** A whole round trip, waiting for a connection included (default 5000 ms). */
  queryTimeoutMs: number;
  /** Waiting for a pooled connection, opening one included (default 2000 ms). */
  acquireTimeoutMs: number;
  /** Calls that may wait for a connection at once; one more fails at once (default 100). */
  queueLimit: number;
}

export const DEFAULT_SHARD_TIMEOUTS: ShardTimeouts = { queryTimeoutMs: 5000, acquireTimeoutMs: 2000, queueLimit: 100 };

const DEADLOCK = 1213;
const LOCK_WAIT_TIMEOUT = 1205;
const MAX_ATTEMPTS = 3;

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

  constructor(
    readonly shard: number,
    /** host:port/database, for causes only (never for messages). */
    private readonly where: string,
    url: string,
    poolSize: number,
    readonly timeouts: ShardTimeouts,
    private readonly counters: KvetchCounters,
  ) {
    this.pool = mysql.createPool({
      uri: url,
      connectionLimit: poolSize,
      queueLimit: timeouts.queueLimit,
      multipleStatements: true,
      // affectedRows must count rows really changed (not rows matched), for compare-and-set and counts
      flags: ["-FOUND_ROWS"],
      connectTimeout: timeouts.acquireTimeoutMs,
    });
    // An idle pooled connection that breaks is removed by mysql2; without a listener the error would be thrown.
    this.pool.on("connection", (connection) => connection.on("error", () => undefined));
  }

  /** The error callers see for `error` (a Timeout, a driver error, or anything else) in call `what`. */
  fail(what: string, error: unknown): KvetchError {
    let reason: ShardFailureReason = "failed";
    let detail: string;
    if (error instanceof Timeout) {
      reason = error.reason;
      detail = `${error.reason === "timeout" ? "no answer" : "no connection"} within ${error.ms} ms`;
    } else {
      const driver = error as { code?: unknown; message?: unknown };
      detail = typeof driver?.message === "string" ? driver.message : String(error);
      if (driver?.message === "Queue limit reached.") reason = "pool queue full";
      else if (typeof driver?.code === "string" && CONNECTION_CODES.has(driver.code)) reason = "connection lost";
      else if ((error as { fatal?: unknown })?.fatal === true) reason = "connection lost";
    }
    const cause = new Error(`shard ${this.shard} (${this.where}) ${what}: ${detail}`, { cause: error });
    return shardError(this.shard, reason, what, cause);
  }

  /** A pooled connection within the acquire timeout (and what is left of the call's deadline). */
  private async acquire(deadline: number): Promise<PoolConnection> {
    const wait = Math.max(1, Math.min(this.timeouts.acquireTimeoutMs, deadline - Date.now()));
    return within(this.pool.getConnection(), wait, "no connection", (late) => late.release());
  }

  /** Runs one statement text on `connection` before the deadline; a connection that ran out of time is destroyed. */
  private async run(connection: PoolConnection, sql: string, params: unknown[], deadline: number): Promise<unknown> {
    try {
      const [result] = await within(connection.query(sql, params), Math.max(1, deadline - Date.now()), "timeout");
      return result;
    } catch (error) {
      if (error instanceof Timeout || (error as { fatal?: unknown })?.fatal === true) connection.destroy();
      throw error;
    }
  }

  /** One counted round trip on a pooled connection. */
  async query<T>(what: string, sql: string, params: unknown[]): Promise<T> {
    this.counters.shardQueries[this.shard]!++;
    const deadline = Date.now() + this.timeouts.queryTimeoutMs;
    let connection: PoolConnection;
    try {
      connection = await this.acquire(deadline);
    } catch (error) {
      throw this.fail(what, error);
    }
    try {
      const result = (await this.run(connection, sql, params, deadline)) as T;
      connection.release();
      return result;
    } catch (error) {
      if (!(error instanceof Timeout) && (error as { fatal?: unknown })?.fatal !== true) connection.release();
      throw this.fail(what, error);
    }
  }

  /**
   * One counted round trip running `sql` (several statements) inside a transaction on one connection.
   * On failure the transaction is rolled back before the connection goes back to the pool (a connection
   * that timed out is destroyed, which rolls back on the server); deadlocks and lock wait timeouts are
   * retried (each attempt is counted).
   */
  async transaction(what: string, sql: string, params: unknown[]): Promise<ResultSetHeader[]> {
    for (let attempt = 1; ; attempt++) {
      const deadline = Date.now() + this.timeouts.queryTimeoutMs;
      let connection: PoolConnection;
      try {
        connection = await this.acquire(deadline);
      } catch (error) {
        throw this.fail(what, error);
      }
      this.counters.shardQueries[this.shard]!++;
      try {
        const results = (await this.run(connection, `START TRANSACTION; ${sql} COMMIT;`, params, deadline)) as ResultSetHeader[];
        connection.release();
        return results.slice(1, -1);
      } catch (error) {
        if (!(error instanceof Timeout) && (error as { fatal?: unknown })?.fatal !== true) {
          try {
            await this.run(connection, "ROLLBACK", [], Date.now() + this.timeouts.acquireTimeoutMs);
            connection.release();
          } catch {
            connection.destroy();
          }
        }
        const errno = (error as { errno?: number }).errno;
        if ((errno === DEADLOCK || errno === LOCK_WAIT_TIMEOUT) && attempt < MAX_ATTEMPTS) continue;
        throw this.fail(what, error);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
