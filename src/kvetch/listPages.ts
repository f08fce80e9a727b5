// Page building: a list read's rows (ListItems, in (seq, id) order, one past the page when there is more) as
// the page a caller gets — edges, index entries or target ids — with hasNextPage and the cursors asked for.
// Pure: no I/O, one object per row kept (none for target ids).

import { encodeCursor } from "./cursor.js";
import type { EdgeRow } from "./backend.js";
import type { KvetchEdge, KvetchIndexEntry, KvetchPage, ListItem } from "./model.js";

/** pageLength: the first `first` items form the page (all when null); hasNextPage when the read found more. */
function pageLength(items: readonly unknown[], first: number | null): number {
  return first === null ? items.length : Math.min(first, items.length);
}

/** The page of an edge list: one edge object per row kept, each with its cursor unless `cursors` is false. */
export function edgePage(edge: string, fromId: string, items: readonly ListItem[], first: number | null, cursors: boolean, endCursor: boolean): KvetchPage<KvetchEdge> {
  const count = pageLength(items, first);
  const edges = new Array<KvetchEdge>(count);
  for (let i = 0; i < count; i++) {
    const item = items[i]!;
    const cursor = cursors ? encodeCursor(item.seq, item.id) : "";
    edges[i] = { edge, fromId, toId: item.id, data: item.data ?? {}, created: item.created, cursor };
  }
  return { edges, hasNextPage: first !== null && items.length > first, endCursor: endCursor ? endCursorOf(items, edges, count, cursors) : null };
}

/** The page of an index entry list: `{ targetId, cursor }` per row kept. */
export function indexPage(items: readonly ListItem[], first: number | null, cursors: boolean, endCursor: boolean): KvetchPage<KvetchIndexEntry> {
  const count = pageLength(items, first);
  const edges = new Array<KvetchIndexEntry>(count);
  for (let i = 0; i < count; i++) edges[i] = { targetId: items[i]!.id, cursor: cursors ? encodeCursor(items[i]!.seq, items[i]!.id) : "" };
  return { edges, hasNextPage: first !== null && items.length > first, endCursor: endCursor ? endCursorOf(items, edges, count, cursors) : null };
}

/** A page of the items' ids: the rows carry no cursors, the page's endCursor is encoded from the last row. */
export function targetPage(items: readonly ListItem[], first: number | null, endCursor: boolean): KvetchPage<string> {
  const count = pageLength(items, first);
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) ids[i] = items[i]!.id;
  return idsPage(ids, items.length, first, endCursor ? items[count - 1]?.seq : undefined);
}

/** targetPage straight from an edge list's rows as the shard returned them: no list item per row. */
export function rowTargetPage(rows: readonly EdgeRow[], first: number | null, endCursor: boolean): KvetchPage<string> {
  const count = pageLength(rows, first);
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) ids[i] = rows[i]!.toId;
  return idsPage(ids, rows.length, first, endCursor ? rows[count - 1]?.seq : undefined);
}

/** The page of `ids` out of `read` rows; `lastSeq` the last id's seq when the endCursor is wanted. */
function idsPage(ids: string[], read: number, first: number | null, lastSeq: number | undefined): KvetchPage<string> {
  const count = ids.length;
  return { edges: ids, hasNextPage: first !== null && read > first, endCursor: lastSeq !== undefined && count > 0 ? encodeCursor(lastSeq, ids[count - 1]!) : null };
}

/** The cursor of a page's last row (encoded once more only when the rows carry none), null for an empty page. */
function endCursorOf(items: readonly ListItem[], rows: readonly { cursor: string }[], count: number, cursors: boolean): string | null {
  if (count === 0) return null;
  return cursors ? rows[count - 1]!.cursor : encodeCursor(items[count - 1]!.seq, items[count - 1]!.id);
}
