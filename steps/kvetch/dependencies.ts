// Dependency recording for the Kvetch read steps: the version of every key a layer reads is requested right
// before the layer's data call (so a write racing the read is never missed: spec/reactivity.md,
// RecordReadDependencies) and recorded per entry when it arrives. Nothing at all happens unless the request
// records deps. One version call per layer; never per entry.

import type { StepDependencies } from "../../src/index.js";
import { countKey, edgesKey, objectKey, type Kvetch } from "../../src/kvetch/index.js";

/** Most key strings kept for one kind of key (all dropped at once beyond it, never evicted one by one). */
const MAX_KEPT_KEYS = 50_000;

/**
 * Dependency key strings by what they name, kept across requests. A view reads the same keys on every
 * request; handing out the same string object means it is hashed once (the store's key → tag lookup) and
 * looked up in V8's string table once (as a property name of `extensions.deps`), where a string built afresh
 * per entry pays both every time — more than the rest of the recording together.
 */
class KeyStrings {
  readonly byName = new Map<string, string>();
  constructor(private readonly make: (name: string) => string) {}

  of(name: string): string {
    let key = this.byName.get(name);
    if (key === undefined) {
      if (this.byName.size >= MAX_KEPT_KEYS) this.byName.clear();
      this.byName.set(name, (key = this.make(name)));
    }
    return key;
  }
}

const objectKeys = new KeyStrings((id) => objectKey(id.toLowerCase()));
const edgesKeys = new Map<string, KeyStrings>();
const countKeys = new Map<string, KeyStrings>();

/** How many key strings the read steps keep (tests hold live queries without deps to adding none: KeysOfTheirOwn). */
export function keptKeyStrings(): number {
  let count = objectKeys.byName.size;
  for (const kind of [edgesKeys, countKeys]) for (const keys of kind.values()) count += keys.byName.size;
  return count;
}

/**
 * spec: KeysOfTheirOwn — whether a request's key strings are made of their own instead of taken from the kept
 * ones: for a request keeping no versions (a live query without deps, KeysWithoutVersions), which neither
 * reads a version nor writes an `extensions.deps` object, and holds its keys packed (PackedKeys): a kept
 * string would then stay only to be kept, one per key of every live query, past the live query's own copy.
 */
export function keysOfTheirOwn(deps: StepDependencies): boolean {
  return deps.versions === false;
}

/** `object:<id>` (the id lowercased); with `own` a string of its own (KeysOfTheirOwn). */
export function objectDependencyKey(id: string, own = false): string {
  return own ? objectKey(id.toLowerCase()) : objectKeys.of(id);
}

/** `edges:<edge>:<fromId>` (the id lowercased); with `own` a string of its own (KeysOfTheirOwn). */
export function edgesDependencyKey(edge: string, fromId: string, own = false): string {
  if (own) return edgesKey(edge, fromId.toLowerCase());
  let keys = edgesKeys.get(edge);
  if (keys === undefined) edgesKeys.set(edge, (keys = new KeyStrings((id) => edgesKey(edge, id.toLowerCase()))));
  return keys.of(fromId);
}

/** `count:<edge>:<fromId>` (the id lowercased); with `own` a string of its own (KeysOfTheirOwn). */
export function countDependencyKey(edge: string, fromId: string, own = false): string {
  if (own) return countKey(edge, fromId.toLowerCase());
  let keys = countKeys.get(edge);
  if (keys === undefined) countKeys.set(edge, (keys = new KeyStrings((id) => countKey(edge, id.toLowerCase()))));
  return keys.of(fromId);
}

/**
 * spec: RecordReadDependencies — `keys[n]` is a dependency of entry `entries[n]`. Starts one version read for
 * the keys now (the store reads each distinct key once); the promise records them (a failed version read
 * records null: "may have changed"). One closure and one promise per layer, none per key.
 */
export function recordReadDependencies(
  deps: StepDependencies | null | undefined,
  store: Kvetch,
  entries: readonly number[],
  keys: readonly string[],
): Promise<void> | null {
  if (deps === null || deps === undefined || keys.length === 0) return null;
  if (deps.versions === false) return keysWithoutVersions(deps, entries, keys);
  // A store that knows its versions without I/O (memory): recorded now, before the data call starts.
  const now = store.dependencyVersionsNow(keys);
  if (now !== null) {
    for (let n = 0; n < keys.length; n++) deps.record(entries[n]!, keys[n]!, now[n]!);
    return null;
  }
  const record = (versions: readonly (number | null)[] | null): void => {
    for (let n = 0; n < keys.length; n++) deps.record(entries[n]!, keys[n]!, versions === null ? null : versions[n]!);
  };
  return store.dependencyVersions(keys).then(record, () => record(null));
}

/**
 * spec: KeysWithoutVersions — a request keeping no versions (a live query without `live: { deps: true }`):
 * each key recorded with version null, no version read.
 */
function keysWithoutVersions(deps: StepDependencies, entries: readonly number[], keys: readonly string[]): null {
  for (let n = 0; n < keys.length; n++) deps.record(entries[n]!, keys[n]!, null);
  return null;
}

/** The data read and the version read together: the data's value once both are in. */
export function withDependencies<T>(data: Promise<T>, recorded: Promise<void> | null): Promise<T> {
  return recorded === null ? data : Promise.all([data, recorded]).then(([value]) => value);
}
