// Unique indexes on 4 MySQL shards + Redis across OS processes (spec/kvetch-storage.md §6.7): 50 creates of
// one email from this process and a child (uniqueCreates.ts) end with one owner and 49 UNIQUE_VIOLATIONs,
// and no row of a loser on any shard (objects, edges, index entries, claims) or in the cache; an update to a
// taken email writes nothing; a child killed between its claim and its canonical row leaves a claim that
// repair releases, after which the email can be taken once.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, KvetchError, mysqlBackend } from "../../src/kvetch/index.js";
import { createMembers, uniqueSchema, type CreateReport } from "./uniqueCreates.js";
import { REDIS_URL, cacheConnected, deleteKeys, dropDatabases, onDatabase, serversUp, shardUrls, testDatabases, testKeyPrefix, testWhen } from "./kvetch-servers.js";

const databases = testDatabases("unique");
const up = await serversUp("test/integration/kvetch-unique.test.ts", { mysql: true, redis: true });
const serverTest = testWhen(up);
const keyPrefix = testKeyPrefix("unique");
const redis = { url: REDIS_URL, keyPrefix };

function open(): Kvetch {
  return new Kvetch({ schema: uniqueSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis }) });
}

/**
 * Starts uniqueCreates.ts as its own OS process; `ready` resolves once its store is open, `go()` starts its
 * creates, `done` is its report, or (killed) the signal it ended by.
 */
function child(email: string, clubId: string, count: number, env: Record<string, string> = {}): { ready: Promise<void>; go: () => void; done: Promise<CreateReport | { signal: string }> } {
  const script = fileURLToPath(new URL("./uniqueCreates.ts", import.meta.url));
  const args = JSON.stringify({ shards: shardUrls(databases), redis, email, clubId, count });
  const proc = spawn(process.execPath, ["--import", "tsx", script, args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  let out = "";
  let err = "";
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  proc.stdout.on("data", (d) => {
    out += d;
    if (out.startsWith("ready\n")) signalReady();
  });
  proc.stderr.on("data", (d) => (err += d));
  const done = new Promise<CreateReport | { signal: string }>((resolve, reject) => {
    proc.on("close", (code, signal) => {
      if (signal !== null) resolve({ signal });
      else if (code === 0) resolve(JSON.parse(out.slice("ready\n".length)) as CreateReport);
      else reject(new Error(`the creating process exited with ${code}: ${err}`));
    });
  });
  ready.catch(() => undefined);
  return { ready: Promise.race([ready, done.then(() => Promise.reject(new Error(`the creating process ended before it was ready: ${err}`)))]), go: () => proc.stdin.end("go\n"), done };
}

interface ShardRows {
  objects: string[];
  edges: string[];
  indexEntries: string[];
  claims: { owner: string; value: string }[];
}

const ID = "LOWER(CONCAT_WS('-', HEX(SUBSTR(?? , 1, 4)), HEX(SUBSTR(??, 5, 2)), HEX(SUBSTR(??, 7, 2)), HEX(SUBSTR(??, 9, 2)), HEX(SUBSTR(??, 11, 6))))";
const idOf = (column: string): [string, string[]] => [ID, [column, column, column, column, column]];

/** Every shard's rows, read straight from its database: object ids, edge child ids, index entry targets, claims. */
async function everyShard(): Promise<ShardRows> {
  const all: ShardRows = { objects: [], edges: [], indexEntries: [], claims: [] };
  for (const database of databases) {
    await onDatabase(database, async (connection) => {
      const read = async (column: string, table: string): Promise<string[]> => {
        const [sql, params] = idOf(column);
        const [rows] = await connection.query(`SELECT ${sql} AS id FROM ${table}`, params);
        return (rows as { id: string }[]).map((row) => row.id);
      };
      all.objects.push(...(await read("id", "objects")));
      all.edges.push(...(await read("to_id", "edges")));
      all.indexEntries.push(...(await read("target_id", "index_entries")));
      const [sql, params] = idOf("owner_id");
      const [claims] = await connection.query(`SELECT ${sql} AS owner, value FROM unique_claims`, params);
      all.claims.push(...(claims as { owner: string; value: string }[]));
    });
  }
  return all;
}

/** The ids that occur in the cache's keys and values under this run's prefix. */
async function idsInCache(): Promise<Set<string>> {
  const client = new Redis(REDIS_URL, { lazyConnect: true });
  await client.connect();
  try {
    const ids = new Set<string>();
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        const type = await client.type(key);
        const value = type === "string" ? ((await client.getBuffer(key))?.toString("latin1") ?? "") : "";
        for (const match of `${key} ${value}`.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)) ids.add(match[0]);
      }
    } while (cursor !== "0");
    return ids;
  } finally {
    client.disconnect();
  }
}

serverTest("50 concurrent creates of one email from two processes: 1 owner, 49 UNIQUE_VIOLATIONs, nothing of a loser on any shard or in the cache", async () => {
  const kvetch = open();
  try {
    await kvetch.migrate();
    await cacheConnected(kvetch);
    const club = await kvetch.createObject("Club", { name: "chess" });
    const other = child("race@example.com", club.id, 25);
    await other.ready;
    other.go();
    const [mine, theirs] = await Promise.all([createMembers(kvetch, "race@example.com", club.id, 25), other.done]);
    const reports = [mine, theirs as CreateReport];
    const owners = reports.flatMap((report) => report.created);
    const refused = reports.flatMap((report) => report.refused);
    console.log(`  created ${mine.created.length} + ${(theirs as CreateReport).created.length}; refused ${mine.refused.length} + ${(theirs as CreateReport).refused.length}`);
    assert.is(owners.length, 1, JSON.stringify(reports));
    assert.equal(refused, new Array(49).fill("UNIQUE_VIOLATION"), JSON.stringify(reports));
    const owner = owners[0]!;
    // Read the lists so the cache holds them, then look for any id but the club's and the owner's.
    assert.equal((await kvetch.getEdges("club_members", [club.id]))[0]!.edges.map((edge) => edge.toId), [owner]);
    assert.equal((await kvetch.queryIndex("member_email", ["race@example.com"]))[0]!.edges.map((entry) => entry.targetId), [owner]);
    assert.equal(await kvetch.countEdges("club_members", [club.id]), [1]);
    const rows = await everyShard();
    assert.equal(rows.objects.sort(), [club.id, owner].sort());
    assert.equal(rows.edges, [owner]);
    assert.equal(rows.indexEntries, [owner]);
    assert.equal(rows.claims, [{ owner, value: '"race@example.com"' }]);
    await kvetch.getObjects([club.id, owner]);
    const cached = await idsInCache();
    assert.ok(cached.has(owner) && cached.has(club.id), "the cache holds the objects read (the check below is not vacuous)");
    for (const id of cached) assert.ok(id === club.id || id === owner || id === "00000000-0000-7000-8000-000000000000", `the cache holds ${id}, not the owner or the club`);
  } finally {
    await kvetch.close();
  }
});

serverTest("an update to a taken email on MySQL: UNIQUE_VIOLATION, the row keeps its version, the claims stay", async () => {
  const kvetch = open();
  try {
    await kvetch.migrate();
    const ann = await kvetch.createObject("Member", { email: "ann@example.com" });
    const bob = await kvetch.createObject("Member", { email: "bob@example.com" });
    const error = await kvetch.updateObject("Member", bob.id, { email: "ann@example.com" }).then(
      () => null,
      (thrown: unknown) => thrown as KvetchError,
    );
    assert.is(error?.code, "UNIQUE_VIOLATION");
    assert.not.ok(error!.message.includes(ann.id), "the message never names the owner");
    assert.is((await kvetch.getObject(bob.id))!.version, 1);
    const claims = (await everyShard()).claims.filter((claim) => claim.value.includes("ann@") || claim.value.includes("bob@"));
    assert.equal(claims.map((claim) => claim.owner).sort(), [ann.id, bob.id].sort());
    // Moving bob to a free email moves his claim; his old email is free again.
    await kvetch.updateObject("Member", bob.id, { email: "robert@example.com" });
    const again = await kvetch.createObject("Member", { email: "bob@example.com" });
    await kvetch.deleteObject(ann.id, { type: "Member" });
    const after = (await everyShard()).claims.filter((claim) => /"(ann|bob|robert)@/.test(claim.value));
    assert.equal(after.map((claim) => `${claim.value} ${claim.owner}`).sort(), [`"bob@example.com" ${again.id}`, `"robert@example.com" ${bob.id}`].sort());
  } finally {
    await kvetch.close();
  }
});

serverTest("a process killed between its claim and its canonical row: the claim blocks the email until repair releases it; repair gives no second owner", async () => {
  const kvetch = open();
  try {
    await kvetch.migrate();
    const before = await everyShard();
    const crashing = child("crash@example.com", "00000000-0000-7000-8000-000000000001", 1, { GRAPHSCALE_TEST_KILL_AFTER_CLAIM: "1" });
    await crashing.ready;
    crashing.go();
    const ended = await crashing.done;
    assert.equal(ended, { signal: "SIGKILL" });
    const rows = await everyShard();
    assert.is(rows.objects.length, before.objects.length, "no canonical row");
    const orphan = rows.claims.filter((claim) => claim.value === '"crash@example.com"');
    assert.is(orphan.length, 1);
    assert.not.ok(rows.objects.includes(orphan[0]!.owner));
    assert.is((await kvetch.createObject("Member", { email: "crash@example.com" }).catch((error: KvetchError) => error) as KvetchError).code, "UNIQUE_VIOLATION");
    const report = await kvetch.repair({ claimGraceMs: 0 });
    assert.is(report.claimsReleased, 1);
    const owner = await kvetch.createObject("Member", { email: "crash@example.com" });
    const second = await kvetch.repair({ claimGraceMs: 0 });
    assert.is(second.claimsReleased, undefined);
    assert.equal((await everyShard()).claims.filter((claim) => claim.value === '"crash@example.com"'), [{ owner: owner.id, value: '"crash@example.com"' }]);
    assert.is((await kvetch.createObject("Member", { email: "crash@example.com" }).catch((error: KvetchError) => error) as KvetchError).code, "UNIQUE_VIOLATION");
  } finally {
    await kvetch.close();
  }
});

test.after(async () => {
  if (!up) return;
  await deleteKeys(keyPrefix);
  await dropDatabases(databases);
});

test.run();
