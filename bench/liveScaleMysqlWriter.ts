// The writer OS process of the MySQL + Redis live-scale scenario (bench/liveScaleMysql.ts): its own Kvetch on
// the same 4 shard databases and Redis key prefix as the live process, so each of its writes reaches the live
// process only through the Redis announcement. Started with fork(); driven over IPC:
//
// - `{ op: "ready" }` → `{ ready: true }` once its store is open and its cache connected;
// - `{ op: "writes", items, perSecond, seconds }` → W writes a second, each an item's text, for the given
//   seconds (or until every item was written once): write i at start + i/W ms, on the items in the order
//   given (each item written at most once, so a text shown is never overwritten before it can show). The
//   text is `w<i>@<stamp>`, `stamp` the wall-clock milliseconds (this machine's clock, shared with the live
//   process) right before the write started. Answers `{ done: { writes, failed, lateStarts, committed } }`,
//   lateStarts counting writes that started more than 100 ms after their slot (the writer itself fell
//   behind), committed when each write's call returned;
// - `{ op: "invalidate", keys }` → one invalidateDependency call naming all the keys → `{ invalidated: n }`;
// - `{ op: "close" }` closes the store and exits.

import { Kvetch, mysqlBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema } from "../examples/todo/schema.js";

export interface WriterConfig {
  shards: string[];
  redis: { url: string; keyPrefix: string };
}

export type WriterRequest =
  | { op: "ready" }
  | { op: "writes"; items: string[]; perSecond: number; seconds: number }
  | { op: "invalidate"; keys: string[] }
  | { op: "close" };

export interface WritesDone {
  writes: number;
  failed: number;
  lateStarts: number;
  /** When each write's call returned (wall clock, ms; null when it failed): its commit and Redis round trip done. */
  committed: Array<number | null>;
}

/** Milliseconds on the wall clock, sub-millisecond precision, comparable across processes of one machine. */
export const wallClock = (): number => performance.timeOrigin + performance.now();

/** The text write `i` stamped at `stamp` writes; liveTextStamp reads it back. */
export const liveText = (i: number, stamp: number): string => `w${i}@${stamp.toFixed(3)}`;

const TEXT = /^w(\d+)@(\d+\.\d+)$/;

/** The write index and stamp of a text liveText wrote, or null for any other text. */
export function liveTextStamp(text: unknown): { i: number; stamp: number } | null {
  const m = typeof text === "string" ? TEXT.exec(text) : null;
  return m === null ? null : { i: Number(m[1]), stamp: Number(m[2]) };
}

async function runWrites(kvetch: Kvetch, items: readonly string[], perSecond: number, seconds: number): Promise<WritesDone> {
  const total = Math.min(items.length, Math.round(perSecond * seconds));
  const start = wallClock();
  const pending: Promise<void>[] = [];
  let failed = 0;
  let lateStarts = 0;
  const committed = new Array<number | null>(total).fill(null);
  for (let i = 0; i < total; i++) {
    const slot = start + (i * 1000) / perSecond;
    const wait = slot - wallClock();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const stamp = wallClock();
    if (stamp - slot > 100) lateStarts++;
    // Writes overlap when one takes longer than its slot: the rate is held, not the order of completions.
    pending.push(
      kvetch.updateObject("TodoItem", items[i]!, { text: liveText(i, stamp) }).then(
        () => void (committed[i] = wallClock()),
        () => void failed++,
      ),
    );
  }
  await Promise.all(pending);
  return { writes: total, failed, lateStarts, committed };
}

async function child(config: WriterConfig): Promise<void> {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: config.shards, redis: config.redis }) });
  const send = (message: unknown) => process.send!(message);
  process.on("message", (request: WriterRequest) => {
    void (async () => {
      try {
        if (request.op === "ready") {
          await kvetch.getObjects(["00000000-0000-7000-8000-000000000000"]);
          send({ ready: true });
        } else if (request.op === "writes") {
          send({ done: await runWrites(kvetch, request.items, request.perSecond, request.seconds) });
        } else if (request.op === "invalidate") {
          await kvetch.invalidateDependency(...request.keys);
          send({ invalidated: request.keys.length });
        } else {
          await kvetch.close();
          process.exit(0);
        }
      } catch (error) {
        send({ error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  process.once("disconnect", () => void kvetch.close().finally(() => process.exit(0))); // the live process is gone
  send({ started: true });
}

if (process.argv[2] === "--child") await child(JSON.parse(process.argv[3]!) as WriterConfig);
