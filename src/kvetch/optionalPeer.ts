// mysql2 and ioredis, the optional peer dependencies: loaded on first use (when a MySQL backend opens its
// shards or a Redis cache is created), never on import, so the engine and the memory store need neither.
// A missing package fails with a KvetchError naming the package to install; never with the resolver's paths.

import { createRequire } from "node:module";
import type * as Mysql2 from "mysql2/promise";
import type * as IORedis from "ioredis";
import type * as OpenTelemetry from "@opentelemetry/api";
import { KvetchError } from "./errors.js";

/** Resolves from the installed package's own directory, so the app's node_modules are searched (ESM and CJS). */
const requireFromHere = createRequire(import.meta.url);

/** What each optional peer is for, in the words of the error that says to install it. */
const NEEDED_BY: Record<string, string> = { mysql2: "mysqlBackend (the MySQL/MariaDB shards)", ioredis: "the Redis cache (the `redis` option of a backend)" };

const loaded = new Map<string, unknown>();

/** loadOptionalPeer: `require(specifier)` once; a missing package is a BAD_CONFIG KvetchError saying what to install. */
export function loadOptionalPeer<T>(pkg: "mysql2" | "ioredis", specifier: string): T {
  let module = loaded.get(specifier);
  if (module === undefined) {
    try {
      module = requireFromHere(specifier) as unknown;
    } catch (error) {
      const missing = (error as { code?: string }).code === "MODULE_NOT_FOUND" && String((error as Error).message).includes(`'${pkg}`);
      throw new KvetchError(
        "BAD_CONFIG",
        missing
          ? `${NEEDED_BY[pkg]} needs the package ${pkg}, which is not installed: run \`npm install ${pkg}\` in your app (it is an optional peer dependency of graphscale)`
          : `${NEEDED_BY[pkg]} could not load the package ${pkg}; reinstall it (\`npm install ${pkg}\`) and see this error's cause`,
        { cause: error },
      );
    }
    loaded.set(specifier, module);
  }
  return module as T;
}

/** A stand-in for a module's value that loads the module on first property access or call. */
function lazy<T extends object>(load: () => T, shape: object): T {
  return new Proxy(shape, {
    get: (_shape, property) => Reflect.get(load(), property),
    has: (_shape, property) => Reflect.has(load(), property),
    construct: (_shape, args) => Reflect.construct(load() as unknown as new (...a: unknown[]) => object, args),
    apply: (_shape, self, args) => Reflect.apply(load() as unknown as (...a: unknown[]) => unknown, self, args),
  }) as T;
}

const mysqlPromise = (): typeof Mysql2 => {
  const module = loadOptionalPeer<typeof Mysql2 & { default?: typeof Mysql2 }>("mysql2", "mysql2/promise");
  return module.default ?? module;
};

/** mysql2/promise, loaded when first used (`mysql.createPool`). */
export const mysql: typeof Mysql2 = lazy(mysqlPromise, {});
/** The driver's types, under the same name as the value (`mysql.Connection`). */
export declare namespace mysql {
  export type Connection = Mysql2.Connection;
}

/** ioredis's Redis (one node), loaded when the first client is made. */
export const Redis: typeof IORedis.Redis = lazy(() => loadOptionalPeer<typeof IORedis>("ioredis", "ioredis").Redis, function Redis() {});
export type Redis = IORedis.Redis;

/** ioredis's Cluster, loaded when the first client is made. */
export const Cluster: typeof IORedis.Cluster = lazy(() => loadOptionalPeer<typeof IORedis>("ioredis", "ioredis").Cluster, function Cluster() {});
export type Cluster = IORedis.Cluster;

let otel: typeof OpenTelemetry | null | undefined;

/** @opentelemetry/api when the app has it installed, else null (tracing is then off): never an error. */
export function optionalOpenTelemetry(): typeof OpenTelemetry | null {
  if (otel === undefined) {
    try {
      otel = requireFromHere("@opentelemetry/api") as typeof OpenTelemetry;
    } catch {
      otel = null;
    }
  }
  return otel;
}
