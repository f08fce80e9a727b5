// The cache tier's list text (spec/kvetch-storage.md §7.1, §7.7): a list's first rows as one text,
// `{"c":0|1,"r":[[id,seq,created,data],...]}` (data null for index entries), decoded through the store's
// DecodedMemo, and the page a request reads from it.

import { comparePosition, type Position } from "./cursor.js";
import { copyData, decodedMemoCounts, isFlatData, type DecodedList } from "./decodedMemo.js";
import type { KvetchData, ListItem } from "./model.js";
import type { Store } from "./store.js";

/**
 * A cached list: its first rows (at most listCap) and whether that is the whole list; `kept`: its rows are the
 * store's DecodedMemo's, so a page hands out copies of them (a kept list is the memo's own object, never changed).
 */
export interface CachedList {
  readonly items: readonly ListItem[];
  readonly complete: boolean;
  readonly kept: boolean;
}

/** A list's first rows as the cache keeps them. */
export function encodeCachedList(items: readonly ListItem[], complete: boolean): string {
  const rows = new Array<unknown[]>(items.length);
  for (let i = 0; i < items.length; i++) rows[i] = [items[i]!.id, items[i]!.seq, items[i]!.created, items[i]!.data];
  return JSON.stringify({ c: complete ? 1 : 0, r: rows });
}

/** A cached list's text (the list's cache tag `tag`) as decoded: from the store's DecodedMemo, or parsed and, when every row's data is flat, kept there. */
export function decodeCachedList(store: Store, tag: string, text: string): CachedList {
  const memo = store.decoded;
  const found = memo === null ? undefined : memo.lists.get(tag, text);
  if (found !== undefined) {
    decodedMemoCounts.hits++;
    return found;
  }
  decodedMemoCounts.decoded++;
  const parsed = JSON.parse(text) as { c: number; r: [string, number, number, KvetchData | null][] };
  const items = new Array<ListItem>(parsed.r.length);
  let flat = true;
  for (let i = 0; i < parsed.r.length; i++) {
    const [id, seq, created, data] = parsed.r[i]!;
    items[i] = { id, seq, created, data };
    if (flat && !isFlatData(data)) flat = false;
  }
  const complete = parsed.c === 1;
  if (memo === null || !flat) return { items, complete, kept: false };
  const kept: DecodedList = { items, complete, kept: true };
  memo.lists.set(tag, text, kept);
  return kept;
}

/** slicePage: the requested page from a cached list, or null when it runs past the cached prefix. */
export function slicePage(list: CachedList, after: Position | null, limit: number | null): ListItem[] | null {
  let start = 0;
  if (after !== null) {
    let high = list.items.length;
    while (start < high) {
      const mid = (start + high) >>> 1;
      const item = list.items[mid]!;
      if (comparePosition(item.seq, item.id, after.seq, after.id) <= 0) start = mid + 1;
      else high = mid;
    }
  }
  let end: number;
  if (limit !== null && start + limit <= list.items.length) end = start + limit;
  else if (list.complete) end = list.items.length;
  else return null;
  if (!list.kept) return list.items.slice(start, end);
  const page = new Array<ListItem>(end - start);
  for (let i = start; i < end; i++) {
    const item = list.items[i]!;
    page[i - start] = { id: item.id, seq: item.seq, created: item.created, data: copyData(item.data) };
  }
  return page;
}
