// Writes split by data size on the memory backend (spec/kvetch-storage.md §5, DATA_PER_QUERY): a batch whose
// rows' data adds up past the limit on one shard takes one statement per DATA_PER_QUERY of data, each as full
// as the rows allow; a row bigger than the limit goes alone; reads and small writes are not split.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { DATA_PER_QUERY } from "../../src/kvetch/store.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";
import { BIG, writeBigBatches } from "./dataChunks.js";
import { aroundShardCalls } from "./shardCalls.js";

const WATCHED = new Set(["insertObjects", "replaceObjects", "writeEdges", "writeIndexEntries"]);

/** One shard in memory; per watched call, the data (body characters, index values) of each statement. */
function watched(): { kvetch: Kvetch; sizes: Map<string, number[]> } {
  const sizes = new Map<string, number[]>();
  const backend = aroundShardCalls(memoryBackend({ shards: 1 }), (_shard, method, args, call) => {
    if (WATCHED.has(method)) {
      const of = (row: unknown): number => {
        const r = row as { row?: { body: string }; body?: string; valueKey?: string };
        return (r.row?.body ?? r.body ?? r.valueKey ?? "").length;
      };
      const list = sizes.get(method) ?? [];
      list.push((args[0] as readonly unknown[]).reduce<number>((n, row) => n + of(row), 0));
      sizes.set(method, list);
    }
    return call();
  });
  return { kvetch: new Kvetch({ schema: contractSchema, backend }), sizes };
}

test("data chunks (memory): 12 objects of 700,000 characters are 6 statements of 2 rows, each within DATA_PER_QUERY, for creates, updates and edges", async () => {
  const { kvetch, sizes } = watched();
  await writeBigBatches(kvetch, 12);
  const perStatement = Math.floor(DATA_PER_QUERY / (BIG + 30)); // 2 rows (a body is the text and a few more characters)
  for (const call of ["insertObjects", "replaceObjects", "writeEdges"]) {
    const statements = sizes.get(call)!.filter((size) => size > BIG);
    assert.is(statements.length, Math.ceil(12 / perStatement), `${call}: one statement per ${perStatement} rows`);
    assert.ok(statements.every((size) => size <= DATA_PER_QUERY), `${call}: each statement within DATA_PER_QUERY`);
  }
  await kvetch.close();
});

test("data chunks (memory): index entries of large values are written in statements of at most DATA_PER_QUERY", async () => {
  const { kvetch, sizes } = watched();
  const users = await kvetch.createObjects(Array.from({ length: 12 }, (_, i) => ({ type: "User", data: { username: `${i}`.padEnd(BIG, "x") } })));
  const statements = sizes.get("writeIndexEntries")!;
  assert.is(statements.length, 6, "2 entries of 700,000 characters a statement");
  assert.ok(statements.every((size) => size <= DATA_PER_QUERY));
  const [found] = await kvetch.queryIndex("username", [`3`.padEnd(BIG, "x")]);
  assert.equal(found!.edges.map((e) => e.targetId), [users[3]!.id]);
  await kvetch.close();
});

test("data chunks (memory): a row bigger than DATA_PER_QUERY goes alone; small rows around it share statements", async () => {
  const { kvetch, sizes } = watched();
  const huge = "h".repeat(DATA_PER_QUERY + 1);
  const items = [{ type: "Todo", data: { n: 0 } }, { type: "Todo", data: { text: huge } }, { type: "Todo", data: { n: 2 } }, { type: "Todo", data: { n: 3 } }];
  const made = await kvetch.createObjects(items);
  assert.is(made.length, 4);
  assert.equal(sizes.get("insertObjects")!.length, 3, "the small row before, the huge row, the two small rows after");
  assert.ok(sizes.get("insertObjects")![1]! > DATA_PER_QUERY);
  // 1000 small rows stay one statement
  sizes.clear();
  await kvetch.createObjects(Array.from({ length: 1000 }, (_, i) => ({ type: "Todo", data: { n: i } })));
  assert.is(sizes.get("insertObjects")!.length, 1);
  await kvetch.close();
});

test.run();
