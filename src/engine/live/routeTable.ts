// The live router's route index (spec/reactivity.md, RouteTable): route → the idle live queries indexed
// under it, as pairs of numbers in one Int32Array (open addressing, linear probing) instead of a Map entry
// per route: a route is held as its hash, a live query as its entry id. A hash shared by two routes only
// makes the router look at a live query's keys for nothing (it checks each key's route), never miss one.

/** A string's 32-bit FNV-1a hash. */
export function routeHash(route: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < route.length; i++) h = Math.imul(h ^ route.charCodeAt(i), 0x01000193);
  return h | 0;
}

const MIN_CAPACITY = 1024;

/**
 * spec: RouteTable — a multimap of route hash → entry id: slot i holds the hash at 2i and the entry id + 1
 * at 2i + 1 (0: empty, -1: removed). Kept at most three quarters full counting removed slots; grown (or
 * shrunk when an eighth full) by copying the pairs into a table twice the live pairs' count or more.
 */
export class RouteTable {
  private slots = new Int32Array(2 * MIN_CAPACITY);
  /** Slots not empty (pairs and removed ones). */
  private used = 0;
  /** Pairs held. */
  private live = 0;

  /** Adds the pair once (a live query's keys of one route, or of two routes with one hash, index it once). */
  add(hash: number, id: number): void {
    if ((this.used + 1) * 4 > this.capacity() * 3) this.resize(this.live + 1);
    const slots = this.slots;
    const mask = this.capacity() - 1;
    let free = -1;
    let i = hash & mask;
    for (;;) {
      const held = slots[2 * i + 1]!;
      if (held === 0) break;
      if (held === -1) {
        if (free < 0) free = i;
      } else if (held === id + 1 && slots[2 * i] === hash) return;
      i = (i + 1) & mask;
    }
    if (free < 0) {
      free = i;
      this.used++;
    }
    slots[2 * free] = hash;
    slots[2 * free + 1] = id + 1;
    this.live++;
  }

  remove(hash: number, id: number): void {
    const slots = this.slots;
    const mask = this.capacity() - 1;
    for (let i = hash & mask; slots[2 * i + 1] !== 0; i = (i + 1) & mask) {
      if (slots[2 * i + 1] !== id + 1 || slots[2 * i] !== hash) continue;
      slots[2 * i + 1] = -1;
      this.live--;
      if (this.live * 8 < this.capacity() && this.capacity() > MIN_CAPACITY) this.resize(this.live);
      return;
    }
  }

  /** The entry ids held under a hash. */
  idsOf(hash: number, into: number[]): number[] {
    const slots = this.slots;
    const mask = this.capacity() - 1;
    for (let i = hash & mask; slots[2 * i + 1] !== 0; i = (i + 1) & mask) {
      const held = slots[2 * i + 1]!;
      if (held > 0 && slots[2 * i] === hash) into.push(held - 1);
    }
    return into;
  }

  clear(): void {
    this.slots = new Int32Array(2 * MIN_CAPACITY);
    this.used = 0;
    this.live = 0;
  }

  private capacity(): number {
    return this.slots.length >> 1;
  }

  private resize(pairs: number): void {
    let capacity = MIN_CAPACITY;
    while (capacity < pairs * 2) capacity *= 2;
    const old = this.slots;
    this.slots = new Int32Array(2 * capacity);
    this.used = 0;
    this.live = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1]! > 0) this.add(old[i]!, old[i + 1]! - 1);
  }
}
