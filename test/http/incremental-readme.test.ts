// The README's "@defer and @stream over HTTP" over real HTTP (graphql 17): the todo schema from annotated SDL
// with the two directive lines the README quotes, served by GraphQL Yoga with useGraphscale (the README's Yoga
// snippet, unchanged) as multipart/mixed and as Server-Sent Events, and by the README's graphql-sse snippet.
// The initial payload holds the user's name without the deferred lists; the payloads merge to what the view
// gives without @defer, in the same 5 store calls (the deferred steps still run once per layer). Uses the
// package as built (dist/). On graphql 16 the file says SKIPPED.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { versionInfo } from "graphql";
import { createClient } from "graphql-sse";
import { graphql } from "graphscale";
import { Kvetch, makeKvetchSchema, memoryBackend } from "graphscale/kvetch";
import { serveWithYoga } from "../../examples/http/yoga.js";
import { serveIncrementalOverSse } from "../../examples/http/incremental.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { multipartParts, postAccepting } from "./multipart.js";

const directives = readFileSync(new URL("../../examples/http/deferDirectives.graphql", import.meta.url), "utf8");
const todoSdl = readFileSync(new URL("../../examples/todo/todo.graphql", import.meta.url), "utf8");

const DEFERRED = `query Deferred($id: ID!) { todoUser(id: $id) { name ... @defer(label: "lists") { todoLists(first: 10) { name todoItems(first: 5) { text } } } } }`;
const PLAIN = DEFERRED.replace(` @defer(label: "lists")`, "");

function urlOf(server: Server, path: string): Promise<string> {
  return new Promise((resolve) => {
    const at = () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    server.listening ? at() : server.once("listening", at);
  });
}

/** graphql-js 17's payloads merged: the data they add up to. */
function merged(payloads: any[]): unknown {
  const data = structuredClone(payloads[0].data);
  const paths = new Map<string, (string | number)[]>();
  for (const payload of payloads) {
    for (const p of payload.pending ?? []) paths.set(p.id, p.path);
    for (const entry of payload.incremental ?? []) {
      const at = [...paths.get(entry.id)!, ...(entry.subPath ?? [])].reduce((v: any, k) => v[k], data);
      if (entry.items) at.push(...entry.items);
      else Object.assign(at, entry.data);
    }
  }
  return { data };
}

if (versionInfo.major < 17) {
  console.log(`SKIPPED test/http/incremental-readme.test.ts: graphql ${versionInfo.major} has no @defer or @stream (incremental delivery is graphql 17's); scripts/test-graphql17.sh runs it`);
} else {
  const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs: directives + todoSdl });
  const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 4 }) });
  let id: string;
  let plain: unknown;
  let plainCalls: number;

  test.before(async () => {
    await kvetch.migrate();
    id = (await seedTodo(kvetch as never, { users: 1, listsPerUser: 10, itemsPerList: 5 })).userIds[0]!;
    kvetch.resetCounters();
    plain = JSON.parse(JSON.stringify(await graphql({ schema, source: PLAIN, variableValues: { id }, contextValue: { kvetch } })));
    plainCalls = kvetch.counters.calls;
  });

  test("Yoga + useGraphscale: multipart/mixed, the name first, the lists after; merged as without @defer, in the same store calls", async () => {
    assert.is(plainCalls, 5);
    const server = serveWithYoga(schema, kvetch, 0);
    try {
      const url = await urlOf(server, "/graphql");
      kvetch.resetCounters();
      const response = await postAccepting(url, "multipart/mixed", { query: DEFERRED, variables: { id } });
      assert.is(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^multipart\/mixed; boundary="-"/);
      const parts: any[] = [];
      for await (const part of multipartParts(response)) parts.push(part);
      assert.equal(parts[0].data, { todoUser: { name: "Alice" } });
      assert.equal(parts[0].pending, [{ id: "0", path: ["todoUser"], label: "lists" }]);
      assert.is(parts.at(-1).hasNext, false);
      assert.equal(merged(parts), plain);
      assert.is(kvetch.counters.calls, plainCalls, "the deferred Kvetch steps still run once per layer");

      // Server-Sent Events from the same Yoga: the same payloads, one event each.
      const sse = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" }, body: JSON.stringify({ query: DEFERRED, variables: { id } }) });
      assert.match(sse.headers.get("content-type") ?? "", /^text\/event-stream/);
      const events = (await sse.text()).split("\n\n").filter((block) => block.startsWith("event: next")).map((block) => JSON.parse(block.slice(block.indexOf("data: ") + 6)));
      assert.equal(events, parts);

      // No multipart, no event stream: 406, as Yoga answers any incremental result; an operation without @defer is as before.
      const refused = await postAccepting(url, "application/json", { query: DEFERRED, variables: { id } });
      assert.is(refused.status, 406);
      const ordinary = await postAccepting(url, "application/json", { query: PLAIN, variables: { id } });
      assert.equal(await ordinary.json(), plain);
    } finally {
      server.close();
    }
  });

  test("graphql-sse with experimentalExecuteIncrementally (the README snippet): one event per payload, merged as without @defer", async () => {
    const server = serveIncrementalOverSse(schema, kvetch, 0);
    const client = createClient({ url: await urlOf(server, "/graphql/stream"), retryAttempts: 0 });
    try {
      const events: any[] = [];
      for await (const event of client.iterate({ query: DEFERRED, variables: { id } })) events.push(JSON.parse(JSON.stringify(event)));
      assert.ok(events.length >= 2, JSON.stringify(events));
      assert.equal(events[0].data, { todoUser: { name: "Alice" } });
      assert.equal(merged(events), plain);
      const ordinary: unknown[] = [];
      for await (const event of client.iterate({ query: PLAIN, variables: { id } })) ordinary.push(JSON.parse(JSON.stringify(event)));
      assert.equal(ordinary, [plain]);
    } finally {
      client.dispose();
      server.close();
    }
  });
}

test("the README quotes the graphql-sse snippet and the directive declarations verbatim", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const code = readFileSync(new URL("../../examples/http/incremental.ts", import.meta.url), "utf8");
  assert.ok(readme.includes(code.slice(code.indexOf("import ")).trim()), "README.md does not quote examples/http/incremental.ts");
  assert.ok(readme.includes("```graphql\n" + directives.trim() + "\n```"), "README.md does not quote examples/http/deferDirectives.graphql");
});

test.run();
