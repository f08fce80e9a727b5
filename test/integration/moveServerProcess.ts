// A serving OS process for the bucket-move load test (spec/kvetch-storage.md §11): the example HTTP server
// (examples/server) over its own Kvetch on the test's MySQL shards and Redis, serving a todo view of the move
// schema — an item with its list, and the four writes the load sends (create, update, move, delete). The
// test starts two and sends its clients' GraphQL requests to both. Over IPC it reads ids back through its
// cache and around it (a store opened then, without Redis). Started with fork(); stops when told or when the
// test process is gone.

import { fork, type ChildProcess } from "node:child_process";
import { makeSchema, type FieldArgs, type Step } from "../../src/index.js";
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import type { KvetchData } from "../../src/kvetch/index.js";
import { createObject, deleteObject, loadObject, updateObject } from "../../steps/kvetch/index.js";
import { createServer } from "../../examples/server/server.js";
import { moveSchema } from "../kvetch/reshardLoad.js";

const typeDefs = /* GraphQL */ `
  type Query {
    todoItem(id: ID!): TodoItem
  }
  type Mutation {
    createTodoItem(listId: ID!, text: String!, tag: String!, idempotencyKey: String!): TodoItem
    updateTodoItem(id: ID!, text: String!, tag: String!): TodoItem
    moveTodoItem(id: ID!, listId: ID!): TodoItem
    deleteTodoItem(id: ID!): Boolean
  }
  type TodoItem {
    id: ID!
    listId: ID!
    text: String
    tag: String
    list: TodoList
  }
  type TodoList {
    id: ID!
    name: String
  }
`;

/** The todo schema over the move schema's objects. */
export const moveTodoSchema = makeSchema({
  typeDefs,
  planContext: { kvetchSchema: moveSchema },
  plans: {
    Query: {
      todoItem: (_$root: Step, args: FieldArgs) => loadObject("TodoItem", args.get("id")),
    },
    Mutation: {
      createTodoItem: (_$root: Step, args: FieldArgs) =>
        createObject("TodoItem", { listId: args.get("listId"), text: args.get("text"), tag: args.get("tag") }, { idempotencyKey: args.get("idempotencyKey") }),
      updateTodoItem: (_$root: Step, args: FieldArgs) => updateObject("TodoItem", args.get("id"), { text: args.get("text"), tag: args.get("tag") }),
      moveTodoItem: (_$root: Step, args: FieldArgs) => updateObject("TodoItem", args.get("id"), { listId: args.get("listId") }),
      deleteTodoItem: (_$root: Step, args: FieldArgs) => deleteObject("TodoItem", args.get("id")),
    },
    TodoItem: {
      id: ($item: Step) => $item.get("id"),
      listId: ($item: Step) => $item.get("listId"),
      text: ($item: Step) => $item.get("text"),
      tag: ($item: Step) => $item.get("tag"),
      list: ($item: Step) => loadObject("TodoList", $item.get("listId")),
    },
    TodoList: {
      id: ($list: Step) => $list.get("id"),
      name: ($list: Step) => $list.get("name"),
    },
  },
});

export interface MoveServerConfig {
  shards: readonly string[];
  redis: { url: string; keyPrefix: string };
  poolSize: number;
}

/** What one process reads back for ids: through its cache, and around it. */
export interface ReadBack {
  cached: (KvetchData | null)[];
  uncached: (KvetchData | null)[];
}

/** The serving process, seen from the test. */
export class MoveServerProcess {
  private readonly child: ChildProcess;
  /** "http://127.0.0.1:PORT" once serving. */
  readonly url: Promise<string>;
  private readBacks = new Map<number, { resolve(value: ReadBack): void; reject(error: Error): void }>();
  private next = 0;

  constructor(config: MoveServerConfig) {
    this.child = fork(new URL(import.meta.url).pathname, ["--child", JSON.stringify(config)], { execArgv: ["--import", "tsx"] });
    this.url = new Promise((resolve, reject) => {
      this.child.on("message", (message: { url?: string; id?: number; readBack?: ReadBack; error?: string }) => {
        if (message.url !== undefined) return resolve(message.url);
        const waiter = this.readBacks.get(message.id!);
        this.readBacks.delete(message.id!);
        if (message.error !== undefined) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message.readBack!);
      });
      this.child.once("exit", (code) => reject(new Error(`the serving process exited with ${code} before it served`)));
    });
    this.url.catch(() => undefined);
  }

  /** Each id's data (null when absent) through this process's cache, and from a store it opens on `shards` without one. */
  readBack(ids: readonly string[], shards: readonly string[]): Promise<ReadBack> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.readBacks.set(id, { resolve, reject });
      this.child.send({ op: "readBack", id, ids, shards });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.send({ op: "close" });
    await exited;
  }
}

async function serve(config: MoveServerConfig): Promise<void> {
  const kvetch = new Kvetch({ schema: moveSchema, backend: mysqlBackend({ shards: config.shards, redis: config.redis, poolSize: config.poolSize }) });
  await kvetch.open();
  const running = await createServer({ schema: moveTodoSchema, contextFactory: () => ({ kvetch }), port: 0, health: () => kvetch.health() });
  // The test process is gone (failed or killed): so is this one.
  process.on("disconnect", () => process.exit(1));
  process.on("message", async (message: { op: "close" } | { op: "readBack"; id: number; ids: string[]; shards: string[] }) => {
    if (message.op === "close") {
      await running.close();
      await kvetch.close();
      process.exit(0);
    }
    const { id, ids, shards } = message;
    const uncachedStore = new Kvetch({ schema: moveSchema, backend: mysqlBackend({ shards, poolSize: 1 }) });
    try {
      const cached = (await kvetch.getObjects(ids)).map((object) => object?.data ?? null);
      const uncached = (await uncachedStore.getObjects(ids)).map((object) => object?.data ?? null);
      process.send!({ id, readBack: { cached, uncached } });
    } catch (error) {
      process.send!({ id, error: error instanceof Error ? error.message : String(error) });
    } finally {
      await uncachedStore.close();
    }
  });
  process.send!({ url: running.url });
}

if (process.argv[2] === "--child") await serve(JSON.parse(process.argv[3]!) as MoveServerConfig);
