// @defer and @stream served over real HTTP by the example server (graphql 17 only): multipart/mixed to a
// client that accepts it, the first part sent while a deferred field's resolver still waits on a gate the test
// holds; every part equal to graphql-js 17's own experimentalExecuteIncrementally payload for the operation;
// 406 to a client that accepts no multipart (as Yoga answers); the 2022 shape to `deferSpec=20220824`; the same
// payloads as Server-Sent Events through graphql-sse at /graphql/stream. On graphql 16 (no incremental
// delivery) the file says SKIPPED.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as graphqlModule from "graphql";
import { parse, versionInfo, type GraphQLSchema } from "graphql";
import { createClient } from "graphql-sse";
import { makeSchema } from "../../src/index.js";
import { createServer, type RunningServer } from "../../examples/server/server.js";
import { withIncrementalDirectives, type ExecuteIncrementally, type IncrementalResults } from "../../examples/server/incremental.js";
import { createKvetchTodoStore } from "../../examples/server/kvetchTodo.js";
import { todoSchema } from "../../examples/todo/schema.js";
import { gate, multipartParts, postAccepting } from "./multipart.js";

const typeDefs = /* GraphQL */ `
  type Query { user: User users: [User!]! }
  type User { id: ID! name: String! bio: String failing: String! }
`;

const USERS = [
  { id: "1", name: "Ada" },
  { id: "2", name: "Grace" },
  { id: "3", name: "Edsger" },
];

/** The schema the server runs: `bio` waits on the current gate (one per test). */
function userSchema(current: { gate: ReturnType<typeof gate>; bioCalls: number }): GraphQLSchema {
  return makeSchema({
    typeDefs,
    resolvers: {
      Query: { user: () => USERS[0], users: () => USERS },
      User: {
        bio: async (user: { id: string; name: string }) => (current.bioCalls++, await current.gate.promise, `${user.name} wrote code`),
        failing: () => {
          throw new Error("no such field today");
        },
      },
    },
  });
}

const DEFERRED = `query { user { id name ... @defer(label: "bio") { bio } } }`;
const DEFERRED_AND_STREAMED = `query { user { id ... @defer(label: "bio") { bio } } users @stream(initialCount: 1, label: "more") { name } }`;

/** graphql-js 17's own payloads for the operation (the reference), JSON as they go out. */
async function referencePayloads(schema: GraphQLSchema, query: string): Promise<unknown[]> {
  const run = (graphqlModule as unknown as { experimentalExecuteIncrementally: ExecuteIncrementally }).experimentalExecuteIncrementally;
  const result = await run({ schema: withIncrementalDirectives(schema), document: parse(query) });
  if (!("initialResult" in result)) return [JSON.parse(JSON.stringify(result))];
  const out: unknown[] = [JSON.parse(JSON.stringify(result.initialResult))];
  for await (const payload of (result as IncrementalResults).subsequentResults) out.push(JSON.parse(JSON.stringify(payload)));
  return out;
}

const ACCEPT_MULTIPART = "multipart/mixed; incrementalSpec=v0.2, application/graphql-response+json, application/json;q=0.9";

if (versionInfo.major < 17) {
  console.log(`SKIPPED test/http/incremental.test.ts: graphql ${versionInfo.major} has no @defer or @stream (incremental delivery is graphql 17's); scripts/test-graphql17.sh runs it`);
} else {
  const current = { gate: gate(), bioCalls: 0 };
  const schema = userSchema(current);
  let server: RunningServer;

  test.before(async () => {
    server = await createServer({ schema, port: 0 });
  });
  test.after(async () => {
    current.gate.release();
    await server?.close();
  });
  test.before.each(() => {
    current.gate = gate();
    current.bioCalls = 0;
  });

  test("multipart: the initial part arrives while the deferred resolver waits; every part equals graphql-js 17's payload", async () => {
    const response = await postAccepting(`${server.url}/graphql`, ACCEPT_MULTIPART, { query: DEFERRED });
    assert.is(response.status, 200);
    assert.is(response.headers.get("content-type"), 'multipart/mixed; boundary="-"; incrementalSpec=v0.2');
    const parts: unknown[] = [];
    for await (const part of multipartParts(response)) {
      if (parts.length === 0) {
        assert.not.ok(current.gate.released(), "the first part came before the deferred resolver could finish");
        assert.equal(part.data, { user: { id: "1", name: "Ada" } });
        assert.equal(part.pending, [{ id: "0", path: ["user"], label: "bio" }]);
        current.gate.release();
      }
      parts.push(part);
    }
    assert.is(parts.length, 2);
    assert.equal(parts, await referencePayloads(schema, DEFERRED));
  });

  test("multipart: @defer and @stream together, each part equal to graphql-js 17's", async () => {
    current.gate.release();
    const response = await postAccepting(`${server.url}/graphql`, ACCEPT_MULTIPART, { query: DEFERRED_AND_STREAMED });
    const parts: any[] = [];
    for await (const part of multipartParts(response)) parts.push(part);
    const reference = (await referencePayloads(schema, DEFERRED_AND_STREAMED)) as any[];
    assert.equal(parts[0], reference[0]);
    assert.equal(parts[0].data.users, [{ name: "Ada" }], "initialCount: 1");
    // The deferred and the streamed results may complete in either order; together they are the same.
    const later = (payloads: any[]) => payloads.slice(1).flatMap((p) => [...(p.incremental ?? []), ...(p.completed ?? [])].map((e) => JSON.stringify(e))).sort();
    assert.equal(later(parts), later(reference));
    assert.is(parts.at(-1).hasNext, false);
  });

  test("a client accepting no multipart/mixed gets 406 (as GraphQL Yoga answers), with what to send instead", async () => {
    const response = await postAccepting(`${server.url}/graphql`, "application/graphql-response+json, application/json", { query: DEFERRED });
    assert.is(response.status, 406);
    const body = await response.json();
    assert.match(body.errors[0].message, /send Accept: multipart\/mixed/);
    assert.match(response.headers.get("accept") ?? "", /multipart\/mixed/);
    assert.is(current.bioCalls, 0, "the deferred field's resolver never ran: the subsequent results were stopped before they started");
    // `@defer(if: false)` defers nothing: one JSON result, as graphql-js 17 gives it.
    current.gate.release();
    const plain = await postAccepting(`${server.url}/graphql`, "application/json", { query: `query { user { id ... @defer(if: false) { bio } } }` });
    assert.is(plain.status, 200);
    assert.equal(await plain.json(), { data: { user: { id: "1", bio: "Ada wrote code" } } });
  });

  test("deferSpec=20220824: the 2022 shape (path and label per result, items with their first index), merging to the same data", async () => {
    current.gate.release();
    const response = await postAccepting(`${server.url}/graphql`, "multipart/mixed; deferSpec=20220824, application/json", { query: DEFERRED_AND_STREAMED });
    assert.is(response.headers.get("content-type"), 'multipart/mixed; boundary="-"; deferSpec=20220824');
    const parts: any[] = [];
    for await (const part of multipartParts(response)) parts.push(part);
    assert.equal(parts[0], { data: { user: { id: "1" }, users: [{ name: "Ada" }] }, hasNext: true });
    const data = structuredClone(parts[0].data);
    const entries = parts.slice(1).flatMap((p) => p.incremental ?? []);
    for (const part of parts.slice(1)) assert.equal(Object.keys(part).filter((k) => k !== "incremental" && k !== "hasNext"), [], JSON.stringify(part));
    for (const entry of entries) {
      assert.ok(!("id" in entry), JSON.stringify(entry));
      if (entry.items) {
        assert.is(entry.label, "more");
        const list = entry.path.slice(0, -1).reduce((v: any, k: string | number) => v[k], data);
        assert.is(entry.path.at(-1), list.length, "a batch's path ends at its first item's index");
        list.push(...entry.items);
      } else {
        assert.equal([entry.path, entry.label], [["user"], "bio"]);
        Object.assign(entry.path.reduce((v: any, k: string | number) => v[k], data), entry.data);
      }
    }
    assert.equal(data, { user: { id: "1", bio: "Ada wrote code" }, users: USERS.map(({ name }) => ({ name })) });
    assert.is(parts.at(-1).hasNext, false);
  });

  test("deferSpec=20220824: a deferred fragment nulled by an error is { data: null, path, label, errors }, as graphql-js 17 completes it with errors", async () => {
    current.gate.release();
    const query = `query { user { id ... @defer(label: "bad") { failing } } }`;
    const [initial, last] = (await referencePayloads(schema, query)) as any[];
    assert.equal(last.completed[0].errors[0].message, "no such field today", JSON.stringify(last));
    const response = await postAccepting(`${server.url}/graphql`, "multipart/mixed; deferSpec=20220824", { query });
    const parts: any[] = [];
    for await (const part of multipartParts(response)) parts.push(part);
    assert.equal(parts, [
      { data: initial.data, hasNext: true },
      { incremental: [{ data: null, path: ["user"], errors: last.completed[0].errors, label: "bad" }], hasNext: false },
    ]);
  });

  test("Kvetch plans behind the server: the deferred lists cost the store calls the view costs without @defer (last part's roundTrips)", async () => {
    const store = await createKvetchTodoStore({ shards: 4, users: 1, lists: 3, items: 4 });
    const todoServer = await createServer({ schema: todoSchema, contextFactory: () => ({ kvetch: store.kvetch }), port: 0 });
    try {
      const deferred = `query ($id: ID!) { todoUser(id: $id) { name ... @defer { todoLists(first: 10) { name todoItems(first: 5) { text } } } } }`;
      const plain = deferred.replace(" @defer", "");
      const explainHeaders = { "content-type": "application/json", "x-graphscale-explain": "1" };
      const variables = { id: store.userIds[0] };
      const whole = await (await fetch(`${todoServer.url}/graphql`, { method: "POST", headers: { ...explainHeaders, accept: "application/json" }, body: JSON.stringify({ query: plain, variables }) })).json();
      const response = await fetch(`${todoServer.url}/graphql`, { method: "POST", headers: { ...explainHeaders, accept: ACCEPT_MULTIPART }, body: JSON.stringify({ query: deferred, variables }) });
      const parts: any[] = [];
      for await (const part of multipartParts(response)) parts.push(part);
      assert.is(parts.length, 2);
      assert.equal(parts[0].data, { todoUser: { name: "User 1" } });
      assert.equal(parts[1].incremental[0].data.todoLists, whole.data.todoUser.todoLists);
      assert.is(whole.extensions.roundTrips.storeCalls, 5);
      assert.is(parts[1].extensions.roundTrips.storeCalls, whole.extensions.roundTrips.storeCalls, "one store call per step, deferred or not");
    } finally {
      await todoServer.close();
      await store.kvetch.close();
    }
  });

  test("Server-Sent Events at /graphql/stream (graphql-sse's client): the first event while the resolver waits, then graphql-js 17's payloads", async () => {
    const client = createClient({ url: `${server.url}/graphql/stream`, retryAttempts: 0 });
    try {
      const events: unknown[] = [];
      for await (const event of client.iterate({ query: DEFERRED })) {
        if (events.length === 0) {
          assert.not.ok(current.gate.released());
          current.gate.release();
        }
        events.push(JSON.parse(JSON.stringify(event)));
      }
      assert.equal(events, await referencePayloads(schema, DEFERRED));
    } finally {
      client.dispose();
    }
  });

  test("an operation without @defer or @stream is untouched: one JSON body from graphscale's graphql()", async () => {
    current.gate.release();
    const response = await postAccepting(`${server.url}/graphql`, ACCEPT_MULTIPART, { query: "{ users { name } }" });
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(await response.json(), { data: { users: USERS.map(({ name }) => ({ name })) } });
    const invalid = await postAccepting(`${server.url}/graphql`, ACCEPT_MULTIPART, { query: "{ user { ... @defer(nope: 1) { bio } } }" });
    assert.is(invalid.status, 400);
    assert.match((await invalid.json()).errors[0].message, /Unknown argument "nope" on directive "@defer"/);
  });
}

test.run();
