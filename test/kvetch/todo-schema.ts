// The schema the Kvetch tests share: the todo example (users own lists, lists own todos; both derived
// edges), one stored edge, and two indexes. Also loaded by the CLI test as a schema module.
import { defineSchema } from "../../src/kvetch/index.js";

export const todoSchema = defineSchema({
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

export default todoSchema;
