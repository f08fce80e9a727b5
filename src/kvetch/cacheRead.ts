// The single-node cache read (spec/kvetch-storage.md §7.2, readNode): one MGET of the batch's value keys with
// the write counter and the epoch; only when some values missed, a second MGET of those entries' generation
// keys (with the counter and the epoch again), before the caller reads the shards. A warm read sends no
// generation key: the generation guards a refill, and a hit is never refilled.

import type { Redis } from "ioredis";
import { epochKey } from "./cacheFlush.js";
import { writeCounterKey } from "./cacheIdentity.js";
import type { CacheLink } from "./cacheLink.js";
import { genToken, mgetStrings } from "./cacheScripts.js";
import { coalesceWrites } from "./cacheWrites.js";
import { noteCacheRead } from "./tracing.js";

/** The field of a cache entry: the value (object, edge list, index list) or an edge count. */
export type CacheField = "v" | "n";

/**
 * What one batch read returned: `values[i]` null on a miss; `gens[i]` null on a hit or when no refill is
 * allowed, otherwise (a miss that may be refilled) an opaque token (the connection, the write counter and the
 * generation the read saw) for fillCache.
 */
export interface CacheRead {
  values: (string | null)[];
  gens: (string | null)[];
}

/** What readNode needs of the cache: its one node's client, key prefix and link, and its round-trip counter. */
export interface NodeReader {
  readonly client: Redis;
  readonly prefix: string;
  readonly link: CacheLink;
  count(node: string): void;
}

/**
 * spec: readNode — readCache on one node. Values first: `n + 2` keys (each entry's value, the write counter,
 * the epoch). Entries that missed then get their generation read, in a round trip of its own that ends before
 * the shards are read (a refill only has to see the generation from before its shard read). A failed round
 * trip counts toward the breaker and leaves what it would have read as misses that are not refilled; a read
 * whose counter or epoch went backwards (a replaced Redis) answers null, as does one across a reconnect.
 */
export async function readNode(reader: NodeReader, node: string, tags: readonly string[], field: CacheField): Promise<CacheRead | null> {
  const { link } = reader;
  reader.count(node);
  const floor = link.clock.floor();
  const incarnation = link.incarnation;
  const n = tags.length;
  const values = new Array<string | null>(n).fill(null);
  const gens = new Array<string | null>(n).fill(null);
  const keys = new Array<string>(n + 2);
  const open = `${reader.prefix}{`;
  const valueEnd = `}:${field}`;
  for (let i = 0; i < n; i++) keys[i] = open + tags[i]! + valueEnd;
  keys[n] = writeCounterKey(reader.prefix);
  keys[n + 1] = epochKey(reader.prefix);
  coalesceWrites(reader.client); // the tick's reads leave in one socket write
  let missed = 0;
  try {
    const replies = await mgetStrings(reader.client, keys);
    link.breaker.succeeded();
    if (link.observe(floor, replies[n] ?? "0", replies[n + 1] ?? null)) {
      for (let i = 0; i < n; i++) {
        const value = replies[i] ?? null;
        if (value !== null) values[i] = value;
        else missed++;
      }
    }
  } catch (error) {
    // the node failed: all entries are misses that may not be refilled
    link.breaker.failed(error);
  }
  if (missed > 0 && incarnation === link.incarnation) await readGenerations(reader, node, tags, values, gens, missed);
  if (incarnation !== link.incarnation) return null;
  noteCacheRead(values);
  return { values, gens };
}

/** The generation tokens of the `missed` entries whose value is null, in one MGET; on failure they stay null. */
async function readGenerations(
  reader: NodeReader,
  node: string,
  tags: readonly string[],
  values: readonly (string | null)[],
  gens: (string | null)[],
  missed: number,
): Promise<void> {
  const { link } = reader;
  reader.count(node);
  const floor = link.clock.floor();
  const incarnation = link.incarnation;
  const at = new Int32Array(missed);
  const keys = new Array<string>(missed + 2);
  const open = `${reader.prefix}{`;
  for (let i = 0, m = 0; i < tags.length; i++) {
    if (values[i] !== null) continue;
    at[m] = i;
    keys[m++] = `${open}${tags[i]!}}:g`;
  }
  keys[missed] = writeCounterKey(reader.prefix);
  keys[missed + 1] = epochKey(reader.prefix);
  coalesceWrites(reader.client);
  try {
    const replies = await mgetStrings(reader.client, keys);
    link.breaker.succeeded();
    const counter = replies[missed] ?? "0";
    if (!link.observe(floor, counter, replies[missed + 1] ?? null)) return;
    for (let m = 0; m < missed; m++) gens[at[m]!] = genToken(incarnation, counter, replies[m] ?? "");
  } catch (error) {
    link.breaker.failed(error);
  }
}
