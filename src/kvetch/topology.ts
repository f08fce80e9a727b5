// The durable shard topology (spec/kvetch-storage.md §2.2): the installation's id, each shard's stored id, and
// the versioned map of bucket ranges → shard ids, a copy of which every member shard holds (newest version
// wins). Reads it, writes a new version (compare-and-set, decider shard first), and turns it into the
// position-based ShardMap placement uses. Never places a single id (shard.ts does); never trusts list order.

import type { ShardStore } from "./backend.js";
import { KvetchError, markInternal } from "./errors.js";
import { ShardMap } from "./shard.js";
import type { Store } from "./store.js";
import type { OpenTopology, ShardTopology, TopologyMap } from "./topologyMap.js";

export type { OpenTopology, ShardIdentity, ShardTopology, TopologyMap } from "./topologyMap.js";

/** A ShardStore that keeps the topology (memory and MySQL do; a backend without these has no durable topology). */
export type TopologyShard = ShardStore & Required<Pick<ShardStore, "readTopology" | "joinTopology" | "writeTopology">>;

export function keepsTopology(shard: ShardStore): shard is TopologyShard {
  return typeof shard.readTopology === "function" && typeof shard.joinTopology === "function" && typeof shard.writeTopology === "function";
}

/** A topology error: what disagrees, and the command that fixes it. Internal: a GraphQL client sees it masked. */
export function topologyError(message: string): KvetchError {
  return markInternal(new KvetchError("TOPOLOGY_MISMATCH", message));
}

/** encodeTopologyMap: the map as stored (JSON, fixed key order). */
export function encodeTopologyMap(map: TopologyMap): string {
  const { installation, version, buckets, shards, nextShardId, ranges } = map;
  return JSON.stringify({
    installation,
    version,
    buckets,
    shards: [...shards],
    nextShardId,
    ranges: ranges.map(({ first, last, shard }) => ({ first, last, shard })),
  });
}

/** decodeTopologyMap: a stored map, checked (placementOf checks the ranges); `where` names the shard. */
export function decodeTopologyMap(text: string, where: string): TopologyMap {
  let raw: Partial<TopologyMap>;
  try {
    raw = JSON.parse(text) as Partial<TopologyMap>;
  } catch {
    throw topologyError(`${where}: the stored shard map is not JSON; restore the shard's kvetch_topology row from a backup`);
  }
  const integer = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
  if (
    typeof raw?.installation !== "string" ||
    !integer(raw.version) ||
    !integer(raw.buckets) ||
    !Array.isArray(raw.shards) ||
    !raw.shards.every(integer) ||
    !integer(raw.nextShardId) ||
    !Array.isArray(raw.ranges)
  ) {
    throw topologyError(`${where}: the stored shard map is malformed; restore the shard's kvetch_topology row from a backup`);
  }
  return raw as TopologyMap;
}

/** newestMap: the copy with the highest version among the shards' answers (null when none holds a map). */
export function newestMap(answers: readonly (ShardTopology | null)[], installation?: string): TopologyMap | null {
  let newest: TopologyMap | null = null;
  for (const answer of answers) {
    const map = answer?.map ?? null;
    if (map === null || (installation !== undefined && map.installation !== installation)) continue;
    if (newest === null || map.version > newest.version) newest = map;
  }
  return newest;
}

/** readTopology: every shard's identity and map copy, one round trip per shard, all shards at once. */
export function readTopology(shards: readonly TopologyShard[]): Promise<ShardTopology[]> {
  return Promise.all(shards.map((shard) => shard.readTopology()));
}

/**
 * placementOf: the ShardMap placement uses, from the stored map — each range's shard id replaced by the
 * configured position of that shard. A shard id with no position fails (the open check refuses such a
 * configuration first).
 */
export function placementOf(topology: OpenTopology): ShardMap {
  const { map, positionOf } = topology;
  const ranges = map.ranges.map(({ first, last, shard }) => {
    const position = positionOf.get(shard);
    if (position === undefined) {
      throw topologyError(`shard map version ${map.version} places buckets ${first}..${last} on stored shard id ${shard}, which is not configured`);
    }
    return { first, last, shard: position };
  });
  // Positions, not members: a configured shard a move removed keeps its position (it owns nothing).
  return new ShardMap({ shards: Math.max(positionOf.size, ...[...positionOf.values()].map((position) => position + 1)), buckets: map.buckets, ranges });
}

/**
 * writeTopology: stores `next` (version current.version + 1) on every member shard of `current` and `next`,
 * in ascending shard id order. The first (the decider: the lowest member id of `current`) takes it only if
 * its copy is still `current.version` (or already `next`, a rerun): two writers racing for one version meet
 * there and exactly one wins. The others then take it if their copy is older (a lagging copy catches up).
 * Throws TOPOLOGY_CONFLICT when another writer stored a version first; a crash part-way leaves some copies
 * at `current`, which a rerun (or any later write) brings up — readers take the newest copy meanwhile.
 */
export async function writeTopology(
  shardOf: (shardId: number) => TopologyShard,
  current: TopologyMap,
  next: TopologyMap,
): Promise<void> {
  if (next.version !== current.version + 1 || next.installation !== current.installation || next.buckets !== current.buckets) {
    throw new KvetchError(
      "BAD_ARGUMENT",
      `writeTopology: the new map must keep installation and buckets and have version ${current.version + 1}, got version ${next.version}`,
    );
  }
  const members = [...new Set([...current.shards, ...next.shards])].sort((a, b) => a - b);
  const decider = Math.min(...current.shards);
  const order = [decider, ...members.filter((id) => id !== decider)];
  for (let i = 0; i < order.length; i++) {
    const expect = i === 0 ? current.version : next.version - 1;
    const stored = await shardOf(order[i]!).writeTopology(next, expect);
    if (encodeTopologyMap(stored) !== encodeTopologyMap(next)) {
      throw markInternal(
        new KvetchError(
          "TOPOLOGY_CONFLICT",
          `writeTopology: stored shard id ${order[i]} holds another shard map version ${stored.version} (expected ${expect} before ` +
            `this write): another process changed the topology first; read it again and retry`,
        ),
      );
    }
  }
}

/**
 * adoptTopology: makes `topology` the one `store` places by, unless the store already places by a newer
 * version (maps only grow). Placement reads store.shardMap per batch, so the next batch uses it.
 */
export function adoptTopology(store: Store, topology: OpenTopology): void {
  if (store.topology !== null && store.topology.map.version > topology.map.version) return;
  const shardMap = placementOf(topology);
  store.topology = topology;
  store.shardMap = shardMap;
}
