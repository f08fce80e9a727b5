// Cursors: format (base64url of seq + id), round trip, ordering, malformed input.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { comparePosition, decodeCursor, encodeCursor, nextSeq } from "../../src/kvetch/cursor.js";
import { newId } from "../../src/kvetch/index.js";

test("cursor: 32 base64url characters of 8 seq bytes and 16 id bytes", () => {
  const cursor = encodeCursor(1, "00000000-0000-7000-8000-000000000001");
  assert.is(cursor, "AAAAAAAAAAEAAAAAAABwAIAAAAAAAAAB");
  assert.equal(decodeCursor(cursor, "x"), { seq: 1, id: "00000000-0000-7000-8000-000000000001" });
});

test("cursor: round trip of large sequences", () => {
  const id = newId();
  for (const seq of [0, 1, 2 ** 32, Date.now() * 1024, Number.MAX_SAFE_INTEGER]) {
    assert.equal(decodeCursor(encodeCursor(seq, id), "x"), { seq, id });
  }
});

test("cursor: malformed cursors name the argument", () => {
  assert.throws(() => decodeCursor("nope", "getEdges after[2]"), /"nope" is not a Kvetch cursor .* in getEdges after\[2\]/);
  assert.throws(() => decodeCursor(12, "getEdges after"), /12 \(number\) is not a Kvetch cursor/);
  assert.throws(() => decodeCursor("////////////////////////////////", "x"), /is not a Kvetch cursor/);
  assert.throws(() => decodeCursor("__________AAAAAAAAAAAAAAAAAAAAAA", "x"), /beyond 2\^53/);
});

test("comparePosition: seq first, then id", () => {
  assert.is(comparePosition(1, "b", 2, "a"), -1);
  assert.is(comparePosition(2, "a", 2, "b"), -1);
  assert.is(comparePosition(2, "b", 2, "b"), 0);
  assert.is(comparePosition(3, "a", 2, "z"), 1);
});

test("nextSeq: strictly increasing, ms * 1024 scale", () => {
  let last = nextSeq();
  assert.ok(Math.abs(last / 1024 - Date.now()) < 1000);
  for (let i = 0; i < 5000; i++) {
    const seq = nextSeq();
    assert.ok(seq > last);
    last = seq;
  }
});

test.run();
