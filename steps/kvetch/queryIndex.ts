// queryIndex(index, $value, { first, after }): the index entries of every entry's value for the whole layer
// in one store call (one query per shard), `first`/`after` pushed into the query. Each entry's value is its
// list of `{ targetId, cursor }`; queryIndexPage gives pages. Never queries per value.

import type { Step } from "../../src/index.js";
import { checkJsonValue, indexEntryHolds, indexKey, indexValueKey } from "../../src/kvetch/index.js";
import { KvetchError, type Kvetch } from "../../src/kvetch/index.js";
import type { KvetchObject, KvetchPage } from "../../src/kvetch/index.js";
import { KvetchListStep, pageArgument, type KvetchListOptions, type KvetchListSettings, type KvetchListSteps, type ListItem } from "./kvetchList.js";
import { kvetchStore } from "./kvetchStore.js";
import { registerStepClass } from "../../src/index.js";

export class QueryIndexStep extends KvetchListStep {
  static override readonly stepName = "QueryIndex";
  static {
    registerStepClass(this);
  }
  readonly idKey = "targetId";
  readonly factoryName = "queryIndex";

  dependencyKey(value: unknown): string {
    return indexKey(this.name, indexValueKey(value));
  }

  protected fetchPages(
    store: Kvetch,
    values: unknown[],
    first: number | null,
    after: string | null | (string | null)[],
    verify: boolean,
  ): Promise<(KvetchPage<ListItem> | KvetchError)[]> {
    return store.queryIndex(this.name, values, this.pageOptions(first, after, verify));
  }

  /** A value JSON cannot hold (Infinity, a Date, a BigInt, …) is bad input: that entry's error (and no query). */
  protected keyError(value: unknown): KvetchError | null {
    if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return null;
    try {
      checkJsonValue(value, `${this.factoryName}(${JSON.stringify(this.name)}) value`); // the store's own check
      return null;
    } catch (error) {
      return error as KvetchError;
    }
  }

  /** Scalars de-duplicate; objects and arrays are sent as they are (the store canonicalizes them). */
  protected dedupeKey(value: unknown): string | null {
    switch (typeof value) {
      case "string":
        return `s${value}`;
      case "number":
      case "boolean":
        return `${typeof value}${String(value)}`;
      default:
        return null;
    }
  }

  protected rebuild(settings: KvetchListSettings, steps: KvetchListSteps = this.dependencySteps()): KvetchListStep {
    const { $key, $store, $first, $after } = steps;
    return new QueryIndexStep(this.name, $key, $store, $first, $after, settings);
  }

  /** Index entries are read whole: the store has no read of their target ids alone. */
  canReadIdsOnly(): boolean {
    return false;
  }

  itemCheck(store: Kvetch): (item: ListItem | string, value: unknown, target: KvetchObject | null) => boolean {
    const def = store.schema.index(this.name, `${this}`);
    return (_item, value, target) => indexEntryHolds(def, value, target);
  }
}

/** The objects whose indexed attribute equals each entry's value: a list of `{ targetId, cursor }` per entry. */
export function queryIndex(index: string, $value: Step, options?: KvetchListOptions): QueryIndexStep {
  return new QueryIndexStep(index, $value, kvetchStore(options), pageArgument(options?.first), pageArgument(options?.after), {
    mode: "list",
    verify: true,
  });
}

/** Like queryIndex, but each entry's value is a page `{ edges, hasNextPage, endCursor }`. */
export function queryIndexPage(index: string, $value: Step, options?: KvetchListOptions): QueryIndexStep {
  return new QueryIndexStep(index, $value, kvetchStore(options), pageArgument(options?.first), pageArgument(options?.after), {
    mode: "page",
    verify: true,
  });
}
