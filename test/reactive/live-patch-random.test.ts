// Patches as small as the change (spec/reactivity.md, DiffKeyedList), on the memory backend: 1,000 seeded
// random writes to a live board view (a user → lists → items, each with its id) in patch mode. After every
// write the document rebuilt from the patches equals a fresh execute; an item deleted is one `remove`, an
// item created one `add`, a field changed one `replace`; and each patch is at most twice the JSON of the
// object it changed (the item, list or user whose field changed, the item added or removed).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, subscribe } from "../../src/index.js";
import { todoSchema } from "../../examples/todo/schema.js";
import { seededStore } from "../kvetch-steps/todo.js";
import { applyPatch } from "./liveBoard.js";

const boardQuery = `query Board($id: ID!) { todoUser(id: $id) { id name todoLists(first: 10) { id name todoItems(first: 20) { id text done } } } }`;

type Item = { id: string; text: string; done: boolean };
type List = { id: string; name: string; todoItems: Item[] };
type Board = { data: { todoUser: { id: string; name: string; todoLists: List[] } } };

test("live board in patch mode: 1,000 seeded random writes; rebuilt documents equal fresh results; one operation per item added, removed or changed; patch ≤ 2× the changed object", async () => {
  const { kvetch, seed } = await seededStore({ users: 1, listsPerUser: 3, itemsPerList: 4 });
  const userId = seed.userIds[0]!;
  const fresh = async (): Promise<Board> =>
    JSON.parse(JSON.stringify({ data: (await execute({ schema: todoSchema, document: parse(boardQuery), variableValues: { id: userId }, contextValue: { kvetch } })).data }));
  const iterator = (await subscribe({
    schema: todoSchema,
    document: parse(boardQuery.replace("query Board($id: ID!)", "query Board($id: ID!) @live")),
    variableValues: { id: userId },
    contextValue: { kvetch },
    live: { source: kvetch, patch: true },
  })) as AsyncGenerator<ExecutionResult | { patch: Array<{ op: string; path: string; value?: unknown; from?: string }> }>;
  let document = JSON.parse(JSON.stringify({ data: ((await iterator.next()).value as ExecutionResult).data })) as Board;
  let rnd = 12345;
  const next = (k: number): number => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), Math.floor((rnd / 2147483648) * k));
  const ops = { remove: 0, add: 0, replace: 0, move: 0 };
  let patchBytes = 0;
  let objectBytes = 0;
  let valueBytes = 0;
  for (let w = 0; w < 1000; w++) {
    const lists = document.data.todoUser.todoLists;
    const items = lists.flatMap((l) => l.todoItems);
    const kind = next(10);
    let changed: unknown;
    let value: unknown;
    let expected: keyof typeof ops;
    if ((kind < 2 && items.length > 2) || items.length > 40) {
      const item = items[next(items.length)]!;
      await kvetch.deleteObject(item.id);
      changed = value = item;
      expected = "remove";
    } else if (kind < 4) {
      const list = lists[next(lists.length)]!;
      const created = await kvetch.createObject("TodoItem", { listId: list.id, text: `new ${w}`, done: false });
      changed = value = { id: created.id, text: `new ${w}`, done: false };
      expected = "add";
    } else if (kind < 5) {
      const list = lists[next(lists.length)]!;
      await kvetch.updateObject("TodoList", list.id, { name: `list ${w}` });
      changed = { ...list, name: `list ${w}` };
      value = `list ${w}`;
      expected = "replace";
    } else {
      const item = items[next(items.length)]!;
      const patch = kind < 7 ? { done: !item.done } : { text: `write ${w}` };
      await kvetch.updateObject("TodoItem", item.id, patch);
      changed = { ...item, ...patch };
      value = Object.values(patch)[0];
      expected = "replace";
    }
    const sent = (await iterator.next()).value as { patch: Array<{ op: keyof typeof ops; path: string; value?: unknown; from?: string }> };
    assert.ok(Array.isArray(sent.patch), `write ${w}: a patch`);
    assert.is(sent.patch.length, 1, `write ${w}: one operation (${JSON.stringify(sent.patch)})`);
    assert.is(sent.patch[0]!.op, expected, `write ${w}`);
    ops[sent.patch[0]!.op]++;
    const bytes = JSON.stringify(sent.patch).length;
    assert.ok(bytes <= 2 * JSON.stringify(changed).length, `write ${w}: ${bytes} patch bytes for ${JSON.stringify(changed).length} bytes changed`);
    patchBytes += bytes;
    objectBytes += JSON.stringify(changed).length;
    valueBytes += JSON.stringify(value).length;
    document = applyPatch(document, sent.patch) as Board;
    assert.equal(document, await fresh(), `write ${w}: the rebuilt document equals a fresh result`);
  }
  assert.ok(ops.remove > 100 && ops.add > 100 && ops.replace > 400, JSON.stringify(ops));
  assert.ok(patchBytes <= 2 * objectBytes, `${patchBytes} patch bytes for ${objectBytes} bytes of changed objects (${valueBytes} of values)`);
  await iterator.return(undefined);
  await kvetch.close();
});

test.run();
