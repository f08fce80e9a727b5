// distinctKeys and KeyTable: a batch's keys made distinct in first-seen order, with the slot of every input
// position, held in Maps small enough to stay out of V8's large-object space (at most a few thousand keys
// each) however big the batch.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { KeyTable, byKey, distinctKeys, spread } from "../../src/kvetch/distinct.js";
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
  assert.equal(got.firstOf, want.firstOf);
  assert.equal(spread(got.keys, got.slotOf), input);
});

test("KeyTable: 20,000 keys are held in 32 Maps of fewer than 1,000 keys each, not in one Map", () => {
  const table = new KeyTable<number>(20_000);
  // Distinct keys whose last hex digits run through every value alike, as random ids' do.
  for (let i = 0; i < 20_000; i++) table.set(`id-${(Math.imul(i, 0x9e3779b1) >>> 0).toString(16).padStart(8, "0")}`, i);
  const sizes = table.partSizes();
  assert.is(sizes.length, 32);
  assert.is(sizes.reduce((a, b) => a + b, 0), 20_000);
  assert.ok(Math.max(...sizes) < 1000, `largest part ${Math.max(...sizes)}`);
  assert.equal(new KeyTable<number>(1000).partSizes(), [0], "a small batch is one Map");
  assert.is(new KeyTable<number>(10_000_000).partSizes().length, 256, "at most 256 parts");
});

test("KeyTable: keys that differ only before their last three characters share a part and stay distinct", () => {
  const input = Array.from({ length: 9000 }, (_, i) => `${i}/same-end`);
  input.push("0/same-end", "8999/same-end", "x", "", "ab");
  const got = distinctKeys(input);
  assert.is(got.keys.length, 9003);
  assert.is(got.slotOf[9000], 0);
  assert.is(got.slotOf[9001], 8999);
  const table = byKey(got.keys, got.keys.map((_, k) => k));
  assert.is(Math.max(...table.partSizes()), 9000, "one crowded part: a plain Map, as before");
  assert.is(table.get("4500/same-end"), 4500);
  assert.is(table.get(""), 9001);
  assert.is(table.get("ab"), 9002);
  assert.is(table.get("missing"), undefined);
});

test.run();
