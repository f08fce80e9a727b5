// `graphscale kvetch migrate|repair|stats` run as a process (through the TypeScript loader) against the
// MySQL test databases of this run: config from the environment and from a file, progress on stderr,
// resumable repair. Usage errors and config modules need no server: test/kvetch/cli.test.ts.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { contractSchema, kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { TEST_DATABASES, dropDatabases, serversUp, shardUrls } from "./kvetch-servers.js";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "src/kvetch/cli.ts");
const schemaModule = join(root, "src/kvetch/testing/contractSchema.ts");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string> = {}, cwd = root): Promise<Run> {
  return new Promise((resolve) => {
    const clean = { ...process.env };
    for (const name of Object.keys(clean)) if (name.startsWith("GRAPHSCALE_")) delete clean[name];
    const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], { cwd, env: { ...clean, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

if (await serversUp("test/integration/kvetch-cli.test.ts", { mysql: true })) {
  const shards = shardUrls();
  const env = { GRAPHSCALE_SHARDS: shards.join(","), GRAPHSCALE_SCHEMA: schemaModule };
  const it = suite<{ dir: string }>("graphscale kvetch (cli)", { dir: "" });

  it.before(async (context) => {
    await dropDatabases();
    context.dir = mkdtempSync(join(tmpdir(), "graphscale-cli-"));
  });
  it.after(async ({ dir }) => {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabases();
  });

  it("migrate creates the databases and tables on every shard, and can run again", async () => {
    for (let i = 0; i < 2; i++) {
      const run = await runCli(["kvetch", "migrate"], env);
      assert.is(run.code, 0, run.stderr);
      assert.is(run.stdout.trim().split("\n").length, 5);
      // the configured schema recorded once: the second run finds it unchanged (spec/kvetch-storage.md §2.5)
      assert.match(run.stdout, /^schema lock version 1$/m);
      assert.match(run.stdout, `migrated shard 3 (127.0.0.1:3306/${TEST_DATABASES[3]})`);
      // the first run creates the installation; the second finds it and writes no new map version
      assert.match(run.stdout, /^migrated shard 3 \([^)]*\): stored shard id 3 of installation [0-9a-f]{8}, shard map version 1$/m);
    }
    const stats = await runCli(["kvetch", "stats"], env);
    assert.is(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /^total\s+0\s+0\s+0$/m);
  });

  it("a failing shard is reported by name, without credentials", async () => {
    const run = await runCli(["kvetch", "stats"], { GRAPHSCALE_SHARDS: "mysql://root:secret@127.0.0.1:3306/graphscale_no_such_db" });
    assert.is(run.code, 1);
    // The open check's read of the shard's topology is the first call that reaches it.
    assert.match(run.stderr, "Kvetch: shard 0 failed in readTopology");
    assert.match(run.stderr, "cause: shard 0 (127.0.0.1:3306/graphscale_no_such_db) readTopology");
    assert.not.match(run.stderr, "secret");
  });

  it("repair heals interrupted writes, prints progress to stderr and the report to stdout; stats counts rows", async ({ dir }) => {
    const kvetch = new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards }) });
    try {
      const users = await kvetch.createObjects(Array.from({ length: 40 }, (_, i) => ({ type: "User", data: { username: `c${i}` } })));
      kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
        throw new Error("crash");
      };
      await kvetch.createObjects(users.map((u) => ({ type: "TodoList", data: { userId: u.id } }))).catch(() => undefined);
    } finally {
      await kvetch.close();
    }
    const config = join(dir, "kvetch.config.json");
    writeFileSync(config, JSON.stringify({ shards, schema: schemaModule }));
    const checkpoint = join(dir, "repair.checkpoint.json");
    const run = await runCli(["kvetch", "repair", "--config", config, "--checkpoint", checkpoint, "--batch-size", "7"]);
    assert.is(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout), { scanned: 80, checked: 80, edgesAdded: 40, edgesRemoved: 0, indexAdded: 0, indexRemoved: 0 });
    assert.match(run.stderr, "repair: objects shard 1/4");
    assert.match(run.stderr, "repair: index shard 4/4 (+40/-0 edges, +0/-0 index entries)");
    assert.not.ok(existsSync(checkpoint), "the checkpoint file is removed when the repair finishes");
    const stats = await runCli(["kvetch", "stats", "--config", config]);
    assert.match(stats.stdout, /^total\s+80\s+40\s+40$/m);
  });

  it("repair resumes from its checkpoint file and adds the totals of the earlier run", async ({ dir }) => {
    const kvetch = new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards }) });
    let partial;
    try {
      const lists = await kvetch.createObjects(Array.from({ length: 10 }, () => ({ type: "TodoList", data: {} })));
      kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
        throw new Error("crash");
      };
      await kvetch.createObjects(lists.map((l) => ({ type: "Todo", data: { listId: l.id, status: "open" } }))).catch(() => undefined);
      delete kvetchTestHooks(kvetch).afterCanonicalWrite;
      partial = await kvetch.repair({ batchSize: 5, maxBatches: 4 });
    } finally {
      await kvetch.close();
    }
    assert.ok(partial.checkpoint !== null);
    const checkpoint = join(dir, "resume.checkpoint.json");
    const { checkpoint: at, ...report } = partial;
    writeFileSync(checkpoint, JSON.stringify({ checkpoint: at, report }));
    const run = await runCli(["kvetch", "repair", "--checkpoint", checkpoint, "--batch-size", "5"], env);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stderr, `repair: resuming from ${checkpoint} (${at!.phase}, shard ${at!.shard})`);
    const total = JSON.parse(run.stdout);
    assert.is(total.scanned, 80 + 20, "every object scanned once across the two runs");
    assert.is(total.edgesAdded, 10);
    assert.is(total.indexAdded, 10);
    assert.not.ok(existsSync(checkpoint));
  });

  it.run();
}
