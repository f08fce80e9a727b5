// The same todo schema written the usual graphql-js way: a resolver per field, each calling the store for
// its own entry (no batching, no DataLoader). The tests and `npm run demo` run it beside the planned schema
// to compare answers and store calls; it must give the same answers, only with more calls.

import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import type { Kvetch, KvetchEdge, KvetchObject, KvetchPage } from "../../src/kvetch/index.js";
import { isUuid } from "../../src/kvetch/index.js";
import { todoTypeDefs } from "./schema.js";

interface TodoContext {
  kvetch: Kvetch;
}

type Resolver = GraphQLFieldResolver<any, TodoContext, any>;

/** One object of `type` by id (one store call), null when missing, malformed or of another type. */
async function objectOf(kvetch: Kvetch, type: string, id: unknown): Promise<KvetchObject | null> {
  if (!isUuid(id)) return null;
  const object = await kvetch.getObject(id);
  return object !== null && object.type === type ? object : null;
}

/** A parent's edges (one store call), then each child by itself (one store call per child). */
async function childrenOf(kvetch: Kvetch, edge: string, type: string, fromId: string, first: number | null, after: string | null): Promise<KvetchObject[]> {
  const [page] = await kvetch.getEdges(edge, [fromId], { first, after });
  const children = await Promise.all(page!.edges.map((e) => objectOf(kvetch, type, e.toId)));
  return children.filter((child): child is KvetchObject => child !== null);
}

function newItemData(field: string, list: KvetchObject | null, text: string): { listId: string; text: string; done: boolean } {
  if (list === null) throw new Error(`${field}: there is no todo list with that listId.`);
  return { listId: list.id, text, done: false };
}

const resolvers: Record<string, Record<string, Resolver>> = {
  Query: {
    todoUser: (_root, { id }, { kvetch }) => objectOf(kvetch, "User", id),
    todoList: (_root, { id }, { kvetch }) => objectOf(kvetch, "TodoList", id),
    todoItem: (_root, { id }, { kvetch }) => objectOf(kvetch, "TodoItem", id),
    userByUsername: async (_root, { username }, { kvetch }) => {
      const [page] = await kvetch.queryIndex("username", [username], { first: 1 });
      const entry = page!.edges[0];
      return entry === undefined ? null : objectOf(kvetch, "User", entry.targetId);
    },
  },
  Mutation: {
    createTodoItem: async (_root, { listId, text }, { kvetch }) =>
      kvetch.createObject("TodoItem", newItemData("createTodoItem", await objectOf(kvetch, "TodoList", listId), text)),
    createTodoItems: async (_root, { listId, texts }, { kvetch }) => {
      const list = await objectOf(kvetch, "TodoList", listId);
      const created = [];
      for (const text of texts as string[]) created.push(await kvetch.createObject("TodoItem", newItemData("createTodoItems", list, text)));
      return created;
    },
    setTodoItemDone: async (_root, { id, done }, { kvetch }) => {
      if ((await objectOf(kvetch, "TodoItem", id)) === null) throw new Error("setTodoItemDone: there is no todo item with that id.");
      return kvetch.updateObject("TodoItem", id, { done });
    },
    deleteTodoItem: (_root, { id }, { kvetch }) => kvetch.deleteObject(id),
    createTodoList: async (_root, { userId, name }, { kvetch }) => {
      const user = await objectOf(kvetch, "User", userId);
      if (user === null) throw new Error("createTodoList: there is no user with that userId.");
      return kvetch.createObject("TodoList", { userId: user.id, name });
    },
  },
  User: {
    id: (user: KvetchObject) => user.id,
    name: (user: KvetchObject) => user.data.name,
    username: (user: KvetchObject) => user.data.username,
    todoLists: (user: KvetchObject, { first, after }, { kvetch }) => childrenOf(kvetch, "user_to_list", "TodoList", user.id, first ?? null, after ?? null),
    todoListsConnection: async (user: KvetchObject, { first, after }, { kvetch }) => {
      const [page] = await kvetch.getEdges("user_to_list", [user.id], { first: first ?? null, after: after ?? null });
      return { ...page!, fromId: user.id };
    },
    todoListCount: async (user: KvetchObject, _args, { kvetch }) => (await kvetch.countEdges("user_to_list", [user.id]))[0],
  },
  TodoList: {
    id: (list: KvetchObject) => list.id,
    name: (list: KvetchObject) => list.data.name,
    todoItems: (list: KvetchObject, { first, after }, { kvetch }) => childrenOf(kvetch, "list_to_item", "TodoItem", list.id, first ?? null, after ?? null),
    owner: (list: KvetchObject, _args, { kvetch }) => objectOf(kvetch, "User", list.data.userId),
  },
  TodoItem: {
    id: (item: KvetchObject) => item.id,
    text: (item: KvetchObject) => item.data.text,
    done: (item: KvetchObject) => item.data.done,
    list: (item: KvetchObject, _args, { kvetch }) => objectOf(kvetch, "TodoList", item.data.listId),
  },
  TodoListConnection: {
    edges: (page: KvetchPage<KvetchEdge>) => page.edges,
    pageInfo: (page: KvetchPage<KvetchEdge>) => page,
    totalCount: async (page: KvetchPage<KvetchEdge> & { fromId: string }, _args, { kvetch }) =>
      (await kvetch.countEdges("user_to_list", [page.fromId]))[0],
  },
  TodoListEdge: {
    cursor: (edge: KvetchEdge) => edge.cursor,
    node: (edge: KvetchEdge, _args, { kvetch }) => objectOf(kvetch, "TodoList", edge.toId),
  },
  PageInfo: {
    hasNextPage: (page: KvetchPage<KvetchEdge>) => page.hasNextPage,
    endCursor: (page: KvetchPage<KvetchEdge>) => page.endCursor,
    hasPreviousPage: () => false,
    startCursor: (page: KvetchPage<KvetchEdge>) => page.edges[0]?.cursor ?? null,
  },
};

/** graphql-js's schema for the todo typeDefs with the per-field resolvers above. */
export function makeTodoResolverSchema(): GraphQLSchema {
  const schema = buildSchema(todoTypeDefs);
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName) as unknown as { getFields(): Record<string, { resolve?: Resolver }> };
    for (const [fieldName, resolve] of Object.entries(fields)) type.getFields()[fieldName]!.resolve = resolve;
  }
  return schema;
}

export const todoResolverSchema = makeTodoResolverSchema();
