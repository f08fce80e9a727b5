// Live queries across two Kvetch instances on the same 4 MySQL shards and Redis, as two processes would
// be: live queries subscribed on B, writes made through A. A's writes reach B's live queries over Redis
// pub/sub; once the writes settle, every live query's last result is what a fresh execute shows on either
// instance, and no result went out twice unchanged.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, subscribe } from "../../src/index.js";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { REDIS_URL, cacheConnected, deleteKeys, dropDatabases, serversUp, shardUrls, subscribed, testDatabases, testKeyPrefix, testWhen } from "../integration/kvetch-servers.js";

const databases = testDatabases("livemysql");
const keyPrefix = testKeyPrefix("livemysql");
const up = await serversUp("test/reactive/live-mysql.test.ts", { mysql: true, redis: true });
const serverTest = testWhen(up);
const liveView = todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live");
const view = parse(todoViewQuery);

function open(): Kvetch {
  return new Kvetch({ schema: todoKvetchSchema, backend: mysqlBackend({ shards: shardUrls(databases), redis: { url: REDIS_URL, keyPrefix } }) });
}

const a = up ? open() : null;
const b = up ? open() : null;

interface Watched {
  user: string;
  last: ExecutionResult | null;
  sent: string[];
  runs: number;
  stop: () => Promise<unknown>;
}

/** A live todo view of `user`, subscribed on `kvetch` (its own invalidation feed). */
async function watch(kvetch: Kvetch, user: string): Promise<Watched> {
  const watched: Watched = { user, last: null, sent: [], runs: 0, stop: async () => undefined };
  const iterator = (await subscribe({
    schema: todoSchema,
    document: parse(liveView),
    variableValues: { id: user },
    contextValue: { kvetch },
    live: { source: kvetch, onRun: () => void watched.runs++ },
  })) as AsyncGenerator<ExecutionResult>;
  assert.type(iterator.next, "function");
  watched.stop = () => iterator.return(undefined);
  void (async () => {
    for await (const result of iterator) {
      watched.last = result;
      watched.sent.push(JSON.stringify({ data: result.data, errors: result.errors }));
    }
  })();
  return watched;
}

async function fresh(kvetch: Kvetch, user: string): Promise<string> {
  const result = await execute({ schema: todoSchema, document: view, variableValues: { id: user }, contextValue: { kvetch } });
  return JSON.stringify({ data: result.data, errors: result.errors });
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls (bounded; a guard, not a timing assertion) until every live query shows what `kvetch` reads now; returns how many do not. */
async function settle(kvetch: Kvetch, all: readonly Watched[]): Promise<number> {
  let behind = all.length;
  for (let turn = 0; turn < 400 && behind > 0; turn++) {
    await tick(25);
    behind = 0;
    for (const w of all) if (w.last === null || w.sent.at(-1) !== (await fresh(kvetch, w.user))) behind++;
  }
  return behind;
}

test.before(async () => {
  if (!up) return;
  await a!.migrate();
  await Promise.all([cacheConnected(a!), cacheConnected(b!)]);
  await subscribed(a!, b!);
});

serverTest("one write through A: the live query subscribed on B sends the new result (2 results, 2 runs)", async () => {
  const user = await a!.createObject("User", { name: "Ann", username: `ann-${keyPrefix}` });
  const list = await a!.createObject("TodoList", { userId: user.id, name: "Groceries" });
  const item = await a!.createObject("TodoItem", { listId: list.id, text: "milk", done: false });
  const w = await watch(b!, user.id);
  assert.is(await settle(b!, [w]), 0, "the first result");
  assert.is(w.sent.length, 1);
  assert.is(w.runs, 1);
  await a!.updateObject("TodoItem", item.id, { text: "bread" });
  for (let t = 0; t < 400 && w.sent.length < 2; t++) await tick(10);
  assert.is(w.sent.length, 2, "the live query on B never sent A's write");
  assert.is(w.runs, 2);
  assert.is((w.last!.data as any).todoUser.todoLists[0].todoItems[0].text, "bread");
  assert.is(w.sent[1], await fresh(a!, user.id));
  await w.stop();
});

serverTest("50 live queries on B, 2,000 random writes through A (MySQL + Redis): 0 missed updates, no result sent twice unchanged", async () => {
  const seed = await seedTodo(a!, { users: 10, listsPerUser: 3, itemsPerList: 3 });
  const all: Watched[] = [];
  for (let q = 0; q < 50; q++) all.push(await watch(b!, seed.userIds[q % 10]!));
  assert.is(await settle(b!, all), 0, "first results");
  // The seed's own announcements may still arrive and re-run a query: its result is the same, not sent again.
  for (const w of all) assert.is(w.sent.length, 1);
  const runsBefore = all.map((w) => w.runs);

  let rnd = 11;
  // A seeded LCG, its high bits used (its low bits repeat with a short period).
  const next = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), Math.floor((rnd / 2147483648) * n));
  const lists = seed.listIds.map((l) => [...l]);
  const items = seed.itemIds.map((perUser) => perUser.flat());
  const counts = { text: 0, add: 0, delete: 0, listAdd: 0, listRename: 0, userRename: 0 };
  // One random write, its target chosen before it starts; an item written by another write of the same
  // batch is left alone (a concurrent delete would make that write fail).
  const busy = new Set<string>();
  const write = (i: number): Promise<unknown> => {
    const u = next(10);
    const kind = next(20);
    const userItems = items[u]!;
    const item = userItems.length === 0 ? undefined : userItems[next(userItems.length)]!;
    if (kind < 8 && item !== undefined && !busy.has(item)) {
      counts.text++;
      busy.add(item);
      return a!.updateObject("TodoItem", item, { text: `text ${i}` });
    }
    if (kind < 12 || (kind < 14 && userItems.length < 2)) {
      counts.add++;
      const list = lists[u]![next(lists[u]!.length)]!;
      return a!.createObject("TodoItem", { listId: list, text: `new ${i}`, done: false }).then((o) => void userItems.push(o.id));
    }
    if (kind < 14 && item !== undefined && !busy.has(item)) {
      counts.delete++;
      busy.add(item);
      userItems.splice(userItems.indexOf(item), 1);
      return a!.deleteObject(item);
    }
    if (kind >= 14 && kind < 16) {
      counts.listAdd++;
      return a!.createObject("TodoList", { userId: seed.userIds[u]!, name: `list ${i}` }).then((o) => void lists[u]!.push(o.id));
    }
    if (kind >= 14 && kind < 18) {
      counts.listRename++;
      return a!.updateObject("TodoList", lists[u]![next(lists[u]!.length)]!, { name: `renamed ${i}` });
    }
    counts.userRename++;
    return a!.updateObject("User", seed.userIds[u]!, { name: `user ${i}` });
  };
  // 2,000 writes, 16 at a time (the shards' pools bound them; this keeps the test well under a minute).
  for (let i = 0; i < 2000; i += 16) {
    const batch: Promise<unknown>[] = [];
    busy.clear();
    for (let k = i; k < Math.min(i + 16, 2000); k++) batch.push(write(k));
    await Promise.all(batch);
  }
  for (const kind of Object.keys(counts) as (keyof typeof counts)[]) assert.ok(counts[kind] > 50, `only ${counts[kind]} writes of kind ${kind}`);

  assert.is(await settle(b!, all), 0, "live queries behind a fresh execute on B");
  let reRuns = 0;
  for (const [q, w] of all.entries()) {
    assert.is(w.sent.at(-1), await fresh(a!, w.user), "a live query's last result differs from a fresh execute on A");
    for (let s = 1; s < w.sent.length; s++) assert.is.not(w.sent[s], w.sent[s - 1], "a result sent twice unchanged");
    assert.ok(w.sent.length > 1, "a live query never sent an update");
    reRuns += w.runs - runsBefore[q]!;
  }
  assert.ok(reRuns >= 50, `only ${reRuns} re-runs`);
  await Promise.all(all.map((w) => w.stop()));
});

serverTest("deps on MySQL + Redis: one version read per Kvetch read step beside its data, no extra shard query", async () => {
  const user = await a!.createObject("User", { name: "Bo", username: `bo-${keyPrefix}` });
  const list = await a!.createObject("TodoList", { userId: user.id, name: "Tools" });
  await a!.createObject("TodoItem", { listId: list.id, text: "saw", done: false });
  const run = async (deps: boolean) => {
    await execute({ schema: todoSchema, document: view, variableValues: { id: user.id }, contextValue: { kvetch: b }, deps }); // warms the cache
    b!.resetCounters();
    const result = await execute({ schema: todoSchema, document: view, variableValues: { id: user.id }, contextValue: { kvetch: b }, deps });
    assert.is(result.errors, undefined);
    const cache = Object.values(b!.counters.cacheRoundTrips).reduce((n, c) => n + c, 0);
    return { calls: b!.counters.calls, shards: b!.counters.shardQueries.reduce((n, q) => n + q, 0), cache, result };
  };
  const without = await run(false);
  const withDeps = await run(true);
  assert.is(withDeps.calls, without.calls);
  assert.is(withDeps.shards, without.shards);
  assert.is(withDeps.cache - without.cache, 5, "one version MGET for each of the view's 5 read steps");
  assert.equal(await b!.checkDeps(Object.assign({}, ...Object.values((withDeps.result.extensions as any).deps))), []);
});

test.after(async () => {
  if (!up) return;
  await Promise.all([a!.close(), b!.close()]);
  await deleteKeys(keyPrefix);
  await dropDatabases(databases);
});

test.run();
