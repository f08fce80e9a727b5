// Coalesced cache writes (spec/kvetch-storage.md §7.2): the reads of concurrent requests issued in one tick
// leave for Redis in one socket write. Each read command would otherwise be one write system call of its own:
// under load, when one socket read hands Redis's replies to many waiting requests at once, each request's next
// read follows in the same tick, and their writes were the largest part of the cache's CPU cost. The socket is
// corked at the first read of a tick and uncorked by a process.nextTick callback (the idiom of Node's stream
// docs; called from a promise job, that is once the promise jobs queued so far have run): commands keep their order on the connection, so a read of the write counter
// sent before a data read is still answered first, and no command waits for a later event.

import type { Cluster, Redis } from "ioredis";

/** The part of a socket coalescing needs (node:net's Socket). */
interface CorkableStream {
  writable: boolean;
  cork(): void;
  uncork(): void;
}

/** Sockets corked by coalesceWrites until the end of the current tick. */
const corked = new WeakSet<CorkableStream>();

/**
 * spec: coalesceWrites — corks the client's connection (one Redis node; a Cluster client is left alone, its pipelines
 * already batch per node) until the end of the current tick, so every command sent before then goes out in one
 * write. Call it before sending a read.
 */
export function coalesceWrites(client: Redis | Cluster): void {
  const stream = (client as Partial<Redis>).stream as CorkableStream | undefined;
  if (stream === undefined || corked.has(stream) || !stream.writable || typeof stream.cork !== "function") return;
  corked.add(stream);
  stream.cork();
  process.nextTick(uncork, stream);
}

function uncork(stream: CorkableStream): void {
  corked.delete(stream);
  stream.uncork();
}
