// Dependencies a response was built from, recorded while it executes: per response path (the subtree a
// step's entry stands for), a key and the version the data source read before its data. Store-agnostic:
// steps and resolvers call record; the result carries them in `extensions.deps`, never in `data`.


/**
 * Where a key was recorded: the bucket and entry of the step that read it (both null for a resolver's
 * record of the whole response). Kept only for a live query, which re-runs just what a change reaches.
 */
export interface DependencySite {
  readonly path: string;
  readonly key: string;
  readonly bucket: object | null;
  readonly step: object | null;
  readonly entry: number;
}

/** A path's `{ key: version }` as `toJSON` hands it out. */
type KeyVersions = Record<string, number | null>;

/** Sets an own property, also for the key "__proto__" (which an assignment would take as the prototype). */
function put(keys: KeyVersions, key: string, version: number | null): void {
  if (key === "__proto__") Object.defineProperty(keys, key, { value: version, writable: true, enumerable: true, configurable: true });
  else keys[key] = version;
}

/**
 * One request's dependencies: response path ("" for the root; "a.b.0") → key → version (null: unknown).
 * Recorded straight into the objects `toJSON` returns, never a closure or a promise per key (except for a
 * version given as a promise). Those objects have no prototype while recording: their keys are ids,
 * different in every response, so V8 keeps them as hash tables, and with no prototype to consult a key is
 * added without leaving compiled code. `toJSON` gives them the usual prototype (spec/reactivity.md, What it
 * costs).
 */
export class RequestDeps {
  /** Path → its keys, in the order first recorded. */
  private readonly paths = new Map<string, KeyVersions>();
  private readonly pending: Promise<void>[] = [];
  /** Every record's site, in order, when a live query asks for them (null: not kept). */
  sites: DependencySite[] | null = null;
  /** false: no version is read for this request (StepDependencies.versions): a live query that keeps none. */
  versions = true;
  /** The path recorded last and its keys: a step records all of one entry's keys in a row. */
  private lastPath: string | null = null;
  private lastKeys: KeyVersions | null = null;

  /** The dependencies recorded so far, per path (a copy: a live query reads it once per run). */
  get byPath(): Map<string, Map<string, number | null>> {
    const out = new Map<string, Map<string, number | null>>();
    for (const [path, keys] of this.paths) out.set(path, new Map(Object.entries(keys)));
    return out;
  }

  /**
   * `key` (at `version`, or the promise of it) is a dependency of the subtree at `path`; a step's record
   * names its bucket, itself and the entry (a live query's sites).
   */
  record(path: string, key: string, version: number | null | PromiseLike<number>, bucket: object | null = null, step: object | null = null, entry = 0): void {
    if (this.sites !== null) this.sites.push({ path, key, bucket, step, entry });
    let keys: KeyVersions;
    if (path === this.lastPath) keys = this.lastKeys!;
    else {
      const known = this.paths.get(path);
      if (known === undefined) this.paths.set(path, (keys = Object.create(null) as KeyVersions));
      else keys = known;
      this.lastPath = path;
      this.lastKeys = keys;
    }
    if (version !== null && typeof version === "object") {
      put(keys, key, null);
      const into = keys;
      this.pending.push(Promise.resolve(version).then((v) => put(into, key, v), () => undefined));
      return;
    }
    const had = keys[key];
    if (had === undefined && key !== "__proto__") keys[key] = version;
    // Otherwise kept if the key already holds a version (an inherited name such as "toString", after toJSON, is not held).
    else if (had === undefined || had === null || !Object.hasOwn(keys, key)) put(keys, key, version);
  }

  /** The versions still being read (started with the data they guard, so no round trip waits on them). */
  settled(): Promise<void> | null {
    return this.pending.length === 0 ? null : Promise.all(this.pending).then(() => undefined);
  }

  /** The `extensions.deps` value: `{ [path]: { [key]: version } }`, paths in the order first recorded. */
  toJSON(): Record<string, Record<string, number | null>> {
    const out: Record<string, KeyVersions> = {};
    this.paths.forEach((keys, path) => {
      // Ordinary objects for every reader (a prototype given once the keys are in stays a hash table).
      if (Object.getPrototypeOf(keys) === null) Object.setPrototypeOf(keys, Object.prototype);
      if (path === "__proto__") Object.defineProperty(out, path, { value: keys, writable: true, enumerable: true, configurable: true });
      else out[path] = keys;
    });
    return out;
  }
}

/** A response path, as graphql-js builds it. */
interface Path {
  readonly prev: Path | undefined;
  readonly key: string | number;
}

/** Most path strings kept (all dropped at once beyond it, never evicted one by one). */
const MAX_KEPT_PATHS = 50_000;

/** Path strings by parent path string and key, kept across requests (see pathKey). */
const keptPaths = new Map<string, Map<string | number, string>>();
let keptPathCount = 0;

/**
 * A response path as the deps extension names it: keys joined by ".", "" for the root. The same path gives
 * the same string object on every request: it names a path object in `extensions.deps`, and a string
 * built afresh is hashed and looked up in V8's string table each time, where a kept one pays once.
 */
export function pathKey(path: Path | undefined): string {
  if (path === undefined) return "";
  const parent = pathKey(path.prev);
  let children = keptPaths.get(parent);
  if (children === undefined) {
    if (keptPathCount >= MAX_KEPT_PATHS) {
      keptPaths.clear();
      keptPathCount = 0;
    }
    keptPaths.set(parent, (children = new Map()));
  }
  let key = children.get(path.key);
  if (key === undefined) {
    children.set(path.key, (key = parent === "" ? String(path.key) : `${parent}.${path.key}`));
    keptPathCount++;
  }
  return key;
}

/** What a step's `details.deps` is: records a dependency of one of its entries' subtrees. */
export interface StepDependencies {
  record(entry: number, key: string, version: number | null): void;
  /**
   * false: the request keeps no versions (a live query without `live: { deps: true }`, which hears its
   * changes from its source): record each key with version null and read none (KeysWithoutVersions).
   */
  readonly versions?: boolean;
}

/** Requests recording deps, by the context object their resolvers see (see recordDependency). */
const byContext = new WeakMap<object, RequestDeps>();

export function attachToContext(contextValue: unknown, deps: RequestDeps): void {
  if (contextValue !== null && typeof contextValue === "object") byContext.set(contextValue, deps);
}

export function detachFromContext(contextValue: unknown, deps: RequestDeps): void {
  if (contextValue !== null && typeof contextValue === "object" && byContext.get(contextValue) === deps) byContext.delete(contextValue);
}

/**
 * spec: RecordDependency — for resolver fields: records `key` as a dependency of the whole response of the request running with
 * `contextValue` (when it asked for deps; otherwise nothing happens). Pass the version — or the promise of
 * it, started before the read it guards — to make the key checkable by checkDeps.
 */
export function recordDependency(contextValue: unknown, key: string, version: number | null | PromiseLike<number> = null): void {
  if (typeof key !== "string" || key.length === 0) throw new TypeError(`recordDependency: the key must be a non-empty string, got ${String(key)}`);
  if (contextValue === null || typeof contextValue !== "object") return;
  byContext.get(contextValue)?.record("", key, version);
}

/** The flat `{ key: version }` of a result's `extensions.deps` (what checkDeps takes). */
export function dependenciesOf(result: { extensions?: Record<string, unknown> | null }): Record<string, number | null> {
  const deps = result.extensions?.deps as Record<string, Record<string, number | null>> | undefined;
  const out: Record<string, number | null> = {};
  if (deps === undefined) return out;
  for (const path of Object.keys(deps)) {
    const keys = deps[path]!;
    for (const key of Object.keys(keys)) if (!(key in out) || out[key] === null) out[key] = keys[key]!;
  }
  return out;
}
