// Ids: UUIDv7 strings (RFC 9562) generated here, validated before any I/O, and converted to the
// BINARY(16) form the MySQL tables store. Never does I/O; never accepts a malformed id silently.

import { randomFillSync } from "node:crypto";
import { KvetchError, describeValue } from "./errors.js";
import { FNV_OFFSET, FNV_PRIME, finishKeyHash } from "./shard.js";

/**
 * What each UTF-16 code unit adds to an id's scan: 0 a lowercase hex digit, 1 an uppercase one, 64 a dash,
 * 4096 anything else. A table over every code unit (128 KiB), so the scan adds one lookup per character,
 * without a branch. Summed over 36 characters, a UUID stays below 4096 with exactly four dashes (4 × 64),
 * and the low six bits count its uppercase digits (32 at most).
 */
const SCAN_WEIGHT = new Uint16Array(0x10000).fill(4096);
for (let c = 65; c <= 70; c++) SCAN_WEIGHT[c] = 1;
for (let c = 48; c <= 57; c++) SCAN_WEIGHT[c] = 0;
for (let c = 97; c <= 102; c++) SCAN_WEIGHT[c] = 0;
SCAN_WEIGHT[45] = 64;

/** The hash of the canonical id scanId last accepted: hashOfKey of it (distinct.ts), for de-duplication. */
export const scannedHash = new Int32Array(1);

/**
 * scanId: 1 when `value` is a UUID in canonical form (8-4-4-4-12 lowercase hex), 2 when it is one with
 * uppercase digits, 0 when it is not a UUID. One pass over the characters, two at a time: each adds its
 * weight (SCAN_WEIGHT) and goes into hashOfKey's FNV steps with its case folded (`| 0x20` maps 'A'-'F' to
 * 'a'-'f' and leaves digits and dashes as they are), so an accepted id leaves hashOfKey of its canonical form
 * in `scannedHash` and de-duplication does not read it again. Ids are checked on every read.
 */
export function scanId(value: unknown): 0 | 1 | 2 {
  if (typeof value !== "string" || value.length !== 36) return 0;
  let sum = 0;
  let hash = (FNV_OFFSET ^ 36) | 0;
  for (let i = 0; i < 36; i += 2) {
    const a = value.charCodeAt(i);
    const b = value.charCodeAt(i + 1);
    sum += SCAN_WEIGHT[a]! + SCAN_WEIGHT[b]!;
    hash = Math.imul(hash ^ (a | 0x20 | ((b | 0x20) << 16)), FNV_PRIME);
  }
  if (sum >= 4096 || sum >> 6 !== 4) return 0;
  if (value.charCodeAt(8) !== 45 || value.charCodeAt(13) !== 45 || value.charCodeAt(18) !== 45 || value.charCodeAt(23) !== 45) return 0;
  scannedHash[0] = finishKeyHash(hash);
  return (sum & 63) === 0 ? 1 : 2;
}

/** True when `value` is a UUID string in the 8-4-4-4-12 hex form (any version, either case). */
export function isUuid(value: unknown): value is string {
  return scanId(value) !== 0;
}

// Random bytes are drawn in blocks so that generating many ids costs one system call per block.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomBytes(count: number): number {
  if (poolOffset + count > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += count;
  return at;
}

let lastMs = 0;
let counter = 0;

/**
 * newId: a UUIDv7. Bytes 0-5 hold the Unix time in milliseconds; the 12 `rand_a` bits are a counter that
 * starts at a random value below 2048 each millisecond and increments within it (RFC 9562 section 6.2,
 * method 1), so ids made by one process sort in creation order; bytes 8-15 are random apart from the variant.
 * If the counter runs out, or the clock steps back, the timestamp advances past the last one used.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    const at = randomBytes(2);
    counter = ((pool[at]! << 8) | pool[at + 1]!) & 0x7ff;
    lastMs = ms;
  } else {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      const at = randomBytes(2);
      counter = ((pool[at]! << 8) | pool[at + 1]!) & 0x7ff;
    }
    ms = lastMs;
  }
  const at = randomBytes(8);
  const high = Math.floor(ms / 0x10000);
  const low = ms % 0x10000;
  const bytes = ID_BYTES;
  bytes[0] = (high >>> 24) & 0xff;
  bytes[1] = (high >>> 16) & 0xff;
  bytes[2] = (high >>> 8) & 0xff;
  bytes[3] = high & 0xff;
  bytes[4] = (low >>> 8) & 0xff;
  bytes[5] = low & 0xff;
  bytes[6] = 0x70 | (counter >>> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (pool[at]! & 0x3f);
  for (let i = 1; i < 8; i++) bytes[8 + i] = pool[at + i]!;
  return idFromBytes(bytes);
}

const ID_BYTES = new Uint8Array(16);
/** Where idFromBytes writes an id's 36 characters before reading them back as one string. */
const ID_TEXT = Buffer.alloc(36);
const HEX_CODES = Buffer.from("0123456789abcdef", "latin1");

/** The millisecond timestamp a UUIDv7 carries (meaningless for other versions). */
export function timeOfId(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** The BAD_ID error for a value that is not a UUID, naming it and where it was given (`in getObjects ids[3]`). */
export function notUuidError(value: unknown, where: string): KvetchError {
  return new KvetchError("BAD_ID", `${describeValue(value)} is not a UUID (expected 8-4-4-4-12 hex) in ${where}`);
}

/**
 * checkId: the canonical (lowercase) form of `value`, or a KvetchError naming the call and the argument,
 * e.g. `"abc" is not a UUID (expected 8-4-4-4-12 hex) in getObjects ids[3]`.
 */
export function checkId(value: unknown, where: string): string {
  const kind = scanId(value);
  if (kind === 0) throw notUuidError(value, where);
  return kind === 1 ? (value as string) : (value as string).toLowerCase();
}

/** The BAD_ARGUMENT error for a list of ids that is not an array. */
export function idListError(values: unknown, where: string): KvetchError {
  return new KvetchError("BAD_ARGUMENT", `${where} must be an array of id strings, got ${describeValue(values)}`);
}

/** checkIds: canonical forms of a list of ids; the first malformed one is reported with its position. */
export function checkIds(values: readonly unknown[], where: string): string[] {
  if (!Array.isArray(values)) throw idListError(values, where);
  const ids = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const kind = scanId(value);
    ids[i] = kind === 1 ? (value as string) : checkId(value, `${where}[${i}]`);
  }
  return ids;
}

/** The 16 bytes of a canonical id, as stored in BINARY(16) columns. */
export function idToBytes(id: string): Buffer {
  return Buffer.from(id.slice(0, 8) + id.slice(9, 13) + id.slice(14, 18) + id.slice(19, 23) + id.slice(24), "hex");
}

/**
 * The canonical id string for 16 stored bytes. Written as characters into a buffer and read back in one
 * piece, so the id is one flat string: built by `+`, it would be a rope of 21 pieces, and every later
 * character read (checks, shard hashes, de-duplication) would go through it (about 10% slower a read).
 */
export function idFromBytes(bytes: Uint8Array): string {
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) ID_TEXT[at++] = 45;
    ID_TEXT[at++] = HEX_CODES[bytes[i]! >>> 4]!;
    ID_TEXT[at++] = HEX_CODES[bytes[i]! & 15]!;
  }
  return ID_TEXT.toString("latin1", 0, 36);
}
