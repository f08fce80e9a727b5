// DecodedMemo's bounds and its rule for what it keeps (spec/kvetch-storage.md §7.7): two generations of at most
// `capacity` texts, a hit in the older generation moved to the newer, texts over MAX_TEXT never kept, and only
// flat data bags (whose shallow copy is a whole copy) are kept.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { MAX_TEXT, TextMemo, copyData, isFlatData } from "../../src/kvetch/decodedMemo.js";

test("TextMemo: at most two generations of `capacity` texts; the oldest generation goes first", () => {
  const memo = new TextMemo<number>(2);
  memo.set("a", 1);
  memo.set("b", 2);
  memo.set("c", 3); // newer {c}, older {a, b}
  assert.is(memo.size, 3);
  assert.is(memo.get("a"), 1, "a hit in the older generation");
  memo.set("d", 4); // newer {c, a} is full: older {c, a}, newer {d}; b is dropped
  assert.is(memo.get("b"), undefined);
  assert.is(memo.get("a"), 1);
  assert.is(memo.get("c"), 3);
  assert.is(memo.get("d"), 4);
  assert.ok(memo.size <= 4);
  for (let i = 0; i < 100; i++) memo.set(`t${i}`, i);
  assert.ok(memo.size <= 4, "never more than two generations' worth");
  assert.is(memo.get("t99"), 99);
  assert.is(memo.get("a"), undefined);
});

test("TextMemo: a generation holds at most maxChars characters of text", () => {
  const memo = new TextMemo<number>(100, 10);
  memo.set("aaaa", 1);
  memo.set("bbbb", 2); // 8 characters in the newer generation
  memo.set("cccc", 3); // 12 would pass 10: older {aaaa, bbbb}, newer {cccc}
  memo.set("dddd", 4);
  memo.set("eeee", 5); // older {cccc, dddd}, newer {eeee}: aaaa and bbbb dropped
  assert.is(memo.get("aaaa"), undefined);
  assert.is(memo.get("bbbb"), undefined);
  assert.is(memo.get("cccc"), 3);
  assert.is(memo.get("eeee"), 5);
  assert.ok(memo.size <= 4);
});

test("TextMemo: a text longer than MAX_TEXT is never kept", () => {
  const memo = new TextMemo<number>();
  const long = "x".repeat(MAX_TEXT + 1);
  memo.set(long, 1);
  assert.is(memo.get(long), undefined);
  const limit = "y".repeat(MAX_TEXT);
  memo.set(limit, 2);
  assert.is(memo.get(limit), 2);
});

test("isFlatData: primitives and null are flat; an array or an object inside is not", () => {
  assert.ok(isFlatData(null));
  assert.ok(isFlatData({}));
  assert.ok(isFlatData({ a: "s", b: 1, c: true, d: null }));
  assert.not.ok(isFlatData({ a: [1] }));
  assert.not.ok(isFlatData({ a: { b: 1 } }));
  const data = { a: 1 };
  const copy = copyData(data);
  assert.equal(copy, data);
  assert.is.not(copy, data);
  assert.is(copyData(null), null);
});

test.run();
