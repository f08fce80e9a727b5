// The schema the backend contract suite runs against: users own todo lists and lists own todos (derived
// edges), one stored edge, and two indexes — every kind of row a backend stores. Backends never see these
// names (only typeId, edgeId, indexId), so any backend passes or fails the contract the same way.

import { defineSchema } from "../schema.js";

export const contractSchema = defineSchema({
  objects: [
    { name: "User", typeId: 1 },
    { name: "TodoList", typeId: 2 },
    { name: "Todo", typeId: 3 },
  ],
  edges: [
    { name: "user_to_list", edgeId: 1, fromType: "User", storedIdAttr: "userId", storedOnType: "TodoList" },
    { name: "list_to_todo", edgeId: 2, fromType: "TodoList", storedIdAttr: "listId", storedOnType: "Todo" },
    { name: "likes", edgeId: 3, fromType: "User", toType: "Todo" },
  ],
  indexes: [
    { name: "username", indexId: 1, indexedType: "User", indexedAttr: "username" },
    { name: "todo_status", indexId: 2, indexedType: "Todo", indexedAttr: "status" },
  ],
});

/** The default export lets `graphscale kvetch repair` load this file as a schema module. */
export default contractSchema;
