// Live results as JSON Patch (RFC 6902): after the first whole result, each one sent is `{ patch }` only,
// and the first result with every patch applied in order (by an applier written from the RFC, not the
// engine's code) is each run's whole result. Keys with `~` and `/` are escaped as RFC 6901 says.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { execute } from "../../src/index.js";
import type { Kvetch } from "../../src/kvetch/index.js";
import { diffJSON } from "../../src/engine/live/jsonPatch.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";
import { applyPatch, boardQuery, boardSchema, follow, freshBoards, seededBoards, shown, until, type Followed } from "./liveBoard.js";

const liveView = todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live");

/** The document patches apply to: the result's `{ data, errors }` as JSON. */
const documentOf = (result: { data?: unknown; errors?: unknown }): unknown => JSON.parse(shown(result as never));

/** Every value sent after the first applied to the first, in order: the documents a client would hold. */
function replay(followed: Followed): unknown[] {
  const [first, ...patches] = followed.sent;
  let document = documentOf(first!);
  const documents = [document];
  for (const value of patches) {
    const { patch, data, errors } = value as { patch?: Parameters<typeof applyPatch>[1]; data?: unknown; errors?: unknown };
    assert.ok(Array.isArray(patch) && patch.length > 0, "a value after the first is a non-empty patch");
    assert.is(data, undefined, "a patch carries no data");
    assert.is(errors, undefined, "a patch carries no errors");
    document = applyPatch(document, patch);
    documents.push(document);
  }
  return documents;
}

async function watchTodo(kvetch: Kvetch, userId: string): Promise<Followed> {
  const args = { schema: todoSchema, document: parse(liveView), variableValues: { id: userId }, contextValue: { kvetch } };
  return follow(args, { source: kvetch, patch: true }, () => kvetch.counters.calls);
}

test("live todo view with patch: the first result whole, then patches; the first with each patch applied is each sent run's whole result", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const user = seed.userIds[0]!;
  const live = await watchTodo(kvetch, user);
  assert.ok(await until(() => live.sent.length === 1));
  assert.ok((live.sent[0]!.data as any).todoUser, "the first value is the whole result");
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![1]![0]!, { text: "patched" });
  assert.ok(await until(() => live.sent.length === 2));
  assert.equal((live.sent[1] as any).patch, [{ op: "replace", path: "/data/todoUser/todoLists/1/todoItems/0/text", value: "patched" }]);
  await kvetch.createObject("TodoList", { userId: user, name: "fourth" });
  assert.ok(await until(() => live.sent.length === 3));
  assert.equal((live.sent[2] as any).patch, [{ op: "add", path: "/data/todoUser/todoLists/3", value: { name: "fourth", todoItems: [] } }]);
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![0]![1]!, { listId: seed.listIds[0]![2]! });
  await kvetch.updateObject("User", user, { name: "Renamed" });
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![0]![0]!, { done: true }); // not shown: nothing sent for it
  const fresh = shown(await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: user }, contextValue: { kvetch } }));
  assert.ok(await until(() => live.runs.length > 0 && shown(live.runs.at(-1)!.result) === fresh));
  await new Promise((resolve) => setImmediate(resolve));
  const sentRuns = live.runs.filter((r) => r.sent);
  assert.is(sentRuns.length, live.sent.length);
  assert.equal(replay(live), sentRuns.map((r) => documentOf(r.result)));
  assert.is((replay(live).at(-1) as any).data.todoUser.name, "Renamed");
  for (const r of sentRuns.slice(1)) assert.is(r.value, live.sent[sentRuns.indexOf(r)], "onRun's value is what was sent");
  await live.stop();
});

test("live boards with patch: keys with ~ and / are escaped (~0, ~1) and the patch applies", async () => {
  const store = seededBoards();
  const ids = ["b1"];
  const live = await follow({ schema: boardSchema, document: parse(boardQuery), variableValues: { ids }, contextValue: { store } }, { source: store, patch: true }, () => store.calls);
  assert.ok(await until(() => live.sent.length === 1));
  store.update("b1", { meta: { "a/b": 2, "m~n": [1, "two"], "~/": true } });
  assert.ok(await until(() => live.sent.length === 2));
  const patch = (live.sent[1] as any).patch as { op: string; path: string }[];
  assert.equal(patch, [
    { op: "replace", path: "/data/boards/0/meta/a~1b", value: 2 },
    { op: "add", path: "/data/boards/0/meta/m~0n/1", value: "two" },
    { op: "add", path: "/data/boards/0/meta/~0~1", value: true },
  ]);
  assert.equal(replay(live).at(-1), JSON.parse(await freshBoards(store, ids)));
  await live.stop();
});

test("live boards with patch and 1,000 seeded random writes (errors, nulls, lists reordered, diffed by id): replaying every patch gives a fresh execute's result", async () => {
  const store = seededBoards();
  const ids = ["b1", "b2", "b3"];
  const live = await follow({ schema: boardSchema, document: parse(boardQuery), variableValues: { ids }, contextValue: { store } }, { source: store, patch: true }, () => store.calls);
  let rnd = 5;
  const next = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), Math.floor(rnd / 65536) % n);
  const cards = ["c1", "c2", "c3", "c4", "c5"];
  const shuffled = () => cards.filter(() => next(2) === 0).sort(() => next(3) - 1);
  for (let i = 0; i < 1000; i++) {
    const kind = next(6);
    const board = ids[next(3)]!;
    const card = cards[next(5)]!;
    if (kind === 0) store.update(board, { cardIds: shuffled(), meta: next(2) ? { [`k/${i % 4}`]: [i, { "~": i }] } : null });
    else if (kind === 1) store.update(board, { itemIds: [...shuffled(), next(2) ? "n1" : "n9"] });
    else if (kind === 2) store.update(card, { text: next(30) === 0 ? null : `t${i}` });
    else if (kind === 3) store.update(card, { tags: next(2) ? [`a${i}`, "b"] : null, noteId: next(2) ? "n2" : null });
    else if (kind === 4) store.update(board, { title: next(4) === 0 ? null : `title ${i}`, pinnedId: next(2) ? card : null });
    else store.update("n2", { body: `n${i}` });
    if (i % 7 !== 0) await new Promise((resolve) => setImmediate(resolve));
  }
  for (const card of cards) store.update(card, { text: `last ${card}` });
  const fresh = await freshBoards(store, ids);
  assert.ok(await until(() => live.runs.length > 0 && shown(live.runs.at(-1)!.result) === fresh, 4000), "the live query settles");
  await new Promise((resolve) => setImmediate(resolve));
  const documents = replay(live);
  assert.equal(documents.at(-1), JSON.parse(fresh));
  assert.equal(documents, live.runs.filter((r) => r.sent).map((r) => documentOf(r.result)));
  assert.ok(live.sent.length > 100, `many patches sent: ${live.sent.length}`);
  const ops = live.sent.slice(1).flatMap((value) => (value as { patch: { op: string }[] }).patch.map((op) => op.op));
  assert.ok(ops.includes("move"), "reordered cards are moved by id");
  await live.stop();
});

test("diffJSON: nothing for equal documents; one operation for one insertion, removal or change anywhere in an array; the root replaced when the types differ", () => {
  assert.equal(diffJSON({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), []);
  assert.equal(diffJSON([1, 2, 3, 4], [1, 2, 9, 3, 4]), [{ op: "add", path: "/2", value: 9 }]);
  assert.equal(diffJSON([1, 2, 3, 4], [1, 3, 4]), [{ op: "remove", path: "/1" }]);
  assert.equal(diffJSON([1, 2, 3], [1, 5, 3]), [{ op: "replace", path: "/1", value: 5 }]);
  assert.equal(diffJSON([1, 2, 3, 4, 5], [1, 5]), [{ op: "remove", path: "/3" }, { op: "remove", path: "/2" }, { op: "remove", path: "/1" }]);
  assert.equal(diffJSON([1, 2, 3], [7, 8]), [{ op: "replace", path: "/0", value: 7 }, { op: "replace", path: "/1", value: 8 }, { op: "remove", path: "/2" }]);
  assert.equal(diffJSON({ a: 1 }, [1]), [{ op: "replace", path: "", value: [1] }]);
  assert.equal(diffJSON({ a: 1, b: 2 }, { b: 3, c: null }), [{ op: "remove", path: "/a" }, { op: "replace", path: "/b", value: 3 }, { op: "add", path: "/c", value: null }]);
});

test("diffJSON: 500 random pairs of documents, each patch applied to the first gives the second (RFC 6902)", () => {
  let rnd = 3;
  const next = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), Math.floor(rnd / 65536) % n);
  const keys = ["a", "b", "a/b", "~", "~1", "", "0"];
  const value = (depth: number): unknown => {
    const kind = next(depth > 2 ? 4 : 7);
    if (kind === 0) return next(5);
    if (kind === 1) return next(2) === 0 ? null : `s${next(3)}`;
    if (kind === 2) return next(2) === 0;
    if (kind === 3) return next(4) === 0 ? [] : {};
    if (kind <= 4) return Array.from({ length: next(5) }, () => value(depth + 1));
    const out: Record<string, unknown> = {};
    for (let k = next(4); k > 0; k--) out[keys[next(keys.length)]!] = value(depth + 1);
    return out;
  };
  for (let i = 0; i < 500; i++) {
    const a = value(0);
    const b = next(3) === 0 ? structuredClone(a) : value(0);
    const patch = diffJSON(a, b);
    assert.equal(applyPatch(a, patch), b, `patch ${JSON.stringify(patch)} from ${JSON.stringify(a)}`);
    if (JSON.stringify(a) === JSON.stringify(b)) assert.equal(patch, []);
  }
});

test.run();
