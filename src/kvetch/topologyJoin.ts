// Opening and migrating the topology (spec/kvetch-storage.md §2.3, §2.4): the open check's reads and the
// adopted placement; the first migrate of a fresh set creates the installation and its first map in
// configured order; a later migrate joins shards that have no identity (owning no buckets) and brings lagging
// map copies up. Never rewrites a stored identity; never joins a list the open check refuses for another reason.

import { randomUUID } from "node:crypto";
import type { KvetchBackend, ShardStore } from "./backend.js";
import { KvetchError } from "./errors.js";
import type { ShardMap } from "./shard.js";
import type { Store } from "./store.js";
import { checkTopology, mismatchError } from "./topologyCheck.js";
import { adoptTopology, keepsTopology, newestMap, readTopology, topologyError, writeTopology } from "./topology.js";
import type { OpenTopology, ShardIdentity, ShardTopology, TopologyMap, TopologyShard } from "./topology.js";

/** Stores `map` on each listed shard if its copy is older than `map` (lowest shard id first); checks what each holds after. */
async function storeCopies(shards: readonly TopologyShard[], ids: readonly number[], map: TopologyMap): Promise<void> {
  const order = ids.map((id, position) => ({ id, position })).sort((a, b) => a.id - b.id);
  for (const { id, position } of order) {
    const stored = await shards[position]!.writeTopology(map, map.version - 1);
    if (stored.version !== map.version) {
      throw new KvetchError("TOPOLOGY_CONFLICT", `migrate: stored shard id ${id} holds shard map version ${stored.version}, newer than ${map.version}; run migrate again`);
    }
  }
}

/** Joins shards[position] under `identity`; fails if it already holds another one (a migrate racing this one). */
async function join(shard: TopologyShard, position: number, identity: ShardIdentity): Promise<void> {
  const stored = await shard.joinTopology(identity);
  if (stored.installation !== identity.installation || stored.shardId !== identity.shardId) {
    throw topologyError(
      `migrate: shards[${position}] already holds stored shard id ${stored.shardId} (another migrate joined it first); run migrate again`,
    );
  }
}

/**
 * createInstallation: makes a fresh set of shards one installation — a new installation id (or the one a
 * crashed first migrate already wrote to some of them), shard ids in configured order (a shard that already
 * holds an id keeps it), and map version 1 with the configured bucket count and ranges, on every shard.
 */
export async function createInstallation(shards: readonly TopologyShard[], answers: readonly ShardTopology[], configured: ShardMap): Promise<TopologyMap> {
  const held = answers.filter((answer) => answer.identity !== null).map((answer) => answer.identity!);
  const installation = held[0]?.installation ?? randomUUID();
  if (held.some((identity) => identity.installation !== installation)) {
    throw topologyError(`migrate: the configured shards hold identities of several installations and no shard map; configure one installation's databases`);
  }
  const taken = new Set(held.map((identity) => identity.shardId));
  const ids = new Array<number>(shards.length);
  let next = 0;
  for (let i = 0; i < shards.length; i++) {
    const own = answers[i]!.identity;
    if (own !== null) {
      ids[i] = own.shardId;
      continue;
    }
    while (taken.has(next)) next++;
    ids[i] = next;
    taken.add(next);
  }
  if (taken.size !== shards.length) throw topologyError(`migrate: two configured shards hold the same stored shard id; one database is configured twice`);
  for (let i = 0; i < shards.length; i++) if (answers[i]!.identity === null) await join(shards[i]!, i, { installation, shardId: ids[i]! });
  const map: TopologyMap = {
    installation,
    version: 1,
    buckets: configured.buckets,
    shards: [...ids].sort((a, b) => a - b),
    nextShardId: Math.max(...ids) + 1,
    ranges: configured.ranges.map(({ first, last, shard }) => ({ first, last, shard: ids[shard]! })),
  };
  await storeCopies(shards, ids, map);
  return map;
}

/**
 * migrateTopology: migrate's topology step, after every shard's tables exist. A fresh set becomes an
 * installation (createInstallation); otherwise every configured shard without an identity joins with the next
 * shard id and the map gets a new version listing it (owning no buckets), and member copies older than the
 * newest are brought up to it. Any other mismatch (a shard missing, of another installation, configured
 * twice) fails before anything is written. A backend whose shards keep no topology has nothing to do.
 */
export async function migrateTopology(stores: readonly ShardStore[], configured: ShardMap): Promise<void> {
  if (!stores.every(keepsTopology)) return;
  const shards: readonly TopologyShard[] = stores;
  const answers = await readTopology(shards);
  if (newestMap(answers) === null) {
    await createInstallation(shards, answers, configured);
    return;
  }
  const check = checkTopology(answers, configured.buckets);
  const unjoined = new Set(check.unjoined);
  const blocking = check.mismatches.filter((mismatch) => mismatch.kind !== "join");
  if (blocking.length > 0 || check.map === null) throw mismatchError(check, blocking, shards.map((shard) => shard.label));
  const map = check.map;
  const ids = new Array<number>(shards.length);
  for (const [id, position] of check.positionOf) ids[position] = id;
  if (unjoined.size > 0) {
    let nextShardId = map.nextShardId;
    for (const position of unjoined) {
      ids[position] = nextShardId++;
      await join(shards[position]!, position, { installation: map.installation, shardId: ids[position]! });
    }
    const next: TopologyMap = { ...map, version: map.version + 1, shards: [...ids].sort((a, b) => a - b), nextShardId };
    await writeTopology((id) => shards[ids.indexOf(id)]!, map, next);
    return;
  }
  // Every copy is stored again (a lagging one catches up; the others are rewritten as they are), so a shard
  // migrated before its backend kept bucket owners beside the map gets them (the MySQL fence's rows).
  await storeCopies(shards, ids, map);
}

/** The first installation being made on each fresh memory backend (initializeOnOpen), by backend. */
const initializing = new WeakMap<KvetchBackend, Promise<TopologyMap>>();

/**
 * openTopology: the open check. Reads every configured shard's topology (one round trip each); a memory set
 * whose shards are all fresh is made an installation first (createInstallation); then checkTopology, and the
 * store places by the stored map (adoptTopology) — or the check's one TOPOLOGY_MISMATCH error is thrown.
 * A backend whose shards keep no topology opens with its configured map.
 */
export async function openTopology(store: Store, backend: KvetchBackend): Promise<void> {
  if (!store.shards.every(keepsTopology)) return;
  const shards = store.shards as readonly TopologyShard[];
  let answers = await readTopology(shards);
  if (backend.initializeOnOpen === true && answers.every((answer) => answer.identity === null && answer.map === null)) {
    // Stores opened at once on one fresh backend create one installation, not one each.
    let creating = initializing.get(backend);
    if (creating === undefined) initializing.set(backend, (creating = createInstallation(shards, answers, backend.shardMap)));
    await creating;
    answers = await readTopology(shards);
  }
  const check = checkTopology(answers, backend.shardMap.buckets);
  if (check.mismatches.length > 0) throw mismatchError(check, check.mismatches, shards.map((shard) => shard.label));
  adoptTopology(store, { map: check.map!, positionOf: check.positionOf } satisfies OpenTopology);
}

/**
 * refreshTopology: reads every configured shard's topology again and places by the newest stored map when it
 * is newer than the store's (after a move switched it: a MOVED refusal). A configuration the stored topology
 * no longer matches fails as the open check does.
 */
export async function refreshTopology(store: Store): Promise<void> {
  const shards = store.shards as readonly TopologyShard[];
  const check = checkTopology(await readTopology(shards), store.shardMap.buckets);
  // A shard a move just removed stays configured until the next restart: it owns nothing, so nothing goes there.
  const blocking = check.mismatches.filter((mismatch) => mismatch.kind !== "removed");
  if (blocking.length > 0) throw mismatchError(check, blocking, shards.map((shard) => shard.label));
  adoptTopology(store, { map: check.map!, positionOf: check.positionOf });
}
