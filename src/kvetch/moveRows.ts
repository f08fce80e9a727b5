// Bucket rows: what a bucket move copies, verifies and cleans — every table whose rows are placed by a bucket
// (spec/kvetch-storage.md §11), each row's scan key (the order both backends scan in) and its bucket.
// Pure: computes keys, buckets and comparable texts; never does I/O and never places a row on a shard.

import type { BucketSet, BucketTable, BucketTableRows, EdgeCountRow, EdgeRow, IdempotencyKeyRow, IndexRow, ObjectRow, RepairEntry, UniqueClaimRow } from "./backend.js";
import { fnv1a32, hashOfId, hashOfIndexEntry } from "./shard.js";

export type { BucketFenceSetting, BucketPage, BucketSet, BucketTable, BucketTableRows, EdgeCountRow, ShardMoves } from "./backend.js";

/** Every table a move copies, in the order it copies them (objects first: the rows others are derived from). */
export const BUCKET_TABLES: readonly BucketTable[] = ["objects", "edges", "edgeCounts", "indexEntries", "uniqueClaims", "repairQueue", "idempotencyKeys"];

/** bucketSet: the set of these buckets out of `buckets`. */
export function bucketSet(buckets: number, list: readonly number[]): BucketSet {
  const members = new Uint8Array(buckets);
  for (const bucket of list) members[bucket] = 1;
  return { buckets, members };
}

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/**
 * bucketRowKey: a row's scan key — text whose order is its table's primary key order on MySQL (ids and hashes
 * are fixed-width hex, numbers zero-padded), so a memory shard and a MySQL shard scan one table alike.
 */
export function bucketRowKey<T extends BucketTable>(table: T, row: BucketTableRows[T]): string {
  switch (table) {
    case "objects":
      return (row as ObjectRow).id;
    case "edges": {
      const edge = row as EdgeRow;
      return `${edge.fromId}/${pad(edge.edgeId, 10)}/${edge.toId}`;
    }
    case "edgeCounts": {
      const count = row as EdgeCountRow;
      return `${count.fromId}/${pad(count.edgeId, 10)}`;
    }
    case "indexEntries": {
      const entry = row as IndexRow;
      return `${pad(entry.indexId, 10)}/${entry.valueHash}/${entry.targetId}`;
    }
    case "uniqueClaims": {
      const claim = row as UniqueClaimRow;
      return `${pad(claim.indexId, 10)}/${claim.valueHash}`;
    }
    case "repairQueue": {
      const entry = row as RepairEntry;
      return `${entry.id}/${pad(entry.seq, 20)}`;
    }
    default:
      return (row as IdempotencyKeyRow).keyHash;
  }
}

/** bucketOfRow: the bucket that places a row — its object's, its parent's, its value's (an index entry's, a unique claim's) or its key's. */
export function bucketOfRow<T extends BucketTable>(table: T, row: BucketTableRows[T], buckets: number): number {
  switch (table) {
    case "objects":
    case "repairQueue":
      return hashOfId((row as ObjectRow | RepairEntry).id) % buckets;
    case "edges":
    case "edgeCounts":
      return hashOfId((row as EdgeRow | EdgeCountRow).fromId) % buckets;
    case "indexEntries":
    case "uniqueClaims": {
      const entry = row as IndexRow | UniqueClaimRow;
      return hashOfIndexEntry(entry.indexId, entry.valueKey) % buckets;
    }
    default:
      return fnv1a32(Buffer.from((row as IdempotencyKeyRow).keyHash, "hex")) % buckets;
  }
}

/**
 * bucketRowText: everything a row stores, as one text, so verify compares a source row with its copy field by
 * field (a decoded body kept beside the text is not stored, and is left out).
 */
export function bucketRowText<T extends BucketTable>(table: T, row: BucketTableRows[T]): string {
  switch (table) {
    case "objects": {
      const { id, typeId, version, created, updated, body } = row as ObjectRow;
      return JSON.stringify([id, typeId, version, created, updated, body]);
    }
    case "edges": {
      const { edgeId, fromId, toId, seq, created, body } = row as EdgeRow;
      return JSON.stringify([edgeId, fromId, toId, seq, created, body]);
    }
    case "edgeCounts": {
      const { edgeId, fromId, n } = row as EdgeCountRow;
      return JSON.stringify([edgeId, fromId, n]);
    }
    case "indexEntries": {
      const { indexId, valueHash, valueKey, targetId, seq, created } = row as IndexRow;
      return JSON.stringify([indexId, valueHash, valueKey, targetId, seq, created]);
    }
    case "uniqueClaims": {
      const { indexId, valueHash, valueKey, ownerId, version, claimed } = row as UniqueClaimRow;
      return JSON.stringify([indexId, valueHash, valueKey, ownerId, version, claimed]);
    }
    case "repairQueue": {
      const { id, seq, body } = row as RepairEntry;
      return JSON.stringify([id, seq, body]);
    }
    default: {
      const { keyHash, id, created } = row as IdempotencyKeyRow;
      return JSON.stringify([keyHash, id, created]);
    }
  }
}
