// The schema lock on the memory backend (spec/kvetch-storage.md §2.5): the cases of schemaLockCases.ts over
// one installation of 3 memory shards, and two migrates racing with rival meanings for one new id.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, defineSchema, memoryBackend, memoryShards } from "../../src/kvetch/index.js";
import { schemaLockCases } from "./schemaLockCases.js";

const shards = memoryShards(3);
schemaLockCases(test, "memory", { backend: () => memoryBackend({ shards }), shards: 3 });

test("schema lock (memory): two migrates giving one new indexId rival meanings at once: one records it, the other is refused", async () => {
  const fresh = memoryShards(2);
  const objects = [{ name: "Member", typeId: 1 }];
  await new Kvetch({ schema: defineSchema({ objects }), backend: memoryBackend({ shards: fresh }) }).migrate();
  const rivals = ["email", "name"].map(
    (attr) => new Kvetch({ schema: defineSchema({ objects, indexes: [{ name: `by_${attr}`, indexId: 1, indexedType: "Member", indexedAttr: attr }] }), backend: memoryBackend({ shards: fresh }) }),
  );
  const outcomes = await Promise.allSettled(rivals.map((kvetch) => kvetch.migrate()));
  const won = outcomes.flatMap((outcome, i) => (outcome.status === "fulfilled" ? [i] : []));
  assert.is(won.length, 1, "exactly one migrate recorded its schema");
  const lost = outcomes.find((outcome) => outcome.status === "rejected") as PromiseRejectedResult;
  assert.instance(lost.reason, KvetchError);
  assert.is((lost.reason as KvetchError).code, "BAD_SCHEMA");
  // The winner's meaning holds from now on: the loser's schema is refused at open, naming both.
  const loser = new Kvetch({ schema: rivals[1 - won[0]!]!.schema, backend: memoryBackend({ shards: fresh }) });
  const refused = await loser.open().then(() => null, (error: unknown) => error as KvetchError);
  assert.match(refused!.message, `indexId 1 is stored as index "by_${won[0] === 0 ? "email" : "name"}"`);
});

test.run();
