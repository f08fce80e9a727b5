// The `graphscale kvetch migrate|repair|stats|reshard` commands (run by cli.ts). The store comes from a config: a JSON
// file or the environment naming MySQL shard URLs and Redis, or a JS module exporting any KvetchBackend.
// Progress goes to stderr, results to stdout. Never prints connection credentials. repair: cliRepair.ts.

import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import type { KvetchBackend, RedisConfig } from "./backend.js";
import { importUserModule } from "./cliModule.js";
import { commandRepair } from "./cliRepair.js";
import { commandReshard } from "./cliReshard.js";
import { dependencyTag } from "./deps.js";
import { SDL_FILE, UsageError, invalidationsApplied, loadSchema, openStore, redisReady, withStore } from "./cliStore.js";
import type { CliConfig, ParsedArgs, SdlReader } from "./cliStore.js";
import { KvetchError } from "./errors.js";
import { Kvetch } from "./kvetch.js";
import { mysqlBackend } from "./mysql.js";
import { defineSchema } from "./schema.js";
import type { KvetchSchema } from "./schema.js";
import type { BucketRange } from "./shard.js";
import { storeOf } from "./store.js";
import { shortInstallation } from "./topologyCheck.js";

export const KVETCH_USAGE = `Usage: graphscale kvetch <command> [options]

Commands (also: graphscale deps invalidate <key>… — bump dependency keys written by other programs):
  migrate   create the shard databases and tables (idempotent)
  repair    restore missing and remove stale derived edges and index entries (resumable)
  stats     print objects, edges and index entries per shard
  reshard   move buckets onto joined shards or off a removed one (graphscale kvetch reshard --help)

Options:
  --config <file>       JSON config: { "shards": [urls], "redis": url | { "cluster": [...] },
                        "buckets": n, "schema": "path/to/schema" } (paths relative to the file);
                        or a module (.js, .mjs, .cjs, .ts) whose default export, or "backend" export, is
                        any KvetchBackend (memoryBackend, mysqlBackend or your own), with an optional
                        "schema" export (the defineSchema result, or a schema path)
  --checkpoint <file>   repair: checkpoint file (default kvetch-repair.checkpoint.json); resumed when present
  --batch-size <n>      repair: rows per scan query (default 500)
  --queue               repair: only drain the repair queue (objects whose writes could not finish their
                        derived rows); fast, run it often. A full repair heals those too
  --help                this text

Without --config: GRAPHSCALE_SHARDS (comma-separated mysql:// URLs), GRAPHSCALE_REDIS (a redis:// URL, or
comma-separated host:port Cluster seeds), GRAPHSCALE_BUCKETS, GRAPHSCALE_SCHEMA (schema path),
or ./kvetch.config.json when it exists.

A schema (repair, deps invalidate) is annotated SDL (.graphql, .gql) or a module (.js, .mjs, .cjs; .ts, .mts,
.cts through your project's tsx) exporting the defineSchema result as "schema" or default, or makeKvetchSchema's
"kvetchSchema".`;

/** What a JSON file or the environment names: MySQL shard URLs, Redis, buckets. */
interface UrlConfig {
  shards: string[];
  redis: RedisConfig | null;
  buckets: number | undefined;
  ranges: BucketRange[] | undefined;
}

function urlBackend(config: UrlConfig): (withCache: boolean) => KvetchBackend {
  return (withCache) =>
    mysqlBackend({
      shards: config.shards,
      buckets: config.buckets,
      ranges: config.ranges,
      redis: withCache && config.redis ? config.redis : undefined,
    });
}

/** parseArgs: `kvetch <command>` plus options; usage errors say which argument was wrong. */
function parseArgs(argv: readonly string[]): ParsedArgs | "help" {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) return "help";
  const [group, command, ...rest] = argv;
  if (group === "deps") return parseDepsArgs(command, rest);
  if (group !== "kvetch") throw new UsageError(`unknown command group "${group}"; try: graphscale kvetch migrate|repair|stats`);
  if (command !== "migrate" && command !== "repair" && command !== "stats") {
    throw new UsageError(`unknown kvetch command "${command ?? ""}"; the commands are migrate, repair, stats`);
  }
  const parsed: ParsedArgs = { command, config: null, checkpoint: "kvetch-repair.checkpoint.json", batchSize: 500, queue: false, keys: [] };
  const given = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const option = rest[i]!;
    if (!option.startsWith("--")) throw new UsageError(`unexpected argument "${option}": ${command} takes options only`);
    // An option a command does not take is refused, not ignored: the operator meant something by it.
    if (OPTIONS[option] !== undefined && !OPTIONS[option]!.includes(command)) {
      throw new UsageError(`${option} is not an option of ${command}; ${command} takes ${optionsOf(command)}`);
    }
    given.add(option);
    if (option === "--queue") {
      parsed.queue = true;
      continue;
    }
    const value = rest[i + 1];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${option} needs a value`);
    i++;
    if (option === "--config") parsed.config = value;
    else if (option === "--checkpoint") parsed.checkpoint = value;
    else if (option === "--batch-size") {
      parsed.batchSize = Number(value);
      if (!Number.isInteger(parsed.batchSize) || parsed.batchSize < 1) throw new UsageError(`--batch-size must be a positive integer, got ${value}`);
    } else throw new UsageError(`unknown option ${option}`);
  }
  if (parsed.queue && given.has("--checkpoint")) {
    throw new UsageError("--checkpoint is not an option of repair --queue (draining the queue keeps no checkpoint); repair --queue takes --config, --batch-size");
  }
  return parsed;
}

/** The commands each option belongs to (spec/kvetch-storage.md §10). */
const OPTIONS: Record<string, readonly string[]> = {
  "--config": ["migrate", "repair", "stats"],
  "--checkpoint": ["repair"],
  "--batch-size": ["repair"],
  "--queue": ["repair"],
};

function optionsOf(command: string): string {
  return Object.keys(OPTIONS).filter((option) => OPTIONS[option]!.includes(command)).join(", ");
}

/** `deps invalidate <key>… [--config file]`. */
function parseDepsArgs(command: string | undefined, rest: readonly string[]): ParsedArgs {
  if (command !== "invalidate") throw new UsageError(`unknown deps command "${command ?? ""}"; the command is: graphscale deps invalidate <key>…`);
  const parsed: ParsedArgs = { command: "deps invalidate", config: null, checkpoint: "", batchSize: 0, queue: false, keys: [] };
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--config") {
      parsed.config = rest[++i] ?? null;
      if (parsed.config === null) throw new UsageError("--config needs a value");
    } else if (rest[i]!.startsWith("--")) throw new UsageError(`unknown option ${rest[i]}`);
    else parsed.keys.push(rest[i]!);
  }
  if (parsed.keys.length === 0) throw new UsageError("deps invalidate needs at least one dependency key, e.g. object:<id>");
  return parsed;
}

async function commandInvalidate(config: CliConfig, keys: readonly string[], out: NodeJS.WritableStream): Promise<void> {
  if (config.schema === null) throw new UsageError(`deps invalidate needs the schema (to name edges and indexes): set "schema" in the config or GRAPHSCALE_SCHEMA`);
  const schema = typeof config.schema === "string" ? await loadSchema(config.schema, config.readSdl) : config.schema;
  // A malformed key is the command line's fault: refused (exit 2) before anything is opened or bumped.
  for (let i = 0; i < keys.length; i++) {
    try {
      dependencyTag(schema, keys[i], `deps invalidate key ${i + 1}`);
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/^Kvetch: /, ""));
    }
  }
  const backend = config.backend(true);
  if (backend.redis === null) {
    throw new UsageError(
      `deps invalidate needs the shared Redis (set "redis" in the config or GRAPHSCALE_REDIS): without it the bump would stay in this process and reach no other`,
    );
  }
  await withStore(new Kvetch({ schema, backend }), async (kvetch) => {
    await redisReady(kvetch, "deps invalidate");
    await kvetch.invalidateDependency(...keys);
    await invalidationsApplied(kvetch, "deps invalidate: the invalidation was not applied; run the command again");
    out.write(`${JSON.stringify({ invalidated: keys })}\n`);
  });
}

function parseRedis(value: unknown, where: string): RedisConfig | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value === "string") {
    if (/^rediss?:\/\//.test(value)) return { url: value };
    return { cluster: value.split(",").map((seed) => seed.trim()).filter(Boolean) };
  }
  if (typeof value === "object") return value as RedisConfig;
  throw new UsageError(`${where}: redis must be a redis:// URL or { "cluster": ["host:port", ...] }`);
}

const MODULE_EXTENSIONS = new Set([".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]);

/** A schema path as configured: a module or annotated SDL, else refused before anything opens. */
function schemaPath(path: string, where: string): string {
  if (!MODULE_EXTENSIONS.has(extname(path)) && !SDL_FILE.test(path)) {
    throw new UsageError(`${where}: the schema ${path} is neither annotated SDL (.graphql, .gql) nor a module (.js, .mjs, .cjs, .ts, .mts, .cts)`);
  }
  return path;
}

function isBackend(value: unknown): value is KvetchBackend {
  const backend = value as KvetchBackend | null;
  return typeof backend === "object" && backend !== null && typeof backend.openShards === "function" && typeof backend.shardMap === "object";
}

/** loadConfigModule: a module whose default export or `backend` export is a KvetchBackend (or { backend, schema }). */
async function loadConfigModule(path: string, readSdl: SdlReader | null): Promise<CliConfig> {
  let module: Record<string, unknown>;
  try {
    module = await importUserModule(path, path);
  } catch (error) {
    throw new UsageError(`cannot load config module ${path}: ${(error as Error).message}`);
  }
  const fallback = module.default as Record<string, unknown> | undefined;
  const backend = [module.backend, fallback, fallback?.backend].find(isBackend);
  if (backend === undefined) {
    throw new UsageError(
      `${path} must export a KvetchBackend (memoryBackend(...), mysqlBackend(...) or your own) as its default export or as "backend"`,
    );
  }
  const schema = [module.schema, module.kvetchSchema, fallback?.schema, fallback?.kvetchSchema].find(
    (value) => typeof value === "string" || (typeof value === "object" && value !== null && typeof (value as KvetchSchema).objectType === "function"),
  ) ?? null;
  return {
    backend: () => backend,
    schema: typeof schema === "string" ? schemaPath(resolve(dirname(path), schema), path) : ((schema as KvetchSchema | null) ?? null),
    readSdl,
  };
}

/** loadConfig: --config file (JSON or a JS module), else GRAPHSCALE_* variables, else ./kvetch.config.json. */
async function loadConfig(configPath: string | null, env: NodeJS.ProcessEnv, cwd: string, readSdl: SdlReader | null): Promise<CliConfig> {
  let file = configPath;
  if (file === null && !env.GRAPHSCALE_SHARDS && existsSync(resolve(cwd, "kvetch.config.json"))) file = "kvetch.config.json";
  if (file !== null) {
    const path = resolve(cwd, file);
    if (MODULE_EXTENSIONS.has(extname(path))) {
      const config = await loadConfigModule(path, readSdl);
      if (config.schema === null && env.GRAPHSCALE_SCHEMA) config.schema = schemaPath(resolve(cwd, env.GRAPHSCALE_SCHEMA), "GRAPHSCALE_SCHEMA");
      return config;
    }
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`cannot read config ${path}: ${(error as Error).message}`);
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new UsageError(`${path}: the config must be a JSON object { "shards": [urls], ... }, got ${JSON.stringify(raw).slice(0, 40)}`);
    }
    if (!Array.isArray(raw.shards) || raw.shards.length === 0 || raw.shards.some((url) => typeof url !== "string")) {
      throw new UsageError(`${path}: "shards" must be a non-empty list of mysql:// URLs`);
    }
    return {
      backend: urlBackend({
        shards: raw.shards as string[],
        redis: parseRedis(raw.redis, path),
        buckets: raw.buckets === undefined ? undefined : Number(raw.buckets),
        ranges: raw.ranges as BucketRange[] | undefined,
      }),
      schema: typeof raw.schema === "string" ? schemaPath(resolve(dirname(path), raw.schema), path) : null,
      readSdl,
    };
  }
  if (!env.GRAPHSCALE_SHARDS) {
    throw new UsageError(
      "no shards configured: pass --config kvetch.config.json (or a JS module exporting a backend) or set GRAPHSCALE_SHARDS to comma-separated mysql:// URLs",
    );
  }
  return {
    backend: urlBackend({
      shards: env.GRAPHSCALE_SHARDS.split(",").map((url) => url.trim()).filter(Boolean),
      redis: parseRedis(env.GRAPHSCALE_REDIS, "GRAPHSCALE_REDIS"),
      buckets: env.GRAPHSCALE_BUCKETS ? Number(env.GRAPHSCALE_BUCKETS) : undefined,
      ranges: undefined,
    }),
    schema: env.GRAPHSCALE_SCHEMA ? schemaPath(resolve(cwd, env.GRAPHSCALE_SCHEMA), "GRAPHSCALE_SCHEMA") : null,
    readSdl,
  };
}

async function commandMigrate(config: CliConfig, out: NodeJS.WritableStream): Promise<void> {
  // With the configured schema migrate records it in the schema lock (spec/kvetch-storage.md §2.5); without, no lock is written.
  const schema = config.schema === null ? defineSchema({ objects: [] }) : typeof config.schema === "string" ? await loadSchema(config.schema, config.readSdl) : config.schema;
  await withStore(openStore(config, schema, false), async (kvetch) => {
    const report = await kvetch.migrate();
    const stats = await kvetch.stats();
    // Each shard's stored identity and the map version (spec/kvetch-storage.md §2.4), when the backend keeps them.
    const topology = storeOf.get(kvetch)?.topology ?? null;
    const idOf = new Map([...(topology?.positionOf ?? [])].map(([id, position]) => [position, id]));
    for (const shard of stats) {
      const id = idOf.get(shard.shard);
      const identity = topology === null || id === undefined ? "" : `: stored shard id ${id} of installation ${shortInstallation(topology.map.installation)}, shard map version ${topology.map.version}`;
      out.write(`migrated ${shard.label}${identity}\n`);
    }
    if (report !== null) out.write(`schema lock version ${report.schemaLockVersion}${report.backfill.length > 0 ? `; run \`graphscale kvetch repair\` to backfill ${report.backfill.join(", ")}` : ""}\n`);
  });
}

function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

async function commandStats(config: CliConfig, out: NodeJS.WritableStream): Promise<void> {
  await withStore(openStore(config, defineSchema({ objects: [] }), false), async (kvetch) => {
    const stats = await kvetch.stats();
    const rows = stats.map((s) => [String(s.shard), s.label.replace(/^shard \d+ \((.*)\)$/, "$1"), formatCount(s.objects), formatCount(s.edges), formatCount(s.indexEntries)]);
    const sum = (pick: (s: (typeof stats)[number]) => number): string => formatCount(stats.reduce((n, s) => n + pick(s), 0));
    rows.push(["total", "", sum((s) => s.objects), sum((s) => s.edges), sum((s) => s.indexEntries)]);
    const header = ["shard", "database", "objects", "edges", "index entries"];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    const line = (cells: string[]): string =>
      cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ") + "\n";
    out.write(line(header));
    for (const row of rows) out.write(line(row));
  });
}

/** MySQL's "Unknown database": the shards were never migrated (or the config names the wrong ones). */
const ER_BAD_DB_ERROR = 1049;

/** A usage error as one line: what was wrong, what to do, and where the usage is. */
export function usageLine(message: string, help: string): string {
  return `graphscale: ${message} (usage: ${help})\n`;
}

/**
 * runCli: runs one command; returns the exit code (0 ok, 1 failed, 2 usage). `readSdl` lets schemas be
 * annotated SDL (the `graphscale` bin passes it); without it only schema modules load.
 */
export async function runCli(
  argv: readonly string[],
  io: { env: NodeJS.ProcessEnv; cwd: string; out: NodeJS.WritableStream; err: NodeJS.WritableStream },
  readSdl: SdlReader | null = null,
): Promise<number> {
  try {
    if (argv[0] === "kvetch" && argv[1] === "reshard") return await commandReshard(argv.slice(2), io, (path, env, cwd) => loadConfig(path, env, cwd, readSdl));
    const args = parseArgs(argv);
    if (args === "help") {
      io.out.write(`${KVETCH_USAGE}\n`);
      return 0;
    }
    const config = await loadConfig(args.config, io.env, io.cwd, readSdl);
    if (args.command === "migrate") await commandMigrate(config, io.out);
    else if (args.command === "stats") await commandStats(config, io.out);
    else if (args.command === "deps invalidate") await commandInvalidate(config, args.keys, io.out);
    else await commandRepair(config, args, io.cwd, io.out, io.err);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(usageLine(error.message, "graphscale kvetch --help"));
      return 2;
    }
    // An operator's terminal: the cause chain (which shard, host and driver text) is printed too; never a stack.
    let text = error instanceof KvetchError ? error.message : error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
    let missingDatabase = (error as { errno?: unknown })?.errno === ER_BAD_DB_ERROR;
    for (let cause = (error as { cause?: unknown })?.cause, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
      text += `\n  cause: ${cause.message}`;
      missingDatabase ||= (cause as { errno?: unknown }).errno === ER_BAD_DB_ERROR;
    }
    if (missingDatabase) text += "\n  a shard database does not exist: run `graphscale kvetch migrate` with this config to create it";
    io.err.write(`graphscale: ${text}\n`);
    return 1;
  }
}
