// A redis-server of the test's own, on a free port in a temporary directory: the cache fault tests kill,
// freeze, snapshot and restart it. Never touches the shared Redis the other tests use.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

/** Whether redis-server can be started here. */
export function redisServerInstalled(): boolean {
  const installed = spawnSync("redis-server", ["--version"]).status === 0;
  // Under CI a missing server is a failure, never a skip (the README's rule for integration tests).
  if (!installed && process.env.CI === "true") {
    throw new Error("redis-server is not installed: these tests start their own Redis; `npm run services` installs it");
  }
  return installed;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class OwnRedis {
  private process: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), "graphscale-redis-"));
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (on the same port as before, if it ran before) and waits until it answers. */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir, "--dbfilename", "dump.rdb"];
    const child = spawn("redis-server", args, { stdio: "ignore" });
    this.process = child;
    // If the test process dies first, the server it started (by its process id) goes with it.
    const killOnExit = (): void => void (child.exitCode === null && child.kill("SIGKILL"));
    process.once("exit", killOnExit);
    child.once("exit", () => process.off("exit", killOnExit));
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => undefined);
    try {
      for (let i = 0; i < 200; i++) {
        try {
          if (client.status !== "ready") await client.connect();
          if ((await client.ping()) === "PONG") return;
        } catch {
          client.disconnect();
        }
        await sleep(25);
      }
      throw new Error("the test's own redis-server did not start");
    } finally {
      client.disconnect();
    }
  }

  /** SIGKILL: gone at once, nothing saved. */
  async kill(): Promise<void> {
    const process = this.process;
    this.process = null;
    if (process === null || process.exitCode !== null) return;
    const exited = new Promise((resolve) => process.once("exit", resolve));
    process.kill("SIGKILL");
    await exited;
  }

  /** SIGSTOP: connections stay open, nothing is answered. */
  freeze(): void {
    this.process?.kill("SIGSTOP");
  }

  thaw(): void {
    this.process?.kill("SIGCONT");
  }

  /** SAVE, and keeps a copy of the snapshot under `name`. */
  async snapshot(name: string): Promise<void> {
    const client = new Redis(this.url);
    try {
      await client.save();
    } finally {
      client.disconnect();
    }
    copyFileSync(join(this.dir, "dump.rdb"), join(this.dir, name));
  }

  /** Kills the server and starts it again on the snapshot kept under `name`. */
  async restartFrom(name: string): Promise<void> {
    await this.kill();
    copyFileSync(join(this.dir, name), join(this.dir, "dump.rdb"));
    await this.start();
  }

  async close(): Promise<void> {
    this.thaw();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The sum of round-trip counters (per node or per shard). */
export const sum = (counts: Record<string, number> | number[]): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** Polls `check` every 25 ms until it holds, for at most 10 s. */
export async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}
