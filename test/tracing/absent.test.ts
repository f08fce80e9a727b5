// Without @opentelemetry/api installed (an optional peer dependency), the engine and the store run as ever, even
// with `makeSchema({ tracing: true })`: tracing is simply off. The run happens in a child process whose module
// resolution cannot find the package (test/tracing/hide-otel.cjs), as in an app that never installed it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";

const root = new URL("../..", import.meta.url).pathname;

test("tracing: with @opentelemetry/api absent, the todo view, a mutation and a live re-run run untraced", () => {
  const run = spawnSync(process.execPath, ["--require", "./test/tracing/hide-otel.cjs", "--import", "tsx", "test/tracing/absentRun.ts"], { cwd: root, encoding: "utf8", timeout: 120_000 });
  assert.is(run.status, 0, run.stderr);
  const seen = JSON.parse(run.stdout.trim().split("\n").pop()!);
  assert.equal(seen, {
    resolvable: false,
    api: null,
    lists: 2,
    errors: null,
    calls: 5,
    mutation: { setTodoItemDone: { done: false } },
    before: { todoItem: { done: true } },
    after: { todoItem: { done: false } },
  });
});

test.run();
