// The shapes Kvetch hands to callers (objects, edges, index entries, pages) and the decoding of stored rows
// into them. Every decode makes a fresh data bag (the stored JSON text parsed, or a copy of a flat body the
// backend kept decoded), so callers never hold stored state.

import type { FlatData, ObjectRow } from "./backend.js";
import { KvetchError } from "./errors.js";
import type { KvetchSchema } from "./schema.js";

export type KvetchData = Record<string, unknown>;

export interface KvetchObject {
  id: string;
  /** The type's name in the schema. */
  type: string;
  typeId: number;
  data: KvetchData;
  /** 1 on create, +1 on every update. */
  version: number;
  /** Milliseconds since the Unix epoch. */
  created: number;
  updated: number;
}

export interface KvetchEdge {
  /** The edge's name in the schema. */
  edge: string;
  fromId: string;
  toId: string;
  data: KvetchData;
  created: number;
  /** Opaque position of this edge in its parent's list; pass it as `after` to continue. */
  cursor: string;
}

export interface KvetchIndexEntry {
  targetId: string;
  cursor: string;
}

/** One parent's (or one indexed value's) page, in the same order as the list's (seq, id). */
export interface KvetchPage<T> {
  edges: T[];
  hasNextPage: boolean;
  /** Cursor of the last item on the page; null when the page is empty. */
  endCursor: string | null;
}

export interface KvetchPageOptions {
  /** Page size (a non-negative integer); omitted or null: the whole list. */
  first?: number | null;
  /** One cursor applied to every parent, or one per parent (aligned with the ids/values). */
  after?: string | null | readonly (string | null | undefined)[];
  /** Re-check derived rows against their canonical objects and drop mismatches (default true). */
  verify?: boolean;
  /**
   * Encode each row's `cursor` (default true). false, for callers that never read the rows' cursors: each
   * row's `cursor` is "" (one encoding per row saved); the page's `endCursor` is still encoded unless
   * `endCursor` is false.
   */
  cursors?: boolean;
  /**
   * Encode the page's `endCursor` (default true). false, for callers that never read it (a list read for its
   * rows alone): `endCursor` is null.
   */
  endCursor?: boolean;
}

/** An entry of an edge list or index entry list as reads pass it around (data is null for index entries). */
export interface ListItem {
  id: string;
  seq: number;
  created: number;
  data: KvetchData | null;
}

/**
 * decodeData: a stored row's body as a fresh data bag — a shallow copy of the row's FlatData when the backend
 * kept it decoded, else the JSON text parsed (the empty object, most edges' data, without parsing).
 */
export function decodeData(row: { readonly body: string; readonly flatData?: FlatData }): KvetchData {
  const flat = row.flatData;
  if (flat !== undefined) return { ...flat };
  return row.body === "{}" ? {} : (JSON.parse(row.body) as KvetchData);
}

/**
 * decodeObject: a stored row as a KvetchObject; a row of a type the schema lacks is an error naming it and
 * where it was read (`shardLabel`, or a function giving it: the label is only built for that error).
 */
export function decodeObject(schema: KvetchSchema, row: ObjectRow, shardLabel: string | ((row: ObjectRow) => string)): KvetchObject {
  const type = schema.typeById(row.typeId);
  if (!type) {
    throw new KvetchError(
      "UNKNOWN_NAME",
      `object ${row.id} on ${typeof shardLabel === "string" ? shardLabel : shardLabel(row)} has typeId ${row.typeId}, which the schema does not define; ` +
        `add that object type to defineSchema`,
    );
  }
  return {
    id: row.id,
    type: type.name,
    typeId: row.typeId,
    data: decodeData(row),
    version: row.version,
    created: row.created,
    updated: row.updated,
  };
}

/** Reads and batch writes with `partial: true` give a failed shard's entries its error instead of throwing. */
export interface KvetchPartialOption {
  partial?: boolean;
}

/** One object to create: its type name, its data, and optionally a key that makes retries safe. */
export interface NewItem {
  type: string;
  data: KvetchData;
  idempotencyKey?: string;
}
