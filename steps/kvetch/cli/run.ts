// runCommand: one `graphscale` command line — --version, --help (every command), `schema print` / `typegen`,
// and the store's commands (`kvetch ...`, `deps invalidate`) with annotated SDL readable as their schema.
// Returns the exit code (0 ok, 1 failed, 2 usage); never exits the process or prints a stack.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KVETCH_USAGE, runCli, usageLine } from "../../../src/kvetch/commandLine.js";
import { SCHEMA_USAGE, readSdlKvetchSchema, runSchemaCli } from "./schemaCommands.js";

export interface CommandIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

const OVERVIEW = `Usage: graphscale <command> [options]

Commands:
  schema print <schema>    the resolved SDL and the Kvetch schema its directives declare
  typegen <schema>         TypeScript types for the schema's plans
  kvetch migrate           create the shard databases and tables (idempotent)
  kvetch repair            restore missing and remove stale derived edges and index entries (resumable)
  kvetch stats             objects, edges and index entries per shard
  kvetch reshard           move buckets onto joined shards or off a removed one (--dry-run shows the plan)
  deps invalidate <key>…   bump dependency keys written by other programs

  --help, -h               this text (after a command: that command's usage)
  --version, -v            the installed graphscale version

A schema, for every command that takes one, is annotated SDL (.graphql, .gql) or a module: .js, .mjs, .cjs,
or .ts, .mts, .cts through your project's tsx (npm i -D tsx).`;

/** The version in the package.json of the graphscale package this file belongs to (dist/ or the sources). */
export function graphscaleVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "graphscale" && typeof pkg.version === "string") return pkg.version;
    }
    if (dirname(dir) === dir) return "unknown";
  }
}

/** The complete usage: the overview, then each command group's own. */
export function fullUsage(): string {
  return `graphscale ${graphscaleVersion()}\n\n${OVERVIEW}\n\n${SCHEMA_USAGE}\n\n${KVETCH_USAGE}\n`;
}

const COMMANDS = new Set(["schema", "typegen", "kvetch", "deps"]);

export async function runCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [first] = argv;
  if (first === "--version" || first === "-v" || first === "version") {
    io.out.write(`${graphscaleVersion()}\n`);
    return 0;
  }
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    io.out.write(fullUsage());
    return 0;
  }
  if (first === "schema" || first === "typegen") return runSchemaCli(argv, io);
  if (!COMMANDS.has(first)) {
    const what = first.startsWith("-") ? `unknown option ${first}` : `unknown command "${first}"`;
    io.err.write(usageLine(`${what}; the commands are schema print, typegen, kvetch migrate|repair|stats, deps invalidate`, "graphscale --help"));
    return 2;
  }
  return runCli(argv, io, readSdlKvetchSchema);
}
