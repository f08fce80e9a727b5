// The test runner (scripts/test.mjs) on files that fail in every way it must catch: a throwing `before`
// hook (uvu alone prints "(0 / 1)" and exits 0), a throwing `after` hook, a file that crashes while loading,
// a file that runs no test and says nothing (with or without calling test.run()), a failing assertion; and a file that skips itself with a message.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function runFixtures(pattern?: string) {
  const args = ["scripts/test.mjs", "--fixtures", "test/runner-fixtures", ...(pattern ? [pattern] : [])];
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
  const stdout = run.stdout.replace(/\x1b\[[0-9;]*m/g, "");
  return { status: run.status, stdout, stderr: run.stderr, lastLine: stdout.trimEnd().split("\n").at(-1) };
}

/** The recap block the runner prints for one failing file: its "✘ file" line and the indented reasons. */
function recap(stdout: string, file: string): string {
  const start = stdout.indexOf(`✘ test/runner-fixtures/${file}\n`);
  assert.ok(start >= 0, `no recap for ${file} in:\n${stdout}`);
  const rest = stdout.slice(start).split("\n");
  const lines = [rest[0]!];
  for (const line of rest.slice(1)) {
    if (!line.startsWith("    ")) break;
    lines.push(line);
  }
  return lines.join("\n");
}

const all = runFixtures();

test("runner: the last line counts 2 passed, 6 failed (hooks, crash, silent files, assertion), 2 skipped", () => {
  assert.is(all.lastLine, "2 passed, 6 failed, 2 skipped");
  assert.is(all.status, 1);
});

test("runner: a throwing before hook is a failure naming the file, the hook and the error", () => {
  const text = recap(all.stdout, "before-hook.fixture.ts");
  assert.match(text, /before hook: Error: the database is not there/);
  assert.match(all.stderr, /✘ hook failed: before\n\s+Error: the database is not there\n\s+at .*before-hook\.fixture\.ts:5/);
});

test("runner: a throwing after hook is a failure even though its tests passed", () => {
  assert.match(recap(all.stdout, "after-hook.fixture.ts"), /after hook in suite "teardown": Error: could not close the server/);
});

test("runner: a file that crashes while loading is a failure with its error", () => {
  assert.match(recap(all.stdout, "crash.fixture.ts"), /crashed before uvu reported \(exit code 1\):[\s\S]*Error: cannot load the schema/);
});

test("runner: a file that runs no test and gives no reason is a failure", () => {
  assert.match(recap(all.stdout, "silent.fixture.ts"), /registered no test and printed no skip message/);
  // uvu's own "Skipped: 0" line is not a skip message.
  assert.match(recap(all.stdout, "empty-run.fixture.ts"), /registered no test and printed no skip message/);
});

test("runner: a failing assertion names its test and message", () => {
  assert.match(recap(all.stdout, "mixed.fixture.ts"), /"fails": one plus one {2}\(is\)/);
});

test("runner: a file that skips itself with a message counts as one skipped, with the message", () => {
  assert.match(all.stdout, /- skipped test\/runner-fixtures\/skipped\.fixture\.ts: SKIPPED skipped\.fixture\.ts: the service it needs is not configured/);
  const only = runFixtures("skipped");
  assert.is(only.lastLine, "0 passed, 0 failed, 1 skipped");
  assert.is(only.status, 0);
});

test.run();
