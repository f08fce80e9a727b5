// graphscale behind graphql-http and GraphQL Yoga over real HTTP, counted per request (spec/serving.md): the
// HTTP bench's own servers (bench/http/app.ts) answer many requests, at once and one by one, with one plan
// built per operation, every other request a plan-cache hit, one parse and one validation per query text,
// and the store calls of one request times the requests. Counts only, never times.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer } from "node:http";
import { parse, validate, type DocumentNode, type ExecutionArgs } from "graphql";
import { createYoga } from "graphql-yoga";
import { useEngine } from "@envelop/core";
import { getPlanCacheStats } from "../../src/index.js";
import { useGraphscale } from "../../src/envelop/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { buildServer, LIBRARIES, type ShapeKey } from "../../bench/http/app.js";
import { post } from "./post.js";

/** Requests sent at once (the first ones, while no plan is cached), then one by one. */
const AT_ONCE = 20;
const ONE_BY_ONE = 20;
/** Store calls of one todo view (user, lists page, lists, items pages, items). */
const TODO_CALLS = 5;

const SHAPES: ShapeKey[] = ["todo-memory", "small"];

for (const library of LIBRARIES) {
  for (const shape of SHAPES) {
    test(`${library}, ${shape}: ${AT_ONCE} requests at once then ${ONE_BY_ONE} one by one — one plan built, the rest plan-cache hits, every answer graphql-js's`, async () => {
      const built = await buildServer({ library, engine: "graphscale", shape });
      const server = built.server.listen(0);
      try {
        const before = { ...getPlanCacheStats(built.schema) };
        built.kvetch?.resetCounters();
        const expected = JSON.parse(JSON.stringify(built.expected));
        const answers = await Promise.all(Array.from({ length: AT_ONCE }, () => post(server, built.body)));
        for (let i = 0; i < ONE_BY_ONE; i++) answers.push(await post(server, built.body));
        for (const { status, json } of answers) {
          assert.is(status, 200);
          assert.equal(json, expected);
        }
        const requests = AT_ONCE + ONE_BY_ONE;
        const after = getPlanCacheStats(built.schema);
        const planned = after.plansBuilt - before.plansBuilt;
        // The todo schema is shared by this file's servers: only its first server's first request plans.
        assert.ok(planned <= 1, `${planned} plans built`);
        assert.is(after.plansBuilt, 1, "one plan for the operation, whichever server built it");
        assert.is(after.hits - before.hits, requests - planned, "every request that did not plan reused the cached plan");
        assert.is(after.plansImported, 0);
        if (built.kvetch !== null) assert.is(built.kvetch.counters.calls, TODO_CALLS * requests, "the store calls of one view, per request");
        if (built.parseCounts !== null) assert.equal(built.parseCounts, { parsed: 1, validated: 1 }, "graphql-http parses and validates once per query text");
      } finally {
        server.close();
        await built.close();
      }
    });
  }
}

test(`Yoga with useGraphscale: ${AT_ONCE + ONE_BY_ONE} todo views parse and validate once and hand graphscale one document object`, async () => {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  await kvetch.migrate();
  const id = (await seedTodo(kvetch, { users: 1, listsPerUser: 3, itemsPerList: 2 })).userIds[0]!;
  const counts = { parsed: 0, validated: 0 };
  const documents = new Set<DocumentNode>();
  const countingParse = ((...args: Parameters<typeof parse>) => (counts.parsed++, parse(...args))) as typeof parse;
  const countingValidate = ((...args: Parameters<typeof validate>) => (counts.validated++, validate(...args))) as typeof validate;
  const seeDocument = { onExecute: ({ args }: { args: ExecutionArgs }) => void documents.add(args.document) };
  const yoga = createYoga({
    schema: todoSchema,
    plugins: [useEngine({ parse: countingParse, validate: countingValidate }), useGraphscale(), seeDocument],
    context: () => ({ kvetch }),
    logging: false,
  });
  const server = createServer(yoga).listen(0);
  try {
    const before = { ...getPlanCacheStats(todoSchema) };
    kvetch.resetCounters();
    const body = { query: todoViewQuery, variables: { id } };
    const answers = await Promise.all(Array.from({ length: AT_ONCE }, () => post(server, body)));
    for (let i = 0; i < ONE_BY_ONE; i++) answers.push(await post(server, body));
    const first = answers[0]!.json;
    assert.is(first.data.todoUser.todoLists.length, 3, JSON.stringify(first));
    for (const { status, json } of answers) {
      assert.is(status, 200);
      assert.equal(json, first);
    }
    const requests = AT_ONCE + ONE_BY_ONE;
    assert.equal(counts, { parsed: 1, validated: 1 }, "Yoga's caches: one parse and one validation");
    assert.is(documents.size, 1, "every request hands execute the same document object");
    const after = getPlanCacheStats(todoSchema);
    assert.is(after.plansBuilt - before.plansBuilt + (after.hits - before.hits), requests, "each request planned or hit the cache");
    assert.ok(after.plansBuilt - before.plansBuilt <= 1);
    assert.is(kvetch.counters.calls, TODO_CALLS * requests);
  } finally {
    server.close();
    await kvetch.close();
  }
});

test.run();
