// The todo schema the way a careful graphql-js user writes it: resolvers that go through per-request
// DataLoaders, one for objects and one per (edge, first, after) for edge pages, over the same Kvetch
// calls the store documents. Only the read fields the bench queries; never shares a loader across requests.

import DataLoader from "dataloader";
import { buildSchema, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { isUuid, type Kvetch, type KvetchEdge, type KvetchObject, type KvetchPage } from "../../src/kvetch/index.js";
import { todoTypeDefs } from "../../examples/todo/schema.js";

/** Per-request loaders; create them with `todoLoaders(kvetch)` for every request, as DataLoader's docs say. */
export interface TodoLoaders {
  objects: DataLoader<string, KvetchObject | null>;
  edgePages(edge: string, first: number | null, after: string | null): DataLoader<string, KvetchPage<KvetchEdge>>;
  /** Edge counts per edge name (`countEdges`). */
  edgeCounts(edge: string): DataLoader<string, number>;
}

export interface TodoDataLoaderContext {
  kvetch: Kvetch;
  loaders: TodoLoaders;
}

export function todoLoaders(kvetch: Kvetch): TodoLoaders {
  const objects = new DataLoader<string, KvetchObject | null>((ids) => kvetch.getObjects(ids));
  const pageLoaders = new Map<string, DataLoader<string, KvetchPage<KvetchEdge>>>();
  const countLoaders = new Map<string, DataLoader<string, number>>();
  return {
    edgeCounts(edge) {
      let loader = countLoaders.get(edge);
      if (loader === undefined) countLoaders.set(edge, (loader = new DataLoader<string, number>((fromIds) => kvetch.countEdges(edge, fromIds))));
      return loader;
    },
    objects,
    edgePages(edge, first, after) {
      const key = `${edge}\u0000${first}\u0000${after}`;
      let loader = pageLoaders.get(key);
      if (loader === undefined) {
        loader = new DataLoader<string, KvetchPage<KvetchEdge>>((fromIds) => kvetch.getEdges(edge, fromIds, { first, after }));
        pageLoaders.set(key, loader);
      }
      return loader;
    },
  };
}

type Resolver = GraphQLFieldResolver<any, TodoDataLoaderContext, any>;

/** One object of `type` through the object loader; null when missing, malformed or of another type. */
async function objectOf(loaders: TodoLoaders, type: string, id: unknown): Promise<KvetchObject | null> {
  if (!isUuid(id)) return null;
  const object = await loaders.objects.load(id.toLowerCase());
  return object !== null && object.type === type ? object : null;
}

/** A parent's edge page through the page loader, then its children through the object loader. */
async function childrenOf(loaders: TodoLoaders, edge: string, type: string, fromId: string, first: number | null, after: string | null): Promise<KvetchObject[]> {
  const page = await loaders.edgePages(edge, first, after).load(fromId);
  const children = await loaders.objects.loadMany(page.edges.map((e) => e.toId));
  const out: KvetchObject[] = [];
  for (const child of children) {
    if (child instanceof Error) throw child;
    if (child !== null && child.type === type) out.push(child);
  }
  return out;
}

const resolvers: Record<string, Record<string, Resolver>> = {
  Query: {
    todoUser: (_root, { id }, { loaders }) => objectOf(loaders, "User", id),
    todoList: (_root, { id }, { loaders }) => objectOf(loaders, "TodoList", id),
    todoItem: (_root, { id }, { loaders }) => objectOf(loaders, "TodoItem", id),
  },
  User: {
    id: (user: KvetchObject) => user.id,
    name: (user: KvetchObject) => user.data.name,
    username: (user: KvetchObject) => user.data.username,
    todoLists: (user: KvetchObject, { first, after }, { loaders }) => childrenOf(loaders, "user_to_list", "TodoList", user.id, first ?? null, after ?? null),
    todoListCount: (user: KvetchObject, _args, { loaders }) => loaders.edgeCounts("user_to_list").load(user.id),
  },
  TodoList: {
    id: (list: KvetchObject) => list.id,
    name: (list: KvetchObject) => list.data.name,
    todoItems: (list: KvetchObject, { first, after }, { loaders }) => childrenOf(loaders, "list_to_item", "TodoItem", list.id, first ?? null, after ?? null),
    owner: (list: KvetchObject, _args, { loaders }) => objectOf(loaders, "User", list.data.userId),
  },
  TodoItem: {
    id: (item: KvetchObject) => item.id,
    text: (item: KvetchObject) => item.data.text,
    done: (item: KvetchObject) => item.data.done,
    list: (item: KvetchObject, _args, { loaders }) => objectOf(loaders, "TodoList", item.data.listId),
  },
};

/** graphql-js's schema for the todo typeDefs with DataLoader resolvers on the read fields. */
export function makeTodoDataLoaderSchema(): GraphQLSchema {
  const schema = buildSchema(todoTypeDefs);
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName) as GraphQLObjectType;
    for (const [fieldName, resolve] of Object.entries(fields)) type.getFields()[fieldName]!.resolve = resolve;
  }
  return schema;
}
