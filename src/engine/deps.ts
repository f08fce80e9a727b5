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

/** One request's dependencies: response path ("" for the root; "a.b.0") → key → version (null: unknown). */
export class RequestDeps {
  readonly byPath = new Map<string, Map<string, number | null>>();
  private readonly pending: Promise<void>[] = [];
  /** Every record's site, in order, when a live query asks for them (null: not kept). */
  sites: DependencySite[] | null = null;

  /**
   * `key` (at `version`, or the promise of it) is a dependency of the subtree at `path`; a step's record
   * names its bucket, itself and the entry (a live query's sites).
   */
  record(path: string, key: string, version: number | null | PromiseLike<number>, bucket: object | null = null, step: object | null = null, entry = 0): void {
    if (this.sites !== null) this.sites.push({ path, key, bucket, step, entry });
    let keys = this.byPath.get(path);
    if (keys === undefined) this.byPath.set(path, (keys = new Map()));
    if (version !== null && typeof version === "object") {
      keys.set(key, null);
      const into = keys;
      this.pending.push(Promise.resolve(version).then((v) => void into.set(key, v), () => undefined));
      return;
    }
    if (!keys.has(key) || keys.get(key) === null) keys.set(key, version);
  }

  /** The versions still being read (started with the data they guard, so no round trip waits on them). */
  settled(): Promise<void> | null {
    return this.pending.length === 0 ? null : Promise.all(this.pending).then(() => undefined);
  }

  /** The `extensions.deps` value: `{ [path]: { [key]: version } }`, paths in the order first recorded. */
  toJSON(): Record<string, Record<string, number | null>> {
    const out: Record<string, Record<string, number | null>> = {};
    for (const [path, keys] of this.byPath) out[path] = Object.fromEntries(keys);
    return out;
  }
}

/** A response path, as graphql-js builds it. */
interface Path {
  readonly prev: Path | undefined;
  readonly key: string | number;
}

/** A response path as the deps extension names it: keys joined by ".", "" for the root. */
export function pathKey(path: Path | undefined): string {
  if (path === undefined) return "";
  let out = String(path.key);
  for (let p = path.prev; p !== undefined; p = p.prev) out = `${p.key}.${out}`;
  return out;
}

/** What a step's `details.deps` is: records a dependency of one of its entries' subtrees. */
export interface StepDependencies {
  record(entry: number, key: string, version: number | null): void;
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
