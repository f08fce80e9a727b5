// LoadNodesStep: the objects a Kvetch list's items point to, loaded right behind the list in the same layer
// with one getObjects call for every item of every entry (ids de-duplicated across parents). Re-checks
// derived rows against those objects and drops the items that no longer hold, so a list field never shows a
// stale child. Made by optimize() only (loadObject over a list's items, through loadNodesBehind); never
// calls the store per entry.

import { Step, fail, type ExecutionDetails, type FlaggedValue, type OptimizeContext, registerStepClass } from "../../src/index.js";
import { KvetchError, type KvetchObject, type KvetchPage } from "../../src/kvetch/index.js";
import { objectDependencyKey, recordReadDependencies, withDependencies } from "./dependencies.js";
import type { KvetchListStep, ListItem } from "./kvetchList.js";
import { requireStore } from "./kvetchStore.js";

/**
 * A list item with the object it points to (`node`: null when missing or of another type; a flagged error
 * when the object's shard failed, so the error lands at that item's node and the other items are served).
 */
export type NodeItem = ListItem & { readonly node: KvetchObject | null | FlaggedValue };

export class LoadNodesStep extends Step<unknown> {
  static override readonly stepName = "LoadNodes";
  static {
    registerStepClass(this);
  }
  override isAsync = true;

  constructor(
    $list: KvetchListStep,
    /** The object type the items' objects must have; others load as null, like loadObject. */
    readonly type: string,
    $key: Step,
    $store: Step,
  ) {
    super();
    this.addDependency($list);
    this.addDependency($key);
    this.addGlobalDependency($store);
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

  execute({ count, values: [lists, keys, storeValue], deps }: ExecutionDetails<[readonly unknown[], readonly unknown[], unknown]>): Promise<unknown[]> | unknown[] {
    const store = requireStore(storeValue, this);
    const $list = this.$list;
    const idKey = $list.idKey;
    const paged = $list.settings.mode === "page";
    // Every item's object id, once, across all entries: one store call for the layer.
    const ids: string[] = [];
    const position = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const value = lists[i];
      if (value == null || typeof value !== "object") continue;
      const items = (paged ? (value as KvetchPage<ListItem>).edges : value) as readonly ListItem[];
      for (let k = 0; k < items.length; k++) {
        const id = (items[k] as unknown as Record<string, string>)[idKey]!;
        if (!position.has(id)) {
          position.set(id, ids.length);
          ids.push(id);
        }
      }
    }
    if (ids.length === 0) return lists.slice(0, count);
    const type = this.type;
    const recorded = deps ? recordReadDependencies(deps, store, ...nodeKeys(lists, count, paged, idKey)) : null;
    return withDependencies(store.getObjects(ids, { partial: true }), recorded).then((objects) => {
      const holds = $list.itemCheck(store);
      const out = new Array<unknown>(count);
      for (let i = 0; i < count; i++) {
        const value = lists[i];
        if (value == null || typeof value !== "object") {
          out[i] = value;
          continue;
        }
        const page = paged ? (value as KvetchPage<ListItem>) : null;
        const items = (page !== null ? page.edges : value) as readonly ListItem[];
        const kept: NodeItem[] = [];
        for (let k = 0; k < items.length; k++) {
          const item = items[k]!;
          const target = objects[position.get((item as unknown as Record<string, string>)[idKey]!)!] ?? null;
          if (target instanceof KvetchError) {
            kept.push({ ...item, node: fail(target) }); // cannot be checked or shown: an error at this item only
            continue;
          }
          if (!holds(item, keys[i], target)) continue; // a stale derived row: the canonical object says otherwise
          // A new item per kept edge (the store's items are never written to): the list's values are new anyway.
          kept.push({ ...item, node: target !== null && target.type === type ? target : null });
        }
        // A page keeps the store's hasNextPage and endCursor: the next page starts after the last row read,
        // even when that row was dropped here.
        out[i] = page !== null ? { edges: kept, hasNextPage: page.hasNextPage, endCursor: page.endCursor } : kept;
      }
      return out;
    });
  }

  override toStringMeta(): string {
    return this.type;
  }
}

/** `object:<id>` of every item's object, as a dependency of the entry whose list holds it. */
function nodeKeys(lists: readonly unknown[], count: number, paged: boolean, idKey: string): [number[], string[]] {
  const entries: number[] = [];
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const value = lists[i];
    if (value == null || typeof value !== "object") continue;
    const items = (paged ? (value as KvetchPage<ListItem>).edges : value) as readonly ListItem[];
    for (let k = 0; k < items.length; k++) {
      entries.push(i);
      keys.push(objectDependencyKey((items[k] as unknown as Record<string, string>)[idKey]!));
    }
  }
  return [entries, keys];
}

/**
 * spec: LoadNodesBehind — replaces `$list` in the plan by the same list read without store-side
 * verification plus, right behind it, the load of the objects its items point to (one more store call for
 * the layer); the objects re-check the derived rows. Returns the node load (whose items carry `node`).
 */
export function loadNodesBehind(plan: OptimizeContext, $list: KvetchListStep, type: string): LoadNodesStep {
  const $nodes = new LoadNodesStep($list.withoutVerification(plan), type, $list.keyStep(), $list.storeStep());
  plan.replaceStep($list, $nodes);
  return $nodes;
}
