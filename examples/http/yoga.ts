// Serving a graphscale schema with GraphQL Yoga (envelop): useGraphscale swaps in graphscale's execute and
// subscribe; the Kvetch store goes in the context of every request. Shown in the README; test/http runs it.
// With an OpenTelemetry plugin, list it after useGraphscale: graphscale's spans then nest under its execute span.
import { createServer, type Server } from "node:http";
import type { GraphQLSchema } from "graphql";
import { createYoga } from "graphql-yoga";
import { useGraphscale } from "graphscale/envelop";
import type { Kvetch } from "graphscale/kvetch";

export function serveWithYoga(schema: GraphQLSchema, kvetch: Kvetch, port: number): Server {
  const yoga = createYoga({ schema, plugins: [useGraphscale()], context: () => ({ kvetch }) });
  return createServer(yoga).listen(port);
}
