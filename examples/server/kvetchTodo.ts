// The Kvetch todo example (examples/todo) on in-memory shards, seeded with a few users, lists and items,
// for the example server and its tests. The store is shared by every request, like a real one; data
// is made up here and never written anywhere but the memory backend.

import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema } from "../todo/schema.js";

export interface SeededTodoStore {
  readonly kvetch: Kvetch;
  /** The seeded users' ids, in creation order. */
  readonly userIds: readonly string[];
}

/** `users` users with `lists` lists of `items` items each, over `shards` memory shards. */
export async function createKvetchTodoStore({ shards = 4, users = 3, lists = 3, items = 4 } = {}): Promise<SeededTodoStore> {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards }) });
  const userIds: string[] = [];
  for (let u = 1; u <= users; u++) {
    const user = await kvetch.createObject("User", { name: `User ${u}`, username: `user${u}` });
    userIds.push(user.id);
    const newLists = await kvetch.createObjects(
      Array.from({ length: lists }, (_, l) => ({ type: "TodoList", data: { userId: user.id, name: `List ${l + 1} of user ${u}` } })),
    );
    await kvetch.createObjects(
      newLists.flatMap((list, l) =>
        Array.from({ length: items }, (_, i) => ({
          type: "TodoItem",
          data: { listId: list.id, text: `Item ${i + 1} of list ${l + 1}`, done: i % 2 === 1 },
        })),
      ),
    );
  }
  kvetch.resetCounters();
  return { kvetch, userIds };
}
