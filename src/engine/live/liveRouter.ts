// The live router: one per LiveSource, shared by every live query on it (spec/reactivity.md, "Routing").
// It listens to the source once and hands each invalidation only to the live queries whose keys it
// touches, found through a route → live queries index, so a write costs time in proportion to the live
// queries it reaches, not to all of them. Never drops a change a live query may need: a query running
// hears every change (its next keys are not known yet), and a lost feed (null) reaches every query.

import { GraphQLError } from "graphql";
import { StepBatcher } from "../batching/stepBatcher.js";
import type { StepCaller } from "../execution/bucket.js";
import { RouteTable, routeHash } from "./routeTable.js";
import type { KeyList } from "./packedKeys.js";

/** A change a source announces: it touches some keys (naming their routes when it can); null when some may have been missed. */
export type LiveChange = { touches(key: string): boolean; readonly routes?: Iterable<string> } | null;

/**
 * What a live query listens to: every invalidation, or null when some may have been missed; `ended` once
 * when the source will tell nothing more (a Kvetch that was closed), which ends the live query.
 */
export interface LiveSource {
  onInvalidate(listener: (change: LiveChange) => void, ended?: (reason: Error) => void): () => void;
  /**
   * The route of a dependency key (null: none): a change names the routes of the keys it touches in
   * `change.routes`, and the live queries on the source are then reached through a route index instead of
   * each being asked `touches` (spec/reactivity.md, RouteInvalidation). Optional: without it, every
   * change is offered to every live query.
   */
  routeOf?(key: string): string | null;
}

/** What the router tells one live query. */
export interface LiveSubscriber {
  /** Idle: the keys of its last run that a change touched (never empty). */
  touched(keys: readonly string[]): void;
  /** While it runs: every change, to be checked against the keys of the run once it ends. */
  heardWhileRunning(change: LiveChange): void;
  /** The feed may have missed a change. */
  missed(): void;
  /** The source will tell nothing more. */
  ended(reason: Error): void;
}

/** Live queries in this process, across all sources (AdmitLiveQuery). */
let liveQueries = 0;

/** Live queries a process holds at most unless `maxLiveQueries` says otherwise. */
export const DEFAULT_MAX_LIVE_QUERIES = 20_000;

/**
 * spec: AdmitLiveQuery — a new live query past the process's limit is refused with LIVE_QUERY_LIMIT (the
 * limit is `maxLiveQueries` of the new query's options); otherwise it is counted until it ends.
 */
export function admitLiveQuery(max: number | undefined): GraphQLError | null {
  const limit = max ?? DEFAULT_MAX_LIVE_QUERIES;
  if (!Number.isInteger(limit) || limit < 0) {
    return new GraphQLError(`live.maxLiveQueries must be a non-negative integer; got ${String(max)}.`, { extensions: { code: "BAD_LIVE_QUERY" } });
  }
  if (liveQueries >= limit) {
    return new GraphQLError(
      `This process holds ${liveQueries} live queries, its limit (live.maxLiveQueries = ${limit}); end some, raise the limit or run more processes.`,
      { extensions: { code: "LIVE_QUERY_LIMIT" } },
    );
  }
  liveQueries++;
  return null;
}

/**
 * The keys among `keys` that the changes heard while a run was in flight touch, added to `into` — each key's
 * route looked up once against the union of the changes' routes (a key without a route asks each change's
 * `touches`), so the check costs keys + routes, not keys × changes: a run that heard many writes while it
 * waited on its store does not pay for each against each key.
 */
export function keysTouchedBy(source: LiveSource, changes: ReadonlyArray<{ touches(key: string): boolean; readonly routes?: Iterable<string> }>, keys: Iterable<string>, into: Set<string>): void {
  const routes = new Set<string>();
  for (const change of changes) for (const route of change.routes ?? []) routes.add(route);
  for (const key of keys) {
    const route = source.routeOf?.(key) ?? null;
    if (route !== null ? routes.has(route) : changes.some((change) => change.touches(key))) into.add(key);
  }
}

/** A live query admitted by admitLiveQuery has ended. */
export function releaseLiveQuery(): void {
  liveQueries--;
}

/** How many live queries this process holds now. */
export function liveQueryCount(): number {
  return liveQueries;
}

interface Entry {
  readonly subscriber: LiveSubscriber;
  /** Its id in the route table (RouteTable). */
  readonly id: number;
  running: boolean;
  /**
   * The last run's keys with a route (the run's strings, shared with its state): one flat array, not a map
   * per live query; each key's route is asked of the source again when needed (RetainLiveState keeps a
   * live query small, and a Kvetch names an object's route by its key).
   */
  keys: KeyList;
  /** Keys the source gives no route for: offered every change through `touches`. */
  unrouted: string[];
}

const NONE: string[] = [];

const routers = new WeakMap<LiveSource, LiveRouter>();

/** The router of a source (made on first use), shared by every live query on it. */
export function liveRouterOf(source: LiveSource): LiveRouter {
  let router = routers.get(source);
  if (router === undefined) routers.set(source, (router = new LiveRouter(source)));
  return router;
}

/**
 * spec: MultiplexReruns — the StepCaller of the runs of every live query on a source: the runs one
 * invalidation starts reach each step in the same turn, so the step runs once for all of them (one joint
 * call, cross-request batching's, each run receiving its own entries' values and dependency records).
 */
export function multiplexReruns(source: LiveSource): StepCaller {
  return liveRouterOf(source).batcher.callStep;
}

export class LiveRouter {
  private readonly entries = new Map<LiveSubscriber, Entry>();
  /** Route (its hash) → the idle live queries with a key under it, by entry id (RouteTable). */
  private readonly byRoute = new RouteTable();
  /** Entries by id, and the ids of ended ones to reuse. */
  private readonly byId: Array<Entry | undefined> = [];
  private readonly freeIds: number[] = [];
  /** Idle live queries with a key that has no route, and running ones: offered every change. */
  private readonly offeredAll = new Set<Entry>();
  private stopListening: (() => void) | null = null;
  /** The step calls of every run of the live queries on the source (MultiplexReruns). */
  readonly batcher = new StepBatcher(false);
  /** Changes told to this router and live queries each reached (the routing test counts them). */
  readonly stats = { changes: 0, reached: 0 };

  constructor(private readonly source: LiveSource) {}

  /** Adds a live query, running (its first run): it hears every change until `settle`. */
  add(subscriber: LiveSubscriber): void {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.byId.length;
    const entry: Entry = { subscriber, id, running: true, keys: NONE, unrouted: NONE };
    this.byId[id] = entry;
    this.entries.set(subscriber, entry);
    this.offeredAll.add(entry);
    if (this.stopListening === null) {
      this.stopListening = this.source.onInvalidate((change) => this.routeInvalidation(change), (reason) => this.end(reason));
    }
  }

  /** A live query starts a run: it hears every change until `settle`. */
  running(subscriber: LiveSubscriber): void {
    const entry = this.entries.get(subscriber);
    if (entry === undefined || entry.running) return;
    this.unindex(entry);
    entry.running = true;
    this.offeredAll.add(entry);
  }

  /** A live query's run ended with these keys: it hears only the changes touching them from now on. */
  settle(subscriber: LiveSubscriber, keys: KeyList): void {
    const entry = this.entries.get(subscriber);
    if (entry === undefined) return;
    if (entry.running) this.offeredAll.delete(entry);
    else this.unindex(entry);
    entry.running = false;
    const routed: string[] = [];
    const unrouted: string[] = [];
    const routeOf = this.source.routeOf?.bind(this.source);
    for (const key of keys) {
      const route = routeOf === undefined ? null : routeOf(key);
      if (route === null) {
        unrouted.push(key);
        continue;
      }
      routed.push(key);
      this.byRoute.add(routeHash(route), entry.id);
    }
    // Every key routed: the caller's array itself (a live query keeping keys only holds that one array).
    entry.keys = routed.length === 0 ? NONE : unrouted.length === 0 ? keys : routed;
    entry.unrouted = unrouted.length === 0 ? NONE : unrouted;
    if (entry.unrouted.length > 0) this.offeredAll.add(entry);
  }

  /** The keys a live query is indexed under (the array its state handed to `settle`; tests check it is shared). */
  keysOf(subscriber: LiveSubscriber): KeyList | undefined {
    return this.entries.get(subscriber)?.keys;
  }

  /** A live query ended: it hears nothing more; the source is let go once none is left. */
  remove(subscriber: LiveSubscriber): void {
    const entry = this.entries.get(subscriber);
    if (entry === undefined) return;
    this.entries.delete(subscriber);
    this.offeredAll.delete(entry);
    if (!entry.running) this.unindex(entry);
    this.byId[entry.id] = undefined;
    this.freeIds.push(entry.id);
    if (this.entries.size === 0) this.release();
  }

  private unindex(entry: Entry): void {
    for (const key of entry.keys) {
      const route = this.source.routeOf?.(key) ?? null;
      if (route !== null) this.byRoute.remove(routeHash(route), entry.id);
    }
    entry.keys = NONE;
    if (entry.unrouted.length > 0) this.offeredAll.delete(entry);
  }

  /**
   * spec: RouteInvalidation — a change naming its routes reaches the idle live queries indexed under them
   * (with their keys under those routes); a change without routes, and keys without one, are checked with
   * `touches`; running live queries hear the change itself; null reaches every live query.
   */
  private routeInvalidation(change: LiveChange): void {
    this.stats.changes++;
    if (change === null) {
      for (const entry of [...this.entries.values()]) entry.subscriber.missed();
      this.stats.reached += this.entries.size;
      return;
    }
    const reached = new Map<Entry, string[]>();
    const routes = change.routes;
    if (routes !== undefined) {
      const ids: number[] = [];
      for (const route of routes) {
        ids.length = 0;
        for (const id of this.byRoute.idsOf(routeHash(route), ids)) reachedUnder(this.source, reached, this.byId[id]!, route);
      }
    }
    const running: Entry[] = [];
    for (const entry of this.offeredAll) {
      if (entry.running) {
        running.push(entry);
        continue;
      }
      // Keys without a route (all of them when the change names no routes).
      const keys = routes === undefined ? [...entry.unrouted, ...entry.keys] : entry.unrouted;
      for (const key of keys) {
        if (!change.touches(key)) continue;
        const had = reached.get(entry);
        if (had === undefined) reached.set(entry, [key]);
        else had.push(key);
      }
    }
    if (routes === undefined) {
      // A source without routes: the indexed live queries are checked with touches too.
      for (const entry of this.entries.values()) {
        if (entry.running || entry.keys.length === 0 || reached.has(entry) || this.offeredAll.has(entry)) continue;
        const keys: string[] = [];
        for (const key of entry.keys) if (change.touches(key)) keys.push(key);
        if (keys.length > 0) reached.set(entry, keys);
      }
    }
    this.stats.reached += reached.size + running.length;
    for (const entry of running) entry.subscriber.heardWhileRunning(change);
    for (const [entry, keys] of reached) if (!entry.running) entry.subscriber.touched(keys);
  }

  private end(reason: Error): void {
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.byRoute.clear();
    this.byId.length = 0;
    this.freeIds.length = 0;
    this.offeredAll.clear();
    this.stopListening = null;
    if (routers.get(this.source) === this) routers.delete(this.source);
    for (const entry of entries) entry.subscriber.ended(reason);
  }

  private release(): void {
    const stop = this.stopListening;
    this.stopListening = null;
    if (routers.get(this.source) === this) routers.delete(this.source);
    stop?.();
  }
}

/** Adds an entry's keys under `route` to what a change reached. */
function reachedUnder(source: LiveSource, reached: Map<Entry, string[]>, entry: Entry, route: string): void {
  let had = reached.get(entry);
  for (const key of entry.keys) {
    if (source.routeOf!(key) !== route) continue;
    if (had === undefined) reached.set(entry, (had = []));
    had.push(key);
  }
}
