// The seeded fuzzer (test/safety/fuzz.ts) over the todo schema on a seeded memory store: a few hundred
// generated queries and variable sets per run (`npx tsx scripts/fuzz.ts` runs thousands): 0 throws, 0 errors
// without a message, 0 results that are not GraphQL-shaped.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { todoSchema } from "../../examples/todo/schema.js";
import { createKvetchTodoStore } from "../../examples/server/kvetchTodo.js";
import { runFuzz } from "./fuzz.js";

test("fuzz: 400 generated requests over the todo schema: no throw, every error has a message, every result is GraphQL-shaped", async () => {
  const { kvetch, userIds } = await createKvetchTodoStore({ shards: 4, users: 2, lists: 3, items: 3 });
  const lists = (await kvetch.getEdges("user_to_list", userIds)).flatMap((page) => page.edges.map((edge) => edge.toId));
  const items = (await kvetch.getEdges("list_to_item", lists)).flatMap((page) => page.edges.map((edge) => edge.toId));
  const tally = await runFuzz(todoSchema, { kvetch }, [...userIds, ...lists, ...items], 20240611, 400);
  console.log(`  fuzz: ${tally.cases} requests, ${tally.withErrors} with errors; throws ${tally.throws}, errors without a message ${tally.errorsWithoutMessage}, not GraphQL-shaped ${tally.notGraphQLShaped}`);
  assert.equal([tally.throws, tally.errorsWithoutMessage, tally.notGraphQLShaped], [0, 0, 0], JSON.stringify(tally.firstBad));
  assert.ok(tally.withErrors > 20 && tally.withErrors < tally.cases - 20, "the generator makes both good and bad requests");
});

test.run();
