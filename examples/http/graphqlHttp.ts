// Serving a graphscale schema with graphql-http: graphscale's `execute` replaces graphql-js's; the Kvetch store
// goes in the context of every request. The README's "Serving over HTTP" shows this file; test/http runs it.
import { createServer, type Server } from "node:http";
import type { GraphQLSchema } from "graphql";
import { createHandler } from "graphql-http/lib/use/http";
import { execute } from "graphscale";
import type { Kvetch } from "graphscale/kvetch";

export function serveWithGraphqlHttp(schema: GraphQLSchema, kvetch: Kvetch, port: number): Server {
  const handler = createHandler({ schema, execute, context: () => ({ kvetch }) });
  return createServer((req, res) => (req.url?.startsWith("/graphql") ? handler(req, res) : res.writeHead(404).end())).listen(port);
}
