// What coalescing the cache's writes saves (spec/kvetch-storage.md §7.2, coalesceWrites):
// `npx tsx bench/http/coalescedWrites.ts` seeds the todo view (1 user → 10 lists → 5 items) on 4 MySQL shard
// databases + Redis, warms the cache, then runs batches of 50 concurrent clients × 40 todo views through
// graphscale's execute, alternating batches with the Redis socket's cork/uncork turned into no-ops (each
// command its own write, as before) and left as they are. Prints the medians of the batches' CPU ms per view.
// Explains a figure of the README; no table is generated from it. Drops its databases and keys at the end.

import { Socket } from "node:net";
import { parse } from "graphql";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { execute } from "../../src/index.js";
import { todoKvetchSchema, todoSchema } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { todoQuery } from "../scenarios/todo.js";
import { median } from "../median.js";
import { REDIS_URL, benchStore, deleteKeys, dropDatabases, shardUrls } from "../servers.js";

const BATCHES = 16;
const { databases, keyPrefix: redisKeyPrefix } = await benchStore("coalesce", 4);
const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis: { url: REDIS_URL, keyPrefix: redisKeyPrefix } }) });
const socket = Socket.prototype as unknown as { cork(): void; uncork(): void };
const { cork, uncork } = socket;
try {
  await kvetch.migrate();
  const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 10, itemsPerList: 5 });
  const document = parse(todoQuery(10, 5));
  const view = () => execute({ schema: todoSchema, document, variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } });
  for (let i = 0; i < 200; i++) await view();
  const cpuPerView: Record<"coalesced" | "oneWriteEach", number[]> = { coalesced: [], oneWriteEach: [] };
  for (let batch = 0; batch < BATCHES; batch++) {
    const mode = batch % 2 === 0 ? "oneWriteEach" : "coalesced";
    socket.cork = mode === "coalesced" ? cork : () => undefined;
    socket.uncork = mode === "coalesced" ? uncork : () => undefined;
    const before = process.cpuUsage();
    let views = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let i = 0; i < 40; i++, views++) await view();
      }),
    );
    const used = process.cpuUsage(before);
    cpuPerView[mode].push((used.user + used.system) / 1000 / views);
  }
  socket.cork = cork;
  socket.uncork = uncork;
  const coalesced = median(cpuPerView.coalesced);
  const each = median(cpuPerView.oneWriteEach);
  console.log(`CPU ms per todo view (medians of ${BATCHES / 2} batches each): coalesced ${coalesced.toFixed(3)}, one write each ${each.toFixed(3)} (${(each / coalesced).toFixed(2)}×)`);
} finally {
  socket.cork = cork;
  socket.uncork = uncork;
  await kvetch.close();
  await dropDatabases(databases);
  await deleteKeys(redisKeyPrefix);
}
