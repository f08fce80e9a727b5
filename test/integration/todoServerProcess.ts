// The example HTTP server (examples/server) serving the todo schema from its own OS process, on MySQL shards
// and a Redis given by the test: the load tests start two and send their clients' requests to both, so
// "two processes serving" is literal. Started with fork(); tells its URL over IPC, stops when told or when
// the test process is gone.

import { fork, type ChildProcess } from "node:child_process";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema } from "../../examples/todo/schema.js";
import { createServer } from "../../examples/server/server.js";

export interface TodoServerConfig {
  shards: readonly string[];
  redis: { url: string; keyPrefix: string };
  /** The example server's requestTimeoutMs (its default 10,000 ms when absent). */
  requestTimeoutMs?: number;
  /** mysqlBackend's queueTimeoutMs (its default when absent). */
  queueTimeoutMs?: number;
}

/** The serving process, seen from the test. */
export class TodoServerProcess {
  private readonly child: ChildProcess;
  /** "http://127.0.0.1:PORT" once started. */
  readonly url: Promise<string>;

  constructor(config: TodoServerConfig) {
    this.child = fork(new URL(import.meta.url).pathname, ["--child", JSON.stringify(config)], { execArgv: ["--import", "tsx"] });
    this.url = new Promise((resolve, reject) => {
      this.child.once("message", (message: { url: string }) => resolve(message.url));
      this.child.once("exit", (code) => reject(new Error(`the todo server process exited with ${code} before it served`)));
    });
  }

  /** GET /healthz: the store's health (`cache.ok` once it uses Redis). */
  async health(): Promise<{ ok: boolean; cache: { ok: boolean; status: string; breaker: string } }> {
    return (await fetch(`${await this.url}/healthz`)).json() as Promise<{ ok: boolean; cache: { ok: boolean; status: string; breaker: string } }>;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.send("close");
    await exited;
  }
}

async function serve(config: TodoServerConfig): Promise<void> {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: config.shards, redis: config.redis, queueTimeoutMs: config.queueTimeoutMs }) });
  // Every pooled connection opened before the load (10 pings at once per shard, until all answer): the load
  // starts on a cold cache, not on cold pools whose first connections a busy machine may not open in time.
  for (let attempt = 0; ; attempt++) {
    const reports = await Promise.all(Array.from({ length: 10 }, () => kvetch.health()));
    if (reports.every((report) => report.shards.every((shard) => shard.ok))) break;
    if (attempt === 20) throw new Error("the todo server process could not open its shard connections");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const running = await createServer({ schema: todoSchema, contextFactory: () => ({ kvetch }), port: 0, requestTimeoutMs: config.requestTimeoutMs, health: () => kvetch.health() });
  // The test process is gone (failed or killed): so is this one.
  process.on("disconnect", () => process.exit(1));
  process.on("message", async (message: unknown) => {
    if (message !== "close") return;
    await running.close();
    await kvetch.close();
    process.exit(0);
  });
  process.send!({ url: running.url });
}

if (process.argv[2] === "--child") await serve(JSON.parse(process.argv[3]!) as TodoServerConfig);
