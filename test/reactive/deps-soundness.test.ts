// Dependencies are complete (spec/reactivity.md): seeded rounds of a random todo query with deps, a few
// random writes (texts, done flags, items moved between lists, lists moved between users, usernames, names,
// creates and deletes), then checkDeps on the response's deps. Whenever checkDeps says nothing moved, the
// same query run again must give the same response: a write that changes what a query returns always moves
// one of the keys the query recorded.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { dependenciesOf, execute } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema } from "../../examples/todo/schema.js";
import { prng } from "../safety/fuzz.js";

function generator(seed: number) {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const item = (d: number): string => [pick(["text", "id", "done"]), d < 4 && int(3) === 0 ? `list { name ${d < 3 && int(2) ? "owner { name username }" : ""} }` : ""].join(" ");
  const list = (d: number): string =>
    [
      pick(["name", "id"]),
      int(2) ? `todoItems(first: ${pick(["1", "2", "5"])}${int(4) === 0 ? ", after: $after" : ""}) { ${item(d + 1)} }` : "",
      d < 3 && int(3) === 0 ? `owner { ${pick(["name", "id", "username"])} }` : "",
    ].join(" ");
  const user = (d: number): string =>
    [
      pick(["name", "id", "username"]),
      int(2) ? `todoLists(first: ${pick(["1", "2", "10"])}) { ${list(d + 1)} }` : "",
      int(3) === 0 ? "todoListCount" : "",
      int(3) === 0 ? `todoListsConnection(first: ${pick(["1", "2"])}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${list(d + 1)} } } }` : "",
    ].join(" ");
  const document = () => {
    const roots = Array.from({ length: 1 + int(2) }, (_, k) => {
      const r = int(5);
      if (r === 0) return `r${k}: todoList(id: $id) { ${list(1)} }`;
      if (r === 1) return `r${k}: todoItem(id: $id) { ${item(1)} }`;
      if (r === 2) return `r${k}: userByUsername(username: $u) { ${user(1)} }`;
      return `r${k}: todoUser(id: $id) { ${user(1)} }`;
    });
    return parse(`query Q($id: ID!, $u: String!, $after: String) { ${roots.join(" ")} }`);
  };
  return { random, int, pick, document };
}

test("seeded rounds: when checkDeps reports nothing moved, the query's response has not changed", async () => {
  const tally = { rounds: 0, unmoved: 0, moved: 0 };
  for (const seed of [1, 2, 3]) {
    const { random, int, pick, document } = generator(seed);
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
          if (r === 0) await kvetch.updateObject(id, { text: `x${int(99)}` });
          if (r === 1) await kvetch.updateObject(id, { done: random() < 0.5 });
          if (r === 2) await kvetch.updateObject(id, { listId: pick(lists) });
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
          await kvetch.updateObject(list, r === 5 ? { userId: pick(users) } : { name: `ln${int(99)}` });
          return `${r === 5 ? "move" : "rename"} list ${list}`;
        }
        const user = pick(users);
        if (r === 9) {
          lists.push((await kvetch.createObject("TodoList", { userId: user, name: `new${int(99)}` })).id);
          return `create list for ${user}`;
        }
        await kvetch.updateObject(user, r === 7 ? { username: `user${int(8)}` } : { name: `un${int(99)}` });
        return `${r === 7 ? "username" : "name"} of ${user}`;
      };
      for (let round = 0; round < 60; round++) {
        const args = {
          schema: todoSchema,
          document: document(),
          variableValues: { id: pick([...users, ...lists, ...items]), u: `user${int(8)}`, after: null },
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
