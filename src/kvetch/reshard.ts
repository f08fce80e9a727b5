// reshard: online bucket moves (spec/kvetch-storage.md §11.3) — plan, copy, catch up, freeze the
// source's writes, catch up and verify row by row, switch the stored map, clean the source. Every step is
// journaled on a shard first, so a rerun resumes a killed move and `reverse` rolls it back until cleanup.
// Never switches a map whose moved rows did not verify equal; never cleans a source before its switch.

import type { ShardStore } from "./backend.js";
import { KvetchError } from "./errors.js";
import { cleanBuckets, copyBuckets, differences, diffBuckets } from "./moveCopy.js";
import type { MovableShard, MoveCounts } from "./moveCopy.js";
import { BUCKET_TABLES, bucketRowText, bucketSet } from "./moveRows.js";
import type { BucketPage, BucketSet } from "./moveRows.js";
import { decodeJournal, encodeJournal, planMoves, reverseJournal } from "./reshardPlan.js";
import type { BucketMove, MoveJournal, MovePhase, ReshardRequest } from "./reshardPlan.js";
import type { Store } from "./store.js";
import { adoptTopology, keepsTopology, newestMap, readTopology, writeTopology } from "./topology.js";
import type { TopologyMap } from "./topologyMap.js";

export interface ReshardOptions extends ReshardRequest {
  /** Plan only: the buckets, rows and bytes each shard pair would move; nothing is written. */
  dryRun?: boolean;
  /** Roll back the move in progress (before its cleanup): the same shards end up with the same rows as before. */
  reverse?: boolean;
  /** Rows per scan and per copy round trip (default 500). */
  batchSize?: number;
  /** Told after every copied page and every phase. */
  onProgress?: (progress: ReshardProgress) => void;
}

export interface ReshardProgress {
  phase: MovePhase | "plan" | "done";
  bucketsDone: number;
  bucketsTotal: number;
  rowsDone: number;
  rowsPerSecond: number;
  /** Estimated from the buckets left at the rate so far; null before the first bucket is done. */
  secondsLeft: number | null;
}

export interface ReshardReport {
  /** "planned" (dry run), "moved", "reversed", or "nothing" (the map already spreads the buckets so). */
  outcome: "planned" | "moved" | "reversed" | "nothing";
  fromVersion: number;
  toVersion: number;
  moves: { from: number; to: number; buckets: number; rows: number; bytes: number }[];
  /** Rows copied (a dry run: rows it would copy) and rows removed from the sources. */
  rowsCopied: number;
  rowsCleaned: number;
  /** Differences verify found before the switch (0 for every move that switched). */
  verifyDifferences: number;
}

const CATCH_UP_ROUNDS = 3;

interface Mover {
  store: Store;
  byId: Map<number, MovableShard>;
  positionOf: Map<number, number>;
  journalShard: MovableShard;
  journalText: string | null;
  batchSize: number;
  counts: MoveCounts;
  started: number;
  options: ReshardOptions;
}

/** reshard: runs (or resumes, or reverses) a bucket move on an open store. */
export async function reshard(store: Store, options: ReshardOptions = {}): Promise<ReshardReport> {
  const shards = store.shards.map((guard) => movableShard(guard));
  const answers = await readTopology(shards);
  const current = newestMap(answers);
  if (current === null) throw new KvetchError("BAD_CONFIG", "reshard: the shards hold no shard map yet; run `graphscale kvetch migrate` first");
  const byId = new Map<number, MovableShard>();
  const positionOf = new Map<number, number>();
  answers.forEach((answer, position) => {
    if (answer.identity !== null && answer.identity.installation === current.installation) {
      byId.set(answer.identity.shardId, shards[position]!);
      positionOf.set(answer.identity.shardId, position);
    }
  });
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new KvetchError("BAD_ARGUMENT", `reshard batchSize must be a positive integer, got ${batchSize}`);
  const found = await findJournal(shards);
  const mover: Mover = {
    store,
    byId,
    positionOf,
    journalShard: found?.shard ?? byId.get(Math.min(...current.shards))!,
    journalText: found?.text ?? null,
    batchSize,
    counts: { rows: 0, bytes: 0 },
    started: Date.now(),
    options,
  };
  let journal = found === null ? null : decodeJournal(found.text, `reshard: shard ${found.shard.shard}`);
  if (options.reverse === true) return reverseMove(mover, journal, current);
  if (journal !== null) {
    // A dry run during a move shows the move in progress and changes nothing.
    if (options.dryRun === true) return dryRun(mover, journal);
    const again = planMoves(journal.current, options);
    if (journal.reverse || encodeRanges(again.next) !== encodeRanges(journal.next)) {
      throw new KvetchError(
        "CONFLICT",
        `reshard: ${journal.reverse ? "a reversal" : "a move"} to shard map version ${journal.next.version} is in progress (phase ${journal.phase}); ` +
          `rerun the command that started it to finish it, or run reshard with --reverse to roll it back`,
      );
    }
  } else {
    const plan = planMoves(current, options);
    if (plan.moves.length === 0 && plan.next.shards.length === current.shards.length) return emptyReport(current);
    journal = { current, next: plan.next, moves: plan.moves, phase: "copy", copied: plan.moves.map(() => []), reverse: false };
    if (options.dryRun === true) return dryRun(mover, journal);
    await saveJournal(mover, journal);
  }
  return runMove(mover, journal, "moved");
}

function movableShard(shard: ShardStore): MovableShard {
  if (!keepsTopology(shard)) throw new KvetchError("BAD_CONFIG", `reshard: shard ${shard.shard} keeps no stored topology; this backend cannot move buckets`);
  const store = shard as Partial<MovableShard> & { shard: number };
  for (const method of ["scanBucketRows", "putBucketRows", "removeBucketRows", "readMoveJournal", "writeMoveJournal", "readBucketFence", "setBucketFence"] as const) {
    if (typeof store[method] !== "function") throw new KvetchError("BAD_CONFIG", `reshard: shard ${store.shard} has no ${method}; this backend cannot move buckets`);
  }
  return store as MovableShard;
}

function encodeRanges(map: TopologyMap): string {
  return JSON.stringify([map.shards, map.ranges]);
}

async function findJournal(shards: readonly MovableShard[]): Promise<{ shard: MovableShard; text: string } | null> {
  const texts = await Promise.all(shards.map((shard) => shard.readMoveJournal()));
  const at = texts.findIndex((text) => text !== null);
  return at < 0 ? null : { shard: shards[at]!, text: texts[at]! };
}

/** saveJournal: the journal's next state, compare-and-set on the text read or written last. */
async function saveJournal(mover: Mover, journal: MoveJournal | null): Promise<void> {
  const text = journal === null ? null : encodeJournal(journal);
  if (!(await mover.journalShard.writeMoveJournal(mover.journalText, text))) {
    throw new KvetchError("CONFLICT", `reshard: the move journal on shard ${mover.journalShard.shard} changed under this run: another reshard is running; let it finish`);
  }
  mover.journalText = text;
  // Tests stop a move here as a kill would (kvetchTestHooks).
  if (journal !== null) await mover.store.hooks.afterMoveJournal?.(journal.phase);
}

function setOf(journal: MoveJournal, move: BucketMove): BucketSet {
  return bucketSet(journal.current.buckets, move.buckets);
}

function shardOf(mover: Mover, id: number): MovableShard {
  const shard = mover.byId.get(id);
  if (shard === undefined) throw new KvetchError("BAD_CONFIG", `reshard: stored shard id ${id} is not in this configuration; add its URL and rerun`);
  return shard;
}

function progress(mover: Mover, journal: MoveJournal, phase: ReshardProgress["phase"], bucketsDone: number): void {
  const bucketsTotal = journal.moves.reduce((n, move) => n + move.buckets.length, 0);
  const seconds = Math.max((Date.now() - mover.started) / 1000, 0.001);
  const rate = mover.counts.rows / seconds;
  const secondsLeft = bucketsDone === 0 ? null : (seconds * (bucketsTotal - bucketsDone)) / bucketsDone;
  mover.options.onProgress?.({ phase, bucketsDone, bucketsTotal, rowsDone: mover.counts.rows, rowsPerSecond: rate, secondsLeft });
}

/** runMove: the phases from the journal's one to the end (spec §11.3). */
async function runMove(mover: Mover, journal: MoveJournal, outcome: "moved" | "reversed"): Promise<ReshardReport> {
  const { batchSize } = mover;
  let verifyDifferences = 0;
  if (journal.phase === "copy") {
    let bucketsDone = 0;
    for (let m = 0; m < journal.moves.length; m++) {
      const move = journal.moves[m]!;
      const source = shardOf(mover, move.from);
      const target = shardOf(mover, move.to);
      for (const table of BUCKET_TABLES) {
        if (journal.copied[m]!.includes(table)) continue;
        await copyBuckets(source, target, table, setOf(journal, move), batchSize, mover.counts, () => progress(mover, journal, "copy", bucketsDone));
        journal.copied[m]!.push(table);
        await saveJournal(mover, journal);
      }
      bucketsDone += move.buckets.length;
      progress(mover, journal, "copy", bucketsDone);
    }
    journal.phase = "catchUp";
    await saveJournal(mover, journal);
  }
  if (journal.phase === "catchUp") {
    // Writes keep landing on the sources: each round copies what changed since the last one read it.
    for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
      let found = 0;
      for (const move of journal.moves) {
        found += differences(await diffBuckets(shardOf(mover, move.from), shardOf(mover, move.to), setOf(journal, move), batchSize, true));
      }
      progress(mover, journal, "catchUp", 0);
      if (found === 0) break;
    }
    journal.phase = "frozen";
    await saveJournal(mover, journal);
  }
  if (journal.phase === "frozen") {
    verifyDifferences = await switchMove(mover, journal);
    journal.phase = "switched";
    await saveJournal(mover, journal);
  }
  const cleaned: MoveCounts = { rows: 0, bytes: 0 };
  if (journal.phase === "switched") {
    for (const move of journal.moves) await cleanBuckets(shardOf(mover, move.from), setOf(journal, move), batchSize, cleaned);
    journal.phase = "cleaned";
    await saveJournal(mover, journal);
  }
  await saveJournal(mover, null);
  const total = journal.moves.reduce((n, move) => n + move.buckets.length, 0);
  progress(mover, journal, "done", total);
  return {
    outcome,
    fromVersion: journal.current.version,
    toVersion: journal.next.version,
    moves: journal.moves.map(({ from, to, buckets }) => ({ from, to, buckets: buckets.length, rows: 0, bytes: 0 })),
    rowsCopied: mover.counts.rows,
    rowsCleaned: cleaned.rows,
    verifyDifferences,
  };
}

/**
 * switchMove: freezes the sources' writes to the moving buckets, waits out the
 * writes already admitted, catches up the last changes, verifies every moved row, then has the targets serve
 * the buckets, stores the new map (the switch), and has the sources refuse them. Returns the differences
 * verify found (0). A verify that finds any unfreezes and fails, leaving the move in catch-up for a rerun.
 */
async function switchMove(mover: Mover, journal: MoveJournal): Promise<number> {
  const { current, next } = journal;
  const stored = newestMap(await readTopology([...mover.byId.values()]));
  if (stored !== null && stored.version >= next.version) {
    // Killed after the map was stored: only the fences are left to set.
    await fenceAfterSwitch(mover, journal);
    return 0;
  }
  const sources = [...new Set(journal.moves.map((move) => move.from))];
  for (const id of sources) {
    const frozen = journal.moves.filter((move) => move.from === id).flatMap((move) => move.buckets);
    await shardOf(mover, id).setBucketFence({ shard: id, version: current.version, ranges: current.ranges, frozen });
  }
  let found = 0;
  for (const move of journal.moves) {
    const source = shardOf(mover, move.from);
    const target = shardOf(mover, move.to);
    await diffBuckets(source, target, setOf(journal, move), mover.batchSize, true);
    found += differences(await diffBuckets(source, target, setOf(journal, move), mover.batchSize, false));
  }
  progress(mover, journal, "frozen", 0);
  if (found > 0) {
    for (const id of sources) await shardOf(mover, id).setBucketFence({ shard: id, version: current.version, ranges: current.ranges, frozen: [] });
    journal.phase = "catchUp";
    await saveJournal(mover, journal);
    throw new KvetchError("CONFLICT", `reshard: verify found ${found} moved row(s) that differ from the source while its writes were frozen; nothing was switched — rerun to catch up again`);
  }
  // The switch: the sources refuse the buckets before the map is stored, so no process reads a source after a
  // write reached its target; a process they refuse reads the topology again until it finds the new version.
  await switchFences(mover, journal);
  await writeTopology((id) => shardOf(mover, id), current, next);
  adoptTopology(mover.store, { map: next, positionOf: mover.positionOf });
  return found;
}

/** switchFences: the targets serve the new map, then the sources do (refusing the moved buckets, unfrozen). */
async function switchFences(mover: Mover, journal: MoveJournal): Promise<void> {
  const { next } = journal;
  const ids = new Set([...journal.moves.map((move) => move.to), ...journal.moves.map((move) => move.from)]);
  for (const id of ids) await shardOf(mover, id).setBucketFence({ shard: id, version: next.version, ranges: next.ranges, frozen: [] });
}

/** After the stored switch (a rerun, or a reversal): every shard of the move serves the new map, and this process places by it. */
async function fenceAfterSwitch(mover: Mover, journal: MoveJournal): Promise<void> {
  await switchFences(mover, journal);
  adoptTopology(mover.store, { map: journal.next, positionOf: mover.positionOf });
}

/** reverseMove: rolls back the move in progress — before its switch by dropping the copies, after it by a move back. */
async function reverseMove(mover: Mover, journal: MoveJournal | null, stored: TopologyMap): Promise<ReshardReport> {
  if (journal === null) throw new KvetchError("BAD_ARGUMENT", "reshard --reverse: no move is in progress; a finished move is undone by another reshard");
  if (journal.reverse) return runMove(mover, journal, "reversed");
  if (journal.phase === "cleaned") throw new KvetchError("BAD_ARGUMENT", "reshard --reverse: the move already cleaned its sources; rerun it to finish, then reshard back");
  const switched = journal.phase === "switched" || stored.version >= journal.next.version;
  if (switched) {
    if (journal.phase !== "switched") await fenceAfterSwitch(mover, journal);
    const back = reverseJournal(journal);
    await saveJournal(mover, back);
    return runMove(mover, back, "reversed");
  }
  const { current } = journal;
  for (const id of new Set(journal.moves.map((move) => move.from))) {
    await shardOf(mover, id).setBucketFence({ shard: id, version: current.version, ranges: current.ranges, frozen: [] });
  }
  const cleaned: MoveCounts = { rows: 0, bytes: 0 };
  for (const move of journal.moves) await cleanBuckets(shardOf(mover, move.to), setOf(journal, move), mover.batchSize, cleaned);
  await saveJournal(mover, null);
  return { ...emptyReport(current), outcome: "reversed", toVersion: journal.next.version, rowsCleaned: cleaned.rows };
}

function emptyReport(current: TopologyMap): ReshardReport {
  return { outcome: "nothing", fromVersion: current.version, toVersion: current.version, moves: [], rowsCopied: 0, rowsCleaned: 0, verifyDifferences: 0 };
}

/** dryRun: the plan with the rows and bytes of each shard pair's buckets, read but not copied. */
async function dryRun(mover: Mover, journal: MoveJournal): Promise<ReshardReport> {
  const moves: ReshardReport["moves"] = [];
  for (const move of journal.moves) {
    const source = shardOf(mover, move.from);
    const counts: MoveCounts = { rows: 0, bytes: 0 };
    for (const table of BUCKET_TABLES) {
      let after: string | null = null;
      for (;;) {
        const page: BucketPage<typeof table> = await source.scanBucketRows(table, setOf(journal, move), after, mover.batchSize);
        counts.rows += page.rows.length;
        for (const row of page.rows) counts.bytes += bucketRowText(table, row).length;
        if (page.next === null) break;
        after = page.next;
      }
    }
    moves.push({ from: move.from, to: move.to, buckets: move.buckets.length, rows: counts.rows, bytes: counts.bytes });
  }
  progress(mover, journal, "plan", 0);
  const rowsCopied = moves.reduce((n, move) => n + move.rows, 0);
  return { outcome: "planned", fromVersion: journal.current.version, toVersion: journal.next.version, moves, rowsCopied, rowsCleaned: 0, verifyDifferences: 0 };
}
