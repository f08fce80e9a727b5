// graphqlHttpOptions (spec/serving.md, GraphqlHttpOptions): graphql-http with graphscale's options answers a
// clean result with the same bytes, status and content type as graphql-http with graphscale's bare execute,
// for every Accept header graphql-http takes, without JSON.stringify's replacer (counted); a result with
// errors, and a server's own onOperation answer, go through graphql-http as before. Counts only.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHandler } from "graphql-http";
import { execute, makeSchema } from "../../src/index.js";
import { graphqlHttpOptions } from "../../src/envelop/index.js";
import { constant, lambda } from "../../steps/index.js";

const schema = makeSchema({
  typeDefs: "type Query { book: Book fails: String } type Book { id: ID! title: String tags: [String!]! }",
  plans: {
    Query: {
      book: () => constant({ id: "b1", title: 'A "quoted" title', tags: ["x", "y"] }),
      fails: () =>
        lambda(constant(1), () => {
          throw new Error("boom");
        }),
    },
  },
});

/** JSON.stringify's calls with a replacer function while `run` runs. */
async function replacerCalls<T>(run: () => Promise<T>): Promise<{ value: T; calls: number }> {
  const original = JSON.stringify;
  let calls = 0;
  JSON.stringify = ((value: unknown, replacer?: unknown, space?: unknown) => {
    if (typeof replacer === "function") calls++;
    return original(value, replacer as never, space as never);
  }) as typeof JSON.stringify;
  try {
    return { value: await run(), calls };
  } finally {
    JSON.stringify = original;
  }
}

function request(query: string, accept: string | undefined) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (accept !== undefined) headers.accept = accept;
  return { method: "POST", url: "/graphql", headers, body: JSON.stringify({ query }), raw: null, context: null };
}

const bare = createHandler({ schema, execute: execute as never });
const withOptions = createHandler({ schema, ...(graphqlHttpOptions() as object) });

for (const accept of [undefined, "*/*", "application/json", "application/graphql-response+json", "application/json; charset=utf8", "text/html, application/*;q=0.5"]) {
  test(`a clean result, Accept ${accept ?? "(none)"}: graphql-http's bytes, status and content type, no replacer`, async () => {
    const query = "{ book { id title tags } }";
    const expected = await bare(request(query, accept));
    const { value, calls } = await replacerCalls(() => withOptions(request(query, accept)));
    assert.equal(value, expected);
    assert.is(calls, 0, "written without graphql-http's replacer");
    const again = await replacerCalls(() => bare(request(query, accept)));
    assert.is(again.calls, 1, "graphql-http's own response stringifies with its replacer");
  });
}

test("a result with errors is graphql-http's own response", async () => {
  const query = "{ book { id } fails }";
  const expected = await bare(request(query, "application/json"));
  const { value, calls } = await replacerCalls(() => withOptions(request(query, "application/json")));
  assert.equal(value, expected);
  assert.is(calls, 1);
});

test("a server's own onOperation answer is what graphql-http gets; without one, graphscale writes the response", async () => {
  let seen = 0;
  const handler = createHandler({
    schema,
    ...(graphqlHttpOptions({
      onOperation: (_req, _args, result) => {
        seen++;
        return seen === 1 ? { ...result, extensions: { first: true } } : undefined;
      },
    }) as object),
  });
  const first = await handler(request("{ book { id } }", "application/json"));
  assert.equal(JSON.parse(first[0] as string), { data: { book: { id: "b1" } }, extensions: { first: true } });
  const { value, calls } = await replacerCalls(() => handler(request("{ book { id } }", "application/json")));
  assert.equal(JSON.parse(value[0] as string), { data: { book: { id: "b1" } } });
  assert.is(calls, 0);
  assert.is(seen, 2);
});

test.run();
