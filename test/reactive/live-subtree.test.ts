// Live queries re-run only what a change reached: store calls of each re-run counted around it (beforeRun /
// onRun), which paths were rebuilt, and the result against a fresh execute every time. The todo view over
// the memory backend, and a board store whose load step runs in list layers, objects and abstract lists.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute } from "../../src/index.js";
import type { Kvetch } from "../../src/kvetch/index.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";
import { boardQuery, boardSchema, follow, freshBoards, seededBoards, shown, until, type Followed } from "./liveBoard.js";

const liveView = todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live");

function watchTodo(kvetch: Kvetch, userId: string, options: { subtrees?: boolean } = {}): Promise<Followed> {
  const args = { schema: todoSchema, document: parse(liveView), variableValues: { id: userId }, contextValue: { kvetch } };
  return follow(args, { source: kvetch, ...options }, () => kvetch.counters.calls);
}

async function freshTodo(kvetch: Kvetch, userId: string): Promise<string> {
  const result = await execute({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: userId }, contextValue: { kvetch } });
  return shown(result);
}

/** Waits (bounded) for run number `n` and returns it. */
async function run(followed: Followed, n: number): Promise<Followed["runs"][number]> {
  assert.ok(await until(() => followed.runs.length >= n), `run ${n} never came`);
  assert.is(followed.runs.length, n, `expected exactly ${n} runs`);
  return followed.runs[n - 1]!;
}

const data = (result: ExecutionResult): any => result.data;

test("live todo view: an item's text re-runs only its list's subtree — 2 store calls, not the view's 5 — and equals a fresh execute", async () => {
  const { kvetch, seed } = await seededStore({ users: 2, listsPerUser: 3, itemsPerList: 3 });
  const user = seed.userIds[0]!;
  const live = await watchTodo(kvetch, user);
  const first = await run(live, 1);
  assert.equal([first.kind, first.calls, first.reason], ["full", 5, "the first run"]);
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![1]![2]!, { text: "changed" });
  const second = await run(live, 2);
  assert.is(second.kind, "subtree");
  assert.equal(second.paths, ["todoUser.todoLists.1"]);
  assert.is(second.calls, 2, "the list's item edges and items");
  assert.ok(second.sent);
  assert.is(data(second.result).todoUser.todoLists[1].todoItems[2].text, "changed");
  assert.is(shown(second.result), await freshTodo(kvetch, user));
  assert.is(live.sent.length, 2);
  await live.stop();
  // The same change with subtree re-runs off costs the whole view.
  const full = await watchTodo(kvetch, user, { subtrees: false });
  await run(full, 1);
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![1]![2]!, { text: "changed again" });
  const fullRerun = await run(full, 2);
  assert.equal([fullRerun.kind, fullRerun.calls, fullRerun.reason], ["full", 5, "subtree re-runs are off"]);
  assert.is(shown(fullRerun.result), await freshTodo(kvetch, user));
  await full.stop();
});

test("live todo view: adding a list to the user re-runs from the user's list layer — 4 store calls at todoUser.todoLists", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 2 });
  const user = seed.userIds[0]!;
  const live = await watchTodo(kvetch, user);
  await run(live, 1);
  await kvetch.createObject("TodoList", { userId: user, name: "third" });
  const rerun = await run(live, 2);
  assert.is(rerun.kind, "subtree");
  assert.equal(rerun.paths, ["todoUser.todoLists"]);
  assert.is(rerun.calls, 4, "list edges, lists, their item edges and items: the user is not loaded again");
  assert.is(data(rerun.result).todoUser.todoLists.length, 3);
  assert.is(shown(rerun.result), await freshTodo(kvetch, user));
  await live.stop();
});

test("live todo view: a change to the user object itself is a full run (5 store calls)", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 2, itemsPerList: 2 });
  const user = seed.userIds[0]!;
  const live = await watchTodo(kvetch, user);
  await run(live, 1);
  await kvetch.updateObject("User", user, { name: "Renamed" });
  const rerun = await run(live, 2);
  assert.equal([rerun.kind, rerun.paths, rerun.calls], ["full", [""], 5]);
  assert.match(rerun.reason!, /root/);
  assert.is(data(rerun.result).todoUser.name, "Renamed");
  assert.is(shown(rerun.result), await freshTodo(kvetch, user));
  await live.stop();
});

test("live todo view: an item moved between two shown lists re-runs both lists in one slice (2 store calls), and a list's rename re-runs the lists (3)", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 3, itemsPerList: 2 });
  const user = seed.userIds[0]!;
  const live = await watchTodo(kvetch, user);
  await run(live, 1);
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![2]![0]!, { listId: seed.listIds[0]![0]! });
  const moved = await run(live, 2);
  assert.equal([moved.kind, moved.paths.sort(), moved.calls], ["subtree", ["todoUser.todoLists.0", "todoUser.todoLists.2"], 2]);
  assert.is(shown(moved.result), await freshTodo(kvetch, user));
  // A list object is read by the lists' load, a global step: it runs again (not the list edges before it),
  // then the lists' field below the user: the lists, their item edges and items.
  await kvetch.updateObject("TodoList", seed.listIds[0]![1]!, { name: "renamed list" });
  const renamed = await run(live, 3);
  assert.equal([renamed.kind, renamed.paths, renamed.calls], ["subtree", ["todoUser.todoLists"], 3]);
  assert.is(shown(renamed.result), await freshTodo(kvetch, user));
  await live.stop();
});

test("live todo view: re-runs inside re-run subtrees stay current; a write elsewhere runs nothing", async () => {
  const { kvetch, seed } = await seededStore({ users: 2, listsPerUser: 2, itemsPerList: 2 });
  const user = seed.userIds[0]!;
  const live = await watchTodo(kvetch, user);
  await run(live, 1);
  const list = (await kvetch.createObject("TodoList", { userId: user, name: "new" })).id;
  assert.equal((await run(live, 2)).paths, ["todoUser.todoLists"]);
  const item = (await kvetch.createObject("TodoItem", { listId: list, text: "in the new list" })).id;
  const inNew = await run(live, 3);
  assert.equal([inNew.kind, inNew.calls], ["subtree", 2]);
  await kvetch.updateObject("TodoItem", item, { text: "edited" });
  const edited = await run(live, 4);
  assert.equal([edited.kind, edited.paths, edited.calls], ["subtree", inNew.paths, 2]);
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![0]![0]!, { text: "old list edited" });
  const old = await run(live, 5);
  assert.equal([old.kind, old.calls], ["subtree", 2]);
  assert.is(shown(old.result), await freshTodo(kvetch, user));
  await kvetch.updateObject("TodoItem", seed.itemIds[1]![0]![0]!, { text: "another user's item" });
  // A re-run takes a few turns (each store call waits one); 500 turns would see one start and finish.
  assert.not.ok(await until(() => live.runs.length > 5, 500), "a key the view does not hold runs nothing");
  assert.is(live.sent.length, 5);
  // Then a key the view holds: the next run is that one, so nothing from the other write was queued before it.
  await kvetch.updateObject("TodoItem", seed.itemIds[0]![1]![0]!, { text: "second list edited" });
  const next = await run(live, 6);
  assert.equal([next.kind, next.calls], ["subtree", 2]);
  assert.is(shown(next.result), await freshTodo(kvetch, user));
  assert.is(live.sent.length, 6);
  await live.stop();
});

test("live boards: a record loaded in a root list's layer re-runs that item only; a nullable item appearing, an abstract list, a resolver's dependency", async () => {
  const store = seededBoards();
  const ids = ["b1", "b2", "b3", "zz"];
  const live = await follow({ schema: boardSchema, document: parse(boardQuery), variableValues: { ids }, contextValue: { store } }, { source: store }, () => store.calls);
  assert.is((await run(live, 1)).calls, 7);
  store.update("b2", { title: "TWO" });
  const title = await run(live, 2);
  assert.equal([title.kind, title.paths], ["subtree", ["boards.1"]]);
  assert.is(title.calls, 5, "the board and its cards, pinned, items and notes: not the other boards' or the root's");
  store.update("c3", { text: "C3" });
  assert.equal((await run(live, 3)).paths, ["boards.1.cards.0"]);
  store.write("x", { type: "Note", id: "x", body: "now here" }); // was a null item of an abstract list
  const item = await run(live, 4);
  assert.equal([item.paths, item.calls], [["boards.1.items"], 1]);
  store.write("zz", { type: "Board", id: "zz", title: "late", cardIds: ["c6"], pinnedId: null, itemIds: [], meta: null });
  assert.equal((await run(live, 5)).paths, ["boards.3"]);
  store.update("stamp", { value: 2 });
  const stamp = await run(live, 6);
  assert.equal([stamp.kind, stamp.reason], ["full", "k:stamp is a dependency of the whole response"]);
  for (const r of live.runs) assert.ok(r.sent);
  assert.is(shown(live.runs.at(-1)!.result), await freshBoards(store, ids));
  await live.stop();
});

test("live boards: a subtree that would carry an error runs in full (the error where graphql-js puts it), and runs in full until it is gone", async () => {
  const store = seededBoards();
  const ids = ["b1", "b2"];
  const live = await follow({ schema: boardSchema, document: parse(boardQuery), variableValues: { ids }, contextValue: { store } }, { source: store }, () => store.calls);
  await run(live, 1);
  store.update("c1", { text: null }); // Card.text is non-null: board b1 becomes null with an error
  const failed = await run(live, 2);
  assert.equal([failed.kind, failed.reason], ["full", "boards.0 cannot be completed on its own"]);
  assert.is(shown(failed.result), await freshBoards(store, ids));
  assert.is(data(failed.result).boards[0], null);
  assert.match(failed.result.errors![0]!.message, /Cannot return null for non-nullable field Card.text/);
  store.update("c1", { text: "back" });
  const back = await run(live, 3);
  assert.equal([back.kind, back.reason], ["full", "the last result has errors"]);
  assert.is(back.result.errors, undefined);
  store.update("c1", { text: "and on" });
  assert.is((await run(live, 4)).kind, "subtree");
  store.lose();
  const lost = await run(live, 5);
  assert.equal([lost.kind, lost.reason, lost.sent], ["full", "an invalidation may have been missed", false]);
  assert.is(shown(lost.result), await freshBoards(store, ids));
  await live.stop();
});

test("live boards: 10 live queries and 1,500 random writes (nulls, errors, moves, deletes): every last result equals a fresh execute, none sent twice unchanged", async () => {
  const store = seededBoards();
  const boards = ["b1", "b2", "b3", "b4"];
  const cards = ["c1", "c2", "c3", "c4", "c5", "c7"]; // c6 is the root field's card: written apart, rarely
  const notes = ["n1", "n2", "n3", "x"];
  store.write("b4", { type: "Board", id: "b4", title: "four", cardIds: ["c7"], itemIds: ["c7", "n3"], pinnedId: "c7", meta: null });
  store.write("c7", { type: "Card", id: "c7", text: "card 7", tags: null, noteId: "n3" });
  const all: { live: Followed; ids: string[] }[] = [];
  for (let q = 0; q < 10; q++) {
    const ids = [boards[q % 4]!, boards[(q + 1) % 4]!, ...(q % 3 === 0 ? ["b2"] : [])];
    all.push({ ids, live: await follow({ schema: boardSchema, document: parse(boardQuery), variableValues: { ids }, contextValue: { store } }, { source: store }, () => store.calls) });
  }
  let rnd = 11;
  // The high bits: an LCG's low bits repeat with a short period.
  const next = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), Math.floor(rnd / 65536) % n);
  const pick = <T>(xs: readonly T[]): T => xs[next(xs.length)]!;
  const some = <T>(xs: readonly T[]): T[] => xs.filter(() => next(3) === 0);
  // Mostly writes a subtree re-run takes; now and then one that makes an error (a card's text null, a shown
  // card deleted: the board is null with an error) or moves the resolver's whole-response dependency.
  for (let i = 0; i < 1500; i++) {
    const kind = next(20);
    if (kind <= 1) store.update(pick(boards), { title: `t${i}`, meta: next(2) ? { [`k/${i % 3}`]: i, "~": [i] } : null });
    else if (kind === 2) store.update(pick(boards), { cardIds: some(cards) });
    else if (kind === 3) store.update(pick(boards), { itemIds: some([...cards, ...notes]), pinnedId: next(3) ? pick(cards) : null });
    else if (kind <= 12) {
      const card = pick(cards);
      store.update(card, { type: "Card", id: card, text: next(100) === 0 ? null : `text ${i}`, noteId: next(2) ? pick(notes) : null });
    }
    else if (kind <= 15) store.update(pick(notes), { type: "Note", body: `body ${i}` });
    else if (kind === 16) {
      const card = pick(cards);
      store.write(card, next(8) === 0 ? null : { type: "Card", id: card, text: `re ${i}`, tags: [] });
    } else if (kind === 17) {
      const board = pick(boards);
      store.write(board, { type: "Board", id: board, title: `new ${i}`, cardIds: some(cards), itemIds: [], pinnedId: null, meta: null });
    } else if (kind === 18) {
      if (next(2) === 0) store.update("stamp", { value: next(3) === 0 ? i : 1 });
      else store.update("c6", { text: `six ${i}` });
    }
    else store.write(pick(notes), next(5) === 0 ? null : { type: "Note", id: "n", body: `note ${i}` });
    // Most writes are seen one at a time; every tenth lands in a burst with the next ones (coalesced).
    if (i % 10 !== 0) await new Promise((resolve) => setImmediate(resolve));
  }
  // Every card written with text, so no error remains and the last runs can be subtree re-runs again.
  for (const card of [...cards, "c6"]) store.write(card, { type: "Card", id: card, text: `final ${card}`, tags: [], noteId: null });
  for (const { live, ids } of all) {
    const settled = await until(async () => live.runs.length > 0 && shown(live.runs.at(-1)!.result) === (await freshBoards(store, ids)), 4000);
    assert.ok(settled, `live query over ${ids} is behind a fresh execute`);
    assert.is(shown(live.sent.at(-1)!), await freshBoards(store, ids), "the last result sent is the fresh one");
    for (let s = 1; s < live.sent.length; s++) assert.is.not(shown(live.sent[s]!), shown(live.sent[s - 1]!), "a result sent twice unchanged");
  }
  const kinds = { full: 0, subtree: 0 };
  const reasons = new Map<string, number>();
  for (const { live } of all) {
    for (const r of live.runs.slice(1)) {
      kinds[r.kind]++;
      if (r.reason !== undefined) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    }
  }
  assert.ok(kinds.subtree > kinds.full, `subtree re-runs happen: ${JSON.stringify(kinds)}, full because ${JSON.stringify([...reasons])}`);
  assert.ok(kinds.full > 0, `full runs happen too (errors, the resolver's dependency): ${JSON.stringify(kinds)}`);
  await Promise.all(all.map(({ live }) => live.stop()));
});

test.run();
