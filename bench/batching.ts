// Cross-request batching: 200 concurrent todo-view requests for 200 distinct users (1 user → 10 lists → 5
// items each) on the Kvetch memory backend, 4 shards, 1 ms per shard round trip — through plain `execute`
// and through `createBatchedExecute` (windowMs 0: the burst's own turn of the event loop; windowMs 1: a 1 ms
// timer from each burst's first request). Per engine: store calls per request, throughput (the 200 requests ÷
// the wall time of the burst) and each request's latency (p50, p99). Bursts alternate between the engines;
// results are checked equal before anything is timed. `npx tsx bench/batching.ts` prints one process's
// table; `npm run bench` takes the medians over its processes and writes bench/results/batching.json.
// On the memory backend the burst is CPU-bound: 200 requests' round trips wait their 1 ms side by side, so
// what batching can save is per-call work (store calls, shard round trips, timers), not the per-row work.
// The last row takes the requests out altogether: one request carrying all 200 views (`todoUsers(ids:)`, the
// same plans under a list of ids) reads the same rows with no per-request work — the bound for the batching
// executor, which runs a window's requests as one bucket but still prepares and answers each by itself.
// When the local MySQL server answers, the same rows are measured again on 4 MySQL shards without a cache.

import { performance } from "node:perf_hooks";
import { parse, type ExecutionResult, type GraphQLSchema } from "graphql";
import { createBatchedExecute, execute, makeSchema, type FieldArgs, type GraphscaleExecutionArgs, type Step } from "../src/index.js";
import { Kvetch, memoryBackend, mysqlBackend } from "../src/kvetch/index.js";
import { each } from "../steps/index.js";
import { loadObject } from "../steps/kvetch/index.js";
import { todoKvetchSchema, todoPlans, todoSchema, todoTypeDefs, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo } from "../examples/todo/seed.js";
import { median } from "./median.js";
import { publishTable, type MeasuredTable } from "./measuredTable.js";
import { MYSQL, benchStore, dropDatabases, reachable, shardUrls } from "./servers.js";

export const BATCHING_REQUESTS = 200;
export const BATCHING_LATENCY_MS = 1;
const SHARDS = 4;
/** Untimed bursts per engine (alternating) before the timed ones, so both engines are measured warm. */
const WARMUP_BURSTS = 5;


/** The value below which `p` of the sorted samples fall (nearest rank). */
const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
};

type Run = (args: GraphscaleExecutionArgs) => Promise<ExecutionResult> | ExecutionResult;

/**
 * The todo schema with one more root field, `todoUsers(ids: [ID!]!): [User]!`, planned as the view's
 * `todoUser` over each id: one request then carries every user's view through the same plans, once.
 */
export function makeTodoUsersSchema(): GraphQLSchema {
  return makeSchema({
    typeDefs: `${todoTypeDefs}\nextend type Query { todoUsers(ids: [ID!]!): [User]! }\n`,
    planContext: { kvetchSchema: todoKvetchSchema },
    plans: {
      ...todoPlans,
      Query: { ...todoPlans.Query, todoUsers: (_$root: Step, args: FieldArgs) => each(args.get("ids"), ($id) => loadObject("User", $id)) },
    },
  });
}

/** The view query over a list of ids: `todoViewQuery`'s selection under `todoUsers(ids: $ids)`. */
export const todoUsersQuery = todoViewQuery.replace("query TodoView($id: ID!)", "query TodoViews($ids: [ID!]!)").replace("todoUser(id: $id)", "todoUsers(ids: $ids)");
if (!todoUsersQuery.includes("todoUsers(ids: $ids)") || todoUsersQuery.includes("$id:")) {
  throw new Error("bench/batching.ts: todoViewQuery no longer has the shape todoUsersQuery is derived from; update the replacements");
}

/**
 * One burst as a single request for every user's view: its wall time, the request's latency once per view
 * (each view waits for the whole request), and the results unpacked per view, shaped as the view's own.
 */
export async function oneRequestBurst(args: GraphscaleExecutionArgs): Promise<{ wallMs: number; latencies: number[]; results: ExecutionResult[] }> {
  const started = performance.now();
  const result = await execute(args);
  const wallMs = performance.now() - started;
  if (result.errors !== undefined) throw new Error(`batching: the one request for all views failed: ${JSON.stringify(result.errors)}`);
  const views = (result.data as { todoUsers: unknown[] }).todoUsers;
  return { wallMs, latencies: new Array<number>(views.length).fill(wallMs), results: views.map((todoUser) => ({ data: { todoUser } })) };
}

/** One burst: every request started in one synchronous pass; each request's own latency, and the burst's wall time. */
async function burst(run: Run, argsOf: (i: number) => GraphscaleExecutionArgs): Promise<{ wallMs: number; latencies: number[]; results: ExecutionResult[] }> {
  const latencies = new Array<number>(BATCHING_REQUESTS);
  const started = performance.now();
  const pending: Array<Promise<ExecutionResult>> = [];
  for (let i = 0; i < BATCHING_REQUESTS; i++) {
    const t0 = performance.now();
    pending.push(
      Promise.resolve(run(argsOf(i))).then((result) => {
        latencies[i] = performance.now() - t0;
        return result;
      }),
    );
  }
  const results = await Promise.all(pending);
  return { wallMs: performance.now() - started, latencies, results };
}

/** A table row: the engine's store calls per request, throughput, p50, p99 (the ratio is added after). */
interface Row {
  label: string;
  values: number[];
}

/**
 * One backend's rows: plain `execute` and `createBatchedExecute` over the seeded users' todo views, checked
 * equal and counted on one burst each, then WARMUP_BURSTS untimed and `bursts` timed bursts per engine,
 * engines alternating (order rotated by `offset`). The last value of each row is its throughput ÷ this
 * backend's `execute`.
 */
async function measureBackend(kvetch: Kvetch, userIds: readonly string[], where: string, options: { bursts: number; offset: number }): Promise<Row[]> {
  const document = parse(todoViewQuery);
  const contextValue = { kvetch };
  const argsOf = (i: number): GraphscaleExecutionArgs => ({ schema: todoSchema, document, variableValues: { id: userIds[i]! }, contextValue });
  // windowMs 0 closes a window at the end of the event loop's turn: the burst, started in one pass, is one
  // window. windowMs 1 holds each burst's calls for a 1 ms timer first.
  const sameTurn = createBatchedExecute({ schema: todoSchema, windowMs: 0 });
  const batched = createBatchedExecute({ schema: todoSchema, windowMs: 1 });
  const allViews: GraphscaleExecutionArgs = { schema: makeTodoUsersSchema(), document: parse(todoUsersQuery), variableValues: { ids: userIds.slice(0, BATCHING_REQUESTS) }, contextValue };
  const engines: Array<{ name: string; burst: () => ReturnType<typeof burst> }> = [
    { name: `execute (each request alone)${where}`, burst: () => burst(execute, argsOf) },
    { name: `createBatchedExecute (windowMs 0)${where}`, burst: () => burst(sameTurn, argsOf) },
    { name: `createBatchedExecute (windowMs 1)${where}`, burst: () => burst(batched, argsOf) },
    { name: `one request for all ${BATCHING_REQUESTS} views${where}`, burst: () => oneRequestBurst(allViews) },
  ];
  const calls: number[] = [];
  const checked: string[] = [];
  for (const engine of engines) {
    kvetch.resetCounters();
    const { results } = await engine.burst();
    calls.push(kvetch.counters.calls / BATCHING_REQUESTS);
    if (results.some((r) => r.errors !== undefined)) throw new Error(`${engine.name}: a request failed: ${JSON.stringify(results.find((r) => r.errors))}`);
    checked.push(JSON.stringify(results));
  }
  for (let k = 1; k < engines.length; k++) if (checked[k] !== checked[0]) throw new Error(`batching${where}: ${engines[k]!.name} gives other results than execute`);
  for (let b = 0; b < WARMUP_BURSTS; b++) for (const engine of engines) await engine.burst();
  const walls = engines.map(() => [] as number[]);
  const latencies = engines.map(() => [] as number[]);
  for (let b = 0; b < options.bursts; b++) {
    for (let k = 0; k < engines.length; k++) {
      const i = (k + b + options.offset) % engines.length;
      const { wallMs, latencies: own } = await engines[i]!.burst();
      walls[i]!.push(wallMs);
      latencies[i]!.push(...own);
    }
  }
  const rows = engines.map((e, i) => ({
    label: e.name,
    values: [calls[i]!, (BATCHING_REQUESTS * 1000) / median(walls[i]!), percentile(latencies[i]!, 0.5), percentile(latencies[i]!, 0.99)],
  }));
  for (const row of rows) row.values.push(row.values[1]! / rows[0]!.values[1]!);
  return rows;
}

/** The memory backend's rows, then (when the local MySQL server answers) the same on 4 MySQL shards without a cache. */
export async function runBatchingScenario(options: { bursts: number; offset: number }): Promise<MeasuredTable> {
  const rows: Row[] = [];
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: SHARDS, latencyMs: BATCHING_LATENCY_MS }) });
  try {
    await kvetch.migrate();
    const seed = await seedTodo(kvetch, { users: BATCHING_REQUESTS, listsPerUser: 10, itemsPerList: 5 });
    rows.push(...(await measureBackend(kvetch, seed.userIds, "", options)));
  } finally {
    await kvetch.close();
  }
  const notes = [
    "The memory backend's round trips wait side by side, so a burst's wall time there is CPU time, most of it spent on per-row work (decoding rows, building items and the response) that is the same for both engines. Batching removes per-call work: store calls, shard round trips and their timers.",
    "windowMs 0 closes a window at the end of the event loop's turn, so the burst (started in one pass) is one window and waits for no timer; windowMs 1 holds a burst's first store calls for a 1 ms timer from its first request. The two differ by less than the run-to-run noise.",
    `"One request for all ${BATCHING_REQUESTS} views" reads the same rows through the same plans with no per-request work at all (one request, one bucket, one response). The batching executor runs each window's requests as one bucket too (AdoptWindow, spec/cross-request-batching.md); its distance from the one request is what each request still does by itself: its preparation and variables, the steps that read it, its own response, and the garbage they leave.`,
  ];
  if (await reachable(MYSQL.host, MYSQL.port)) {
    rows.push(...(await mysqlRows(options)));
    notes.push(
      `On MySQL (no cache) the shards do the work per query, as in production, with the pools' default settings: the ${BATCHING_REQUESTS} concurrent requests' calls beyond a shard's connections wait their turn in their requests' lanes (admission), while batched they send a handful of queries.`,
    );
  } else {
    console.log("batching: the MySQL rows are SKIPPED — MySQL (127.0.0.1:3306) is not reachable; `npm run services` starts it");
  }
  return {
    id: "batching",
    title: `Cross-request batching: ${BATCHING_REQUESTS} concurrent todo views for distinct users, ${BATCHING_LATENCY_MS} ms per round trip`,
    description:
      `${BATCHING_REQUESTS} todo-view requests (1 user → 10 lists → 5 items), each for its own user, started at once on the Kvetch memory backend (${SHARDS} shards, every shard round trip delayed ${BATCHING_LATENCY_MS} ms), through plain \`execute\` and through \`createBatchedExecute\` (windowMs 0 and 1), and as one request carrying all ${BATCHING_REQUESTS} views (\`todoUsers(ids: [...])\` with the view's selection and plans; its latencies are that request's, once per view); then the same on ${SHARDS} MySQL shards with no cache (rows marked "on MySQL"). ` +
      `Results are checked equal first and store calls counted on that burst. Throughput is ${BATCHING_REQUESTS} ÷ a burst's wall time (median of ${options.bursts} bursts per engine, engines alternating, after ${WARMUP_BURSTS} untimed bursts each); p50/p99 are over every request of those bursts, each from its start to its result; the last column divides by \`execute\` on the same backend.`,
    rowHeading: "Engine",
    columns: [
      { title: "store calls per request", format: "perRequest" },
      { title: "throughput, requests/s", format: "rate" },
      { title: "p50, ms", format: "ms" },
      { title: "p99, ms", format: "ms" },
      { title: "throughput ÷ execute", format: "ratio" },
    ],
    rows,
    notes,
    date: new Date().toISOString(),
  };
}

async function mysqlRows(options: { bursts: number; offset: number }): Promise<Row[]> {
  const { databases } = await benchStore("batch", SHARDS);
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(databases) }) });
  try {
    await kvetch.migrate();
    const seed = await seedTodo(kvetch, { users: BATCHING_REQUESTS, listsPerUser: 10, itemsPerList: 5 });
    return await measureBackend(kvetch, seed.userIds, " on MySQL", options);
  } finally {
    await kvetch.close();
    await dropDatabases(databases);
  }
}

if (process.argv[1]?.endsWith("batching.ts")) {
  publishTable(await runBatchingScenario({ bursts: Number(/--bursts=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 20), offset: 0 }));
}
