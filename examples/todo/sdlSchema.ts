// The todo example from one annotated SDL file (todo.graphql): the Kvetch schema and the plans come from its
// directives. The one hand-written plan shows how to add a field the directives do not cover.
import { readFileSync } from "node:fs";
import type { FieldArgs, Step } from "../../src/index.js";
import { createObject, loadObject, makeKvetchSchema, type KvetchObject } from "../../steps/kvetch/index.js";
import { each, lambda, list } from "../../steps/index.js";

export const todoSdl = readFileSync(new URL("./todo.graphql", import.meta.url), "utf8");

function newTodoItem([list, text]: [KvetchObject | null, string]) {
  if (list === null) throw new Error("createTodoItems: there is no todo list with that listId.");
  return { listId: list.id, text, done: false };
}

export const { schema: todoSdlSchema, kvetchSchema: todoSdlKvetchSchema } = makeKvetchSchema({
  typeDefs: todoSdl,
  plans: {
    Mutation: {
      // One createObjects call for all the texts: the write step runs once for the list layer.
      createTodoItems: (_$root: Step, args: FieldArgs) => {
        const $list = loadObject("TodoList", args.get("listId"));
        return each(args.get("texts"), ($text) => createObject("TodoItem", lambda(list([$list, $text]), newTodoItem)));
      },
    },
  },
});
