// LruMap: a Map bounded to a number of entries, dropping the least recently used past it (the plan cache's
// operation texts, spec/plan-cache.md). A Map keeps its keys in insertion order, so reading an entry moves it
// to the end and the first key is the least recently used one. Costs nothing to make: a fresh process's
// first request makes its schema's plan cache, and an LRU that allocates its capacity up front (two lists
// and two index arrays of 500) cost that request 0.7 M instructions.

/** spec: LruMap — at most `max` entries (at least 1); `get` and `set` make an entry the most recently used. */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  private readonly max: number;
  /** The key last read or written: the Map's last key (reading it again moves nothing). */
  private newest: K | undefined = undefined;

  constructor(max: number) {
    if (!(Number.isInteger(max) && max >= 1)) throw new TypeError(`graphscale: a bounded cache needs a size of 1 or more (an integer); got ${String(max)}`);
    this.max = max;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    // The most recently used key stays where it is: a server repeating one operation moves nothing.
    if (value !== undefined && key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, value);
      this.newest = key;
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.newest = key;
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K);
  }
}
