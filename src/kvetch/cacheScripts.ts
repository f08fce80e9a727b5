// The Redis cache tier's Lua scripts (each runs atomically on one slot), the client shape of their commands,
// the generation token a read hands to fillCache, a Cluster's GET per key (its keys span slots), and one
// node's MGET without ioredis's copy of its keys (mgetStrings).

import type * as IORedis from "ioredis";
import type { Cluster, Redis } from "ioredis";
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

let commandClass: typeof IORedis.Command | undefined;

/**
 * spec: mgetStrings — one MGET of `keys` on one node, its replies as strings (null for a missing key): what
 * `client.mget(keys)` sends and answers. ioredis's `mget` copies its arguments with `Array.prototype.flat`,
 * which on Node 20 costs about 120 ns a key (12.8 µs for a 104-key read, more than building the keys); the
 * command is made with no arguments and handed the key list itself, which ioredis then only reads.
 */
export function mgetStrings(client: Redis, keys: string[]): Promise<(string | null)[]> {
  const Command = (commandClass ??= loadOptionalPeer<typeof IORedis>("ioredis", "ioredis").Command);
  const command = new Command("mget", [], { replyEncoding: "utf8" });
  command.args = keys;
  return client.sendCommand(command) as Promise<(string | null)[]>;
}
