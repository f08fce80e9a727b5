// `graphscale kvetch` without any server: usage errors (exit 2, what to do), a --config JS module naming a
// user's own backend (migrate, stats, repair), and the built bin dist/graphscale.js run by plain node. The MySQL
// commands themselves are in test/integration/kvetch-cli.test.ts.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCliIn, type CliRun } from "./cliRun.js";

const root = new URL("../..", import.meta.url).pathname;
const configModule = join(root, "test/kvetch/cli-config.ts");
const dir = mkdtempSync(join(tmpdir(), "graphscale-cli-"));

/** runCli in this process, in an empty directory with no GRAPHSCALE_* variables. */
const run = (args: string[], env: Record<string, string> = {}): Promise<CliRun> => runCliIn(dir, args, env);

test("usage errors exit 2 with one line: what was wrong and where the usage is", async () => {
  const cases: [string[], string][] = [
    [["kvetch", "explode"], 'unknown kvetch command "explode"; the commands are migrate, repair, stats'],
    [["kvetch"], 'unknown kvetch command ""'],
    [["cluster", "stats"], 'unknown command group "cluster"'],
    [["kvetch", "stats", "--verbose", "yes"], "unknown option --verbose"],
    [["kvetch", "stats", "--config"], "--config needs a value"],
    [["kvetch", "repair", "--batch-size", "0"], "--batch-size must be a positive integer, got 0"],
    [["kvetch", "stats"], "no shards configured: pass --config kvetch.config.json (or a JS module exporting a backend) or set GRAPHSCALE_SHARDS"],
    [["kvetch", "stats", "--config", "missing.json"], `cannot read config ${join(dir, "missing.json")}`],
    [["kvetch", "stats", "--config", "missing.mjs"], `cannot load config module ${join(dir, "missing.mjs")}`],
  ];
  for (const [args, message] of cases) {
    const result = await run(args);
    assert.is(result.code, 2, args.join(" "));
    assert.match(result.stderr, `graphscale: ${message}`);
    assert.match(result.stderr, /^graphscale: [^\n]* \(usage: graphscale kvetch --help\)\n$/, "one line");
    assert.is(result.stdout, "");
  }
});

test("--help prints the usage to stdout and exits 0", async () => {
  const help = await run(["--help"]);
  assert.is(help.code, 0);
  assert.match(help.stdout, "Usage: graphscale kvetch <command>");
  assert.match(help.stdout, "or a module (.js, .mjs, .cjs, .ts) whose default export");
});

test("config files: bad shards, a module without a backend, repair without a schema", async () => {
  writeFileSync(join(dir, "empty.json"), JSON.stringify({ shards: [] }));
  const noShards = await run(["kvetch", "stats", "--config", "empty.json"]);
  assert.is(noShards.code, 2);
  assert.match(noShards.stderr, '"shards" must be a non-empty list of mysql:// URLs');
  writeFileSync(join(dir, "nothing.mjs"), "export default { shards: 4 };\n");
  const noBackend = await run(["kvetch", "stats", "--config", "nothing.mjs"]);
  assert.is(noBackend.code, 2);
  assert.match(noBackend.stderr, "nothing.mjs must export a KvetchBackend (memoryBackend(...), mysqlBackend(...) or your own)");
  const noSchema = await run(["kvetch", "repair"], { GRAPHSCALE_SHARDS: "mysql://root@127.0.0.1:1/graphscale_never" });
  assert.is(noSchema.code, 2);
  assert.match(noSchema.stderr, "repair needs the schema");
});

test("a config module's own backend: migrate, stats and repair run on it", async () => {
  const migrate = await run(["kvetch", "migrate", "--config", configModule]);
  assert.is(migrate.code, 0, migrate.stderr);
  assert.equal(migrate.stdout.trim().split("\n"), ["migrated map shard 0", "migrated map shard 1"]);
  const before = await run(["kvetch", "stats", "--config", configModule]);
  assert.is(before.code, 0, before.stderr);
  assert.match(before.stdout, /^total\s+2\s+0\s+1$/m);
  const checkpoint = join(dir, "repair.checkpoint.json");
  const repair = await run(["kvetch", "repair", "--config", configModule, "--checkpoint", checkpoint]);
  assert.is(repair.code, 0, repair.stderr);
  assert.equal(JSON.parse(repair.stdout), { scanned: 2, checked: 2, edgesAdded: 1, edgesRemoved: 0, indexAdded: 0, indexRemoved: 0 });
  assert.not.ok(existsSync(checkpoint));
  const after = await run(["kvetch", "stats", "--config", configModule]);
  assert.match(after.stdout, /^total\s+2\s+1\s+1$/m);
});

const builtCli = join(root, "dist/graphscale.js");

function runBuilt(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith("GRAPHSCALE_")) delete env[name];
    const child = spawn(process.execPath, [builtCli, ...args], { cwd: dir, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

if (existsSync(builtCli)) {
  test("the built bin (node dist/graphscale.js): usage errors, help, and a config module with a memory backend", async () => {
    const unknown = await runBuilt(["kvetch", "explode"]);
    assert.is(unknown.code, 2);
    assert.match(unknown.stderr, 'unknown kvetch command "explode"');
    const help = await runBuilt(["kvetch", "--help"]);
    assert.is(help.code, 0);
    assert.match(help.stdout, "Usage: graphscale kvetch <command>");
    const kvetchEntry = new URL(`file://${join(root, "dist/kvetch.js")}`).href;
    writeFileSync(join(dir, "memory.config.mjs"), `import { memoryBackend } from ${JSON.stringify(kvetchEntry)};\nexport default memoryBackend({ shards: 3 });\n`);
    const stats = await runBuilt(["kvetch", "stats", "--config", "memory.config.mjs"]);
    assert.is(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /^2\s+memory\s+0\s+0\s+0$/m);
    assert.match(stats.stdout, /^total\s+0\s+0\s+0$/m);
  });
} else {
  console.log("SKIPPED test/kvetch/cli.test.ts: dist/graphscale.js is missing; run `npm run build` to test the built bin");
  test.skip("the built bin (node dist/graphscale.js): SKIPPED because dist/graphscale.js is missing; run `npm run build` first", () => {});
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test("deps invalidate <key>…: without the shared Redis in the config it is a usage error (the bump would reach no other process)", async () => {
  const keys = ["object:00000000-0000-7000-8000-000000000009", "report:weekly"];
  const alone = await run(["deps", "invalidate", ...keys, "--config", configModule]);
  assert.is(alone.code, 2);
  assert.match(alone.stderr, "deps invalidate needs the shared Redis");
  assert.is(alone.stdout, "");
  const none = await run(["deps", "invalidate"]);
  assert.is(none.code, 2);
  assert.match(none.stderr, "deps invalidate needs at least one dependency key");
});

test.run();
