// `graphscale kvetch` failing cleanly: a short message saying what and where, exit 1 (or 2 for what the
// operator passed), never a stack trace. Closing the store never replaces the command's own error. The
// never-migrated shard needs MySQL (skipped without it); the rest runs on config modules.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dropDatabases, serversUp, shardUrls, testDatabases } from "../integration/kvetch-servers.js";
import { runCliIn, type CliRun } from "./cliRun.js";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "graphscale-cli-errors-"));

const run = (args: string[]): Promise<CliRun> => runCliIn(dir, args);

/** No line of a stack trace ("    at f (file:1:2)"). */
function assertNoStack(result: CliRun): void {
  assert.not.match(result.stderr, /^\s+at /m, result.stderr);
}

/** A config module: the map backend of third-backend.ts whose shards' close (and, with `failStats`, stats) fail. */
function brokenConfig(name: string, failStats: boolean): string {
  const path = join(dir, `${name}.config.ts`);
  writeFileSync(
    path,
    `import { mapBackend } from ${JSON.stringify(join(root, "test/kvetch/third-backend.ts"))};\n` +
      `const inner = mapBackend(1);\n` +
      `export const backend = { ...inner, openShards: (counters: any) => inner.openShards(counters).map((shard: any) => {\n` +
      `  shard.close = async () => { throw new Error("close: the socket is already gone"); };\n` +
      (failStats ? `  shard.stats = async () => { throw new Error("stats: table objects is missing"); };\n` : "") +
      `  return shard;\n}) };\n`,
  );
  return path;
}

test("a command that fails reports its own error, not the failure to close the store after it", async () => {
  const result = await run(["kvetch", "stats", "--config", brokenConfig("stats-and-close", true)]);
  assert.is(result.code, 1);
  assert.match(result.stderr, "stats: table objects is missing");
  assert.not.match(result.stderr, "socket is already gone");
  assertNoStack(result);
});

test("a failure to close alone fails the command with its message and no stack trace", async () => {
  const result = await run(["kvetch", "stats", "--config", brokenConfig("close-only", false)]);
  assert.is(result.code, 1);
  assert.match(result.stderr, "graphscale: Error: close: the socket is already gone");
  assertNoStack(result);
});

test("a config file that is JSON but not an object is a usage error naming the file", async () => {
  for (const [name, text, got] of [["null", "null", "null"], ["list", "[1,2]", "[1,2]"], ["number", "7", "7"]]) {
    writeFileSync(join(dir, `${name}.json`), text);
    const result = await run(["kvetch", "stats", "--config", `${name}.json`]);
    assert.is(result.code, 2, text);
    assert.match(result.stderr, `graphscale: ${join(dir, `${name}.json`)}: the config must be a JSON object { "shards": [urls], ... }, got ${got}`);
    assertNoStack(result);
  }
});

const databases = testDatabases("clifix");
const mysqlUp = await serversUp("test/kvetch/cli-errors.test.ts", { mysql: true });
if (mysqlUp) {
  test("shards that were never migrated: which shard and database, how to create them, exit 1, no stack", async () => {
    await dropDatabases(databases);
    writeFileSync(join(dir, "unmigrated.json"), JSON.stringify({ shards: shardUrls(databases.slice(0, 2)) }));
    const result = await run(["kvetch", "stats", "--config", "unmigrated.json"]);
    assert.is(result.code, 1);
    assert.match(result.stderr, /shard \d failed in stats/);
    assert.match(result.stderr, /cause: Unknown database 'graphscale_clifix_\w+_[01]'/);
    assert.match(result.stderr, "run `graphscale kvetch migrate` with this config to create it");
    assertNoStack(result);
    assert.is(result.stdout, "");
  });
}

test.after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (mysqlUp) await dropDatabases(databases);
});

test.run();
