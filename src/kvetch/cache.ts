// The Redis cache tier (one node or a Cluster): batch reads with one round trip per node, generation-checked
// refills, and invalidation after every write. A cache that is down or behind is a miss, never an error and
// never a wait; it must never serve a value older than the last write this process made (see spec: syncCache).

import { Cluster, Redis } from "./optionalPeer.js";
import type { KvetchCounters, RedisConfig } from "./backend.js";
import { epochKey, flushPrefix } from "./cacheFlush.js";
import { KvetchError } from "./errors.js";

/** Cache tags: one per object, per (edge, parent) list and per (index, value) list. */
export function objectTag(id: string): string {
  return `o:${id}`;
}
export function edgeListTag(edgeId: number, fromId: string): string {
  return `e:${edgeId}:${fromId}`;
}
export function indexListTag(indexId: number, valueHash: string): string {
  return `i:${indexId}:${valueHash}`;
}

/** The field of a cache entry: the value (object, edge list, index list) or an edge count. */
export type CacheField = "v" | "n";

/** What one batch read returned: `values[i]` null on a miss; `gens[i]` null when no refill is allowed. */
export interface CacheRead {
  values: (string | null)[];
  gens: (string | null)[];
}

// fillCache: write the value only if the generation is still the one read with the miss.
const FILL_SCRIPT = `local g = redis.call('GET', KEYS[2])
if (g or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`;

// invalidateCache: bump the generation (so in-flight refills fail), drop every field of the entry, and bump
// its dependency version (never expires: a version that vanished could come back equal to one a client holds).
const INVALIDATE_SCRIPT = `redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('INCR', KEYS[4])
return 1`;

/** The cache's state for health reports (no host or port). */
export interface CacheHealth {
  ok: boolean;
  /** The client's connection status ("ready", "connecting", "reconnecting", "end", …). */
  status: string;
  /** Invalidations remembered while Redis was unreachable (the cache is not used until they are applied). */
  pendingInvalidations: number;
}

/** What the Redis hub is told about this instance's own announcements (spec/reactivity.md, "A writer's own listeners"). */
export interface LocalAnnouncements {
  /** Right before an announcement is sent (its echo on the subscription may come before the reply). */
  sending(message: string): void;
  /** The announcement was not confirmed: its echo is not to be expected. */
  unconfirmed(message: string): void;
  /** After each invalidation this instance made, applied or remembered: its own listeners are told. */
  invalidated(tags: readonly string[]): void;
}

/** More failed invalidations than this and the whole key prefix is flushed instead (see syncCache). */
const PENDING_CAP = 10_000;

/** A version is epoch × EPOCH_STEP + the tag's own count: a flush (epoch + 1) moves every version at once. */
const EPOCH_STEP = 2 ** 32;

/** The tag whose slot holds the epoch key (`<prefix>{epoch}:e`). */
const EPOCH_TAG = "epoch";

type ScriptClient = {
  kvetchFill(valueKey: string, genKey: string, gen: string, value: string, ttl: number): Promise<number>;
  kvetchInvalidate(genKey: string, valueKey: string, countKey: string, versionKey: string, genTtl: number): Promise<number>;
  publish(channel: string, message: string): unknown;
};

/** CRC16/XMODEM, the function Redis Cluster maps keys to its 16384 slots with. */
function crc16(text: string): number {
  const bytes = Buffer.from(text, "utf8");
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]! << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export class RedisCache {
  readonly listCap: number;
  private readonly ttl: number;
  private readonly prefix: string;
  private readonly client: Redis | Cluster;
  private readonly singleNode: string | null;
  private readonly pending = new Set<string>();
  private overflowed = false;
  private syncing: Promise<boolean> | null = null;
  private closed = false;
  /** Set by the Redis hub that listens to this cache's announcements. */
  local: LocalAnnouncements | null = null;

  constructor(
    config: RedisConfig,
    private readonly counters: KvetchCounters,
  ) {
    this.prefix = config.keyPrefix ?? "kvetch:";
    this.listCap = config.listCap ?? 100;
    this.ttl = config.ttlSeconds ?? 3600;
    if (!Number.isInteger(this.listCap) || this.listCap < 1) {
      throw new KvetchError("BAD_CONFIG", `redis.listCap must be a positive integer, got ${config.listCap}`);
    }
    if (!Number.isInteger(this.ttl) || this.ttl < 1) {
      throw new KvetchError("BAD_CONFIG", `redis.ttlSeconds must be a positive integer, got ${config.ttlSeconds}`);
    }
    // Fail fast instead of queueing: a down cache must cost a miss, not a wait.
    const options = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1000,
      commandTimeout: 1000,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times: number) => Math.min(times * 100, 1000),
    };
    if ("cluster" in config) {
      if (!Array.isArray(config.cluster) || config.cluster.length === 0) {
        throw new KvetchError("BAD_CONFIG", `redis.cluster must list at least one "host:port" seed node`);
      }
      this.client = new Cluster(config.cluster.map(String), {
        enableOfflineQueue: false,
        clusterRetryStrategy: (times: number) => Math.min(times * 100, 1000),
        redisOptions: options,
      });
      this.singleNode = null;
    } else {
      if (typeof config.url !== "string") {
        throw new KvetchError("BAD_CONFIG", `redis.url must be a redis:// URL, e.g. "redis://127.0.0.1:6379"`);
      }
      const client = new Redis(config.url, options);
      this.client = client;
      this.singleNode = `${client.options.host ?? "127.0.0.1"}:${client.options.port ?? 6379}`;
    }
    this.client.defineCommand("kvetchFill", { numberOfKeys: 2, lua: FILL_SCRIPT });
    this.client.defineCommand("kvetchInvalidate", { numberOfKeys: 4, lua: INVALIDATE_SCRIPT });
    // Connection errors surface as misses; without a listener ioredis would print each one.
    this.client.on("error", () => undefined);
    this.client.on("ready", () => {
      if (this.pending.size > 0 || this.overflowed) void this.ready();
    });
  }

  /** The pub/sub channel every write of this key prefix announces its tags on. */
  get channel(): string {
    return `${this.prefix}invalidations`;
  }

  /** A second connection for SUBSCRIBE (a subscribed connection can send nothing else). */
  duplicate(): Redis | Cluster {
    return this.client.duplicate();
  }

  /**
   * spec: ReadVersions — the dependency version of each tag (0 when never bumped), one MGET per node. Sent on
   * the same connection as, and before, the data read it guards, so Redis answers it first.
   */
  async readVersions(tags: readonly string[]): Promise<number[]> {
    const out = new Array<number>(tags.length).fill(0);
    if (tags.length === 0) return out;
    if (this.closed || this.client.status !== "ready") {
      throw new KvetchError("SHARD_UNAVAILABLE", "Kvetch: the version store (Redis) is unavailable; dependency versions cannot be read");
    }
    // The epoch rides along with the keys of the node that serves it (its own round trip only if none does).
    const groups = this.groupByNode([...tags, EPOCH_TAG]);
    if (groups === null) throw new KvetchError("SHARD_UNAVAILABLE", "Kvetch: the version store (Redis Cluster) has no slot map yet");
    let epoch = 0;
    const work: Promise<void>[] = [];
    for (const [node, positions] of groups) {
      this.count(node);
      const keys = positions.map((p) => (p === tags.length ? epochKey(this.prefix) : this.key(tags[p]!, "d")));
      const read = this.singleNode !== null ? this.client.mget(keys) : this.mgetEach(keys);
      work.push(read.then((replies) => {
        for (let i = 0; i < positions.length; i++) {
          if (positions[i] === tags.length) epoch = Number(replies[i] ?? 0);
          else out[positions[i]!] = Number(replies[i] ?? 0);
        }
      }));
    }
    await Promise.all(work);
    if (epoch > 0) for (let i = 0; i < out.length; i++) out[i] = epoch * EPOCH_STEP + out[i]!;
    return out;
  }

  private async mgetEach(keys: string[]): Promise<(string | null)[]> {
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.get(key);
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, reply]) => {
      if (error) throw error;
      return reply as string | null;
    });
  }

  private key(tag: string, field: "v" | "g" | "n" | "d"): string {
    // The tag in braces keeps an entry's value, count and generation in one Cluster slot.
    return `${this.prefix}{${tag}}:${field}`;
  }

  private count(node: string): void {
    this.counters.cacheRoundTrips[node] = (this.counters.cacheRoundTrips[node] ?? 0) + 1;
  }

  /** Positions of `tags` grouped by the node serving them; null when the Cluster has no slot map yet. */
  private groupByNode(tags: readonly string[]): Map<string, number[]> | null {
    const groups = new Map<string, number[]>();
    if (this.singleNode !== null) {
      const all = new Array<number>(tags.length);
      for (let i = 0; i < tags.length; i++) all[i] = i;
      groups.set(this.singleNode, all);
      return groups;
    }
    const slots = (this.client as Cluster).slots;
    for (let i = 0; i < tags.length; i++) {
      const node = slots[crc16(tags[i]!) % 16384]?.[0];
      if (node === undefined) return null;
      const group = groups.get(node);
      if (group) group.push(i);
      else groups.set(node, [i]);
    }
    return groups;
  }

  /** Also starts syncCache when something is owed and Redis is connected (a health probe may be all that calls). */
  health(): CacheHealth {
    if (this.behind && !this.closed && this.client.status === "ready") void this.ready();
    const status = this.closed ? "closed" : this.client.status;
    return { ok: status === "ready" && this.pending.size === 0 && !this.overflowed, status, pendingInvalidations: this.pending.size };
  }

  /**
   * ready: whether this call may use the cache. False while disconnected; while invalidations are
   * remembered (or a flush is owed), runs syncCache first and answers with its outcome.
   */
  async ready(): Promise<boolean> {
    if (this.closed || this.client.status !== "ready") return false;
    if (this.pending.size === 0 && !this.overflowed) return true;
    if (!this.syncing) {
      this.syncing = this.syncCache().finally(() => {
        this.syncing = null;
      });
    }
    return this.syncing;
  }

  /**
   * syncCache: applies the invalidations that failed while the cache was unreachable (or, past PENDING_CAP
   * of them, flushes the prefix and moves every version) before anything is read from or written to the cache again.
   */
  private async syncCache(): Promise<boolean> {
    try {
      if (this.overflowed) {
        await flushPrefix(this.client, this.singleNode, this.prefix, (node) => this.count(node));
        // After the deletes, so a reader that sees the new epoch finds no stale value to read with it.
        this.count(this.singleNode ?? this.groupByNode([EPOCH_TAG])?.keys().next().value ?? "cluster");
        await this.client.incr(epochKey(this.prefix));
        this.overflowed = false;
        this.pending.clear();
        // Every version moved: listeners everywhere hear "anything may have changed" (not a list of tags).
        await this.client.publish(this.channel, "null");
      }
      if (this.pending.size > 0) {
        const tags = [...this.pending];
        const failed = await this.applyInvalidations(tags);
        for (const tag of tags) if (!failed.has(tag)) this.pending.delete(tag);
      }
      return this.pending.size === 0 && !this.overflowed;
    } catch {
      return false;
    }
  }

  /** readCache: values and generations of a batch, one MGET (one node) or one pipeline per Cluster node. */
  async readCache(tags: readonly string[], field: CacheField): Promise<CacheRead | null> {
    if (tags.length === 0 || !(await this.ready())) return null;
    const groups = this.groupByNode(tags);
    if (groups === null) return null;
    const values = new Array<string | null>(tags.length).fill(null);
    const gens = new Array<string | null>(tags.length).fill(null);
    const work: Promise<void>[] = [];
    for (const [node, positions] of groups) work.push(this.readGroup(node, tags, positions, field, values, gens));
    await Promise.all(work);
    return { values, gens };
  }

  private async readGroup(
    node: string,
    tags: readonly string[],
    positions: number[],
    field: CacheField,
    values: (string | null)[],
    gens: (string | null)[],
  ): Promise<void> {
    this.count(node);
    try {
      if (this.singleNode !== null) {
        const keys = new Array<string>(positions.length * 2);
        for (let i = 0; i < positions.length; i++) {
          keys[2 * i] = this.key(tags[positions[i]!]!, field);
          keys[2 * i + 1] = this.key(tags[positions[i]!]!, "g");
        }
        const replies = await this.client.mget(keys);
        for (let i = 0; i < positions.length; i++) {
          values[positions[i]!] = replies[2 * i] ?? null;
          gens[positions[i]!] = replies[2 * i + 1] ?? "";
        }
        return;
      }
      const pipeline = this.client.pipeline();
      for (let i = 0; i < positions.length; i++) {
        const tag = tags[positions[i]!]!;
        pipeline.mget(this.key(tag, field), this.key(tag, "g"));
      }
      const replies = (await pipeline.exec()) ?? [];
      for (let i = 0; i < positions.length; i++) {
        const [error, reply] = replies[i] ?? [new Error("no reply"), null];
        if (error) continue; // a miss whose generation is unknown: served from the shard, not refilled
        const pair = reply as (string | null)[];
        values[positions[i]!] = pair[0] ?? null;
        gens[positions[i]!] = pair[1] ?? "";
      }
    } catch {
      // the whole node failed: all its entries are misses that may not be refilled
    }
  }

  /**
   * fillCache: writes values read from the shards back, each only if its generation is unchanged since the
   * read that missed (checked atomically by a script), so a refill racing a write cannot leave a stale value.
   */
  async fillCache(tags: readonly string[], gens: readonly string[], field: CacheField, values: readonly string[]): Promise<void> {
    if (tags.length === 0 || this.closed || this.client.status !== "ready") return;
    if (this.pending.size > 0 || this.overflowed) return;
    const groups = this.groupByNode(tags);
    if (groups === null) return;
    const work: Promise<void>[] = [];
    for (const [node, positions] of groups) {
      this.count(node);
      const pipeline = this.client.pipeline() as unknown as ScriptClient & { exec(): Promise<unknown> };
      for (let i = 0; i < positions.length; i++) {
        const tag = tags[positions[i]!]!;
        void pipeline.kvetchFill(this.key(tag, field), this.key(tag, "g"), gens[positions[i]!]!, values[positions[i]!]!, this.ttl);
      }
      work.push(pipeline.exec().then(
        () => undefined,
        () => undefined,
      ));
    }
    await Promise.all(work);
  }

  /**
   * invalidateCache: after a write committed, bumps each entry's generation and deletes its fields.
   * Entries that could not be invalidated are remembered and the cache is bypassed until syncCache
   * has applied them.
   */
  async invalidateCache(tags: readonly string[]): Promise<void> {
    if (tags.length === 0 || this.closed) return;
    if (this.client.status !== "ready") this.remember(tags);
    else {
      const failed = await this.applyInvalidations(tags);
      if (failed.size > 0) this.remember([...failed]);
    }
    // This instance's listeners hear its writes without Redis (after the bumps, if any): spec/reactivity.md,
    // "A writer's own listeners".
    this.local?.invalidated(tags);
  }

  private remember(tags: readonly string[]): void {
    if (this.overflowed) return;
    for (let i = 0; i < tags.length; i++) this.pending.add(tags[i]!);
    if (this.pending.size > PENDING_CAP) {
      this.overflowed = true;
      this.pending.clear();
    }
  }

  /** Runs the invalidation script for every tag; returns the tags it could not confirm. */
  private async applyInvalidations(tags: readonly string[]): Promise<Set<string>> {
    const failed = new Set<string>();
    const groups = this.groupByNode(tags);
    if (groups === null) {
      for (const tag of tags) failed.add(tag);
      return failed;
    }
    const genTtl = this.ttl + 60;
    const work: Promise<void>[] = [];
    let message: string | null = null;
    for (const [node, positions] of groups) {
      this.count(node);
      const pipeline = this.client.pipeline() as unknown as ScriptClient & { exec(): Promise<[Error | null, unknown][] | null> };
      for (let i = 0; i < positions.length; i++) {
        const tag = tags[positions[i]!]!;
        void pipeline.kvetchInvalidate(this.key(tag, "g"), this.key(tag, "v"), this.key(tag, "n"), this.key(tag, "d"), genTtl);
      }
      // announceInvalidations: one message for the whole write, in the same round trip as its bumps (after
      // them, so a listener that hears it and re-reads sees the new versions and values).
      const announcing = message === null ? (message = JSON.stringify(tags)) : null;
      if (announcing !== null) {
        this.local?.sending(announcing);
        void pipeline.publish(this.channel, announcing);
      }
      work.push(
        pipeline.exec().then(
          (replies) => {
            for (let i = 0; i < positions.length; i++) {
              const reply = replies?.[i];
              if (!reply || reply[0]) failed.add(tags[positions[i]!]!);
            }
            const published = replies?.[positions.length];
            if (announcing !== null && (!published || published[0])) this.local?.unconfirmed(announcing);
          },
          () => {
            for (let i = 0; i < positions.length; i++) failed.add(tags[positions[i]!]!);
            if (announcing !== null) this.local?.unconfirmed(announcing);
          },
        ),
      );
    }
    await Promise.all(work);
    return failed;
  }

  /** Whether invalidations are owed to the cache (it is bypassed until they are applied). */
  get behind(): boolean {
    return this.pending.size > 0 || this.overflowed;
  }

  /** Applies what is still owed first when Redis is reachable (one attempt): other processes read this cache too. */
  async close(): Promise<void> {
    if (!this.closed && this.behind && this.client.status === "ready") await this.ready();
    this.closed = true;
    this.client.disconnect();
  }
}
