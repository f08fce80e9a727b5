// `npx tsx scripts/fuzz.ts [--count 5000] [--seed 1]`: the seeded query fuzzer (test/safety/fuzz.ts) over the
// todo schema on a seeded 4-shard memory store; prints the tally and exits 1 on any throw, any error without
// a message or any result that is not GraphQL-shaped (with the first such case, to replay).

import { todoSchema } from "../examples/todo/schema.js";
import { createKvetchTodoStore } from "../examples/server/kvetchTodo.js";
import { runFuzz } from "../test/safety/fuzz.js";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer`);
  return value;
}

const count = option("count", 5000);
const seed = option("seed", 1);
const { kvetch, userIds } = await createKvetchTodoStore({ shards: 4, users: 3, lists: 4, items: 4 });
const lists = (await kvetch.getEdges("user_to_list", userIds)).flatMap((page) => page.edges.map((edge) => edge.toId));
const items = (await kvetch.getEdges("list_to_item", lists)).flatMap((page) => page.edges.map((edge) => edge.toId));
const started = performance.now();
const tally = await runFuzz(todoSchema, { kvetch }, [...userIds, ...lists, ...items], seed, count);
const seconds = (performance.now() - started) / 1000;
console.log(`fuzz seed ${seed}: ${tally.cases} requests in ${seconds.toFixed(1)} s (${tally.withErrors} with errors)`);
console.log(`  throws                   ${tally.throws}`);
console.log(`  errors without a message ${tally.errorsWithoutMessage}`);
console.log(`  not GraphQL-shaped       ${tally.notGraphQLShaped}`);
if (tally.firstBad !== null) {
  console.log(`first bad case (${tally.firstBad.why}):\n${JSON.stringify(tally.firstBad.case, null, 2)}`);
  process.exitCode = 1;
}
