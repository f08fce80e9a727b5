// Run by test/tracing/absent.test.ts in a process where @opentelemetry/api cannot be resolved: the todo view, a
// mutation and a live query's re-run on the memory store, with `tracing: true` asked for. Prints what it saw.
import { createRequire } from "node:module";
import { parse, type ExecutionResult } from "graphql";
import { GraphQLLiveDirective, execute, graphql, makeSchema, subscribe } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoPlans, todoTypeDefs, todoViewQuery } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { otelApi } from "../../src/engine/tracing/tracing.js";

let resolvable = true;
try {
  createRequire(import.meta.url)("@opentelemetry/api");
} catch {
  resolvable = false;
}
const schema = makeSchema({ typeDefs: todoTypeDefs, plans: todoPlans, planContext: { kvetchSchema: todoKvetchSchema }, directives: [GraphQLLiveDirective], tracing: true });
const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 2 }) });
const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 2, itemsPerList: 2 });
kvetch.resetCounters();
const view = await execute({ schema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } });
const calls = kvetch.counters.calls;
const live = (await subscribe({
  schema,
  document: parse(`query L($id: ID!) @live { todoItem(id: $id) { done } }`),
  variableValues: { id: seed.itemIds[0]![0]![0] },
  contextValue: { kvetch },
  live: { source: kvetch },
} as never)) as AsyncGenerator<ExecutionResult>;
const before = await live.next();
const mutation = await graphql({ schema, source: `mutation { setTodoItemDone(id: "${seed.itemIds[0]![0]![0]}", done: false) { done } }`, contextValue: { kvetch } });
const after = await live.next();
await live.return(undefined);
console.log(JSON.stringify({ resolvable, api: otelApi(), lists: (view.data as any).todoUser.todoLists.length, errors: view.errors ?? null, calls, mutation: mutation.data, before: before.value.data, after: after.value.data }));
