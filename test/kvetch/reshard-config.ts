// A `graphscale kvetch --config` module for the reshard CLI tests: five memory shards of which the fifth owns no
// bucket yet, seeded with the move load's store. The module is loaded once per process, so every CLI run of a
// test sees the same shards, as runs against the same databases would.
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { moveSchema, seedMoveStore } from "./reshardLoad.js";

export const backend = memoryBackend({ shards: 5, ranges: [0, 1, 2, 3].map((s) => ({ first: s * 256, last: s * 256 + 255, shard: s })) });
export const schema = moveSchema;

const kvetch = new Kvetch({ schema, backend });
export const model = await seedMoveStore(kvetch, 120);
await kvetch.close();
