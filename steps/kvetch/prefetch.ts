// Reads fetched ahead: a node load (LoadNodesStep) that knows a list or count below will be read keyed by each
// node's id fetches it for its item ids in the same round trip as the nodes (PrefetchBesideNodes, PrefetchAhead),
// and hands the pages (or counts) down on its items; the reader reads them there instead of querying (ReadPrefetched). Allocates per
// batch, never per entry; a failed or missing prefetch only means the list queries for itself.

import { FLAG_ERROR, FLAG_INHIBITED, FLAG_NULL, type Step } from "../../src/index.js";
import type { Kvetch, KvetchEdge, KvetchError, KvetchIndexEntry, KvetchPage } from "../../src/kvetch/index.js";

/**
 * A list item as the store returns it (kvetchList.ts's ListItem, named here so neither file needs the
 * other), or the id it points to when the list reads ids only.
 */
type ListItem = KvetchEdge | KvetchIndexEntry | string;

/** The item field holding what its node load fetched ahead, by reading step. Not data: JSON never shows it. */
export const PREFETCHED = Symbol("graphscale.kvetch.prefetched");

/** What was fetched ahead for one reader (a page per list key, a count per count key), by the reader's request key; null when the fetch failed. */
export type Prefetched<T> = Promise<ReadonlyMap<string, T | KvetchError> | null>;

/** The pages fetched ahead for one list, by the list's request key; null when the fetch failed. */
export type PrefetchedPages = Prefetched<KvetchPage<ListItem>>;

/** What a node load's items carry: per reader step below, what was fetched ahead for it. One map per node load call. */
export type Prefetches = ReadonlyMap<Step, Prefetched<unknown>>;

/** A read a node load fetches ahead for its nodes' ids (a Kvetch list, an edge count). */
export interface PrefetchReader extends Step {
  /** Its global page size and cursor steps, read by the node load (null when it has none). */
  pageArguments(): { $first: Step | null; $after: Step | null };
  /** PrefetchPages: the call its execute would make for these node ids, made now. */
  prefetchPages(store: Kvetch, keys: readonly unknown[], first: unknown, after: unknown, maxPage: number): Prefetched<unknown>;
  /** Whether it reads what the node load of `$item`'s list fetched ahead, never the item's fields. */
  isPrefetchedFrom($item: Step): boolean;
}

/** Whether `$reader` reads what was fetched ahead on `$item` (and nothing else of the item). */
export function readsPrefetched($reader: Step, $item: Step): boolean {
  const isPrefetchedFrom = ($reader as Partial<PrefetchReader>).isPrefetchedFrom;
  return typeof isPrefetchedFrom === "function" && isPrefetchedFrom.call($reader, $item);
}

/** A prefetch source dependency never drops entries: the list's own key decides what it reads. */
export const ACCEPT_ANY = FLAG_NULL | FLAG_ERROR | FLAG_INHIBITED;

/** The store call's pages by request key; a rejected call is null (never an unhandled rejection). */
export function keyedPages<T>(
  pages: Promise<(T | KvetchError)[]>,
  keys: readonly unknown[],
  keyOf: (key: unknown) => string,
): Prefetched<T> {
  return pages.then(
    (read) => {
      const byKey = new Map<string, T | KvetchError>();
      for (let k = 0; k < keys.length; k++) byKey.set(keyOf(keys[k]), read[k]!);
      return byKey;
    },
    () => null,
  );
}

/**
 * spec: ReadPrefetched — the pages of `requestKeys` (aligned with them): each key's page from what its entry's
 * item carries for `$list`, and one `fetch` for the keys nothing was fetched ahead for (none, usually).
 * `slot[i]` is entry i's position in `requestKeys` (-1: no read).
 */
export function readPrefetched<T>(
  $list: Step,
  items: readonly unknown[],
  count: number,
  slot: Int32Array,
  requestKeys: readonly unknown[],
  keyOf: (key: unknown) => string | null,
  fetch: (keys: unknown[]) => Promise<(T | KvetchError)[]>,
): Promise<(T | KvetchError)[]> {
  // Per request key, which of the distinct prefetches (usually one per batch) its entry's item carries.
  const sources: Prefetched<T>[] = [];
  const sourceOf = new Int32Array(requestKeys.length).fill(-1);
  for (let i = 0; i < count; i++) {
    const at = slot[i]!;
    if (at < 0 || sourceOf[at]! >= 0) continue;
    const item = items[i] as { [PREFETCHED]?: Prefetches } | null | undefined;
    const pages = (item != null && typeof item === "object" ? item[PREFETCHED]?.get($list) : undefined) as Prefetched<T> | undefined;
    if (pages === undefined) continue;
    let s = sources.indexOf(pages);
    if (s < 0) s = sources.push(pages) - 1;
    sourceOf[at] = s;
  }
  if (sources.length === 0) return fetch(requestKeys as unknown[]);
  return Promise.all(sources).then((maps) => {
    const pages = new Array<T | KvetchError>(requestKeys.length);
    const missing: unknown[] = [];
    const missingAt: number[] = [];
    for (let k = 0; k < requestKeys.length; k++) {
      const s = sourceOf[k]!;
      const keyed = s < 0 ? null : maps[s];
      const name = keyed == null ? null : keyOf(requestKeys[k]);
      const page = name === null ? undefined : keyed!.get(name);
      if (page !== undefined) pages[k] = page;
      else {
        missing.push(requestKeys[k]);
        missingAt.push(k);
      }
    }
    if (missing.length === 0) return pages;
    return fetch(missing).then((rest) => {
      for (let m = 0; m < missingAt.length; m++) pages[missingAt[m]!] = rest[m]!;
      return pages;
    });
  });
}
