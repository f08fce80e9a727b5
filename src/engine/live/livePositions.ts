// The positions a change reaches in a live state (spec/reactivity.md, AffectedPositions): one per kept
// entry and position key, and of those the outermost (a position inside another one is rebuilt with it).

import type { Bucket } from "../execution/bucket.js";
import type { OperationPlan } from "../planning/operationPlan.js";
import { liveIndexOf, type OutputPosition } from "./liveIndex.js";

/** A position to rebuild at one entry of a kept bucket. */
export interface PositionAt {
  readonly bucket: Bucket;
  readonly entry: number;
  readonly position: OutputPosition;
}

/** What PositionSet reads of a live state: its plan, and the kept entry a slice's entry copies. */
interface PositionsOf {
  readonly plan: OperationPlan;
  canonical(bucket: Bucket, entry: number): [Bucket, number];
}

/** Positions found so far, one per kept entry and position key. */
export class PositionSet {
  private readonly byBucket = new Map<Bucket, Map<string, PositionAt>>();

  constructor(private readonly state: PositionsOf) {}

  /** Adds a position; false for null (the root's own entry). */
  add(at: PositionAt | null): boolean {
    if (at === null) return false;
    let map = this.byBucket.get(at.bucket);
    if (map === undefined) this.byBucket.set(at.bucket, (map = new Map()));
    map.set(`${at.entry}|${at.position.key}`, at);
    return true;
  }

  /** The positions not inside another one of the set. */
  outermost(): PositionAt[] {
    const out: PositionAt[] = [];
    for (const map of this.byBucket.values()) for (const at of map.values()) if (!this.inside(at)) out.push(at);
    return out;
  }

  private inside(at: PositionAt): boolean {
    const openedBy = liveIndexOf(this.state.plan).openedBy;
    let b = at.bucket;
    let e = at.entry;
    while (b.parent !== null) {
      const via = openedBy[b.layer.id]!.key;
      [b, e] = this.state.canonical(b.parent, b.parentIndex![e]!);
      if (this.byBucket.get(b)?.has(`${e}|${via}`)) return true;
    }
    return false;
  }
}
