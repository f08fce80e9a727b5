// The local servers the MySQL sections of the bench use (MariaDB/MySQL on 127.0.0.1:3306, Redis on :6379):
// whether they answer, and dropping what a section created. Never starts a server (`npm run services` does).

import { connect } from "node:net";

export const MYSQL = { host: "127.0.0.1", port: 3306 };
export const REDIS_URL = "redis://127.0.0.1:6379";

/** Whether a TCP server answers at host:port within a second. */
export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** The shard URLs of `databases` on the local MySQL server. */
export function shardUrls(databases: readonly string[]): string[] {
  return databases.map((d) => `mysql://root@${MYSQL.host}:${MYSQL.port}/${d}`);
}

/** Drops `databases` (those that exist) on the local MySQL server. */
export async function dropDatabases(databases: readonly string[]): Promise<void> {
  const mysql = await import("mysql2/promise");
  const connection = await mysql.createConnection({ ...MYSQL, user: "root" });
  try {
    for (const name of databases) await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}

/** Deletes the Redis keys under `prefix`. */
export async function deleteKeys(prefix: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
