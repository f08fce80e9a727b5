// The store's reactive surface: versions of dependency keys, checkDeps, invalidateDependency and the
// invalidation feed live queries listen to. Validates every key before any I/O; one version read per call.

import { dependencyTag, dependencyTags } from "./deps.js";
import { KvetchError } from "./errors.js";
import { scanId } from "./id.js";
import type { Store } from "./store.js";

/** Dependencies as a response carries them: key → version (null: recorded without one). */
export type DependencyVersions = Readonly<Record<string, number | null>>;

/** What an invalidation listener is told: which keys a write touched, or null when anything may have. */
export interface DependencyChange {
  touches(key: string): boolean;
  /** The routes (RouteOf) of the keys it touches: a live router finds the live queries reached through them. */
  readonly routes: readonly string[];
}

/** Most tags a store remembers for the keys it was asked about (cleared, not evicted, beyond it). */
const MAX_REMEMBERED_TAGS = 100_000;

/**
 * Each store's key → tag for the keys it has checked: the read steps ask about the same keys on every
 * request, and a live query on every write, so each key is parsed once (DependencyTag), not per request.
 * Not for what live queries alone ask (RouteOf, a change's `touches`) of an `object:`, `edges:` or `count:`
 * key: its tag is cut from the key each time, as the table would keep the key's string and its tag's for as
 * long as the live query holding the key (packed, PackedKeys) lives.
 */
const tagsOf = new WeakMap<Store, Map<string, string>>();

function rememberedTags(store: Store): Map<string, string> {
  let tags = tagsOf.get(store);
  if (tags === undefined) tagsOf.set(store, (tags = new Map()));
  return tags;
}

/** How many keys' tags a store remembers (tests hold live queries to adding none for their `object:`/`edges:` keys). */
export function rememberedTagCount(store: Store): number {
  return tagsOf.get(store)?.size ?? 0;
}

/** The tag of `keys[i]`, checked the first time the key is seen (a malformed key fails the call, naming its position). */
function tagOfKey(store: Store, known: Map<string, string>, keys: readonly string[], i: number, where: string): string {
  const key = keys[i]!;
  let tag = typeof key === "string" ? known.get(key) : undefined;
  if (tag === undefined) {
    tag = dependencyTag(store.schema, key, `${where}[${i}]`);
    if (known.size >= MAX_REMEMBERED_TAGS) known.clear();
    known.set(key, tag);
  }
  return tag;
}

/** Whether a live query's question about a key is answered without the remembered tags (`object:`, `edges:`, `count:`). */
function isSlicedKey(key: unknown): boolean {
  return typeof key === "string" && (key.startsWith("object:") || key.startsWith("edges:") || key.startsWith("count:"));
}

function tagsOfKeys(store: Store, keys: readonly string[], where: string): string[] {
  if (!Array.isArray(keys)) return dependencyTags(store.schema, keys, where);
  const known = rememberedTags(store);
  const tags = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) tags[i] = tagOfKey(store, known, keys, i, where);
  return tags;
}

/** spec: ReadDependencyVersions — the current version of each key, in one round trip (none in memory). */
export function readDependencyVersions(store: Store, keys: readonly string[], where: string): Promise<number[]> {
  return store.deps.readVersions(tagsOfKeys(store, keys, where)).catch((error: unknown) => {
    throw versionStoreUnavailable(where, error);
  });
}

/**
 * A version read that failed, as one SHARD_UNAVAILABLE naming the call: a Redis that is disconnected and
 * one that does not answer (a command timeout, a dropped connection) fail alike.
 */
function versionStoreUnavailable(where: string, error: unknown): KvetchError {
  if (error instanceof KvetchError && error.code !== "SHARD_UNAVAILABLE") return error;
  const why =
    error instanceof KvetchError
      ? error.message.replace(/^Kvetch: /, "")
      : `the version store (Redis) did not answer (${error instanceof Error ? error.message : String(error)}); dependency versions cannot be read`;
  return new KvetchError("SHARD_UNAVAILABLE", `${where}: ${why}`, { cause: error });
}

/** ReadDependencyVersions without a promise, when the hub reads without I/O (memory); otherwise null. */
export function readDependencyVersionsNow(store: Store, keys: readonly string[], where: string): number[] | null {
  const hub = store.deps;
  if (hub.versionNow === undefined) return null;
  if (!Array.isArray(keys)) dependencyTags(store.schema, keys, where); // throws the usual error
  const known = rememberedTags(store);
  const versions = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++) versions[i] = hub.versionNow(tagOfKey(store, known, keys, i, where));
  return versions;
}

/**
 * spec: CheckDeps — the keys whose version is no longer the one given (a key given without a version is
 * always listed: it cannot be shown unchanged). One version read for the whole list.
 */
export async function checkDeps(store: Store, deps: DependencyVersions | readonly { key: string; version: number | null }[], max: number): Promise<string[]> {
  const keys: string[] = [];
  const held: (number | null)[] = [];
  if (Array.isArray(deps)) {
    for (const dep of deps as readonly { key: string; version: number | null }[]) {
      keys.push(dep?.key);
      held.push(dep?.version ?? null);
    }
  } else if (deps !== null && typeof deps === "object") {
    for (const key of Object.keys(deps)) {
      keys.push(key);
      held.push((deps as DependencyVersions)[key] ?? null);
    }
  } else {
    throw new KvetchError("BAD_ARGUMENT", "checkDeps needs { key: version } or [{ key, version }]");
  }
  if (keys.length > max) {
    throw new KvetchError("BAD_ARGUMENT", `checkDeps: ${keys.length} dependencies is more than the maximum of ${max}; split the list or raise maxCheckDeps`);
  }
  for (let i = 0; i < held.length; i++) {
    const version = held[i];
    if (version !== null && (!Number.isInteger(version) || version! < 0)) {
      throw new KvetchError("BAD_ARGUMENT", `checkDeps: the version of ${JSON.stringify(keys[i])} must be a non-negative integer or null`);
    }
  }
  const versions = await readDependencyVersions(store, keys, "checkDeps");
  const moved: string[] = [];
  for (let i = 0; i < keys.length; i++) if (held[i] === null || versions[i] !== held[i]) moved.push(keys[i]!);
  return moved;
}

/** spec: InvalidateDependency — bumps (and announces) keys for writes Kvetch did not make; drops their cache entries. */
export async function invalidateDependency(store: Store, keys: readonly string[]): Promise<void> {
  const tags = new Set(dependencyTags(store.schema, keys, "invalidateDependency"));
  if (tags.size === 0) return;
  if (store.cache !== null) await store.cache.invalidateCache([...tags]);
  else store.deps.bump([...tags]);
}

/** What a listener of a store's invalidations is told when the store closes (spec/reactivity.md, "When the store closes"). */
export type InvalidationsEnded = (reason: KvetchError) => void;

/** Per store, its listeners' stop functions → their end callbacks (null: none), for close. */
const listenersOf = new WeakMap<Store, Map<() => void, InvalidationsEnded | null>>();
const closedStores = new WeakSet<Store>();

function closedError(): KvetchError {
  return new KvetchError("BAD_ARGUMENT", "this Kvetch was closed; its invalidations (and the live queries listening to them) have ended");
}

/**
 * When the store closes (spec/reactivity.md): each of the store's listeners stops hearing invalidations and
 * its end callback is told once; a later onInvalidate is told at once (on a microtask) and hears nothing.
 */
export function closeInvalidations(store: Store): void {
  closedStores.add(store);
  const listeners = listenersOf.get(store);
  listenersOf.delete(store);
  for (const [stop, ended] of listeners ?? []) {
    stop();
    ended?.(closedError());
  }
}

/**
 * onInvalidate: every write's touched keys (this process's and, with Redis, every other's), as a
 * DependencyChange, or null after the feed may have missed one; `ended` when the store closes. Returns the
 * function that stops listening.
 */
export function onInvalidate(store: Store, listener: (change: DependencyChange | null) => void, ended?: InvalidationsEnded): () => void {
  if (closedStores.has(store)) {
    if (typeof ended === "function") queueMicrotask(() => ended(closedError()));
    return () => undefined;
  }
  const stop = listen(store, listener);
  let listeners = listenersOf.get(store);
  if (listeners === undefined) listenersOf.set(store, (listeners = new Map()));
  listeners.set(stop, typeof ended === "function" ? ended : null);
  return () => {
    stop();
    listenersOf.get(store)?.delete(stop);
  };
}

/**
 * spec: RouteOf — a key's route names its dependency tag (keys sharing a tag, such as an edge list's `edges:`
 * and `count:` keys, are touched together); null for a key Kvetch cannot name (a live router then asks
 * `touches`). An object's route is its key in canonical form (`object:<lowercase id>`): the string a live
 * query already holds, so routing keeps no second string per object (RouteOfTag gives the same for a change).
 */
export function routeOf(store: Store, key: string): string | null {
  if (key.startsWith(OBJECT_KEY)) {
    const canonical = scanId(key.slice(OBJECT_KEY.length));
    if (canonical === 1) return key;
    if (canonical === 2) return OBJECT_KEY + key.slice(OBJECT_KEY.length).toLowerCase();
  }
  try {
    if (isSlicedKey(key)) return dependencyTag(store.schema, key, "routeOf");
    const known = rememberedTags(store);
    return known.get(key) ?? tagOfKey(store, known, [key], 0, "routeOf");
  } catch {
    return null;
  }
}

const OBJECT_KEY = "object:";

/** spec: RouteOfTag — the route a change names for a tag it touches: RouteOf of the tag's keys. */
export function routeOfTag(tag: string): string {
  return tag.startsWith("o:") ? OBJECT_KEY + tag.slice(2) : tag;
}

function listen(store: Store, listener: (change: DependencyChange | null) => void): () => void {
  // Live queries ask about the same keys on every write: their tags are worked out once (bounded).
  const known = rememberedTags(store);
  const unnamed = new Set<string>();
  const touches = (set: Set<string>, key: string): boolean => {
    let tag = isSlicedKey(key) ? undefined : known.get(key);
    if (tag === undefined) {
      if (unnamed.has(key)) return true;
      try {
        tag = dependencyTag(store.schema, key, "onInvalidate");
      } catch {
        if (unnamed.size < MAX_REMEMBERED_TAGS) unnamed.add(key);
        return true; // a key Kvetch cannot name: it may have changed
      }
      if (!isSlicedKey(key)) {
        if (known.size >= MAX_REMEMBERED_TAGS) known.clear();
        known.set(key, tag);
      }
    }
    return set.has(tag);
  };
  return store.deps.listen((tags) => {
    if (tags === null) return listener(null);
    const set = new Set(tags);
    const routes = new Array<string>(tags.length);
    for (let i = 0; i < tags.length; i++) routes[i] = routeOfTag(tags[i]!);
    listener({ touches: (key: string) => touches(set, key), routes });
  });
}
