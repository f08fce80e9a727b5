import { test } from "uvu";
import * as assert from "uvu/assert";
import { execute as graphqlJsExecute, parse } from "graphql";
import { execute } from "../../src/index.js";
import { planSchema, queries, resolverSchema } from "./library.js";

const plans = planSchema();
const resolvers = resolverSchema();

test("the library suite has at least 40 queries", () => {
  assert.ok(queries.length >= 40, `only ${queries.length} queries`);
});

for (const { name, query, variables } of queries) {
  test(`plans match graphql-js resolvers: ${name}`, async () => {
    const document = parse(query);
    const expected = await graphqlJsExecute({ schema: resolvers, document, variableValues: variables });
    const actual = await execute({ schema: plans, document, variableValues: variables });
    // The same JSON (data, errors with messages, locations and paths). Objects may be plain where graphql-js
    // builds null-prototype ones: compiled output (spec/output.md, CompileOutput).
    assert.is(JSON.stringify(actual), JSON.stringify(expected));
    assert.equal(Object.keys(actual), Object.keys(expected));
  });
}

test("the resolver schema run by graphscale matches graphql-js too (resolver emulation)", async () => {
  for (const { query, variables } of queries) {
    const document = parse(query);
    const expected = await graphqlJsExecute({ schema: resolvers, document, variableValues: variables });
    const actual = await execute({ schema: resolvers, document, variableValues: variables });
    assert.is(JSON.stringify(actual), JSON.stringify(expected), query);
  }
});

test.run();
