// Cross-request batching over Kvetch (spec/cross-request-batching.md): seeded rounds of concurrent todo
// queries — users, lists, items, the username index, pages with per-request `first`/`after`, connections,
// counts, owners — for valid, unknown, malformed and upper-case ids, some under their own limits, while
// whole shards or single shard methods are down. Each request through the batching executor must get
// exactly what plain `execute` gives it alone with the same shards down.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { createBatchedExecute, execute, type GraphscaleExecutionArgs } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema } from "../../examples/todo/schema.js";
import { aroundShardCalls } from "../kvetch/shardCalls.js";
import { draws, prng } from "../safety/fuzz.js";
import { todoQuery } from "./todoQueries.js";

/** The result as text, each masked error's random id replaced by "<id>". */
const text = (result: unknown) =>
  JSON.stringify(result)
    .replace(/Internal error \(id [0-9a-f]+\)/g, "Internal error (id <id>)")
    .replace(/"errorId":"[0-9a-f]+"/g, '"errorId":"<id>"');

/** "shard:method" pairs that fail (method "*": every call of that shard). */
let down = new Set<string>();
const READS = ["readObjects", "readEdgeRanges", "readEdgeCounts", "readIndexRanges", "*"];

function generator(seed: number, ids: readonly string[], upperCaseId: string) {
  const random = prng(seed);
  const { int, pick } = draws(random);
  const document = () => todoQuery({ int, pick });
  const variables = () => ({
    id: pick([...ids, ...ids, "00000000-0000-7000-8000-000000000000", "not-a-uuid", upperCaseId]),
    u: `user${int(14)}`,
    f: pick([1, 2, 3, 10, -1, 2000]),
    g: pick([0, 1, 5]),
    after: int(4) === 0 ? pick(["garbage", null]) : null,
  });
  const outage = () => new Set(random() < 0.5 ? [] : Array.from({ length: 1 + int(2) }, () => `${int(4)}:${pick(READS)}`));
  return { int, pick, document, variables, outage };
}

test("seeded rounds with shards down: every request through the batching executor gets what plain execute gives it alone", async () => {
  const failing = aroundShardCalls(memoryBackend({ shards: 4 }), async (shard, method, _args, call) => {
    if (down.has(`${shard}:${method}`) || down.has(`${shard}:*`)) throw new Error(`connection to shard ${shard} lost`);
    return call();
  });
  // No circuit breaker: it is shared state that opens after a count of failures, and batching makes fewer
  // calls, so an open breaker would fail other methods of a shard at different moments on the two paths.
  const backend = { ...failing, breaker: false as const };
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend });
  try {
    await kvetch.migrate();
    const users = await kvetch.createObjects(Array.from({ length: 12 }, (_, u) => ({ type: "User", data: { name: `u${u}`, username: `user${u}` } })));
    const lists = await kvetch.createObjects(users.flatMap((u, k) => Array.from({ length: k % 5 }, (_, l) => ({ type: "TodoList", data: { userId: u.id, name: `l${k}.${l}` } }))));
    const items = await kvetch.createObjects(lists.flatMap((l, k) => Array.from({ length: (k * 3) % 7 }, (_, i) => ({ type: "TodoItem", data: { listId: l.id, text: `t${k}.${i}`, done: i % 2 === 0 } }))));
    const ids = [...users, ...lists, ...items].map((o) => o.id);
    const tally = { requests: 0, shardErrors: 0, jointCalls: 0, windowRuns: 0 };
    for (const seed of [1, 2, 3, 4]) {
      const { int, pick, document, variables, outage } = generator(seed, ids, users[0]!.id.toUpperCase());
      for (let round = 0; round < 15; round++) {
        down = outage();
        const documents = Array.from({ length: 1 + int(3) }, document);
        const requests: GraphscaleExecutionArgs[] = Array.from({ length: 2 + int(15) }, () => ({
          schema: todoSchema,
          document: pick(documents),
          variableValues: variables(),
          contextValue: { kvetch },
          onInternalError: () => {}, // a failed shard's error is masked; its random id is blanked below
          ...(int(8) === 0 ? { limits: { maxPageSize: 5 } } : {}),
        }));
        const expected: string[] = [];
        for (const args of requests) expected.push(text(await execute(args)));
        const batched = createBatchedExecute({ schema: todoSchema, windowMs: pick([0, 1]) });
        const results = await Promise.all(requests.map((args) => batched(args)));
        for (let i = 0; i < requests.length; i++) {
          const got = text(results[i]);
          tally.requests++;
          if (got.includes('"code":"INTERNAL"')) tally.shardErrors++;
          assert.is(got, expected[i], `seed ${seed} round ${round} request ${i}, down ${[...down].join(" ")}: ${requests[i]!.document.loc!.source.body} ${JSON.stringify(requests[i]!.variableValues)}`);
        }
        tally.jointCalls += batched.stats.jointCalls;
        tally.windowRuns += batched.stats.windowRuns;
      }
    }
    // The rounds exercised what they are for: windows run as one bucket, calls shared across requests (by the
    // requests a window does not adopt: other plans, own limits, late arrivals), and shard errors in results.
    assert.ok(tally.windowRuns > 40, `window runs: ${tally.windowRuns}`);
    assert.ok(tally.jointCalls > 100, `joint calls: ${tally.jointCalls}`);
    assert.ok(tally.shardErrors > tally.requests / 20, `requests with a shard's error: ${tally.shardErrors} of ${tally.requests}`);
  } finally {
    down = new Set();
    await kvetch.close();
  }
});

test.run();
