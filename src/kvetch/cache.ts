// The Redis cache tier (one node or a Cluster): batch reads with one round trip per node, generation-checked
// refills, and invalidation after every write. A cache that is down, behind, replaced or not answering is a
// miss, never an error and never a wait; it must never serve a value older than the last write this process
// made (see spec: syncCache), nor one from a Redis whose identity it has not checked (checkCacheIdentity).

import { Cluster, Redis } from "./optionalPeer.js";
import type { KvetchCounters, RedisConfig } from "./backend.js";
import { pipelineFailure } from "./cacheBreaker.js";
import { epochKey } from "./cacheFlush.js";
import { writeCounterKey } from "./cacheIdentity.js";
import { CacheLink, EPOCH_TAG, type CacheHealth } from "./cacheLink.js";
import { groupByNode } from "./cacheNodes.js";
import { readNode, type CacheField, type CacheRead, type NodeReader } from "./cacheRead.js";
import { FILL_COUNTED_SCRIPT, FILL_SCRIPT, INVALIDATE_SCRIPT, genToken, mgetEach, mgetStrings, type ScriptClient } from "./cacheScripts.js";
import { coalesceWrites } from "./cacheWrites.js";
import { KvetchError } from "./errors.js";
import { breakerSettings } from "./shardGuard.js";
import { noteCacheRead, noteCacheRoundTrip } from "./tracing.js";

export type { CacheHealth } from "./cacheLink.js";
export type { CacheField, CacheRead } from "./cacheRead.js";

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

/** What the Redis hub is told about this instance's own announcements (spec/reactivity.md, "A writer's own listeners"). */
export interface LocalAnnouncements {
  /** Right before an announcement is sent (its echo on the subscription may come before the reply). */
  sending(message: string): void;
  /** The announcement was not confirmed: its echo is not to be expected. */
  unconfirmed(message: string): void;
  /** After each invalidation this instance made, applied or remembered: its own listeners are told. */
  invalidated(tags: readonly string[]): void;
}

/** readCache's answer when nothing is read (no tags, or the cache is not usable now). */
const NO_READ: Promise<CacheRead | null> = Promise.resolve(null);
/** A version is epoch × EPOCH_STEP + the tag's own count: a flush (epoch + 1) moves every version at once. */
const EPOCH_STEP = 2 ** 32;

export class RedisCache {
  readonly listCap: number;
  private readonly ttl: number;
  private readonly prefix: string;
  private readonly client: Redis | Cluster;
  private readonly singleNode: string | null;
  /** What the single-node read needs (null on a Cluster). */
  private readonly nodeReader: NodeReader | null;
  /** The identity, the breaker and what is owed: whether the connection may be used now. */
  private readonly link: CacheLink;
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
    breakerSettings(config.breaker); // a bad setting fails before a connection is opened
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
    this.client.defineCommand("kvetchFillCounted", { numberOfKeys: 3, lua: FILL_COUNTED_SCRIPT });
    this.client.defineCommand("kvetchInvalidate", { numberOfKeys: 4, lua: INVALIDATE_SCRIPT });
    // Connection errors surface as misses; without a listener ioredis would print each one.
    this.client.on("error", () => undefined);
    this.link = new CacheLink(this.client, this.singleNode, this.prefix, config.breaker, (node) => this.count(node), (tags) => this.applyInvalidations(tags));
    this.nodeReader = this.singleNode === null ? null : { client: this.client as Redis, prefix: this.prefix, link: this.link, count: (node) => this.count(node) };
  }

  /** The pub/sub channel every write of this key prefix announces its tags on. */
  get channel(): string {
    return `${this.prefix}invalidations`;
  }

  /** A second connection for SUBSCRIBE (a subscribed connection can send nothing else). */
  duplicate(): Redis | Cluster {
    return this.client.duplicate();
  }

  private key(tag: string, field: "v" | "g" | "n" | "d"): string {
    // The tag in braces keeps an entry's value, count and generation in one Cluster slot.
    return `${this.prefix}{${tag}}:${field}`;
  }

  private count(node: string): void {
    this.counters.cacheRoundTrips[node] = (this.counters.cacheRoundTrips[node] ?? 0) + 1;
    noteCacheRoundTrip();
  }

  /**
   * spec: ReadVersions — the dependency version of each tag (0 when never bumped), one MGET per node. Sent on
   * the same connection as, and before, the data read it guards, so Redis answers it first.
   */
  async readVersions(tags: readonly string[]): Promise<number[]> {
    const out = new Array<number>(tags.length).fill(0);
    if (tags.length === 0) return out;
    // Only after a (re)connect or an outage: the identity is checked and what is owed applied first.
    if (this.link.unsettled) await this.link.ready();
    if (!this.link.usable) throw this.versionsUnavailable();
    // The epoch and the write counter ride along with the keys of the node that serves them (their own round
    // trip only if none does).
    const groups = groupByNode(this.client, this.singleNode, [...tags, EPOCH_TAG]);
    if (groups === null) throw new KvetchError("SHARD_UNAVAILABLE", "Kvetch: the version store (Redis Cluster) has no slot map yet");
    let epoch: string | null = null;
    let counter: string | null = null;
    const floor = this.link.clock.floor();
    const work: Promise<void>[] = [];
    for (const [node, positions] of groups) {
      this.count(node);
      const keys: string[] = [];
      for (const p of positions) {
        if (p === tags.length) keys.push(epochKey(this.prefix), writeCounterKey(this.prefix));
        else keys.push(this.key(tags[p]!, "d"));
      }
      coalesceWrites(this.client); // one node: corked until the tick ends (a Cluster's client is left alone)
      const read = this.singleNode !== null ? mgetStrings(this.client as Redis, keys) : mgetEach(this.client, keys);
      work.push(read.then((replies) => {
        for (let i = 0, k = 0; i < positions.length; i++, k++) {
          if (positions[i] === tags.length) {
            epoch = replies[k] ?? null;
            counter = replies[++k] ?? null;
          } else out[positions[i]!] = Number(replies[k] ?? 0);
        }
      }));
    }
    try {
      await Promise.all(work);
    } catch (error) {
      this.link.breaker.failed(error);
      throw error;
    }
    this.link.breaker.succeeded();
    if (!this.link.observe(floor, counter, epoch)) throw this.versionsUnavailable();
    const e = Number(epoch ?? 0);
    if (e > 0) for (let i = 0; i < out.length; i++) out[i] = e * EPOCH_STEP + out[i]!;
    return out;
  }

  private versionsUnavailable(): KvetchError {
    return new KvetchError("SHARD_UNAVAILABLE", `Kvetch: the version store (Redis) is unavailable${this.link.whyUnusable}; dependency versions cannot be read`);
  }

  /** Also starts syncCache when something is owed and Redis is connected (a health probe may be all that calls). */
  health(): CacheHealth {
    return this.link.health();
  }

  /**
   * readCache: values and generations of a batch, one MGET (one node) or one pipeline per Cluster node; the
   * write counter and epoch ride along (observeWriteCounter): if they went backwards, nothing read is used.
   */
  readCache(tags: readonly string[], field: CacheField): Promise<CacheRead | null> {
    if (tags.length === 0) return NO_READ;
    // Settled and usable (the common case): the read goes out now, without waiting a tick.
    const ready = this.link.readyNow();
    if (ready === true) return this.readReady(tags, field);
    if (ready === false) return NO_READ;
    return ready.then((usable) => (usable ? this.readReady(tags, field) : null));
  }

  /** readCache once the cache is known usable. */
  private readReady(tags: readonly string[], field: CacheField): Promise<CacheRead | null> {
    return this.nodeReader !== null ? readNode(this.nodeReader, this.singleNode!, tags, field) : this.readNodes(tags, field);
  }

  /** readCache on a Cluster: one pipeline per node, concurrently. */
  private async readNodes(tags: readonly string[], field: CacheField): Promise<CacheRead | null> {
    const groups = groupByNode(this.client, this.singleNode, tags);
    if (groups === null) return null;
    const values = new Array<string | null>(tags.length).fill(null);
    const gens = new Array<string | null>(tags.length).fill(null);
    const epochNode = this.link.epochNode;
    const incarnation = this.link.incarnation;
    const work: Promise<void>[] = [];
    for (const [node, positions] of groups) work.push(this.readGroup(node, tags, positions, field, values, gens, node === epochNode));
    await Promise.all(work);
    if (incarnation === this.link.incarnation) noteCacheRead(values);
    return incarnation === this.link.incarnation ? { values, gens } : null;
  }

  private async readGroup(
    node: string,
    tags: readonly string[],
    positions: number[],
    field: CacheField,
    values: (string | null)[],
    gens: (string | null)[],
    withCounter: boolean,
  ): Promise<void> {
    this.count(node);
    const floor = this.link.clock.floor();
    const incarnation = this.link.incarnation;
    const breaker = this.link.breaker;
    const n = positions.length;
    try {
      const pipeline = this.client.pipeline();
      for (let i = 0; i < n; i++) {
        const tag = tags[positions[i]!]!;
        pipeline.mget(this.key(tag, field), this.key(tag, "g"));
      }
      if (withCounter) pipeline.mget(writeCounterKey(this.prefix), epochKey(this.prefix));
      const replies = (await pipeline.exec()) ?? [];
      const failure = pipelineFailure(replies);
      if (failure !== null) breaker.failed(failure);
      else breaker.succeeded();
      if (withCounter) {
        const [error, pair] = replies[n] ?? [new Error("no reply"), null];
        if (error) return;
        const [counter, epoch] = pair as (string | null)[];
        if (!this.link.observe(floor, counter ?? null, epoch ?? null)) return;
      }
      for (let i = 0; i < n; i++) {
        const [error, reply] = replies[i] ?? [new Error("no reply"), null];
        if (error) continue; // a miss whose generation is unknown: served from the shard, not refilled
        const pair = reply as (string | null)[];
        const value = pair[0] ?? null;
        if (value !== null) values[positions[i]!] = value;
        else gens[positions[i]!] = genToken(incarnation, "0", pair[1] ?? "");
      }
    } catch (error) {
      // the whole node failed: all its entries are misses that may not be refilled
      breaker.failed(error);
    }
  }

  /**
   * fillCache: writes values read from the shards back, each only if its generation is unchanged since the
   * read that missed (checked atomically by a script), so a refill racing a write cannot leave a stale value;
   * never across a reconnect or a replacement since that read.
   */
  async fillCache(tags: readonly string[], gens: readonly string[], field: CacheField, values: readonly string[]): Promise<void> {
    if (tags.length === 0 || this.link.pending.size > 0 || !this.link.usable) return;
    const groups = groupByNode(this.client, this.singleNode, tags);
    if (groups === null) return;
    const now = `${this.link.incarnation}/`;
    const breaker = this.link.breaker;
    const work: Promise<void>[] = [];
    for (const [node, positions] of groups) {
      const pipeline = this.client.pipeline() as unknown as ScriptClient & { exec(): Promise<[Error | null, unknown][] | null> };
      let filled = 0;
      for (let i = 0; i < positions.length; i++) {
        const p = positions[i]!;
        const token = gens[p]!;
        if (!token.startsWith(now)) continue;
        const slash = token.indexOf("/", now.length);
        const counter = token.slice(now.length, slash);
        const gen = token.slice(slash + 1);
        const tag = tags[p]!;
        if (this.singleNode !== null) {
          void pipeline.kvetchFillCounted(this.key(tag, field), this.key(tag, "g"), writeCounterKey(this.prefix), gen, values[p]!, this.ttl, counter);
        } else void pipeline.kvetchFill(this.key(tag, field), this.key(tag, "g"), gen, values[p]!, this.ttl);
        filled++;
      }
      if (filled === 0) continue;
      this.count(node);
      work.push(pipeline.exec().then(
        (replies) => {
          const failure = pipelineFailure(replies);
          if (failure !== null) breaker.failed(failure);
          else breaker.succeeded();
        },
        (error: unknown) => breaker.failed(error),
      ));
    }
    await Promise.all(work);
  }

  /**
   * invalidateCache: after a write committed, bumps each entry's generation and deletes its fields.
   * Entries that could not be invalidated (Redis not connected, not answering, or not yet checked) are
   * remembered and the cache is bypassed until syncCache has applied them.
   */
  async invalidateCache(tags: readonly string[]): Promise<void> {
    if (tags.length === 0 || this.link.closed) return;
    if (!this.link.usable) this.link.remember(tags);
    else {
      const failed = await this.applyInvalidations(tags);
      if (failed.size > 0) this.link.remember([...failed]);
    }
    // This instance's listeners hear its writes without Redis (after the bumps, if any): spec/reactivity.md,
    // "A writer's own listeners".
    this.local?.invalidated(tags);
  }

  /**
   * Runs the invalidation script for every tag and increments the write counter (with the tags of the node
   * serving it; alone only when none is there); returns the tags it could not confirm.
   */
  private async applyInvalidations(tags: readonly string[]): Promise<Set<string>> {
    const failed = new Set<string>();
    const groups = groupByNode(this.client, this.singleNode, tags);
    const epochNode = this.link.epochNode;
    if (groups === null || epochNode === undefined) {
      for (const tag of tags) failed.add(tag);
      return failed;
    }
    if (!groups.has(epochNode)) groups.set(epochNode, []);
    const genTtl = this.ttl + 60;
    const floor = this.link.clock.floor();
    const breaker = this.link.breaker;
    const work: Promise<void>[] = [];
    let message: string | null = null;
    for (const [node, positions] of groups) {
      this.count(node);
      const pipeline = this.client.pipeline() as unknown as ScriptClient & {
        incr(key: string): unknown;
        exec(): Promise<[Error | null, unknown][] | null>;
      };
      for (let i = 0; i < positions.length; i++) {
        const tag = tags[positions[i]!]!;
        void pipeline.kvetchInvalidate(this.key(tag, "g"), this.key(tag, "v"), this.key(tag, "n"), this.key(tag, "d"), genTtl);
      }
      // announceInvalidations: one message for the whole write, in the same round trip as its bumps (after
      // them, so a listener that hears it and re-reads sees the new versions and values).
      const announcing = message === null && positions.length > 0 ? (message = JSON.stringify(tags)) : null;
      if (announcing !== null) {
        this.local?.sending(announcing);
        void pipeline.publish(this.channel, announcing);
      }
      const counted = node === epochNode;
      if (counted) void pipeline.incr(writeCounterKey(this.prefix));
      work.push(
        pipeline.exec().then(
          (replies) => {
            const failure = pipelineFailure(replies);
            if (failure !== null) breaker.failed(failure);
            else breaker.succeeded();
            for (let i = 0; i < positions.length; i++) {
              const reply = replies?.[i];
              if (!reply || reply[0]) failed.add(tags[positions[i]!]!);
            }
            const published = replies?.[positions.length];
            if (announcing !== null && (!published || published[0])) this.local?.unconfirmed(announcing);
            const counter = counted ? replies?.[positions.length + (announcing !== null ? 1 : 0)] : undefined;
            if (counter && !counter[0]) this.link.observe(floor, counter[1] as number);
          },
          (error: unknown) => {
            breaker.failed(error);
            for (let i = 0; i < positions.length; i++) failed.add(tags[positions[i]!]!);
            if (announcing !== null) this.local?.unconfirmed(announcing);
          },
        ),
      );
    }
    await Promise.all(work);
    return failed;
  }

  /** Whether invalidations (or a flush) are owed to the cache (it is bypassed until they are applied). */
  get behind(): boolean {
    return this.link.behind;
  }

  /** Applies what is still owed first when Redis is reachable (one attempt): other processes read this cache too. */
  async close(): Promise<void> {
    if (!this.link.closed && this.link.behind && this.client.status === "ready") await this.link.ready();
    this.link.close();
    this.client.disconnect();
  }
}
