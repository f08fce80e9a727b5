// A small in-memory todo schema planned with loadOne/loadMany (users → lists → items, a Node interface and
// a SearchResult union), for the explain tests and the server without a store. Each load callback counts
// its calls in the request's context, so a run shows how often each source was hit; no Kvetch here.

import { makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { context, each, loadMany, loadOne } from "../../steps/index.js";

interface UserRecord { readonly type: "User"; readonly id: string; readonly name: string }
interface ListRecord { readonly type: "List"; readonly id: string; readonly title: string; readonly ownerId: string }
interface ItemRecord { readonly type: "Item"; readonly id: string; readonly text: string; readonly done: boolean; readonly listId: string }
type TodoRecord = UserRecord | ListRecord | ItemRecord;

/** The context each request gets: load callback calls by callback name, counted per request. */
export interface MemoryTodoContext {
  readonly loadCalls: Record<string, number>;
}

export function createMemoryTodoContext(): MemoryTodoContext {
  return { loadCalls: { users: 0, lists: 0, listIdsByUser: 0, itemsByList: 0, nodes: 0, search: 0 } };
}

const records: TodoRecord[] = [];
for (let u = 1; u <= 3; u++) {
  records.push({ type: "User", id: `u${u}`, name: `User ${u}` });
  for (let l = 1; l <= 3; l++) {
    const listId = `u${u}l${l}`;
    records.push({ type: "List", id: listId, title: `List ${l} of user ${u}`, ownerId: `u${u}` });
    for (let i = 1; i <= 4; i++) {
      records.push({ type: "Item", id: `${listId}i${i}`, text: `Item ${i} of ${listId}`, done: i % 2 === 0, listId });
    }
  }
}
const byId = new Map<string, TodoRecord>(records.map((r) => [r.id, r]));

function count(ctx: MemoryTodoContext, name: string): void {
  ctx.loadCalls[name] = (ctx.loadCalls[name] ?? 0) + 1;
}

function users(ids: readonly string[], ctx: MemoryTodoContext): Array<UserRecord | null> {
  count(ctx, "users");
  return ids.map((id) => { const r = byId.get(id); return r?.type === "User" ? r : null; });
}

function lists(ids: readonly string[], ctx: MemoryTodoContext): Array<ListRecord | null> {
  count(ctx, "lists");
  return ids.map((id) => { const r = byId.get(id); return r?.type === "List" ? r : null; });
}

async function listIdsByUser(userIds: readonly string[], ctx: MemoryTodoContext): Promise<string[][]> {
  count(ctx, "listIdsByUser");
  return userIds.map((userId) => records.filter((r) => r.type === "List" && r.ownerId === userId).map((r) => r.id));
}

async function itemsByList(listIds: readonly string[], ctx: MemoryTodoContext): Promise<ItemRecord[][]> {
  count(ctx, "itemsByList");
  return listIds.map((listId) => records.filter((r): r is ItemRecord => r.type === "Item" && r.listId === listId));
}

async function nodes(ids: readonly string[], ctx: MemoryTodoContext): Promise<Array<TodoRecord | null>> {
  count(ctx, "nodes");
  return ids.map((id) => byId.get(id) ?? null);
}

async function search(texts: readonly string[], ctx: MemoryTodoContext): Promise<TodoRecord[][]> {
  count(ctx, "search");
  return texts.map((text) =>
    records.filter((r) => (r.type === "User" ? r.name : r.type === "List" ? r.title : r.text).includes(text)),
  );
}

export const memoryTodoTypeDefs = /* GraphQL */ `
  interface Node { id: ID! }
  type Query {
    user(id: ID!): User
    node(id: ID!): Node
    search(text: String!): [SearchResult!]!
  }
  type User implements Node { id: ID! name: String! lists: [List!]! }
  type List implements Node { id: ID! title: String! owner: User items: [Item!]! }
  type Item implements Node { id: ID! text: String! done: Boolean! list: List }
  union SearchResult = User | List | Item
`;

/** A new schema each call (plans are cached per schema); most callers want `memoryTodoSchema`. */
export function makeMemoryTodoSchema() {
  return makeSchema({
    typeDefs: memoryTodoTypeDefs,
    plans: {
      Query: {
        user: (_$root: Step, args: FieldArgs) => loadOne(args.get("id"), users, context<MemoryTodoContext>()),
        node: (_$root: Step, args: FieldArgs) => loadOne(args.get("id"), nodes, context<MemoryTodoContext>()),
        search: (_$root: Step, args: FieldArgs) => loadMany(args.get("text"), search, context<MemoryTodoContext>()),
      },
      Node: { __planType: ($node: Step) => $node.get("type") },
      SearchResult: { __planType: ($result: Step) => $result.get("type") },
      User: {
        id: ($user: Step) => $user.get("id"),
        name: ($user: Step) => $user.get("name"),
        lists: ($user: Step) =>
          each(loadMany($user.get("id"), listIdsByUser, context<MemoryTodoContext>()), ($id: Step) => loadOne($id, lists, context<MemoryTodoContext>())),
      },
      List: {
        id: ($list: Step) => $list.get("id"),
        title: ($list: Step) => $list.get("title"),
        owner: ($list: Step) => loadOne($list.get("ownerId"), users, context<MemoryTodoContext>()),
        items: ($list: Step) => loadMany($list.get("id"), itemsByList, context<MemoryTodoContext>()),
      },
      Item: {
        id: ($item: Step) => $item.get("id"),
        text: ($item: Step) => $item.get("text"),
        done: ($item: Step) => $item.get("done"),
        list: ($item: Step) => loadOne($item.get("listId"), lists, context<MemoryTodoContext>()),
      },
    },
  });
}

export const memoryTodoSchema = makeMemoryTodoSchema();

/** The todo view: a user, their lists, and each list's items. */
export const memoryTodoViewQuery = /* GraphQL */ `query TodoView($id: ID!) {
  user(id: $id) {
    id
    name
    lists {
      id
      title
      items { id text done }
    }
  }
}`;

/** A polymorphic query: an interface field and a list of a union, with type-specific selections. */
export const polymorphicQuery = /* GraphQL */ `query Polymorphic($id: ID!, $text: String!) {
  node(id: $id) {
    __typename
    id
    ... on User { name }
    ... on List { title owner { name } }
    ... on Item { text done }
  }
  search(text: $text) {
    __typename
    ... on User { id name }
    ... on List { id title }
    ... on Item { id text list { title } }
  }
}`;
