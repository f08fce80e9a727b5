// The memory backend's topology (spec/kvetch-storage.md §2.2): what each in-memory shard keeps of its identity
// and its copy of the map, and the three ShardStore answers over it (memory.ts counts the round trip first).
// Never hands out an object it keeps: the map is kept as its stored text, identities are copied.

import { decodeTopologyMap, encodeTopologyMap } from "./topology.js";
import type { ShardIdentity, ShardTopology, TopologyMap } from "./topology.js";

/** A memory shard's topology state: its identity and its copy of the map (as stored text). */
export interface MemoryTopology {
  identity: ShardIdentity | null;
  map: string | null;
}

/** readMemoryTopology: the shard's identity and map copy (a memory shard is always migrated). */
export function readMemoryTopology(state: MemoryTopology, label: string): ShardTopology {
  const { identity, map } = state;
  return { migrated: true, identity: identity === null ? null : { ...identity }, map: map === null ? null : decodeTopologyMap(map, label) };
}

/** joinMemoryTopology: stores the identity unless the shard has one; returns the one stored. */
export function joinMemoryTopology(state: MemoryTopology, identity: ShardIdentity): ShardIdentity {
  state.identity ??= { installation: identity.installation, shardId: identity.shardId };
  return { ...state.identity };
}

/**
 * writeMemoryTopology: stores `map` if the shard joined the map's installation and its copy's version is <=
 * expectVersion (none: 0); returns the copy after the call (none: an empty version 0), as MySQL's does.
 */
export function writeMemoryTopology(state: MemoryTopology, label: string, map: TopologyMap, expectVersion: number): TopologyMap {
  const stored = state.map === null ? 0 : decodeTopologyMap(state.map, label).version;
  if (state.identity?.installation === map.installation && stored <= expectVersion) state.map = encodeTopologyMap(map);
  return state.map === null ? { ...map, version: 0, shards: [], ranges: [] } : decodeTopologyMap(state.map, label);
}
