// Serving a graphscale schema with graphql-http: graphscale's `execute` replaces graphql-js's (graphqlHttpOptions); the Kvetch store
// goes in the context of every request. graphql-http parses and validates every request it gets; a repeated
// query text skips both here (graphscale then finds its plan by the document object), through a cache of at
// most 1,000 texts, so clients sending new texts cannot grow it. The README's "Serving over HTTP" shows this
// file; test/http runs it.
import { createServer, type Server } from "node:http";
import { parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from "graphql";
import { createHandler } from "graphql-http/lib/use/http";
import { graphqlHttpOptions } from "graphscale/envelop";
import type { Kvetch } from "graphscale/kvetch";

export function serveWithGraphqlHttp(schema: GraphQLSchema, kvetch: Kvetch, port: number): Server {
  const documents = new Map<string, DocumentNode>();
  const checked = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  const handler = createHandler({
    schema,
    ...graphqlHttpOptions(), // graphscale's execute; a clean result written without graphql-http's replacer
    context: () => ({ kvetch }),
    parse: (source) => {
      if (typeof source !== "string") return parse(source);
      let document = documents.get(source);
      if (document === undefined) {
        document = parse(source);
        if (documents.size >= 1000) documents.delete(documents.keys().next().value!);
        documents.set(source, document);
      }
      return document;
    },
    validate: (schemaToCheck, document, rules) => {
      let errors = checked.get(document);
      if (errors === undefined) checked.set(document, (errors = validate(schemaToCheck, document, rules)));
      return errors;
    },
  });
  return createServer((req, res) => (req.url?.startsWith("/graphql") ? handler(req, res) : res.writeHead(404).end())).listen(port);
}
