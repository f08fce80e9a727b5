// What the `graphscale` commands share: their parsed arguments and configuration, the schema module, and
// opening a store whose Redis, when configured, is connected before anything is invalidated through it.

import type { KvetchBackend } from "./backend.js";
import { importUserModule } from "./cliModule.js";
import { KvetchError } from "./errors.js";
import { Kvetch } from "./kvetch.js";
import type { KvetchSchema } from "./schema.js";

/** Everything the commands need, from a file, a module or the environment. */
export interface CliConfig {
  /** The backend to open; `withCache` false asks URL configs to leave Redis out (migrate, stats). */
  backend(withCache: boolean): KvetchBackend;
  /** The schema, or the absolute path of its module or annotated SDL file, or null when none was configured. */
  schema: KvetchSchema | string | null;
  /** Reads an annotated SDL file (.graphql, .gql) into its Kvetch schema; null where only modules load. */
  readSdl: SdlReader | null;
}

/**
 * Annotated SDL to its Kvetch schema. The SDL layer sits above the store (steps/kvetch/sdl), so the `graphscale`
 * bin passes this in (steps/kvetch/cli/run.ts); the store's own entry (cli.ts) loads schema modules only.
 */
export type SdlReader = (path: string) => KvetchSchema;

export const SDL_FILE = /\.(graphql|gql)$/;

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

function isKvetchSchema(value: unknown): value is KvetchSchema {
  return typeof value === "object" && value !== null && typeof (value as KvetchSchema).objectType === "function";
}

/**
 * loadSchema: the Kvetch schema of an annotated SDL file (through `readSdl`), or of a module (.js, .ts through
 * the user's tsx): its `schema` or default export (a defineSchema result), or its `kvetchSchema` export (as
 * makeKvetchSchema returns it, also as the default export's).
 */
export async function loadSchema(path: string, readSdl: SdlReader | null): Promise<KvetchSchema> {
  if (SDL_FILE.test(path)) {
    if (readSdl === null) throw new UsageError(`${path} is annotated SDL: run the \`graphscale\` bin (dist/graphscale.js), which reads it, or pass a schema module`);
    try {
      return readSdl(path);
    } catch (error) {
      throw new UsageError(`cannot read schema ${(error as Error).message}`);
    }
  }
  let module: Record<string, unknown>;
  try {
    module = await importUserModule(path, path);
  } catch (error) {
    throw new UsageError(`cannot load schema module ${path}: ${(error as Error).message}`);
  }
  const fallback = module.default as Record<string, unknown> | undefined;
  const schema = [module.schema, module.kvetchSchema, fallback, fallback?.kvetchSchema].find(isKvetchSchema);
  if (schema === undefined) {
    throw new UsageError(
      `${path} must export the result of defineSchema as "schema" or as its default export, or makeKvetchSchema's "kvetchSchema" (exports: ${Object.keys(module).join(", ") || "none"})`,
    );
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
