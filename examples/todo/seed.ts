// Seed data for the todo example: the same users, lists and items (names, texts, order) on every run, written
// with three batch calls (users, lists, items). Ids are fresh UUIDv7s from the store, so they differ per run;
// everything else, including the order of each edge list, is fixed.

import type { Kvetch } from "../../src/kvetch/index.js";

export interface TodoSeedOptions {
  /** Users to create (default 1): "alice", then "user2", "user3", ... */
  users?: number;
  /** Lists per user (default 10). */
  listsPerUser?: number;
  /** Items per list (default 5). */
  itemsPerList?: number;
}

export interface TodoSeed {
  userIds: string[];
  /** listIds[u][l]: list l of user u, in edge-list order. */
  listIds: string[][];
  /** itemIds[u][l][i]: item i of list l of user u, in edge-list order. */
  itemIds: string[][][];
}

export function userNameOf(u: number): { name: string; username: string } {
  return u === 0 ? { name: "Alice", username: "alice" } : { name: `User ${u + 1}`, username: `user${u + 1}` };
}

/** Writes the seed through the store's batch calls and returns the ids it got. */
export async function seedTodo(kvetch: Kvetch, options: TodoSeedOptions = {}): Promise<TodoSeed> {
  const users = options.users ?? 1;
  const listsPerUser = options.listsPerUser ?? 10;
  const itemsPerList = options.itemsPerList ?? 5;

  const createdUsers = await kvetch.createObjects(Array.from({ length: users }, (_, u) => ({ type: "User", data: userNameOf(u) })));
  const userIds = createdUsers.map((user) => user.id);

  const listItems: { type: string; data: { userId: string; name: string } }[] = [];
  for (let u = 0; u < users; u++) {
    for (let l = 0; l < listsPerUser; l++) listItems.push({ type: "TodoList", data: { userId: userIds[u]!, name: `${userNameOf(u).name}'s list ${l + 1}` } });
  }
  const createdLists = listItems.length === 0 ? [] : await kvetch.createObjects(listItems);
  const listIds = userIds.map((_, u) => createdLists.slice(u * listsPerUser, (u + 1) * listsPerUser).map((list) => list.id));

  const todoItems: { type: string; data: { listId: string; text: string; done: boolean } }[] = [];
  for (let u = 0; u < users; u++) {
    for (let l = 0; l < listsPerUser; l++) {
      for (let i = 0; i < itemsPerList; i++) {
        todoItems.push({
          type: "TodoItem",
          data: { listId: listIds[u]![l]!, text: `list ${l + 1}, item ${i + 1}`, done: (l + i) % 3 === 0 },
        });
      }
    }
  }
  const createdItems = todoItems.length === 0 ? [] : await kvetch.createObjects(todoItems);
  const itemIds = listIds.map((lists, u) =>
    lists.map((_, l) => {
      const start = (u * listsPerUser + l) * itemsPerList;
      return createdItems.slice(start, start + itemsPerList).map((item) => item.id);
    }),
  );
  return { userIds, listIds, itemIds };
}
