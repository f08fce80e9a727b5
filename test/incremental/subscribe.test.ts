// subscribe with an active @defer/@stream answers each event as graphql-js 17.1's subscribe does (its
// validation refuses them; a request that skips validation gets, per event, graphql-js's error: at the
// field for @stream, at each object value whose sub-fields open the @defer).
// graphql 17 only (graphql 16 has no @defer or @stream).

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as graphql from "graphql";
import { parse, versionInfo } from "graphql";
import { makeSchema, subscribe } from "../../src/index.js";

const typeDefs = /* GraphQL */ `
  type Query { a: Int }
  type Subscription { user: User }
  type User { id: ID name: String friends: [User] strict: [User!] node: Node }
  interface Node { id: ID }
  type Post implements Node { id: ID title: String }
`;
const events = () =>
  (async function* () {
    yield { user: { id: "1", name: "A", friends: [{ id: "2" }, { id: "3" }], strict: [{ id: "4" }], node: { id: "p", title: "T" } } };
    yield { user: { id: "2", name: "B", friends: [], strict: [], node: null } };
  })();
const resolvers = { Subscription: { user: { subscribe: events, resolve: (e: { user: unknown }) => e.user } }, Node: { __resolveType: () => "Post" } };

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
    // refused at each object value whose sub-fields open the @defer, as graphql-js: each item, not the list
    [`subscription { user { friends { id ... @defer { name } } } }`, {}],
    [`subscription { user { strict { id ... @defer { name } } } }`, {}],
    [`subscription ($d: Boolean!) { user { friends { ... @defer(if: $d) { name } } } }`, { d: true }],
    // only where the fragment applies to the value's type
    [`subscription { user { node { ... on User @defer { name } ... on Post { title } } } }`, {}],
    [`subscription { user { node { ... on Post @defer { title } } } }`, {}],
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
