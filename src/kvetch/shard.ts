// Placement: the one module that decides which physical shard holds an object, an edge or an index entry.
// Reads, writes, deletes and repair all call these functions; no other file may compute a shard.
// Pure and allocation-free for ids (the hot path of shard grouping); never does I/O.

import stringify from "fast-json-stable-stringify";
import { KvetchError } from "./errors.js";

export const DEFAULT_BUCKETS = 1024;

/** FNV-1a 32-bit offset basis and prime (also hashOfKey's, in distinct.ts, and scanId's, in id.ts). */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/**
 * The last step of hashOfKey (distinct.ts) and of the hash scanId (id.ts) takes of an id: a final mix, so the
 * low bits, which pick a position in a table, depend on every character.
 */
export function finishKeyHash(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  return hash ^ (hash >>> 13);
}

// The FNV loops keep the hash a signed 32-bit integer (Math.imul's result) and read it as unsigned once, at
// the end: the same bits, but an unsigned value above 2^31 inside the loop is a heap number per step.

/** fnv1a32: FNV-1a, 32 bits, over `bytes[start..end)`. */
export function fnv1a32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let hash = FNV_OFFSET | 0;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, FNV_PRIME);
  return hash >>> 0;
}

/**
 * The value of one hex digit ('0'-'9', 'a'-'f', 'A'-'F'; anything else gives a meaningless number): its low
 * four bits, plus 9 for a letter (bit 6 set). No branch: a random digit is a letter 6 times in 16, so a
 * comparison mispredicts often, and hashing an id took about 115 ns that way against about 40 ns this way.
 */
function hexDigit(c: number): number {
  return (c & 15) + 9 * (c >> 6);
}

/** The byte written as two hex digits at `at`. */
function hexByte(id: string, at: number): number {
  return (hexDigit(id.charCodeAt(at)) << 4) | hexDigit(id.charCodeAt(at + 1));
}

/**
 * hashOfId: FNV-1a 32 over the id's last 8 bytes (bytes 8-15: the variant bits and 62 random bits of a
 * UUIDv7). Read straight from the canonical string, so placing an id allocates nothing.
 */
export function hashOfId(id: string): number {
  // Bytes 8-15 are written at 19-22 and 24-35, with a dash at 23.
  let hash = Math.imul((FNV_OFFSET | 0) ^ hexByte(id, 19), FNV_PRIME);
  hash = Math.imul(hash ^ hexByte(id, 21), FNV_PRIME);
  for (let at = 24; at < 36; at += 2) hash = Math.imul(hash ^ hexByte(id, at), FNV_PRIME);
  return hash >>> 0;
}

/** indexValueKey: the canonical text of an indexed value (JSON with sorted object keys). */
export function indexValueKey(value: unknown): string {
  return stringify(value);
}

/** hashOfIndexEntry: FNV-1a 32 over the UTF-8 bytes of `<indexId>:<indexValueKey(value)>`. */
export function hashOfIndexEntry(indexId: number, valueKey: string): number {
  return fnv1a32(Buffer.from(`${indexId}:${valueKey}`, "utf8"));
}

/** A range of logical buckets (inclusive at both ends) assigned to one physical shard. */
export interface BucketRange {
  first: number;
  last: number;
  shard: number;
}

export interface ShardMapOptions {
  /** Number of physical shards. */
  shards: number;
  /** Number of logical buckets; fixed for the life of the data (default 1024). */
  buckets?: number;
  /** Bucket ranges → shard; default: equal contiguous ranges in shard order. */
  ranges?: readonly BucketRange[];
}

/**
 * ShardMap: logical buckets → physical shards. Resharding moves whole buckets (by changing `ranges`),
 * never individual ids, because the bucket of every id and index entry is fixed by its hash.
 */
export class ShardMap {
  readonly shards: number;
  readonly buckets: number;
  readonly ranges: readonly BucketRange[];
  private readonly shardOfBucket: Uint16Array;

  constructor(options: ShardMapOptions) {
    const shards = options.shards;
    const buckets = options.buckets ?? DEFAULT_BUCKETS;
    if (!Number.isInteger(shards) || shards < 1 || shards > 65535) {
      throw new KvetchError("BAD_CONFIG", `shard count must be an integer from 1 to 65535, got ${shards}`);
    }
    if (!Number.isInteger(buckets) || buckets < shards || buckets > 1 << 20) {
      throw new KvetchError(
        "BAD_CONFIG",
        `bucket count must be an integer from the shard count (${shards}) to ${1 << 20}, got ${buckets}`,
      );
    }
    this.shards = shards;
    this.buckets = buckets;
    this.shardOfBucket = new Uint16Array(buckets);
    const ranges = options.ranges ?? defaultRanges(shards, buckets);
    const assigned = new Uint8Array(buckets);
    for (let r = 0; r < ranges.length; r++) {
      const { first, last, shard } = ranges[r]!;
      if (!Number.isInteger(first) || !Number.isInteger(last) || first < 0 || last >= buckets || first > last) {
        throw new KvetchError(
          "BAD_CONFIG",
          `bucket range ${r} (${first}..${last}) must satisfy 0 <= first <= last <= ${buckets - 1}`,
        );
      }
      if (!Number.isInteger(shard) || shard < 0 || shard >= shards) {
        throw new KvetchError("BAD_CONFIG", `bucket range ${r} names shard ${shard}; shards are 0..${shards - 1}`);
      }
      for (let b = first; b <= last; b++) {
        if (assigned[b]) throw new KvetchError("BAD_CONFIG", `bucket ${b} is in more than one range (range ${r})`);
        assigned[b] = 1;
        this.shardOfBucket[b] = shard;
      }
    }
    for (let b = 0; b < buckets; b++) {
      if (!assigned[b]) throw new KvetchError("BAD_CONFIG", `bucket ${b} is in no range; every bucket needs a shard`);
    }
    this.ranges = ranges.map((range) => ({ ...range }));
  }

  /** The physical shard of a logical bucket. */
  shardOf(bucket: number): number {
    return this.shardOfBucket[bucket]!;
  }
}

function defaultRanges(shards: number, buckets: number): BucketRange[] {
  const ranges: BucketRange[] = [];
  for (let s = 0; s < shards; s++) {
    ranges.push({ first: Math.ceil((s * buckets) / shards), last: Math.ceil(((s + 1) * buckets) / shards) - 1, shard: s });
  }
  return ranges;
}

/** bucketOfId: hashOfId(id) mod the bucket count. */
export function bucketOfId(map: ShardMap, id: string): number {
  return hashOfId(id) % map.buckets;
}

/** shardOfId: the physical shard holding the object with this id. */
export function shardOfId(map: ShardMap, id: string): number {
  return map.shardOf(hashOfId(id) % map.buckets);
}

/** shardOfEdge: edges live with their parent, on the shard of `fromId`. */
export function shardOfEdge(map: ShardMap, fromId: string): number {
  return map.shardOf(hashOfId(fromId) % map.buckets);
}

/** shardOfIndexEntry: index entries live on the shard of hash(indexId, canonical value). */
export function shardOfIndexEntry(map: ShardMap, indexId: number, valueKey: string): number {
  return map.shardOf(hashOfIndexEntry(indexId, valueKey) % map.buckets);
}

/**
 * shardOfIdempotencyKey(keyHash) = the shard of fnv1a32(the 16 bytes of the key's hash) mod B: one key's row
 * is on one shard, wherever the object it names lives.
 */
export function shardOfIdempotencyKey(map: ShardMap, keyHash: string): number {
  return map.shardOf(fnv1a32(Buffer.from(keyHash, "hex")) % map.buckets);
}
