// The HTTP bench's driver (`npm run bench -- --http`): for each shape and server library it starts one server
// process per engine (bench/http/server.ts), checks each server's answer against graphql-js's in-process
// answer and the engines' answers against one another, warms each up, then drives each with autocannon at
// each connection count, engines interleaved, in fresh server processes every round. Per run: requests/s,
// p50/p99 latency, the server's RSS and CPU time per request (its process.cpuUsage delta ÷ responses), and
// every failed response (errors, timeouts, non-2xx, body not equal to the checked one). Returns the runs and
// the table of their medians (bench/measuredTable.ts); with `amount` each run is that many requests (a test's
// quick mode: counts, never times).

import { spawn, type ChildProcess } from "node:child_process";
import autocannon from "autocannon";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { firstDifference } from "../scenario.js";
import { median } from "../median.js";
import { MYSQL, REDIS_URL, benchStore, deleteKeys, dropDatabases, reachable, shardUrls } from "../servers.js";
import type { MeasuredTable } from "../measuredTable.js";
import { ENGINE_NAMES, LIBRARY_NAMES, SHAPE_NAMES, TODO_ITEMS, TODO_LISTS, type EngineKey, type Library, type ServerConfig, type ShapeKey } from "./app.js";
import type { Driven, ServerMessage } from "./server.js";

export interface HttpBenchOptions {
  shapes: readonly ShapeKey[];
  libraries: readonly Library[];
  engines: readonly EngineKey[];
  connections: readonly number[];
  /** Rounds, each in fresh server processes; the table reports medians over them. */
  rounds: number;
  /** Seconds of each measured run and of each server's warm-up (ignored with `amount`). */
  durationSec: number;
  warmupSec: number;
  /** Requests per run instead of a duration (no warm-up): the quick mode. */
  amount?: number;
  /** How to start a server process: node arguments before the config (a bundle, or `--import tsx` and the source). */
  serverCommand: readonly string[];
  log?: (line: string) => void;
  /** Called at the start of each round (the bench records the load average there). */
  onRound?: (round: number) => void;
  /**
   * Side by side: the engines' servers are driven at once, each by a load generator process of its own, so
   * that every engine meets the same load from the machine's other work (their requests/s then share the cores).
   */
  sideBySide?: boolean;
  /**
   * CPU pinning (`taskset -c`): the servers on the `server` cores, the load generators (autocannon, then always
   * in a process of its own) on the `driver` cores, so that a server and its load generator never take turns on
   * one core. Off when absent.
   */
  pin?: { server: string; driver: string };
}

/** One autocannon run against one server. */
export interface HttpRun {
  round: number;
  shape: ShapeKey;
  library: Library;
  engine: EngineKey;
  connections: number;
  /** Responses received (2xx and not). */
  responses: number;
  ok: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  rssMB: number;
  /** Server CPU time over the run (until its last request was answered) ÷ the requests the server answered in it. */
  cpuMsPerRequest: number;
  /** Requests the server answered during the run, those the driver stopped waiting for included. */
  handled: number;
  /** Plans graphscale built during the run (its plan was built by the first request, before the run): 0 for every run. */
  plansBuilt: number;
  /** Kvetch API calls during the run ÷ the requests answered (the todo shapes; 0 for the small query): 5 a todo view unless requests share calls. */
  storeCallsPerRequest: number;
  /** Connection errors, timeouts, non-2xx responses and 2xx responses whose body was not the checked one. */
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
}

interface ServerHandle {
  engine: EngineKey;
  child: ChildProcess;
  url: string;
  body: string;
  expected: unknown;
  /** The exact response text every request must get (checked equal to `expected` as JSON first). */
  expectBody: string;
  stats(): Promise<{ cpuMs: number; rss: number; handled: number; plansBuilt: number; storeCalls: number }>;
  close(): Promise<void>;
}

/** `node …args`, or with `cores` `taskset -c cores node …args` (taskset runs node in its own process, pinned). */
function spawnNode(args: readonly string[], cores: string | undefined, env?: NodeJS.ProcessEnv): ChildProcess {
  const options = { stdio: ["ignore", "inherit", "inherit", "ipc"] as ("ignore" | "inherit" | "ipc")[], ...(env ? { env } : {}) };
  return cores === undefined ? spawn(process.execPath, args, options) : spawn("taskset", ["-c", cores, process.execPath, ...args], options);
}

function startServer(config: ServerConfig, command: readonly string[], cores?: string): Promise<ServerHandle> {
  // NODE_ENV=production, as a deployed server runs: graphql-js and Yoga leave their development checks out.
  const env = { ...process.env, NODE_ENV: "production" };
  const child = spawnNode([...command, JSON.stringify(config)], cores, env);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const next = (type: ServerMessage["type"]): Promise<ServerMessage> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: ServerMessage) => {
        if (m.type !== type && m.type !== "error") return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        if (m.type === "error") reject(new Error(`http bench: the ${config.library} server with ${config.engine} (${config.shape}) failed: ${m.message}`));
        else resolve(m);
      };
      const onExit = (code: number | null) => {
        child.off("message", onMessage);
        reject(new Error(`http bench: the ${config.library} server with ${config.engine} (${config.shape}) exited (code ${code}) before answering "${type}"`));
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  return next("ready").then((ready) => {
    if (ready.type !== "ready") throw new Error("unreachable");
    return {
      engine: config.engine,
      child,
      url: `http://127.0.0.1:${ready.port}/graphql`,
      body: JSON.stringify(ready.body),
      expected: ready.expected,
      expectBody: "",
      async stats() {
        const reply = next("stats");
        child.send({ type: "stats" });
        const m = await reply;
        if (m.type !== "stats") throw new Error("unreachable");
        return { cpuMs: m.cpuMs, rss: m.rss, handled: m.handled, plansBuilt: m.plansBuilt, storeCalls: m.storeCalls };
      },
      async close() {
        if (child.exitCode === null && child.connected) child.send({ type: "close" });
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      },
    };
  });
}

/** A load generator process of the side-by-side mode: runs autocannon with the options it is sent. */
interface DriverHandle {
  drive(options: autocannon.Options): Promise<Driven>;
  close(): void;
}

function startDriver(command: readonly string[], cores?: string): Promise<DriverHandle> {
  const child = spawnNode([...command, JSON.stringify({ role: "driver" })], cores);
  const next = (): Promise<ServerMessage> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`http bench: a load generator process exited (code ${code})`));
      child.once("message", (m: ServerMessage) => {
        child.off("exit", onExit);
        if (m.type === "error") reject(new Error(`http bench: a load generator failed: ${m.message}`));
        else resolve(m);
      });
      child.once("exit", onExit);
    });
  return next().then(() => ({
    async drive(options) {
      const reply = next();
      child.send({ type: "drive", options });
      const m = await reply;
      if (m.type !== "driven") throw new Error("unreachable");
      return m.result;
    },
    close() {
      if (child.exitCode === null && child.connected) child.send({ type: "close" });
      else child.kill("SIGKILL");
    },
  }));
}

const HEADERS = { "content-type": "application/json", accept: "application/json" };

/** One request outside autocannon: the server's answer, checked equal to graphql-js's; returns its exact text. */
async function checkedBody(server: ServerHandle, label: string): Promise<string> {
  const response = await fetch(server.url, { method: "POST", headers: HEADERS, body: server.body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`http bench: ${label} answered ${response.status}: ${text.slice(0, 300)}`);
  const diff = firstDifference(server.expected, JSON.parse(text));
  if (diff !== null) throw new Error(`http bench: ${label} answered differently from graphql-js in-process, first at ${diff}: ${text.slice(0, 300)}`);
  return text;
}

/** Drives `server` from this process, or from its own load generator process (side by side). */
function drive(server: ServerHandle, connections: number, options: HttpBenchOptions, seconds: number, driver?: DriverHandle): Promise<Driven> {
  return (driver ? driver.drive : autocannon)({
    url: server.url,
    method: "POST",
    headers: HEADERS,
    body: server.body,
    connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: seconds }),
    expectBody: server.expectBody,
    timeout: 30,
  });
}

type RunKey = Pick<HttpRun, "round" | "shape" | "library" | "engine" | "connections">;

async function measure(server: ServerHandle, run: RunKey, options: HttpBenchOptions, driver?: DriverHandle): Promise<HttpRun> {
  const before = await server.stats();
  const result = await drive(server, run.connections, options, options.durationSec, driver);
  const after = await server.stats();
  const responses = result["2xx"] + result.non2xx;
  return {
    ...run,
    responses,
    ok: result["2xx"] - result.mismatches,
    requestsPerSecond: responses / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    rssMB: after.rss / 1e6,
    cpuMsPerRequest: after.handled > before.handled ? (after.cpuMs - before.cpuMs) / (after.handled - before.handled) : 0,
    handled: after.handled - before.handled,
    plansBuilt: after.plansBuilt - before.plansBuilt,
    storeCallsPerRequest: after.handled > before.handled ? (after.storeCalls - before.storeCalls) / (after.handled - before.handled) : 0,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
  };
}

/** The shard databases and cache prefix of the MySQL shape: seeded once, dropped at the end. */
interface MysqlStore {
  databases: string[];
  redisKeyPrefix: string;
  userId: string;
}

async function seedMysql(): Promise<MysqlStore> {
  const { databases, keyPrefix: redisKeyPrefix } = await benchStore("http", 4);
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis: { url: REDIS_URL, keyPrefix: redisKeyPrefix } }) });
  try {
    await kvetch.migrate();
    const seed = await seedTodo(kvetch, { users: 1, listsPerUser: TODO_LISTS, itemsPerList: TODO_ITEMS });
    return { databases, redisKeyPrefix, userId: seed.userIds[0]! };
  } finally {
    await kvetch.close();
  }
}

/** Runs every shape × library × engine × connection count, `rounds` times; every server process is closed at the end. */
export async function runHttpBench(options: HttpBenchOptions): Promise<HttpRun[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  let shapes = [...options.shapes];
  let store: MysqlStore | null = null;
  const runs: HttpRun[] = [];
  const live = new Set<ServerHandle>();
  const drivers: DriverHandle[] = [];
  // Interrupted (Ctrl-C): the server processes go, and the shared MySQL server and Redis keep nothing of the run.
  const interrupted = (signal: NodeJS.Signals) => {
    for (const s of live) s.child.kill("SIGKILL");
    const drop = store === null ? Promise.resolve() : Promise.all([dropDatabases(store.databases), deleteKeys(store.redisKeyPrefix)]);
    void drop.finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    if (shapes.includes("todo-mysql")) {
      const [mysqlUp, redisUp] = await Promise.all([reachable(MYSQL.host, MYSQL.port), reachable("127.0.0.1", 6379)]);
      if (mysqlUp && redisUp) store = await seedMysql();
      else {
        log(`http bench: MySQL (${MYSQL.host}:${MYSQL.port}) or Redis (${REDIS_URL}) does not answer: the MySQL + Redis shape is left out`);
        shapes = shapes.filter((s) => s !== "todo-mysql");
      }
    }
    // Side by side: a load generator process per engine; pinned: one (sequential) or one per engine, on the driver cores.
    if (options.sideBySide || options.pin) {
      for (const _ of options.sideBySide ? options.engines : [null]) drivers.push(await startDriver(options.serverCommand, options.pin?.driver));
    }
    for (let round = 0; round < options.rounds; round++) {
      options.onRound?.(round);
      for (const shape of shapes) {
        for (const library of options.libraries) {
          // Each round starts with a different engine, so no engine always runs first after a start.
          const engines = options.engines.map((_, i) => options.engines[(i + round) % options.engines.length]!);
          const servers: ServerHandle[] = [];
          try {
            try {
              for (const engine of engines) {
                const server = await startServer({ library, engine, shape, ...(shape === "todo-mysql" ? store! : {}) }, options.serverCommand, options.pin?.server);
                servers.push(server);
                live.add(server);
              }
            } catch (error) {
              // A MySQL server shared with other work may be at its connection limit for a while: this group
              // sits this round out (its rows have one round fewer) instead of ending the whole bench.
              if (!/Too many connections/.test(String(error))) throw error;
              log(`  [round ${round + 1}] ${LIBRARY_NAMES[library]} · ${SHAPE_NAMES[shape]}: left out of this round (MySQL refused a connection: too many connections)`);
              continue;
            }
            let reference: { engine: EngineKey; body: unknown } | null = null;
            for (const server of servers) {
              const label = `${LIBRARY_NAMES[library]} with ${ENGINE_NAMES[server.engine]} (${SHAPE_NAMES[shape]})`;
              server.expectBody = await checkedBody(server, label);
              const body = JSON.parse(server.expectBody) as unknown;
              const diff = reference === null ? null : firstDifference(reference.body, body);
              if (diff !== null) throw new Error(`http bench: ${label} answered differently from ${ENGINE_NAMES[reference!.engine]}, first at ${diff}`);
              reference ??= { engine: server.engine, body };
              if (options.amount === undefined && !options.sideBySide) await drive(server, options.connections[0]!, options, options.warmupSec, drivers[0]);
            }
            if (options.amount === undefined && options.sideBySide) {
              await Promise.all(servers.map((server, i) => drive(server, options.connections[0]!, options, options.warmupSec, drivers[i])));
            }
            for (const connections of options.connections) {
              // Side by side: every engine's run at once; otherwise one after another.
              const measured = options.sideBySide
                ? await Promise.all(servers.map((server, i) => measure(server, { round, shape, library, engine: server.engine, connections }, options, drivers[i])))
                : [];
              for (const server of servers) {
                const run = measured.find((r) => r.engine === server.engine) ?? (await measure(server, { round, shape, library, engine: server.engine, connections }, options, drivers[0]));
                runs.push(run);
                log(
                  `  [round ${round + 1}] ${LIBRARY_NAMES[library]} · ${SHAPE_NAMES[shape]} · ${connections} conn · ${ENGINE_NAMES[run.engine]}: ` +
                    `${Math.round(run.requestsPerSecond)} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, RSS ${run.rssMB.toFixed(0)} MB, ` +
                    `${run.cpuMsPerRequest.toFixed(3)} CPU ms/req, ${run.responses} responses (${run.handled} answered, ${run.plansBuilt} plans built${run.storeCallsPerRequest > 0 ? `, ${run.storeCallsPerRequest.toFixed(2)} store calls/req` : ""}), failed: ${run.errors} errors, ${run.timeouts} timeouts, ${run.non2xx} non-2xx, ${run.mismatches} wrong bodies`,
                );
              }
            }
          } finally {
            await Promise.all(servers.map((s) => s.close()));
            for (const s of servers) live.delete(s);
          }
        }
      }
    }
  } finally {
    for (const d of drivers) d.close();
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    if (store !== null) await cleanUp(store);
  }
  return runs;
}

/** Drops the run's shard databases and cache keys, retried: a shared MySQL server at its connection limit refuses for a while. */
async function cleanUp(store: MysqlStore): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await dropDatabases(store.databases);
      await deleteKeys(store.redisKeyPrefix);
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
}

/** What the runs say of graphscale's plan cache under load: the plans it built while measured (none expected). */
function planNote(runs: readonly HttpRun[]): string {
  const ours = runs.filter((r) => r.engine === "graphscale");
  const built = ours.reduce((n, r) => n + r.plansBuilt, 0);
  const answered = ours.reduce((n, r) => n + r.handled, 0);
  return `graphscale built ${built} plan${built === 1 ? "" : "s"} during its ${ours.length} measured runs (${answered.toLocaleString("en-US")} requests answered): each server's plan was built by its first, checked request, and every measured request reused it.`;
}

/** The runs as a table: one row per shape × library × connections × engine, medians over the rounds. */
export function httpTable(runs: readonly HttpRun[], options: Pick<HttpBenchOptions, "durationSec" | "warmupSec" | "rounds" | "sideBySide" | "pin">): MeasuredTable {
  const groups = new Map<string, HttpRun[]>();
  for (const r of runs) {
    const key = `${r.shape}\u0000${r.library}\u0000${r.connections}\u0000${r.engine}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: MeasuredTable["rows"] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    // graphscale's requests/s over this engine's, and this engine's CPU per request over graphscale's, per round
    // (same library, shape, connections, round).
    const ours = (r: HttpRun) => runs.find((o) => o.engine === "graphscale" && o.round === r.round && o.shape === r.shape && o.library === r.library && o.connections === r.connections);
    const ratios = group.flatMap((r) => (ours(r) ? [ours(r)!.requestsPerSecond / r.requestsPerSecond] : []));
    const cpuRatios = group.flatMap((r) => (ours(r) ? [r.cpuMsPerRequest / ours(r)!.cpuMsPerRequest] : []));
    const columns = [
      group.map((r) => r.requestsPerSecond),
      ratios,
      cpuRatios,
      group.map((r) => r.p50Ms),
      group.map((r) => r.p99Ms),
      group.map((r) => r.cpuMsPerRequest),
      group.map((r) => r.rssMB),
    ];
    const failed = group.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx + r.mismatches, 0);
    rows.push({
      label: `${SHAPE_NAMES[first.shape]} · ${LIBRARY_NAMES[first.library]} · ${first.connections} conn · ${ENGINE_NAMES[first.engine]}`,
      values: [...columns.map((c) => (c.length > 0 ? median(c) : Number.NaN)), failed],
      runs: [...columns, []],
    });
  }
  return {
    id: "http",
    title: "The HTTP edge: graphql-http and GraphQL Yoga with each engine, driven by autocannon",
    description:
      `Each server in an OS process of its own (NODE_ENV=production; node:http; graphql-http's \`createHandler\` with the engine's execute; Yoga with its defaults, \`useGraphscale\` for graphscale, an \`onExecute\` plugin for graphql-jit, its own graphql-js engine for DataLoader; graphscale twice: with its plain \`execute\`, and with one \`createBatchedExecute({ schema, windowMs: 0 })\` for the server's life, through which concurrent requests started in one turn of the event loop share their step calls; spec/serving.md tabulates the setups), POST /graphql with a JSON body, keep-alive connections from autocannon (in the driving process; side by side, in a process of its own per server). ` +
      (options.pin
        ? `Pinned with taskset: every server process on core ${options.pin.server}, the load generators (autocannon, in a process of their own) on core ${options.pin.driver}, so a server never waits for its load generator's turn on a core. `
        : "") +
      "graphql-jit compiles each query once per document object with its default compiler options (its `stringify` is then `JSON.stringify`, so a result's `stringify`, which Yoga honours, would change nothing). " +
      `Shapes: the todo view (1 user → ${TODO_LISTS} lists → ${TODO_ITEMS} items; graphscale's plans, graphql-js with per-request DataLoaders, graphql-jit compiling the same DataLoader resolvers) on the memory backend (4 shards, in the server process) and on 4 MySQL shard databases + Redis (seeded once, shared by the servers, cache warm); the CPU table's small query (no store). ` +
      `graphql-http parses and validates through a per-query-text cache for every engine alike (Yoga caches both by default). ` +
      `Each round starts fresh server processes, checks each server's answer equal to graphql-js's in-process answer and to the other engines', ` +
      (options.sideBySide
        ? `then, side by side, drives every engine's server at once, each by an autocannon process of its own (the engines meet the same load from the machine's other work and share its cores): a ${options.warmupSec} s warm-up, then ${options.durationSec} s per connection count; ${options.rounds} rounds. `
        : `warms each up for ${options.warmupSec} s, then runs autocannon for ${options.durationSec} s per engine and connection count, engines interleaved (the first engine rotates per round); ${options.rounds} rounds. `) +
      "Requests/s: responses ÷ seconds; p50/p99: autocannon's latency percentiles; CPU ms/request: the server process's `process.cpuUsage()` delta from before the run until its last request in flight was answered ÷ the requests it answered (counted by the server); RSS: the server's after the run; store calls (printed per run, in bench/results/http.json): the server's Kvetch API calls ÷ the requests it answered (5 a todo view unless requests share calls). Failed: connection errors, timeouts, non-2xx and bodies not byte-equal to the checked answer, summed over the rounds.",
    rowHeading: "Shape · server · connections · engine",
    columns: [
      { title: "requests/s", format: "rate" },
      { title: "graphscale ÷ this (requests/s)", format: "ratio" },
      { title: "graphscale ÷ this (requests per server CPU second)", format: "ratio" },
      { title: "p50 (ms)", format: "ms" },
      { title: "p99 (ms)", format: "ms" },
      { title: "server CPU ms/request", format: "perRequest" },
      { title: "server RSS (MB)", format: "count" },
      { title: "failed responses", format: "count" },
    ],
    rows,
    notes: [
      planNote(runs),
      options.sideBySide
        ? "The load generators and the servers share the machine's cores (and the machine is shared with other work): requests/s is what each server gets beside the others and their load generators, so it is not a server's throughput alone; the ratios, measured in the same seconds, are the comparison."
        : options.pin
          ? `Each server had core ${options.pin.server} to itself apart from the machine's other work, its load generator core ${options.pin.driver}: requests/s is then close to one core's worth of that server (the shared MySQL server and Redis, and other work, still run on either core); the ratios within one server library and one round are the comparison.`
          : "The driver and the servers share the machine's cores (and the machine is shared with other work): requests/s is what one server process gets beside its load generator, the ratios within one server library and one round are the comparison.",
      "CPU ms/request is the server's own CPU time, much less sensitive to how the cores were shared than requests/s; it is the engine plus the server library plus JSON. Its ratio (this engine's CPU ms/request ÷ graphscale's) is how many more requests graphscale serves per CPU second.",
      "Where a server's CPU goes (`npx tsx bench/http/profile.ts --library=… --engine=… --shape=…`): behind graphql-http, most of it is Node's HTTP parsing and socket writes and graphql-http itself, the engine a few percent on the small query, so engines within a few percent of each other per request there; on the todo view, Kvetch, the MySQL and Redis clients and GC are shared by every engine, and graphql-js's execution and its garbage are what graphscale saves. Behind Yoga, Yoga's fetch layer (@whatwg-node), Node streams and GC take most of each request, and the engines' differences shrink accordingly: Yoga's own work per request is the same for every engine, and each engine's execution costs more behind Yoga than behind graphql-http (graphscale's todo view about twice, DataLoader's about 1.8 times, in one process without sockets), with Yoga's scavenges several times longer (spec/serving.md).",
    ],
    date: new Date().toISOString(),
    processes: options.rounds,
  };
}
