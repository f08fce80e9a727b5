// Parity past a plan's first request: under plain `execute` the harness runs every compared request twice
// more (after executeToJSON and the extensions run), so the plan's later requests — the compiled output,
// generated on the first response and compiled on the second (spec/output.md, CompiledOutputOf), and for a
// plan FastPlanOf admits the fast path (spec/execution.md, ExecuteFast and FastRequest) — give graphql-js's
// result and resolver calls too. Resolver-emulated plans do not take the fast path (a ResolverStep is never
// global), so over graphql-js's own schemas these re-runs check the compiled output; the fast path's own
// counts are in test/engine/fast-request-counts.test.ts.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, type GraphQLObjectType } from "graphql";
import { compare, parityLaterRequests } from "./harness.js";

const schema = buildSchema(`
  type Query { book(id: ID!): Book metrics: Metrics broken: Book! }
  type Book { id: ID! title: String! author: Author }
  type Author { id: ID! name: String! }
  type Metrics { id: ID! ${Array.from({ length: 20 }, (_, i) => `m${i}: Int`).join(" ")} }
`);
const fields = (type: string) => (schema.getType(type) as GraphQLObjectType).getFields();
let authorCalls = 0;
fields("Query").book!.resolve = (_root, args: { id: string }) => ({ id: args.id, title: "The Dispossessed", authorId: "a1" });
fields("Query").metrics!.resolve = () => ({ id: "metrics-1" });
fields("Query").broken!.resolve = () => null;
fields("Book").author!.resolve = async (book: { authorId: string }) => {
  authorCalls++;
  return { id: book.authorId, name: "Ursula K. Le Guin" };
};
for (let i = 0; i < 20; i++) fields("Metrics")[`m${i}`]!.resolve = async () => i;

const executor = process.env.GRAPHSCALE_PARITY_EXECUTOR ?? "execute";

test("the small query and twenty async fields: each compared request runs twice more, with graphql-js's results", async () => {
  const before = { ...parityLaterRequests };
  authorCalls = 0;
  await compare(schema, `{ book(id: "b1") { id title author { id name } } }`);
  await compare(schema, `{ metrics { id ${Array.from({ length: 20 }, (_, i) => `m${i}`).join(" ")} } }`);
  // The rerun modes (batched, imported: test/parity/*.test.ts run again) compare once, with no later requests.
  if (executor !== "execute") return;
  assert.is(parityLaterRequests.requests - before.requests, 4);
  // graphql-js, graphscale, executeToJSON, the extensions run, then the two re-runs: one call each.
  assert.is(authorCalls, 6);
});

test("a null at a non-null root field, on the plan's later requests: graphql-js's error and data", async () => {
  const before = { ...parityLaterRequests };
  await compare(schema, `{ broken { id } book(id: "b2") { title } }`);
  if (executor !== "execute") return;
  assert.is(parityLaterRequests.requests - before.requests, 2);
});

test.run();
