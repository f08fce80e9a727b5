// Live queries miss nothing across instances (test/reactive/liveRandom.ts): the seeded rounds on 4 MySQL shards
// + Redis, the writes made through one Kvetch instance and the live queries held by another on the same shards
// and key prefix, as two processes would be — every change reaches them over Redis pub/sub only.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema } from "../../examples/todo/schema.js";
import { liveRandomRounds } from "../reactive/liveRandom.js";
import { randomTodoStore } from "../reactive/todoWrites.js";
import { REDIS_URL, cacheConnected, deleteKeys, dropDatabases, serversUp, shardUrls, subscribed, testDatabases, testKeyPrefix, testWhen } from "./kvetch-servers.js";

const FILE = "test/integration/live-random-mysql.test.ts";
const databases = testDatabases("liverandom");
const keyPrefix = testKeyPrefix("liverandom");
const it = testWhen(await serversUp(FILE, { mysql: true, redis: true }));

const open = (): Kvetch => new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis: { url: REDIS_URL, keyPrefix } }) });

it("seeded rounds on MySQL + Redis: writes through one instance, 20 live queries on another; every live query comes to a fresh execute's result after each round", async () => {
  try {
    const tally = await liveRandomRounds({
      seeds: [1, 2],
      rounds: 40,
      liveQueries: 20,
      settleMs: 10_000,
      open: async (draws) => {
        await dropDatabases(databases);
        await deleteKeys(keyPrefix);
        const writer = open();
        const reader = open();
        try {
          const store = await randomTodoStore(draws, writer);
          await Promise.all([cacheConnected(writer), cacheConnected(reader)]);
          // The reader hears the writer's announcements before any write it must hear.
          await subscribed(writer, reader);
          return { store, reader, close: async () => void (await Promise.all([writer.close(), reader.close()])) };
        } catch (error) {
          await Promise.all([writer.close(), reader.close()]);
          throw error;
        }
      },
    });
    assert.ok(tally.changed > tally.rounds / 2, JSON.stringify(tally));
  } finally {
    await dropDatabases(databases);
    await deleteKeys(keyPrefix);
  }
});

test.run();
