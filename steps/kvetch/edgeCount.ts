// edgeCount(edge, $fromId): every parent's stored edge count for the whole layer in one countEdges call
// (one query per shard, or the cache). Counts are the stored rows' count, kept with each edge write; they
// are not re-checked against canonical data. Never counts per parent. Counted beside the parent's load when
// keyed by the id it was loaded by (LoadedById), or fetched ahead by the node load of a list (PrefetchBesideNodes).

import { Step, fail, type ExecutionDetails, type ExecutionResults, type FlaggedValue, type OptimizeContext, type PlanValidationContext, registerStepClass, mapResults } from "../../src/index.js";
import { KvetchError, isUuid, notUuidError, type Kvetch } from "../../src/kvetch/index.js";
import { countDependencyKey, recordReadDependencies, keysOfTheirOwn, withDependencies } from "./dependencies.js";
import { loadedById } from "./loadedId.js";
import { distinctIds, kvetchStore, plannedKvetchSchema, requireStore, type KvetchStepOptions, asRequest } from "./kvetchStore.js";
import { clientError } from "./clientError.js";
import { ACCEPT_ANY, keyedPages, readPrefetched, type Prefetched, type PrefetchReader } from "./prefetch.js";

export class EdgeCountStep extends Step<number | null> implements PrefetchReader {
  static override readonly stepName = "EdgeCount";
  static {
    registerStepClass(this);
  }
  override isAsync = true;
  /** The dependency on the list item whose node load fetched the counts ahead (PrefetchBesideNodes); -1: none. */
  private prefetchIndex = -1;

  constructor(
    /** The edge's name in the Kvetch schema. */
    readonly edge: string,
    $fromId: Step,
    $store: Step,
  ) {
    super();
    this.addDependency($fromId);
    this.addGlobalDependency($store);
  }

  /** The batch's store reads run as its request's work (asRequest): they wait in the request's lane at busy shards. */
  execute(details: ExecutionDetails<[readonly unknown[], unknown]>): ExecutionResults<number | null> {
    return asRequest(details, () => this.read(details));
  }

  private read({ count, values, deps }: ExecutionDetails<[readonly unknown[], unknown]>): ExecutionResults<number | null> {
    const [fromIds, storeValue] = values;
    const out = new Array<number | null | FlaggedValue>(count);
    // A fromId that is not a UUID string is bad input: that entry's error, with no query.
    const { distinct, slot } = distinctIds<number | FlaggedValue>(fromIds, count, out, (id) => fail(clientError(notUuidError(id, `edgeCount(${JSON.stringify(this.edge)})`))));
    if (distinct.length === 0) return out;
    const store = requireStore(storeValue, this);
    let recorded: Promise<void> | null = null;
    if (deps) {
      const entries: number[] = [];
      const keys: string[] = [];
      const own = keysOfTheirOwn(deps);
      for (let i = 0; i < count; i++) {
        if (slot[i]! < 0) continue;
        entries.push(i);
        keys.push(countDependencyKey(this.edge, distinct[slot[i]!]!, own));
      }
      recorded = recordReadDependencies(deps, store, entries, keys);
    }
    const fetch = (keys: unknown[]) => store.countEdges(this.edge, keys as string[], { partial: true });
    // Counts fetched ahead beside the nodes are read from the items (ReadPrefetched) — not when recording
    // dependencies: a count's version is read right before its own data.
    const read = this.prefetchIndex >= 0 && !deps ? readPrefetched<number>(this, values[this.prefetchIndex] as readonly unknown[], count, slot, distinct, (key) => key as string, fetch) : fetch(distinct as string[]);
    return mapResults(withDependencies(read, recorded), (counts) => {
      for (let i = 0; i < count; i++) {
        if (slot[i]! < 0) continue;
        const n = counts[slot[i]!]!;
        out[i] = n instanceof KvetchError ? fail(clientError(n)) : n;
      }
      return out;
    });
  }

  override validatePlan(context: PlanValidationContext): void {
    plannedKvetchSchema(context)?.edge(this.edge, `edgeCount(${JSON.stringify(this.edge)})`);
  }

  /** Counted by the id its parent object was loaded by, beside that object's load (LoadedById). */
  override optimize(plan: OptimizeContext): Step {
    if (this.prefetchIndex >= 0) return this;
    const loaded = loadedById(plan, this, this.getDependency(0));
    if (loaded === null) return this;
    const $count = new EdgeCountStep(this.edge, loaded.$key, this.getDependency(1));
    $count.optimizations.push("keyed by the id its object was loaded by");
    if (loaded.$beside !== null) plan.adoptBeside($count, loaded.$beside);
    return $count;
  }

  /** The parent id step this count is keyed by. */
  keyStep(): Step {
    return this.getDependency(0);
  }

  /** Whether the node load of a list may fetch this count ahead for its nodes' ids: the same store, not fetched ahead already. */
  canBePrefetched($store: Step): boolean {
    return this.prefetchIndex < 0 && this.getDependency(1) === $store;
  }

  /** A count has no page size or cursor. */
  pageArguments(): { $first: Step | null; $after: Step | null } {
    return { $first: null, $after: null };
  }

  isPrefetchedFrom($item: Step): boolean {
    return this.prefetchIndex >= 0 && this.getDependency(this.prefetchIndex) === $item;
  }

  /** An equal count that reads the counts `$item`'s node load fetched ahead for it (PrefetchBesideNodes). */
  prefetchedFrom($item: Step): EdgeCountStep {
    const $count = new EdgeCountStep(this.edge, this.getDependency(0), this.getDependency(1));
    $count.optimizations.push(...this.optimizations);
    $count.prefetchIndex = $count.addDependency($item, { acceptFlags: ACCEPT_ANY });
    return $count;
  }

  /** PrefetchPages for a count: the countEdges call this count's execute would make for these node ids, made now. */
  prefetchPages(store: Kvetch, keys: readonly unknown[]): Prefetched<number> {
    const queried: string[] = [];
    const seen = new Set<string>();
    for (const key of keys) {
      if (!isUuid(key)) continue;
      const id = key.toLowerCase();
      if (seen.has(id)) continue;
      seen.add(id);
      queried.push(id);
    }
    if (queried.length === 0) return Promise.resolve(null);
    return keyedPages(store.countEdges(this.edge, queried, { partial: true }), queried, (key) => key as string);
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof EdgeCountStep && p.edge === this.edge);
  }

  override toStringMeta(): string {
    return this.edge;
  }
}

/** The number of `edge` edges from each entry's parent. */
export function edgeCount(edge: string, $fromId: Step, options?: KvetchStepOptions): EdgeCountStep {
  return new EdgeCountStep(edge, $fromId, kvetchStore(options));
}
