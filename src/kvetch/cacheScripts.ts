// The Redis cache tier's Lua scripts (each runs atomically on one slot), the client shape of their commands,
// the generation token a read hands to fillCache, a Cluster's GET per key (its keys span slots), and one
// node's MGET without ioredis's copy of its keys, its RESP text made in one join and its timeout kept by
// ReadTimeouts (mgetStrings, mgetText).

import type * as IORedis from "ioredis";
import type { Cluster, Redis } from "ioredis";
import { ReadTimeouts } from "./cacheTimeouts.js";
import { loadOptionalPeer } from "./optionalPeer.js";

// fillCache: write the value only if the generation is still the one read with the miss (and, on one node,
// the write counter has not gone below the one read with it: a restore in between is not filled over).
export const FILL_SCRIPT = `local g = redis.call('GET', KEYS[2])
if (g or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`;
export const FILL_COUNTED_SCRIPT = `if tonumber(redis.call('GET', KEYS[3]) or '0') < tonumber(ARGV[4]) then return 0 end
${FILL_SCRIPT}`;

// invalidateCache: bump the generation (so in-flight refills fail), drop every field of the entry, and bump
// its dependency version (never expires: a version that vanished could come back equal to one a client holds).
export const INVALIDATE_SCRIPT = `redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('INCR', KEYS[4])
return 1`;

export type ScriptClient = {
  kvetchFill(valueKey: string, genKey: string, gen: string, value: string, ttl: number): Promise<number>;
  kvetchFillCounted(valueKey: string, genKey: string, counterKey: string, gen: string, value: string, ttl: number, counter: string): Promise<number>;
  kvetchInvalidate(genKey: string, valueKey: string, countKey: string, versionKey: string, genTtl: number): Promise<number>;
  publish(channel: string, message: string): unknown;
};

/** The gen token fillCache gets back: `<connection>/<write counter>/<generation>`. */
export function genToken(incarnation: number, counter: string, gen: string): string {
  return `${incarnation}/${counter}/${gen}`;
}

/** One GET per key in one pipeline (a Cluster's MGET must stay in one slot); a failed GET throws. */
export async function mgetEach(client: Redis | Cluster, keys: string[]): Promise<(string | null)[]> {
  const pipeline = client.pipeline();
  for (const key of keys) pipeline.get(key);
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply as string | null;
  });
}

/** An MGET command class: ioredis's Command with its RESP text written by mgetText (made once ioredis is loaded). */
type MgetCommand = new (keys: string[]) => IORedis.Command;
let mgetCommand: MgetCommand | undefined;

function mgetCommandClass(): MgetCommand {
  if (mgetCommand !== undefined) return mgetCommand;
  const Command = loadOptionalPeer<typeof IORedis>("ioredis", "ioredis").Command;
  // ioredis's own Script command overrides toWritable the same way.
  mgetCommand = class extends Command {
    constructor(keys: string[]) {
      super("mget", [], { replyEncoding: "utf8" });
      this.args = keys;
    }
    override toWritable(): string {
      return mgetText(this.args as string[]);
    }
    /** The client's command timeout, kept by ReadTimeouts instead of a timer of the command's own. */
    override setTimeout(ms: number): void {
      readTimeoutsFor(ms).watch(this);
    }
  };
  return mgetCommand;
}

/** One ReadTimeouts per command timeout (the cache's connections all use one). */
const readTimeouts = new Map<number, ReadTimeouts>();

function readTimeoutsFor(ms: number): ReadTimeouts {
  let timeouts = readTimeouts.get(ms);
  if (timeouts === undefined) readTimeouts.set(ms, (timeouts = new ReadTimeouts(ms)));
  return timeouts;
}

/**
 * spec: mgetStrings — one MGET of `keys` on one node, its replies as strings (null for a missing key): what
 * `client.mget(keys)` sends and answers. ioredis's `mget` copies its arguments with `Array.prototype.flat`,
 * which on Node 20 costs about 120 ns a key (12.8 µs for a 104-key read, more than building the keys); the
 * command is made with no arguments and handed the key list itself, which ioredis then only reads. Its RESP
 * text is written by mgetText; its command timeout is kept by ReadTimeouts, not by a timer of its own.
 */
export function mgetStrings(client: Redis, keys: string[]): Promise<(string | null)[]> {
  return client.sendCommand(new (mgetCommandClass())(keys)) as Promise<(string | null)[]>;
}

/** `$<n>` for byte lengths below LENGTH_HEADS_KEPT, made once each. */
const LENGTH_HEADS_KEPT = 1024;
const lengthHeads: string[] = [];

function lengthHead(bytes: number): string {
  if (bytes >= LENGTH_HEADS_KEPT) return `$${bytes}`;
  return (lengthHeads[bytes] ??= `$${bytes}`);
}

/**
 * spec: mgetText — the RESP text of `MGET keys…`, byte for byte what ioredis's Command writes for it, made
 * with one join: ioredis appends five strings per argument to a growing string (each `+` a new heap string,
 * flattened when written), 26 KB of heap for a 106-key read's 7.5 KB text on Node 20 (11 KB made here).
 * Keys are counted in characters and the text's UTF-8 length checked once: equal only when every key is
 * ASCII (as Kvetch's are unless its key prefix is not), otherwise each key's bytes are counted and the text
 * joined again.
 */
export function mgetText(keys: readonly string[]): string {
  const n = keys.length;
  const parts = new Array<string>(2 * n + 2);
  parts[0] = `*${n + 1}\r\n$4\r\nmget`;
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    parts[2 * i + 1] = lengthHead(key.length);
    parts[2 * i + 2] = key;
  }
  parts[2 * n + 1] = "";
  const text = parts.join("\r\n");
  if (Buffer.byteLength(text) === text.length) return text;
  for (let i = 0; i < n; i++) parts[2 * i + 1] = lengthHead(Buffer.byteLength(keys[i]!));
  return parts.join("\r\n");
}
