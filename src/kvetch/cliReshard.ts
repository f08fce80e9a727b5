// `graphscale kvetch reshard`: moves buckets onto joined shards, off a removed one, or back (--reverse), with a
// plan first (--dry-run) and progress on stderr; the report goes to stdout as JSON. Never prints credentials;
// never starts a move while another is in progress (reshard refuses, naming how to finish or roll it back).

import type { CliConfig } from "./cliStore.js";
import { UsageError, openStore, withStore } from "./cliStore.js";
import type { ReshardProgress, ReshardReport } from "./reshard.js";
import { defineSchema } from "./schema.js";

export const RESHARD_USAGE = `Usage: graphscale kvetch reshard [options]

Spreads the buckets evenly over the member shards: run \`graphscale kvetch migrate\` with the new shard's URL
added to the config first (it joins, owning nothing), then reshard. Whole buckets move online: copy, catch up,
verify row by row, switch the stored map, clean the source. A move stopped at any point resumes when the same
command runs again.

Options:
  --config <file>       as for the other commands
  --remove <ids>        empty these stored shard ids (comma-separated) and drop them from the map; remove
                        them from the config afterwards
  --dry-run             print the plan (buckets, rows and bytes per shard pair) and change nothing
  --reverse             roll back the move in progress (until its cleanup)
  --batch-size <n>      rows per scan and copy round trip (default 500)`;

interface ReshardArgs {
  config: string | null;
  remove: number[];
  dryRun: boolean;
  reverse: boolean;
  batchSize: number;
}

function parseReshardArgs(argv: readonly string[]): ReshardArgs | "help" {
  const args: ReshardArgs = { config: null, remove: [], dryRun: false, reverse: false, batchSize: 500 };
  for (let i = 0; i < argv.length; i++) {
    const option = argv[i]!;
    if (option === "--help" || option === "-h") return "help";
    if (option === "--dry-run") args.dryRun = true;
    else if (option === "--reverse") args.reverse = true;
    else if (option === "--config" || option === "--remove" || option === "--batch-size") {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`${option} needs a value`);
      if (option === "--config") args.config = value;
      else if (option === "--batch-size") {
        args.batchSize = Number(value);
        if (!Number.isInteger(args.batchSize) || args.batchSize < 1) throw new UsageError(`--batch-size must be a positive integer, got ${value}`);
      } else {
        args.remove = value.split(",").map((id) => Number(id.trim()));
        if (args.remove.some((id) => !Number.isInteger(id) || id < 0)) throw new UsageError(`--remove takes stored shard ids (non-negative integers, comma-separated), got ${value}`);
      }
    } else throw new UsageError(`${option.startsWith("--") ? `${option} is not an option of reshard` : `unexpected argument "${option}"`}; reshard takes --config, --remove, --dry-run, --reverse, --batch-size`);
  }
  if (args.reverse && (args.dryRun || args.remove.length > 0)) throw new UsageError("--reverse rolls back the move in progress and takes no --dry-run or --remove");
  return args;
}

const count = (n: number): string => Math.round(n).toLocaleString("en-US");

/** A progress line: at every phase change, and at most every half second within one. */
function progressPrinter(err: NodeJS.WritableStream): (progress: ReshardProgress) => void {
  let phase = "";
  let printed = 0;
  return (progress) => {
    const now = Date.now();
    if (progress.phase === phase && now - printed < 500) return;
    phase = progress.phase;
    printed = now;
    const left = progress.secondsLeft === null ? "" : `, about ${Math.ceil(progress.secondsLeft)} s left`;
    err.write(
      `reshard ${progress.phase}: ${progress.bucketsDone}/${progress.bucketsTotal} buckets, ${count(progress.rowsDone)} rows, ` +
        `${count(progress.rowsPerSecond)} rows/s${left}\n`,
    );
  };
}

function printPlan(report: ReshardReport, err: NodeJS.WritableStream): void {
  err.write(`plan: shard map version ${report.fromVersion} -> ${report.toVersion}\n`);
  for (const move of report.moves) {
    err.write(`  shard ${move.from} -> shard ${move.to}: ${move.buckets} buckets, ${count(move.rows)} rows, ${count(move.bytes)} bytes\n`);
  }
}

/** commandReshard: `kvetch reshard …` (argv after "reshard"); the exit code, or a UsageError thrown. */
export async function commandReshard(
  argv: readonly string[],
  io: { env: NodeJS.ProcessEnv; cwd: string; out: NodeJS.WritableStream; err: NodeJS.WritableStream },
  loadConfig: (configPath: string | null, env: NodeJS.ProcessEnv, cwd: string) => Promise<CliConfig>,
): Promise<number> {
  const args = parseReshardArgs(argv);
  if (args === "help") {
    io.out.write(`${RESHARD_USAGE}\n`);
    return 0;
  }
  const config = await loadConfig(args.config, io.env, io.cwd);
  // Cache entries are named by id, never by shard: a move leaves them right, so the store opens without Redis.
  await withStore(openStore(config, defineSchema({ objects: [] }), false), async (kvetch) => {
    const report = await kvetch.reshard({
      remove: args.remove,
      dryRun: args.dryRun,
      reverse: args.reverse,
      batchSize: args.batchSize,
      onProgress: args.dryRun ? undefined : progressPrinter(io.err),
    });
    if (report.outcome === "planned") printPlan(report, io.err);
    if (report.outcome === "nothing") io.err.write(`the buckets are already spread over the members of shard map version ${report.fromVersion}; nothing to move\n`);
    io.out.write(`${JSON.stringify(report)}\n`);
  });
  return 0;
}
