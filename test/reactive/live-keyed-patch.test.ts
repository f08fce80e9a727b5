// Patches as small as the change (spec/reactivity.md, DiffKeyedList): lists of objects are diffed by their
// `id` (or `live.patchKey`), so a deleted item is one `remove`, a new one one `add`, a reordered one one
// `move`, and a changed one only the operations inside it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { diffJSON } from "../../src/engine/live/jsonPatch.js";
import { applyPatch, boardQuery, boardSchema, follow, freshBoards, seededBoards, until } from "./liveBoard.js";

const items = (...ids: string[]) => ids.map((id) => ({ id, text: `t${id}` }));

test("diffJSON by id: one operation per item deleted, added or moved; a changed item only inside", () => {
  assert.equal(diffJSON(items("a", "b", "c", "d"), items("a", "c", "d")), [{ op: "remove", path: "/1" }]);
  assert.equal(diffJSON(items("a", "b", "c"), items("a", "x", "b", "c")), [{ op: "add", path: "/1", value: { id: "x", text: "tx" } }]);
  assert.equal(diffJSON(items("a", "b", "c", "d"), items("b", "c", "d", "a")), [{ op: "move", from: "/0", path: "/3" }]);
  assert.equal(diffJSON(items("a", "b", "c", "d"), items("d", "a", "b", "c")), [{ op: "move", from: "/3", path: "/0" }]);
  const changed = items("a", "b", "c");
  changed[1]!.text = "new";
  assert.equal(diffJSON(items("a", "b", "c"), changed), [{ op: "replace", path: "/1/text", value: "new" }]);
  // Pairwise (no key), a deletion beside a change is one replace per item after it and a remove.
  const after = items("b", "c", "d");
  after[2]!.text = "new";
  assert.is(diffJSON(items("a", "b", "c", "d"), after, null).length, 7);
  assert.is(diffJSON(items("a", "b", "c", "d"), after).length, 2);
  assert.equal(diffJSON([{ key: 1 }, { key: 2 }], [{ key: 2 }], "key"), [{ op: "remove", path: "/0" }]);
  // Duplicate or missing ids: diffed as plain arrays.
  assert.equal(diffJSON([{ id: 1 }, { id: 1 }], [{ id: 1 }]), [{ op: "remove", path: "/1" }]);
});

test("diffJSON by id: 1,000 seeded random list changes, each patch applied gives the new list; removes and adds = items gone and new", () => {
  let rnd = 11;
  const next = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), Math.floor(rnd / 65536) % n);
  for (let i = 0; i < 1000; i++) {
    const from = Array.from({ length: 1 + next(12) }, (_, k) => ({ id: `i${k}`, n: next(3), tags: [next(2)] }));
    const to = from.filter(() => next(4) !== 0).map((item) => (next(3) === 0 ? { ...item, n: 9 } : item));
    for (let k = next(4); k > 0; k--) to.splice(next(to.length + 1), 0, { id: `new${i}_${k}`, n: 0, tags: [] });
    for (let k = to.length - 1; k > 0; k--) if (next(3) === 0) [to[k], to[k - 1]] = [to[k - 1]!, to[k]!];
    if (to.length === 0) continue;
    const patch = diffJSON(from, to);
    assert.equal(applyPatch(from, patch), to, `patch ${JSON.stringify(patch)}`);
    const gone = from.filter((a) => !to.some((b) => b.id === a.id)).length;
    const added = to.filter((b) => !from.some((a) => a.id === b.id)).length;
    assert.is(patch.filter((op) => op.op === "remove" && /^\/\d+$/.test(op.path)).length, gone);
    assert.is(patch.filter((op) => op.op === "add" && /^\/\d+$/.test(op.path)).length, added);
    assert.ok(patch.filter((op) => op.op === "move").length <= to.length - added);
  }
});

test("live board with patch: a card deleted from a board's list is a patch of one operation", async () => {
  const store = seededBoards();
  const ids = ["b2"];
  const live = await follow({ schema: boardSchema, document: parse(boardQuery), variableValues: { ids }, contextValue: { store } }, { source: store, patch: true }, () => store.calls);
  assert.ok(await until(() => live.sent.length === 1));
  store.update("b2", { cardIds: ["c4", "c2"] });
  assert.ok(await until(() => live.sent.length === 2));
  assert.equal((live.sent[1] as any).patch, [{ op: "remove", path: "/data/boards/0/cards/0" }]);
  store.update("b2", { cardIds: ["c2", "c4"] });
  assert.ok(await until(() => live.sent.length === 3));
  assert.is((live.sent[2] as any).patch.length, 1, "a reorder of two cards is one move");
  assert.is((live.sent[2] as any).patch[0].op, "move");
  const document = [live.sent[1], live.sent[2]].reduce((doc, value) => applyPatch(doc, (value as any).patch), JSON.parse(JSON.stringify({ data: live.sent[0]!.data })));
  assert.equal(document, JSON.parse(await freshBoards(store, ids)));
  await live.stop();
});

test.run();
