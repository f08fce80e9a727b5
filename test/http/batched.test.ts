// A batching executor where a server takes an `execute` (spec/cross-request-batching.md): graphql-http
// (examples/http/batched.ts, quoted in the README) and GraphQL Yoga's useEngine, over real HTTP. Concurrent
// todo views for distinct users get what the same server with plain `execute` answers each (Yoga masks the
// malformed id's error in both), in a handful of store calls for all of them (each alone takes 5); a
// malformed id among them gets its own error. Uses the package as built (dist/).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { GraphQLSchema } from "graphql";
import { createYoga } from "graphql-yoga";
import { useEngine } from "@envelop/core";
import { createBatchedExecute, subscribe } from "graphscale";
import { Kvetch, makeKvetchSchema, memoryBackend } from "graphscale/kvetch";
import { serveBatched } from "../../examples/http/batched.js";
import { serveWithGraphqlHttp } from "../../examples/http/graphqlHttp.js";
import { serveWithYoga } from "../../examples/http/yoga.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { todoViewQuery } from "../../examples/todo/schema.js";
import { post } from "./post.js";

const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs: readFileSync(new URL("../../examples/todo/todo.graphql", import.meta.url), "utf8") });
const USERS = 20;
/** Long enough that requests sent together arrive in one window even on a loaded machine. */
const WINDOW_MS = 100;

function serveYogaBatched(schema: GraphQLSchema, kvetch: Kvetch, port: number, windowMs: number): Server {
  const execute = createBatchedExecute({ schema, windowMs });
  const yoga = createYoga({ schema, plugins: [useEngine({ execute, subscribe })], context: () => ({ kvetch }) });
  return createServer(yoga).listen(port);
}

type Serve = (schema: GraphQLSchema, kvetch: Kvetch, port: number) => Server;
const servers: Array<[string, Serve, (schema: GraphQLSchema, kvetch: Kvetch, port: number, windowMs: number) => Server]> = [
  ["graphql-http (createHandler({ schema, execute: createBatchedExecute(...) }))", serveWithGraphqlHttp, serveBatched],
  ["GraphQL Yoga (useEngine({ execute: createBatchedExecute(...), subscribe }))", serveWithYoga, serveYogaBatched],
];

/** Each request alone, one after another, through the same server with plain `execute`. */
async function answersAlone(serve: Serve, kvetch: Kvetch, ids: readonly string[]): Promise<unknown[]> {
  const server = serve(schema, kvetch, 0);
  try {
    const out: unknown[] = [];
    for (const id of ids) out.push(await post(server, { query: todoViewQuery, variables: { id } }));
    return out;
  } finally {
    server.close();
  }
}

for (const [name, servePlain, serve] of servers) {
  test(`${name}: ${USERS} concurrent todo views share their store calls; a malformed id gets its own error`, async () => {
    const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 4 }) });
    await kvetch.migrate();
    const { userIds } = await seedTodo(kvetch as never, { users: USERS, listsPerUser: 3, itemsPerList: 2 });
    const ids = [...userIds.slice(0, -1), "not-a-uuid"];
    const alone = (await answersAlone(servePlain, kvetch, ids)) as Array<{ status: number; json: any }>;
    assert.is(alone[0]!.json.data.todoUser.todoLists.length, 3);
    assert.ok(alone.at(-1)!.json.errors.length === 1 && alone.at(-1)!.json.data.todoUser === null, JSON.stringify(alone.at(-1)));
    const server = serve(schema, kvetch, 0, WINDOW_MS);
    try {
      kvetch.resetCounters();
      const answers = await Promise.all(ids.map((id) => post(server, { query: todoViewQuery, variables: { id } })));
      assert.equal(answers, alone);
      // Alone, each view makes 5 store calls (95 for these); in one window they make 5 in all.
      assert.ok(kvetch.counters.calls <= 15, `${kvetch.counters.calls} store calls for ${USERS} requests`);
    } finally {
      server.close();
      await kvetch.close();
    }
  });
}

test("the README quotes the batched server snippet verbatim (from its first import)", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const code = readFileSync(new URL("../../examples/http/batched.ts", import.meta.url), "utf8");
  assert.ok(readme.includes(code.slice(code.indexOf("import ")).trim()), "README.md does not quote examples/http/batched.ts");
});

test.run();
