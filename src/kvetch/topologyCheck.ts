// The open check (spec/kvetch-storage.md §2.3): a configured shard list against the topology its shards
// store — every mismatch named with the command that fixes it, or the mapping of stored shard ids to
// configured positions. Pure: never does I/O (topologyJoin.ts reads and writes); never trusts a list
// position or a URL for a shard's identity.

import { newestMap, topologyError } from "./topology.js";
import type { ShardTopology, TopologyMap } from "./topology.js";

const MIGRATE = "`graphscale kvetch migrate` (or kvetch.migrate())";

/** The installation id as messages show it: its first 8 hex digits (enough to tell two apart). */
export function shortInstallation(installation: string): string {
  return installation.slice(0, 8);
}

/**
 * installationOf: the installation a configured list belongs to — the one most of its shards joined, among
 * those whose map some shard holds (ties: the one of the lowest position); null when none joined one.
 */
export function installationOf(answers: readonly ShardTopology[]): string | null {
  const count = new Map<string, number>();
  for (const answer of answers) {
    const installation = answer.identity?.installation;
    if (installation !== undefined && newestMap(answers, installation) !== null) count.set(installation, (count.get(installation) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [installation, n] of count) if (best === null || n > count.get(best)!) best = installation;
  if (best !== null) return best;
  for (const answer of answers) if (answer.identity !== null) return answer.identity.installation;
  return null;
}

/** Buckets a stored shard id owns in a map. */
function bucketsOwned(map: TopologyMap, shardId: number): number {
  let n = 0;
  for (const range of map.ranges) if (range.shard === shardId) n += range.last - range.first + 1;
  return n;
}

/** What checkTopology finds: the mapping it could make, and every disagreement (empty when none). */
export interface TopologyCheck {
  installation: string | null;
  map: TopologyMap | null;
  positionOf: Map<number, number>;
  /** Configured positions whose shard has not joined (migrate joins them). */
  unjoined: number[];
  mismatches: Mismatch[];
}

/**
 * One disagreement; `join` ones (a shard not migrated or not joined) are what migrate fixes by joining;
 * `removed` (a configured shard a move took out of the map) a running store may outlive (refreshTopology).
 */
export interface Mismatch {
  kind: "join" | "refuse" | "removed";
  message: string;
}

/**
 * checkTopology: compares the configured list (one answer per position) and bucket count with the stored
 * topology. A shard is known by its stored id, never by its position, so a reordered list or a database
 * under a new URL maps to the same shards; a shard missing, not joined, of another installation, configured
 * twice, or not in the map is a mismatch. Pure: `answers` come from readTopology.
 */
export function checkTopology(answers: readonly ShardTopology[], configuredBuckets: number): TopologyCheck {
  const check: TopologyCheck = { installation: installationOf(answers), map: null, positionOf: new Map(), unjoined: [], mismatches: [] };
  const mismatches = {
    push: (message: string, kind: Mismatch["kind"] = "refuse"): void => void check.mismatches.push({ kind, message }),
  };
  if (check.installation === null) {
    for (let i = 0; i < answers.length; i++) {
      check.unjoined.push(i);
      mismatches.push(
        answers[i]!.migrated
          ? `shards[${i}] has joined no installation: run ${MIGRATE} with this configuration to create one`
          : `shards[${i}] is not migrated (its tables do not exist): run ${MIGRATE} with this configuration to create them`,
        "join",
      );
    }
    return check;
  }
  const installation = check.installation;
  const map = (check.map = newestMap(answers, installation));
  const seen = new Map<number, number>();
  for (let i = 0; i < answers.length; i++) {
    const answer = answers[i]!;
    const identity = answer.identity;
    if (!answer.migrated) {
      check.unjoined.push(i);
      mismatches.push(`shards[${i}] is not migrated (its tables do not exist): run ${MIGRATE} to create and join it`, "join");
    } else if (identity === null) {
      check.unjoined.push(i);
      mismatches.push(
        `shards[${i}] has not joined installation ${shortInstallation(installation)} (a shard added without migrate): run ${MIGRATE} ` +
          `to join it; it owns no buckets until \`graphscale kvetch reshard\` moves some to it`,
        "join",
      );
    } else if (identity.installation !== installation) {
      mismatches.push(
        `shards[${i}] belongs to another installation (${shortInstallation(identity.installation)}, not ${shortInstallation(installation)}): ` +
          `it is not one of this installation's databases; configure this installation's database in its place`,
      );
    } else if (seen.has(identity.shardId)) {
      mismatches.push(
        `shards[${i}] and shards[${seen.get(identity.shardId)}] are both stored shard id ${identity.shardId}: one database is configured twice ` +
          `(under two URLs); remove one of them`,
      );
    } else if (map !== null && !map.shards.includes(identity.shardId)) {
      seen.set(identity.shardId, i);
      mismatches.push(
        `shards[${i}] (stored shard id ${identity.shardId}) is not in shard map version ${map.version}: it was removed from the installation ` +
          `or its join did not finish; run ${MIGRATE} to finish the join, or remove it from the configuration`,
        "removed",
      );
    } else {
      seen.set(identity.shardId, i);
      check.positionOf.set(identity.shardId, i);
    }
  }
  if (map === null) {
    mismatches.push(`no configured shard holds the shard map of installation ${shortInstallation(installation)}: run ${MIGRATE} to finish creating it`);
    return check;
  }
  for (const shardId of map.shards) {
    if (seen.has(shardId)) continue;
    const owned = bucketsOwned(map, shardId);
    mismatches.push(
      `stored shard id ${shardId} (${owned} of ${map.buckets} buckets) is missing from the configuration: the objects of its buckets ` +
        `would be missing; add its database back (in any position, under any URL)`,
    );
  }
  if (configuredBuckets !== map.buckets) {
    mismatches.push(`the configuration has ${configuredBuckets} buckets, the installation ${map.buckets}: set buckets to ${map.buckets} (or leave it out)`);
  }
  return check;
}

/**
 * The one error of a failed check: every mismatch on its own line. With `labels` (the shards' labels, which
 * name no credentials) its cause says which database each position is, for operators (the CLI prints causes).
 */
export function mismatchError(check: TopologyCheck, mismatches: readonly Mismatch[] = check.mismatches, labels?: readonly string[]): Error {
  const version = check.map === null ? "" : ` (shard map version ${check.map.version})`;
  const lines = mismatches.map((mismatch) => mismatch.message).join("\n  - ");
  const error = topologyError(`the configured shard list does not match the stored topology${version}; nothing was read or written:\n  - ${lines}`);
  if (labels !== undefined) error.cause = new Error(`the configured shards: ${labels.map((label, i) => `shards[${i}] is ${label}`).join("; ")}`);
  return error;
}
