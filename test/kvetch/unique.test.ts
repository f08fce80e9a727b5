// Unique indexes on the memory backend (spec/kvetch-storage.md §6.7): one owner per value however many
// writers race, the loser refused with UNIQUE_VIOLATION naming the index and value (never the owner) and
// nothing of it stored; updates move the claim, deletes free it; a write stopped between its claim and its
// canonical row is settled by repair; migrate refuses a unique index over duplicates, listing them; a bucket
// move carries the claims.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, defineSchema, memoryBackend, memoryShards } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { rejectionOf } from "./rejection.js";
import { FOUR_OF_FIVE, claimsFollowAMove, rowsOf, schemaWith } from "./uniqueMove.js";


test("unique: defineSchema takes unique: true and refuses a unique that is not a boolean", () => {
  assert.is(schemaWith(true).index("member_email", "test").unique, true);
  assert.is(schemaWith(false).index("member_email", "test").unique, false);
  assert.is(schemaWith(true).index("member_name", "test").unique, false);
  assert.throws(
    () => defineSchema({ objects: [{ name: "M", typeId: 1 }], indexes: [{ name: "e", indexId: 1, indexedType: "M", indexedAttr: "e", unique: "yes" as unknown as boolean }] }),
    (error: Error) => error instanceof KvetchError && /indexes\[0\] \(e\)\.unique is "yes"; it must be true or false/.test(error.message),
  );
});

test("unique: a second create of a taken email is UNIQUE_VIOLATION naming the index and value, not the owner; nothing of it stored", async () => {
  const backend = memoryBackend({ shards: 4 });
  const kvetch = new Kvetch({ schema: schemaWith(true), backend });
  const owner = await kvetch.createObject("Member", { email: "ann@example.com", name: "Ann" });
  const error = await rejectionOf(() => kvetch.createObject("Member", { email: "ann@example.com", name: "Other" }));
  assert.is(error.code, "UNIQUE_VIOLATION");
  assert.match(error.message, /Member\.email "ann@example\.com" is taken: unique index "member_email"/);
  assert.not.match(error.message, new RegExp(owner.id));
  const rows = await rowsOf(backend);
  assert.is(rows.objects, 1);
  assert.is(rows.indexEntries, 1);
  assert.equal(rows.claims.map((claim) => [claim.ownerId, claim.valueKey]), [[owner.id, '"ann@example.com"']]);
  const found = await kvetch.queryIndex("member_email", ["ann@example.com"]);
  assert.equal(found[0]!.edges.map((entry) => entry.targetId), [owner.id]);
  // A non-unique index takes the same name twice.
  await kvetch.createObject("Member", { email: "bob@example.com", name: "Ann" });
});

test("unique: 50 concurrent creates of one email from two stores on the same shards: 1 owner, 49 UNIQUE_VIOLATIONs, no leftover rows", async () => {
  const shards = memoryShards(4);
  const first = memoryBackend({ shards });
  const a = new Kvetch({ schema: schemaWith(true), backend: first });
  const b = new Kvetch({ schema: schemaWith(true), backend: memoryBackend({ shards }) });
  // Both open before the race (the first open of fresh shards creates the installation).
  await a.migrate();
  await b.migrate();
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).createObject("Member", { email: "race@example.com", name: `n${i}` })),
  );
  const owners = results.filter((result) => result.status === "fulfilled");
  const refused = results.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason as KvetchError);
  assert.is(owners.length, 1);
  assert.is(refused.length, 49);
  assert.equal([...new Set(refused.map((error) => `${error.code}`))], ["UNIQUE_VIOLATION"], refused.map((error) => error.message).join("\n"));
  const rows = await rowsOf(first);
  assert.is(rows.objects, 1);
  assert.is(rows.indexEntries, 1);
  assert.is(rows.claims.length, 1);
  assert.is(rows.claims[0]!.ownerId, (owners[0] as PromiseFulfilledResult<{ id: string }>).value.id);
});

test("unique: a bucket move carries the claims of the values it moves (memory): a value owned before is refused after, through the mover and through a store opened before the move; one given up is free", async () => {
  await claimsFollowAMove(memoryBackend({ shards: 5, ranges: FOUR_OF_FIVE }));
});

test("unique: a create claims its value in one more round trip (on the value's shard); a refused create makes no other round trip", async () => {
  const roundTrips = async (unique: boolean, email: string, kvetch?: Kvetch): Promise<number> => {
    const store = kvetch ?? new Kvetch({ schema: schemaWith(unique), backend: memoryBackend({ shards: 4 }) });
    await store.migrate();
    store.resetCounters();
    await store.createObject("Member", { email }).catch(() => undefined);
    return store.counters.shardQueries.reduce((a, b) => a + b, 0);
  };
  const plain = await roundTrips(false, "x@example.com");
  const unique = new Kvetch({ schema: schemaWith(true), backend: memoryBackend({ shards: 4 }) });
  assert.is(await roundTrips(true, "x@example.com", unique), plain + 1);
  // Refused: the claim's round trip only — no insert, no derived rows, no invalidation.
  assert.is(await roundTrips(true, "x@example.com", unique), 1);
});

test("unique: a batch create with one value twice creates the first and refuses the second", async () => {
  const backend = memoryBackend({ shards: 2 });
  const kvetch = new Kvetch({ schema: schemaWith(true), backend });
  const out = await kvetch.createObjects(
    [
      { type: "Member", data: { email: "same@example.com" } },
      { type: "Member", data: { email: "same@example.com" } },
      { type: "Member", data: { email: "other@example.com" } },
    ],
    { partial: true },
  );
  assert.not.instance(out[0], KvetchError);
  assert.is((out[1] as KvetchError).code, "UNIQUE_VIOLATION");
  assert.not.instance(out[2], KvetchError);
  const rows = await rowsOf(backend);
  assert.is(rows.objects, 2);
  assert.is(rows.claims.length, 2);
});

test("unique: an update to a taken value is refused and writes nothing; an update to a free value moves the claim; a delete frees it", async () => {
  const backend = memoryBackend({ shards: 4 });
  const kvetch = new Kvetch({ schema: schemaWith(true), backend });
  const ann = await kvetch.createObject("Member", { email: "ann@example.com" });
  const bob = await kvetch.createObject("Member", { email: "bob@example.com" });
  const error = await rejectionOf(() => kvetch.updateObjects([{ id: bob.id, patch: { email: "ann@example.com" } }], { type: "Member" }));
  assert.is(error.code, "UNIQUE_VIOLATION");
  assert.match(error.message, /Member\.email "ann@example\.com" is taken: unique index "member_email" allows one Member per value; nothing was written$/);
  assert.not.match(error.message, new RegExp(ann.id));
  const after = (await kvetch.getObject(bob.id))!;
  assert.is(after.version, bob.version);
  assert.is(after.data.email, "bob@example.com");

  await kvetch.updateObjects([{ id: bob.id, patch: { email: "robert@example.com" } }], { type: "Member" });
  let rows = await rowsOf(backend);
  assert.equal(rows.claims.map((claim) => claim.valueKey).sort(), ['"ann@example.com"', '"robert@example.com"']);
  // The value bob gave up is free again.
  const newBob = await kvetch.createObject("Member", { email: "bob@example.com" });
  await kvetch.deleteObjects([ann.id], { type: "Member" });
  rows = await rowsOf(backend);
  assert.equal(rows.claims.map((claim) => claim.ownerId).sort(), [bob.id, newBob.id].sort());
  await kvetch.createObject("Member", { email: "ann@example.com" });
});

test("unique: a create stopped between its claim and its canonical row leaves a claim repair releases (after its grace); then the value is free", async () => {
  const backend = memoryBackend({ shards: 4 });
  const kvetch = new Kvetch({ schema: schemaWith(true), backend });
  kvetchTestHooks(kvetch).afterUniqueClaim = () => {
    throw new Error("stopped after the claim");
  };
  await kvetch.createObject("Member", { email: "crash@example.com" }).then(
    () => assert.unreachable("the hook stops the create"),
    (error: Error) => assert.is(error.message, "stopped after the claim"),
  );
  delete kvetchTestHooks(kvetch).afterUniqueClaim;
  let rows = await rowsOf(backend);
  assert.is(rows.objects, 0);
  assert.is(rows.claims.length, 1);
  assert.is((await rejectionOf(() => kvetch.createObject("Member", { email: "crash@example.com" }))).code, "UNIQUE_VIOLATION");
  // Within the grace period the claim may belong to a running write: repair leaves it.
  const young = await kvetch.repair();
  assert.is(young.claimsReleased, undefined);
  assert.is((await rowsOf(backend)).claims.length, 1);
  const report = await kvetch.repair({ claimGraceMs: 0 });
  assert.is(report.claimsReleased, 1);
  rows = await rowsOf(backend);
  assert.is(rows.claims.length, 0);
  const owner = await kvetch.createObject("Member", { email: "crash@example.com" });
  // Repair never releases a claim its owner holds, so never makes room for a second owner.
  const again = await kvetch.repair({ claimGraceMs: 0 });
  assert.is(again.claimsReleased, undefined);
  assert.equal((await rowsOf(backend)).claims.map((claim) => claim.ownerId), [owner.id]);
});

test("unique: migrate refuses unique over an index with duplicates, listing them; without duplicates it claims every value", async () => {
  const shards = memoryShards(2);
  const plain = new Kvetch({ schema: schemaWith(false), backend: memoryBackend({ shards }) });
  const a = await plain.createObject("Member", { email: "dup@example.com" });
  const b = await plain.createObject("Member", { email: "dup@example.com" });
  const c = await plain.createObject("Member", { email: "single@example.com" });
  const backend = memoryBackend({ shards });
  const strict = new Kvetch({ schema: schemaWith(true), backend });
  const error = await rejectionOf(() => strict.migrate());
  assert.is(error.code, "BAD_SCHEMA");
  assert.match(error.message, /1 value\(s\) of unique indexes are held by more than one object/);
  assert.match(error.message, /member_email "dup@example\.com": /);
  assert.ok(error.message.includes(a.id) && error.message.includes(b.id));
  await plain.deleteObjects([b.id], { type: "Member" });
  await strict.migrate();
  const claims = (await rowsOf(backend)).claims.map((claim) => [claim.valueKey, claim.ownerId]).sort();
  assert.equal(claims, [['"dup@example.com"', a.id], ['"single@example.com"', c.id]]);
  assert.is((await rejectionOf(() => strict.createObject("Member", { email: "single@example.com" }))).code, "UNIQUE_VIOLATION");
});

test.run();
