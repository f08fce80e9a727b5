// The Kvetch contract suite with a Redis Cluster in front of MySQL: three cluster nodes this test starts
// (redis-server on free local ports) and stops again by process id. Checks one round trip per cluster node
// per batch, that an entry's value and generation share a slot, and that the open check runs before the cache.
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { suite, test } from "uvu";
import * as assert from "uvu/assert";
import { Cluster } from "ioredis";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { contractSchema, runBackendContractSuite } from "../../src/kvetch/testing/index.js";
import { deleteKeys, dropDatabases, mysqlContractFixture, serversUp, shardUrls, testKeyPrefix } from "./kvetch-servers.js";

const FILE = "test/integration/kvetch-redis-cluster.test.ts";

function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"]).status === 0 && spawnSync("redis-cli", ["--version"]).status === 0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Three master nodes covering all slots, in a temporary directory; stop() kills exactly these processes. */
async function startCluster(): Promise<{ seeds: string[]; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "graphscale-cluster-"));
  const ports = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  // if this process dies first, take down the nodes it started (by their process ids)
  const killOnExit = (): void => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const stop = async (): Promise<void> => {
    process.off("exit", killOnExit);
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((r) => child.once("exit", r)) : null)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      children.push(
        spawn(
          "redis-server",
          ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`,
            "--dir", dir, "--save", "", "--appendonly", "no"],
          { stdio: "ignore" },
        ),
      );
    }
    for (const port of ports) {
      for (let i = 0; spawnSync("redis-cli", ["-p", String(port), "ping"]).stdout?.toString().trim() !== "PONG"; i++) {
        if (i > 100) throw new Error(`redis-server on port ${port} did not start`);
        await sleep(50);
      }
    }
    const seeds = ports.map((port) => `127.0.0.1:${port}`);
    const created = spawnSync("redis-cli", ["--cluster", "create", ...seeds, "--cluster-replicas", "0", "--cluster-yes"]);
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stderr.toString()}`);
    for (let i = 0; ; i++) {
      const info = spawnSync("redis-cli", ["-p", String(ports[0]), "cluster", "info"]).stdout.toString();
      if (info.includes("cluster_state:ok")) break;
      if (i > 200) throw new Error("the test cluster never reached cluster_state:ok");
      await sleep(50);
    }
    return { seeds, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function deleteClusterKeys(seeds: readonly string[], prefix: string): Promise<void> {
  for (const seed of seeds) await deleteKeys(prefix, `redis://${seed}`);
}

if (await serversUp(FILE, { mysql: true })) {
  if (!hasRedisServer()) {
    const message = `${FILE}: redis-server and redis-cli are needed to start a test cluster; install them with \`npm run services\``;
    if (process.env.CI === "true") {
      test(message, () => {
        throw new Error(message);
      });
      test.run();
    } else console.log(`SKIPPED ${message}`);
  } else {
    const cluster = await startCluster();
    const keyPrefix = testKeyPrefix("cluster");

    runBackendContractSuite({
      name: "mysql + redis cluster (3 nodes)",
      suite,
      ...mysqlContractFixture({ cluster: cluster.seeds, keyPrefix }, () => deleteClusterKeys(cluster.seeds, keyPrefix)),
    });

    // suites run in order; this one is last, so it stops the cluster
    const it = suite("redis cluster round trips");
    it.after(() => cluster.stop());
    it("one round trip per cluster node per batch; warm reads make no MySQL query", async () => {
      await dropDatabases();
      const kvetch = new Kvetch({
        schema: contractSchema,
        backend: mysqlBackend({ shards: shardUrls(), redis: { cluster: cluster.seeds, keyPrefix } }),
      });
      try {
        await kvetch.migrate();
        const users = await kvetch.createObjects(Array.from({ length: 60 }, (_, i) => ({ type: "User", data: { username: `k${i}` } })));
        const ids = users.map((u) => u.id);
        // wait until the cluster client has its slot map (reads before that are plain misses)
        for (let i = 0; ; i++) {
          kvetch.resetCounters();
          await kvetch.getObjects(ids.slice(0, 1));
          if (Object.keys(kvetch.counters.cacheRoundTrips).length > 0) break;
          if (i > 100) throw new Error("cluster cache never became ready");
          await sleep(50);
        }
        await kvetch.getObjects(ids);
        kvetch.resetCounters();
        const read = await kvetch.getObjects(ids);
        assert.is(read.filter(Boolean).length, 60);
        assert.equal(kvetch.counters.shardQueries, [0, 0, 0, 0]);
        const nodes = Object.keys(kvetch.counters.cacheRoundTrips).sort();
        assert.equal(nodes, [...cluster.seeds].sort(), "60 ids spread over all three nodes");
        for (const node of nodes) assert.is(kvetch.counters.cacheRoundTrips[node], 1, `one pipeline to ${node}`);
        // an update invalidates across the cluster: the next read sees it
        await kvetch.updateObject("User", ids[7]!, { username: "renamed" });
        assert.is((await kvetch.getObject(ids[7]!))!.data.username, "renamed");
        // value and generation of one entry live in one slot (the hash tag)
        const direct = new Cluster(cluster.seeds.map((seed) => ({ host: "127.0.0.1", port: Number(seed.split(":")[1]) })));
        try {
          const pair = await direct.mget(`${keyPrefix}{o:${ids[7]}}:v`, `${keyPrefix}{o:${ids[7]}}:g`);
          assert.match(pair[0]!, '"username":"renamed"');
          assert.ok(Number(pair[1]) >= 1, "the generation was bumped by the writes");
        } finally {
          direct.disconnect();
        }
      } finally {
        await kvetch.close();
        await dropDatabases();
        await deleteClusterKeys(cluster.seeds, keyPrefix);
      }
    });
    it("a shard list that disagrees with the stored topology is refused before the cache or a shard is read", async () => {
      await dropDatabases();
      const urls = shardUrls();
      const open = (shards: string[]): Kvetch => new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards, redis: { cluster: cluster.seeds, keyPrefix } }) });
      const kvetch = open(urls);
      try {
        await kvetch.migrate();
        const ids = (await kvetch.createObjects(Array.from({ length: 24 }, (_, i) => ({ type: "User", data: { username: `t${i}` } })))).map((u) => u.id);
        // warm: every object is in the cluster cache, so a read that skipped the check would be served from it
        for (let i = 0; ; i++) {
          kvetch.resetCounters();
          await kvetch.getObjects(ids);
          if (kvetch.counters.shardQueries.every((n) => n === 0)) break;
          if (i > 100) throw new Error("cluster cache never became warm");
          await sleep(50);
        }
        const dropped = open(urls.slice(0, 3));
        try {
          const error = await dropped.getObjects(ids).then(() => null, (thrown: unknown) => thrown);
          assert.is((error as { code?: string })?.code, "TOPOLOGY_MISMATCH");
          assert.match((error as Error).message, "stored shard id 3 (256 of 1024 buckets) is missing from the configuration");
          assert.equal(dropped.counters.shardQueries, [1, 1, 1], "one topology read per shard");
          // The one round trip a new connection makes is its identity check (spec/kvetch-storage.md §7.5), made on
          // connect whatever the store is asked; no cache entry is read.
          const cacheTrips = Object.values(dropped.counters.cacheRoundTrips).reduce((sum, n) => sum + n, 0);
          assert.ok(cacheTrips <= 1, `no cache read beyond the connection's identity check (got ${cacheTrips})`);
        } finally {
          await dropped.close();
        }
        const reordered = open([urls[3]!, urls[1]!, urls[2]!, urls[0]!]);
        try {
          assert.is((await reordered.getObjects(ids)).filter(Boolean).length, 24);
        } finally {
          await reordered.close();
        }
      } finally {
        await kvetch.close();
        await dropDatabases();
        await deleteClusterKeys(cluster.seeds, keyPrefix);
      }
    });
    it.run();
  }
}
