// graphscale/envelop over real HTTP: GraphQL Yoga with useGraphscale and envelop's useOpenTelemetry gives one
// trace, graphscale's request span a child of envelop's execute span; internal errors reach the client masked
// (with the id the schema's onInternalError hook got) through Yoga's own masking and through graphql-http,
// while Yoga still masks what graphscale does not. Uses the package as built (dist/).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { createYoga } from "graphql-yoga";
import { useOpenTelemetry } from "@envelop/opentelemetry";
import { graphql, makeSchema, type InternalErrorReport } from "graphscale";
import { useGraphscale } from "graphscale/envelop";
import { constant, lambda } from "graphscale/steps";
import { Kvetch, makeKvetchSchema, memoryBackend } from "graphscale/kvetch";
import { serveWithGraphqlHttp } from "../../examples/http/graphqlHttp.js";
import { serveWithYoga } from "../../examples/http/yoga.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { todoViewQuery } from "../../examples/todo/schema.js";
import { allNodes, memoryTracing, parentOf, spanTrees } from "../tracing/spans.js";
import { post } from "./post.js";

const typeDefs = readFileSync(new URL("../../examples/todo/todo.graphql", import.meta.url), "utf8");

test("Yoga + useOpenTelemetry + useGraphscale: one trace, graphscale's request span under envelop's execute span", async () => {
  const { provider, exporter } = memoryTracing();
  const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs, tracing: { tracerProvider: provider } });
  const kvetch = new Kvetch({ schema: kvetchSchema, backend: memoryBackend({ shards: 2 }) });
  const seed = await seedTodo(kvetch as never, { users: 1, listsPerUser: 2, itemsPerList: 2 });
  const id = seed.userIds[0]!;
  const direct = JSON.parse(JSON.stringify(await graphql({ schema, source: todoViewQuery, variableValues: { id }, contextValue: { kvetch } })));
  exporter.reset();
  const yoga = createYoga({ schema, plugins: [useGraphscale(), useOpenTelemetry({ resolvers: false, variables: false }, provider)], context: () => ({ kvetch }) });
  const server = createServer(yoga).listen(0);
  try {
    kvetch.resetCounters();
    const { status, json } = await post(server, { query: todoViewQuery, variables: { id } });
    assert.is(status, 200);
    assert.equal(json, direct);
    assert.is(kvetch.counters.calls, 5, "graphscale's execute ran the plan (5 store calls)");
  } finally {
    server.close();
  }
  const spans = exporter.getFinishedSpans();
  assert.is(new Set(spans.map((s) => s.spanContext().traceId)).size, 1, "one trace");
  const all = allNodes(spanTrees(spans));
  const envelopSpan = all.find((n) => n.name === "query.TodoView")!;
  const request = all.find((n) => n.name === "query TodoView")!;
  assert.ok(envelopSpan && request, all.map((n) => n.name).join(", "));
  assert.is(parentOf(request, all), envelopSpan);
  assert.ok(allNodes(request.children).filter((n) => n.name === "graphscale.step").length > 3);
  assert.is(allNodes(request.children).filter((n) => n.name.startsWith("kvetch.")).length, 5);
});

const INTERNAL = Symbol.for("graphscale.internalError");

/** A schema whose `shard` field fails as a shard does (an internal error) and whose `bug` throws a plain error. */
function failingSchema(reports: InternalErrorReport[]) {
  return makeSchema({
    typeDefs: "type Query { shard: String bug: String ok: String }",
    plans: {
      Query: {
        shard: () => lambda(constant(1), () => { throw Object.assign(new Error("shard 1 (db1.internal:3306/app_1) readObjects: connection refused"), { [INTERNAL]: true }); }),
        bug: () => lambda(constant(1), () => { throw new Error("a bug's own text"); }),
        ok: () => constant("fine"),
      },
    },
    onInternalError: (report) => void reports.push(report),
  });
}

const servers: Array<[string, typeof serveWithYoga]> = [
  ["GraphQL Yoga (useGraphscale)", serveWithYoga],
  ["graphql-http (createHandler({ schema, execute }))", serveWithGraphqlHttp],
];

for (const [name, serve] of servers) {
  test(`${name}: an internal error reaches the client masked, with the id the schema's onInternalError got`, async () => {
    const reports: InternalErrorReport[] = [];
    const server = serve(failingSchema(reports), null as never, 0);
    try {
      const { status, json } = await post(server, { query: "{ shard ok }" });
      assert.is(status, 200);
      assert.is(json.data.ok, "fine");
      assert.is(json.data.shard, null);
      const error = json.errors[0];
      assert.match(error.message, /^Internal error \(id [0-9a-f]{12}\)$/);
      assert.is(error.extensions.code, "INTERNAL");
      assert.equal(error.path, ["shard"]);
      assert.not.match(JSON.stringify(json), /db1\.internal/);
      assert.is(reports.length, 1);
      assert.is(reports[0]!.id, error.extensions.errorId);
      assert.match(String((reports[0]!.error as Error).message), /db1\.internal:3306/);
      // An error graphscale does not mask: Yoga masks it as its own; graphql-http shows it.
      const bug = await post(server, { query: "{ bug }" });
      assert.is(bug.json.errors[0].message, serve === serveWithYoga ? "Unexpected error." : "a bug's own text");
      assert.is(reports.length, 1, "onInternalError hears of internal errors only");
    } finally {
      server.close();
    }
  });
}

test.run();
