// The span detail (spec/tracing.md, TracingDetail): `makeSchema({ tracing: { steps } })`. Counted on the todo
// view: "all" (the default) a span per layer and step call; "io" spans only for step calls that make store calls
// or go asynchronous, under the request; "none" the request and its store calls only. Store calls keep their
// parents, and a user's span inside a step nests under the request at every level.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import { Step, execute, makeSchema, mapResults, type ExecutionDetails } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoPlans, todoTypeDefs, todoViewQuery } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { allNodes, memoryTracing, parentOf, spanTrees } from "./spans.js";

type Steps = "all" | "io" | "none";

async function todoView(steps: Steps | undefined) {
  const { provider, exporter } = memoryTracing();
  const tracing = steps === undefined ? { tracerProvider: provider } : { tracerProvider: provider, steps };
  const schema = makeSchema({ typeDefs: todoTypeDefs, plans: todoPlans, planContext: { kvetchSchema: todoKvetchSchema }, tracing });
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 3, itemsPerList: 2 });
  const args = { schema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0]! }, contextValue: { kvetch } };
  await execute(args);
  exporter.reset();
  kvetch.resetCounters();
  // The second request: a plan cache hit, so no plan span at any level.
  const result = await execute(args);
  assert.is(result.errors, undefined);
  const roots = spanTrees(exporter.getFinishedSpans());
  assert.equal(roots.map((r) => r.name), ["query TodoView"]);
  return { request: roots[0]!, all: allNodes(roots), kvetch };
}

const named = (nodes: ReturnType<typeof allNodes>, name: string) => nodes.filter((n) => n.name === name);

test("tracing detail: the todo view's spans per request at each level (all 23, io 11, none 6), store calls under their steps or the request", async () => {
  const full = await todoView(undefined);
  const all = await todoView("all");
  const io = await todoView("io");
  const none = await todoView("none");
  assert.is(full.all.length, 23, "the default is the full tree");
  assert.is(all.all.length, 23);
  assert.is(named(all.all, "graphscale.layer").length, 6);
  assert.is(named(all.all, "graphscale.step").length, 11);

  // "io": no layer spans; a span for each step call that made a store call or went asynchronous, under the request.
  assert.is(io.all.length, 11);
  assert.is(named(io.all, "graphscale.layer").length, 0);
  const ioSteps = named(io.all, "graphscale.step");
  assert.equal(ioSteps.map((s) => s.attributes["graphscale.step.class"]).sort(), ["LoadEdgesStep", "LoadEdgesStep", "LoadNodesStep", "LoadNodesStep", "LoadObjectStep"]);
  for (const step of ioSteps) assert.is(parentOf(step, io.all), io.request);
  assert.ok(ioSteps.every((s) => typeof s.attributes["graphscale.layer.id"] === "number"), "each step span names its layer");
  const ioCalls = io.all.filter((n) => n.name.startsWith("kvetch."));
  assert.is(ioCalls.length, 5);
  for (const call of ioCalls) assert.is(parentOf(call, io.all)!.name, "graphscale.step");
  assert.equal(
    { calls: io.request.attributes["graphscale.step_calls"], untraced: io.request.attributes["graphscale.step_calls.untraced"], layers: io.request.attributes["graphscale.layers"] },
    { calls: 11, untraced: 6, layers: 6 },
  );

  // "none": the request and its store calls, each directly under the request.
  assert.is(none.all.length, 6);
  const noneCalls = none.all.filter((n) => n.name.startsWith("kvetch."));
  assert.is(noneCalls.length, none.kvetch.counters.calls);
  for (const call of noneCalls) assert.is(parentOf(call, none.all), none.request);
  assert.is(none.request.attributes["graphscale.step_calls.untraced"], 11);
  assert.not.ok("graphscale.step_calls" in full.request.attributes, "the full tree's request span is unchanged");
});

/** A step that starts a span of the application's own (the active context's), and makes a store call in it. */
class UserSpanStep extends Step<string> {
  override isAsync = true;
  constructor(private readonly kvetch: Kvetch) {
    super();
  }
  execute({ count }: ExecutionDetails): Promise<string[]> {
    const kvetch = this.kvetch;
    return trace.getTracer("app").startActiveSpan("app.work", async (span) => {
      await kvetch.getObjects(["missing"]).catch(() => undefined);
      span.end();
      return new Array<string>(count).fill("done");
    });
  }
}

test("tracing detail: a user's span inside a step nests under the request at every level, and its store call under it", async () => {
  for (const steps of ["all", "io", "none"] as const) {
    const { provider, exporter } = memoryTracing();
    trace.setGlobalTracerProvider(provider);
    try {
      const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 2 }) });
      const schema = makeSchema({ typeDefs: "type Query { work: String }", plans: { Query: { work: () => new UserSpanStep(kvetch) } }, tracing: { tracerProvider: provider, steps } });
      const result = await execute({ schema, document: parse("query W { work }") });
      assert.is(result.errors, undefined, steps);
      const all = allNodes(spanTrees(exporter.getFinishedSpans()));
      const request = all.find((n) => n.name === "query W")!;
      const work = all.find((n) => n.name === "app.work")!;
      assert.is(parentOf(work, all), request, `${steps}: the user's span under the request`);
      const call = all.find((n) => n.name === "kvetch.getObjects")!;
      assert.is(parentOf(call, all), work, `${steps}: the store call under the user's span`);
      assert.is(named(all, "graphscale.step").length, steps === "none" ? 0 : 1, steps);
    } finally {
      trace.disable();
    }
  }
});

/** A step whose call fails in the way it is told, or succeeds at once or later. */
class OutcomeStep extends Step<number> {
  constructor(private readonly how: "sync" | "async" | "throw" | "reject" | "map") {
    super();
  }
  execute({ count }: ExecutionDetails) {
    if (this.how === "throw") throw new Error("thrown");
    if (this.how === "reject") return Promise.reject(new Error("rejected"));
    if (this.how === "map") return mapResults(Promise.resolve(count), (): number[] => { throw new Error("mapped"); });
    const values = new Array<number>(count).fill(1);
    return this.how === "sync" ? values : Promise.resolve(values);
  }
}

test('tracing detail: at "io" a synchronous call has no span unless it threw; asynchronous calls have theirs, failures marked', async () => {
  const { provider, exporter } = memoryTracing();
  const hows = ["sync", "async", "throw", "reject", "map"] as const;
  const plans = { Query: Object.fromEntries(hows.map((how) => [how, () => new OutcomeStep(how)])) };
  const schema = makeSchema({ typeDefs: `type Query { ${hows.map((h) => `${h}: Int`).join(" ")} }`, plans, tracing: { tracerProvider: provider, steps: "io" }, onInternalError: () => undefined });
  const result = await execute({ schema, document: parse(`query O { ${hows.join(" ")} }`) });
  assert.is(result.errors?.length, 3);
  const steps = named(allNodes(spanTrees(exporter.getFinishedSpans())), "graphscale.step").filter((n) => n.attributes["graphscale.step.class"] === "OutcomeStep");
  assert.is(steps.length, 4, "async, throw, reject, map: not the synchronous call");
  assert.equal(steps.filter((n) => n.span.status.code === SpanStatusCode.ERROR).map((n) => n.span.status.message).sort(), ["mapped", "rejected", "thrown"]);
});

test("tracing detail: makeSchema takes { steps } with or without a provider, and refuses another level", () => {
  const typeDefs = "type Query { a: Int }";
  makeSchema({ typeDefs, tracing: { steps: "none" } });
  assert.throws(() => makeSchema({ typeDefs, tracing: { steps: "some" as never } }), /makeSchema: tracing.steps must be "all", "io" or "none"; got "some"/);
  assert.throws(() => makeSchema({ typeDefs, tracing: { tracerProvider: {} as never } }), /makeSchema: tracing must be true, false or \{ tracerProvider\?, steps\? \}/);
});

test.run();
