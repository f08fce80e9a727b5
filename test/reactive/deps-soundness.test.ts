// Dependencies are complete (spec/reactivity.md): seeded rounds of a random todo query with deps, a few
// random writes (texts, done flags, items moved between lists, lists moved between users, usernames, names,
// creates and deletes), then checkDeps on the response's deps. Whenever checkDeps says nothing moved, the
// same query run again must give the same response: a write that changes what a query returns always moves
// one of the keys the query recorded.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { dependenciesOf, execute } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema } from "../../examples/todo/schema.js";
import { draws, prng } from "../safety/fuzz.js";
import { todoQuery } from "../kvetch-steps/todoQueries.js";

test("seeded rounds: when checkDeps reports nothing moved, the query's response has not changed", async () => {
  const tally = { rounds: 0, unmoved: 0, moved: 0 };
  for (const seed of [1, 2, 3]) {
    const random = prng(seed);
    const { int, pick } = draws(random);
    const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
    try {
      await kvetch.migrate();
      const users = (await kvetch.createObjects(Array.from({ length: 5 }, (_, u) => ({ type: "User", data: { name: `u${u}`, username: `user${u}` } })))).map((o) => o.id);
      const lists = (await kvetch.createObjects(users.flatMap((u, k) => Array.from({ length: 1 + (k % 3) }, (_, l) => ({ type: "TodoList", data: { userId: u, name: `l${k}.${l}` } }))))).map((o) => o.id);
      let items = (await kvetch.createObjects(lists.flatMap((l, k) => Array.from({ length: (k * 3) % 5 }, (_, i) => ({ type: "TodoItem", data: { listId: l, text: `t${k}.${i}`, done: false } }))))).map((o) => o.id);
      /** One random write; what it did, for the failure message. */
      const write = async (): Promise<string> => {
        const r = int(10);
        if (r < 4 && items.length > 0) {
          const id = pick(items);
          if (r === 0) await kvetch.updateObject("TodoItem", id, { text: `x${int(99)}` });
          if (r === 1) await kvetch.updateObject("TodoItem", id, { done: random() < 0.5 });
          if (r === 2) await kvetch.updateObject("TodoItem", id, { listId: pick(lists) });
          if (r === 3) {
            await kvetch.deleteObject(id);
            items = items.filter((x) => x !== id);
          }
          return `${["text", "done", "move", "delete"][r]} item ${id}`;
        }
        if (r === 4) {
          const list = pick(lists);
          items.push((await kvetch.createObject("TodoItem", { listId: list, text: `n${int(99)}`, done: false })).id);
          return `create item in ${list}`;
        }
        if (r === 5 || r === 6) {
          const list = pick(lists);
          await kvetch.updateObject("TodoList", list, r === 5 ? { userId: pick(users) } : { name: `ln${int(99)}` });
          return `${r === 5 ? "move" : "rename"} list ${list}`;
        }
        const user = pick(users);
        if (r === 9) {
          lists.push((await kvetch.createObject("TodoList", { userId: user, name: `new${int(99)}` })).id);
          return `create list for ${user}`;
        }
        await kvetch.updateObject("User", user, r === 7 ? { username: `user${int(8)}` } : { name: `un${int(99)}` });
        return `${r === 7 ? "username" : "name"} of ${user}`;
      };
      for (let round = 0; round < 60; round++) {
        const args = {
          schema: todoSchema,
          document: todoQuery({ int, pick }),
          variableValues: { id: pick([...users, ...lists, ...items]), u: `user${int(8)}`, f: pick([1, 2, 10]), g: pick([1, 2, 5]), after: null },
          contextValue: { kvetch },
          deps: true,
        };
        const before = await execute(args);
        const writes: string[] = [];
        for (let w = 1 + int(3); w > 0; w--) writes.push(await write());
        const moved = await kvetch.checkDeps(dependenciesOf(before));
        tally.rounds++;
        if (moved.length > 0) {
          tally.moved++;
          continue;
        }
        tally.unmoved++;
        const after = await execute(args);
        const where = `seed ${seed} round ${round}: ${args.document.loc!.source.body} ${JSON.stringify(args.variableValues)} after ${writes.join("; ")}`;
        assert.is(JSON.stringify({ data: after.data, errors: after.errors }), JSON.stringify({ data: before.data, errors: before.errors }), where);
      }
    } finally {
      await kvetch.close();
    }
  }
  // Both outcomes were seen often: writes that touched the query's keys, and writes that did not.
  assert.ok(tally.unmoved > tally.rounds / 2, `unmoved: ${tally.unmoved} of ${tally.rounds}`);
  assert.ok(tally.moved > 10, `moved: ${tally.moved} of ${tally.rounds}`);
});

test.run();
