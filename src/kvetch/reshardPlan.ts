// The plan of a bucket move (spec/kvetch-storage.md §11.2, planMoves) and its journal: which buckets go from which
// shard to which, the map after the move, and the journal record every step of the move writes to the decider
// shard. Pure: computes plans and journal texts; never does I/O and never writes a map.

import { KvetchError } from "./errors.js";
import type { BucketRange } from "./shard.js";
import type { TopologyMap } from "./topologyMap.js";

/** What a reshard asks for: spread the buckets evenly over the members, less the shards being removed. */
export interface ReshardRequest {
  /** Stored shard ids to empty and drop from the members (their buckets go to the others). */
  remove?: readonly number[];
}

/** One shard pair's share of a move: these buckets go from `from` to `to` (stored shard ids). */
export interface BucketMove {
  from: number;
  to: number;
  buckets: number[];
}

/** The phases a move passes through, in order (spec/kvetch-storage.md §11.3). */
export type MovePhase = "copy" | "catchUp" | "frozen" | "switched" | "cleaned";

/** The journal record (stored as JSON on the decider shard, compare-and-set per step). */
export interface MoveJournal {
  /** The map the move starts from and the one it switches to (version + 1). */
  current: TopologyMap;
  next: TopologyMap;
  moves: BucketMove[];
  phase: MovePhase;
  /** Tables copied so far per move (index into moves), so a resumed copy skips them. */
  copied: string[][];
  /** A move back: run after a switch to undo it (its copy is the catch-up of the stale source rows). */
  reverse: boolean;
}

/** ownersOf: bucket → stored shard id of a map. */
export function ownersOf(map: { buckets: number; ranges: readonly BucketRange[] }): Int32Array {
  const owners = new Int32Array(map.buckets).fill(-1);
  for (const { first, last, shard } of map.ranges) owners.fill(shard, first, last + 1);
  return owners;
}

/** rangesOf: the fewest ranges giving each bucket its owner. */
export function rangesOf(owners: Int32Array): BucketRange[] {
  const ranges: BucketRange[] = [];
  for (let bucket = 0; bucket < owners.length; bucket++) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last.shard === owners[bucket] && last.last === bucket - 1) last.last = bucket;
    else ranges.push({ first: bucket, last: bucket, shard: owners[bucket]! });
  }
  return ranges;
}

/**
 * planMoves: the map after a reshard and the buckets it moves. Every member left gets floor(B / n) or that
 * plus one buckets (the lower ids the extra ones); a shard over its share gives up its highest buckets, and
 * a removed shard all of them; a shard under its share takes given-up buckets in bucket order. Buckets that
 * stay put are never moved, so adding a fifth shard to four moves a fifth of the buckets.
 */
export function planMoves(current: TopologyMap, request: ReshardRequest): { next: TopologyMap; moves: BucketMove[] } {
  const removed = new Set(request.remove ?? []);
  for (const id of removed) {
    if (!current.shards.includes(id)) {
      throw new KvetchError("BAD_ARGUMENT", `reshard: shard id ${id} to remove is not a member of shard map version ${current.version} (members: ${current.shards.join(", ")})`);
    }
  }
  const members = current.shards.filter((id) => !removed.has(id));
  if (members.length === 0) throw new KvetchError("BAD_ARGUMENT", `reshard: removing ${[...removed].join(", ")} would leave no shard`);
  const owners = ownersOf(current);
  const share = new Map<number, number>();
  members.forEach((id, i) => share.set(id, Math.floor(current.buckets / members.length) + (i < current.buckets % members.length ? 1 : 0)));
  const held = new Map<number, number>();
  for (const owner of owners) held.set(owner, (held.get(owner) ?? 0) + 1);
  const released: number[] = [];
  for (let bucket = owners.length - 1; bucket >= 0; bucket--) {
    const owner = owners[bucket]!;
    const keep = share.get(owner) ?? 0;
    if (held.get(owner)! > keep) {
      held.set(owner, held.get(owner)! - 1);
      released.push(bucket);
    }
  }
  released.sort((a, b) => a - b);
  const nextOwners = owners.slice();
  let at = 0;
  for (const id of members) {
    for (let n = held.get(id) ?? 0; n < share.get(id)!; n++) nextOwners[released[at++]!] = id;
  }
  const byPair = new Map<string, BucketMove>();
  for (let bucket = 0; bucket < owners.length; bucket++) {
    if (owners[bucket] === nextOwners[bucket]) continue;
    const key = `${owners[bucket]}>${nextOwners[bucket]}`;
    let move = byPair.get(key);
    if (move === undefined) byPair.set(key, (move = { from: owners[bucket]!, to: nextOwners[bucket]!, buckets: [] }));
    move.buckets.push(bucket);
  }
  const next: TopologyMap = { ...current, version: current.version + 1, shards: [...members], ranges: rangesOf(nextOwners) };
  return { next, moves: [...byPair.values()] };
}

/** encodeJournal: the journal as stored. */
export function encodeJournal(journal: MoveJournal): string {
  return JSON.stringify(journal);
}

/** decodeJournal: a stored journal, checked for the fields a resume reads; `where` names the shard. */
export function decodeJournal(text: string, where: string): MoveJournal {
  let journal: Partial<MoveJournal>;
  try {
    journal = JSON.parse(text) as Partial<MoveJournal>;
  } catch {
    throw new KvetchError("BAD_CONFIG", `${where}: the stored move journal is not JSON; restore it from a backup or remove it by hand`);
  }
  const phases: MovePhase[] = ["copy", "catchUp", "frozen", "switched", "cleaned"];
  if (
    typeof journal !== "object" ||
    journal === null ||
    typeof journal.current?.version !== "number" ||
    typeof journal.next?.version !== "number" ||
    !Array.isArray(journal.moves) ||
    !Array.isArray(journal.copied) ||
    !phases.includes(journal.phase as MovePhase)
  ) {
    throw new KvetchError("BAD_CONFIG", `${where}: the stored move journal is malformed; restore it from a backup or remove it by hand`);
  }
  return journal as MoveJournal;
}

/** The reverse of a switched move: from its new map back to its old ranges, as a new version. */
export function reverseJournal(journal: MoveJournal): MoveJournal {
  const current = journal.next;
  const next: TopologyMap = { ...journal.current, version: current.version + 1, nextShardId: current.nextShardId };
  const moves = journal.moves.map(({ from, to, buckets }) => ({ from: to, to: from, buckets: [...buckets] }));
  // The old source still holds every moved row (cleanup has not run): catch-up brings it up to date.
  return { current, next, moves, phase: "catchUp", copied: moves.map(() => []), reverse: true };
}
