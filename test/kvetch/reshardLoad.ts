// A load for bucket-move tests (spec/kvetch-storage.md §11), shared by the memory and MySQL tests: a seeded
// todo store, clients that each own their items and create, update, move, delete and read them while a move
// runs, and the checks after it — every acknowledged write read back, lists and index entries exact, repair idle.
import * as assert from "uvu/assert";
import { Kvetch, defineSchema } from "../../src/kvetch/index.js";
import type { KvetchData } from "../../src/kvetch/index.js";

export const moveSchema = defineSchema({
  objects: [
    { name: "User", typeId: 1 },
    { name: "TodoList", typeId: 2 },
    { name: "TodoItem", typeId: 3 },
  ],
  edges: [
    { name: "user_to_list", edgeId: 1, fromType: "User", storedIdAttr: "userId", storedOnType: "TodoList" },
    { name: "list_to_item", edgeId: 2, fromType: "TodoList", storedIdAttr: "listId", storedOnType: "TodoItem" },
    { name: "follows", edgeId: 3, fromType: "User", toType: "User" },
  ],
  indexes: [
    // Unique: a move carries its claims (spec/kvetch-storage.md §6.7), which checkMoveModel asks after.
    { name: "username", indexId: 1, indexedType: "User", indexedAttr: "username", unique: true },
    { name: "tag", indexId: 2, indexedType: "TodoItem", indexedAttr: "tag" },
  ],
});

export const TAGS = ["a", "b", "c", "d", "e", "f", "g", "h"];

/** What the clients were told was written: each item's data, or null once its delete was acknowledged. */
export interface MoveModel {
  users: string[];
  /** Each user's username, by position (unique: a second holder is refused). */
  usernames: string[];
  lists: string[];
  items: Map<string, KvetchData | null>;
  follows: [string, string][];
}

/** seedMoveStore: users, lists, items (some created with idempotency keys) and stored edges. */
export async function seedMoveStore(kvetch: Kvetch, items: number): Promise<MoveModel> {
  // u8 and u16 are values of buckets a fifth shard takes from four: their claims move with them.
  const usernames = Array.from({ length: 8 }, (_, i) => `u${8 * i}`);
  const users = await kvetch.createObjects(usernames.map((username) => ({ type: "User", data: { username } })));
  const lists = await kvetch.createObjects(Array.from({ length: 24 }, (_, i) => ({ type: "TodoList", data: { userId: users[i % 8]!.id, name: `l${i}` } })));
  const made = await kvetch.createObjects(
    Array.from({ length: items }, (_, i) => ({
      type: "TodoItem",
      data: { listId: lists[i % lists.length]!.id, text: `t${i}`, tag: TAGS[i % TAGS.length]! },
      ...(i % 3 === 0 ? { idempotencyKey: `seed-${i}` } : {}),
    })),
  );
  const follows: [string, string][] = [];
  for (let i = 0; i < 8; i++) follows.push([users[i]!.id, users[(i + 1) % 8]!.id]);
  await kvetch.insertEdges("follows", follows.map(([fromId, toId]) => ({ fromId, toId })));
  return {
    users: users.map((user) => user.id),
    usernames,
    lists: lists.map((list) => list.id),
    items: new Map(made.map((item) => [item.id, item.data])),
    follows,
  };
}

export interface LoadResult {
  ops: number;
  /** Each operation's duration in ms (for the reported p99; tests never assert it). */
  durations: number[];
  failed: string[];
  wrongReads: string[];
}

/**
 * runClients: `clients` loops, each over its own share of the items (so the model is exact), alternating
 * between the stores, until `until` settles; every acknowledged write goes into the model, every read of an
 * own item is compared with it. Creates carry idempotency keys `<keyPrefix>-<client>-<n>`: a second run over
 * one model needs its own prefix (a key used again names the first run's object).
 */
export async function runClients(stores: readonly Kvetch[], model: MoveModel, clients: number, until: Promise<unknown>, keyPrefix = "client"): Promise<LoadResult> {
  const result: LoadResult = { ops: 0, durations: [], failed: [], wrongReads: [] };
  let done = false;
  void until.then(
    () => (done = true),
    () => (done = true),
  );
  const all = [...model.items.keys()];
  const loops = Array.from({ length: clients }, async (_, c) => {
    const own = all.filter((_, i) => i % clients === c);
    let n = 0;
    // At least a few rounds each, so writes straddle every phase of a fast move too.
    while (!done || n < 20) {
      const kvetch = stores[(c + n) % stores.length]!;
      const pick = n % 10;
      const live = own.filter((id) => model.items.get(id) !== null);
      const id = live[(n * 7 + c) % Math.max(live.length, 1)];
      n++;
      result.ops++;
      const started = performance.now();
      try {
        if (pick <= 3 && id !== undefined) {
          const [object] = await kvetch.getObjects([id]);
          if (JSON.stringify(object?.data ?? null) !== JSON.stringify(model.items.get(id))) {
            result.wrongReads.push(`${id}: read ${JSON.stringify(object?.data ?? null)}, wrote ${JSON.stringify(model.items.get(id))}`);
          }
        } else if (pick <= 5 && id !== undefined) {
          const patch = { text: `c${c}-${n}`, tag: TAGS[(n + c) % TAGS.length]! };
          const updated = await kvetch.updateObject("TodoItem", id, patch);
          model.items.set(id, updated.data);
        } else if (pick === 6 && id !== undefined) {
          const updated = await kvetch.updateObject("TodoItem", id, { listId: model.lists[(n + c) % model.lists.length]! });
          model.items.set(id, updated.data);
        } else if (pick === 7 && id !== undefined) {
          await kvetch.deleteObject(id);
          model.items.set(id, null);
        } else {
          const data = { listId: model.lists[(n * 3 + c) % model.lists.length]!, text: `new-${c}-${n}`, tag: TAGS[n % TAGS.length]! };
          const created = await kvetch.createObject("TodoItem", data, { idempotencyKey: `${keyPrefix}-${c}-${n}` });
          model.items.set(created.id, created.data);
          own.push(created.id);
        }
      } catch (error) {
        result.failed.push(`client ${c} op ${n}: ${(error as Error).message}`);
      }
      result.durations.push(performance.now() - started);
    }
  });
  await Promise.all(loops);
  return result;
}

/** percentile: the p-th percentile of durations (ms), for printing. */
export function percentile(durations: readonly number[], p: number): number {
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * checkMoveModel: through each store, every item reads as acknowledged (deleted ones absent), each list's
 * stored edges and each tag's index entries are exactly the model's, stored edges and counts survive, and the
 * shards hold each object once.
 */
export async function checkMoveModel(stores: readonly Kvetch[], model: MoveModel): Promise<void> {
  const ids = [...model.items.keys()];
  for (const kvetch of stores) {
    const objects = await kvetch.getObjects(ids);
    const wrong = ids.filter((id, i) => JSON.stringify(objects[i]?.data ?? null) !== JSON.stringify(model.items.get(id)));
    assert.equal(wrong, [], "every acknowledged write reads back");
    const pages = await kvetch.getEdges("list_to_item", model.lists, { verify: false });
    const counts = await kvetch.countEdges("list_to_item", model.lists);
    model.lists.forEach((listId, l) => {
      const expected = ids.filter((id) => model.items.get(id)?.listId === listId).sort();
      assert.equal(pages[l]!.edges.map((edge) => edge.toId).sort(), expected, `list ${l}: its stored edge rows are the model's`);
      assert.is(counts[l], expected.length, `list ${l}: its count`);
    });
    const tagged = await kvetch.queryIndex("tag", TAGS, { verify: false });
    TAGS.forEach((tag, t) => {
      const expected = ids.filter((id) => model.items.get(id)?.tag === tag).sort();
      assert.equal(tagged[t]!.edges.map((entry) => entry.targetId).sort(), expected, `tag ${tag}: its index entries are the model's`);
    });
    const owners = await kvetch.queryIndex("username", model.usernames, { verify: false });
    assert.equal(owners.map((page) => page.edges.map((entry) => entry.targetId)), model.users.map((id) => [id]), "each username's index entry is its user's");
    for (const username of model.usernames) {
      const outcome = await kvetch.createObject("User", { username }).then(
        () => "written",
        (error: { code?: string }) => error.code ?? String(error),
      );
      assert.is(outcome, "UNIQUE_VIOLATION", `username ${username} is still claimed where its bucket is now`);
    }
    const follows = await kvetch.getEdges("follows", model.users);
    assert.equal(
      follows.map((page) => page.edges.map((edge) => edge.toId)),
      model.users.map((from) => model.follows.filter(([f]) => f === from).map(([, to]) => to)),
      "stored edges survive",
    );
  }
  const live = ids.filter((id) => model.items.get(id) !== null).length;
  const stored = (await stores[0]!.stats()).reduce((n, shard) => n + shard.objects, 0);
  assert.is(stored, live + model.users.length + model.lists.length, "each object is stored once: no copy left on a source");
}
