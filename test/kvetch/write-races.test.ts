// Concurrent keyed creates and canonical chunks that throw, on the memory backend (spec/kvetch-storage.md
// §6.4, §6.5); test/integration/kvetch-write-races.test.ts runs the same on MySQL shards.
import { test } from "uvu";
import { memoryBackend } from "../../src/kvetch/index.js";
import { heldRefusal, keyRace } from "./writeRaces.js";

test("two creates with one idempotency key at once: the later inserter gets the first's object, its other items are created and listed", async () => {
  await keyRace(memoryBackend({ shards: 4 }), (kvetch) => kvetch.close());
});

test("a canonical chunk that throws a non-shard error: the call fails after the other shards' rows got their derived rows (create, update, delete)", async () => {
  await heldRefusal(memoryBackend({ shards: 4 }), (kvetch) => kvetch.close());
});

test.run();
