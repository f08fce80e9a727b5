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

/** Most announcements whose echo a hub awaits (forgotten at once beyond it: an echo told twice is harmless). */
const MAX_AWAITED_ECHOES = 10_000;

/**
 * The Redis hub: versions read from the cache's version keys; announcements heard on a second connection,
 * subscribed on first listen. After that connection was lost and is ready again, listeners hear `null`.
 * This instance's own writes are told to its listeners directly, Redis or not; their echo on the subscription
 * is then not told again (spec/reactivity.md, "A writer's own listeners").
 */
class RedisHub implements DependencyHub {
  private readonly listeners = new Set<InvalidationListener>();
  private subscriber: Redis | Cluster | null = null;
  private wasReady = false;
  /** The subscription is confirmed and its connection has not closed since: an announcement sent now is heard. */
  private subscribed = false;
  /** This instance's announcements (their text) whose echo is still to come → how many. */
  private readonly echoes = new Map<string, number>();

  constructor(private readonly cache: RedisCache) {
    cache.local = {
      sending: (message) => {
        if (!this.subscribed) return;
        if (this.echoes.size >= MAX_AWAITED_ECHOES) this.echoes.clear();
        this.echoes.set(message, (this.echoes.get(message) ?? 0) + 1);
      },
      unconfirmed: (message) => void this.takeEcho(message),
      invalidated: (tags) => this.emit(tags),
    };
  }

  /** Whether `message` was an awaited echo (it is no longer awaited). */
  private takeEcho(message: string): boolean {
    const count = this.echoes.get(message);
    if (count === undefined) return false;
    if (count > 1) this.echoes.set(message, count - 1);
    else this.echoes.delete(message);
    return true;
  }

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
        if (this.subscriber !== subscriber) return; // closed meanwhile
        this.subscribed = true;
        if (this.wasReady) this.emit(null);
        this.wasReady = true;
      }, () => undefined);
    });
    // Announcements sent while the subscription is down are never heard: none of them is awaited any more.
    subscriber.on("close", () => {
      this.subscribed = false;
      this.echoes.clear();
    });
    subscriber.on("message", (channel: string, message: string) => {
      if (channel !== this.cache.channel || this.takeEcho(message)) return;
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
    this.cache.local = null;
    this.subscriber?.disconnect();
    this.subscriber = null;
    this.subscribed = false;
    this.listeners.clear();
  }
}

export function redisHub(cache: RedisCache): DependencyHub {
  return new RedisHub(cache);
}

/** Waits until a Redis hub's subscription is confirmed (no-op for memory hubs). */
export function hubReady(hub: DependencyHub): Promise<void> {
  return hub instanceof RedisHub ? hub.ready : Promise.resolve();
}
