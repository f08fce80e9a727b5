// loadEdges(edge, $fromId, { first, after }): every parent's edges for the whole layer in one getEdges call
// (one query per shard), `first`/`after` pushed into the query. Each entry's value is its list of edges
// (`{ toId, cursor, data, ... }`); loadEdgePage gives `{ edges, hasNextPage, endCursor }` instead.
// Never queries per parent; never slices a page after fetching more than it needs.

import type { Step } from "../../src/index.js";
import { derivedEdgeHolds, derivedTargetHolds, isUuid, notUuidError } from "../../src/kvetch/index.js";
import type { Kvetch, KvetchEdge, KvetchError, KvetchObject, KvetchPage } from "../../src/kvetch/index.js";
import { edgesDependencyKey } from "./dependencies.js";
import { KvetchListStep, pageArgument, type KvetchListOptions, type KvetchListSettings, type KvetchListSteps, type ListItem } from "./kvetchList.js";
import { kvetchStore } from "./kvetchStore.js";
import { registerStepClass } from "../../src/index.js";

export class LoadEdgesStep extends KvetchListStep {
  static override readonly stepName = "LoadEdges";
  static {
    registerStepClass(this);
  }
  readonly idKey = "toId";
  readonly factoryName = "loadEdges";

  dependencyKey(fromId: unknown, own: boolean): string {
    return edgesDependencyKey(this.name, String(fromId), own);
  }

  protected fetchPages(
    store: Kvetch,
    fromIds: unknown[],
    first: number | null,
    after: string | null | (string | null)[],
    verify: boolean,
  ): Promise<(KvetchPage<ListItem | string> | KvetchError)[]> {
    const options = this.pageOptions(first, after, verify);
    return this.idsOnly ? store.getEdgeTargets(this.name, fromIds as string[], options) : store.getEdges(this.name, fromIds as string[], options);
  }

  canReadIdsOnly(): boolean {
    return true;
  }

  /** A parent that is not a UUID string is bad input: that entry's error (and no query). */
  protected keyError(fromId: unknown): KvetchError | null {
    return isUuid(fromId) ? null : notUuidError(fromId, `${this.factoryName}(${JSON.stringify(this.name)})`);
  }

  protected dedupeKey(fromId: unknown): string {
    return (fromId as string).toLowerCase();
  }

  protected rebuild(settings: KvetchListSettings, steps: KvetchListSteps = this.dependencySteps()): KvetchListStep {
    const { $key, $store, $first, $after } = steps;
    return new LoadEdgesStep(this.name, $key, $store, $first, $after, settings);
  }

  itemCheck(store: Kvetch): (item: ListItem | string, fromId: unknown, target: KvetchObject | null) => boolean {
    const def = store.schema.edge(this.name, `${this}`);
    if (!this.idsOnly) return (item, _fromId, target) => derivedEdgeHolds(def, item as KvetchEdge, target);
    // An item is its toId; the fromId is the entry's key as given, canonical once per entry (its items come in a row).
    let key: unknown = null;
    let canonical = "";
    return (toId, fromId, target) => {
      if (fromId !== key) {
        key = fromId;
        canonical = (fromId as string).toLowerCase();
      }
      return derivedTargetHolds(def, canonical, toId as string, target);
    };
  }
}

/** The edges from each entry's parent: a list of `{ edge, fromId, toId, data, created, cursor }` per entry. */
export function loadEdges(edge: string, $fromId: Step, options?: KvetchListOptions): LoadEdgesStep {
  return new LoadEdgesStep(edge, $fromId, kvetchStore(options), pageArgument(options?.first), pageArgument(options?.after), {
    mode: "list",
    verify: true,
  });
}

/** Like loadEdges, but each entry's value is a page `{ edges, hasNextPage, endCursor }` (for connections). */
export function loadEdgePage(edge: string, $fromId: Step, options?: KvetchListOptions): LoadEdgesStep {
  return new LoadEdgesStep(edge, $fromId, kvetchStore(options), pageArgument(options?.first), pageArgument(options?.after), {
    mode: "page",
    verify: true,
  });
}
