// A live query's runs as spans (spec/tracing.md, TraceLiveRun): the re-run a mutation's write caused is linked
// to that write's span, says what it rebuilt, and counts the store calls it made — the same store calls that
// are its child spans.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { GraphQLLiveDirective, execute, makeSchema, subscribe, type LiveRunInfo } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoPlans, todoTypeDefs } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { allNodes, memoryTracing, parentOf, spanTrees } from "./spans.js";

const liveView = `query Items($id: ID!) @live { todoUser(id: $id) { name todoLists(first: 10) { name todoItems(first: 5) { text done } } } }`;

test("tracing: a live re-run is a span linked to the write that caused it, with its kind, paths and store calls", async () => {
  const { provider, exporter } = memoryTracing();
  const schema = makeSchema({ typeDefs: todoTypeDefs, plans: todoPlans, planContext: { kvetchSchema: todoKvetchSchema }, directives: [GraphQLLiveDirective], tracing: { tracerProvider: provider } });
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 2 }) });
  const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 2, itemsPerList: 2 });
  const item = seed.itemIds[0]![0]![0]!;
  const runs: Array<{ kind: string; paths: string[] }> = [];
  const iterator = (await subscribe({
    schema,
    document: parse(liveView),
    variableValues: { id: seed.userIds[0] },
    contextValue: { kvetch },
    live: { source: kvetch, onRun: (info: LiveRunInfo) => void runs.push({ kind: info.kind, paths: info.paths }) },
  } as never)) as AsyncGenerator<ExecutionResult>;
  try {
    const first = await iterator.next();
    assert.is(first.value.errors, undefined);
    const done = await execute({ schema, document: parse(`mutation Undo($id: ID!) { setTodoItemDone(id: $id, done: false) { id } }`), variableValues: { id: item }, contextValue: { kvetch } });
    assert.is(done.errors, undefined);
    const second = await iterator.next();
    assert.is(second.done, false);
  } finally {
    await iterator.return(undefined);
  }
  assert.equal(runs.map((r) => r.kind), ["full", "subtree"]);
  const all = allNodes(spanTrees(exporter.getFinishedSpans()));
  const liveRuns = all.filter((n) => n.name === "graphscale.live.run");
  assert.equal(liveRuns.map((r) => r.attributes["graphscale.live.run"]), [1, 2]);
  const [full, rerun] = liveRuns as [(typeof liveRuns)[0], (typeof liveRuns)[0]];
  assert.is(full.attributes["graphscale.live.kind"], "full");
  assert.is(full.span.links.length, 0, "the first run was caused by no write");

  // The write: the mutation's updateObjects call, with the keys it bumped.
  const write = all.find((n) => n.name === "kvetch.updateObjects")!;
  assert.ok((write.attributes["graphscale.deps.bumped"] as string[]).some((k) => k.includes(item)));
  assert.is(parentOf(write, all)!.name, "graphscale.step");
  // The re-run: linked to that write (its span, in its trace), what it rebuilt, and how many store calls it made.
  assert.is(rerun.attributes["graphscale.live.kind"], "subtree");
  assert.equal(rerun.attributes["graphscale.live.paths"], runs[1]!.paths);
  assert.is(rerun.span.links.length, 1);
  assert.is(rerun.span.links[0]!.context.spanId, write.span.spanContext().spanId);
  assert.is(rerun.span.links[0]!.context.traceId, write.span.spanContext().traceId);
  const callsUnder = allNodes(rerun.children).filter((n) => n.name.startsWith("kvetch."));
  assert.ok(callsUnder.length > 0);
  assert.is(rerun.attributes["graphscale.live.store_calls"], callsUnder.length);
  // Its steps are spans of its own, under it: the subtree run's layers, not the first run's.
  assert.ok(allNodes(rerun.children).some((n) => n.name === "graphscale.step"));
  assert.ok(allNodes(full.children).some((n) => n.name === "graphscale.layer"), "the first run's layers under it");
});

test.run();
