// LoadStep: what loadOne and loadMany build — DataLoader's job done per step. The callback runs once per
// layer with every distinct key of the batch and the global params, and returns results in key order. Keys
// are de-duplicated before the call; results fan back out without per-entry promises, in the executor's own
// callback when the callback answers with a promise (mapResults).

import { Step, constant, isPromiseLike, mapResults, type ExecutionDetails, type ExecutionResults, registerStepClass } from "../src/index.js";

export type LoadCallback<K, V, P> = (keys: readonly K[], params: P) => PromiseLike<ReadonlyArray<V>> | ReadonlyArray<V>;

export class LoadStep<K, V, P> extends Step<V | null> {
  static override readonly stepName = "Load";
  static {
    registerStepClass(this);
  }
  override isAsync = true;

  constructor(
    $key: Step,
    readonly callback: LoadCallback<K, V, P>,
    $params: Step,
    readonly many: boolean,
  ) {
    super();
    this.addDependency($key);
    this.addGlobalDependency($params);
  }

  execute({ count, values }: ExecutionDetails<[readonly K[], P]>): ExecutionResults<V | null> {
    // Indexed reads, not `const [keys, params] = values`: array destructuring walks the iterator on every call.
    const keys = values[0];
    const params = values[1];
    if (count === 1) return this.loadOneKey(keys[0], params);
    // Distinct keys, and for each entry the index of its key in that list (-1 for a null key).
    const distinct: K[] = [];
    const slot = new Int32Array(count);
    const seen = new Map<unknown, number>();
    for (let i = 0; i < count; i++) {
      const key = keys[i];
      if (key == null) {
        slot[i] = -1;
        continue;
      }
      let at = seen.get(key);
      if (at === undefined) {
        at = distinct.length;
        seen.set(key, at);
        distinct.push(key as K);
      }
      slot[i] = at;
    }
    if (distinct.length === 0) return new Array<V | null>(count).fill(null);
    const fanOut = (results: ReadonlyArray<V>): ReadonlyArray<V | null> => {
      if (!Array.isArray(results) || results.length !== distinct.length) this.wrongCount(results, distinct.length);
      const out = new Array<V | null>(count);
      for (let i = 0; i < count; i++) {
        const at = slot[i]!;
        out[i] = at < 0 ? null : (results[at] ?? null);
      }
      return out;
    };
    const results = this.callback(distinct, params);
    return isPromiseLike(results) ? mapResults(results, fanOut) : fanOut(results);
  }

  /** A batch of one entry (a root field, a single object): no de-duplication to do, so no map and no slots. */
  private loadOneKey(key: K | null | undefined, params: P): ExecutionResults<V | null> {
    if (key == null) return [null];
    const results = this.callback([key], params);
    // Written out, not isPromiseLike: this site sees only the callback's lists and promises (callExecute).
    return results != null && typeof (results as { then?: unknown }).then === "function" ? mapResults(results as PromiseLike<ReadonlyArray<V>>, this.oneResult) : this.oneResult(results as ReadonlyArray<V>);
  }

  /**
   * One entry (ExecuteOne): its key's record, or a mapResults of the callback's promise (its map makes the
   * list of one entry, as execute's does). A null key loads nothing.
   */
  override executeOne(key: unknown, params: unknown): unknown {
    if (key == null) return null;
    const results = this.callback([key as K], params as P);
    if (results instanceof Promise) return results; // its list is made the entry by oneEntry
    if (results != null && typeof (results as { then?: unknown }).then === "function") return mapResults(results as PromiseLike<ReadonlyArray<V>>, this.oneResult);
    if (!Array.isArray(results) || results.length !== 1) this.wrongCount(results, 1);
    return (results as ReadonlyArray<V>)[0] ?? null;
  }

  /** OneEntry: the entry's value of the callback's list for one key (executeOne's native promise). */
  override oneEntry(results: ReadonlyArray<V>): V | null {
    if (!Array.isArray(results) || results.length !== 1) this.wrongCount(results, 1);
    return results[0] ?? null;
  }

  /**
   * The one key's result as the step's results list: made once per step, so a call makes no closure for it.
   * Kept as a non-enumerable own property, so it is none of the step's fields (plan export lists those).
   */
  private get oneResult(): (results: ReadonlyArray<V>) => ReadonlyArray<V | null> {
    const one = (results: ReadonlyArray<V>): ReadonlyArray<V | null> => {
      if (!Array.isArray(results) || results.length !== 1) this.wrongCount(results, 1);
      return [results[0] ?? null];
    };
    Object.defineProperty(this, "oneResult", { value: one });
    return one;
  }

  private wrongCount(results: unknown, keys: number): never {
    throw new Error(
      `graphscale: the ${this.many ? "loadMany" : "loadOne"} callback ${this.callback.name || "(anonymous)"} returned ${Array.isArray(results) ? `${results.length} results` : typeof results} for ${keys} keys; it must return one result per key, in key order.`,
    );
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof LoadStep && p.callback === this.callback && p.many === this.many);
  }

  override toStringMeta(): string {
    return this.callback.name || "callback";
  }
}

/** The params argument as a global step (a plain value becomes a constant). */
export function paramsStep(params: unknown): Step {
  return params instanceof Step ? params : constant(params);
}
