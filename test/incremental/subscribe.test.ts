// subscribe with an active @defer/@stream answers each event as graphql-js 17.1's subscribe does (its
// validation refuses them; a request that skips validation gets, per event, graphql-js's field error).
// graphql 17 only (graphql 16 has no @defer or @stream).

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as graphql from "graphql";
import { parse, versionInfo } from "graphql";
import { makeSchema, subscribe } from "../../src/index.js";

const typeDefs = /* GraphQL */ `
  type Query { a: Int }
  type Subscription { user: User }
  type User { id: ID name: String friends: [User] }
`;
const events = () =>
  (async function* () {
    yield { user: { id: "1", name: "A", friends: [{ id: "2" }] } };
    yield { user: { id: "2", name: "B", friends: [] } };
  })();
const resolvers = { Subscription: { user: { subscribe: events, resolve: (e: { user: unknown }) => e.user } } };

async function all(result: unknown): Promise<unknown[]> {
  const r = await result;
  if (r === null || typeof r !== "object" || !(Symbol.asyncIterator in r)) return [JSON.parse(JSON.stringify(r))];
  const out: unknown[] = [];
  for await (const e of r as AsyncIterable<unknown>) out.push(JSON.parse(JSON.stringify(e)));
  return out;
}

if (versionInfo.major < 17) {
  console.log("SKIPPED test/incremental/subscribe.test.ts: graphql 16 has no @defer or @stream");
} else {
  const { GraphQLDeferDirective, GraphQLStreamDirective } = graphql as unknown as Record<string, graphql.GraphQLDirective>;
  const reference = makeSchema({ typeDefs, resolvers });
  const withDirectives = new graphql.GraphQLSchema({ ...reference.toConfig(), directives: [...graphql.specifiedDirectives, GraphQLDeferDirective!, GraphQLStreamDirective!] });
  for (const [query, variableValues] of [
    [`subscription { user { id ... @defer { name } } }`, {}],
    [`subscription { user { friends @stream { id } } }`, {}],
    [`subscription ($d: Boolean!) { user { id ... @defer(if: $d) { name } } }`, { d: true }],
    [`subscription ($d: Boolean!) { user { id ... @defer(if: $d) { name } } }`, { d: false }],
  ] as const) {
    test(`subscribe: ${query} ${JSON.stringify(variableValues)}`, async () => {
      const document = parse(query);
      const expected = await all(graphql.subscribe({ schema: withDirectives, document, variableValues }));
      const actual = await all(subscribe({ schema: withDirectives, document, variableValues }));
      assert.equal(actual, expected);
    });
  }
}

test.run();
