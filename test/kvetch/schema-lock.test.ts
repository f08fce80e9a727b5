// The schema lock on the memory backend (spec/kvetch-storage.md §2.5): the cases of schemaLockCases.ts over
// one installation of 3 memory shards.
import { test } from "uvu";
import { memoryBackend, memoryShards } from "../../src/kvetch/index.js";
import { schemaLockCases } from "./schemaLockCases.js";

const shards = memoryShards(3);
schemaLockCases(test, "memory", { backend: () => memoryBackend({ shards }), shards: 3 });

test.run();
