// Invalidations routed by key (spec/reactivity.md, RouteInvalidation): one listener on the store for all
// live queries, a write reaches only the live queries with a key it touches (no `touches` call for the
// others), deps go to the client only when asked, and a process holds at most `maxLiveQueries`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { subscribe, type LiveSource } from "../../src/index.js";
import type { Kvetch } from "../../src/kvetch/index.js";
import { liveQueryCount, liveRouterOf } from "../../src/engine/live/liveRouter.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";
import { until } from "./liveBoard.js";

const liveView = parse(todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live"));

/** The store as a LiveSource that counts its listeners' calls and their `touches` questions. */
function countedSource(kvetch: Kvetch, routed: boolean): LiveSource & { listened: number; calls: number; touches: number } {
  const source = {
    listened: 0,
    calls: 0,
    touches: 0,
    onInvalidate(listener: Parameters<LiveSource["onInvalidate"]>[0], ended?: (reason: Error) => void) {
      source.listened++;
      return kvetch.onInvalidate((change) => {
        source.calls++;
        if (change === null) return listener(null);
        const touches = (key: string): boolean => (source.touches++, change.touches(key));
        listener(routed ? { touches, routes: change.routes } : { touches });
      }, ended);
    },
    ...(routed ? { routeOf: (key: string) => kvetch.routeOf(key) } : {}),
  };
  return source;
}

/** Live todo views, one per user, each counting the results it was sent. */
async function watchAll(kvetch: Kvetch, users: readonly string[], source: LiveSource, extra: Record<string, unknown> = {}) {
  const sent: ExecutionResult[][] = users.map(() => []);
  const iterators: AsyncGenerator<ExecutionResult>[] = [];
  for (let u = 0; u < users.length; u++) {
    const iterator = (await subscribe({ schema: todoSchema, document: liveView, variableValues: { id: users[u] }, contextValue: { kvetch }, live: { source, ...extra } })) as AsyncGenerator<ExecutionResult>;
    iterators.push(iterator);
    void (async () => {
      for await (const result of iterator) sent[u]!.push(result);
    })();
  }
  assert.ok(await until(() => sent.every((s) => s.length === 1), 20_000), "every live query sent its first result");
  return { sent, stop: () => Promise.all(iterators.map((it) => it.return(undefined))) };
}

test("routing: 2,000 live todo views, one listener on the store; a write reaches the one view it touches, with no touches() call", async () => {
  const { kvetch, seed } = await seededStore({ users: 2000, listsPerUser: 1, itemsPerList: 1 });
  const source = countedSource(kvetch, true);
  const live = await watchAll(kvetch, seed.userIds, source);
  assert.is(source.listened, 1, "one listener for all 2,000 live queries");
  const router = liveRouterOf(source);
  const before = { calls: source.calls, touches: source.touches, reached: router.stats.reached, changes: router.stats.changes };
  for (const u of [7, 1234, 1999]) {
    await kvetch.updateObject("TodoItem", seed.itemIds[u]![0]![0]!, { text: `routed ${u}` });
    assert.ok(await until(() => live.sent[u]!.length === 2));
  }
  await kvetch.updateObject("User", seed.userIds[42]!, { name: "Renamed" });
  assert.ok(await until(() => live.sent[42]!.length === 2));
  assert.is(source.calls - before.calls, 4, "one listener call per write");
  assert.is(router.stats.changes - before.changes, 4);
  assert.is(router.stats.reached - before.reached, 4, "each write reached exactly one live query");
  assert.is(source.touches - before.touches, 0, "no live query was asked touches()");
  assert.is(live.sent.reduce((n, s) => n + s.length, 0), 2000 + 4, "one new result per write, none for the others");
  await live.stop();
  assert.is(liveQueryCount(), 0, "ended live queries are released");
});

test("routing: a source without routes still reaches the right live query, asking touches() of every one (the unrouted cost)", async () => {
  const { kvetch, seed } = await seededStore({ users: 50, listsPerUser: 1, itemsPerList: 1 });
  const source = countedSource(kvetch, false);
  const live = await watchAll(kvetch, seed.userIds, source);
  const touches = source.touches;
  await kvetch.updateObject("TodoItem", seed.itemIds[3]![0]![0]!, { text: "unrouted" });
  assert.ok(await until(() => live.sent[3]!.length === 2));
  assert.ok(source.touches - touches >= 50, `${source.touches - touches} touches() calls for one write`);
  assert.is(live.sent.reduce((n, s) => n + s.length, 0), 50 + 1);
  await live.stop();
});

test("deps: live results carry no extensions.deps unless live.deps is true", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 1, itemsPerList: 1 });
  const plain = await watchAll(kvetch, seed.userIds, kvetch);
  const withDeps = await watchAll(kvetch, seed.userIds, kvetch, { deps: true });
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![0]![0]!, { text: "deps?" });
  assert.ok(await until(() => plain.sent[0]!.length === 2 && withDeps.sent[0]!.length === 2));
  for (const result of plain.sent[0]!) assert.is(result.extensions?.deps, undefined);
  for (const result of withDeps.sent[0]!) assert.ok(Object.keys(result.extensions!.deps as object).length > 0);
  const keys = Object.values(withDeps.sent[0]![1]!.extensions!.deps as Record<string, Record<string, number>>).flatMap((k) => Object.keys(k));
  assert.ok(keys.includes(`object:${seed.itemIds[0]![0]![0]!}`));
  await plain.stop();
  await withDeps.stop();
});

test("limit: past maxLiveQueries a live query is refused with LIVE_QUERY_LIMIT; one ending makes room", async () => {
  const { kvetch, seed } = await seededStore({ users: 3, listsPerUser: 1, itemsPerList: 1 });
  const live = await watchAll(kvetch, seed.userIds, kvetch, { maxLiveQueries: 3 });
  const args = { schema: todoSchema, document: liveView, variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } };
  const refused = (await subscribe({ ...args, live: { source: kvetch, maxLiveQueries: 3 } })) as ExecutionResult;
  assert.is(refused.errors?.[0]?.extensions?.code, "LIVE_QUERY_LIMIT");
  assert.match(refused.errors![0]!.message, /holds 3 live queries, its limit \(live\.maxLiveQueries = 3\)/);
  const bad = (await subscribe({ ...args, live: { source: kvetch, maxLiveQueries: -1 } })) as ExecutionResult;
  assert.is(bad.errors?.[0]?.extensions?.code, "BAD_LIVE_QUERY");
  await live.stop();
  const again = (await subscribe({ ...args, live: { source: kvetch, maxLiveQueries: 3 } })) as AsyncGenerator<ExecutionResult>;
  assert.ok((await again.next()).value.data, "room again once the others ended");
  await again.return(undefined);
  assert.is(liveQueryCount(), 0);
});

test("retention: with retainEntries 0 a live query keeps only its keys; it is still reached by its writes and re-runs in full", async () => {
  const { kvetch, seed } = await seededStore({ users: 3, listsPerUser: 2, itemsPerList: 2 });
  const reasons: Array<string | undefined> = [];
  const live = await watchAll(kvetch, seed.userIds.slice(0, 1), kvetch, { retainEntries: 0, onRun: (info: { reason?: string }) => void reasons.push(info.reason) });
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![1]![1]!, { text: "kept keys" });
  assert.ok(await until(() => live.sent[0]!.length === 2));
  assert.equal(reasons, ["the first run", "the last run kept nothing to re-run"]);
  assert.ok(JSON.stringify(live.sent[0]![1]!.data).includes("kept keys"));
  await kvetch.updateObject("TodoItem", seed.itemIds[1]![0]![0]!, { text: "another user's" });
  await kvetch.updateObject("User", seed.userIds[0]!, { name: "Kept" });
  assert.ok(await until(() => live.sent[0]!.length === 3));
  assert.is(reasons.length, 3, "the other user's write reached nothing");
  await live.stop();
});

test.run();
