// `npm run example:server`: the Kvetch todo example on 4 in-memory shards at http://127.0.0.1:4000 (PORT
// to change). Open the page, press Run: the result, the plan diagram and the run's round trips per shard.

import { createServer } from "./server.js";
import { createKvetchTodoStore } from "./kvetchTodo.js";
import { todoSchema, todoViewQuery } from "../todo/schema.js";

const { kvetch, userIds } = await createKvetchTodoStore({ shards: 4 });
const running = await createServer({
  schema: todoSchema,
  contextFactory: () => ({ kvetch }),
  port: Number(process.env.PORT ?? 4000),
  defaultQuery: todoViewQuery.trim(),
  defaultVariables: { id: userIds[0] },
  // GET /healthz: each shard's breaker and a ping, and the cache (none here); 503 when any is down.
  health: () => kvetch.health(),
  // POST /deps/check: which of a response's dependencies (extensions.deps) moved.
  deps: kvetch,
  // /graphql/stream: @live queries over Server-Sent Events, re-run when a write touches what they read.
  live: kvetch,
});
console.log(`graphscale example server: ${running.url}/ (POST ${running.url}/graphql; header x-graphscale-explain: 1 adds the plan)`);
