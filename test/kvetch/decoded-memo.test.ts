// DecodedMemo's bounds and its rule for what it keeps (spec/kvetch-storage.md §7.7): per entry key the text last
// decoded, a hit only for that very text; two generations of at most `capacity` entries, a hit in the older
// generation moved to the newer, texts over MAX_TEXT never kept, and only flat data bags (whose shallow copy is
// a whole copy) are kept.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { MAX_TEXT, TextMemo, copyData, isFlatData } from "../../src/kvetch/decodedMemo.js";

/** A text equal to `text` but a string of its own, as each cache read's reply is. */
const fresh = (text: string): string => Buffer.from(text).toString();

test("TextMemo: a hit is the key's kept text read again; any other text misses and, once set, replaces it", () => {
  const memo = new TextMemo<string>();
  memo.set("o:1", "1,3,10,11,{\"a\":1}", "v3");
  assert.is(memo.get("o:1", fresh("1,3,10,11,{\"a\":1}")), "v3", "an equal text read again");
  assert.is(memo.get("o:1", "1,4,10,12,{\"a\":2}"), undefined, "the object changed: its new text misses");
  assert.is(memo.get("o:2", "1,3,10,11,{\"a\":1}"), undefined, "the same text under another key is not that key's");
  memo.set("o:1", "1,4,10,12,{\"a\":2}", "v4");
  assert.is(memo.get("o:1", "1,4,10,12,{\"a\":2}"), "v4");
  assert.is(memo.get("o:1", "1,3,10,11,{\"a\":1}"), undefined, "one text per key: the old one is gone");
  assert.is(memo.size, 1);
});

test("TextMemo: at most two generations of `capacity` entries; the oldest generation goes first", () => {
  const memo = new TextMemo<number>(2);
  memo.set("a", "ta", 1);
  memo.set("b", "tb", 2);
  memo.set("c", "tc", 3); // newer {c}, older {a, b}
  assert.is(memo.size, 3);
  assert.is(memo.get("a", "ta"), 1, "a hit in the older generation");
  memo.set("d", "td", 4); // newer {c, a} is full: older {c, a}, newer {d}; b is dropped
  assert.is(memo.get("b", "tb"), undefined);
  assert.is(memo.get("a", "ta"), 1);
  assert.is(memo.get("c", "tc"), 3);
  assert.is(memo.get("d", "td"), 4);
  assert.ok(memo.size <= 4);
  memo.set("a", "ta2", 5); // a new text for a kept key replaces it in place: no third entry for "a"
  assert.is(memo.get("a", "ta"), undefined);
  assert.is(memo.get("a", "ta2"), 5);
  for (let i = 0; i < 100; i++) memo.set(`t${i}`, `text ${i}`, i);
  assert.ok(memo.size <= 4, "never more than two generations' worth");
  assert.is(memo.get("t99", "text 99"), 99);
  assert.is(memo.get("a", "ta2"), undefined);
});

test("TextMemo: a generation holds at most maxChars characters of text", () => {
  const memo = new TextMemo<number>(100, 10);
  memo.set("a", "aaaa", 1);
  memo.set("b", "bbbb", 2); // 8 characters in the newer generation
  memo.set("b", "BBBB", 6); // replaced in place: still 8
  memo.set("c", "cccc", 3); // 12 would pass 10: older {a, b}, newer {c}
  memo.set("d", "dddd", 4);
  memo.set("e", "eeee", 5); // older {c, d}, newer {e}: a and b dropped
  assert.is(memo.get("a", "aaaa"), undefined);
  assert.is(memo.get("b", "BBBB"), undefined);
  assert.is(memo.get("c", "cccc"), 3);
  assert.is(memo.get("e", "eeee"), 5);
  assert.ok(memo.size <= 4);
});

test("TextMemo: a text longer than MAX_TEXT is never kept", () => {
  const memo = new TextMemo<number>();
  const long = "x".repeat(MAX_TEXT + 1);
  memo.set("l", long, 1);
  assert.is(memo.get("l", long), undefined);
  const limit = "y".repeat(MAX_TEXT);
  memo.set("m", limit, 2);
  assert.is(memo.get("m", limit), 2);
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
