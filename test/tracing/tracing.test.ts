// OpenTelemetry spans with the SDK's in-memory exporter (spec/tracing.md): the todo view's span tree (one step
// span per step per layer, never per entry; store calls under the steps that made them), a mutation's write
// with the dependency keys it bumped, and no span and no tracer call at all when tracing is off.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import { ROOT_CONTEXT, SpanStatusCode, context, trace, type Context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { AlwaysOffSampler, BasicTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import { Step, constant, execute, mapResults, graphql, makeSchema, type ExecutionDetails } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoPlans, todoTypeDefs, todoViewQuery } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { fastRequestCounts } from "../../src/engine/request/fastRequest.js";
import { lambda, loadOne } from "../../steps/index.js";
import { planCacheFor } from "../../src/engine/planning/planCache.js";
import { allNodes, countingProvider, memoryTracing, parentOf, registerGlobally, spanTrees, type SpanNode } from "./spans.js";

type TracingOption = Parameters<typeof makeSchema>[0]["tracing"];
const todo = (tracing: TracingOption) => makeSchema({ typeDefs: todoTypeDefs, plans: todoPlans, planContext: { kvetchSchema: todoKvetchSchema }, tracing });

async function seeded(lists = 3, items = 2) {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
  const seed = await seedTodo(kvetch, { users: 1, listsPerUser: lists, itemsPerList: items });
  kvetch.resetCounters();
  return { kvetch, seed, id: seed.userIds[0]! };
}

test("tracing: the todo view is one request span with its plan, layers, one span per step per layer, and store calls under their steps", async () => {
  const { provider, exporter } = memoryTracing();
  const schema = todo({ tracerProvider: provider });
  const { kvetch, id } = await seeded(3, 2);
  const document = parse(todoViewQuery);
  const result = await execute({ schema, document, variableValues: { id }, contextValue: { kvetch } });
  assert.is(result.errors, undefined);
  const roots = spanTrees(exporter.getFinishedSpans());
  assert.equal(roots.map((r) => r.name), ["query TodoView"]);
  const request = roots[0]!;
  assert.is(request.attributes["graphql.operation.name"], "TodoView");
  assert.is(request.attributes["graphql.operation.type"], "query");
  assert.is(request.attributes["graphql.document"], todoViewQuery);
  assert.is(request.attributes["graphscale.plan_cache"], "miss");
  const plan = request.children.find((c) => c.name === "graphscale.plan")!;
  assert.ok(plan, "a plan span on a cache miss");
  assert.ok((plan.attributes["graphscale.plan.steps"] as number) > 5);

  const all = allNodes(roots);
  const layers = all.filter((n) => n.name === "graphscale.layer");
  const steps = all.filter((n) => n.name === "graphscale.step");
  // Layers nest as the plan's: the root layer under the request, every other under its parent layer.
  assert.is(parentOf(layers[0]!, all), request);
  for (const layer of layers.slice(1)) assert.is(parentOf(layer, all)!.name, "graphscale.layer");
  // One span per step per layer: no step id twice under one layer span, and every step span under a layer.
  for (const layer of layers) {
    const ids = layer.children.filter((c) => c.name === "graphscale.step").map((c) => c.attributes["graphscale.step.id"]);
    assert.is(new Set(ids).size, ids.length, `a step twice under layer ${layer.attributes["graphscale.layer.id"]}`);
  }
  for (const step of steps) assert.is(parentOf(step, all)!.name, "graphscale.layer");
  // Six items in three lists: the items' objects are one store call of 6, under one step span (batch: the 3 lists), not six.
  const itemReads = all.filter((n) => n.name === "kvetch.getObjects" && n.attributes["kvetch.batch_size"] === 6);
  assert.is(itemReads.length, 1);
  const itemStep = parentOf(itemReads[0]!, all)!;
  assert.is(itemStep.attributes["graphscale.step.class"], "LoadNodesStep");
  assert.is(itemStep.attributes["graphscale.step.batch_size"], 3);
  assert.is(itemStep.attributes["graphscale.step.exited_early"], 0);
  assert.is(parentOf(itemStep, all)!.attributes["graphscale.layer.entries"], 3);
  assert.is(steps.filter((s) => s.attributes["graphscale.step.class"] === "LoadNodesStep").length, 2, "one per layer that loads nodes");

  // Every store call is a span under the step that made it; as many as the store counted, with its round trips.
  const calls = all.filter((n) => n.name.startsWith("kvetch."));
  assert.is(calls.length, kvetch.counters.calls);
  assert.is(calls.length, 5);
  for (const call of calls) {
    assert.is(parentOf(call, all)!.name, "graphscale.step", call.name);
    assert.is(call.attributes["kvetch.kind"], "read");
    assert.is(call.attributes["kvetch.backend"], "memory");
  }
  // Each call's own shard calls (per shard) and rows, counted through its context: they add up to the store's counters.
  const perShard = calls.map((c) => c.attributes["kvetch.shard_calls"] as number[]);
  for (const shards of perShard) assert.is(shards.length, 4);
  assert.equal(perShard.reduce((sum, shards) => sum.map((n, i) => n + shards[i]!)), kvetch.counters.shardQueries);
  assert.is(calls.reduce((sum, c) => sum + (c.attributes["db.response.returned_rows"] as number), 0), kvetch.counters.rowsFetched);
  const userRead = calls[0]!;
  assert.is(userRead.name, "kvetch.getObjects");
  assert.is(userRead.attributes["kvetch.shard_calls_total"], 1, "one id, one shard call");
  assert.is(userRead.attributes["db.response.returned_rows"], 1);

  // The same operation again: the plan cache has it, and there is no plan span.
  exporter.reset();
  await execute({ schema, document, variableValues: { id }, contextValue: { kvetch } });
  const again = spanTrees(exporter.getFinishedSpans())[0]!;
  assert.is(again.attributes["graphscale.plan_cache"], "hit");
  assert.not.ok(again.children.some((c) => c.name === "graphscale.plan"));
});

test("tracing: graphql() adds parse and validate spans when it does them (a cached document skips both)", async () => {
  const { provider, exporter } = memoryTracing();
  const schema = todo({ tracerProvider: provider });
  const { kvetch, id } = await seeded(1, 1);
  await graphql({ schema, source: todoViewQuery, variableValues: { id }, contextValue: { kvetch } });
  const first = spanTrees(exporter.getFinishedSpans())[0]!;
  assert.is(first.name, "query TodoView");
  assert.equal(first.children.slice(0, 2).map((c) => c.name), ["graphql.parse", "graphql.validate"]);
  exporter.reset();
  await graphql({ schema, source: todoViewQuery, variableValues: { id }, contextValue: { kvetch } });
  const second = spanTrees(exporter.getFinishedSpans())[0]!;
  assert.not.ok(second.children.some((c) => c.name === "graphql.parse" || c.name === "graphql.validate"));
});

test("tracing: a mutation's write span carries the dependency keys it bumped, under the step that wrote", async () => {
  const { provider, exporter } = memoryTracing();
  const schema = todo({ tracerProvider: provider });
  const { kvetch, seed } = await seeded(1, 2);
  const item = seed.itemIds[0]![0]![0]!;
  const result = await execute({ schema, document: parse(`mutation Done($id: ID!) { setTodoItemDone(id: $id, done: false) { id done } }`), variableValues: { id: item }, contextValue: { kvetch } });
  assert.is(result.errors, undefined, JSON.stringify(result.errors));
  const all = allNodes(spanTrees(exporter.getFinishedSpans()));
  assert.is(all[0]!.name, "mutation Done");
  const writes = all.filter((n) => n.attributes["kvetch.kind"] === "write");
  assert.is(writes.length, 1);
  const write = writes[0]!;
  assert.is(parentOf(write, all)!.name, "graphscale.step");
  const bumped = write.attributes["graphscale.deps.bumped"] as string[];
  assert.ok(Array.isArray(bumped) && bumped.length > 0, "bumped keys recorded");
  assert.ok(bumped.some((key) => key.includes(item)), `the item's own key among ${bumped.join(", ")}`);
  assert.ok((write.attributes["kvetch.shard_calls_total"] as number) > 0);
});

test("tracing: off (no provider registered, none given) makes no span and asks no tracer", async () => {
  const { provider, counts } = countingProvider();
  const schema = todo(undefined);
  const { kvetch, seed, id } = await seeded(2, 2);
  await execute({ schema, document: parse(todoViewQuery), variableValues: { id }, contextValue: { kvetch } });
  await graphql({ schema, source: `mutation { setTodoItemDone(id: "${seed.itemIds[0]![0]![0]}", done: true) { id } }`, contextValue: { kvetch } });
  await kvetch.getObjects([id]);
  assert.equal(counts, { tracers: 0, spans: 0 });
  // The same provider given to the schema: now it is asked.
  const traced = todo({ tracerProvider: provider });
  await execute({ schema: traced, document: parse(todoViewQuery), variableValues: { id }, contextValue: { kvetch } });
  assert.ok(counts.tracers === 1 && counts.spans > 10, JSON.stringify(counts));
});

test("tracing: a request its sampler drops starts one span (the request's) and no other", async () => {
  const { provider, counts } = countingProvider(new AlwaysOffSampler());
  const schema = todo({ tracerProvider: provider });
  const { kvetch, id } = await seeded(2, 2);
  const result = await execute({ schema, document: parse(todoViewQuery), variableValues: { id }, contextValue: { kvetch } });
  assert.is(result.errors, undefined);
  await graphql({ schema, source: todoViewQuery, variableValues: { id }, contextValue: { kvetch } });
  assert.equal(counts, { tracers: 1, spans: 2 });
});

test("tracing: a request its sampler drops that declares no variables takes the remembered fast path: no preparation, one span", async () => {
  const { provider, counts } = countingProvider(new AlwaysOffSampler());
  const small = (tracing: TracingOption) =>
    makeSchema({
      typeDefs: "type Query { book(id: ID!): Book } type Book { id: ID! title: String! author: Author } type Author { id: ID! name: String! }",
      plans: {
        Query: { book: (_$root: Step, args) => lambda(args.get("id"), (id: string) => ({ id, title: "The Dispossessed", authorId: "a1" })) },
        Book: { author: ($book: Step) => loadOne($book.get("authorId"), async (ids: readonly unknown[]) => ids.map((id) => ({ id, name: "Ursula K. Le Guin" }))) },
      },
      tracing,
    });
  const schema = small({ tracerProvider: provider });
  const document = parse(`{ book(id: "b1") { id title author { id name } } }`);
  const expected = await execute({ schema: small(false), document });
  assert.equal(expected, { data: { book: { id: "b1", title: "The Dispossessed", author: { id: "a1", name: "Ursula K. Le Guin" } } } });
  // The plan's first two responses make its compiled output; the fast path is taken from the third.
  for (let i = 0; i < 2; i++) await execute({ schema, document });
  // The remembered document skips request preparation: no plan-cache lookup at all.
  const cache = planCacheFor(schema);
  let lookups = 0;
  const planIn = cache.planIn.bind(cache);
  cache.planIn = (...args) => (lookups++, planIn(...args));
  const before = { ...fastRequestCounts };
  for (let i = 0; i < 3; i++) assert.equal(await execute({ schema, document }), expected);
  assert.is(fastRequestCounts.runs - before.runs, 3, "each dropped request ran by the fast path");
  assert.is(fastRequestCounts.fellBack - before.fellBack, 0);
  assert.is(lookups, 0, "no request was prepared");
  assert.equal(counts, { tracers: 1, spans: 5 }, "one request span per request, nothing else");
});

test("tracing: a registered provider's ratio sampler drops a request: one span started, none exported, store calls and a resolver's own span included", async () => {
  const { provider, counts, exporter } = countingProvider(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) }));
  const { kvetch, id } = await seeded(2, 2);
  const unregister = registerGlobally(provider);
  try {
    // A resolver's own span: under the dropped request span, so the parent-based sampler drops it too.
    const schema = makeSchema({
      typeDefs: todoTypeDefs + " extend type Query { userSpan: Boolean }",
      plans: todoPlans,
      planContext: { kvetchSchema: todoKvetchSchema },
      resolvers: { Query: { userSpan: () => (trace.getTracer("app").startSpan("app.work").end(), !trace.getActiveSpan()!.isRecording()) } },
    });
    const source = todoViewQuery.replace(/\}\s*$/, " userSpan }");
    const result = await execute({ schema, document: parse(source), variableValues: { id }, contextValue: { kvetch } });
    assert.is(result.errors, undefined);
    assert.is((result.data as { userSpan: boolean }).userSpan, true, "the dropped request span is active");
    // Started: graphscale's request span and the resolver's own (tracers: graphscale's and the app's); no store call span.
    assert.equal(counts, { tracers: 2, spans: 2 });
    assert.is(exporter.getFinishedSpans().length, 0);
    // The same provider, sampling everything: the same request exports its whole tree.
    const all = countingProvider();
    trace.disable();
    trace.setGlobalTracerProvider(all.provider);
    await execute({ schema, document: parse(source), variableValues: { id }, contextValue: { kvetch } });
    assert.ok(all.exporter.getFinishedSpans().filter((s) => s.name.startsWith("kvetch.")).length >= 3);
  } finally {
    unregister();
  }
});

test("tracing: a registered provider traces by default; tracing: false keeps the engine's spans off", async () => {
  const { provider, exporter } = memoryTracing();
  const unregister = registerGlobally(provider);
  try {
    const { kvetch, id } = await seeded(1, 1);
    exporter.reset();
    await execute({ schema: todo(undefined), document: parse(todoViewQuery), variableValues: { id }, contextValue: { kvetch } });
    assert.equal(spanTrees(exporter.getFinishedSpans()).map((r) => r.name), ["query TodoView"]);
    exporter.reset();
    await execute({ schema: todo(false), document: parse(todoViewQuery), variableValues: { id }, contextValue: { kvetch } });
    const names = exporter.getFinishedSpans().map((s) => s.name);
    assert.equal(names.filter((n) => !n.startsWith("kvetch.")), [], "no engine span");
  } finally {
    unregister();
  }
});

test("tracing: a branch planned as its type arrives (partial planning) is a plan_branch span under its layer", async () => {
  const { provider, exporter } = memoryTracing();
  const schema = makeSchema({
    typeDefs: "type Query { things: [Thing!]! } union Thing = Cat | Dog type Cat { meow: String } type Dog { bark: String }",
    plans: { Query: { things: () => constant([{ type: "Cat", meow: "m" }]) }, Thing: { __planType: ($t: Step) => $t.get("type") } },
    tracing: { tracerProvider: provider },
  });
  const result = await execute({ schema, document: parse("query Pets { things { ... on Cat { meow } ... on Dog { bark } } }") });
  assert.equal(JSON.parse(JSON.stringify(result.data)), { things: [{ meow: "m" }] });
  const all = allNodes(spanTrees(exporter.getFinishedSpans()));
  const plan = all.find((n) => n.name === "graphscale.plan")!;
  assert.is(plan.attributes["graphscale.plan.unplanned_branches"], 2);
  const branches = all.filter((n) => n.name === "graphscale.plan_branch");
  assert.equal(branches.map((b) => b.attributes["graphscale.type"]), ["Cat"]);
  assert.ok((branches[0]!.attributes["graphscale.plan.steps"] as number) > 0);
  assert.is(parentOf(branches[0]!, all)!.name, "graphscale.layer");
});

test("tracing: makeSchema refuses a tracing option that is not a boolean or { tracerProvider?, steps? }", () => {
  assert.throws(() => todo({ tracerProvider: {} } as never), /makeSchema: tracing must be true, false or \{ tracerProvider\?, steps\? \}/);
  assert.throws(() => makeSchema({ typeDefs: "type Query { a: Int }", onInternalError: "log" as never }), /makeSchema: onInternalError must be a function/);
});

/** A provider whose processor keeps nothing: the SDK's exporting processors switch context per export, not counted here. */
function keepingNothing(): BasicTracerProvider {
  const keep = { onStart: () => undefined, onEnd: () => undefined, forceFlush: async () => undefined, shutdown: async () => undefined };
  return new BasicTracerProvider({ spanProcessors: [keep] });
}

/** Runs the todo view (5 store calls) traced by `provider`, showing `onSwitch` each context switched to. */
async function todoViewSwitching(provider: BasicTracerProvider, onSwitch: (switchedTo: Context) => void): Promise<void> {
  const schema = todo({ tracerProvider: provider });
  const { kvetch, id } = await seeded(3, 2);
  const manager = (context as unknown as { _getContextManager(): { with: (...args: unknown[]) => unknown } })._getContextManager();
  const original = manager.with;
  manager.with = function (this: unknown, ...args: unknown[]) {
    onSwitch(args[0] as Context);
    return original.apply(this, args);
  };
  try {
    const result = await execute({ schema, document: parse(todoViewQuery), variableValues: { id }, contextValue: { kvetch } });
    assert.is(result.errors, undefined);
  } finally {
    manager.with = original;
  }
  assert.is(kvetch.counters.calls, 5);
}

test("tracing: a traced request switches context once for itself and once per store call (its record), never per step or layer, and adds no async-local store (InStep, TraceStoreCall)", async () => {
  const provider = keepingNothing();
  let switches = 0;
  const started = { spans: 0 };
  const tracer = provider.getTracer("graphscale");
  const startSpan = tracer.startSpan.bind(tracer);
  tracer.startSpan = (...a: Parameters<typeof startSpan>) => (started.spans++, startSpan(...a));
  await todoViewSwitching(provider, () => switches++);
  assert.ok(started.spans > 15, `spans: ${started.spans}`);
  assert.is(switches, 1 + 5, "the request's context, and one per store call (the call's record), none per step or layer");
  // The records rode in the context manager's contexts: no async-local store of the store's own was made
  // (each one costs every promise of the process a copy of its value under Node 20's promise hooks).
  assert.is((globalThis as { [key: symbol]: unknown })[Symbol.for("graphscale.storeCallSlot")], undefined);
});

test("tracing: the contexts a traced request derives (its own, each layer's, each step's for its store calls, each store call's record) copy no context map (LinkedContext)", async () => {
  const provider = keepingNothing();
  // The API's own context class (a copy of its parent's map and three closures per value set).
  const ApiContext = ROOT_CONTEXT.constructor;
  const copied = new Set<unknown>();
  const derived = new Set<unknown>();
  const note = (ctx: unknown) => {
    if (ctx === ROOT_CONTEXT || ctx === undefined) return;
    derived.add(ctx);
    if (ctx instanceof ApiContext) copied.add(ctx);
  };
  const tracer = provider.getTracer("graphscale");
  const startSpan = tracer.startSpan.bind(tracer);
  tracer.startSpan = (...a: Parameters<typeof startSpan>) => (note(a[2]), startSpan(...a));
  await todoViewSwitching(provider, note);
  assert.ok(derived.size >= 1 + 5, `contexts derived: ${derived.size}`);
  assert.is(copied.size, 0, "no derived context is the API's map-copying one");
});

test("tracing: a store call's context is its record (TraceStoreCall): one object per call, 5 of the todo view's 5 calls", async () => {
  const CALL_KEY = Symbol.for("graphscale.storeCall");
  let callContexts = 0;
  let selfRecords = 0;
  await todoViewSwitching(keepingNothing(), (switchedTo) => {
    const record = switchedTo.getValue(CALL_KEY);
    if (record === undefined) return;
    callContexts++;
    if (record === switchedTo) selfRecords++;
  });
  assert.is(callContexts, 5, "one context per store call");
  assert.is(selfRecords, 5, "each store call's context is its record, not a context made beside it");
});

/** Reads after an await, two at once: one object alone, then the ids given (the calls overlap). */
class TwoReadsStep extends Step<number> {
  override isAsync = true;
  constructor(
    private readonly kvetch: Kvetch,
    private readonly ids: readonly string[],
  ) {
    super();
  }
  protected get store(): Kvetch {
    return this.kvetch;
  }
  protected get read(): readonly string[] {
    return this.ids;
  }
  async execute({ count }: ExecutionDetails): Promise<number[]> {
    await Promise.resolve();
    const [one, all] = await Promise.all([this.kvetch.getObjects([this.ids[0]!]), this.kvetch.getObjects(this.ids)]);
    return new Array<number>(count).fill(one.length + all.length);
  }
}

test("tracing: store calls made after a step's await, overlapping, each count their own shard calls and rows (the call slot), under the request", async () => {
  const { provider, exporter } = memoryTracing();
  const { kvetch, seed } = await seeded(2, 3);
  const ids = seed.itemIds[0]!.flat();
  const schema = makeSchema({ typeDefs: "type Query { reads: Int }", plans: { Query: { reads: () => new TwoReadsStep(kvetch, ids) } }, tracing: { tracerProvider: provider } });
  const result = await execute({ schema, document: parse("query Reads { reads }") });
  assert.equal(JSON.parse(JSON.stringify(result.data)), { reads: 1 + ids.length });
  const all = allNodes(spanTrees(exporter.getFinishedSpans()));
  const calls = all.filter((n) => n.name === "kvetch.getObjects");
  assert.equal(calls.map((c) => c.attributes["kvetch.batch_size"]), [1, ids.length]);
  assert.equal(calls.map((c) => c.attributes["db.response.returned_rows"]), [1, ids.length]);
  assert.is(calls[0]!.attributes["kvetch.shard_calls_total"], 1);
  assert.equal(calls.map((c) => c.attributes["kvetch.shard_calls_total"] as number).reduce((a, b) => a + b), kvetch.counters.shardQueries.reduce((a, b) => a + b));
  // Made after the step's synchronous part: under the request span (the context switched once for it).
  for (const call of calls) assert.is(parentOf(call, all)!.name, "query Reads");
});

/** Two overlapping reads started in the step's synchronous part (under its span through the step slot). */
class TwoReadsAtOnceStep extends TwoReadsStep {
  override execute({ count }: ExecutionDetails): Promise<number[]> {
    const [kvetch, ids] = [this.store, this.read];
    return Promise.all([kvetch.getObjects([ids[0]!]), kvetch.getObjects(ids)]).then(([one, all]) => new Array<number>(count).fill(one.length + all.length));
  }
}

test("tracing: with no context manager registered, overlapping store calls still count their own (the fallback call slot)", async () => {
  const { provider, exporter } = memoryTracing();
  const { kvetch, seed } = await seeded(2, 3);
  const ids = seed.itemIds[0]!.flat();
  const schema = makeSchema({ typeDefs: "type Query { reads: Int }", plans: { Query: { reads: () => new TwoReadsAtOnceStep(kvetch, ids) } }, tracing: { tracerProvider: provider } });
  context.disable();
  try {
    const result = await execute({ schema, document: parse("query Reads { reads }") });
    assert.equal(JSON.parse(JSON.stringify(result.data)), { reads: 1 + ids.length });
  } finally {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  const all = allNodes(spanTrees(exporter.getFinishedSpans()));
  const calls = all.filter((n) => n.name === "kvetch.getObjects");
  assert.equal(calls.map((c) => c.attributes["db.response.returned_rows"]), [1, ids.length]);
  for (const call of calls) assert.is(parentOf(call, all)!.name, "graphscale.step");
  assert.equal(calls.map((c) => c.attributes["kvetch.shard_calls_total"] as number).reduce((a, b) => a + b), kvetch.counters.shardQueries.reduce((a, b) => a + b));
  assert.ok((globalThis as { [key: symbol]: unknown })[Symbol.for("graphscale.storeCallSlot")] !== undefined, "the fallback slot, made only now");
});

/** A step whose call fails in the way it is told: thrown, rejected, or its mapResults map throwing. */
class FailingStep extends Step<number> {
  override isAsync = true;
  constructor(private readonly how: "ok" | "throw" | "reject" | "map") {
    super();
  }
  execute({ count }: ExecutionDetails) {
    if (this.how === "throw") throw new Error("thrown");
    if (this.how === "reject") return Promise.reject(new Error("rejected"));
    if (this.how === "map") return mapResults(Promise.resolve(count), (): number[] => { throw new Error("mapped"); });
    return Promise.resolve(new Array<number>(count).fill(1));
  }
}

test("tracing: a step call that threw, rejected or whose mapResults map threw ends its span marked as an error (TraceStep)", async () => {
  const { provider, exporter } = memoryTracing();
  const plans = { Query: Object.fromEntries((["ok", "throw", "reject", "map"] as const).map((how) => [how, () => new FailingStep(how)])) };
  const schema = makeSchema({ typeDefs: "type Query { ok: Int, throw: Int, reject: Int, map: Int }", plans, tracing: { tracerProvider: provider }, onInternalError: () => undefined });
  const result = await execute({ schema, document: parse("query F { ok throw reject map }") });
  assert.is(result.errors?.length, 3);
  const steps = allNodes(spanTrees(exporter.getFinishedSpans())).filter((n) => n.name === "graphscale.step" && n.attributes["graphscale.step.class"] === "FailingStep");
  assert.is(steps.length, 4, "every call's span ended");
  const failed = steps.filter((n) => n.span.status.code === SpanStatusCode.ERROR).map((n) => n.span.status.message).sort();
  assert.equal(failed, ["mapped", "rejected", "thrown"]);
});

test("tracing: a store call under a span that does not record (a sampled-out trace) starts no span", async () => {
  const { provider, counts, exporter } = countingProvider();
  const { kvetch, seed } = await seeded(1, 1);
  const unregister = registerGlobally(provider);
  try {
    const dropped = trace.wrapSpanContext({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 0 });
    const rows = await context.with(trace.setSpan(context.active(), dropped), () => kvetch.getObjects([seed.userIds[0]!]));
    assert.is(rows.length, 1);
    assert.is(counts.spans, 0, "no span started under the dropped one");
    await kvetch.getObjects([seed.userIds[0]!]);
    assert.ok(counts.spans > 0, "a call under no span is traced by the registered provider");
    assert.equal(exporter.getFinishedSpans().map((s) => s.name), ["kvetch.getObjects"]);
  } finally {
    unregister();
  }
});

test.run();
