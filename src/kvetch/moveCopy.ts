// The row work of a bucket move (spec/kvetch-storage.md §11.3): copyBuckets (every table's rows of the moving
// buckets, source to target, page by page), diffBuckets (both sides scanned in key order and compared row by
// row, as Vitess's VDiff does: catch-up fixes the target, verify only counts) and cleanBuckets (the source's
// rows once the map has switched). Never writes a row to the source before cleanup; never decides a phase.

import { BUCKET_TABLES, bucketRowKey, bucketRowText } from "./moveRows.js";
import type { BucketSet, BucketTable, BucketTableRows, ShardMoves } from "./moveRows.js";
import type { BucketPage } from "./moveRows.js";
import type { TopologyShard } from "./topology.js";

/** A shard a move can use: the contract, the stored topology and the bucket-move methods. */
export type MovableShard = TopologyShard & Required<ShardMoves>;

/** Rows and data a step has handled so far (progress and the report count these). */
export interface MoveCounts {
  rows: number;
  bytes: number;
}

/** One side of a diff: a table's rows of a bucket set on one shard, read a page at a time in key order. */
class BucketStream<T extends BucketTable> {
  private rows: BucketTableRows[T][] = [];
  private at = 0;
  private after: string | null = null;
  private done = false;

  constructor(
    private readonly shard: MovableShard,
    private readonly table: T,
    private readonly set: BucketSet,
    private readonly pageSize: number,
  ) {}

  /** The next row, or null at the end (reads a page when the last one is used up). */
  async peek(): Promise<BucketTableRows[T] | null> {
    while (this.at >= this.rows.length) {
      if (this.done) return null;
      const page = await this.shard.scanBucketRows(this.table, this.set, this.after, this.pageSize);
      this.rows = page.rows;
      this.at = 0;
      this.after = page.next;
      if (page.next === null) this.done = true;
    }
    return this.rows[this.at]!;
  }

  take(): void {
    this.at++;
  }
}

/** copyBuckets: one table's rows of the set, from source to target, a page at a time. */
export async function copyBuckets<T extends BucketTable>(
  source: MovableShard,
  target: MovableShard,
  table: T,
  set: BucketSet,
  pageSize: number,
  counts: MoveCounts,
  onPage: () => void,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const page: BucketPage<T> = await source.scanBucketRows(table, set, after, pageSize);
    if (page.rows.length > 0) {
      await target.putBucketRows(table, page.rows);
      counts.rows += page.rows.length;
      for (const row of page.rows) counts.bytes += bucketRowText(table, row).length;
      onPage();
    }
    if (page.next === null) return;
    after = page.next;
  }
}

/** What diffBuckets found: rows missing on the target or different there, and rows only the target has. */
export interface BucketDiff {
  compared: number;
  missing: number;
  different: number;
  extra: number;
}

/**
 * diffBuckets: every table's rows of the set on source and target, merged in key order and compared as
 * bucketRowText. With `fix`, the target is made equal to the source as it was read (catch-up); without, it
 * only counts (verify). Fixes are written a page at a time.
 */
export async function diffBuckets(source: MovableShard, target: MovableShard, set: BucketSet, pageSize: number, fix: boolean): Promise<BucketDiff> {
  const diff: BucketDiff = { compared: 0, missing: 0, different: 0, extra: 0 };
  for (const table of BUCKET_TABLES) await diffTable(source, target, table, set, pageSize, fix, diff);
  return diff;
}

async function diffTable<T extends BucketTable>(
  source: MovableShard,
  target: MovableShard,
  table: T,
  set: BucketSet,
  pageSize: number,
  fix: boolean,
  diff: BucketDiff,
): Promise<void> {
  const from = new BucketStream(source, table, set, pageSize);
  const to = new BucketStream(target, table, set, pageSize);
  let puts: BucketTableRows[T][] = [];
  let removes: BucketTableRows[T][] = [];
  const flush = async (): Promise<void> => {
    if (!fix) return;
    if (puts.length > 0) await target.putBucketRows(table, puts);
    if (removes.length > 0) await target.removeBucketRows(table, removes);
    puts = [];
    removes = [];
  };
  for (;;) {
    const a = await from.peek();
    const b = await to.peek();
    if (a === null && b === null) break;
    const order = a === null ? 1 : b === null ? -1 : compareKeys(bucketRowKey(table, a), bucketRowKey(table, b));
    if (order < 0) {
      diff.missing++;
      puts.push(a!);
      from.take();
    } else if (order > 0) {
      diff.extra++;
      removes.push(b!);
      to.take();
    } else {
      diff.compared++;
      if (bucketRowText(table, a!) !== bucketRowText(table, b!)) {
        diff.different++;
        puts.push(a!);
      }
      from.take();
      to.take();
    }
    if (puts.length + removes.length >= pageSize) await flush();
  }
  await flush();
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** cleanBuckets: removes every table's rows of the set from a shard (the source after the switch). */
export async function cleanBuckets(shard: MovableShard, set: BucketSet, pageSize: number, counts: MoveCounts): Promise<void> {
  for (const table of BUCKET_TABLES) {
    // On from each page's last scanned key: a page may hold no row of the set (MySQL scans every bucket's rows
    // in key order and skips the others), so starting over would scan the same page forever.
    for (let after: string | null = null; ; ) {
      const page: BucketPage<typeof table> = await shard.scanBucketRows(table, set, after, pageSize);
      if (page.rows.length > 0) counts.rows += await shard.removeBucketRows(table, page.rows);
      if (page.next === null) break;
      after = page.next;
    }
  }
}

/** The number of differences in a diff. */
export function differences(diff: BucketDiff): number {
  return diff.missing + diff.different + diff.extra;
}
