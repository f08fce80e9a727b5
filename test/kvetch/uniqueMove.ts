// Unique claims and bucket moves (spec/kvetch-storage.md §6.7, §11): shared by test/kvetch/unique.test.ts
// (memory) and test/integration/kvetch-reshard-mysql.test.ts (MySQL, where the claims' fence is the shard's own).

import * as assert from "uvu/assert";
import { Kvetch, defineSchema } from "../../src/kvetch/index.js";
import type { BucketRange, KvetchBackend, KvetchIndexConfig, UniqueClaimRow } from "../../src/kvetch/index.js";
import { rejectionOf } from "./rejection.js";

export function schemaWith(unique: boolean): ReturnType<typeof defineSchema> {
  const email: KvetchIndexConfig = { name: "member_email", indexId: 1, indexedType: "Member", indexedAttr: "email", unique };
  return defineSchema({
    objects: [{ name: "Member", typeId: 1 }, { name: "Loan", typeId: 2 }],
    edges: [{ name: "member_loans", edgeId: 1, storedIdAttr: "memberId", storedOnType: "Loan" }],
    indexes: [email, { name: "member_name", indexId: 2, indexedType: "Member", indexedAttr: "name" }],
  });
}

/** Four shards' ranges over the 1,024 buckets: a fifth configured shard owns none until a move. */
export const FOUR_OF_FIVE: BucketRange[] = [0, 1, 2, 3].map((s) => ({ first: s * 256, last: s * 256 + 255, shard: s }));

/** Every row of every shard: objects, index entries and unique claims (read through the backend's own shards). */
export async function rowsOf(backend: KvetchBackend): Promise<{ objects: number; indexEntries: number; claims: UniqueClaimRow[] }> {
  const counters = { calls: 0, shardQueries: new Array(backend.shardMap.shards).fill(0), cacheRoundTrips: {}, rowsFetched: 0 };
  let objects = 0;
  let indexEntries = 0;
  const claims: UniqueClaimRow[] = [];
  const shards = backend.openShards(counters);
  try {
    for (const shard of shards) {
      const stats = await shard.stats();
      objects += stats.objects;
      indexEntries += (await shard.scanIndexEntries(null, 10_000)).filter((entry) => entry.indexId === 1).length;
      claims.push(...(await shard.scanUniqueClaims!(null, 10_000)));
    }
  } finally {
    await Promise.all(shards.map((shard) => shard.close()));
  }
  return { objects, indexEntries, claims };
}

/**
 * A store of `backend` (five shards, FOUR_OF_FIVE) with members owning ten values, and a second store opened
 * before a fifth shard takes a fifth of the buckets. After the move: the claims are where their values' index
 * entries are (some on the fifth shard, one per value, none left behind); a moved value is refused through
 * either store (the stale one follows the move); its owner gives it up through the stale store and another
 * member takes it; repair finds nothing to mend.
 */
export async function claimsFollowAMove(backend: KvetchBackend): Promise<void> {
  const mover = new Kvetch({ schema: schemaWith(true), backend });
  const stale = new Kvetch({ schema: schemaWith(true), backend });
  try {
    await mover.migrate();
    await stale.open();
    // Values whose buckets the move gives the fifth shard ("fay", "gus") among others that stay.
    const emails = ["ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo"];
    const members = await mover.createObjects(emails.map((email) => ({ type: "Member", data: { email, name: email } })));
    assert.is((await mover.reshard()).outcome, "moved");
    const counters = { calls: 0, shardQueries: new Array(5).fill(0), cacheRoundTrips: {}, rowsFetched: 0 };
    const shards = backend.openShards(counters);
    try {
      await Promise.all(shards.map((shard) => shard.readTopology?.()));
      const onFifth = (await shards[4]!.scanUniqueClaims!(null, 100)).map((claim) => JSON.parse(claim.valueKey) as string);
      assert.equal(onFifth.sort(), ["fay", "gus"], "the moved values' claims are on the fifth shard");
    } finally {
      await Promise.all(shards.map((shard) => shard.close()));
    }
    assert.is((await rowsOf(backend)).claims.length, emails.length, "one claim per value, none copied twice or left behind");
    for (const store of [mover, stale]) {
      const refused = await rejectionOf(() => store.createObject("Member", { email: "fay", name: "another" }));
      assert.is(refused.code, "UNIQUE_VIOLATION", `a moved value is still owned (${store === mover ? "the mover" : "a store opened before the move"})`);
    }
    // Its owner gives it up through the stale store: the release finds the claim on the new shard, and the value is free.
    await stale.updateObject("Member", members[emails.indexOf("fay")]!.id, { email: "changed" });
    const taker = await stale.createObject("Member", { email: "fay", name: "taker" });
    assert.equal((await mover.queryIndex("member_email", ["fay"]))[0]!.edges.map((edge) => edge.targetId), [taker.id]);
    const repaired = await mover.repair();
    assert.equal([repaired.indexAdded, repaired.indexRemoved, repaired.claimsReleased ?? 0], [0, 0, 0], "repair finds nothing to mend");
  } finally {
    await mover.close();
    await stale.close();
  }
}
