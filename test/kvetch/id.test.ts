// Ids: UUIDv7 layout, ordering within a process, validation messages, byte conversion.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { KvetchError, isUuid, newId, timeOfId } from "../../src/kvetch/index.js";
import { checkId, checkIds, idFromBytes, idToBytes } from "../../src/kvetch/id.js";

test("newId: UUIDv7 layout (version 7, variant 10, current millisecond)", () => {
  const before = Date.now();
  const id = newId();
  const after = Date.now();
  assert.ok(isUuid(id));
  assert.is(id, id.toLowerCase());
  assert.is(id[14], "7");
  assert.ok("89ab".includes(id[19]!), `variant nibble ${id[19]}`);
  const ms = timeOfId(id);
  assert.ok(ms >= before && ms <= after + 1, `timestamp ${ms} outside ${before}..${after}`);
});

test("newId: 10,000 ids from one process are distinct and sort in creation order", () => {
  const ids: string[] = [];
  for (let i = 0; i < 10_000; i++) ids.push(newId());
  assert.is(new Set(ids).size, 10_000);
  const sorted = [...ids].sort();
  assert.equal(sorted, ids);
});

test("isUuid: accepts any version and either case, rejects everything else", () => {
  assert.ok(isUuid("550e8400-e29b-41d4-a716-446655440000"));
  assert.ok(isUuid("550E8400-E29B-41D4-A716-446655440000"));
  assert.not.ok(isUuid("550e8400e29b41d4a716446655440000"));
  assert.not.ok(isUuid("abc"));
  assert.not.ok(isUuid("550e8400-e29b-41d4-a716-44665544000g"));
  assert.not.ok(isUuid(42));
  assert.not.ok(isUuid(null));
  // Every position: a dash where a digit belongs, a digit where a dash belongs, the characters either side
  // of the hex ranges, and code units beyond ASCII whose low byte is a hex digit or a dash.
  const good = "550e8400-e29b-41d4-a716-446655440000";
  for (let i = 0; i < 36; i++) {
    const dash = i === 8 || i === 13 || i === 18 || i === 23;
    const bad = dash ? ["0", "a", "_", "\u012d"] : ["-", "/", ":", "@", "G", "`", "g", "\u0130", "\u0161", "\uff10"];
    for (const c of bad) assert.not.ok(isUuid(good.slice(0, i) + c + good.slice(i + 1)), `${JSON.stringify(c)} at ${i}`);
  }
  assert.is(checkId("550E8400-e29b-41d4-a716-446655440000", "x"), good);
});

test("checkIds: names the call and the position of the first malformed id", () => {
  const good = newId();
  try {
    checkIds([good, good, good, "abc"], "getObjects ids");
    assert.unreachable();
  } catch (error) {
    assert.instance(error, KvetchError);
    assert.is((error as KvetchError).code, "BAD_ID");
    assert.is((error as Error).message, 'Kvetch: "abc" is not a UUID (expected 8-4-4-4-12 hex) in getObjects ids[3]');
  }
  assert.throws(() => checkId(7, "updateObject id"), /7 \(number\) is not a UUID .* in updateObject id/);
  assert.is(checkId(good.toUpperCase(), "x"), good);
});

test("idToBytes / idFromBytes: 16 bytes, round trip", () => {
  const id = "01890a5d-ac96-774b-bcce-b302099a8057";
  const bytes = idToBytes(id);
  assert.is(bytes.length, 16);
  assert.is(bytes.toString("hex"), "01890a5dac96774bbcceb302099a8057");
  assert.is(idFromBytes(bytes), id);
});

test.run();
