// The schema lock's cases (spec/kvetch-storage.md §2.5), run on the memory backend
// (test/kvetch/schema-lock.test.ts) and on 4 MySQL shards (test/integration/kvetch-schema-lock.test.ts) over
// one installation: a changed id refused at open and at migrate with both definitions named, a retired id
// never reused, an added index backfilled by repair with progress, and the round trips the open check adds.
import type { Test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, defineSchema } from "../../src/kvetch/index.js";
import type { KvetchBackend, KvetchIndexConfig, KvetchSchema } from "../../src/kvetch/index.js";

const OBJECTS = 12;
const objects = [
  { name: "Member", typeId: 1 },
  { name: "Loan", typeId: 2 },
];
const edges = [{ name: "memberLoans", edgeId: 1, fromType: "Member", storedIdAttr: "memberId", storedOnType: "Loan" }];
const byEmail: KvetchIndexConfig = { name: "byEmail", indexId: 1, indexedType: "Member", indexedAttr: "email" };
const byName: KvetchIndexConfig = { name: "byName", indexId: 1, indexedType: "Member", indexedAttr: "name" };

/** The first schema: Member and Loan, the derived edge memberLoans and the index byEmail. */
export const firstSchema = defineSchema({ objects, edges, indexes: [byEmail] });

/** What a case needs: a backend over the one installation (a new object per call), and how many shards it has. */
export interface LockFixture {
  backend(): KvetchBackend;
  shards: number;
}

/** The error `run` fails with (an assertion failure when it does not fail). */
async function failure(run: () => Promise<unknown>): Promise<KvetchError> {
  const error = await run().then(() => null, (thrown: unknown) => thrown);
  assert.instance(error, KvetchError, "refused");
  return error as KvetchError;
}

/** A schema is refused at open (every call fails; nothing read) and at migrate; the open error's message. */
async function refused(fixture: LockFixture, schema: KvetchSchema, ...named: string[]): Promise<string> {
  const kvetch = new Kvetch({ schema, backend: fixture.backend() });
  try {
    const open = await failure(() => kvetch.getObjects([]));
    assert.is(open.code, "BAD_SCHEMA");
    for (const text of named) assert.match(open.message, text);
    assert.is(kvetch.counters.rowsFetched, 0, "no row read");
    const create = await failure(() => kvetch.createObject("Member", { email: "x@example.org" }));
    assert.is(create.message, open.message, "every call fails alike");
    const migrate = await failure(() => kvetch.migrate());
    for (const text of named) assert.match(migrate.message, text);
    return open.message;
  } finally {
    await kvetch.close();
  }
}

export function schemaLockCases(test: Test, name: string, fixture: LockFixture): void {
  let members: string[] = [];

  test(`schema lock (${name}): the first migrate records every id; a new Kvetch's open reads it once, from one shard`, async () => {
    const kvetch = new Kvetch({ schema: firstSchema, backend: fixture.backend() });
    const report = await kvetch.migrate();
    assert.equal(report, { schemaLockVersion: 1, backfill: [] });
    const created = await kvetch.createObjects(Array.from({ length: OBJECTS }, (_, i) => ({ type: "Member", data: { email: `m${i}@example.org`, name: `n${i % 3}` } })));
    members = created.map((object) => object.id);
    await kvetch.createObjects(members.map((memberId) => ({ type: "Loan", data: { memberId } })));
    await kvetch.close();

    const opened = new Kvetch({ schema: firstSchema, backend: fixture.backend() });
    await opened.open();
    const perShard = [...opened.counters.shardQueries];
    // One topology read per shard, and one schema lock read: the home shard's.
    assert.is(perShard.reduce((a, b) => a + b, 0), fixture.shards + 1);
    assert.is(perShard.filter((n) => n === 2).length, 1, "the lock is read on one shard");
    opened.resetCounters();
    for (let i = 0; i < 3; i++) await opened.getObjects([members[0]!]);
    assert.is(opened.counters.shardQueries.reduce((a, b) => a + b, 0), 3, "one read per call: no lock read once open");
    await opened.close();
  });

  test(`schema lock (${name}): an id given another meaning is refused at open and at migrate, both definitions named`, async () => {
    const renamed = defineSchema({ objects, edges, indexes: [byName] });
    await refused(
      fixture,
      renamed,
      `indexId 1 is stored as index "byEmail" (indexId 1) over Member.email but configured as index "byName" (indexId 1) over Member.name`,
    );
    const reshaped = defineSchema({ objects, edges, indexes: [{ ...byEmail, indexedAttr: "mail" }] });
    await refused(fixture, reshaped, `stored as index "byEmail" (indexId 1) over Member.email but configured as index "byEmail" (indexId 1) over Member.mail`);
    const moved = defineSchema({ objects: [objects[0]!, { name: "Loan", typeId: 7 }], edges, indexes: [byEmail] });
    await refused(fixture, moved, `type "Loan" is stored as type "Loan" (typeId 2) but configured as type "Loan" (typeId 7)`);
    const edge = defineSchema({ objects, edges: [{ ...edges[0]!, storedIdAttr: "ownerId" }], indexes: [byEmail] });
    await refused(fixture, edge, `stored as derived edge "memberLoans" (edgeId 1) from Loan.memberId but configured as derived edge "memberLoans" (edgeId 1) from Loan.ownerId`);
    // Nothing recorded by the refused migrates: the first schema still opens and reads.
    const kvetch = new Kvetch({ schema: firstSchema, backend: fixture.backend() });
    assert.is((await kvetch.queryIndex("byEmail", ["m0@example.org"]))[0]!.edges.length, 1);
    await kvetch.close();
  });

  test(`schema lock (${name}): a retired id is never reused; an added index is backfilled by repair, with progress`, async () => {
    const retiring = new Kvetch({ schema: defineSchema({ objects, edges }), backend: fixture.backend() });
    assert.equal(await retiring.migrate(), { schemaLockVersion: 2, backfill: [] });
    await retiring.close();
    const message = await refused(fixture, defineSchema({ objects, edges, indexes: [byName] }), "indexId 1 was index \"byEmail\" (indexId 1) over Member.email, retired at schema lock version 2");
    assert.match(message, `configured as index "byName" (indexId 1) over Member.name: a retired id is never reused`);

    const borrowed = { name: "borrowedBy", edgeId: 2, fromType: "Member", storedIdAttr: "memberId", storedOnType: "Loan" };
    const added = defineSchema({ objects, edges: [...edges, borrowed], indexes: [{ ...byName, indexId: 2 }] });
    const kvetch = new Kvetch({ schema: added, backend: fixture.backend() });
    assert.equal(await kvetch.migrate(), { schemaLockVersion: 3, backfill: ['edge "borrowedBy"', 'index "byName"'] });
    assert.is((await kvetch.queryIndex("byName", ["n0"]))[0]!.edges.length, 0, "existing objects are not in the new index yet");
    assert.equal(await kvetch.countEdges("borrowedBy", members), members.map(() => 0), "nor in the new derived edge");
    const phases: string[] = [];
    const report = await kvetch.repair({ batchSize: 5, onProgress: (progress) => void phases.push(progress.phase) });
    assert.is(report.indexAdded, OBJECTS, "repair added every existing member to the new index");
    assert.is(report.edgesAdded, OBJECTS, "and every existing loan to the new derived edge");
    assert.equal(await kvetch.countEdges("borrowedBy", members), members.map(() => 1));
    assert.ok(phases.filter((phase) => phase === "objects").length >= Math.ceil((2 * OBJECTS) / 5 / fixture.shards), "progress after every batch");
    assert.is((await kvetch.queryIndex("byName", ["n0"]))[0]!.edges.length, OBJECTS / 3);
    // The full repair settled the backfill: the lock no longer lists it (a new version), and migrate finds nothing to do.
    assert.equal(await kvetch.migrate(), { schemaLockVersion: 4, backfill: [] });
    await kvetch.close();
  });
}
