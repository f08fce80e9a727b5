// Redis keys the store deletes or bumps outside a write: the flush after an outage that outgrew the remembered
// invalidations (versions survive and all move; only keys under the prefix go, whatever its characters), and
// `graphscale deps invalidate` (it waits for Redis instead of remembering the invalidation in a dying process).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Redis } from "ioredis";
import { runCliIn } from "../kvetch/cliRun.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { REDIS_URL, deleteKeys, serversUp, testKeyPrefix, testWhen } from "./kvetch-servers.js";
import { RedisProxy } from "./redisProxy.js";

const root = new URL("../..", import.meta.url).pathname;

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * A store behind a proxy that runs `during` while Redis is cut off, then makes more than 10,000 invalidations
 * (so they are forgotten and the prefix is flushed) and waits until the store uses its cache again.
 */
async function overflowOutage(
  prefix: string,
  proxy: RedisProxy,
  before: (store: Kvetch) => Promise<void>,
  during: (store: Kvetch) => Promise<void>,
): Promise<Kvetch> {
  await proxy.start();
  const store = new Kvetch({
    schema: contractSchema,
    backend: memoryBackend({ shards: 2, redis: { url: `redis://127.0.0.1:${proxy.port}`, keyPrefix: prefix } }),
  });
  try {
    await eventually(async () => (await store.health()).cache!.ok, "the cache to connect");
    await before(store);
    await proxy.stop();
    await eventually(async () => (await store.health()).cache!.status !== "ready", "the store to notice the outage");
    await during(store);
    await store.createObjects(Array.from({ length: 10_001 }, (_, i) => ({ type: "Todo", data: { i } })));
    await proxy.start();
    await eventually(async () => (await store.health()).cache!.ok, "the flush after the outage");
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

const up = await serversUp("test/integration/kvetch-redis-flush.test.ts", { redis: true });
const it = testWhen(up);

it("the overflow flush keeps dependency versions and moves every one of them, changed or not", async () => {
  const prefix = testKeyPrefix("flush-versions");
  const direct = new Redis(REDIS_URL);
  const proxy = new RedisProxy();
  let store: Kvetch | null = null;
  try {
    let user = "";
    let todo = "";
    let held: number[] = [];
    store = await overflowOutage(
      prefix,
      proxy,
      async (s) => {
        user = (await s.createObject("User", { username: "u" })).id;
        todo = (await s.createObject("Todo", {})).id;
        held = await s.dependencyVersions([`edges:likes:${user}`, `object:${user}`]);
        await direct.set(`${prefix}unrelated`, "1");
      },
      async (s) => {
        await s.insertEdge("likes", user, todo); // the list changes while its invalidation cannot reach Redis
      },
    );
    assert.is(held[0]! % 2 ** 32, 0, "the list was never bumped before the outage (only its epoch counts)");
    assert.ok(held[1]! > 0, "the user's object version was bumped by its create");
    assert.is(await direct.exists(`${prefix}unrelated`), 0, "the other keys under the prefix are flushed");
    assert.ok(Number(await direct.get(`${prefix}{o:${user}}:d`)) > 0, "a version key survives the flush");
    // The changed list and the untouched object both read as moved: the flush cannot know which changed.
    const moved = await store.checkDeps({ [`edges:likes:${user}`]: held[0]!, [`object:${user}`]: held[1]! });
    assert.equal(moved.sort(), [`edges:likes:${user}`, `object:${user}`].sort());
    const now = await store.dependencyVersions([`edges:likes:${user}`, `object:${user}`]);
    assert.ok(now[0]! > held[0]! && now[1]! > held[1]!, "versions only grow");
    // A bump after the flush still moves the version onwards.
    await store.updateObject("User", user, { username: "v" });
    assert.ok((await store.dependencyVersions([`object:${user}`]))[0]! > now[1]!);
  } finally {
    await store?.close();
    await proxy.stop();
    await deleteKeys(prefix);
    direct.disconnect();
  }
});

it("the overflow flush deletes only keys under the prefix, even when the prefix has glob characters", async () => {
  const prefix = testKeyPrefix("flush?glob[x]*");
  const outside = prefix.replace("flush?glob[x]*", "flushAglobx-");
  const direct = new Redis(REDIS_URL);
  const proxy = new RedisProxy();
  let store: Kvetch | null = null;
  try {
    await direct.set(`${outside}victim`, "must survive");
    store = await overflowOutage(
      prefix,
      proxy,
      async () => void (await direct.set(`${prefix}mine`, "1")),
      async () => undefined,
    );
    assert.is(await direct.get(`${outside}victim`), "must survive");
    assert.is(await direct.exists(`${prefix}mine`), 0);
  } finally {
    await store?.close();
    await proxy.stop();
    await direct.del(`${outside}victim`);
    for (const key of await direct.keys(`${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`)) await direct.del(key);
    direct.disconnect();
  }
});

it("graphscale deps invalidate waits for Redis: the entry is dropped and its version bumped before it reports success", async () => {
  const prefix = testKeyPrefix("deps-cli");
  const dir = mkdtempSync(join(tmpdir(), "graphscale-deps-"));
  const direct = new Redis(REDIS_URL);
  const id = "01890a5d-ac96-774b-bcce-b302099a8057";
  try {
    await direct.set(`${prefix}{o:${id}}:v`, "stale");
    await direct.set(`${prefix}{o:${id}}:d`, "5");
    const config = join(dir, "redis.config.ts");
    writeFileSync(
      config,
      `import { memoryBackend } from ${JSON.stringify(join(root, "src/kvetch/index.ts"))};\n` +
        `export { contractSchema as schema } from ${JSON.stringify(join(root, "src/kvetch/testing/index.ts"))};\n` +
        `export const backend = memoryBackend({ shards: 2, redis: { url: ${JSON.stringify(REDIS_URL)}, keyPrefix: ${JSON.stringify(prefix)} } });\n`,
    );
    const ran = await runCliIn(dir, ["deps", "invalidate", `object:${id}`, "--config", config]);
    assert.is(ran.code, 0, ran.stderr);
    assert.equal(JSON.parse(ran.stdout), { invalidated: [`object:${id}`] });
    assert.is(await direct.get(`${prefix}{o:${id}}:v`), null);
    assert.is(await direct.get(`${prefix}{o:${id}}:d`), "6");
  } finally {
    await deleteKeys(prefix);
    direct.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
