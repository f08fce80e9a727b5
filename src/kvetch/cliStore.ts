// What the `graphscale` commands share: their parsed arguments and configuration, the schema module, and
// opening a store whose Redis, when configured, is connected before anything is invalidated through it.

import { pathToFileURL } from "node:url";
import type { KvetchBackend } from "./backend.js";
import { KvetchError } from "./errors.js";
import { Kvetch } from "./kvetch.js";
import type { KvetchSchema } from "./schema.js";
import { loadFailure } from "./syntaxLocation.js";

/** Everything the commands need, from a file, a module or the environment. */
export interface CliConfig {
  /** The backend to open; `withCache` false asks URL configs to leave Redis out (migrate, stats). */
  backend(withCache: boolean): KvetchBackend;
  /** The schema, or the absolute path of its module, or null when none was configured. */
  schema: KvetchSchema | string | null;
}

export class UsageError extends Error {}

export interface ParsedArgs {
  command: string;
  config: string | null;
  checkpoint: string;
  batchSize: number;
  queue: boolean;
  /** deps invalidate: the dependency keys. */
  keys: string[];
}

/** loadSchema: the module's `schema` export, or its default export. */
export async function loadSchema(path: string): Promise<KvetchSchema> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot load schema module ${path}: ${loadFailure(path, error)}`);
  }
  const schema = (module.schema ?? module.default) as KvetchSchema | undefined;
  if (!schema || typeof schema.objectType !== "function") {
    throw new UsageError(`${path} must export the result of defineSchema as "schema" or as its default export`);
  }
  return schema;
}

export function openStore(config: CliConfig, schema: KvetchSchema, withCache: boolean): Kvetch {
  return new Kvetch({ schema, backend: config.backend(withCache) });
}

/**
 * Runs `command` on the store, then closes it. A failure to close never replaces the command's own error (a
 * shard that failed the command usually fails its close too); after a command that succeeded it is reported.
 */
export async function withStore<T>(kvetch: Kvetch, command: (kvetch: Kvetch) => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await command(kvetch);
  } catch (error) {
    await kvetch.close().catch(() => undefined);
    throw error;
  }
  await kvetch.close();
  return result;
}

/** How long a command that invalidates cache entries waits for the configured Redis. */
const REDIS_WAIT_MS = 5000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits (bounded) until the store's Redis is connected: a store that is still connecting only remembers its
 * invalidations, and a process about to exit would take them along, leaving other processes' caches stale.
 */
export async function redisReady(kvetch: Kvetch, command: string): Promise<void> {
  for (const deadline = Date.now() + REDIS_WAIT_MS; ; await sleep(50)) {
    const cache = (await kvetch.health()).cache;
    if (cache === null || cache.status === "ready") return;
    if (Date.now() >= deadline) {
      throw new KvetchError("SHARD_UNAVAILABLE", `${command}: Redis is not reachable (still "${cache.status}" after ${REDIS_WAIT_MS / 1000} s); nothing was done`);
    }
  }
}

/** Waits (bounded) until Redis confirmed every invalidation the store made; fails with `failure` if it never does. */
export async function invalidationsApplied(kvetch: Kvetch, failure: string): Promise<void> {
  for (const deadline = Date.now() + REDIS_WAIT_MS; ; await sleep(50)) {
    const cache = (await kvetch.health()).cache;
    if (cache === null || cache.ok) return;
    if (Date.now() >= deadline) {
      const owed = cache.pendingInvalidations > 0 ? `${cache.pendingInvalidations} cache invalidation(s)` : "a flush of the key prefix";
      throw new KvetchError("SHARD_UNAVAILABLE", `${failure} (Redis "${cache.status}" did not confirm ${owed})`);
    }
  }
}
