// Dependency versions and invalidation announcements. With Redis, versions live beside the cache entries
// (bumped by the invalidation script, announced on one channel per key prefix); without it, in a map shared
// by every Kvetch given the same memory backend. Never lets a listener miss that something may have changed:
// a dropped subscription is reported as "everything" once it is back.

import type { Cluster, Redis } from "ioredis";
import type { RedisCache } from "./cache.js";

/** Tags one write (or an invalidateDependency) bumped; null: anything may have changed (a missed message). */
export type InvalidationListener = (tags: readonly string[] | null) => void;

export interface DependencyHub {
  /** Current versions of the tags (0: never bumped). One round trip with Redis; none in memory. */
  readVersions(tags: readonly string[]): Promise<number[]>;
  /** One tag's version, synchronously, for a hub that reads without I/O (memory); absent otherwise. */
  versionNow?(tag: string): number;
  /** Bumps and announces tags (memory only: with Redis, invalidateCache does both in its round trip). */
  bump(tags: readonly string[]): void;
  listen(listener: InvalidationListener): () => void;
  close(): Promise<void>;
}

/** The in-process hub of one memory backend: a version per tag and synchronous fan-out to listeners. */
class MemoryHub implements DependencyHub {
  private readonly versions = new Map<string, number>();
  private readonly listeners = new Set<InvalidationListener>();

  async readVersions(tags: readonly string[]): Promise<number[]> {
    return this.versionsNow(tags);
  }

  versionNow(tag: string): number {
    return this.versions.get(tag) ?? 0;
  }

  /** Read at call time, so a caller that starts this before its data read reads the version first. */
  versionsNow(tags: readonly string[]): number[] {
    const out = new Array<number>(tags.length);
    for (let i = 0; i < tags.length; i++) out[i] = this.versions.get(tags[i]!) ?? 0;
    return out;
  }

  bump(tags: readonly string[]): void {
    for (const tag of tags) this.versions.set(tag, (this.versions.get(tag) ?? 0) + 1);
    for (const listener of this.listeners) listener(tags);
  }

  listen(listener: InvalidationListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async close(): Promise<void> {}
}

const memoryHubs = new WeakMap<object, MemoryHub>();

/** The hub every Kvetch opened on `backend` shares (memory backends without Redis). */
export function memoryHubOf(backend: object): DependencyHub {
  let hub = memoryHubs.get(backend);
  if (hub === undefined) memoryHubs.set(backend, (hub = new MemoryHub()));
  return hub;
}

/**
 * The Redis hub: versions read from the cache's version keys; announcements heard on a second connection,
 * subscribed on first listen. After that connection was lost and is ready again, listeners hear `null`.
 */
class RedisHub implements DependencyHub {
  private readonly listeners = new Set<InvalidationListener>();
  private subscriber: Redis | Cluster | null = null;
  private wasReady = false;

  constructor(private readonly cache: RedisCache) {}

  /** Each distinct tag read once (a layer's entries often share one); sent before this returns. */
  readVersions(tags: readonly string[]): Promise<number[]> {
    const slot = new Int32Array(tags.length);
    const seen = new Map<string, number>();
    const distinct: string[] = [];
    for (let i = 0; i < tags.length; i++) {
      const at = seen.get(tags[i]!);
      if (at !== undefined) {
        slot[i] = at;
        continue;
      }
      seen.set(tags[i]!, (slot[i] = distinct.length));
      distinct.push(tags[i]!);
    }
    if (distinct.length === tags.length) return this.cache.readVersions(tags);
    return this.cache.readVersions(distinct).then((versions) => {
      const out = new Array<number>(tags.length);
      for (let i = 0; i < tags.length; i++) out[i] = versions[slot[i]!]!;
      return out;
    });
  }

  bump(): void {
    throw new Error("graphscale: internal error: a Redis hub bumps in invalidateCache");
  }

  listen(listener: InvalidationListener): () => void {
    this.listeners.add(listener);
    if (this.subscriber === null) this.subscribe();
    return () => void this.listeners.delete(listener);
  }

  /** Resolves once the subscription is confirmed (tests wait for it before writing). */
  ready: Promise<void> = Promise.resolve();

  private subscribe(): void {
    const subscriber = this.cache.duplicate();
    this.subscriber = subscriber;
    subscriber.on("error", () => undefined);
    let confirm!: () => void;
    this.ready = new Promise((resolve) => (confirm = resolve));
    subscriber.on("ready", () => {
      // ioredis re-subscribes on reconnect; until it has, a message may have been missed.
      void subscriber.subscribe(this.cache.channel).then(() => {
        confirm();
        if (this.wasReady) this.emit(null);
        this.wasReady = true;
      }, () => undefined);
    });
    subscriber.on("message", (channel: string, message: string) => {
      if (channel !== this.cache.channel) return;
      let tags: unknown;
      try {
        tags = JSON.parse(message);
      } catch {
        tags = null;
      }
      this.emit(Array.isArray(tags) ? (tags as string[]) : null);
    });
  }

  private emit(tags: readonly string[] | null): void {
    for (const listener of this.listeners) listener(tags);
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}

export function redisHub(cache: RedisCache): DependencyHub {
  return new RedisHub(cache);
}

/** Waits until a Redis hub's subscription is confirmed (no-op for memory hubs). */
export function hubReady(hub: DependencyHub): Promise<void> {
  return hub instanceof RedisHub ? hub.ready : Promise.resolve();
}
