// `graphscale kvetch reshard` (spec/kvetch-storage.md §10, §11) on a config module of memory shards: the plan
// first, then the move with progress on stderr and the report on stdout, then nothing left to move; usage errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { Kvetch } from "../../src/kvetch/index.js";
import { runCliIn } from "./cliRun.js";
import { checkMoveModel } from "./reshardLoad.js";

const dir = fileURLToPath(new URL(".", import.meta.url));
const config = ["--config", "reshard-config.ts"];

test("kvetch reshard --dry-run prints the plan and moves nothing; reshard moves a fifth of the buckets with progress; a rerun finds nothing to move", async () => {
  const plan = await runCliIn(dir, ["kvetch", "reshard", ...config, "--dry-run"]);
  assert.is(plan.code, 0, plan.stderr);
  const planned = JSON.parse(plan.stdout) as { outcome: string; moves: { from: number; to: number; buckets: number; rows: number }[] };
  assert.is(planned.outcome, "planned");
  assert.equal(planned.moves.map((m) => [m.from, m.to, m.buckets]), [[0, 4, 51], [1, 4, 51], [2, 4, 51], [3, 4, 51]]);
  assert.match(plan.stderr, /plan: shard map version \d+ -> \d+\n  shard 0 -> shard 4: 51 buckets, \d+ rows, [\d,]+ bytes/);
  const { backend, model } = await import("./reshard-config.js");
  const kvetch = new Kvetch({ schema: (await import("./reshard-config.js")).schema, backend });
  assert.is((await kvetch.stats())[4]!.objects, 0, "the dry run moved nothing");

  const run = await runCliIn(dir, ["kvetch", "reshard", ...config, "--batch-size", "40"]);
  assert.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { outcome: string; rowsCopied: number; verifyDifferences: number };
  assert.is(report.outcome, "moved");
  assert.is(report.verifyDifferences, 0);
  assert.is(report.rowsCopied, planned.moves.reduce((n, m) => n + m.rows, 0), "it copied the rows the plan counted");
  assert.match(run.stderr, /reshard copy: \d+\/204 buckets, [\d,]+ rows, [\d,]+ rows\/s/);
  assert.match(run.stderr, /reshard done: 204\/204 buckets/);
  assert.ok((await kvetch.stats())[4]!.objects > 0, "the fifth shard holds objects");
  await checkMoveModel([kvetch], model);

  const again = await runCliIn(dir, ["kvetch", "reshard", ...config]);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stderr, /already spread/);
  const reverse = await runCliIn(dir, ["kvetch", "reshard", ...config, "--reverse"]);
  assert.is(reverse.code, 1);
  assert.match(reverse.stderr, /graphscale: Kvetch: reshard --reverse: no move is in progress/);
  await kvetch.close();
});

test("kvetch reshard usage errors exit 2 naming the option", async () => {
  const cases: [string[], RegExp][] = [
    [["--remove", "x"], /--remove takes stored shard ids/],
    [["--checkpoint", "f"], /--checkpoint is not an option of reshard/],
    [["--reverse", "--dry-run"], /--reverse rolls back the move in progress and takes no --dry-run/],
    [["--batch-size", "0"], /--batch-size must be a positive integer, got 0/],
    [["extra"], /unexpected argument "extra"/],
  ];
  for (const [args, message] of cases) {
    const run = await runCliIn(dir, ["kvetch", "reshard", ...config, ...args]);
    assert.is(run.code, 2, args.join(" "));
    assert.match(run.stderr, message);
  }
  const help = await runCliIn(dir, ["kvetch", "reshard", "--help"]);
  assert.is(help.code, 0);
  assert.match(help.stdout, /Usage: graphscale kvetch reshard/);
});

test.run();
