// A second OS process holding its own Kvetch (MySQL shards + Redis) for the cache fault tests: the test
// asks it to read over IPC, so "two processes" is literal. Started with fork(); never writes.

import { fork, type ChildProcess } from "node:child_process";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";

interface Request {
  id: number;
  op: "titles" | "lists" | "health" | "counters" | "checkDeps";
  args: unknown[];
}

/** The other process, seen from the test. */
export class StoreProcess {
  private readonly child: ChildProcess;
  private next = 0;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor(shards: readonly string[], redis: { url: string; keyPrefix: string; breaker?: object }) {
    this.child = fork(new URL(import.meta.url).pathname, ["--child", JSON.stringify({ shards, redis })], { execArgv: ["--import", "tsx"] });
    this.child.on("message", (message: { id: number; result?: unknown; error?: string }) => {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
  }

  private ask<T>(op: Request["op"], ...args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, op, args } satisfies Request);
    });
  }

  /** The `title` of each object (null when missing). */
  titles(ids: readonly string[]): Promise<(string | null)[]> {
    return this.ask("titles", ids);
  }
  /** The target ids of each parent's `user_to_list` edges. */
  lists(userIds: readonly string[]): Promise<string[][]> {
    return this.ask("lists", userIds);
  }
  health(): Promise<{ ok: boolean; status: string; breaker: string }> {
    return this.ask("health");
  }
  /** Counters since the last call: cache round trips (all nodes) and shard queries (all shards). */
  counters(): Promise<{ cache: number; shards: number }> {
    return this.ask("counters");
  }
  checkDeps(deps: Record<string, number>): Promise<string[]> {
    return this.ask("checkDeps", deps);
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.send({ id: -1, op: "close", args: [] });
    await exited;
  }
}

async function serve(config: { shards: string[]; redis: { url: string; keyPrefix: string } }): Promise<void> {
  const kvetch = new Kvetch({ schema: contractSchema, backend: mysqlBackend({ shards: config.shards, redis: config.redis }) });
  const sum = (counts: Record<string, number> | number[]): number => Object.values(counts).reduce((a, b) => a + b, 0);
  // The test process is gone (failed or killed): so is this one.
  process.on("disconnect", () => process.exit(1));
  process.on("message", async (request: Request | { id: -1; op: "close" }) => {
    if (request.op === "close") {
      await kvetch.close();
      process.exit(0);
    }
    const { id, op, args } = request as Request;
    try {
      let result: unknown;
      if (op === "titles") result = (await kvetch.getObjects(args[0] as string[])).map((o) => (o === null ? null : (o.data.title as string)));
      else if (op === "lists") result = (await kvetch.getEdges("user_to_list", args[0] as string[], { verify: false })).map((page) => page!.edges.map((e) => e.toId));
      else if (op === "health") result = (await kvetch.health()).cache;
      else if (op === "checkDeps") result = await kvetch.checkDeps(args[0] as Record<string, number>);
      else {
        result = { cache: sum(kvetch.counters.cacheRoundTrips), shards: sum(kvetch.counters.shardQueries) };
        kvetch.resetCounters();
      }
      process.send!({ id, result });
    } catch (error) {
      process.send!({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
}

if (process.argv[2] === "--child") await serve(JSON.parse(process.argv[3]!));
