// `graphscale kvetch repair`: a resumable full repair (checkpoint file, progress on stderr) or a drain of the
// repair queue. Never loses a checkpoint: it is written whole after every batch and deleted only when done.

import { accessSync, constants, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { KvetchError } from "./errors.js";
import type { KvetchRepairCheckpoint, KvetchRepairProgress, KvetchRepairReport } from "./repair.js";
import { UsageError, invalidationsApplied, loadSchema, openStore, redisReady, withStore } from "./cliStore.js";
import type { CliConfig, ParsedArgs } from "./cliStore.js";

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
    ...(a.claimsReleased !== undefined || b.claimsReleased !== undefined ? { claimsReleased: (a.claimsReleased ?? 0) + (b.claimsReleased ?? 0) } : {}),
  };
}

/** The checkpoint file's content, checked: what this command saves, or an Error saying what is wrong with it. */
function checkpointFile(raw: unknown): CheckpointFile {
  const file = raw as Partial<CheckpointFile> | null;
  if (typeof file !== "object" || file === null || Array.isArray(file)) throw new Error(`expected { "checkpoint", "report" }, got ${JSON.stringify(raw)}`);
  const checkpoint = file.checkpoint as Partial<KvetchRepairCheckpoint> | undefined;
  if (
    typeof checkpoint !== "object" || checkpoint === null ||
    !["objects", "edges", "index", "claims"].includes(checkpoint.phase as string) ||
    !Number.isInteger(checkpoint.shard) || checkpoint.shard! < 0 ||
    (checkpoint.after !== null && typeof checkpoint.after !== "string")
  ) {
    throw new Error(`"checkpoint" must be { "phase": "objects" | "edges" | "index" | "claims", "shard": n, "after": string | null }`);
  }
  const report = file.report as Record<string, unknown> | undefined;
  const bad = typeof report !== "object" || report === null ? "report" : Object.keys(ZERO_REPORT).find((name) => !Number.isInteger(report[name]) || (report[name] as number) < 0);
  if (bad !== undefined) throw new Error(`"${bad === "report" ? bad : `report.${bad}`}" must be ${bad === "report" ? "an object of counts" : "a non-negative integer"}`);
  return file as CheckpointFile;
}

/** Writes the file whole or not at all (temp file + rename), so a crash never leaves half a checkpoint. */
function saveCheckpoint(path: string, content: CheckpointFile): void {
  try {
    writeFileSync(`${path}.tmp`, JSON.stringify(content, null, 2));
    renameSync(`${path}.tmp`, path);
  } catch (error) {
    throw new Error(`cannot save checkpoint ${path}: ${(error as Error).message}; repair stopped (run it again to resume)`);
  }
}

/** A checkpoint repair could not save after its first batch is a usage error before anything runs. */
function checkCheckpointDirectory(path: string): void {
  const directory = dirname(path);
  let problem: string | null = null;
  try {
    if (!statSync(directory).isDirectory()) problem = "is not a directory";
    else accessSync(directory, constants.W_OK);
  } catch (error) {
    const code = (error as { code?: string }).code;
    problem = code === "ENOENT" ? "does not exist" : code === "EACCES" || code === "EPERM" ? "is not writable" : (error as Error).message;
  }
  if (problem !== null) throw new UsageError(`cannot write checkpoint ${path}: its directory ${directory} ${problem}`);
}

/** A resume position that is a checkpoint's shape but not one of this store (a shard it lacks, a malformed key). */
function badResume(error: unknown, path: string): UsageError | null {
  if (!(error instanceof KvetchError) || error.code !== "BAD_ARGUMENT" || !error.message.startsWith("Kvetch: repair resumeFrom ")) return null;
  const why = error.message.replace(/^Kvetch: repair resumeFrom /, "").replace(/; pass a checkpoint repair reported, or none$/, "");
  return new UsageError(`cannot resume from checkpoint ${path}: ${why}; delete it to start over`);
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
      const released = report.claimsReleased === undefined ? "" : `, -${report.claimsReleased} unique claims`;
      const fixes = `+${report.edgesAdded}/-${report.edgesRemoved} edges, +${report.indexAdded}/-${report.indexRemoved} index entries${released}`;
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

const STALE_AFTER_REPAIR = "repair: the rows are repaired, but the cache entries of the lists it changed may stay stale until they expire (redis.ttlSeconds)";

export async function commandRepair(config: CliConfig, args: ParsedArgs, cwd: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<void> {
  if (config.schema === null) {
    throw new UsageError(`repair needs the schema: set "schema" in the config file or GRAPHSCALE_SCHEMA to the module that exports it`);
  }
  const schema = typeof config.schema === "string" ? await loadSchema(config.schema, config.readSdl) : config.schema;
  if (args.queue) {
    await withStore(openStore(config, schema, true), async (kvetch) => {
      await redisReady(kvetch, "repair --queue");
      const { checkpoint: _none, ...totals } = await kvetch.repair({ queue: true, batchSize: args.batchSize });
      err.write(`repair --queue: ${totals.scanned} queued object(s) re-derived\n`);
      out.write(`${JSON.stringify(totals)}\n`);
      await invalidationsApplied(kvetch, STALE_AFTER_REPAIR);
    });
    return;
  }
  const checkpointPath = resolve(cwd, args.checkpoint);
  checkCheckpointDirectory(checkpointPath);
  let resume: CheckpointFile | null = null;
  if (existsSync(checkpointPath)) {
    try {
      resume = checkpointFile(JSON.parse(readFileSync(checkpointPath, "utf8")));
    } catch (error) {
      throw new UsageError(`cannot read checkpoint ${checkpointPath}: ${(error as Error).message}; delete it to start over`);
    }
    err.write(`repair: resuming from ${checkpointPath} (${resume.checkpoint.phase}, shard ${resume.checkpoint.shard})\n`);
  }
  const before = resume?.report ?? ZERO_REPORT;
  await withStore(openStore(config, schema, true), async (kvetch) => {
    await redisReady(kvetch, "repair");
    const stats = await kvetch.stats();
    const bar = progressBar(err, {
      objects: stats.reduce((n, s) => n + s.objects, 0),
      edges: stats.reduce((n, s) => n + s.edges, 0),
      index: stats.reduce((n, s) => n + s.indexEntries, 0),
      claims: 0, // not counted by stats: the bar stays full through the claims phase
    });
    const report = await kvetch
      .repair({
        batchSize: args.batchSize,
        resumeFrom: resume?.checkpoint ?? null,
        onProgress: (progress) => {
          if (progress.checkpoint !== null) saveCheckpoint(checkpointPath, { checkpoint: progress.checkpoint, report: addReports(before, progress.report) });
          bar.update(progress, before);
        },
      })
      .catch((error: unknown) => {
        throw (resume !== null && badResume(error, checkpointPath)) || error;
      });
    bar.finish();
    rmSync(checkpointPath, { force: true });
    const { checkpoint: _done, ...totals } = report;
    out.write(`${JSON.stringify(addReports(before, totals))}\n`);
    await invalidationsApplied(kvetch, STALE_AFTER_REPAIR);
  });
}
