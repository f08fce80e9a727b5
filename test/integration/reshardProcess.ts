// Another OS process holding its own Kvetch on the bucket-move tests' MySQL shards (and Redis, when given):
// it serves reads and writes over IPC with the map it opened with, or runs a reshard that stops at a journal
// phase (GRAPHSCALE_TEST_STOP_AT) and tells the test so — waiting there to be SIGKILLed. Started with fork().

import { fork, type ChildProcess } from "node:child_process";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import type { KvetchData, ReshardReport } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { moveSchema } from "../kvetch/reshardLoad.js";

export interface ProcessConfig {
  shards: string[];
  redis?: { url: string; keyPrefix: string };
  /** reshard: run a move with these options; serve: answer requests. */
  mode: "serve" | "reshard";
  reshard?: { remove?: number[]; batchSize?: number; reverse?: boolean };
}

type Op = "getObjects" | "updateObject" | "ranges" | "open";

interface Request {
  id: number;
  op: Op;
  args: unknown[];
}

/** The other process, seen from the test. */
export class ReshardProcess {
  readonly child: ChildProcess;
  private next = 0;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  /** The phase a stopping reshard reached (it waits there), or its report. */
  readonly stopped: Promise<string>;
  readonly finished: Promise<ReshardReport>;
  readonly exited: Promise<number | null>;

  constructor(config: ProcessConfig, stopAt?: string) {
    this.child = fork(new URL(import.meta.url).pathname, ["--child", JSON.stringify(config)], {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, GRAPHSCALE_TEST_STOP_AT: stopAt ?? "" },
    });
    let stop!: (phase: string) => void;
    let finish!: (report: ReshardReport) => void;
    let fail!: (error: Error) => void;
    this.stopped = new Promise((resolve) => (stop = resolve));
    this.finished = new Promise((resolve, reject) => ([finish, fail] = [resolve, reject]));
    this.finished.catch(() => undefined);
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
    this.child.on("message", (message: { id?: number; result?: unknown; error?: string; stoppedAt?: string; report?: ReshardReport; failed?: string }) => {
      if (message.stoppedAt !== undefined) return stop(message.stoppedAt);
      if (message.report !== undefined) return finish(message.report);
      if (message.failed !== undefined) return fail(new Error(message.failed));
      const waiter = this.waiting.get(message.id!);
      this.waiting.delete(message.id!);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
  }

  private ask<T>(op: Op, ...args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, op, args } satisfies Request);
    });
  }

  open(): Promise<void> {
    return this.ask("open");
  }
  /** Each object's data (null when missing), read through the cache when it has one. */
  getObjects(ids: readonly string[]): Promise<(KvetchData | null)[]> {
    return this.ask("getObjects", ids);
  }
  updateObject(id: string, patch: KvetchData): Promise<KvetchData> {
    return this.ask("updateObject", id, patch);
  }
  /** The bucket ranges this process places by (positions in its configured list). */
  ranges(): Promise<{ first: number; last: number; shard: number }[]> {
    return this.ask("ranges");
  }

  kill(): Promise<number | null> {
    this.child.kill("SIGKILL");
    return this.exited;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.send({ id: -1, op: "close", args: [] });
    await this.exited;
  }
}

async function serve(config: ProcessConfig): Promise<void> {
  const kvetch = new Kvetch({ schema: moveSchema, backend: mysqlBackend({ shards: config.shards, redis: config.redis, poolSize: 2 }) });
  // The test process is gone (failed or killed): so is this one.
  process.on("disconnect", () => process.exit(1));
  process.on("message", async (request: Request | { id: -1; op: "close" }) => {
    if (request.op === "close") {
      await kvetch.close();
      process.exit(0);
    }
    const { id, op, args } = request as Request;
    try {
      let result: unknown = null;
      if (op === "open") await kvetch.open();
      else if (op === "getObjects") result = (await kvetch.getObjects(args[0] as string[])).map((o) => (o === null ? null : o.data));
      else if (op === "updateObject") result = (await kvetch.updateObject("TodoItem", args[0] as string, args[1] as KvetchData)).data;
      else result = kvetch.shardMap.ranges.map(({ first, last, shard }) => ({ first, last, shard }));
      process.send!({ id, result });
    } catch (error) {
      process.send!({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  if (config.mode !== "reshard") return;
  const stopAt = process.env.GRAPHSCALE_TEST_STOP_AT;
  kvetchTestHooks(kvetch).afterMoveJournal = async (phase) => {
    if (phase !== stopAt) return;
    process.send!({ stoppedAt: phase });
    await new Promise(() => undefined); // held here until the test kills this process
  };
  try {
    const report = await kvetch.reshard(config.reshard ?? {});
    process.send!({ report });
  } catch (error) {
    process.send!({ failed: error instanceof Error ? error.message : String(error) });
  }
}

if (process.argv[2] === "--child") await serve(JSON.parse(process.argv[3]!));
