// `graphscale kvetch` failing cleanly: a short message saying what and where, exit 1 (or 2 for what the
// operator passed), never a stack trace. Closing the store never replaces the command's own error. The
// never-migrated shard needs MySQL (skipped without it); the rest runs on config modules.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  assert.match(result.stderr, "graphscale: close: the socket is already gone\n");
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

const configModule = join(root, "test/kvetch/cli-config.ts"); // the map backend, shards 0..1

test("a checkpoint in a directory that does not exist is a usage error before repair starts", async () => {
  const result = await run(["kvetch", "repair", "--config", configModule, "--checkpoint", "no/such/dir/cp.json"]);
  assert.is(result.code, 2);
  assert.match(result.stderr, `graphscale: cannot write checkpoint ${join(dir, "no/such/dir/cp.json")}: its directory ${join(dir, "no/such/dir")} does not exist`);
  assert.not.match(result.stderr, "repair: objects");
  assert.not.ok(existsSync(join(dir, "no")));
  writeFileSync(join(dir, "plain-file"), "");
  const underFile = await run(["kvetch", "repair", "--config", configModule, "--checkpoint", "plain-file/cp.json"]);
  assert.is(underFile.code, 2);
  assert.match(underFile.stderr, `its directory ${join(dir, "plain-file")} is not a directory`);
});

test("a checkpoint that cannot be saved mid-run stops repair with a message naming the file (exit 1, no stack)", async () => {
  const path = join(dir, "unsaved.checkpoint.json");
  mkdirSync(`${path}.tmp`); // the temp file repair writes first is a directory: the write fails
  const result = await run(["kvetch", "repair", "--config", configModule, "--checkpoint", path]);
  assert.is(result.code, 1);
  assert.match(result.stderr, `graphscale: cannot save checkpoint ${path}: EISDIR`);
  assert.match(result.stderr, "repair stopped (run it again to resume)");
  assertNoStack(result);
});

test("a well-formed checkpoint naming a position this store has not is a usage error telling to delete it", async () => {
  const report = { scanned: 0, checked: 0, edgesAdded: 0, edgesRemoved: 0, indexAdded: 0, indexRemoved: 0 };
  const cases: [object, string][] = [
    [{ phase: "objects", shard: 99, after: null }, "names shard 99; this store has shards 0..1"],
    [{ phase: "edges", shard: 1, after: "garbage" }, "has an `after` key of the wrong form for its phase"],
  ];
  for (const [checkpoint, message] of cases) {
    const path = join(dir, "impossible.checkpoint.json");
    const text = JSON.stringify({ checkpoint, report });
    writeFileSync(path, text);
    const result = await run(["kvetch", "repair", "--config", configModule, "--checkpoint", path]);
    assert.is(result.code, 2, text);
    assert.match(result.stderr, `graphscale: cannot resume from checkpoint ${path}: ${JSON.stringify(checkpoint)} ${message}; delete it to start over`);
    assert.is(readFileSync(path, "utf8"), text);
    assertNoStack(result);
  }
});

test("a config or schema module with a syntax error names the file, line and column (exit 2, no stack)", async () => {
  const config = join(dir, "syntax.config.mjs");
  writeFileSync(config, "export default {\n  shards: [1,\n  oops oops\n};\n");
  const result = await run(["kvetch", "stats", "--config", config]);
  assert.is(result.code, 2);
  assert.match(result.stderr, `graphscale: cannot load config module ${config}: ${config}:3:8: Unexpected identifier 'oops'`);
  assertNoStack(result);
  const schema = join(dir, "syntax.schema.mjs");
  writeFileSync(schema, "export const schema = defineSchema({\n  objects: [)],\n});\n");
  writeFileSync(join(dir, "with-schema.json"), JSON.stringify({ shards: ["mysql://root@127.0.0.1:9/none"], schema: "syntax.schema.mjs" }));
  const repaired = await run(["kvetch", "repair", "--config", "with-schema.json"]);
  assert.is(repaired.code, 2);
  assert.match(repaired.stderr, `graphscale: cannot load schema module ${schema}: ${schema}:2:13: Unexpected token ')'`);
  assertNoStack(repaired);
});

const databases = testDatabases("clifix");
const mysqlUp = await serversUp("test/kvetch/cli-errors.test.ts", { mysql: true });
if (mysqlUp) {
  test("shards that were never migrated: which shard and database, how to create them, exit 1, no stack", async () => {
    await dropDatabases(databases);
    writeFileSync(join(dir, "unmigrated.json"), JSON.stringify({ shards: shardUrls(databases.slice(0, 2)) }));
    const result = await run(["kvetch", "stats", "--config", "unmigrated.json"]);
    assert.is(result.code, 1);
    // The open check finds them before stats reads anything: each by its position in the configured list.
    assert.match(result.stderr, /TOPOLOGY_MISMATCH|does not match the stored topology/);
    assert.match(result.stderr, "shards[0] is not migrated (its tables do not exist): run `graphscale kvetch migrate`");
    assert.match(result.stderr, "shards[1] is not migrated");
    assert.match(result.stderr, /cause: the configured shards: shards\[0\] is shard 0 \([^)]*graphscale_clifix_\w+_0\); shards\[1\] is shard 1/);
    assertNoStack(result);
    assert.is(result.stdout, "");
  });
}

test.after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (mysqlUp) await dropDatabases(databases);
});

test.run();
