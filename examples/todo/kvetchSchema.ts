// The todo example's store schema: users own todo lists, lists hold todo items. Both edges are derived
// (TodoList.data.userId, TodoItem.data.listId) and User.username is indexed. Declared once: the GraphQL
// schema, the resolver schema, the seed, the bench and `graphscale kvetch repair` (default export) all use it.

import { defineSchema } from "../../src/kvetch/index.js";

export const todoKvetchSchema = defineSchema({
  objects: [
    { name: "User", typeId: 1 },
    { name: "TodoList", typeId: 2 },
    { name: "TodoItem", typeId: 3 },
  ],
  edges: [
    { name: "user_to_list", edgeId: 1, fromType: "User", storedIdAttr: "userId", storedOnType: "TodoList" },
    { name: "list_to_item", edgeId: 2, fromType: "TodoList", storedIdAttr: "listId", storedOnType: "TodoItem" },
  ],
  indexes: [{ name: "username", indexId: 1, indexedType: "User", indexedAttr: "username" }],
});

export default todoKvetchSchema;
