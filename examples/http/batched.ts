// Serving with cross-request batching: one batching executor for the server, given to graphql-http where an
// `execute` goes, so concurrent requests for the same operation share their step calls (one store call per
// step for a window's requests). Shown in the README; test/http runs it.
import { createServer, type Server } from "node:http";
import type { GraphQLSchema } from "graphql";
import { createHandler } from "graphql-http/lib/use/http";
import { createBatchedExecute } from "graphscale";
import { graphqlHttpOptions } from "graphscale/envelop";
import type { Kvetch } from "graphscale/kvetch";

export function serveBatched(schema: GraphQLSchema, kvetch: Kvetch, port: number, windowMs = 2): Server {
  const execute = createBatchedExecute({ schema, windowMs }); // one for the server's life, never one per request
  const handler = createHandler({ schema, ...graphqlHttpOptions(), execute, context: () => ({ kvetch }) });
  return createServer((req, res) => (req.url?.startsWith("/graphql") ? handler(req, res) : res.writeHead(404).end())).listen(port);
}
