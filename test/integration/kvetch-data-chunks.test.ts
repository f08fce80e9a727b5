// Writes split by data size on MySQL (spec/kvetch-storage.md §5, DATA_PER_QUERY): a batch whose objects or
// edges on one shard add up to more than the server's max_allowed_packet is written whole, in several
// statements, where one statement would be refused (BAD_DATA). One shard, so every row is on it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { BIG, writeBigBatches } from "../kvetch/dataChunks.js";
import { dropDatabases, maxAllowedPacket, serversUp, shardUrls, testDatabases } from "./kvetch-servers.js";

const DATABASES = testDatabases("datachunks").slice(0, 1);
/** Past this max_allowed_packet the batch would need too much memory; the test says so and does not run. */
const MAX_PACKET_TESTED = 32 * 1024 * 1024;


if (await serversUp("test/integration/kvetch-data-chunks.test.ts", { mysql: true })) {
  const maxPacket = await maxAllowedPacket();
  if (maxPacket > MAX_PACKET_TESTED) {
    console.log(`kvetch-data-chunks: max_allowed_packet is ${maxPacket} bytes; the test needs at most ${MAX_PACKET_TESTED}`);
  } else {
    test("data chunks (MySQL): creates, updates and edges whose data is 1.25 times max_allowed_packet on one shard are all written", async () => {
      await dropDatabases(DATABASES);
      const kvetch = new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards: shardUrls(DATABASES) }) });
      try {
        await kvetch.migrate();
        const count = Math.ceil((1.25 * maxPacket) / BIG);
        assert.ok(count * BIG > maxPacket, "one statement for the batch would be over max_allowed_packet");
        await writeBigBatches(kvetch, count);
      } finally {
        await kvetch.close();
        await dropDatabases(DATABASES);
      }
    });
  }
}

test.run();
