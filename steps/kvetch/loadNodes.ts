// LoadNodesStep: the objects a Kvetch list's items point to, loaded right behind the list in the same layer
// with one getObjects call for every item of every entry (the store reads each distinct id once). Re-checks
// derived rows against those objects and drops the items that no longer hold, so a list field never shows a
// stale child. Made by optimize() only (loadObject over a list's items, through loadNodesBehind); never
// calls the store per entry.

import { AccessStep, Step, fail, type ExecutionDetails, type ExecutionResults, type FlaggedValue, type OptimizeContext, registerStepClass, mapResults } from "../../src/index.js";
import { KvetchError, type Kvetch, type KvetchObject, type KvetchPage } from "../../src/kvetch/index.js";
import { objectDependencyKey, recordReadDependencies, keysOfTheirOwn, withDependencies } from "./dependencies.js";
import { KvetchListStep, type ListItem } from "./kvetchList.js";
import { requireStore, asRequest } from "./kvetchStore.js";
import { clientError } from "./clientError.js";
import { PREFETCHED, readsPrefetched, type Prefetched, type PrefetchReader, type Prefetches } from "./prefetch.js";

/**
 * A list item with the object it points to (`node`: null when missing or of another type; a flagged error
 * when the object's shard failed, so the error lands at that item's node and the other items are served).
 */
export type NodeItem = ListItem & { readonly node: KvetchObject | null | FlaggedValue };

/** An item of a node load whose plan reads nothing of its items but the node and the id (NodesOnly). */
type SlimItem = { readonly toId: string; readonly node: KvetchObject | null | FlaggedValue } | { readonly targetId: string; readonly node: KvetchObject | null | FlaggedValue };

export class LoadNodesStep extends Step<unknown> {
  static override readonly stepName = "LoadNodes";
  static {
    registerStepClass(this);
  }
  override isAsync = true;
  /** Per list fetched ahead: the dependency indices of its global `first` and `after` (-1: none). */
  readonly prefetchArguments: number[] = [];
  /** Whether each item holds only its id and its node, because nothing else of it is read (NodesOnly). */
  slim = false;

  constructor(
    $list: KvetchListStep,
    /** The object type the items' objects must have; others load as null, like loadObject. */
    readonly type: string,
    $key: Step,
    $store: Step,
    /** Lists and counts below keyed by each node's id, fetched ahead for the item ids beside the nodes (PrefetchBesideNodes). */
    readonly prefetches: readonly PrefetchReader[] = [],
  ) {
    super();
    this.addDependency($list);
    // A null key (a missing parent object, when the list was keyed by the id it was loaded by) reads nothing.
    this.addDependency($key, { acceptFlags: 0 });
    this.addGlobalDependency($store);
    for (const $ahead of prefetches) {
      const { $first, $after } = $ahead.pageArguments();
      this.prefetchArguments.push($first === null ? -1 : this.addGlobalDependency($first), $after === null ? -1 : this.addGlobalDependency($after));
    }
  }

  /** The list whose items this step loads the objects of. */
  get $list(): KvetchListStep {
    return this.getDependency(0) as KvetchListStep;
  }

  /** The item field naming each item's object, as on the list. */
  get idKey(): "toId" | "targetId" {
    return this.$list.idKey;
  }

  /** The store step this node load reads from. */
  storeStep(): Step {
    return this.getDependency(2);
  }

  /** The batch's store reads run as its request's work (asRequest): they wait in the request's lane at busy shards. */
  execute(details: ExecutionDetails): ExecutionResults<unknown> {
    return asRequest(details, () => this.read(details));
  }

  private read({ count, values, request, deps }: ExecutionDetails): ExecutionResults<unknown> {
    const [lists, keys, storeValue] = values as [readonly unknown[], readonly unknown[], unknown];
    const store = requireStore(storeValue, this);
    const $list = this.$list;
    const idKey = $list.idKey;
    const idsOnly = $list.idsOnly; // each item is the id it points to
    const slim = this.slim;
    const paged = $list.settings.mode === "page";
    // Every item's object id, in entry and item order, across all entries: one store call for the layer (the
    // store reads each distinct id once and answers every position, so the objects line up with the items).
    // Counted first, so the list of ids is allocated once at its size (a layer can hold tens of thousands).
    let total = 0;
    for (let i = 0; i < count; i++) {
      const value = lists[i];
      if (value != null && typeof value === "object") total += ((paged ? (value as KvetchPage<ListItem>).edges : value) as readonly ListItem[]).length;
    }
    if (total === 0) return lists.slice(0, count);
    const ids = new Array<string>(total);
    let n = 0;
    for (let i = 0; i < count; i++) {
      const value = lists[i];
      if (value == null || typeof value !== "object") continue;
      const items = (paged ? (value as KvetchPage<ListItem>).edges : value) as readonly ListItem[];
      if (idsOnly) for (let k = 0; k < items.length; k++) ids[n++] = items[k] as unknown as string;
      else for (let k = 0; k < items.length; k++) ids[n++] = (items[k] as unknown as Record<string, string>)[idKey]!;
    }
    const type = this.type;
    const recorded = deps ? recordReadDependencies(deps, store, ...nodeKeys(ids, lists, count, paged, keysOfTheirOwn(deps))) : null;
    const nodes = store.getObjects(ids, { partial: true });
    // In the same round trip: the lists below keyed by these ids (not when recording dependencies: each list
    // reads its own version right before its own data).
    const ahead = deps || this.prefetches.length === 0 ? null : this.prefetchAhead(store, ids, values, request.limits.maxPageSize);
    return mapResults(withDependencies(nodes, recorded), (objects) => {
      const holds = $list.itemCheck(store);
      const out = new Array<unknown>(count);
      let at = 0; // the position of the next item's object in `objects`
      for (let i = 0; i < count; i++) {
        const value = lists[i];
        if (value == null || typeof value !== "object") {
          out[i] = value;
          continue;
        }
        const page = paged ? (value as KvetchPage<ListItem>) : null;
        const items = (page !== null ? page.edges : value) as readonly (ListItem | string)[];
        const kept = new Array<NodeItem | SlimItem>(items.length);
        let held = 0;
        for (let k = 0; k < items.length; k++) {
          const item = items[k]!;
          const id = ids[at]!;
          const target = objects[at++] ?? null;
          if (target instanceof KvetchError) {
            // cannot be checked or shown: an error at this item only
            kept[held++] = slim ? slimItem(idKey, id, fail(clientError(target) as Error), null) : nodeItem(item as ListItem, fail(clientError(target) as Error), null);
            continue;
          }
          if (!holds(item, keys[i], target)) continue; // a stale derived row: the canonical object says otherwise
          // A new item per kept edge (the store's items are never written to): the list's values are new anyway.
          const node = target !== null && target.type === type ? target : null;
          kept[held++] = slim ? slimItem(idKey, id, node, ahead) : nodeItem(item as ListItem, node, ahead);
        }
        if (held < items.length) kept.length = held;
        // A page keeps the store's hasNextPage and endCursor: the next page starts after the last row read,
        // even when that row was dropped here.
        out[i] = page !== null ? { edges: kept, hasNextPage: page.hasNextPage, endCursor: page.endCursor } : kept;
      }
      return out;
    });
  }

  /** spec: PrefetchAhead — one store call per list fetched ahead for the items' ids, started beside the node load. */
  private prefetchAhead(store: Kvetch, ids: readonly string[], values: readonly unknown[], maxPage: number): Map<Step, Prefetched<unknown>> {
    const ahead = new Map<Step, Prefetched<unknown>>();
    const args = this.prefetchArguments;
    for (let p = 0; p < this.prefetches.length; p++) {
      const first = args[2 * p]! < 0 ? null : values[args[2 * p]!];
      const after = args[2 * p + 1]! < 0 ? null : values[args[2 * p + 1]!];
      ahead.set(this.prefetches[p]!, this.prefetches[p]!.prefetchPages(store, ids, first, after, maxPage));
    }
    return ahead;
  }

  override toStringMeta(): string {
    return this.type;
  }
}

/**
 * A list item with its node, copied field by field: one object shape per list kind. (A spread with more
 * properties after it costs about a microsecond per object in V8; this is a plain literal.)
 */
function nodeItem(item: ListItem, node: KvetchObject | null | FlaggedValue, ahead: Prefetches | null): NodeItem {
  let out: NodeItem;
  if ("toId" in item) {
    out = { edge: item.edge, fromId: item.fromId, toId: item.toId, data: item.data, created: item.created, cursor: item.cursor, node };
  } else {
    out = { targetId: item.targetId, cursor: item.cursor, node };
  }
  if (ahead !== null) (out as { [PREFETCHED]?: Prefetches })[PREFETCHED] = ahead;
  return out;
}

/**
 * A list item reduced to its id and node, in one of two object shapes (by the list's id key), with the
 * pages fetched ahead for its node's id when there are any.
 */
function slimItem(idKey: "toId" | "targetId", id: string, node: KvetchObject | null | FlaggedValue, ahead: Prefetches | null): SlimItem {
  const out: SlimItem = idKey === "toId" ? { toId: id, node } : { targetId: id, node };
  if (ahead !== null) (out as { [PREFETCHED]?: Prefetches })[PREFETCHED] = ahead;
  return out;
}

/** `object:<id>` of every item's object (`ids`: the items' ids in entry and item order), as a dependency of the entry whose list holds it. */
function nodeKeys(ids: readonly string[], lists: readonly unknown[], count: number, paged: boolean, own: boolean): [number[], string[]] {
  const entries: number[] = [];
  const keys: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const value = lists[i];
    if (value == null || typeof value !== "object") continue;
    const items = (paged ? (value as KvetchPage<ListItem>).edges : value) as readonly unknown[];
    for (let k = 0; k < items.length; k++) {
      entries.push(i);
      keys.push(objectDependencyKey(ids[at++]!, own));
    }
  }
  return [entries, keys];
}

/**
 * spec: NodesOnly — whether nothing in the finished plan reads the items of `$nodes` but their node and the
 * id they point to: no branch may still be planned; no step consumes the lists and the output reads them
 * only as a list field; every item step of every list layer over them is read by steps only, each an access
 * of `node` (or a path under it) or of the id key, or a list reading the pages fetched ahead on the item.
 */
function nodesOnly(plan: OptimizeContext, $nodes: LoadNodesStep): boolean {
  if (plan.branchesMayFollow() || plan.consumersOf($nodes).length > 0 || plan.isOutputValue($nodes)) return false;
  const items = plan.itemsOf($nodes);
  if (items.length === 0) return false;
  const idKey = $nodes.idKey;
  for (const $item of items) {
    if (plan.isReadByOutput($item)) return false;
    for (const $reader of plan.consumersOf($item)) {
      if (readsPrefetched($reader, $item)) continue;
      if (!($reader instanceof AccessStep) || ($reader.path[0] !== "node" && $reader.path[0] !== idKey)) return false;
    }
  }
  return true;
}

/**
 * Once the plan is optimized: when NodesOnly holds, the node load builds slim items and its list (a list of
 * loadEdges, not a page) reads only the ids its items point to (Kvetch getEdgeTargets).
 */
function chooseItemForm(plan: OptimizeContext, $nodes: LoadNodesStep): void {
  if (plan.current($nodes) !== $nodes || !nodesOnly(plan, $nodes)) return; // a node load replaced since runs no more
  $nodes.slim = true;
  $nodes.optimizations.push("items hold their id and node only (nothing else of them is read)");
  // The list as it stands now: a list fetched ahead by the node load above was replaced after this one was built.
  const $list = plan.current($nodes.$list);
  if ($list instanceof KvetchListStep && $list.settings.mode === "list" && $list.canReadIdsOnly() && plan.consumersOf($list).length === 1) {
    $list.idsOnly = true;
    $list.optimizations.push("items read as the ids they point to");
  }
}

/**
 * spec: LoadNodesBehind — replaces `$list` in the plan by the same list read without store-side
 * verification plus, right behind it, the load of the objects its items point to (one more store call for
 * the layer); the objects re-check the derived rows. Returns the node load (whose items carry `node`).
 */
export function loadNodesBehind(plan: OptimizeContext, $list: KvetchListStep, type: string, prefetches: readonly PrefetchReader[] = []): LoadNodesStep {
  const $unverified = $list.withoutVerification(plan);
  const $nodes = new LoadNodesStep($unverified, type, $list.keyStep(), $list.storeStep(), prefetches);
  // The node load stays where the list was, reading its original key, even when the list moved up beside its
  // object's load (LoadedById per entry): a missing object reads nothing behind its list.
  plan.adoptBeside($nodes, $list);
  plan.replaceStep($list, $nodes);
  plan.afterOptimize(() => chooseItemForm(plan, $nodes));
  return $nodes;
}
