// `npx tsx scripts/oom-check.ts`: the one-request OOM queries of issue #11 against a 50,000-item todo list on
// the memory backend (4 shards) under the default limits — 100 aliases of
// `todoList(id) { todoItems(first: 2147483647) { id text } }`, and one such page — printing each response's
// error and the process's RSS. Exits 1 if either query returns data instead of an error or RSS passes 300 MB.

import { graphql } from "../src/index.js";
import { Kvetch, memoryBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema } from "../examples/todo/schema.js";

const ITEMS = 50_000;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rss = (): number => process.memoryUsage().rss;

const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
const user = await kvetch.createObject("User", { name: "big", username: "big" });
const list = await kvetch.createObject("TodoList", { userId: user.id, name: "50k items" });
for (let start = 0; start < ITEMS; start += 5_000) {
  await kvetch.createObjects(Array.from({ length: 5_000 }, (_, i) => ({ type: "TodoItem", data: { listId: list.id, text: `item ${start + i}`, done: false } })));
}
global.gc?.();
console.log(`seeded 1 list with ${ITEMS.toLocaleString("en")} items; RSS ${mb(rss())}`);

const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: todoList(id: $id) { todoItems(first: 2147483647) { id text } }`).join("\n  ");
const queries: [string, string][] = [
  ["100 aliases × todoItems(first: 2147483647)", `query ($id: ID!) {\n  ${aliases}\n}`],
  ["one todoItems(first: 2147483647) page", `query ($id: ID!) { todoList(id: $id) { todoItems(first: 2147483647) { id text } } }`],
  ["one todoItems(first: 1000) page (allowed)", `query ($id: ID!) { todoList(id: $id) { todoItems(first: 1000) { id } } }`],
];
let failed = false;
let peak = rss();
for (const [name, source] of queries) {
  kvetch.resetCounters();
  const result = await graphql({ schema: todoSchema, source, variableValues: { id: list.id }, contextValue: { kvetch } });
  peak = Math.max(peak, rss());
  const errors = result.errors ?? [];
  const items = (result.data as { todoList?: { todoItems: unknown[] } } | null | undefined)?.todoList?.todoItems?.length;
  console.log(`${name}:`);
  console.log(`  errors: ${errors.length}${errors.length > 0 ? ` — "${errors[0]!.message}"` : ""}; items returned: ${items ?? 0}; store calls ${kvetch.counters.calls}; RSS ${mb(rss())}`);
  if (name.endsWith("(allowed)") ? errors.length > 0 : errors.length === 0) failed = true;
}
const maxRss = process.resourceUsage().maxRSS * 1024;
console.log(`peak RSS ${mb(Math.max(peak, maxRss))} (limit 300 MB)`);
if (failed || Math.max(peak, maxRss) > 300 * 1024 * 1024) process.exitCode = 1;
