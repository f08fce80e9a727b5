// Serving a graphscale schema with GraphQL Yoga (envelop): useEngine swaps in graphscale's execute and
// subscribe; the Kvetch store goes in the context of every request. Shown in the README; test/http runs it.
import { createServer, type Server } from "node:http";
import type { GraphQLSchema } from "graphql";
import { createYoga } from "graphql-yoga";
import { useEngine } from "@envelop/core";
import { execute, subscribe } from "graphscale";
import type { Kvetch } from "graphscale/kvetch";

export function serveWithYoga(schema: GraphQLSchema, kvetch: Kvetch, port: number): Server {
  const yoga = createYoga({ schema, plugins: [useEngine({ execute, subscribe })], context: () => ({ kvetch }) });
  return createServer(yoga).listen(port);
}
