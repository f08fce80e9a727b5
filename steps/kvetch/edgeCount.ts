// edgeCount(edge, $fromId): every parent's stored edge count for the whole layer in one countEdges call
// (one query per shard, or the cache). Counts are the stored rows' count, kept with each edge write; they
// are not re-checked against canonical data. Never counts per parent.

import { Step, fail, type ExecutionDetails, type ExecutionResults, type FlaggedValue, type OptimizeContext, type PlanValidationContext, registerStepClass, mapResults } from "../../src/index.js";
import { KvetchError, notUuidError } from "../../src/kvetch/index.js";
import { countDependencyKey, recordReadDependencies, withDependencies } from "./dependencies.js";
import { loadedById } from "./loadedId.js";
import { distinctIds, kvetchStore, plannedKvetchSchema, requireStore, type KvetchStepOptions, asRequest } from "./kvetchStore.js";
import { clientError } from "./clientError.js";

export class EdgeCountStep extends Step<number | null> {
  static override readonly stepName = "EdgeCount";
  static {
    registerStepClass(this);
  }
  override isAsync = true;

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

  private read({ count, values: [fromIds, storeValue], deps }: ExecutionDetails<[readonly unknown[], unknown]>): ExecutionResults<number | null> {
    const out = new Array<number | null | FlaggedValue>(count);
    // A fromId that is not a UUID string is bad input: that entry's error, with no query.
    const { distinct, slot } = distinctIds<number | FlaggedValue>(fromIds, count, out, (id) => fail(clientError(notUuidError(id, `edgeCount(${JSON.stringify(this.edge)})`))));
    if (distinct.length === 0) return out;
    const store = requireStore(storeValue, this);
    let recorded: Promise<void> | null = null;
    if (deps) {
      const entries: number[] = [];
      const keys: string[] = [];
      for (let i = 0; i < count; i++) {
        if (slot[i]! < 0) continue;
        entries.push(i);
        keys.push(countDependencyKey(this.edge, distinct[slot[i]!]!));
      }
      recorded = recordReadDependencies(deps, store, entries, keys);
    }
    return mapResults(withDependencies(store.countEdges(this.edge, distinct, { partial: true }), recorded), (counts) => {
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
    const $key = loadedById(plan, this, this.getDependency(0));
    if ($key === null) return this;
    const $count = new EdgeCountStep(this.edge, $key, this.getDependency(1));
    $count.optimizations.push("keyed by the id its object was loaded by");
    return $count;
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
