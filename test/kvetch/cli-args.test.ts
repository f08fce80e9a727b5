// `graphscale` arguments a command cannot honour are refused (exit 2, naming them) instead of ignored: options of
// another command, a checkpoint file that is not one, `deps invalidate` with a malformed key, without the shared Redis or with a Redis
// that never answers (exit 1: nothing is reported done). No server needed.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCliIn, type CliRun } from "./cliRun.js";

const root = new URL("../..", import.meta.url).pathname;
const configModule = join(root, "test/kvetch/cli-config.ts");
const dir = mkdtempSync(join(tmpdir(), "graphscale-cli-args-"));

const run = (args: string[]): Promise<CliRun> => runCliIn(dir, args);

test("an option the command does not take is a usage error naming the option and the command", async () => {
  const cases: [string[], string][] = [
    [["kvetch", "stats", "--batch-size", "5"], "--batch-size is not an option of stats; stats takes --config"],
    [["kvetch", "migrate", "--checkpoint", "x.json"], "--checkpoint is not an option of migrate; migrate takes --config"],
    [["kvetch", "stats", "--queue"], "--queue is not an option of stats"],
    [["kvetch", "repair", "--queue", "--checkpoint", "x.json"], "--checkpoint is not an option of repair --queue"],
    [["kvetch", "stats", "extra"], 'unexpected argument "extra": stats takes options only'],
  ];
  for (const [args, message] of cases) {
    const result = await run([...args, "--config", configModule]);
    assert.is(result.code, 2, args.join(" "));
    assert.match(result.stderr, `graphscale: ${message}`);
    assert.is(result.stdout, "");
  }
  assert.not.ok(existsSync(join(dir, "x.json")));
});

test("a checkpoint file that is JSON but not a checkpoint is a usage error, and is left in place", async () => {
  const cases: [string, string][] = [
    ["{}", '"checkpoint" must be { "phase"'],
    ["null", "expected { \"checkpoint\", \"report\" }, got null"],
    ['{"checkpoint":{"phase":"objects","shard":0,"after":null},"report":{"scanned":-1}}', '"report.scanned" must be a non-negative integer'],
  ];
  for (const [text, message] of cases) {
    const path = join(dir, "bad.checkpoint.json");
    writeFileSync(path, text);
    const result = await run(["kvetch", "repair", "--config", configModule, "--checkpoint", path]);
    assert.is(result.code, 2, text);
    assert.match(result.stderr, `graphscale: cannot read checkpoint ${path}: ${message}`);
    assert.match(result.stderr, "delete it to start over");
    assert.ok(existsSync(path));
  }
});

test("deps invalidate without Redis is a usage error: an in-process bump reaches no other process", async () => {
  const result = await run(["deps", "invalidate", "report:weekly", "--config", configModule]);
  assert.is(result.code, 2);
  assert.match(result.stderr, "graphscale: deps invalidate needs the shared Redis");
  assert.is(result.stdout, "");
});

test("deps invalidate with a malformed key is a usage error naming the key, before any Redis is reached", async () => {
  const config = join(dir, "unreached-redis.config.ts");
  writeFileSync(
    config,
    `import { memoryBackend } from ${JSON.stringify(join(root, "src/kvetch/index.ts"))};\n` +
      `export { contractSchema as schema } from ${JSON.stringify(join(root, "src/kvetch/testing/index.ts"))};\n` +
      `export const backend = memoryBackend({ shards: 1, redis: { url: "redis://127.0.0.1:1", keyPrefix: "graphscale-test:unreached:" } });\n`,
  );
  const cases: [string[], string][] = [
    [["object:nope"], 'deps invalidate key 1: malformed dependency key "object:nope" (object:<id> needs an object id)'],
    [["report:weekly", "edges:no_such_edge:0190a6a4-0000-7000-8000-000000000001"], 'deps invalidate key 2: malformed dependency key'],
    [["Report:weekly"], 'deps invalidate key 1: malformed dependency key "Report:weekly" (a kind is a lowercase letter'],
  ];
  for (const [keys, message] of cases) {
    for (const configFile of [config, configModule]) {
      const result = await run(["deps", "invalidate", ...keys, "--config", configFile]);
      assert.is(result.code, 2, keys.join(" "));
      assert.match(result.stderr, `graphscale: ${message}`);
      assert.not.match(result.stderr, "Redis");
      assert.is(result.stdout, "");
    }
  }
});

test("deps invalidate with a Redis that never answers fails (exit 1) and reports nothing done", async () => {
  const config = join(dir, "dead-redis.config.ts");
  writeFileSync(
    config,
    `import { memoryBackend } from ${JSON.stringify(join(root, "src/kvetch/index.ts"))};\n` +
      `export { contractSchema as schema } from ${JSON.stringify(join(root, "src/kvetch/testing/index.ts"))};\n` +
      `export const backend = memoryBackend({ shards: 1, redis: { url: "redis://127.0.0.1:1", keyPrefix: "graphscale-test:dead:" } });\n`,
  );
  const result = await run(["deps", "invalidate", "report:weekly", "--config", config]);
  assert.is(result.code, 1);
  assert.match(result.stderr, "deps invalidate: Redis is not reachable");
  assert.match(result.stderr, "nothing was done");
  assert.is(result.stdout, "");
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
