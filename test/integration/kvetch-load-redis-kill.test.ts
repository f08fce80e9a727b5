// Load through two serving processes (the example HTTP server, each with its own Kvetch on the same 4 MySQL
// shards behind TCP proxies and the same Redis, a redis-server of the test's own) while that Redis is
// SIGKILLed and restarted empty: LOAD_CLIENTS concurrent clients starting on a cold cache fail no request, and
// no read is stale — during the load, every item a read shows whose last write was answered before the read
// was sent must show that write (writes go to either process, reads to both); after the load, every user's
// view from each process equals the view computed from the canonical rows (a store without a cache). The run
// lasts about LOAD_MS (GRAPHSCALE_LOAD_MS): Redis is killed after 30% of it (once the first burst was answered),
// restarted 20% later, and the load goes on for 50% more. The serving processes run the library's defaults
// but for two waits: a request may take 60 s (the example server's requestTimeoutMs) and wait as long for a
// shard connection (queueTimeoutMs): the suite may share its machine, and this test is about Redis faults,
// not the machine's speed (admission under load with the default waits is kvetch-load.test.ts's subject).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "graphql";
import { Redis } from "ioredis";
import { execute } from "../../src/index.js";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema } from "../../examples/todo/schema.js";
import { MYSQL_SERVER, dropDatabases, serversUp, shardUrls, testDatabases, testKeyPrefix } from "./kvetch-servers.js";
import { OwnRedis, eventually, redisServerInstalled } from "./ownRedis.js";
import { TodoServerProcess } from "./todoServerProcess.js";
import { startTcpProxy, type TcpProxy } from "../safety/tcpProxy.js";
import { LoadRecord } from "./kvetch-load-record.js";

const DATABASES = testDatabases("loadkill");
const LOAD_CLIENTS = Number(process.env.GRAPHSCALE_LOAD_CLIENTS ?? 200);
const LOAD_MS = Number(process.env.GRAPHSCALE_LOAD_MS ?? 9000);
/** Each client's every WRITE_EVERY-th request is a write (5%), of an item only that client writes. */
const WRITE_EVERY = 20;
const USERS = 100;
const LISTS = 3;
const ITEMS = 4;

/** The view the clients read: user → lists → items, with what a stale read would show (ids, done). */
const VIEW = `query ($id: ID!) { todoUser(id: $id) { id todoLists(first: 10) { id todoItems(first: 5) { id done } } } }`;
const WRITE = `mutation ($id: ID!, $done: Boolean!) { setTodoItemDone(id: $id, done: $done) { id done } }`;

interface ViewData {
  todoUser: { id: string; todoLists: { id: string; todoItems: { id: string; done: boolean }[] }[] } | null;
}

/** What the clients know of an item: its last answered write, and when that write was sent and answered. */
interface ItemState {
  user: string;
  done: boolean;
  sentAt: number;
  answeredAt: number;
  /** A write of it failed: its outcome is unknown, so reads of it are not judged. */
  unknown: boolean;
}

const up = (await serversUp("test/integration/kvetch-load-redis-kill.test.ts", { mysql: true })) && redisServerInstalled();

if (up) {
  const server = new URL(MYSQL_SERVER);
  let proxies: TcpProxy[] = [];
  let canonical: Kvetch;
  const redis = new OwnRedis();
  let servers: TodoServerProcess[] = [];
  const users: string[] = [];
  const items: string[] = [];
  const state = new Map<string, ItemState>();

  test.before(async () => {
    await dropDatabases(DATABASES);
    proxies = await Promise.all(DATABASES.map(() => startTcpProxy(server.hostname, Number(server.port || 3306))));
    // The canonical rows: a store on the shards themselves (no proxy) without a cache. It also seeds them, so
    // the serving processes start on an empty Redis.
    canonical = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(DATABASES), poolSize: 2 }) });
    await canonical.migrate();
    const created = await canonical.createObjects(Array.from({ length: USERS }, (_, u) => ({ type: "User", data: { name: `user ${u}`, username: `kill${u}` } })));
    for (const user of created) users.push(user.id);
    const lists = await canonical.createObjects(users.flatMap((userId) => Array.from({ length: LISTS }, (_, n) => ({ type: "TodoList", data: { userId, name: `list ${n}` } }))));
    const owner = new Map(lists.map((list) => [list.id, list.data.userId as string]));
    const todo = await canonical.createObjects(lists.flatMap((list) => Array.from({ length: ITEMS }, (_, n) => ({ type: "TodoItem", data: { listId: list.id, text: `item ${n}`, done: false } }))));
    for (const item of todo) {
      items.push(item.id);
      state.set(item.id, { user: owner.get(item.data.listId as string)!, done: false, sentAt: -1, answeredAt: -1, unknown: false });
    }
    await redis.start();
    const urls = shardUrls(DATABASES).map((url, shard) => url.replace(server.host, `127.0.0.1:${proxies[shard]!.port}`));
    const config = { shards: urls, redis: { url: redis.url, keyPrefix: testKeyPrefix("loadkill") }, requestTimeoutMs: 60_000, queueTimeoutMs: 60_000 };
    servers = [new TodoServerProcess(config), new TodoServerProcess(config)];
    await Promise.all(servers.map((s) => s.url));
    // Health pings open a connection to every shard; the cache stays empty until the load starts.
    await eventually(async () => (await Promise.all(servers.map((s) => s.health()))).every((h) => h.cache.ok), "both processes to use the cache");
  });

  test.after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await canonical?.close();
    await redis.close();
    for (const proxy of proxies) await proxy.close();
    await dropDatabases(DATABASES);
  });

  /** POSTs one GraphQL request; its data, or a failure message (HTTP status or errors). */
  async function post(url: string, query: string, variables: Record<string, unknown>): Promise<{ data?: unknown; failure?: string }> {
    try {
      const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
      if (response.status !== 200 || body.errors !== undefined) return { failure: `${response.status} ${body.errors?.map((e) => e.message).join("; ") ?? ""}` };
      return { data: body.data };
    } catch (error) {
      return { failure: `no answer: ${(error as Error).message}` };
    }
  }

  /** Items of a view read sent at `sentAt` that show other than their last write answered before it. */
  function staleItems(view: ViewData, sentAt: number, record: LoadRecord): number {
    let stale = 0;
    for (const list of view.todoUser?.todoLists ?? []) {
      for (const item of list.todoItems) {
        const known = state.get(item.id)!;
        // Judged only when no write of it was in flight while the read ran, and its last one was answered first.
        if (known.unknown || known.sentAt > known.answeredAt || known.answeredAt >= sentAt) continue;
        record.judged++;
        if (item.done !== known.done) stale++;
      }
    }
    return stale;
  }

  test(`${LOAD_CLIENTS} clients on two serving processes, cold cache, Redis SIGKILLed after 30% of ${LOAD_MS} ms and restarted empty 20% later: 0 failed requests, 0 stale reads during the load and after it in both processes`, async () => {
    const urls = await Promise.all(servers.map((s) => s.url));
    const record = new LoadRecord(["before the kill", "Redis down", "after the restart"]);
    const start = performance.now();
    let phase = 0;
    let finished = false;
    let keysBeforeKill = -1;
    // Redis is killed once 30% of the run passed and the first burst was answered (so the cache is in use),
    // restarted 20% of the run later; the load goes on for half the run after the restart.
    const outage = (async () => {
      while (performance.now() - start < LOAD_MS * 0.3 || record.sent < 2 * LOAD_CLIENTS) await sleep(50);
      const direct = new Redis(redis.url);
      keysBeforeKill = await direct.dbsize();
      direct.disconnect();
      await redis.kill();
      phase = 1;
      await sleep(LOAD_MS * 0.2);
      await redis.start();
      phase = 2;
      await sleep(LOAD_MS * 0.5);
      finished = true;
    })();
    const client = async (c: number): Promise<void> => {
      const mine = items.filter((_, i) => i % LOAD_CLIENTS === c);
      const own = urls[c % 2]!;
      const other = urls[(c + 1) % 2]!;
      for (let n = 0; !finished; n++) {
        const reads: [string, string][] = [];
        if (n % WRITE_EVERY === 0 && mine.length > 0) {
          const id = mine[(n / WRITE_EVERY) % mine.length]!;
          const known = state.get(id)!;
          const done = !known.done;
          const sentAt = performance.now();
          known.sentAt = sentAt;
          const at = phase;
          const result = await post(own, WRITE, { id, done });
          record.add(at, performance.now() - sentAt, result.failure);
          if (result.failure === undefined) Object.assign(known, { done, answeredAt: performance.now() });
          else known.unknown = true;
          // The write's item, read right after through the other process.
          reads.push([other, known.user]);
        } else {
          reads.push([own, users[(c * 7 + n) % USERS]!]);
        }
        for (const [url, user] of reads) {
          const sentAt = performance.now();
          const at = phase;
          const result = await post(url, VIEW, { id: user });
          record.add(at, performance.now() - sentAt, result.failure);
          if (result.data !== undefined) record.stale[at]! += staleItems(result.data as ViewData, sentAt, record);
        }
      }
    };
    await Promise.all(Array.from({ length: LOAD_CLIENTS }, (_, c) => client(c)));
    await outage;
    console.log(record.table(`${LOAD_CLIENTS} clients, two serving processes, ${LOAD_MS} ms`));

    // After the load: both processes use the restarted Redis again, and read exactly the canonical rows.
    await eventually(async () => (await Promise.all(servers.map((s) => s.health()))).every((h) => h.cache.ok), "both processes to use the cache again");
    let staleAfter = 0;
    let failedAfter = 0;
    for (let round = 0; round < 2; round++) {
      for (const user of users) {
        const expected = await execute({ schema: todoSchema, document: parse(VIEW), variableValues: { id: user }, contextValue: { kvetch: canonical } });
        for (const url of urls) {
          const result = await post(url, VIEW, { id: user });
          if (result.failure !== undefined) failedAfter++;
          else if (JSON.stringify(result.data) !== JSON.stringify(expected.data)) staleAfter++;
        }
      }
    }
    const direct = new Redis(redis.url);
    const keysAfter = await direct.dbsize();
    direct.disconnect();
    console.log(`  during the load: ${record.judged} items of reads judged against their last answered write`);
    console.log(`  after the load: ${2 * users.length} views per process, ${staleAfter} stale, ${failedAfter} failed; cache keys ${keysBeforeKill} before the kill, ${keysAfter} after`);
    assert.equal({ failed: record.failed, stale: record.totalStale, failedAfter, staleAfter }, { failed: 0, stale: 0, failedAfter: 0, staleAfter: 0 }, record.messages());
    // Sent in every phase: before the kill, while Redis was down, after the restart (how many depends on the machine).
    for (let p = 0; p < 3; p++) assert.ok(record.requests[p]! > 0, `requests in phase "${record.phases[p]}": ${record.requests[p]}`);
    assert.ok(record.judged > 0, "reads were judged against answered writes");
    assert.ok(keysBeforeKill > 0, "Redis held entries when it was killed");
    assert.ok(keysAfter > 0, "the restarted Redis is filled again");
  });

  test.run();
}
