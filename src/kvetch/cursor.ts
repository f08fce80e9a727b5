// Cursors: the opaque position of a row in an ordered edge list or index entry list, i.e. its (seq, id).
// A cursor keeps working after its row is deleted because pages continue strictly after (seq, id).
// Never reveals or depends on a shard; never accepts a malformed cursor silently.

import { KvetchError, describeValue } from "./errors.js";
import { idFromBytes } from "./id.js";

/** A decoded position: rows after it have a larger (seq, id) pair. */
export interface Position {
  seq: number;
  id: string;
}

const CURSOR_BYTES = 24;
const CURSOR_LENGTH = 32; // base64url of 24 bytes, no padding

// One buffer for every cursor encoded: each page row gets a cursor, so encoding allocates only its string.
const scratch = Buffer.alloc(CURSOR_BYTES);

function hexValue(code: number): number {
  return code <= 57 ? code - 48 : (code | 0x20) - 87;
}

/** encodeCursor: base64url(seq as 8 bytes big-endian ++ the 16 id bytes) of a canonical id. */
export function encodeCursor(seq: number, id: string): string {
  scratch.writeUInt32BE(Math.floor(seq / 0x100000000), 0);
  scratch.writeUInt32BE(seq >>> 0, 4);
  let at = 8;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++; // the dashes
    scratch[at++] = (hexValue(id.charCodeAt(i)) << 4) | hexValue(id.charCodeAt(i + 1));
  }
  return scratch.toString("base64url");
}

/** decodeCursor: the position a cursor names, or a KvetchError saying which argument was malformed. */
export function decodeCursor(cursor: unknown, where: string): Position {
  if (typeof cursor !== "string" || cursor.length !== CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new KvetchError(
      "BAD_CURSOR",
      `${describeValue(cursor)} is not a Kvetch cursor (expected the ${CURSOR_LENGTH}-character endCursor/cursor ` +
        `string of an earlier page) in ${where}`,
    );
  }
  const bytes = Buffer.from(cursor, "base64url");
  const high = bytes.readUInt32BE(0);
  if (high > 0x1fffff) {
    throw new KvetchError("BAD_CURSOR", `${describeValue(cursor)} holds a sequence beyond 2^53 in ${where}`);
  }
  return { seq: high * 0x100000000 + bytes.readUInt32BE(4), id: idFromBytes(bytes.subarray(8)) };
}

/** comparePosition: the (seq, id) order every edge list and index entry list is kept in. */
export function comparePosition(seqA: number, idA: string, seqB: number, idB: string): number {
  if (seqA !== seqB) return seqA < seqB ? -1 : 1;
  return idA < idB ? -1 : idA > idB ? 1 : 0;
}

let lastSeq = 0;

/**
 * nextSeq: the insertion sequence of a new edge or index entry: milliseconds since the epoch times 1024,
 * plus a per-process counter, never repeating or going back within a process. Rows written by different
 * processes in the same millisecond interleave by id, which keeps the order total and stable.
 */
export function nextSeq(): number {
  const now = Date.now() * 1024;
  lastSeq = now > lastSeq ? now : lastSeq + 1;
  return lastSeq;
}

/** seqAt: the sequence a row restored by repair gets — the start of the millisecond it is dated at. */
export function seqAt(ms: number): number {
  return ms * 1024;
}
