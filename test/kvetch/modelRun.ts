// Seeded random write sequences against a model of what the store must hold (model.test.ts): users with a
// unique username, lists that cascade from their user, items whose list is cleared when it goes (setNull) and
// a plain index on an item's tag. Each step is a create, an update or a delete the model predicts the outcome
// of — written, or refused with its code and nothing written (a taken username, a wrong type, a missing
// object) — and after it every object, edge list, count and index list read back is the model's. Shared by
// the memory test and the MySQL + Redis one.

import * as assert from "uvu/assert";
import { Kvetch, KvetchError, defineSchema, type KvetchData, type KvetchObject } from "../../src/kvetch/index.js";
import { draws, prng } from "../safety/fuzz.js";

export const modelSchema = defineSchema({
  objects: [
    { name: "User", typeId: 1 },
    { name: "List", typeId: 2 },
    { name: "Item", typeId: 3 },
  ],
  edges: [
    { name: "user_lists", edgeId: 1, fromType: "User", storedIdAttr: "userId", storedOnType: "List", onDelete: "cascade" },
    { name: "list_items", edgeId: 2, fromType: "List", storedIdAttr: "listId", storedOnType: "Item", onDelete: "setNull" },
  ],
  indexes: [
    { name: "username", indexId: 1, indexedType: "User", indexedAttr: "username", unique: true },
    { name: "item_tag", indexId: 2, indexedType: "Item", indexedAttr: "tag" },
  ],
});

// Six names, two of them ("fay", "gus") of buckets a fifth shard takes from four (model.test.ts moves them).
export const USERNAMES = ["ann", "bob", "cy", "dee", "fay", "gus"];
const TAGS = ["red", "green", "blue"];

interface ModelObject {
  readonly type: "User" | "List" | "Item";
  data: Record<string, unknown>;
  version: number;
}

/** What the store must hold: its objects by id, and every id it ever gave out. */
class Model {
  readonly objects = new Map<string, ModelObject>();
  readonly ids: string[] = [];

  ofType(type: ModelObject["type"]): string[] {
    return [...this.objects].filter(([, o]) => o.type === type).map(([id]) => id);
  }

  /** The objects of `type` whose `attr` holds `value`: a parent's children, a value's index entries. */
  holders(type: ModelObject["type"], attr: string, value: unknown): string[] {
    return [...this.objects].filter(([, o]) => o.type === type && o.data[attr] === value).map(([id]) => id);
  }

  /** A patch applied as updateObjects merges it (shallow; null is a value, as the store keeps it). */
  apply(id: string, patch: Record<string, unknown>): void {
    const object = this.objects.get(id)!;
    const next = { ...object.data, ...patch };
    if (JSON.stringify(next) === JSON.stringify(object.data)) return; // patchChangesNothing
    object.data = next;
    object.version++;
  }

  /** deleteWithRules as the schema's rules say: a user's lists go, and each list's items lose their listId. */
  delete(id: string): void {
    const object = this.objects.get(id);
    if (object === undefined) return;
    if (object.type === "User") for (const list of this.holders("List", "userId", id)) this.delete(list);
    if (object.type === "List") for (const item of this.holders("Item", "listId", id)) this.apply(item, { listId: null });
    this.objects.delete(id);
  }
}

function sorted(ids: readonly string[]): string[] {
  return [...ids].sort();
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof KvetchError, `expected a KvetchError, got ${String(error)}`);
    return error.code;
  }
  return "written";
}

/**
 * Reads every object back and compares it with the model; the derived rows are then what the stored objects
 * imply (checkSelfConsistent), which, the objects being the model's, is what the model implies.
 */
async function checkAgainst(kvetch: Kvetch, model: Model, at: string): Promise<void> {
  const stored = await kvetch.getObjects(model.ids);
  for (const [i, id] of model.ids.entries()) {
    const expected = model.objects.get(id);
    const got: KvetchObject | null = stored[i]!;
    if (expected === undefined) {
      assert.is(got, null, `${at}: ${id} was deleted`);
      continue;
    }
    assert.ok(got !== null, `${at}: ${id} (${expected.type}) is missing`);
    assert.is(got.type, expected.type, `${at}: ${id}'s type`);
    assert.equal(got.data, expected.data, `${at}: ${id}'s data`);
    assert.is(got.version, expected.version, `${at}: ${id}'s version`);
  }
  await checkSelfConsistent(kvetch, model.ids, at);
}

async function assertRepairFindsNothing(kvetch: Kvetch, at: string): Promise<void> {
  const report = await kvetch.repair();
  assert.equal(
    { edgesAdded: report.edgesAdded, edgesRemoved: report.edgesRemoved, indexAdded: report.indexAdded, indexRemoved: report.indexRemoved, claimsReleased: report.claimsReleased ?? 0 },
    { edgesAdded: 0, edgesRemoved: 0, indexAdded: 0, indexRemoved: 0, claimsReleased: 0 },
    `${at}: repair found rows to mend`,
  );
}

/** One seeded run of `steps` writes, each checked; then repair must find nothing to mend. */
export async function runModel(kvetch: Kvetch, seed: number, steps: number): Promise<{ written: number; refused: Record<string, number> }> {
  const next = prng(seed);
  const choose = draws(next).pick;
  const model = new Model();
  const refused: Record<string, number> = {};
  let written = 0;
  /** An id of the type, or now and then one of a deleted object or of another type. */
  const someId = (type: ModelObject["type"]): string | null => {
    const live = model.ofType(type);
    const roll = next();
    if (roll < 0.1 && model.ids.length > 0) return choose(model.ids);
    return live.length === 0 ? null : choose(live);
  };
  const expectOutcome = async (label: string, write: Promise<unknown>, expected: string, after: () => void): Promise<void> => {
    const outcome = await refusal(write);
    assert.is(outcome, expected, `${label}: outcome`);
    if (outcome === "written") {
      written++;
      after();
    } else refused[outcome] = (refused[outcome] ?? 0) + 1;
  };
  const usernameTaken = (value: unknown, by: string | null): boolean => value != null && model.holders("User", "username", value).some((id) => id !== by);
  const create = async (label: string, type: ModelObject["type"], data: KvetchData, expected: string): Promise<void> => {
    let created: KvetchObject | null = null;
    await expectOutcome(`${label}: create ${type} ${JSON.stringify(data)}`, kvetch.createObject(type, data).then((o) => (created = o)), expected, () => {
      model.objects.set(created!.id, { type, data: { ...data }, version: 1 });
      model.ids.push(created!.id);
    });
  };

  for (let step = 0; step < steps; step++) {
    const roll = next();
    const label = `seed ${seed}, step ${step}`;
    if (roll < 0.15) {
      const data: KvetchData = { name: `user ${step}`, username: next() < 0.8 ? choose(USERNAMES) : null };
      await create(label, "User", data, usernameTaken(data.username, null) ? "UNIQUE_VIOLATION" : "written");
    } else if (roll < 0.3) {
      await create(label, "List", { name: `list ${step}`, userId: someId("User") }, "written");
    } else if (roll < 0.5) {
      await create(label, "Item", { text: `item ${step}`, listId: someId("List"), tag: next() < 0.7 ? choose(TAGS) : null }, "written");
    } else if (roll < 0.8) {
      // An update: a user's username, a list's user, an item's list or tag; sometimes of the wrong type or a deleted id.
      const type = choose(["User", "List", "Item"] as const);
      const id = someId(type);
      if (id === null) continue;
      const patch: Record<string, unknown> =
        type === "User" ? { username: next() < 0.8 ? choose(USERNAMES) : null } : type === "List" ? { userId: someId("User") } : next() < 0.5 ? { listId: someId("List") } : { tag: choose([...TAGS, null]) };
      const current = model.objects.get(id);
      const outcome = current === undefined ? "NOT_FOUND" : current.type !== type ? "WRONG_TYPE" : type === "User" && usernameTaken(patch.username, id) ? "UNIQUE_VIOLATION" : "written";
      await expectOutcome(`${label}: update ${type} ${id} ${JSON.stringify(patch)}`, kvetch.updateObject(type, id, patch), outcome, () => model.apply(id, patch));
    } else {
      const type = choose(["User", "List", "Item"] as const);
      const id = someId(type);
      if (id === null) continue;
      const current = model.objects.get(id);
      const outcome = current !== undefined && current.type !== type ? "WRONG_TYPE" : "written";
      await expectOutcome(`${label}: delete ${type} ${id}`, kvetch.deleteObjects([id], { type }), outcome, () => model.delete(id));
    }
    await checkAgainst(kvetch, model, label);
  }
  await assertRepairFindsNothing(kvetch, `seed ${seed}, after the run`);
  await checkAgainst(kvetch, model, `seed ${seed}, after repair`);
  return { written, refused };
}

/**
 * Writes that race: rounds of `width` random writes started at once over the objects the store holds, each
 * ending written or refused with one of the codes a race may give (a taken value, a missing object, a wrong
 * type, a version changed under it). After each round the store must agree with itself rather than with a
 * model: every edge list, count and index list is exactly what the stored objects imply, no value of the
 * unique index has two holders, and at the end repair finds nothing to mend. With `writers`, the writes go to
 * those stores in turn (the checks read through `kvetch`); with `during`, its `start` is called as round
 * `round` begins and awaited after the last round (a bucket move racing the writes); `onRound` is told as each
 * round begins.
 */
export async function runRacing(
  kvetch: Kvetch,
  seed: number,
  rounds: number,
  width: number,
  options: { writers?: readonly Kvetch[]; during?: { round: number; start: () => Promise<unknown> }; onRound?: (round: number) => void } = {},
): Promise<{ written: number; refused: Record<string, number> }> {
  const writers = options.writers ?? [kvetch];
  let during: Promise<unknown> | null = null;
  const next = prng(seed);
  const choose = draws(next).pick;
  const ids: string[] = [];
  const refused: Record<string, number> = {};
  let written = 0;
  const RACE_CODES = new Set(["UNIQUE_VIOLATION", "NOT_FOUND", "WRONG_TYPE", "CONFLICT"]);
  for (let round = 0; round < rounds; round++) {
    if (options.during !== undefined && round === options.during.round) {
      during = options.during.start();
      // Awaited after the last round; a failure meanwhile is not an unhandled rejection.
      during.catch(() => undefined);
    }
    options.onRound?.(round);
    const stored = (await kvetch.getObjects(ids)).filter((o): o is KvetchObject => o !== null);
    const ofType = (type: string): string | null => {
      if (next() < 0.1 && ids.length > 0) return choose(ids);
      const live = stored.filter((o) => o.type === type);
      return live.length === 0 ? null : choose(live).id;
    };
    const writes: Array<Promise<unknown>> = [];
    for (let w = 0; w < width; w++) {
      const store = writers[w % writers.length]!;
      const roll = next();
      const type = choose(["User", "List", "Item"] as const);
      if (roll < 0.45) {
        const data: KvetchData =
          type === "User" ? { username: choose([...USERNAMES, null]) } : type === "List" ? { userId: ofType("User") } : { listId: ofType("List"), tag: choose([...TAGS, null]) };
        writes.push(store.createObject(type, data).then((o) => void ids.push(o.id)));
      } else if (roll < 0.8) {
        const id = ofType(type);
        if (id === null) continue;
        const patch = type === "User" ? { username: choose([...USERNAMES, null]) } : type === "List" ? { userId: ofType("User") } : { listId: ofType("List"), tag: choose([...TAGS, null]) };
        writes.push(store.updateObject(type, id, patch));
      } else {
        const id = ofType(type);
        if (id === null) continue;
        writes.push(store.deleteObjects([id], { type }));
      }
    }
    for (const outcome of await Promise.allSettled(writes)) {
      if (outcome.status === "fulfilled") {
        written++;
        continue;
      }
      const error = outcome.reason as unknown;
      assert.ok(error instanceof KvetchError && RACE_CODES.has(error.code), `seed ${seed}, round ${round}: a write failed with ${String(error)}`);
      refused[error.code] = (refused[error.code] ?? 0) + 1;
    }
    await checkSelfConsistent(kvetch, ids, `seed ${seed}, round ${round}`);
  }
  await during;
  await checkSelfConsistent(kvetch, ids, `seed ${seed}, after the racing writes`);
  await assertRepairFindsNothing(kvetch, `seed ${seed}, after the racing writes`);
  return { written, refused };
}

/** The store's derived rows against its own objects: what they imply, no more and no less. */
async function checkSelfConsistent(kvetch: Kvetch, ids: readonly string[], at: string): Promise<void> {
  const objects = (await kvetch.getObjects(ids)).filter((o): o is KvetchObject => o !== null);
  const implied = (type: string, attr: string, value: unknown): string[] => sorted(objects.filter((o) => o.type === type && o.data[attr] === value).map((o) => o.id));
  for (const [edge, childType, attr] of [["user_lists", "List", "userId"], ["list_items", "Item", "listId"]] as const) {
    const pages = await kvetch.getEdges(edge, ids);
    const counts = await kvetch.countEdges(edge, ids);
    for (const [i, id] of ids.entries()) {
      const expected = implied(childType, attr, id);
      assert.equal(sorted(pages[i]!.edges.map((e) => e.toId)), expected, `${at}: ${edge} of ${id}`);
      assert.is(counts[i], expected.length, `${at}: the count of ${edge} of ${id}`);
    }
  }
  for (const [index, type, attr, values] of [["username", "User", "username", USERNAMES], ["item_tag", "Item", "tag", TAGS]] as const) {
    const pages = await kvetch.queryIndex(index, values);
    for (const [i, value] of values.entries()) {
      const holders = implied(type, attr, value);
      assert.equal(sorted(pages[i]!.edges.map((e) => e.targetId)), holders, `${at}: ${index} ${value}`);
      if (index === "username") assert.ok(holders.length <= 1, `${at}: username ${value} held by ${holders.join(", ")}`);
    }
  }
}
