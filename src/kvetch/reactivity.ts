// The store's reactive surface: versions of dependency keys, checkDeps, invalidateDependency and the
// invalidation feed live queries listen to. Validates every key before any I/O; one version read per call.

import { dependencyTag, dependencyTags } from "./deps.js";
import { KvetchError } from "./errors.js";
import type { Store } from "./store.js";

/** Dependencies as a response carries them: key → version (null: recorded without one). */
export type DependencyVersions = Readonly<Record<string, number | null>>;

/** What an invalidation listener is told: which keys a write touched, or null when anything may have. */
export interface DependencyChange {
  touches(key: string): boolean;
}

/** spec: ReadDependencyVersions — the current version of each key, in one round trip (none in memory). */
export function readDependencyVersions(store: Store, keys: readonly string[], where: string): Promise<number[]> {
  return store.deps.readVersions(dependencyTags(store.schema, keys, where));
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

/**
 * onInvalidate: every write's touched keys (this process's and, with Redis, every other's), as a
 * DependencyChange, or null after the feed may have missed one. Returns the function that stops listening.
 */
export function onInvalidate(store: Store, listener: (change: DependencyChange | null) => void): () => void {
  // Live queries ask about the same keys on every write: their tags are worked out once (bounded).
  const tagOf = new Map<string, string | null>();
  const touches = (set: Set<string>, key: string): boolean => {
    let tag = tagOf.get(key);
    if (tag === undefined) {
      try {
        tag = dependencyTag(store.schema, key, "onInvalidate");
      } catch {
        tag = null; // a key Kvetch cannot name: it may have changed
      }
      if (tagOf.size > 100_000) tagOf.clear();
      tagOf.set(key, tag);
    }
    return tag === null || set.has(tag);
  };
  return store.deps.listen((tags) => {
    if (tags === null) return listener(null);
    const set = new Set(tags);
    listener({ touches: (key: string) => touches(set, key) });
  });
}
