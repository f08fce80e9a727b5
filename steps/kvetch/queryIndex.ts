// queryIndex(index, $value, { first, after }): the index entries of every entry's value for the whole layer
// in one store call (one query per shard), `first`/`after` pushed into the query. Each entry's value is its
// list of `{ targetId, cursor }`; queryIndexPage gives pages. Never queries per value.

import type { Step } from "../../src/index.js";
import { indexEntryHolds, indexKey, indexValueKey } from "../../src/kvetch/index.js";
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
    const part = typeof value === "string" ? null : unstorablePart(value, 0);
    if (part === null) return null;
    const what = part === value ? describe(value) : `${describe(value)} holding ${describe(part)}`;
    return new KvetchError(
      "BAD_DATA",
      `${what} cannot be queried in ${this.factoryName}(${JSON.stringify(this.name)}); index values are strings, finite numbers, ` +
        `booleans, null, and plain objects and arrays of those, at most ${MAX_DEPTH} levels deep (convert it first, e.g. a Date to its ISO string)`,
    );
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

  itemCheck(store: Kvetch): (item: ListItem, value: unknown, target: KvetchObject | null) => boolean {
    const def = store.schema.index(this.name, `${this}`);
    return (_item, value, target) => indexEntryHolds(def, value, target);
  }
}

/** Nesting the store accepts in a JSON value (its MAX_DATA_DEPTH); deeper, or a cycle, is refused. */
const MAX_DEPTH = 100;

/**
 * The first part of `value` the store's JSON check (checkJsonValue, not exported) would refuse, or null:
 * a number that is not finite, a value JSON has no form for, an object that is not plain, too deep a nesting.
 */
function unstorablePart(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return null;
    case "number":
      return Number.isFinite(value) ? null : value;
    case "object": {
      if (value === null) return null;
      if (depth >= MAX_DEPTH) return value;
      if (Array.isArray(value)) {
        for (const item of value) {
          const part = unstorablePart(item, depth + 1);
          if (part !== null) return part;
        }
        return null;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return value;
      for (const key of Object.keys(value)) {
        const part = unstorablePart((value as Record<string, unknown>)[key], depth + 1);
        if (part !== null) return part;
      }
      return null;
    }
    default:
      return value; // undefined inside a value, bigint, symbol, function
  }
}

/** A short rendering of a value for messages: `Infinity (number)`, `a Date`, `"abc"`. */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "bigint") return `${value}n (bigint)`;
  if (value !== null && typeof value === "object") {
    const name = Array.isArray(value) ? "array" : ((value as object).constructor?.name ?? "Object");
    const shown = name === "Object" ? "object" : name;
    return `${/^[aeiou]/i.test(shown) ? "an" : "a"} ${shown}`;
  }
  return `${String(value)} (${typeof value})`;
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
