// KvetchListStep: what loadEdges and queryIndex share — one store call per layer for every key of the
// batch, `first`/`after` pushed into that call (global when they come from arguments, variables or
// constants), lists or Relay-style pages per entry, and the plan-time optimizations (first() folded into the
// limit; the objects the items point to loaded right behind the list). Never calls the store per entry.

import { recordReadDependencies, keysOfTheirOwn, withDependencies } from "./dependencies.js";
import { AccessStep, Step, constant, fail, type ExecutionDetails, type ExecutionResults, type OptimizeContext, type PlanValidationContext, mapResults } from "../../src/index.js";
import type { Kvetch, KvetchEdge, KvetchIndexEntry, KvetchObject, KvetchPage, KvetchPageOptions } from "../../src/kvetch/index.js";
import { KvetchError, decodeCursor } from "../../src/kvetch/index.js";
import { FirstStep } from "../first.js";
import { plannedKvetchSchema, requireStore, type KvetchStepOptions, asRequest } from "./kvetchStore.js";
import { badUserInput, clientError, pageLimitError } from "./clientError.js";
import { loadedById } from "./loadedId.js";
import { ACCEPT_ANY, keyedPages, readPrefetched, readsPrefetched, type PrefetchedPages } from "./prefetch.js";

/** What each entry's value is: the list of items, or a page `{ edges, hasNextPage, endCursor }`. */
export type ListMode = "list" | "page";

export interface KvetchListOptions extends KvetchStepOptions {
  /** Page size: a step (global when it comes from arguments/variables/constants) or a number; null: all. */
  first?: Step | number | null;
  /** Continue strictly after this cursor: a step or a string; null: from the start. */
  after?: Step | string | null;
}

/** An item of a list, as the store returns it: an edge (`toId`) or an index entry (`targetId`). */
export type ListItem = KvetchEdge | KvetchIndexEntry;

/** The steps a KvetchListStep reads, so optimize() can build an equal step with some of them changed. */
export interface KvetchListSteps {
  readonly $key: Step;
  readonly $store: Step;
  readonly $first: Step | null;
  readonly $after: Step | null;
}

/** How a KvetchListStep was built, so optimize() can build an equal step with other settings. */
export interface KvetchListSettings {
  readonly mode: ListMode;
  /** Whether the store re-checks derived rows itself (false when a node load right behind does it). */
  readonly verify: boolean;
  /** false: the items' cursors are not encoded (`cursor` is ""), since nothing can read them (CursorsUnread). */
  readonly cursors?: boolean;
}

export abstract class KvetchListStep extends Step<unknown> {
  override isAsync = true;
  /** The item field naming the object an item points to. */
  abstract readonly idKey: "toId" | "targetId";
  /** The user-facing factory name, for messages (`loadEdges`, `queryIndex`). */
  abstract readonly factoryName: string;
  /** An upper bound on the page size set by optimize (a lone first() consumer needs one item). */
  limitCap: number | null = null;
  protected readonly keyIndex: number;
  protected readonly storeIndex: number;
  protected readonly firstIndex: number;
  protected readonly afterIndex: number;
  /** The dependency giving each entry's list item whose node load fetched this list ahead (-1: none). */
  protected prefetchIndex = -1;
  /**
   * Whether each item is read as the id it points to (a string), not as an edge or entry object: set by the
   * node load right behind when nothing else reads the items (NodesOnly); only where canReadIdsOnly() allows.
   */
  idsOnly = false;

  constructor(
    /** The edge's or index's name in the Kvetch schema. */
    readonly name: string,
    $key: Step,
    $store: Step,
    $first: Step | null,
    $after: Step | null,
    readonly settings: KvetchListSettings,
  ) {
    super();
    this.keyIndex = this.addDependency($key);
    this.storeIndex = this.addGlobalDependency($store);
    this.firstIndex = $first === null ? -1 : this.addPageArgument($first);
    this.afterIndex = $after === null ? -1 : this.addPageArgument($after);
  }

  /** The edge (loadEdges) or index (queryIndex) must be one the Kvetch schema defines. */
  override validatePlan(context: PlanValidationContext): void {
    const schema = plannedKvetchSchema(context);
    if (schema === null) return;
    const where = `${this.factoryName}(${JSON.stringify(this.name)})`;
    if (this.idKey === "toId") schema.edge(this.name, where);
    else schema.index(this.name, where);
  }

  /** first/after are global when they can be (one value for the whole batch), per entry otherwise. */
  private addPageArgument($step: Step): number {
    return $step.canBeGlobal() ? this.addGlobalDependency($step) : this.addDependency($step);
  }

  protected isGlobalArgument(index: number): boolean {
    return index >= 0 && this.dependencyIsGlobal[index]!;
  }

  /**
   * The store call's options: the rows' cursors unless nothing can read them (CursorsUnread), the page's
   * endCursor only for a page (a list hands on its rows alone), and a failed shard as its keys' errors.
   */
  protected pageOptions(first: number | null, after: string | null | (string | null)[], verify: boolean): KvetchPageOptions & { partial: true } {
    return { first, after, verify, cursors: this.settings.cursors !== false, endCursor: this.settings.mode !== "list", partial: true };
  }

  /** One store call for the distinct keys, aligned pages back (a failed shard's keys: its KvetchError). */
  protected abstract fetchPages(
    store: Kvetch,
    keys: unknown[],
    first: number | null,
    after: string | null | (string | null)[],
    verify: boolean,
  ): Promise<(KvetchPage<ListItem | string> | KvetchError)[]>;

  /** Whether the store can read this list's items as the ids they point to alone (loadEdges: getEdgeTargets). */
  abstract canReadIdsOnly(): boolean;

  /** Why a key cannot be queried (loadEdges: a fromId that is not a UUID), or null; null keys never reach this. */
  protected abstract keyError(key: unknown): KvetchError | null;

  /** The key that equal keys share, for de-duplication (null: do not de-duplicate this key). */
  protected abstract dedupeKey(key: unknown): string | null;

  /** An equal step with other settings (and the given dependencies: by default the same), for optimize. */
  protected abstract rebuild(settings: KvetchListSettings, steps?: KvetchListSteps): KvetchListStep;

  /**
   * The check the node load right behind this list applies (once per batch): whether an item (the id it
   * points to, when idsOnly) still holds for its canonical object `target` (derived rows), `key` being the
   * entry's key (fromId or indexed value).
   */
  abstract itemCheck(store: Kvetch): (item: ListItem | string, key: unknown, target: KvetchObject | null) => boolean;

  /**
   * The dependency key of the list a key reads (`edges:<edge>:<fromId>`, `index:<index>:<valueKey>`); with
   * `own` a string of its own (KeysOfTheirOwn).
   */
  abstract dependencyKey(key: unknown, own: boolean): string;

  /** The batch's store reads run as its request's work (asRequest): they wait in the request's lane at busy shards. */
  execute(details: ExecutionDetails): ExecutionResults<unknown> { return asRequest(details, () => this.read(details)); }

  private read({ count, values, request, deps }: ExecutionDetails): ExecutionResults<unknown> {
    const maxPage = request.limits.maxPageSize;
    const keys = values[this.keyIndex] as readonly unknown[];
    const store = requireStore(values[this.storeIndex], this);
    const firstGlobal = this.firstIndex < 0 || this.isGlobalArgument(this.firstIndex);
    const afterGlobal = this.afterIndex < 0 || this.isGlobalArgument(this.afterIndex);
    const firsts = this.firstIndex < 0 ? null : values[this.firstIndex];
    const afters = this.afterIndex < 0 ? null : values[this.afterIndex];
    const out = new Array<unknown>(count);

    // A global after that is no cursor is the client's error at every entry, with this step's name; no query.
    const afterError = afterGlobal && afters != null ? this.cursorError(afters) : null;
    if (afterError !== null) throw afterError;
    // The page size pushed into the query: the global first, or the largest per-entry first (pages trimmed below).
    let limit: number | null = firstGlobal ? this.checkFirst(firsts, maxPage) : 0;
    // Entries that query, as positions into the request list (-1: no query, value already set).
    const slot = new Int32Array(count);
    const requestKeys: unknown[] = [];
    const requestAfters: (string | null)[] | null = afterGlobal ? null : [];
    const seen = afterGlobal ? new Map<string, number>() : null;
    for (let i = 0; i < count; i++) {
      const key = keys[i];
      if (key == null) {
        out[i] = null;
        slot[i] = -1;
        continue;
      }
      const problem = this.keyError(key);
      if (problem !== null) {
        out[i] = fail(clientError(problem)); // bad input: this entry's error, without a query
        slot[i] = -1;
        continue;
      }
      const ownAfter = afterGlobal ? null : ((afters as readonly unknown[])[i] ?? null);
      const ownAfterError = ownAfter === null ? null : this.cursorError(ownAfter);
      if (ownAfterError !== null) {
        out[i] = fail(ownAfterError); // like a bad key: this entry's error without a query; the others still read
        slot[i] = -1;
        continue;
      }
      if (!firstGlobal) {
        let own: number | null;
        try {
          own = this.checkFirst((firsts as readonly unknown[])[i], maxPage);
        } catch (error) {
          out[i] = fail(clientError(error) as Error); // this entry's own page size is refused; the others still read
          slot[i] = -1;
          continue;
        }
        if (limit !== null) limit = own === null ? null : Math.max(limit, own);
      }
      if (seen !== null) {
        const dedupe = this.dedupeKey(key);
        const at = dedupe === null ? undefined : seen.get(dedupe);
        if (at !== undefined) {
          slot[i] = at;
          continue;
        }
        if (dedupe !== null) seen.set(dedupe, requestKeys.length);
      } else {
        requestAfters!.push(ownAfter as string | null);
      }
      slot[i] = requestKeys.length;
      requestKeys.push(key);
    }
    if (requestKeys.length === 0) return out;
    if (this.limitCap !== null) limit = limit === null ? this.limitCap : Math.min(limit, this.limitCap);
    // No page size: read one row past the largest page, so a longer list is an error, never a silent cut.
    const unbounded = limit === null;
    if (unbounded) limit = maxPage + 1;
    const after = afterGlobal ? ((afters ?? null) as string | null) : requestAfters!;
    let recorded: Promise<void> | null = null;
    if (deps) {
      const entries: number[] = [];
      const depKeys: string[] = [];
      const own = keysOfTheirOwn(deps);
      for (let i = 0; i < count; i++) {
        if (slot[i]! < 0) continue;
        entries.push(i);
        depKeys.push(this.dependencyKey(requestKeys[slot[i]!], own));
      }
      recorded = recordReadDependencies(deps, store, entries, depKeys);
    }
    const verify = this.settings.verify;
    const fetch = (keys: unknown[]): Promise<(KvetchPage<ListItem | string> | KvetchError)[]> => this.fetchPages(store, keys, limit, after, verify);
    // A request recording dependencies reads its lists itself: each version read must precede its own data read.
    const read =
      this.prefetchIndex >= 0 && !deps
        ? readPrefetched(this, values[this.prefetchIndex] as readonly unknown[], count, slot, requestKeys, (key) => this.dedupeKey(key), fetch)
        : fetch(requestKeys);
    return mapResults(withDependencies(read, recorded), (pages) => {
      const list = this.settings.mode === "list";
      for (let i = 0; i < count; i++) {
        const at = slot[i]!;
        if (at < 0) continue;
        const read = pages[at]!;
        if (read instanceof KvetchError) {
          out[i] = fail(clientError(read) as Error); // this entry's shard failed; entries on other shards are served
          continue;
        }
        let page = read;
        // An entry's own first cuts its page; only an entry without one is held to maxPageSize.
        const own = firstGlobal ? null : this.checkFirst((firsts as readonly unknown[])[i], maxPage);
        if (own !== null) {
          if (page.edges.length > own) page = list ? { edges: page.edges.slice(0, own), hasNextPage: true, endCursor: null } : trimPage(page as KvetchPage<ListItem>, own);
        } else if (unbounded && page.edges.length > maxPage) {
          out[i] = fail(pageLimitError(`${this.factoryName}("${this.name}") holds more than ${maxPage} items (maxPageSize); ask for a page with first.`));
          continue;
        }
        out[i] = list ? page.edges : page;
      }
      return out;
    });
  }

  /** The client's error for an `after` that is no cursor of this list (null for a cursor). */
  private cursorError(after: unknown): Error | null {
    try {
      decodeCursor(after, `${this.factoryName}("${this.name}") after`);
      return null;
    } catch (error) {
      return clientError(error) as Error;
    }
  }

  /** A page size as the store takes it; an error naming the step for anything else (a limit error above maxPageSize). */
  private checkFirst(value: unknown, maxPage: number): number | null {
    if (value == null) return null;
    if (typeof value === "number" && Number.isInteger(value) && value >= 0) {
      if (value <= maxPage) return value;
      throw pageLimitError(
        `${this.factoryName}("${this.name}"): first = ${value} is above the largest page this server reads, ${maxPage} (maxPageSize); ask for at most ${maxPage} items.`,
      );
    }
    throw badUserInput(`graphscale: ${this.factoryName}("${this.name}") was given first = ${JSON.stringify(value)}; first must be a non-negative integer or null.`);
  }

  /** A lone first() over the list caps the query at one item; a key that is a loaded object's id becomes the id it was loaded by. */
  override optimize(plan: OptimizeContext): Step {
    if (this.limitCap !== 1 && this.settings.mode === "list" && onlyFirstConsumes(plan, this)) {
      this.limitCap = 1;
      this.optimizations.push("first() folded into the query limit");
    }
    const loaded = loadedById(plan, this, this.keyStep());
    if (loaded === null) return this;
    const $list = this.rebuildWith(this.settings, { ...this.dependencySteps(), $key: loaded.$key });
    $list.optimizations.push("keyed by the id its object was loaded by");
    if (loaded.$beside !== null) plan.adoptBeside($list, loaded.$beside);
    return $list;
  }

  /** `rebuild` keeping this step's page cap, item form, optimizations and prefetch source. */
  private rebuildWith(settings: KvetchListSettings, steps: KvetchListSteps): KvetchListStep {
    const $list = this.rebuild(settings, steps);
    $list.limitCap = this.limitCap;
    $list.idsOnly = this.idsOnly;
    $list.optimizations.push(...this.optimizations);
    if (this.prefetchIndex >= 0) $list.prefetchIndex = $list.addDependency(this.getDependency(this.prefetchIndex), { acceptFlags: ACCEPT_ANY });
    return $list;
  }

  /**
   * Whether the node load of the list `$item` belongs to may fetch this list ahead for its nodes' ids: the
   * same store, and `first`/`after` global (one value for every key), so the prefetch asks what this would.
   */
  canBePrefetched($store: Step): boolean {
    return (
      this.prefetchIndex < 0 &&
      this.storeStep() === $store &&
      (this.firstIndex < 0 || this.isGlobalArgument(this.firstIndex)) &&
      (this.afterIndex < 0 || this.isGlobalArgument(this.afterIndex))
    );
  }

  /** Whether this list reads the pages fetched ahead on `$item` (its prefetch source), never the item's fields. */
  isPrefetchedFrom($item: Step): boolean {
    return this.prefetchIndex >= 0 && this.getDependency(this.prefetchIndex) === $item;
  }

  /** An equal list that reads the pages `$item`'s node load fetched ahead for it (PrefetchBesideNodes). */
  prefetchedFrom($item: Step): KvetchListStep {
    const $list = this.rebuildWith(this.settings, this.dependencySteps());
    $list.prefetchIndex = $list.addDependency($item, { acceptFlags: ACCEPT_ANY });
    return $list;
  }

  /**
   * spec: PrefetchPages — what this list's execute would fetch for `keys` (distinct node ids), fetched now:
   * the same page size, cursor and verification, in one store call. Keyed like the list's requests; null
   * when the call failed or `first` is invalid (the list then reads for itself, and reports it).
   */
  prefetchPages(store: Kvetch, keys: readonly unknown[], first: unknown, after: unknown, maxPage: number): PrefetchedPages {
    let limit: number | null;
    try {
      limit = this.checkFirst(first, maxPage);
    } catch {
      return Promise.resolve(null);
    }
    if (this.limitCap !== null) limit = limit === null ? this.limitCap : Math.min(limit, this.limitCap);
    if (limit === null) limit = maxPage + 1;
    const queried = keys.filter((key) => key != null && this.keyError(key) === null && this.dedupeKey(key) !== null);
    if (queried.length === 0) return Promise.resolve(null);
    const pages = this.fetchPages(store, queried, limit, (after ?? null) as string | null, this.settings.verify);
    return keyedPages(pages, queried, (key) => this.dedupeKey(key)!);
  }

  /**
   * An equal list that leaves the re-check of derived rows to the node load right behind it (loadNodes),
   * with the page cap this list's own optimize would set. A new step: this one is left as it is.
   */
  withoutVerification(plan: OptimizeContext): KvetchListStep {
    const loaded = loadedById(plan, this, this.keyStep());
    const $key = loaded?.$key ?? null;
    const steps = { ...this.dependencySteps(), ...($key === null ? {} : { $key }) };
    // A list keyed by a value that can be global may be global itself, and reused by a branch planned later.
    const unread = this.settings.cursors !== false && (!steps.$key.canBeGlobal() || !plan.branchesMayFollow()) && cursorsUnread(plan, this);
    const $list = this.rebuildWith({ mode: this.settings.mode, verify: false, ...(unread ? { cursors: false } : {}) }, steps);
    if (unread) $list.optimizations.push("items' cursors not encoded (nothing reads them)");
    if ($key !== null) $list.optimizations.push("keyed by the id its object was loaded by");
    if ($list.limitCap !== 1 && this.settings.mode === "list" && onlyFirstConsumes(plan, this)) {
      $list.limitCap = 1;
      $list.optimizations.push("first() folded into the query limit");
    }
    $list.optimizations.push("verified by the node load behind it");
    if (loaded !== null && loaded.$beside !== null) plan.adoptBeside($list, loaded.$beside);
    return $list;
  }

  /** The step giving each entry's key (the parent id, or the indexed value). */
  keyStep(): Step {
    return this.getDependency(this.keyIndex);
  }

  /** The store step this list reads from. */
  storeStep(): Step {
    return this.getDependency(this.storeIndex);
  }

  /** The page size and cursor steps (null when not given). */
  pageArguments(): { $first: Step | null; $after: Step | null } {
    const { $first, $after } = this.dependencySteps();
    return { $first, $after };
  }

  /** The steps optimize() rebuilds from: key, store, first and after. */
  protected dependencySteps(): KvetchListSteps {
    return {
      $key: this.getDependency(this.keyIndex),
      $store: this.getDependency(this.storeIndex),
      $first: this.firstIndex < 0 ? null : this.getDependency(this.firstIndex),
      $after: this.afterIndex < 0 ? null : this.getDependency(this.afterIndex),
    };
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter(
      (p) =>
        p instanceof KvetchListStep &&
        p.constructor === this.constructor &&
        p.name === this.name &&
        p.settings.mode === this.settings.mode &&
        p.settings.verify === this.settings.verify &&
        (p.settings.cursors !== false) === (this.settings.cursors !== false) &&
        p.limitCap === this.limitCap &&
        p.idsOnly === this.idsOnly &&
        p.firstIndex === this.firstIndex &&
        p.afterIndex === this.afterIndex,
    );
  }

  override toStringMeta(): string {
    return `${this.name}${this.settings.mode === "page" ? ",page" : ""}${this.limitCap !== null ? `,cap ${this.limitCap}` : ""}`;
  }
}

/** A first/after option as a step (numbers and strings become constants). */
export function pageArgument(value: Step | number | string | null | undefined): Step | null {
  if (value === undefined) return null;
  return value instanceof Step ? value : constant(value);
}

/** A page cut to `first` items: there is a next page, and it starts after the last item kept. */
function trimPage(page: KvetchPage<ListItem>, first: number): KvetchPage<ListItem> {
  const edges = page.edges.slice(0, first);
  return { edges, hasNextPage: true, endCursor: first > 0 ? edges[first - 1]!.cursor : null };
}

/**
 * spec: CursorsUnread — whether nothing can read the cursors of `$list`'s items: a list (not a page, whose
 * cursors a connection shows); no step consumes it and the output reads it only as a list field; every item
 * step of every list layer over it is read by steps only, each an access of a key other than `cursor` or a
 * list reading the pages fetched ahead on the item.
 */
function cursorsUnread(plan: OptimizeContext, $list: KvetchListStep): boolean {
  if ($list.settings.mode !== "list") return false;
  if (plan.consumersOf($list).length > 0 || plan.isOutputValue($list)) return false;
  const items = plan.itemsOf($list);
  if (items.length === 0) return false;
  for (const $item of items) {
    if (plan.isReadByOutput($item)) return false;
    for (const $reader of plan.consumersOf($item)) {
      if (readsPrefetched($reader, $item)) continue;
      if (!($reader instanceof AccessStep) || $reader.path.length === 0 || $reader.path[0] === "cursor") return false;
    }
  }
  return true;
}

/** Whether the only thing that reads `$list` is one first() step (no list field, no output, no other step). */
function onlyFirstConsumes(plan: OptimizeContext, $list: Step): boolean {
  const consumers = plan.consumersOf($list);
  return consumers.length === 1 && consumers[0] instanceof FirstStep && !plan.isReadByOutput($list);
}
