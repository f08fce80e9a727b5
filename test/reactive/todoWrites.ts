// A small seeded todo store for the seeded reactive tests (deps-soundness, live-random): 5 users, their lists
// and items on 4 memory shards, and one random write at a time — an item's text, done flag or list changed,
// an item deleted or created, a list moved to another user or renamed, a list created, a user's username or
// name changed.

import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema } from "../../examples/todo/schema.js";
import type { Draws } from "../safety/fuzz.js";

export interface RandomTodoStore {
  readonly kvetch: Kvetch;
  readonly users: string[];
  readonly lists: string[];
  items: string[];
  /** One random write; what it did, for a failure message. */
  write(): Promise<string>;
}

/** Seeds the store on `kvetch` (migrated here), by default a new one on 4 memory shards. */
export async function randomTodoStore(
  { random, int, pick }: Draws & { random: () => number },
  kvetch: Kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) }),
): Promise<RandomTodoStore> {
  await kvetch.migrate();
  const users = (await kvetch.createObjects(Array.from({ length: 5 }, (_, u) => ({ type: "User", data: { name: `u${u}`, username: `user${u}` } })))).map((o) => o.id);
  const lists = (await kvetch.createObjects(users.flatMap((u, k) => Array.from({ length: 1 + (k % 3) }, (_, l) => ({ type: "TodoList", data: { userId: u, name: `l${k}.${l}` } }))))).map((o) => o.id);
  const items = (await kvetch.createObjects(lists.flatMap((l, k) => Array.from({ length: (k * 3) % 5 }, (_, i) => ({ type: "TodoItem", data: { listId: l, text: `t${k}.${i}`, done: false } }))))).map((o) => o.id);
  const store: RandomTodoStore = {
    kvetch,
    users,
    lists,
    items,
    async write(): Promise<string> {
      const r = int(10);
      if (r < 4 && store.items.length > 0) {
        const id = pick(store.items);
        if (r === 0) await kvetch.updateObject("TodoItem", id, { text: `x${int(99)}` });
        if (r === 1) await kvetch.updateObject("TodoItem", id, { done: random() < 0.5 });
        if (r === 2) await kvetch.updateObject("TodoItem", id, { listId: pick(lists) });
        if (r === 3) {
          await kvetch.deleteObject(id);
          store.items = store.items.filter((x) => x !== id);
        }
        return `${["text", "done", "move", "delete"][r]} item ${id}`;
      }
      if (r === 4) {
        const list = pick(lists);
        store.items.push((await kvetch.createObject("TodoItem", { listId: list, text: `n${int(99)}`, done: false })).id);
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
    },
  };
  return store;
}
