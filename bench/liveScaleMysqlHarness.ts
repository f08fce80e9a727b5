// Two OS processes on 4 MySQL shards + Redis for live queries at scale (bench/liveScaleMysql.ts, and
// test/integration/live-scale.test.ts at a smaller N): this process holds N live todo views (one per user, a
// user → lists → items), the writer process (bench/liveScaleMysqlWriter.ts, forked) writes item texts at a
// fixed rate, each stamped with the wall clock. Every result a view sends is read for the stamps it shows
// for the first time (write → update latency), for results equal to the one before (duplicates), and for
// stamps shown again after they were first shown (duplicates too). At the end every view's last result is
// compared with a fresh execute on a store without a cache (missed updates). Databases and Redis keys carry a
// per-run name and are dropped / deleted by close().

import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { Session } from "node:inspector/promises";
import { parse, type ExecutionResult } from "graphql";
import { execute, subscribe, type LiveRunInfo } from "../src/index.js";
import { Kvetch, mysqlBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo, type TodoSeed } from "../examples/todo/seed.js";
import { REDIS_URL, benchStore, deleteKeys, dropDatabases, shardUrls } from "./servers.js";
import { liveTextStamp, wallClock, type WriterConfig, type WriterRequest, type WritesDone } from "./liveScaleMysqlWriter.js";

const document = parse(todoViewQuery);
const liveDocument = parse(todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live"));

/** What one write phase measured in the live process. */
export interface WavesMeasured {
  writes: number;
  failedWrites: number;
  /** Writes whose slot the writer started more than 100 ms late. */
  lateStarts: number;
  /** Writes shown by their view (each once). */
  shown: number;
  /** Milliseconds from each shown write's stamp to the live process receiving the result showing it. */
  latencies: number[];
  /** The same from when the write's call returned in the writer (its commit and Redis round trip done). */
  afterCommit: number[];
  /** The same from when this process heard the write's announcement. */
  afterHeard: number[];
  /** Full runs over the phase by their reason (LiveRunInfo.reason). */
  fullRunReasons: Record<string, number>;
  /** Results equal to the view's result before, plus stamps shown again after being shown. */
  duplicates: number;
  /** Seconds from the first write's slot to the last write shown (or to giving up). */
  seconds: number;
  /** Live process CPU over the phase (user + system), in seconds. */
  cpuSeconds: number;
  /** The live process's Kvetch calls over the phase (each joint step call is one). */
  storeCalls: number;
  /** Runs the views made over the phase, by kind. */
  runs: { subtree: number; full: number };
}

/**
 * Used heap and RSS after full GCs (null heap without --expose-gc), with the heap's committed size and memory
 * outside it. `rssForced` is the RSS after the forced full GCs alone; `rss` after one more full GC that also
 * gives the heap's free pages back to the system (V8's "last resort" GC: what its memory reducer does when a
 * process goes idle), so that it counts what is held, not pages V8 keeps pooled for the next allocations.
 */
export async function settledMemory(): Promise<{ heap: number | null; rss: number; rssForced: number; rssCompacted: number; heapTotal: number; external: number }> {
  const gc = (globalThis as { gc?: (options?: object) => void }).gc;
  for (let i = 0; gc !== undefined && i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const rssForced = process.memoryUsage().rss;
  gc?.({ type: "major", execution: "sync", flavor: "last-resort" });
  const { heapUsed, rss, heapTotal, external } = process.memoryUsage();
  // A last-resort GC moves a bounded amount of live objects out of half-empty pages: more of them, until the
  // RSS stops falling (at most 10), give what an idle process's memory reducer would give back over time.
  let rssCompacted = rss;
  for (let i = 0; gc !== undefined && i < 10; i++) {
    gc({ type: "major", execution: "sync", flavor: "last-resort" });
    const now = process.memoryUsage().rss;
    const fell = rssCompacted - now;
    rssCompacted = Math.min(rssCompacted, now);
    if (fell < rssCompacted / 100) break;
  }
  return { heap: gc === undefined ? null : heapUsed, rss, rssForced, rssCompacted, heapTotal, external };
}

const NO_STAMPS: readonly number[] = [];

/** A result's JSON as a short digest: views compare results without keeping their text. */
const digest = (text: string): string => createHash("sha256").update(text).digest("base64");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(done: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; !done(); ) {
    if (Date.now() > end) return false;
    await sleep(10);
  }
  return true;
}

/** The writer process, seen from the live process. */
class Writer {
  private readonly child: ChildProcess;
  private readonly replies: Array<(message: Record<string, unknown>) => void> = [];
  private exited: Promise<void>;

  constructor(config: WriterConfig) {
    const script = fileURLToPath(new URL("./liveScaleMysqlWriter.ts", import.meta.url));
    this.child = fork(script, ["--child", JSON.stringify(config)], { execArgv: ["--import", "tsx"] });
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
    this.child.on("message", (message: Record<string, unknown>) => {
      if (message.started === true) return;
      this.replies.shift()?.(message);
    });
  }

  /** One request, one reply (the writer answers in order: requests are sent one at a time). */
  async ask<T>(request: WriterRequest, field: string): Promise<T> {
    const reply = new Promise<Record<string, unknown>>((resolve) => this.replies.push(resolve));
    this.child.send(request);
    const message: Record<string, unknown> = await Promise.race([reply, this.exited.then(() => ({ error: "the writer process exited" }))]);
    if (typeof message.error === "string") throw new Error(`live-scale writer: ${message.error}`);
    return message[field] as T;
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.connected) this.child.send({ op: "close" } satisfies WriterRequest);
    await Promise.race([this.exited, sleep(5000)]);
    if (this.child.exitCode === null) this.child.kill();
  }
}

/**
 * One live view as the harness holds it: what it measures of the view's results, and the two callbacks a
 * consumer needs (taking the next result, hearing each run), bound once per view — no async loop per view
 * (its suspended generator and registers would count in the memory per live query).
 */
export class View {
  iterator: AsyncGenerator<ExecutionResult> = null!;
  results = 0;
  /** A digest of the last result's `{ data, errors }` JSON (the text itself would count in the memory per live query). */
  lastText = "";
  /** The write indexes the last result shows. */
  shownStamps: readonly number[] = NO_STAMPS;
  /** Runs so far: subtree re-runs and full runs (the first included), and the last run's kind. */
  subtreeRuns = 0;
  fullRuns = 0;
  lastKind: LiveRunInfo["kind"] | null = null;
  readonly onRun: (info: LiveRunInfo) => void;
  private readonly onNext: (step: IteratorResult<ExecutionResult>) => void;

  constructor(
    readonly user: number,
    private readonly scale: LiveScaleMysql,
  ) {
    this.onRun = this.ran.bind(this);
    this.onNext = this.took.bind(this);
  }

  /** Runs of either kind so far. */
  get runs(): number {
    return this.subtreeRuns + this.fullRuns;
  }

  /** Takes results until the iterator ends. */
  pump(): void {
    this.iterator.next().then(this.onNext, () => undefined);
  }

  private took(step: IteratorResult<ExecutionResult>): void {
    if (step.done === true) return;
    this.scale.received(this, step.value, wallClock());
    this.pump();
  }

  private ran(info: LiveRunInfo): void {
    if (info.kind === "subtree") this.subtreeRuns++;
    else this.fullRuns++;
    this.lastKind = info.kind;
    if (info.reason !== undefined) this.scale.fullRunReason(info.reason);
  }
}

export class LiveScaleMysql {
  readonly views: View[] = [];
  /** Every write index ever shown by a view. */
  private readonly shown = new Set<number>();
  /** Write index → when this process received the result first showing it. */
  private shownAt = new Map<number, number>();
  private latencies: number[] = [];
  private duplicates = 0;

  private constructor(
    readonly kvetch: Kvetch,
    readonly seed: TodoSeed,
    private readonly writer: Writer,
    private readonly databases: string[],
    private readonly keyPrefix: string,
  ) {}

  /**
   * Creates the 4 databases of a bench store named `name` (benchStore), seeds `users` users × lists × items from this
   * process, starts the writer, and waits until this process hears the writer's announcements.
   */
  static async open(options: { name: string; users: number; lists?: number; items?: number }): Promise<LiveScaleMysql> {
    const { databases, keyPrefix } = await benchStore(options.name, 4);
    const config: WriterConfig = { shards: shardUrls(databases), redis: { url: REDIS_URL, keyPrefix } };
    const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend(config) });
    let writer: Writer | null = null;
    try {
      await kvetch.migrate();
      // In chunks of users, one after another: one create of 300,000 objects opens enough connections at once
      // for a loaded MySQL to time some of them out.
      const seed: TodoSeed = { userIds: [], listIds: [], itemIds: [] };
      for (let at = 0; at < options.users; at += 500) {
        const part = await seedTodo(kvetch, { users: Math.min(500, options.users - at), listsPerUser: options.lists ?? 5, itemsPerList: options.items ?? 5 });
        seed.userIds.push(...part.userIds);
        seed.listIds.push(...part.listIds);
        seed.itemIds.push(...part.itemIds);
      }
      writer = new Writer(config);
      await writer.ask({ op: "ready" }, "ready");
      // Announcements made before this process's subscription is confirmed are lost: probe until one is heard.
      const probe = "object:00000000-0000-7000-8000-00000000feed";
      let heard = false;
      const stop = kvetch.onInvalidate((change) => void (heard ||= change !== null && change.touches(probe)));
      for (let t = 0; !heard && t < 300; t++) {
        await writer.ask({ op: "invalidate", keys: [probe] }, "invalidated");
        await sleep(10);
      }
      stop();
      if (!heard) throw new Error("live-scale: this process never heard the writer's announcements over Redis");
      return new LiveScaleMysql(kvetch, seed, writer, databases, keyPrefix);
    } catch (error) {
      await writer?.close();
      await kvetch.close();
      await dropDatabases(databases);
      await deleteKeys(keyPrefix);
      throw error;
    }
  }

  /**
   * Subscribes one live todo view per given user index, `chunk` at a time (each chunk's first results all sent
   * before the next starts: 10,000 first runs at once time out connecting to a loaded MySQL); resolves once
   * each has sent its first result. Views whose first result has errors are counted in `firstErrors`.
   */
  async subscribe(users: readonly number[], live: { retainEntries?: number } = {}, chunk = 250): Promise<void> {
    for (let at = 0; at < users.length; at += chunk) await this.subscribeAll(users.slice(at, at + chunk), live);
  }

  /** Full runs after the first, by reason. */
  private readonly reasons = new Map<string, number>();

  /** Views whose first result had errors (a store that did not answer): they are not live until a key moves. */
  firstErrors = 0;

  private async subscribeAll(users: readonly number[], live: { retainEntries?: number }): Promise<void> {
    const start = this.views.length;
    for (const u of users) {
      const view = new View(u, this);
      view.iterator = (await subscribe({
        schema: todoSchema,
        document: liveDocument,
        variableValues: { id: this.seed.userIds[u] },
        contextValue: { kvetch: this.kvetch },
        live: { source: this.kvetch, maxLiveQueries: 1_000_000, onRun: view.onRun, ...live },
      })) as AsyncGenerator<ExecutionResult>;
      this.views.push(view);
      view.pump();
    }
    const added = this.views.slice(start);
    if (!(await until(() => added.every((v) => v.results > 0), 600_000))) throw new Error("live-scale: live views never sent their first result");
  }

  /** A full run after the first, by its reason. */
  fullRunReason(reason: string): void {
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  /** One result a view took. */
  received(view: View, result: ExecutionResult, now: number): void {
    if (view.results++ === 0 && result.errors !== undefined) this.firstErrors++;
    const text = digest(JSON.stringify({ data: result.data, errors: result.errors }));
    if (text === view.lastText) this.duplicates++;
    view.lastText = text;
    const stamps: number[] = [];
    const user = (result.data as { todoUser?: { todoLists?: Array<{ todoItems?: Array<{ text: unknown }> }> } } | null)?.todoUser;
    for (const list of user?.todoLists ?? []) {
      for (const item of list.todoItems ?? []) {
        const stamp = liveTextStamp(item.text);
        if (stamp === null) continue;
        stamps.push(stamp.i);
        if (view.shownStamps.includes(stamp.i)) continue;
        if (this.shown.has(stamp.i)) this.duplicates++;
        else {
          this.latencies.push(now - stamp.stamp);
          this.shownAt.set(stamp.i, now);
        }
        this.shown.add(stamp.i);
      }
    }
    view.shownStamps = stamps.length === 0 ? NO_STAMPS : stamps;
  }

  /** The items of the given views in a seeded random order (each once): what the writer writes. */
  itemsOf(views: readonly number[], seed = 7): string[] {
    const items = views.flatMap((u) => this.seed.itemIds[u]!.flat());
    let rnd = seed;
    for (let i = items.length - 1; i > 0; i--) {
      rnd = (rnd * 1103515245 + 12345) % 2147483648;
      const j = Math.floor((rnd / 2147483648) * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /**
   * The writer writes `perSecond` item texts a second for `seconds` over `items` (see itemsOf); then waits
   * (up to `settleMs`) until every write is shown. What the live process measured over it; with `profile`, a
   * CPU profile of this process over the phase is written there (.cpuprofile).
   */
  async writes(items: readonly string[], perSecond: number, seconds: number, settleMs = 30_000, log?: (line: string) => void, profile?: string): Promise<WavesMeasured> {
    this.latencies = [];
    this.shownAt = new Map();
    this.reasons.clear();
    const shownBefore = this.shown.size;
    const duplicatesBefore = this.duplicates;
    const runsBefore = this.views.map((v) => [v.subtreeRuns, v.fullRuns] as const);
    // When this process heard each write's announcement (its item's tag among the change's routes).
    const writeOf = new Map(items.map((id, i) => [`object:${id.toLowerCase()}`, i]));
    const heardAt = new Map<number, number>();
    const stopHearing = this.kvetch.onInvalidate((change) => {
      const now = wallClock();
      for (const route of change?.routes ?? []) {
        const i = writeOf.get(route);
        if (i !== undefined && !heardAt.has(i)) heardAt.set(i, now);
      }
    });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    this.kvetch.resetCounters();
    const cpu = process.cpuUsage();
    const started = wallClock();
    const progress =
      log === undefined
        ? null
        : setInterval(() => {
            const t = ((wallClock() - started) / 1000).toFixed(0);
            log(`  t=${t}s heard ${heardAt.size} shown ${this.shown.size - shownBefore} store calls ${this.kvetch.counters.calls} event loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms max ${(delay.max / 1e6).toFixed(0)} ms`);
            delay.reset();
          }, 5000);
    const profiler = profile === undefined ? null : new Session();
    if (profiler !== null) {
      profiler.connect();
      await profiler.post("Profiler.enable");
      await profiler.post("Profiler.start");
    }
    let done: WritesDone;
    try {
      done = await this.writer.ask<WritesDone>({ op: "writes", items: [...items], perSecond, seconds }, "done");
      await until(() => this.shown.size - shownBefore >= done.writes - done.failed, settleMs);
    } finally {
      if (progress !== null) clearInterval(progress);
      if (profiler !== null) {
        const { profile: taken } = (await profiler.post("Profiler.stop")) as { profile: object };
        writeFileSync(profile!, JSON.stringify(taken));
        profiler.disconnect();
      }
      delay.disable();
      stopHearing();
    }
    const elapsed = (wallClock() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const runs = { subtree: 0, full: 0 };
    this.views.forEach((v, i) => {
      runs.subtree += v.subtreeRuns - runsBefore[i]![0];
      runs.full += v.fullRuns - runsBefore[i]![1];
    });
    return {
      writes: done.writes,
      failedWrites: done.failed,
      lateStarts: done.lateStarts,
      shown: this.shown.size - shownBefore,
      latencies: this.latencies,
      afterCommit: [...this.shownAt].flatMap(([i, at]) => (done.committed[i] == null ? [] : [at - done.committed[i]!])),
      afterHeard: [...this.shownAt].flatMap(([i, at]) => (heardAt.has(i) ? [at - heardAt.get(i)!] : [])),
      fullRunReasons: Object.fromEntries(this.reasons),
      duplicates: this.duplicates - duplicatesBefore,
      seconds: elapsed,
      cpuSeconds: (used.user + used.system) / 1e6,
      storeCalls: this.kvetch.counters.calls,
      runs,
    };
  }

  /** One invalidateDependency call from the writer process naming all `keys`. */
  invalidate(keys: readonly string[]): Promise<number> {
    return this.writer.ask({ op: "invalidate", keys: [...keys] }, "invalidated");
  }

  /**
   * How many views' last results differ from a fresh execute of the same view on a store reading the
   * shards without a cache (`concurrency` executes at a time).
   */
  async mismatches(concurrency = 20): Promise<number> {
    // Few connections (a shared MySQL has a connection limit); a view whose execute fails is tried again.
    const fresh = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(this.databases), poolSize: 2 }) });
    let mismatched = 0;
    try {
      for (let at = 0; at < this.views.length; at += concurrency) {
        const batch = this.views.slice(at, at + concurrency).map(async (view) => {
          let result = await execute({ schema: todoSchema, document, variableValues: { id: this.seed.userIds[view.user] }, contextValue: { kvetch: fresh } });
          for (let retry = 0; result.errors !== undefined && retry < 5; retry++) {
            await sleep(1000);
            result = await execute({ schema: todoSchema, document, variableValues: { id: this.seed.userIds[view.user] }, contextValue: { kvetch: fresh } });
          }
          if (digest(JSON.stringify({ data: result.data, errors: result.errors })) !== view.lastText) mismatched++;
        });
        await Promise.all(batch);
      }
    } finally {
      await fresh.close();
    }
    return mismatched;
  }

  /** Ends the live views (their iterators). */
  async unsubscribe(): Promise<void> {
    await Promise.all(this.views.map((v) => v.iterator.return(undefined)));
    this.views.length = 0;
  }

  /** Ends everything and drops the databases and Redis keys of this run. */
  async close(): Promise<void> {
    try {
      await this.unsubscribe();
      await this.writer.close();
      await this.kvetch.close();
    } finally {
      await dropDatabases(this.databases);
      await deleteKeys(this.keyPrefix);
    }
  }
}
