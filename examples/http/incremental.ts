// @defer and @stream over Server-Sent Events with graphql-sse (graphql 17): graphscale's
// experimentalExecuteIncrementally goes where graphql-sse's `execute` goes, and each payload of an incremental
// result is one event. Shown in the README ("@defer and @stream over HTTP"); test/http runs it.
import { createServer, type Server } from "node:http";
import type { GraphQLSchema } from "graphql";
import { createHandler } from "graphql-sse/lib/use/http";
import { experimentalExecuteIncrementally } from "graphscale";
import type { Kvetch } from "graphscale/kvetch";

export function serveIncrementalOverSse(schema: GraphQLSchema, kvetch: Kvetch, port: number): Server {
  const handler = createHandler({
    schema,
    context: () => ({ kvetch }),
    execute: async (args) => {
      const result = await experimentalExecuteIncrementally(args);
      if (!("initialResult" in result)) return result;
      return (async function* () {
        yield result.initialResult;
        yield* result.subsequentResults;
      })();
    },
  });
  return createServer((req, res) => (req.url?.startsWith("/graphql/stream") ? handler(req, res) : res.writeHead(404).end())).listen(port);
}
