// The `graphscale kvetch migrate|repair|stats` commands (run by cli.ts). The store comes from a config: a JSON
// file or the environment naming MySQL shard URLs and Redis, or a JS module exporting any KvetchBackend.
// Progress goes to stderr, results to stdout. Never prints connection credentials; never loses a repair's checkpoint.

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { KvetchBackend, RedisConfig } from "./backend.js";
import { KvetchError } from "./errors.js";
import { Kvetch } from "./kvetch.js";
import { mysqlBackend } from "./mysql.js";
import type { KvetchRepairCheckpoint, KvetchRepairProgress, KvetchRepairReport } from "./repair.js";
import { defineSchema } from "./schema.js";
import type { KvetchSchema } from "./schema.js";
import type { BucketRange } from "./shard.js";

const USAGE = `Usage: graphscale kvetch <command> [options]

Commands (also: graphscale deps invalidate <key>… — bump dependency keys written by other programs):
  migrate   create the shard databases and tables (idempotent)
  repair    restore missing and remove stale derived edges and index entries (resumable)
  stats     print objects, edges and index entries per shard

Options:
  --config <file>       JSON config: { "shards": [urls], "redis": url | { "cluster": [...] },
                        "buckets": n, "schema": "path/to/schema-module" } (paths relative to the file);
                        or a JS module (.js, .mjs, .cjs) whose default export, or "backend" export, is any
                        KvetchBackend (memoryBackend, mysqlBackend or your own), with an optional "schema"
                        export (the defineSchema result, or a module path)
  --checkpoint <file>   repair: checkpoint file (default kvetch-repair.checkpoint.json); resumed when present
  --batch-size <n>      repair: rows per scan query (default 500)
  --queue               repair: only drain the repair queue (objects whose writes could not finish their
                        derived rows); fast, run it often. A full repair heals those too
  --help                this text

Without --config: GRAPHSCALE_SHARDS (comma-separated mysql:// URLs), GRAPHSCALE_REDIS (a redis:// URL, or
comma-separated host:port Cluster seeds), GRAPHSCALE_BUCKETS, GRAPHSCALE_SCHEMA (schema module path),
or ./kvetch.config.json when it exists.`;

/** Everything the commands need, from a file, a module or the environment. */
interface CliConfig {
  /** The backend to open; `withCache` false asks URL configs to leave Redis out (migrate, stats). */
  backend(withCache: boolean): KvetchBackend;
  /** The schema, or the absolute path of its module, or null when none was configured. */
  schema: KvetchSchema | string | null;
}

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

class UsageError extends Error {}

interface ParsedArgs {
  command: string;
  config: string | null;
  checkpoint: string;
  batchSize: number;
  queue: boolean;
  /** deps invalidate: the dependency keys. */
  keys: string[];
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
  for (let i = 0; i < rest.length; i++) {
    const option = rest[i]!;
    if (option === "--queue" && command === "repair") {
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
  return parsed;
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
  const schema = typeof config.schema === "string" ? await loadSchema(config.schema) : config.schema;
  const kvetch = openStore(config, schema, true);
  try {
    await kvetch.invalidateDependency(...keys);
    out.write(`${JSON.stringify({ invalidated: keys })}\n`);
  } finally {
    await kvetch.close();
  }
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

function isBackend(value: unknown): value is KvetchBackend {
  const backend = value as KvetchBackend | null;
  return typeof backend === "object" && backend !== null && typeof backend.openShards === "function" && typeof backend.shardMap === "object";
}

/** loadConfigModule: a module whose default export or `backend` export is a KvetchBackend (or { backend, schema }). */
async function loadConfigModule(path: string): Promise<CliConfig> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
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
  const schema = module.schema ?? fallback?.schema ?? null;
  return {
    backend: () => backend,
    schema: typeof schema === "string" ? resolve(dirname(path), schema) : ((schema as KvetchSchema | null) ?? null),
  };
}

/** loadConfig: --config file (JSON or a JS module), else GRAPHSCALE_* variables, else ./kvetch.config.json. */
async function loadConfig(configPath: string | null, env: NodeJS.ProcessEnv, cwd: string): Promise<CliConfig> {
  let file = configPath;
  if (file === null && !env.GRAPHSCALE_SHARDS && existsSync(resolve(cwd, "kvetch.config.json"))) file = "kvetch.config.json";
  if (file !== null) {
    const path = resolve(cwd, file);
    if (MODULE_EXTENSIONS.has(extname(path))) {
      const config = await loadConfigModule(path);
      if (config.schema === null && env.GRAPHSCALE_SCHEMA) config.schema = resolve(cwd, env.GRAPHSCALE_SCHEMA);
      return config;
    }
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`cannot read config ${path}: ${(error as Error).message}`);
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
      schema: typeof raw.schema === "string" ? resolve(dirname(path), raw.schema) : null,
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
    schema: env.GRAPHSCALE_SCHEMA ? resolve(cwd, env.GRAPHSCALE_SCHEMA) : null,
  };
}

/** loadSchema: the module's `schema` export, or its default export. */
async function loadSchema(path: string): Promise<KvetchSchema> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot load schema module ${path}: ${(error as Error).message}`);
  }
  const schema = (module.schema ?? module.default) as KvetchSchema | undefined;
  if (!schema || typeof schema.objectType !== "function") {
    throw new UsageError(`${path} must export the result of defineSchema as "schema" or as its default export`);
  }
  return schema;
}

function openStore(config: CliConfig, schema: KvetchSchema, withCache: boolean): Kvetch {
  return new Kvetch({ schema, backend: config.backend(withCache) });
}

async function commandMigrate(config: CliConfig, out: NodeJS.WritableStream): Promise<void> {
  const kvetch = openStore(config, defineSchema({ objects: [] }), false);
  try {
    await kvetch.migrate();
    const stats = await kvetch.stats();
    for (const shard of stats) out.write(`migrated ${shard.label}\n`);
  } finally {
    await kvetch.close();
  }
}

function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

async function commandStats(config: CliConfig, out: NodeJS.WritableStream): Promise<void> {
  const kvetch = openStore(config, defineSchema({ objects: [] }), false);
  try {
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
  } finally {
    await kvetch.close();
  }
}

interface CheckpointFile {
  checkpoint: KvetchRepairCheckpoint;
  /** Totals of the runs that led to this checkpoint. */
  report: Omit<KvetchRepairReport, "checkpoint">;
}

const ZERO_REPORT = { scanned: 0, checked: 0, edgesAdded: 0, edgesRemoved: 0, indexAdded: 0, indexRemoved: 0 };

function addReports(a: Omit<KvetchRepairReport, "checkpoint">, b: Omit<KvetchRepairReport, "checkpoint">): Omit<KvetchRepairReport, "checkpoint"> {
  return {
    scanned: a.scanned + b.scanned,
    checked: a.checked + b.checked,
    edgesAdded: a.edgesAdded + b.edgesAdded,
    edgesRemoved: a.edgesRemoved + b.edgesRemoved,
    indexAdded: a.indexAdded + b.indexAdded,
    indexRemoved: a.indexRemoved + b.indexRemoved,
  };
}

/** Writes the file whole or not at all (temp file + rename), so a crash never leaves half a checkpoint. */
function saveCheckpoint(path: string, content: CheckpointFile): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(content, null, 2));
  renameSync(`${path}.tmp`, path);
}

/**
 * progressBar: one line redrawn in place on a terminal; elsewhere one line per phase and shard.
 * Progress is rows read over the rows `stats` counted before the run (objects, then edges, then entries).
 */
function progressBar(err: NodeJS.WriteStream | NodeJS.WritableStream, totals: Record<KvetchRepairProgress["phase"], number>) {
  const tty = "isTTY" in err && err.isTTY === true;
  const grand = totals.objects + totals.edges + totals.index;
  let done = 0;
  let lastLabel = "";
  return {
    update(progress: KvetchRepairProgress, before: Omit<KvetchRepairReport, "checkpoint">): void {
      done += progress.rows;
      const label = `${progress.phase} shard ${progress.shard + 1}/${progress.shards}`;
      const report = addReports(before, progress.report);
      const fixes = `+${report.edgesAdded}/-${report.edgesRemoved} edges, +${report.indexAdded}/-${report.indexRemoved} index entries`;
      if (tty) {
        const ratio = grand === 0 ? 1 : Math.min(1, done / grand);
        const width = 24;
        const filled = Math.round(ratio * width);
        const bar = "#".repeat(filled) + "-".repeat(width - filled);
        err.write(`\r[${bar}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${label}  ${fixes}\u001b[K`);
      } else if (label !== lastLabel) {
        err.write(`repair: ${label} (${fixes})\n`);
      }
      lastLabel = label;
    },
    finish(): void {
      if (tty) err.write("\n");
    },
  };
}

async function commandRepair(config: CliConfig, args: ParsedArgs, cwd: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<void> {
  if (config.schema === null) {
    throw new UsageError(`repair needs the schema: set "schema" in the config file or GRAPHSCALE_SCHEMA to the module that exports it`);
  }
  const schema = typeof config.schema === "string" ? await loadSchema(config.schema) : config.schema;
  if (args.queue) {
    const kvetch = openStore(config, schema, true);
    try {
      const { checkpoint: _none, ...totals } = await kvetch.repair({ queue: true, batchSize: args.batchSize });
      err.write(`repair --queue: ${totals.scanned} queued object(s) re-derived\n`);
      out.write(`${JSON.stringify(totals)}\n`);
    } finally {
      await kvetch.close();
    }
    return;
  }
  const checkpointPath = resolve(cwd, args.checkpoint);
  let resume: CheckpointFile | null = null;
  if (existsSync(checkpointPath)) {
    try {
      resume = JSON.parse(readFileSync(checkpointPath, "utf8")) as CheckpointFile;
    } catch (error) {
      throw new UsageError(`cannot read checkpoint ${checkpointPath}: ${(error as Error).message}; delete it to start over`);
    }
    err.write(`repair: resuming from ${checkpointPath} (${resume.checkpoint.phase}, shard ${resume.checkpoint.shard})\n`);
  }
  const before = resume?.report ?? ZERO_REPORT;
  const kvetch = openStore(config, schema, true);
  try {
    const stats = await kvetch.stats();
    const bar = progressBar(err, {
      objects: stats.reduce((n, s) => n + s.objects, 0),
      edges: stats.reduce((n, s) => n + s.edges, 0),
      index: stats.reduce((n, s) => n + s.indexEntries, 0),
    });
    const report = await kvetch.repair({
      batchSize: args.batchSize,
      resumeFrom: resume?.checkpoint ?? null,
      onProgress: (progress) => {
        if (progress.checkpoint !== null) saveCheckpoint(checkpointPath, { checkpoint: progress.checkpoint, report: addReports(before, progress.report) });
        bar.update(progress, before);
      },
    });
    bar.finish();
    rmSync(checkpointPath, { force: true });
    const { checkpoint: _done, ...totals } = report;
    out.write(`${JSON.stringify(addReports(before, totals))}\n`);
  } finally {
    await kvetch.close();
  }
}

/** runCli: runs one command; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runCli(
  argv: readonly string[],
  io: { env: NodeJS.ProcessEnv; cwd: string; out: NodeJS.WritableStream; err: NodeJS.WritableStream },
): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args === "help") {
      io.out.write(`${USAGE}\n`);
      return 0;
    }
    const config = await loadConfig(args.config, io.env, io.cwd);
    if (args.command === "migrate") await commandMigrate(config, io.out);
    else if (args.command === "stats") await commandStats(config, io.out);
    else if (args.command === "deps invalidate") await commandInvalidate(config, args.keys, io.out);
    else await commandRepair(config, args, io.cwd, io.out, io.err);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`graphscale: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    // An operator's terminal: the cause chain (which shard, host and driver text) is printed too.
    let text = error instanceof KvetchError ? error.message : String((error as Error)?.stack ?? error);
    for (let cause = (error as { cause?: unknown })?.cause, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
      text += `\n  cause: ${cause.message}`;
    }
    io.err.write(`graphscale: ${text}\n`);
    return 1;
  }
}
