// SortedList: the memory backend's form of an edge list or an index entry list, rows in (seq, member id)
// order with a lookup by member id. Never changes a row it holds (a replaced row is a new object).

import { comparePosition } from "./cursor.js";
import type { Position } from "./cursor.js";

/**
 * SortedList: the memory form of an edge list or an index entry list — rows kept in (seq, member id) order
 * with a lookup by member id. The one sorted-list implementation both kinds of list use.
 */
export class SortedList<Row extends { seq: number }> {
  readonly rows: Row[] = [];
  private readonly byId = new Map<string, Row>();

  constructor(private readonly idOf: (row: Row) => string) {}

  get(id: string): Row | undefined {
    return this.byId.get(id);
  }

  /** Index of the first row at or after (seq, id), or strictly after it with `strict`. */
  private search(seq: number, id: string, strict: boolean): number {
    let low = 0;
    let high = this.rows.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const row = this.rows[mid]!;
      const order = comparePosition(row.seq, this.idOf(row), seq, id);
      if (order < 0 || (strict && order === 0)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Adds a row whose member id is absent; false (and nothing changes) when it is present. */
  insert(row: Row): boolean {
    const id = this.idOf(row);
    if (this.byId.has(id)) return false;
    this.byId.set(id, row);
    this.rows.splice(this.search(row.seq, id, false), 0, row);
    return true;
  }

  /** Puts `row` where the present row of its member id is (same seq): rows handed out are never changed. */
  replace(row: Row): void {
    const id = this.idOf(row);
    const present = this.byId.get(id)!;
    this.byId.set(id, row);
    this.rows[this.search(present.seq, id, false)] = row;
  }

  /** Removes the row of a member id; false when there is none. */
  remove(id: string): boolean {
    const row = this.byId.get(id);
    if (row === undefined) return false;
    this.byId.delete(id);
    const at = this.search(row.seq, id, false);
    if (this.rows[at] === row) this.rows.splice(at, 1);
    return true;
  }

  /** Index of the first row strictly after `after` (0 for null). */
  firstAfter(after: Position | null): number {
    return after === null ? 0 : this.search(after.seq, after.id, true);
  }
}
