// distinctKeys and KeyTable: a batch's keys made distinct in first-seen order, with the slot of every input
// position, held in one typed-array table sized for the batch (no Map) however big the batch.
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { KeyTable, byKey, distinctCheckedIds, distinctKeys, spread } from "../../src/kvetch/distinct.js";
import { checkIds } from "../../src/kvetch/id.js";
import { newId } from "../../src/kvetch/index.js";

/** The first-seen order and slots, computed the obvious way. */
function expected(input: readonly string[]): { keys: string[]; slotOf: number[]; firstOf: number[] } {
  const keys: string[] = [];
  const firstOf: number[] = [];
  const slotOf = input.map((key, i) => {
    let slot = keys.indexOf(key);
    if (slot < 0) {
      slot = keys.push(key) - 1;
      firstOf.push(i);
    }
    return slot;
  });
  return { keys, slotOf, firstOf };
}

test("distinctKeys: repeats anywhere in a batch get the slot of the key's first position", () => {
  const ids = Array.from({ length: 300 }, () => newId());
  const input: string[] = [];
  for (let i = 0; i < 3000; i++) input.push(ids[(i * 7919) % ids.length]!);
  const got = distinctKeys(input);
  const want = expected(input);
  assert.equal(got.keys, want.keys);
  assert.equal(Array.from(got.slotOf), want.slotOf);
  assert.equal(Array.from(got.firstOf), want.firstOf);
  assert.equal(spread(got.keys, got.slotOf), input);
});

test("distinctCheckedIds: the same keys, slots and errors as checkIds then distinctKeys, an id in upper case meeting its lower case", () => {
  const ids = Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? newId() : randomUUID()));
  const input: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const id = ids[(i * 7919) % ids.length]!;
    input.push(i % 3 === 0 ? id.toUpperCase() : i % 5 === 0 ? id.slice(0, 20) + id.slice(20).toUpperCase() : id);
  }
  const got = distinctCheckedIds(input, "getObjects ids");
  const want = distinctKeys(checkIds(input, "getObjects ids"));
  assert.is(got.keys.length, ids.length);
  assert.equal(got.keys, want.keys);
  assert.equal(Array.from(got.slotOf), Array.from(want.slotOf));
  assert.equal(Array.from(got.firstOf), Array.from(want.firstOf));
  const message = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      return (error as Error).message;
    }
    return "no error";
  };
  for (const bad of [[ids[0], "abc"], [ids[0], ids[1]!.replace("-", "0")], [ids[0], 7], "not a list"]) {
    const expectedMessage = message(() => checkIds(bad as unknown[], "getObjects ids"));
    assert.match(expectedMessage, /getObjects ids/);
    assert.is(message(() => distinctCheckedIds(bad as unknown[], "getObjects ids")), expectedMessage);
  }
});

test("KeyTable: 20,000 keys sit in one table of 65,536 positions, allocated once when the batch size is known", () => {
  const table = new KeyTable<number>(20_000);
  assert.is(table.capacity, 65_536);
  // Distinct keys whose last hex digits run through every value alike, as random ids' do.
  const keys = Array.from({ length: 20_000 }, (_, i) => `id-${(Math.imul(i, 0x9e3779b1) >>> 0).toString(16).padStart(8, "0")}`);
  keys.forEach((key, i) => table.set(key, i));
  assert.is(table.size, 20_000);
  assert.is(table.capacity, 65_536, "no growth: the table was sized for the batch");
  assert.ok(keys.every((key, i) => table.get(key) === i));
  table.set(keys[7]!, -1);
  assert.is(table.get(keys[7]!), -1, "setting a key again replaces its value");
  assert.is(table.size, 20_000);
  assert.is(table.get("id-missing"), undefined);
  assert.is(new KeyTable<number>(0).capacity, 16, "the smallest table");
});

test("KeyTable: more keys than expected grow the table, keeping every value", () => {
  const table = new KeyTable<string>(4);
  for (let i = 0; i < 5000; i++) table.set(`k${i}`, `v${i}`);
  assert.is(table.size, 5000);
  assert.ok(table.capacity >= 10_000, `capacity ${table.capacity}`);
  for (let i = 0; i < 5000; i++) assert.is(table.get(`k${i}`), `v${i}`);
});

test("distinctKeys and byKey: keys that share their start or their end stay distinct", () => {
  const input = Array.from({ length: 9000 }, (_, i) => `${i}/same-end`);
  for (let i = 0; i < 3000; i++) input.push(`same-start\u0000${i}`);
  input.push("0/same-end", "8999/same-end", "x", "", "ab", "same-start\u00002999");
  const got = distinctKeys(input);
  assert.is(got.keys.length, 12_003);
  assert.is(got.slotOf[12_000], 0);
  assert.is(got.slotOf[12_001], 8999);
  assert.is(got.slotOf[12_005], 11_999);
  assert.equal(Array.from(got.firstOf.subarray(9000, 9003)), [9000, 9001, 9002]);
  const table = byKey(got.keys, got.keys.map((_, k) => k));
  assert.is(table.get("4500/same-end"), 4500);
  assert.is(table.get("same-start\u000017"), 9017);
  assert.is(table.get(""), 12_001);
  assert.is(table.get("ab"), 12_002);
  assert.is(table.get("missing"), undefined);
});

test.run();
