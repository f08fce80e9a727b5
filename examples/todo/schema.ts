// The todo example, Kvetch's running example: users own todo lists, lists hold todo items. Both edges are
// derived (TodoList.data.userId, TodoItem.data.listId) and User.username is indexed. The GraphQL schema is
// planned with the Kvetch steps, so each layer costs one store call per step; no per-field resolvers here.

import { makeSchema, type FieldArgs, type MakeSchemaConfig, type Step } from "../../src/index.js";
import {
  connection,
  connectionPlans,
  createObject,
  deleteObject,
  edgeCount,
  loadEdges,
  loadObject,
  queryIndex,
  updateObject,
  type KvetchObject,
} from "../../steps/kvetch/index.js";
import { each, first, lambda, list } from "../../steps/index.js";

import { todoKvetchSchema } from "./kvetchSchema.js";

export { todoKvetchSchema };

export const todoTypeDefs = /* GraphQL */ `
  type Query {
    todoUser(id: ID!): User
    todoList(id: ID!): TodoList
    todoItem(id: ID!): TodoItem
    userByUsername(username: String!): User
  }

  type Mutation {
    "With an idempotencyKey, a retry of the same create returns the first item instead of a second one."
    createTodoItem(listId: ID!, text: String!, idempotencyKey: String): TodoItem
    createTodoItems(listId: ID!, texts: [String!]!): [TodoItem!]!
    setTodoItemDone(id: ID!, done: Boolean!): TodoItem
    "Deletes a todo item; an id of a user or a list deletes nothing and is an error."
    deleteTodoItem(id: ID!): Boolean
    createTodoList(userId: ID!, name: String!, idempotencyKey: String): TodoList
  }

  type User {
    id: ID!
    name: String
    username: String
    todoLists(first: Int = 10, after: String): [TodoList!]!
    todoListsConnection(first: Int = 10, after: String): TodoListConnection!
    todoListCount: Int!
  }

  type TodoList {
    id: ID!
    name: String
    todoItems(first: Int = 5, after: String): [TodoItem!]!
    owner: User
  }

  type TodoItem {
    id: ID!
    text: String
    done: Boolean!
    list: TodoList
  }

  type TodoListConnection {
    edges: [TodoListEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type TodoListEdge {
    cursor: String!
    node: TodoList
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }
`;

/** For the mutation field `field`: the new item's data, once the list it goes into is known to exist. */
function newTodoItemFor(field: string): (args: [KvetchObject | null, string]) => { listId: string; text: string; done: boolean } {
  return ([list, text]) => {
    if (list === null) throw new Error(`${field}: there is no todo list with that listId.`);
    return { listId: list.id, text, done: false };
  };
}
const newTodoItem = newTodoItemFor("createTodoItem");
const newTodoItemsItem = newTodoItemFor("createTodoItems");

function newTodoList([user, name]: [KvetchObject | null, string]): { userId: string; name: string } {
  if (user === null) throw new Error("createTodoList: there is no user with that userId.");
  return { userId: user.id, name };
}

/** An existing item's id, or an error the mutation field reports. */
function existingItemId(item: KvetchObject | null): string {
  if (item === null) throw new Error("setTodoItemDone: there is no todo item with that id.");
  return item.id;
}

/** The todo schema's plan resolvers, by type and field (the bench extends them). */
export const todoPlans = {
  Query: {
    todoUser: (_$root: Step, args: FieldArgs) => loadObject("User", args.get("id")),
    todoList: (_$root: Step, args: FieldArgs) => loadObject("TodoList", args.get("id")),
    todoItem: (_$root: Step, args: FieldArgs) => loadObject("TodoItem", args.get("id")),
    userByUsername: (_$root: Step, args: FieldArgs) =>
      loadObject("User", first(queryIndex("username", args.get("username"), { first: 1 })).get("targetId")),
  },
  Mutation: {
    createTodoItem: (_$root: Step, args: FieldArgs) => {
      const $list = loadObject("TodoList", args.get("listId"));
      return createObject("TodoItem", lambda(list([$list, args.get("text")]), newTodoItem), { idempotencyKey: args.get("idempotencyKey") });
    },
    // One createObjects call for all the texts: the write step runs once for the list layer.
    createTodoItems: (_$root: Step, args: FieldArgs) => {
      const $list = loadObject("TodoList", args.get("listId"));
      return each(args.get("texts"), ($text) => createObject("TodoItem", lambda(list([$list, $text]), newTodoItemsItem)));
    },
    setTodoItemDone: (_$root: Step, args: FieldArgs) => {
      const $id = lambda(loadObject("TodoItem", args.get("id")), existingItemId);
      return updateObject("TodoItem", $id, { done: args.get("done") });
    },
    // Typed: the store checks the id names a TodoItem before deleting anything.
    deleteTodoItem: (_$root: Step, args: FieldArgs) => deleteObject("TodoItem", args.get("id")),
    createTodoList: (_$root: Step, args: FieldArgs) => {
      const $user = loadObject("User", args.get("userId"));
      return createObject("TodoList", lambda(list([$user, args.get("name")]), newTodoList), { idempotencyKey: args.get("idempotencyKey") });
    },
  },
  User: {
    id: ($user: Step) => $user.get("id"),
    name: ($user: Step) => $user.get("name"),
    username: ($user: Step) => $user.get("username"),
    todoLists: ($user: Step, args: FieldArgs) =>
      each(loadEdges("user_to_list", $user.get("id"), { first: args.get("first"), after: args.get("after") }), ($edge) =>
        loadObject("TodoList", $edge.get("toId")),
      ),
    todoListsConnection: ($user: Step, args: FieldArgs) =>
      connection("user_to_list", $user.get("id"), { first: args.get("first"), after: args.get("after") }),
    todoListCount: ($user: Step) => edgeCount("user_to_list", $user.get("id")),
  },
  TodoList: {
    id: ($list: Step) => $list.get("id"),
    name: ($list: Step) => $list.get("name"),
    todoItems: ($list: Step, args: FieldArgs) =>
      each(loadEdges("list_to_item", $list.get("id"), { first: args.get("first"), after: args.get("after") }), ($edge) =>
        loadObject("TodoItem", $edge.get("toId")),
      ),
    owner: ($list: Step) => loadObject("User", $list.get("userId")),
  },
  TodoItem: {
    id: ($item: Step) => $item.get("id"),
    text: ($item: Step) => $item.get("text"),
    done: ($item: Step) => $item.get("done"),
    list: ($item: Step) => loadObject("TodoList", $item.get("listId")),
  },
  ...connectionPlans({ connection: "TodoListConnection", edge: "TodoListEdge", nodeType: "TodoList" }),
} satisfies MakeSchemaConfig["plans"];

export const todoSchema = makeSchema({
  typeDefs: todoTypeDefs,
  // Kvetch steps check their type, edge and index names against the store schema when the plan is built.
  planContext: { kvetchSchema: todoKvetchSchema },
  plans: todoPlans,
});

/** The view the README and the tests measure: one user, their lists, each list's items. */
export const todoViewQuery = /* GraphQL */ `
  query TodoView($id: ID!) {
    todoUser(id: $id) {
      name
      todoLists(first: 10) {
        name
        todoItems(first: 5) {
          text
        }
      }
    }
  }
`;
