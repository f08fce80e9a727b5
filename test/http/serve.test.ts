// The README's "Serving over HTTP" snippets (examples/http/*.ts, quoted verbatim in the README) run over real
// HTTP: graphql-http and GraphQL Yoga with graphscale's execute, the todo view from annotated SDL on a memory
// store — the same answer and the same 5 store calls as a direct execute. Uses the package as built (dist/).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { graphql } from "graphscale";
import { Kvetch, makeKvetchSchema, memoryBackend } from "graphscale/kvetch";
import { serveWithGraphqlHttp } from "../../examples/http/graphqlHttp.js";
import { serveWithYoga } from "../../examples/http/yoga.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { todoViewQuery } from "../../examples/todo/schema.js";
import { post } from "./post.js";

const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs: readFileSync(new URL("../../examples/todo/todo.graphql", import.meta.url), "utf8") });

async function store() {
  const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const seed = await seedTodo(kvetch as never, { users: 1, listsPerUser: 10, itemsPerList: 5 });
  return { kvetch, id: seed.userIds[0]! };
}

const servers: Array<[string, typeof serveWithGraphqlHttp]> = [
  ["graphql-http (createHandler({ schema, execute }))", serveWithGraphqlHttp],
  ["GraphQL Yoga (useEngine({ execute, subscribe }))", serveWithYoga],
];

for (const [name, serve] of servers) {
  test(`${name}: the todo view over HTTP equals a direct execute, in 5 store calls`, async () => {
    const { kvetch, id } = await store();
    const direct = JSON.parse(JSON.stringify(await graphql({ schema, source: todoViewQuery, variableValues: { id }, contextValue: { kvetch } })));
    const server = serve(schema, kvetch, 0);
    try {
      kvetch.resetCounters();
      const { status, json } = await post(server, { query: todoViewQuery, variables: { id } });
      assert.is(status, 200);
      assert.equal(json, direct);
      assert.is(kvetch.counters.calls, 5);
      const bad = await post(server, { query: `mutation { createTodoItem(listId: "${id}", text: "x") { id } }` });
      assert.match(bad.json.errors[0].message, /listId "[^"]+" is of type User, not TodoList/, JSON.stringify(bad.json));
    } finally {
      server.close();
    }
  });
}

for (const [name, serve] of servers) {
  test(`${name}: a malformed id and a negative first reach the client with their message and BAD_USER_INPUT, not "Unexpected error"`, async () => {
    const { kvetch, id } = await store();
    const server = serve(schema, kvetch, 0);
    try {
      const malformed = await post(server, { query: `query ($id: ID!) { todoUser(id: $id) { id } }`, variables: { id: "nope" } });
      const negative = await post(server, { query: `query ($id: ID!) { todoUser(id: $id) { todoLists(first: -1) { id } } }`, variables: { id } });
      const cases: Array<[typeof malformed, RegExp]> = [
        [malformed, /"nope" is not a UUID .* in loadObject\("User"\)/],
        [negative, /first = -1; first must be a non-negative integer/],
      ];
      for (const [{ status, json }, message] of cases) {
        assert.is(status, 200, JSON.stringify(json));
        assert.is(json.errors?.length, 1, JSON.stringify(json));
        assert.match(json.errors[0].message, message, JSON.stringify(json));
        assert.is(json.errors[0].extensions?.code, "BAD_USER_INPUT", JSON.stringify(json));
        assert.not.match(json.errors[0].message, /Unexpected error/);
      }
      const wrongType = await post(server, { query: `mutation ($id: ID!) { setTodoItemDone(id: $id, done: true) { id } }`, variables: { id } });
      assert.is(wrongType.json.errors[0].extensions?.code, "WRONG_TYPE", JSON.stringify(wrongType.json));
      assert.match(wrongType.json.errors[0].message, /is of type User, not TodoItem/);
    } finally {
      server.close();
    }
  });
}

test("the README quotes both snippets verbatim (from their first import)", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  for (const file of ["graphqlHttp.ts", "yoga.ts"]) {
    const code = readFileSync(new URL(`../../examples/http/${file}`, import.meta.url), "utf8");
    const snippet = code.slice(code.indexOf("import "));
    assert.ok(readme.includes(snippet.trim()), `README.md does not quote examples/http/${file}`);
  }
});

test.run();
