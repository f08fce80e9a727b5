// MappedResults: what a step's `execute` may return in place of `promise.then(map)`. The executor (and the
// cross-request batcher) applies `map` in the callback where it receives the promise's value, so a step that
// only reshapes what its data source answered adds no promise hop of its own to every call.

/** A promise and the function that makes the step's results list of its value (see mapResults). */
export class MappedResults<V = unknown, T = unknown> {
  // Declared, not class fields (defined as undefined before the constructor assigns them): one is made per call.
  declare readonly promise: PromiseLike<V>;
  declare readonly map: (value: V) => ReadonlyArray<T>;

  constructor(promise: PromiseLike<V>, map: (value: V) => ReadonlyArray<T>) {
    this.promise = promise;
    this.map = map;
  }

  /** The same results as one promise (for a caller that awaits them: one hop more than the executor's own). */
  toPromise(): Promise<ReadonlyArray<T>> {
    return Promise.resolve(this.promise).then(this.map);
  }
}

/**
 * spec: MapResults — `execute` returns `mapResults(promise, map)` for `promise.then(map)`: the same results,
 * one promise hop sooner. `map` runs once, with the promise's value; what it throws fails every entry of the
 * call, as a rejection does.
 */
export function mapResults<V, T>(promise: PromiseLike<V>, map: (value: V) => ReadonlyArray<T>): MappedResults<V, T> {
  return new MappedResults(promise, map);
}
