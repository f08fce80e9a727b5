// Shared by the memory and MySQL tests of writes split by data size (spec/kvetch-storage.md §5): objects and
// stored edges whose data adds up past DATA_PER_QUERY on one shard are written in several statements.
import * as assert from "uvu/assert";
import type { Kvetch } from "../../src/kvetch/index.js";

/** Big enough that a few rows make a statement over MariaDB's default max_allowed_packet (16 MB). */
export const BIG = 700_000;

/** Creates, updates and likes `count` todos of BIG characters each, every call in one batch, and checks what was stored. */
export async function writeBigBatches(kvetch: Kvetch, count: number): Promise<void> {
  const text = (c: string): string => c.repeat(BIG);
  const todos = await kvetch.createObjects(Array.from({ length: count }, (_, i) => ({ type: "Todo", data: { n: i, text: text("a") } })));
  assert.is(todos.length, count);
  const read = await kvetch.getObjects(todos.map((t) => t.id));
  assert.ok(read.every((o, i) => o !== null && o.data.n === i && (o.data.text as string).length === BIG), "every object stored whole");
  const updated = await kvetch.updateObjects(todos.map((t) => ({ type: "Todo", id: t.id, patch: { text: text("b") } })));
  assert.ok(updated.every((o) => o.version === 2));
  assert.ok((await kvetch.getObjects(todos.map((t) => t.id))).every((o) => (o!.data.text as string).startsWith("b")));
  const user = await kvetch.createObject("User", { name: "u" });
  assert.is(await kvetch.insertEdges("likes", todos.map((t) => ({ fromId: user.id, toId: t.id, data: { note: text("c") } }))), count);
  const [likes] = await kvetch.getEdges("likes", [user.id], { first: count });
  assert.is(likes!.edges.length, count);
  assert.ok(likes!.edges.every((e) => (e.data.note as string).length === BIG));
}
